import { describe, expect, it } from "vitest";
import { kuadrantFamily } from "../../../src/families/kuadrant/index.js";
import { detectorTable } from "../../detect/resource-fixture.js";
import { around } from "./fixtures.js";
import { analyze, findingRows as rows } from "../../helpers/review-trees.js";

const run = detectorTable(kuadrantFamily.detectors[0]!, around);

// Shaped after kuadrant-operator's examples/dnspolicy/dnspolicy-healthchecks.yaml.
const policy = (spec: string, apiVersion = "kuadrant.io/v1") => `apiVersion: ${apiVersion}
kind: DNSPolicy
metadata: {name: prod-web, namespace: ingress-gateway}
spec:
  targetRef: {name: prod-web, group: gateway.networking.k8s.io, kind: Gateway}
${spec}`;
const LB = (weight: number, geo: string, defaultGeo: boolean) =>
  `  loadBalancing: {weight: ${weight}, geo: ${geo}, defaultGeo: ${defaultGeo}}\n`;
const PROVIDER = (name: string) => `  providerRefs: [{name: ${name}}]\n`;
const HEALTH = "  healthCheck: {path: /healthz, port: 443, protocol: HTTPS, failureThreshold: 3}\n";

describe("Kuadrant DNSPolicy: a Gateway's DNS records and multi-cluster DNS load balancing", () => {
  run([
    {
      name: "the geo this cluster answers moves: a region's traffic moves to other clusters",
      base: policy(LB(120, "GEO-EU", true)),
      head: policy(LB(120, "GEO-NA", true)),
      expected: [
        {
          class: "failover.changed",
          side: "head",
          path: ["spec", "loadBalancing", "geo"],
          says: "loadBalancing.geo GEO-EU → GEO-NA for Gateway ingress-gateway/prod-web (api.toystore.example.com)",
        },
      ],
    },
    {
      name: "no longer the default geo: clients of unclaimed geos go elsewhere",
      base: policy(LB(120, "GEO-EU", true)),
      head: policy(LB(120, "GEO-EU", false)),
      expected: [
        { class: "failover.changed", side: "head", path: ["spec", "loadBalancing", "defaultGeo"], says: "defaultGeo true → false" },
      ],
    },
    {
      name: "a weight changed moves a share; a weight of 0 drains the cluster",
      base: policy(LB(120, "GEO-EU", true)),
      head: policy(LB(0, "GEO-EU", true)),
      expected: [
        {
          class: "backend.region-removed",
          side: "head",
          path: ["spec", "loadBalancing", "weight"],
          says: "120 → 0 for Gateway ingress-gateway/prod-web",
        },
      ],
    },
    {
      name: "the weight left out is the CRD's default 120: written out, no change",
      base: policy("  loadBalancing: {geo: GEO-EU, defaultGeo: true}\n"),
      head: policy(LB(120, "GEO-EU", true)),
      expected: [],
    },
    {
      name: "the retired weighted/geo shape rewritten into v1's alike is no change (kuadrant-operator 893fd2cdfd)",
      base: policy("  loadBalancing: {weighted: {defaultWeight: 120}, geo: {defaultGeo: EU}}\n", "kuadrant.io/v1alpha1"),
      head: policy(LB(120, "EU", true)),
      expected: [],
    },
    {
      name: "custom weights by cluster label have no v1 spelling: another strategy",
      base: policy(
        "  loadBalancing:\n    weighted:\n      defaultWeight: 120\n      custom: [{weight: 255, selector: {matchLabels: {kuadrant.io/lb-attribute-custom-weight: AWS}}}]\n    geo: {defaultGeo: US}\n",
        "kuadrant.io/v1alpha1",
      ),
      head: policy(LB(120, "US", true)),
      expected: [
        { class: "failover.changed", side: "head", path: ["spec", "loadBalancing"], says: "rewritten from the retired weighted/geo shape" },
      ],
    },
    {
      name: "multicluster-gateway-controller's probe `endpoint` is v1's `path`",
      base: policy("  healthCheck: {endpoint: /healthz, port: 443, protocol: HTTPS}\n", "kuadrant.io/v1alpha1"),
      head: policy("  healthCheck: {path: /healthz, port: 443, protocol: HTTPS}\n"),
      expected: [],
    },
    {
      name: "v1alpha1 → v1 with the same fields is no change",
      base: policy(LB(120, "GEO-EU", true) + PROVIDER("aws-credentials"), "kuadrant.io/v1alpha1"),
      head: policy(LB(120, "GEO-EU", true) + PROVIDER("aws-credentials")),
      expected: [],
    },
    {
      name: "health checks removed: failover stops noticing a dead cluster",
      base: policy(HEALTH),
      head: policy(""),
      expected: [{ class: "health.changed", side: "base", path: ["spec", "healthCheck"], says: "failover no longer notices it" }],
    },
    {
      name: "a higher failure threshold notices a dead cluster later",
      base: policy(HEALTH),
      head: policy(HEALTH.replace("failureThreshold: 3", "failureThreshold: 10")),
      expected: [{ class: "health.changed", side: "head", path: ["spec", "healthCheck"], says: "loosened" }],
    },
    {
      name: "the probe's defaults written out are no change",
      base: policy("  healthCheck: {path: /healthz}\n"),
      head: policy("  healthCheck: {path: /healthz, port: 443, protocol: HTTPS, failureThreshold: 5, interval: 5m}\n"),
      expected: [],
    },
    {
      name: "another provider secret publishes the records in another zone",
      base: policy(PROVIDER("aws-credentials")),
      head: policy(PROVIDER("gcp-credentials")),
      expected: [
        { class: "route.attachment-changed", side: "head", path: ["spec", "providerRefs"], says: "aws-credentials → gcp-credentials" },
      ],
    },
    {
      name: "an exclusion dropped publishes private addresses; one added withdraws addresses",
      base: policy('  excludeAddresses: ["10.89.0.0/16"]\n'),
      head: policy('  excludeAddresses: ["127.0.0.1"]\n'),
      expected: [
        { class: "listener.changed", side: "head", path: ["spec", "excludeAddresses"], says: "no longer excludes 10.89.0.0/16" },
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "excludeAddresses"],
          says: "now excludes 127.0.0.1",
          riskFloor: "medium-high",
        },
      ],
    },
    {
      name: "moved to another Gateway: the first's hostnames stop resolving",
      base: policy(""),
      head: policy("").replace("name: prod-web, group", "name: internal, group"),
      expected: [
        {
          class: "route.attachment-changed",
          side: "head",
          path: ["spec", "targetRef"],
          says: "Gateway ingress-gateway/prod-web (api.toystore.example.com) → Gateway ingress-gateway/internal (internal.toystore.example.com)",
        },
      ],
    },
    {
      name: "removed without loadBalancing: the records are deleted (only that)",
      base: policy(PROVIDER("aws-credentials")),
      expected: [{ class: "route.removed", side: "base", path: ["spec"], says: "api.toystore.example.com) no longer resolves through it" }],
    },
    {
      name: "added without loadBalancing: simple records for the Gateway's hostnames (only that)",
      head: policy(PROVIDER("aws-credentials")),
      expected: [
        { class: "route.added", side: "head", path: ["spec"], says: "added: publishes DNS records for Gateway ingress-gateway/prod-web" },
      ],
    },
    {
      name: "removed with loadBalancing: the records go, and with them the balancing between clusters (as a Gslb's strategy)",
      base: policy(LB(120, "GEO-EU", true) + HEALTH),
      expected: [
        { class: "route.removed", side: "base", path: ["spec"], says: "api.toystore.example.com) no longer resolves through it" },
        {
          class: "failover.changed",
          side: "base",
          path: ["spec", "loadBalancing"],
          says: "loadBalancing geo GEO-EU (the default geo), weight 120 → (no DNSPolicy) for Gateway ingress-gateway/prod-web (api.toystore.example.com): its geo and weighted records are deleted",
        },
      ],
    },
    {
      name: "added with loadBalancing: a balancing between clusters from none, its geo and weight named",
      head: policy(LB(80, "GEO-NA", false)),
      expected: [
        { class: "route.added", side: "head", path: ["spec"], says: "added: publishes DNS records for Gateway ingress-gateway/prod-web" },
        {
          class: "failover.changed",
          side: "head",
          path: ["spec", "loadBalancing"],
          says: "loadBalancing (no DNSPolicy) → geo GEO-NA, weight 80 for Gateway ingress-gateway/prod-web (api.toystore.example.com): DNS answers pick among clusters by the client's geo and by weight",
        },
      ],
    },
    {
      name: "added in the retired v1alpha1 shape: its custom weights by cluster label named",
      head: policy(
        "  loadBalancing:\n    weighted:\n      defaultWeight: 120\n      custom: [{weight: 255, selector: {matchLabels: {kuadrant.io/lb-attribute-custom-weight: AWS}}}]\n    geo: {defaultGeo: US}\n",
        "kuadrant.io/v1alpha1",
      ),
      expected: [
        { class: "route.added", side: "head", path: ["spec"], says: "added" },
        {
          class: "failover.changed",
          side: "head",
          path: ["spec", "loadBalancing"],
          says: "loadBalancing (no DNSPolicy) → geo US (the default geo), weight 120, custom weights by cluster label",
        },
      ],
    },
    {
      name: "added with the retired `routingStrategy: simple`: one record set, its loadBalancing unread by the operator (only the records added)",
      head: policy(
        "  routingStrategy: simple\n  loadBalancing: {weighted: {defaultWeight: 120}, geo: {defaultGeo: US}}\n",
        "kuadrant.io/v1alpha1",
      ),
      expected: [{ class: "route.added", side: "head", path: ["spec"], says: "added: publishes DNS records" }],
    },
    {
      name: "health checks removed while loadBalancing is on: nothing fails over any more (as outlier detection removed under failover)",
      base: policy(LB(120, "GEO-EU", true) + HEALTH),
      head: policy(LB(120, "GEO-EU", true)),
      expected: [
        {
          class: "failover.changed",
          side: "base",
          path: ["spec", "healthCheck"],
          says: "healthCheck removed while loadBalancing is on: a dead cluster's records stay",
        },
      ],
    },
  ]);

  describe("one cluster's copy beside the others' (each cluster's dns-operator publishes its own Gateway under its copy's geo and weight)", () => {
    const topology = `topology:
  clusters: {eu-1: eu, us-1: us}
  placements: ["clusters/{cluster}/**"]
`;
    const gateway = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: prod-web, namespace: ingress-gateway}
spec:
  gatewayClassName: istio
  listeners: [{name: api, hostname: api.toystore.example.com, port: 443, protocol: HTTPS}]
`;
    const eu = policy(LB(120, "GEO-EU", true));
    const us = policy(LB(120, "GEO-US", false));
    const tree = (policies: Record<string, string>) => ({ "gateway.yaml": gateway, ...policies });

    it("added in a new cluster under its own geo, the default geo unchanged: that region joins the answers (high), not a new balancing", () => {
      const result = analyze(
        tree({ "clusters/eu-1/dns.yaml": eu }),
        tree({ "clusters/eu-1/dns.yaml": eu, "clusters/us-1/dns.yaml": us }),
        topology,
      );
      expect(rows(result)).toEqual([["backend.region-added", "high", "clusters/us-1/dns.yaml"]]);
      expect(result.findings[0]?.summary).toContain(
        "added in us-1 (region us): its cluster joins eu-1 (region eu) in the DNS answers for Gateway ingress-gateway/prod-web (api.toystore.example.com), geo GEO-US, weight 120",
      );
      expect(result.findings[0]?.regions).toEqual(["us"]);
    });

    it("added in a new cluster claiming another default geo: the catch-all moves to it (critical)", () => {
      const result = analyze(
        tree({ "clusters/eu-1/dns.yaml": eu }),
        tree({ "clusters/eu-1/dns.yaml": eu, "clusters/us-1/dns.yaml": policy(LB(120, "GEO-US", true)) }),
        topology,
      );
      expect(rows(result)).toEqual([
        ["backend.region-added", "high", "clusters/us-1/dns.yaml"],
        ["failover.changed", "critical", "clusters/us-1/dns.yaml"],
      ]);
      expect(result.findings.find((finding) => finding.class === "failover.changed")?.summary).toContain(
        "loadBalancing.defaultGeo for geo GEO-US, where the other clusters name GEO-EU",
      );
    });

    it("added in a new cluster with simple records beside load-balanced ones: another strategy (critical)", () => {
      const result = analyze(
        tree({ "clusters/eu-1/dns.yaml": eu }),
        tree({ "clusters/eu-1/dns.yaml": eu, "clusters/us-1/dns.yaml": policy(PROVIDER("aws-credentials")) }),
        topology,
      );
      expect(rows(result)).toEqual([
        ["backend.region-added", "high", "clusters/us-1/dns.yaml"],
        ["failover.changed", "critical", "clusters/us-1/dns.yaml"],
      ]);
    });

    it("the retired v1alpha1 shape in one cluster and v1 in the other, alike: only the cluster joining", () => {
      const legacy = policy("  loadBalancing: {weighted: {defaultWeight: 120}, geo: {defaultGeo: GEO-EU}}\n", "kuadrant.io/v1alpha1");
      const result = analyze(
        tree({ "clusters/eu-1/dns.yaml": legacy }),
        tree({ "clusters/eu-1/dns.yaml": legacy, "clusters/us-1/dns.yaml": us }),
        topology,
      );
      expect(rows(result)).toEqual([["backend.region-added", "high", "clusters/us-1/dns.yaml"]]);
    });

    it("removed from one cluster while another keeps it: that region leaves the answers (high), the last of its geo said", () => {
      const result = analyze(
        tree({ "clusters/eu-1/dns.yaml": eu, "clusters/us-1/dns.yaml": us }),
        tree({ "clusters/eu-1/dns.yaml": eu }),
        topology,
      );
      expect(rows(result)).toEqual([["backend.region-removed", "high", "clusters/us-1/dns.yaml"]]);
      expect(result.findings[0]?.summary).toContain(
        "removed from us-1 (region us): its cluster leaves the DNS answers for Gateway ingress-gateway/prod-web (api.toystore.example.com); eu-1 (region eu) still answers, geo GEO-US, weight 120: the last cluster of geo GEO-US",
      );
    });

    it("removed from the cluster that claimed the default geo: the catch-all goes with it (critical)", () => {
      const result = analyze(
        tree({ "clusters/eu-1/dns.yaml": eu, "clusters/us-1/dns.yaml": us }),
        tree({ "clusters/us-1/dns.yaml": us }),
        topology,
      );
      expect(rows(result)).toEqual([
        ["backend.region-removed", "high", "clusters/eu-1/dns.yaml"],
        ["failover.changed", "critical", "clusters/eu-1/dns.yaml"],
      ]);
      expect(result.findings.find((finding) => finding.class === "failover.changed")?.summary).toContain(
        "the default geo GEO-EU leaves with it (no cluster left names one)",
      );
    });

    it("added to every cluster at once, or removed from every cluster: a balancing between clusters added or removed (critical)", () => {
      const both = { "clusters/eu-1/dns.yaml": eu, "clusters/us-1/dns.yaml": us };
      expect(rows(analyze(tree({}), tree(both), topology))).toEqual([
        ["failover.changed", "critical", "clusters/eu-1/dns.yaml"],
        ["failover.changed", "critical", "clusters/us-1/dns.yaml"],
        ["route.added", "medium", "clusters/eu-1/dns.yaml"],
        ["route.added", "medium", "clusters/us-1/dns.yaml"],
      ]);
      expect(rows(analyze(tree(both), tree({}), topology))).toEqual([
        ["failover.changed", "critical", "clusters/eu-1/dns.yaml"],
        ["failover.changed", "critical", "clusters/us-1/dns.yaml"],
        ["route.removed", "high", "clusters/eu-1/dns.yaml"],
        ["route.removed", "high", "clusters/us-1/dns.yaml"],
      ]);
    });

    it("copies without loadBalancing keep today's rating: a simple policy added in another cluster is its records added", () => {
      const simple = policy(PROVIDER("aws-credentials"));
      expect(
        rows(
          analyze(
            tree({ "clusters/eu-1/dns.yaml": simple }),
            tree({ "clusters/eu-1/dns.yaml": simple, "clusters/us-1/dns.yaml": simple }),
            topology,
          ),
        ),
      ).toEqual([["route.added", "medium", "clusters/us-1/dns.yaml"]]);
    });

    it("where nothing says the folders' clusters, a copy in another folder is still that copy's cluster joining", () => {
      const folders = { "apps/eu/dns.yaml": eu, "apps/us/dns.yaml": us };
      const joined = analyze(tree(folders), tree({ ...folders, "apps/asia/dns.yaml": policy(LB(120, "GEO-AS", false)) }));
      expect(rows(joined)).toEqual([["backend.region-added", "high", "apps/asia/dns.yaml"]]);
      expect(joined.findings[0]?.summary).toContain("added in apps/asia/dns.yaml: its cluster joins apps/eu/dns.yaml, apps/us/dns.yaml");
      // The dangerous neighbour: the copy takes the default geo from GEO-EU.
      expect(rows(analyze(tree(folders), tree({ ...folders, "apps/asia/dns.yaml": policy(LB(120, "GEO-AS", true)) })))).toEqual([
        ["backend.region-added", "high", "apps/asia/dns.yaml"],
        ["failover.changed", "critical", "apps/asia/dns.yaml"],
      ]);
    });

    it("an alternative written beside others in one folder is no cluster of its own: balancing alike, only its records added (kuadrant-operator ae1c4028)", () => {
      const examples = {
        "examples/dnspolicy/dnspolicy.yaml": eu,
        "examples/dnspolicy/dnspolicy-healthchecks.yaml": policy(LB(120, "GEO-EU", true) + HEALTH),
      };
      const added = analyze(tree(examples), tree({ ...examples, "examples/dnspolicy/dnspolicy-exclude-address.yaml": us }));
      expect(rows(added)).toEqual([["route.added", "medium", "examples/dnspolicy/dnspolicy-exclude-address.yaml"]]);
      expect(added.findings[0]?.summary).toContain("load-balanced (geo GEO-US, weight 120) as its folder's other definitions");
      expect(rows(analyze(tree({ ...examples, "examples/dnspolicy/dnspolicy-exclude-address.yaml": us }), tree(examples)))).toEqual([
        ["route.removed", "high", "examples/dnspolicy/dnspolicy-exclude-address.yaml"],
      ]);
      // The dangerous neighbour: the folder's alternatives publish simple records, the new one balances.
      const simple = {
        "examples/dnspolicy/dnspolicy.yaml": policy(""),
        "examples/dnspolicy/dnspolicy-aws.yaml": policy(PROVIDER("aws-credentials")),
      };
      expect(rows(analyze(tree(simple), tree({ ...simple, "examples/dnspolicy/dnspolicy-lb.yaml": us })))).toEqual([
        ["failover.changed", "critical", "examples/dnspolicy/dnspolicy-lb.yaml"],
        ["route.added", "medium", "examples/dnspolicy/dnspolicy-lb.yaml"],
      ]);
    });

    it("unchanged and moved to another file of its cluster, or of an unplaced folder: nothing", () => {
      expect(analyze(tree({ "clusters/eu-1/dns.yaml": eu }), tree({ "clusters/eu-1/gateway/dns.yaml": eu }), topology).findings).toEqual(
        [],
      );
      expect(analyze(tree({ "apps/dns.yaml": eu }), tree({ "apps/gateway/dns.yaml": eu })).findings).toEqual([]);
    });
  });
});
