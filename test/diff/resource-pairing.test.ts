import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { alignResourceKeys } from "../../src/diff/resource-pairing.js";
import { loadManifests } from "../../src/manifests/load-manifests.js";
import { analyze, classesOf } from "../helpers/review-trees.js";
import { httpRoute } from "../helpers/http-route-yaml.js";

const real = (path: string) => readFileSync(resolve(import.meta.dirname, "../fixtures/real", path), "utf8");
const STRICT = real("asm-samples/peerauthentication-strict.yaml");

/** checkout split between two backends: the route every environment folder defines. */
const split = ([a, b]: readonly [number, number]) =>
  httpRoute(`    - backendRefs:
        - { name: checkout-v1, port: 8080, weight: ${a} }
        - { name: checkout-v2, port: 8080, weight: ${b} }
`);

describe("one identity defined in several files (issue 9, family 1)", () => {
  it("a copy of a STRICT PeerAuthentication into a new folder weakens nothing where the original stays (anthos-service-mesh-samples 748c4a3)", () => {
    const original = "docs/asm-installation-manifests/with-strict-mtls/peerauthentication.yaml";
    const copy = "demos/asm-mcp-multi-clusters/terraform/lab_materials/istio-system/peerauthentication-mtls-strict.yaml";
    const result = analyze({ [original]: STRICT }, { [original]: STRICT, [copy]: STRICT });
    expect(result.findings.filter((finding) => finding.file === original)).toEqual([]);
    expect(classesOf(result)).not.toContain("mtls.weakened");
  });

  it("per-environment folders moved together pair by content: no change", () => {
    const dev = split([90, 10]);
    const prod = split([100, 0]);
    const result = analyze(
      { "env/dev/route.yaml": dev, "env/prod/route.yaml": prod },
      { "clusters/dev/route.yaml": dev, "clusters/prod/route.yaml": prod },
    );
    expect(result.findings).toEqual([]);
    expect(result.routeDiffs).toEqual([]);
  });

  it("a move that also edits pairs with the most similar definition, so only the edit is reported", () => {
    const dev = split([90, 10]);
    const prod = split([100, 0]);
    const prodEdited = split([50, 50]);
    const result = analyze({ "a/dev.yaml": dev, "a/prod.yaml": prod }, { "b/dev.yaml": dev, "b/prod.yaml": prodEdited });
    const files = new Set(result.findings.map((finding) => finding.file));
    expect([...files]).toEqual(["b/prod.yaml"]);
    expect(classesOf(result)).not.toContain("route.added");
    expect(classesOf(result)).not.toContain("route.removed");
  });

  it("a second definition added beside the first is a new resource, the first stays paired", () => {
    const route = split([90, 10]);
    const result = analyze({ "staging/route.yaml": route }, { "staging/route.yaml": route, "production/route.yaml": route });
    expect(result.findings.every((finding) => finding.file === "production/route.yaml")).toBe(true);
  });
});

describe("API promotions keep the identity", () => {
  const listenerSet = (apiVersion: string, kind: string) => `apiVersion: ${apiVersion}
kind: ${kind}
metadata: { name: team, namespace: shop }
spec:
  parentRef: { name: public, namespace: infra }
  listeners:
    - name: team-https
      port: 443
      protocol: HTTPS
      hostname: team.example.com
`;

  it("XListenerSet (gateway.networking.x-k8s.io) → ListenerSet (gateway.networking.k8s.io), same spec: no finding", () => {
    const result = analyze(
      { "sets/team.yaml": listenerSet("gateway.networking.x-k8s.io/v1alpha1", "XListenerSet") },
      { "sets/team.yaml": listenerSet("gateway.networking.k8s.io/v1", "ListenerSet") },
    );
    expect(result.findings).toEqual([]);
  });

  it("a promotion that also changes the spec is one changed resource, not a removal and an addition", () => {
    const result = analyze(
      { "sets/team.yaml": listenerSet("gateway.networking.x-k8s.io/v1alpha1", "XListenerSet") },
      { "sets/team.yaml": listenerSet("gateway.networking.k8s.io/v1", "ListenerSet").replace("team.example.com", "team2.example.com") },
    );
    expect(result.findings.length).toBeGreaterThan(0);
    expect(result.findings.map((finding) => finding.summary).join("\n")).not.toMatch(/\bremoved\b/);
  });
  it("k8gb.absa.oss → k8gb.io, the promotion the dns family declares, keeps a Gslb's key", () => {
    const gslb = (apiVersion: string) => [
      {
        path: "gslb.yaml",
        text: `apiVersion: ${apiVersion}
kind: Gslb
metadata: { name: shop, namespace: shop }
spec:
  resourceRef: { apiVersion: networking.k8s.io/v1, kind: Ingress, matchLabels: { app: shop } }
  strategy: { type: failover, primaryGeoTag: eu }
`,
      },
    ];
    const { base, head } = alignResourceKeys(loadManifests(gslb("k8gb.absa.oss/v1beta1")), loadManifests(gslb("k8gb.io/v1beta1")));
    expect([...base.resources.values()].map((resource) => resource.key)).toEqual(["k8gb.io/Gslb/shop/shop"]);
    expect([...head.resources.values()].map((resource) => resource.key)).toEqual(["k8gb.io/Gslb/shop/shop"]);
  });
});

describe("a copy beside an equal definition that stays (gke-networking-recipes 4381fc1, 1383482)", () => {
  const EXPORT = "kind: ServiceExport\napiVersion: net.gke.io/v1\nmetadata: {name: store-v1, namespace: store}\n";
  const APP = `apiVersion: v1\nkind: Service\nmetadata: {name: store-v1, namespace: store}\nspec: {ports: [{port: 8080}]}\n---\n${EXPORT}`;

  it("adding or removing the same ServiceExport in another file of its folder changes nothing", () => {
    const one = { "gke-1/app-v1.yaml": APP };
    const two = { "gke-1/app-v1.yaml": APP, "gke-1/serviceexport-v1.yaml": EXPORT };
    expect(analyze(one, two).findings).toEqual([]);
    expect(analyze(two, one).findings).toEqual([]);
  });

  it("a copy in another folder, or a copy that differs, is still a change", () => {
    expect(classesOf(analyze({ "gke-1/app-v1.yaml": APP }, { "gke-1/app-v1.yaml": APP, "gke-2/serviceexport-v1.yaml": EXPORT }))).toContain(
      "export.changed",
    );
    const other = EXPORT.replace("metadata: {", "metadata: {labels: {tier: web}, ");
    const differing = analyze({ "gke-1/app-v1.yaml": APP }, { "gke-1/app-v1.yaml": APP, "gke-1/serviceexport-v1.yaml": other });
    expect(classesOf(differing)).toContain("export.changed");
  });
});
