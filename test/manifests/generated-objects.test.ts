import { describe, expect, it } from "vitest";
import { createManifestCache, loadManifests } from "../../src/manifests/load-manifests.js";

const AI_ROUTE = `apiVersion: aigateway.envoyproxy.io/v1beta1
kind: AIGatewayRoute
metadata: {name: chat, namespace: ai}
spec:
  parentRefs: [{name: gw}]
  rules:
  - backendRefs: [{name: openai}]
`;
const HTTP_ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: chat, namespace: ai}
spec:
  rules: [{backendRefs: [{name: written, port: 80}]}]
`;

describe("objects controllers write (Family.generates)", () => {
  it("an AIGatewayRoute's HTTPRoute joins the tree in its document, keyed and placed as it is", () => {
    const set = loadManifests([{ path: "clusters/a/route.yaml", text: AI_ROUTE }], { scopeOf: () => "a" });
    const generated = set.resources.get("gateway.networking.k8s.io/HTTPRoute/ai/chat@a");
    expect(generated).toMatchObject({
      family: "gateway-api",
      cluster: "a",
      generatedFrom: "aigateway.envoyproxy.io/AIGatewayRoute/ai/chat@a",
      source: { file: "clusters/a/route.yaml", line: 1 },
    });
    expect(generated?.body.spec).toMatchObject({ parentRefs: [{ name: "gw" }], rules: [{ timeouts: { request: "60s" } }] });
  });

  it("one the PR leaves alone is one object in both trees; an HTTPRoute written under its name is the tree's", () => {
    const cache = createManifestCache();
    const [base, head] = [0, 1].map(() => loadManifests([{ path: "route.yaml", text: AI_ROUTE }], { cache }));
    const key = "gateway.networking.k8s.io/HTTPRoute/ai/chat";
    expect(head!.resources.get(key)).toBe(base!.resources.get(key));
    const both = loadManifests([{ path: "route.yaml", text: `${AI_ROUTE}---\n${HTTP_ROUTE}` }]);
    expect(both.resources.get(key)?.generatedFrom).toBeUndefined();
  });
});
