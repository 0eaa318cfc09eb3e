import { describe, expect, it } from "vitest";
import { kubeConfigOf, releaseFolderSuffix, releaseKubeConfigOf } from "../../src/core/flux-kubeconfig.js";

describe("Flux kubeConfig references", () => {
  it("reads a secretRef or a configMapRef in the object's namespace", () => {
    expect(kubeConfigOf({ kubeConfig: { secretRef: { name: "cluster-kubeconfig" } } }, "production")).toEqual({
      namespace: "production",
      name: "cluster-kubeconfig",
    });
    expect(kubeConfigOf({ kubeConfig: { configMapRef: { name: "spoke" } } }, "staging")).toEqual({ namespace: "staging", name: "spoke" });
    expect(kubeConfigOf({ path: "./apps" }, "flux-system")).toBeUndefined();
  });

  it("a release render's folder carries its kubeConfig, which only a file inside it reads back", () => {
    const ref = { namespace: "production", name: "cluster-kubeconfig" };
    const folder = `clusters/production/apps/(rendered)/(rendered production/web${releaseFolderSuffix(ref)})`;
    expect(releaseKubeConfigOf(`${folder}/kustomization.yaml`)).toEqual(ref);
    expect(releaseKubeConfigOf("clusters/production/apps/(rendered)/(rendered production/web)/kustomization.yaml")).toBeUndefined();
    expect(releaseFolderSuffix(undefined)).toBe("");
  });
});
