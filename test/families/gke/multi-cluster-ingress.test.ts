import { describe, expect, it } from "vitest";
import { analyze } from "../../helpers/review-trees.js";

/** The shape of gke-networking-recipes' multi-cluster-ingress recipes (GKE's MultiClusterIngress guide). */
const MCI = `apiVersion: networking.gke.io/v1
kind: MultiClusterIngress
metadata:
  name: foobar-ingress
  namespace: demo
  annotations:
    networking.gke.io/static-ip: 34.1.2.3
spec:
  template:
    spec:
      backend: {serviceName: default-backend, servicePort: 8080}
      rules:
      - host: foo.example.com
        http:
          paths:
          - backend: {serviceName: foo, servicePort: 8080}
      - host: bar.example.com
        http:
          paths:
          - path: /api/*
            backend: {serviceName: bar, servicePort: 8080}
`;

const mcs = (name: string, links: readonly string[]) => `apiVersion: networking.gke.io/v1
kind: MultiClusterService
metadata: {name: ${name}, namespace: demo}
spec:
  template:
    spec:
      selector: {app: ${name}}
      ports: [{name: web, protocol: TCP, port: 8080, targetPort: 8080}]
${links.length > 0 ? `  clusters:\n${links.map((link) => `  - link: "${link}"`).join("\n")}\n` : ""}`;

const tree = (ingress = MCI, fooLinks: readonly string[] = ["us-west1-a/gke-1", "us-east1/gke-2"]) => ({
  "mci/ingress.yaml": ingress,
  "mci/services.yaml": `${mcs("foo", fooLinks)}---\n${mcs("bar", [])}`,
});

const findingsOf = (head: Record<string, string>) => analyze(tree(), head).findings.map((finding) => [finding.class, finding.summary]);

describe("GKE MultiClusterIngress and MultiClusterService", () => {
  it("reads each host and path as a flow entering at the Ingress's own load balancer, placed where its MultiClusterService runs", () => {
    const flows = [...analyze({}, tree()).head.model.flows.values()];
    expect(
      flows.map((flow) => [
        flow.entry,
        flow.host,
        flow.match,
        flow.backends.map((b) => [b.label, b.placement.clusters, b.placement.regions]),
      ]),
    ).toEqual([
      [
        "MultiClusterIngress demo/foobar-ingress",
        "foo.example.com",
        // A path left out is GKE's `/*`: every path of the host.
        "PathPrefix /",
        [["MultiClusterService demo/foo:8080", ["gke-1", "gke-2"], ["us-east1", "us-west1"]]],
      ],
      [
        "MultiClusterIngress demo/foobar-ingress",
        "bar.example.com",
        "ImplementationSpecific /api/*",
        [["MultiClusterService demo/bar:8080", [], []]],
      ],
      ["MultiClusterIngress demo/foobar-ingress", "*", "PathPrefix /", [["MultiClusterService demo/default-backend:8080", [], []]]],
    ]);
  });

  it("a host taken off the Ingress falls to its default backend, which takes what no rule matches", () => {
    const removed = MCI.replace(/      - host: bar\.example\.com[\s\S]*$/, "");
    expect(findingsOf(tree(removed))).toContainEqual([
      "route.match-changed",
      "bar.example.com ImplementationSpecific /api/* via MultiClusterIngress demo/foobar-ingress: rule removed: its requests now fall through to default backend → MultiClusterService demo/default-backend:8080 100% (were → MultiClusterService demo/bar:8080 100%)",
    ]);
  });

  it("a cluster taken off a MultiClusterService drains it: export.changed, and the paths sending there lose its region", () => {
    const findings = findingsOf(tree(MCI, ["us-west1-a/gke-1"]));
    expect(findings).toContainEqual([
      "export.changed",
      "MultiClusterService demo/foo: backends in us-east1/gke-2, us-west1-a/gke-1 → us-west1-a/gke-1: us-east1/gke-2 stops serving it (drained)",
    ]);
    // The weights are as they were: the summary names the backend that left the region.
    expect(findings).toContainEqual([
      "backend.region-removed",
      "foo.example.com: region us-east1 no longer receives traffic (MultiClusterService demo/foo:8080 now placed in us-west1)",
    ]);
  });

  it("a MultiClusterService that stops listing clusters spreads across the cluster set: no region is claimed drained", () => {
    const findings = findingsOf(tree(MCI, []));
    expect(findings.filter(([finding]) => finding!.startsWith("backend."))).toEqual([
      [
        "backend.region-added",
        "foo.example.com: MultiClusterService demo/foo:8080 now runs across the cluster set (was us-east1+us-west1) with 100% of the traffic",
      ],
    ]);
    expect(findings).toContainEqual(["export.changed", expect.stringContaining("→ every member cluster")]);
  });

  it("the load balancer's static address and its certificates are listener and trust changes", () => {
    const moved = MCI.replace("34.1.2.3", "34.9.9.9");
    expect(findingsOf(tree(moved))).toContainEqual(["listener.changed", expect.stringContaining("34.1.2.3 → 34.9.9.9")]);
    const certified = MCI.replace(
      "    networking.gke.io/static-ip: 34.1.2.3",
      "    networking.gke.io/static-ip: 34.1.2.3\n    networking.gke.io/pre-shared-certs: foo-cert",
    );
    expect(findingsOf(tree(certified))).toContainEqual(["trust.changed", expect.stringContaining("none → foo-cert")]);
  });

  it("the same resources reformatted are no finding", () => {
    const reformatted = MCI.replace(
      "backend: {serviceName: foo, servicePort: 8080}",
      "backend:\n              serviceName: foo\n              servicePort: 8080",
    );
    expect(findingsOf(tree(reformatted))).toEqual([]);
  });

  it("a MultiClusterIngress backend without serviceName is an invalid manifest", () => {
    const broken = MCI.replace("backend: {serviceName: foo, servicePort: 8080}", "backend: {servicePort: 8080}");
    expect(analyze({}, tree(broken)).invalid.map((item) => item.message)).toEqual([expect.stringContaining("serviceName")]);
  });
});

