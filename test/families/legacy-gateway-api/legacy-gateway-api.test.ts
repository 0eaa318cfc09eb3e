import { describe, expect, it } from "vitest";
import { legacyGatewayApiDetector, RETIRED_API } from "../../../src/families/legacy-gateway-api/legacy-gateway-api.js";
import { DETECTORS } from "../../../src/detect/detectors.js";
import { analyze, corpusFile, describeCorpus } from "../../helpers/review-trees.js";
import { detect, expectDetections } from "../../detect/resource-fixture.js";

const BLUE_GREEN = "GoogleCloudPlatform__gke-networking-recipes/gateway/multi-cluster/mcg-internal-blue-green";

const gateway = (
  className: string,
  listeners = "  - {protocol: HTTP, port: 80, routes: {kind: HTTPRoute, selector: {matchLabels: {gateway: mcg}}}}",
) => `
kind: Gateway
apiVersion: networking.x-k8s.io/v1alpha1
metadata: {name: mcg, namespace: shop}
spec:
  gatewayClassName: ${className}
  listeners:
${listeners}`;

const route = (forwardTo: string, labels = "{gateway: mcg}") => `
kind: HTTPRoute
apiVersion: networking.x-k8s.io/v1alpha1
metadata: {name: checkout, namespace: shop, labels: ${labels}}
spec:
  rules:
  - forwardTo:
${forwardTo}`;

const BLUE_GREEN_90_10 =
  "    - {backendRef: {group: net.gke.io, kind: ServiceImport, name: blue}, port: 8080, weight: 90}\n    - {backendRef: {group: net.gke.io, kind: ServiceImport, name: green}, port: 8080, weight: 10}";

describe("legacy networking.x-k8s.io/v1alpha1: the API is retired", () => {
  it("an added legacy route says so (medium)", () => {
    expectDetections(detect(legacyGatewayApiDetector, undefined, route(BLUE_GREEN_90_10)), [
      {
        class: "resource.changed",
        side: "head",
        path: ["apiVersion"],
        says: `HTTPRoute shop/checkout: ${RETIRED_API} (added)`,
        riskFloor: "medium",
      },
    ]);
  });

  it("a changed legacy route says so, naming what changed", () => {
    const found = detect(
      legacyGatewayApiDetector,
      route(BLUE_GREEN_90_10),
      route(BLUE_GREEN_90_10.replace("weight: 90", "weight: 50").replace("weight: 10", "weight: 50")),
    );
    expectDetections(found, [
      {
        class: "resource.changed",
        side: "head",
        path: ["spec", "rules", 0, "forwardTo", 0, "weight"],
        says: RETIRED_API,
        riskFloor: "medium",
      },
    ]);
    expect(found[0]!.summary).toContain("spec.rules[0].forwardTo[0].weight");
  });

  it("a removed legacy resource is migration progress: no retired finding", () => {
    expect(detect(legacyGatewayApiDetector, route(BLUE_GREEN_90_10), undefined)).toEqual([]);
  });

  it("Gateway moved off the multi-cluster class, listener widened", () => {
    const widened =
      "  - {protocol: HTTP, port: 80, routes: {kind: HTTPRoute, selector: {matchLabels: {gateway: mcg}}, namespaces: {from: All}}}";
    // The class field is Gateway API's: that family's contribution (detectsOn) judges it.
    const found = DETECTORS["legacy-gateway-api"]!.flatMap((detector) =>
      detect(detector, gateway("gke-l7-rilb-mc"), gateway("gke-l7-rilb", widened)),
    );
    expectDetections(found, [
      { class: "resource.changed", side: "head", path: ["spec", "gatewayClassName"], says: RETIRED_API, riskFloor: "medium" },
      { class: "listener.changed", side: "head", path: ["spec", "listeners", 0, "routes"], says: "listener HTTP :80 routes" },
      {
        class: "gateway-class.changed",
        side: "head",
        path: ["spec", "gatewayClassName"],
        says: "gke-l7-rilb-mc → gke-l7-rilb: the Gateway stops being multi-cluster",
      },
    ]);
  });

  it("a Gateway's addresses are read as Gateway API's: an address left to the implementation is (auto)", () => {
    const withAddresses = (addresses: string) => `${gateway("gke-l7-rilb-mc")}\n  addresses: ${addresses}`;
    const found = detect(
      legacyGatewayApiDetector,
      withAddresses("[{type: IPAddress, value: 10.0.0.1}]"),
      withAddresses("[{type: NamedAddress}]"),
    );
    expect(found.filter((detection) => detection.class === "listener.changed").map((detection) => detection.summary)).toEqual([
      "Gateway shop/mcg: addresses [IPAddress:10.0.0.1] → [NamedAddress:(auto)]: DNS records and allowlists that name the old address break",
    ]);
  });

  it("a mirror on a v1alpha1 rule takes writes (high)", () => {
    const mirrored = `${route("    - {backendRef: {group: net.gke.io, kind: ServiceImport, name: blue}, port: 8080}")}
    filters:
    - type: RequestMirror
      requestMirror: {backendRef: {group: net.gke.io, kind: ServiceImport, name: green}, port: 8080}`;
    const found = detect(
      legacyGatewayApiDetector,
      route("    - {backendRef: {group: net.gke.io, kind: ServiceImport, name: blue}, port: 8080}"),
      mirrored,
    );
    expect(found.map((detection) => [detection.class, detection.riskFloor])).toEqual([
      ["resource.changed", "medium"],
      ["mirror.changed", "high"],
    ]);
    expect(found[1]!.summary).toContain("RequestMirror to ServiceImport green:8080 added (100% of requests); the rule takes writes");
  });
});

