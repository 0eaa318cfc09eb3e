import { describe, expect, it } from "vitest";
import { kustomizeRenderOrigin, readersOf } from "../../src/core/kustomize-inclusion.js";

describe("kustomizeRenderOrigin: the kustomization a render is the build of", () => {
  it("reads a folder's render and a Flux Kustomization's own build, at the root or below", () => {
    expect(kustomizeRenderOrigin("apps/prod/(rendered)/kustomization.yaml")).toBe("apps/prod/kustomization.yaml");
    expect(kustomizeRenderOrigin("(rendered)/kustomization.yml")).toBe("kustomization.yml");
    expect(kustomizeRenderOrigin("apps/(rendered for flux-system:apps in clusters:prod:apps.yaml)/kustomization.yaml")).toBe(
      "apps/kustomization.yaml",
    );
  });

  it("is undefined for a file as written and for a Helm release's render", () => {
    expect(kustomizeRenderOrigin("apps/prod/vs.yaml")).toBeUndefined();
    expect(kustomizeRenderOrigin("apps/podinfo/(rendered podinfo)/helmrelease.yaml")).toBeUndefined();
  });
});

describe("readersOf: a file and the kustomizations accumulating it, transitively", () => {
  it("follows a base up to every overlay", () => {
    const includedBy = new Map([
      ["base/vs.yaml", ["base/kustomization.yaml"]],
      ["base/kustomization.yaml", ["prod/kustomization.yaml", "staging/kustomization.yaml"]],
    ]);
    expect(readersOf("base/vs.yaml", includedBy)).toEqual([
      "base/vs.yaml",
      "base/kustomization.yaml",
      "prod/kustomization.yaml",
      "staging/kustomization.yaml",
    ]);
    expect(readersOf("loose.yaml", includedBy)).toEqual(["loose.yaml"]);
  });
});
