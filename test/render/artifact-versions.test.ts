import { describe, expect, it } from "vitest";
import { artifactRepository, unversionedUrl } from "../../src/render/artifact-versions.js";

describe("versions of a remote source", () => {
  it("an OCI artifact named at a version: its repository", () => {
    expect(artifactRepository("oci://ghcr.io/acme/auth:v1.2.3-rc.1")).toBe("oci://ghcr.io/acme/auth");
    expect(artifactRepository(`oci://ghcr.io/acme/auth@sha256:${"a".repeat(64)}`)).toBe("oci://ghcr.io/acme/auth");
    expect(artifactRepository("oci://ghcr.io/acme/auth:latest")).toBeUndefined();
  });

  it("an HTTP file: one source at versions of the same path, read as a tag is (a GitHub release asset)", () => {
    const at = (path: string) => unversionedUrl(`https://github.com/acme/auth/releases/download/${path}`);
    expect(at("v1.0.0/auth.wasm")).toBe(at("v1.1.0/auth.wasm"));
    expect(at("1.0/auth.wasm")).toBe(at("2.0.0-rc.1/auth.wasm"));
    // Another file, another depth, another host or query: another source.
    expect(at("v1.0.0/auth.wasm")).not.toBe(at("v1.0.0/allow-all.wasm"));
    expect(at("v1.0.0/auth.wasm")).not.toBe(at("latest/auth.wasm"));
    expect(at("v1.0.0/auth.wasm")).not.toBe(at("v1.0.0/v2/auth.wasm"));
    expect(unversionedUrl("https://a.example/v1/auth.wasm")).not.toBe(unversionedUrl("https://b.example/v1/auth.wasm"));
    expect(unversionedUrl("https://a.example/v1/auth.wasm?x=1")).not.toBe(unversionedUrl("https://a.example/v2/auth.wasm?x=2"));
    expect(unversionedUrl("oci://ghcr.io/acme/auth:0.1.0")).toBeUndefined();
  });
});