describe("legacy routes as flows (end to end)", () => {
  it("entries come from the Gateway that selects the route by label", () => {
    const tree = { "gateway.yaml": gateway("gke-l7-rilb-mc"), "route.yaml": route(BLUE_GREEN_90_10) };
    const result = analyze(tree, {
      ...tree,
      "route.yaml": route(BLUE_GREEN_90_10.replace("weight: 90", "weight: 70").replace("weight: 10", "weight: 30")),
    });
    expect(result.routeDiffs.map((diff) => diff.head!.entry)).toEqual(["Gateway shop/mcg"]);
    const weights = result.findings.find((finding) => finding.class === "backend.weight-changed")!;
    expect(weights.summary).toBe("* via Gateway shop/mcg: ServiceImport blue:8080 90% → 70%, ServiceImport green:8080 10% → 30%");
  });

  it("proportional weights, key order and quoting are cosmetic", () => {
    const tree = { "gateway.yaml": gateway("gke-l7-rilb-mc"), "route.yaml": route(BLUE_GREEN_90_10) };
    const reordered = route(
      "    - {weight: 9, port: 8080, backendRef: {name: blue, kind: ServiceImport, group: 'net.gke.io'}}\n    - {weight: 1, port: 8080, backendRef: {name: green, kind: ServiceImport, group: net.gke.io}}",
    );
    expect(analyze(tree, { ...tree, "route.yaml": reordered }).findings).toEqual([]);
  });

  it("a route no Gateway selects is shown under the unresolved legacy entry; relabelling it onto a Gateway is an attachment", () => {
    const tree = { "gateway.yaml": gateway("gke-l7-rilb-mc"), "route.yaml": route(BLUE_GREEN_90_10, "{gateway: other}") };
    const result = analyze(tree, { ...tree, "route.yaml": route(BLUE_GREEN_90_10) });
    const attachment = result.findings.find((finding) => finding.class === "route.attachment-changed")!;
    expect(attachment.summary).toBe("HTTPRoute shop/checkout: attached to Gateway shop/mcg; detached from Gateway (legacy, by selector)");
  });
});

