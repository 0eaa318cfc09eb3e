import { describe, expect, it } from "vitest";
import {
  artifactRepository,
  unversionedRemote,
  unversionedUrl,
  versionedArtifacts,
  withoutArtifactVersions,
} from "../../src/render/artifact-versions.js";

describe("versions of a remote source", () => {
  it("an OCI artifact named at a version: its repository", () => {
    expect(artifactRepository("oci://ghcr.io/acme/auth:v1.2.3-rc.1")).toBe("oci://ghcr.io/acme/auth");
    expect(artifactRepository(`oci://ghcr.io/acme/auth@sha256:${"a".repeat(64)}`)).toBe("oci://ghcr.io/acme/auth");
    expect(artifactRepository("oci://ghcr.io/acme/auth:latest")).toBeUndefined();
  });

  it("the Flux distribution a flux-instance release's values install: its registry's manifests at that version", () => {
    const values = (distribution: Record<string, unknown>) => ({ instance: { distribution, components: ["source-controller"] } });
    expect(versionedArtifacts(values({ version: "2.9.4" }))).toEqual(["oci://ghcr.io/fluxcd/flux-manifests:2.9.4"]);
    expect(versionedArtifacts(values({ version: "v2.9.4", registry: "registry.example.com/flux/" }))).toEqual([
      "oci://registry.example.com/flux/flux-manifests:v2.9.4",
    ]);
    // A range is no release; a registry that is not a string names none.
    expect(versionedArtifacts(values({ version: "2.x" }))).toEqual([]);
    expect(versionedArtifacts(values({ version: "2.9.4", registry: null }))).toEqual([]);
    expect(versionedArtifacts({ distribution: { version: "2.9.4" } })).toEqual([]);
    // Unpinned where its registry's manifests are: the registry stays, so another one is a change.
    const trusted = (repository: string) => repository === "oci://ghcr.io/fluxcd/flux-manifests";
    expect(withoutArtifactVersions(values({ version: "2.9.3" }), trusted)).toEqual(
      withoutArtifactVersions(values({ version: "2.9.4" }), trusted),
    );
    expect(withoutArtifactVersions(values({ version: "2.9.3", registry: "ghcr.io/fluxcd" }), trusted)).not.toEqual(
      withoutArtifactVersions(values({ version: "2.9.4" }), trusted),
    );
    const other = (version: string) => values({ version, registry: "registry.example.com/flux" });
    expect(withoutArtifactVersions(other("2.9.3"), trusted)).not.toEqual(withoutArtifactVersions(other("2.9.4"), trusted));
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
    // A git commit is a version too; a bare `v1` is as often a folder, a `1.0-…` file no version.
    const raw = (path: string) => unversionedUrl(`https://raw.githubusercontent.com/acme/auth/${path}`);
    expect(raw(`${"a".repeat(40)}/auth.wasm`)).toBe(raw(`${"b".repeat(40)}/auth.wasm`));
    expect(raw("main/v1/auth.wasm")).not.toBe(raw("main/v2/auth.wasm"));
    expect(raw("main/1.0-auth.wasm")).not.toBe(raw("main/1.0-allow-all.wasm"));
  });

  it("a remote kustomize resource: one source at versions of the same repository, path and query (Renovate's bumps)", () => {
    const same = (before: string, after: string) => expect(unversionedRemote(before)).toBe(unversionedRemote(after));
    const other = (before: string, after: string) => expect(unversionedRemote(before)).not.toBe(unversionedRemote(after));
    same("https://github.com/acme/platform//deploy?ref=v1.2.0", "https://github.com/acme/platform//deploy?ref=v1.3.0");
    same("github.com/acme/platform/config/default?ref=v0.9.1", "github.com/acme/platform/config/default?ref=v0.10.0");
    same("github.com/acme/platform//deploy?version=v0.9.1&timeout=90s", "github.com/acme/platform//deploy?version=v0.10.0&timeout=90s");
    // A tag to a commit is a version bump (Kong/kubernetes-ingress-controller's Renovate pins); a branch is no version.
    same(
      "github.com/kong/kubernetes-ingress-controller/config/crd?ref=v1.3.1",
      `github.com/kong/kubernetes-ingress-controller/config/crd?ref=${"0123456789abcdef".repeat(2)}01234567`,
    );
    other("github.com/acme/platform//gateway/routes?ref=main", "github.com/acme/platform//gateway/routes?ref=wip-open-all");
    other("github.com/acme/platform//gateway/routes?ref=v1.2.0", "github.com/acme/platform//gateway/routes?ref=main");
    other("github.com/acme/platform//deploy?version=v0.9.1&timeout=90s", "github.com/acme/platform//deploy?version=main&timeout=90s");
    same("git@github.com:acme/platform.git//deploy?ref=v1.2.0", "git@github.com:acme/platform.git//deploy?ref=v1.3.0");
    same(
      "https://github.com/acme/platform/releases/download/v1.2.0/install.yaml",
      "https://github.com/acme/platform/releases/download/v1.3.0-rc.1/install.yaml",
    );
    same("https://example.com/acme/platform@v1.2.0/install.yaml", "https://example.com/acme/platform@v1.3.0/install.yaml");
    // Another file, folder, repository, host or query parameter is another source, at any version.
    other(
      "https://github.com/acme/platform/releases/download/v1.0.0/install.yaml",
      "https://github.com/acme/platform/releases/download/v1.0.0/other.yaml",
    );
    other("github.com/acme/platform//config/gateway?ref=v1.0.0", "github.com/acme/platform//config/allow-all?ref=v1.0.0");
    other("github.com/acme/platform//config/gateway?ref=v1.0.0", "github.com/acme/platform-fork//config/gateway?ref=v1.1.0");
    other("github.com/acme/platform//config/v1?ref=v1.0.0", "github.com/acme/platform//config/v2?ref=v1.0.0");
    other("https://github.com/acme/platform//deploy?ref=v1.0.0", "https://gitlab.com/acme/platform//deploy?ref=v1.0.0");
    other("https://github.com/acme/platform//deploy?ref=v1.0.0", "https://github.com/acme/platform//deploy?ref=v1.0.0&submodules=false");
    other("git@1.2.3.4:acme/platform//deploy?ref=v1.0.0", "git@1.2.3.5:acme/platform//deploy?ref=v1.0.0");
  });
});
