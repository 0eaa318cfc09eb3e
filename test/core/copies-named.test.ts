import { describe, expect, it } from "vitest";
import { copiesNamed } from "../../src/core/copies-named.js";
import { loadManifests } from "../../src/manifests/load-manifests.js";
import { compileFilePlacement } from "../../src/model/file-placement.js";

const route = (name: string, port = 80) =>
  `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: ${name}, namespace: default}\nspec:\n  rules: [{backendRefs: [{name: ${name}, port: ${port}}]}]\n`;

/** The resources of a tree, in the loader's order, each file placed on the cluster its `clusters/<name>/` folder says. */
const resources = (tree: Record<string, string>) =>
  [
    ...loadManifests(
      Object.entries(tree).map(([path, text]) => ({ path, text })),
      { scopeOf: compileFilePlacement(["clusters/{cluster}/**"]) },
    ).resources.values(),
  ].filter((resource) => resource.id.kind === "HTTPRoute");

describe("copiesNamed: objects named once each, however many copies the tree holds", () => {
  it("one copy, or copies of one file on several clusters, is its name alone", () => {
    expect(copiesNamed(resources({ "a/route.yaml": route("llm-route") }))).toEqual(["HTTPRoute default/llm-route"]);
    // One file a GitOps object delivers to two clusters: a copy for each, as the model keys them.
    const [copy] = resources({ "clusters/jkt/route.yaml": route("llm-route") });
    expect(copiesNamed([copy!, { ...copy!, cluster: "sgp", key: `${copy!.key}@sgp` }])).toEqual(["HTTPRoute default/llm-route"]);
  });

  it("copies written in several files are named once with those files, which may differ (gateway-api-inference-extension 2e069d4731)", () => {
    const implementations = ["agentgateway", "envoyaigateway", "gke", "istio", "kgateway"];
    const tree = Object.fromEntries(
      implementations.map((name, index) => [`gateway/${name}/httproute.yaml`, route("llm-route", 80 + index)]),
    );
    expect(copiesNamed(resources({ ...tree, "other.yaml": route("other") }))).toEqual([
      "HTTPRoute default/llm-route (in 5 files: gateway/agentgateway/httproute.yaml, gateway/envoyaigateway/httproute.yaml, gateway/gke/httproute.yaml and 2 more)",
      "HTTPRoute default/other",
    ]);
  });

  it("a render's copy is shown at the kustomization it builds", () => {
    const copies = resources({ "apps/a/(rendered)/kustomization.yaml": route("web"), "apps/b/route.yaml": route("web") });
    expect(copiesNamed(copies)).toEqual(["HTTPRoute default/web (in 2 files: apps/a/kustomization.yaml, apps/b/route.yaml)"]);
  });
});
