import { describe, expect, it } from "vitest";
import { argoComponentBuilds } from "../../src/render/argo-kustomize-builds.js";

const application = (name: string, source: string) => ({
  path: `argocd/${name}.yaml`,
  text: `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: ${name}, namespace: argocd}\nspec:\n  destination: {server: https://kubernetes.default.svc, namespace: shop}\n  source: {repoURL: https://github.com/acme/fleet, path: apps/prod${source}}\n`,
});
const ROOT = { path: "apps/prod/kustomization.yaml", text: "resources: [services.yaml]\n" };

describe("Argo CD kustomize builds", () => {
  it("add a source's kustomize.components to the kustomization at its path, as Argo CD builds it", () => {
    const builds = argoComponentBuilds([ROOT, application("shop", ", kustomize: {components: [./components/canary]}")]);
    expect([...builds]).toEqual([["apps/prod/kustomization.yaml", [{ components: ["./components/canary"], patches: [] }]]]);
  });

  it("none where sources building the path add different Components, or a source is a plugin's, or no kustomization is there", () => {
    const canary = ", kustomize: {components: [./components/canary]}";
    expect(argoComponentBuilds([ROOT, application("shop", canary), application("shop-stable", "")]).size).toBe(0);
    expect(argoComponentBuilds([ROOT, application("shop", `${canary}, plugin: {name: envsubst}`)]).size).toBe(0);
    expect(argoComponentBuilds([application("shop", canary)]).size).toBe(0);
  });
});