describe("a MultiClusterService defined in several recipe folders", () => {
  const ingress = MCI.replace(/      - host: bar\.example\.com[\s\S]*$/, "");
  const recipe = (links: readonly string[]) => ({ ingress, services: `${mcs("foo", links)}---\n${mcs("default-backend", links)}` });
  const flowsOf = (files: Record<string, string>) =>
    [...analyze({}, files).head.model.flows.values()].map((flow) => [
      flow.resourceKey.split("@")[1],
      flow.host,
      flow.backends[0]!.placement.clusters,
    ]);

  it("an Ingress is placed by the service beside it, whichever folder comes last (gke-networking-recipes c46efce: a rename moved nothing)", () => {
    const a = recipe(["us-west1-a/gke-1"]);
    const b = recipe(["europe-west1/gke-eu"]);
    const files = {
      "a/ingress.yaml": a.ingress,
      "a/services.yaml": a.services,
      "b/ingress.yaml": b.ingress,
      "b/services.yaml": b.services,
    };
    expect(flowsOf(files)).toEqual([
      ["a/ingress.yaml", "foo.example.com", ["gke-1"]],
      ["a/ingress.yaml", "*", ["gke-1"]],
      ["b/ingress.yaml", "foo.example.com", ["gke-eu"]],
      ["b/ingress.yaml", "*", ["gke-eu"]],
    ]);
  });

  it("with none beside it, every definition counts: the union of their clusters", () => {
    const a = recipe(["us-west1-a/gke-1"]);
    const b = recipe(["europe-west1/gke-eu"]);
    const files = { "ingress/ingress.yaml": a.ingress, "a/services.yaml": a.services, "b/services.yaml": b.services };
    const [flow] = [...analyze({}, files).head.model.flows.values()];
    expect(flow!.backends[0]!.placement).toEqual({
      clusters: ["gke-1", "gke-eu"],
      regions: ["europe-west1", "us-west1"],
      multiCluster: true,
    });
  });
});

describe("a MultiClusterService's derived Services, while a MultiClusterIngress sends to them (bank-of-anthos frontend-mcs, the mutation sweep)", () => {
  const edited = (edit: (text: string) => string) => {
    const base = tree();
    return findingsOf({
      ...base,
      "mci/services.yaml": `${edit(mcs("foo", ["us-west1-a/gke-1", "us-east1/gke-2"]))}---\n${mcs("bar", [])}`,
    });
  };

  it("the port the ingress names gone is reference.broken", () => {
    expect(edited((text) => text.replace("port: 8080", "port: 9090"))).toEqual([
      [
        "reference.broken",
        "MultiClusterService demo/foo: no longer has port 8080 while MultiClusterIngress demo/foobar-ingress still sends to it there: the load balancer's backend has no port to send to",
      ],
    ]);
  });

  it("another selector sends every request to other pods; none left, to none", () => {
    expect(edited((text) => text.replace("selector: {app: foo}", "selector: {app: foo-v2}")).map(([cls]) => cls)).toEqual([
      "backend.weight-changed",
    ]);
    expect(edited((text) => text.replace("      selector: {app: foo}\n", ""))).toEqual([
      [
        "reference.broken",
        "MultiClusterService demo/foo: no longer selects pods (selector app=foo removed) while MultiClusterIngress demo/foobar-ingress still sends to it: no endpoint answers in any member cluster",
      ],
    ]);
  });

  it("a port added that nothing names is only listed as changed", () => {
    expect(edited((text) => text.replace("ports: [", "ports: [{name: metrics, port: 9100}, ")).map(([cls]) => cls)).toEqual([
      "resource.changed",
    ]);
  });
});
