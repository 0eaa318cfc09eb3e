import { describe, expect, it } from "vitest";
import { keySource } from "../../src/core/jwt-trust.js";

const signer = (issuer: string, jwksUri?: string) => keySource(issuer, jwksUri, undefined).signer;
const sameSigner = (issuer: string, before: string | undefined, after: string | undefined) =>
  signer(issuer, before) === signer(issuer, after);

describe("keySource: who controls the keys a JWKS URL serves", () => {
  it.each([
    [
      "raw.githubusercontent.com: another owner",
      "https://raw.githubusercontent.com/org-a/keys/main/jwks.json",
      "https://raw.githubusercontent.com/org-b/keys/main/jwks.json",
    ],
    [
      "raw.githubusercontent.com: another repository of the owner",
      "https://raw.githubusercontent.com/org-a/keys/main/jwks.json",
      "https://raw.githubusercontent.com/org-a/fork/main/jwks.json",
    ],
    ["github.com", "https://github.com/org-a/keys/raw/main/jwks.json", "https://github.com/org-b/keys/raw/main/jwks.json"],
    [
      "a gist",
      "https://gist.githubusercontent.com/alice/1234/raw/jwks.json",
      "https://gist.githubusercontent.com/mallory/1234/raw/jwks.json",
    ],
    [
      "GitLab: another project of the group",
      "https://gitlab.com/org/sub/keys/-/raw/main/jwks.json",
      "https://gitlab.com/org/sub/other/-/raw/main/jwks.json",
    ],
    ["a Cloud Storage bucket", "https://storage.googleapis.com/bucket-a/jwks.json", "https://storage.googleapis.com/bucket-b/jwks.json"],
    [
      "an S3 bucket, path-style",
      "https://s3.eu-west-1.amazonaws.com/bucket-a/jwks.json",
      "https://s3.eu-west-1.amazonaws.com/bucket-b/jwks.json",
    ],
    [
      "an Azure storage container",
      "https://acct.blob.core.windows.net/keys/jwks.json",
      "https://acct.blob.core.windows.net/public/jwks.json",
    ],
    [
      "a Cognito user pool",
      "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_A/.well-known/jwks.json",
      "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_B/.well-known/jwks.json",
    ],
    [
      "a Google service account's keys",
      "https://www.googleapis.com/service_accounts/v1/jwk/a@p.iam.gserviceaccount.com",
      "https://www.googleapis.com/service_accounts/v1/jwk/b@p.iam.gserviceaccount.com",
    ],
    ["an unknown host: another first segment", "https://keys.example.net/team-a/jwks.json", "https://keys.example.net/team-b/jwks.json"],
  ])("%s is another signer", (_, before, after) => {
    expect(sameSigner("https://auth.example.com", before, after)).toBe(false);
  });

  it.each([
    [
      "raw.githubusercontent.com: another branch or file of the repository",
      "https://raw.githubusercontent.com/istio/istio/release-1.5/security/jwks.json",
      "https://raw.githubusercontent.com/istio/istio/release-1.20/security/jwks.json",
    ],
    [
      "a bucket: another object in it",
      "https://storage.googleapis.com/bucket-a/v1/jwks.json",
      "https://storage.googleapis.com/bucket-a/v2/jwks.json",
    ],
    [
      "an unknown host: a path under the same first segment",
      "https://keys.example.net/team-a/v1/jwks.json",
      "https://keys.example.net/team-a/v2/jwks.json",
    ],
  ])("%s is the same signer", (_, before, after) => {
    expect(sameSigner("https://auth.example.com", before, after)).toBe(true);
  });

  it("on the issuer's own host, its own path is its space, and its discovery signs the same", () => {
    expect(sameSigner("https://auth.example.com", "https://auth.example.com/jwks", "https://auth.example.com/.well-known/jwks.json")).toBe(
      true,
    );
    expect(sameSigner("https://auth.example.com", "https://auth.example.com/oauth/keys", undefined)).toBe(true);
    const realm = "https://sso.example.com/realms/shop";
    expect(sameSigner(realm, `${realm}/protocol/openid-connect/certs`, undefined)).toBe(true);
    // Another realm of the same server is another tenant, on the issuer's host or served elsewhere.
    expect(
      sameSigner(realm, `${realm}/protocol/openid-connect/certs`, "https://sso.example.com/realms/admin/protocol/openid-connect/certs"),
    ).toBe(false);
    expect(
      sameSigner(
        realm,
        "http://keycloak.sso.svc:8080/realms/shop/protocol/openid-connect/certs",
        "http://keycloak.sso.svc:8080/realms/admin/protocol/openid-connect/certs",
      ),
    ).toBe(false);
  });

  it("an issuer at a shared host does not make the host its own: the tenant still counts", () => {
    const bucket = "https://storage.googleapis.com/issuer-bucket";
    expect(sameSigner(bucket, `${bucket}/openid/v1/jwks`, undefined)).toBe(true);
    expect(sameSigner(bucket, `${bucket}/openid/v1/jwks`, "https://storage.googleapis.com/other-bucket/openid/v1/jwks")).toBe(false);
    expect(
      sameSigner("https://storage.googleapis.com", "https://storage.googleapis.com/a/jwks", "https://storage.googleapis.com/b/jwks"),
    ).toBe(false);
  });

  it("another host is another signer; an issuer that is no URL signs by its name", () => {
    expect(sameSigner("https://auth.example.com", "https://auth.example.com/jwks", "https://keys.evil.net/jwks")).toBe(false);
    expect(signer("testing@secure.istio.io")).toBe("testing@secure.istio.io");
  });
});