describeCorpus("GKE blue-green recipe: the route steps as before/after pairs", () => {
  const step = (name: string) => corpusFile(`${BLUE_GREEN}/${name}`);
  const tree = (routeStep: string) => ({
    [`${BLUE_GREEN}/gateway.yaml`]: step("gateway.yaml"),
    [`${BLUE_GREEN}/cluster-blue-app.yaml`]: step("cluster-blue-app.yaml"),
    [`${BLUE_GREEN}/cluster-green-app.yaml`]: step("cluster-green-app.yaml"),
    [`${BLUE_GREEN}/route.yaml`]: step(routeStep),
  });
  // The exports of both clusters sit in one folder here, so the backends are placed by name.
  const overlay = `topology:\n  backendRegions: ["sample-app-(?<cluster>blue|green)"]\n  clusters: {blue: us-west1, green: us-east1}\n`;
  const review = (from: string, to: string) => {
    const result = analyze(tree(from), tree(to), overlay);
    return {
      result,
      findings: result.findings.map((finding) => [finding.class, finding.risk]),
      summaries: result.findings.map((finding) => finding.summary),
    };
  };

  it("step 1 → 2: mirroring to green is mirror.changed on a rule that takes writes", () => {
    const { findings, summaries } = review("route-step-1-single-cluster.yaml", "route-step-2-mirroring.yaml");
    expect(findings).toEqual([
      ["mirror.changed", "high"],
      ["resource.changed", "medium"],
    ]);
    expect(summaries[0]).toContain("RequestMirror to ServiceImport sample-app-green:8080 added (100% of requests)");
    expect(summaries[1]).toContain(RETIRED_API);
  });

  it("step 2 → 3: the canary sends 10% to green, a new region", () => {
    const { findings, summaries } = review("route-step-2-mirroring.yaml", "route-step-3-canary.yaml");
    expect(findings).toEqual([
      ["backend.region-added", "high"],
      ["resource.changed", "medium"],
    ]);
    expect(summaries[0]).toBe(
      "* via Gateway mcgi-bg/multi-cluster-gateway: ServiceImport sample-app-green:8080 in new region us-east1 receives 10% (ServiceImport sample-app-blue:8080 100% → 90%, ServiceImport sample-app-green:8080 new 10%)",
    );
  });

  it("step 3 → 4a: the even split is backend.weight-changed with the right shares", () => {
    const { result, findings, summaries } = review("route-step-3-canary.yaml", "route-step-4a-explicit-even-split.yaml");
    expect(findings).toEqual([
      ["backend.weight-changed", "medium-high"],
      ["resource.changed", "medium"],
    ]);
    expect(summaries[0]).toBe(
      "* via Gateway mcgi-bg/multi-cluster-gateway: ServiceImport sample-app-blue:8080 90% → 50%, ServiceImport sample-app-green:8080 10% → 50%",
    );
    expect(result.routeDiffs[0]!.regions).toEqual([
      { region: "us-east1", before: 0.1, after: 0.5 },
      { region: "us-west1", before: 0.9, after: 0.5 },
    ]);
  });

  it("step 4a → 4b: the per-cluster imports give way to the ClusterSet-wide one", () => {
    const { result } = review("route-step-4a-explicit-even-split.yaml", "route-step-4b-implicit-even-split.yaml");
    const shifts = result.routeDiffs[0]!.backends.map((shift) => [shift.label, shift.before, shift.after]);
    expect(shifts).toEqual(
      expect.arrayContaining([
        ["ServiceImport sample-app-blue:8080", 0.5, undefined],
        ["ServiceImport sample-app-green:8080", 0.5, undefined],
        ["ServiceImport sample-app:8080", undefined, 1],
      ]),
    );
  });

  it("step 4b → 5: header routes to each cluster are new rules", () => {
    const { findings, summaries } = review("route-step-4b-implicit-even-split.yaml", "route-step-5-header-routing.yaml");
    expect(findings.filter(([kind]) => kind === "route.added")).toHaveLength(2);
    expect(summaries).toContain(
      "* header cluster=cluster-blue via Gateway mcgi-bg/multi-cluster-gateway: new rule → ServiceImport sample-app-blue:8080 100%",
    );
  });

  it("the unchanged recipe yields nothing", () => {
    expect(analyze(tree("route-step-3-canary.yaml"), tree("route-step-3-canary.yaml"), overlay).findings).toEqual([]);
  });
});
