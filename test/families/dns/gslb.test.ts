import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { externalDnsAnnotationDetector, gslbDetector } from "../../../src/families/dns/gslb.js";
import { frontedResourceChanged } from "../../../src/families/dns/fronted-resource.js";
import { analyze, findingRows as rows } from "../../helpers/review-trees.js";
import { corpusFile, detect, detectorTable, expectDetections, resource, type Expected } from "../../detect/resource-fixture.js";

const run = detectorTable(gslbDetector);

const gslb = (strategy: string, group = "k8gb.io", ref = "{apiVersion: gateway.networking.k8s.io/v1, kind: HTTPRoute, name: checkout}") => `
apiVersion: ${group}/v1beta1
kind: Gslb
metadata: {name: checkout, namespace: shop}
spec:
  resourceRef: ${ref}
  strategy: ${strategy}
`;

describe("k8gb Gslb (both API groups)", () => {
  for (const group of ["k8gb.io", "k8gb.absa.oss"]) {
    run([
      {
        name: `${group}: strategy failover → roundRobin`,
        base: gslb("{type: failover, primaryGeoTag: eu}", group),
        head: gslb("{type: roundRobin}", group),
        expected: [
          {
            class: "failover.changed",
            side: "head",
            path: ["spec", "strategy", "type"],
            says: "Gslb shop/checkout: strategy.type failover → roundRobin (was primary geoTag eu) for HTTPRoute checkout: active-active",
          },
        ],
      },
    ]);
  }
  run([
    {
      name: "roundRobin → failover",
      base: gslb("{type: roundRobin}"),
      head: gslb("{type: failover, primaryGeoTag: eu}"),
      expected: [
        {
          class: "failover.changed",
          side: "head",
          path: ["spec", "strategy", "type"],
          says: "roundRobin → failover (primary geoTag eu) for HTTPRoute checkout: active-passive",
        },
      ],
    },
    {
      name: "primaryGeoTag",
      base: gslb("{type: failover, primaryGeoTag: eu}"),
      head: gslb("{type: failover, primaryGeoTag: us}"),
      expected: [
        {
          class: "failover.changed",
          side: "head",
          path: ["spec", "strategy", "primaryGeoTag"],
          says: "strategy.primaryGeoTag eu → us: the primary region for HTTPRoute checkout moves",
        },
      ],
    },
    {
      name: "weights per geoTag, as shares",
      base: gslb("{type: roundRobin, weight: {eu: 50, us: 50}}"),
      head: gslb("{type: roundRobin, weight: {eu: 80, us: 20}}"),
      expected: [
        {
          class: "backend.weight-changed",
          side: "head",
          path: ["spec", "strategy", "weight"],
          says: "strategy.weight eu 50% → 80%, us 50% → 20%",
        },
      ],
    },
    {
      name: "the same shares written at another scale (80/20 as 4/1) are no weight change",
      base: gslb("{type: roundRobin, weight: {eu: 80, us: 20}}"),
      head: gslb("{type: roundRobin, weight: {eu: 4, us: 1}}"),
      expected: [],
    },
    {
      name: "a geoTag weighted to 0 is a drained region; back above 0, or an even split again, it is in the answers again",
      base: gslb("{type: roundRobin, weight: {eu: 50, us: 50}}"),
      head: gslb("{type: roundRobin, weight: {eu: 100, us: 0}}"),
      expected: [
        {
          class: "backend.region-removed",
          side: "head",
          path: ["spec", "strategy", "weight"],
          says: "strategy.weight eu 50% → 100%, us 50% → 0%: region us drained: no DNS answer points there",
        },
      ],
    },
    {
      name: "a drained geoTag weighted again",
      base: gslb("{type: roundRobin, weight: {eu: 100, us: 0}}"),
      head: gslb("{type: roundRobin}"),
      expected: [
        {
          class: "backend.region-added",
          side: "head",
          // The weights are gone: the finding points at the strategy that no longer has them.
          path: ["spec", "strategy"],
          says: "region us now in the DNS answers",
        },
      ],
    },
    {
      name: "weights introduced over an even split",
      base: gslb("{type: roundRobin}"),
      head: gslb("{type: roundRobin, weight: {eu: 3, us: 1}}"),
      expected: [
        {
          class: "backend.weight-changed",
          side: "head",
          path: ["spec", "strategy", "weight"],
          says: "eu (none) → 75%, us (none) → 25% (no weights: an even split across healthy clusters)",
        },
      ],
    },
    {
      name: "dnsTtlSeconds up: slower failover",
      base: gslb("{type: failover, primaryGeoTag: eu}"),
      head: gslb("{type: failover, primaryGeoTag: eu, dnsTtlSeconds: 300}"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "strategy", "dnsTtlSeconds"],
          riskFloor: "medium",
          says: "dnsTtlSeconds 30 → 300: clients keep using a failed cluster for up to 300s",
        },
      ],
    },
    {
      name: "dnsTtlSeconds down: low",
      base: gslb("{type: roundRobin, dnsTtlSeconds: 60}"),
      head: gslb("{type: roundRobin, dnsTtlSeconds: 10}"),
      expected: [{ class: "resource.changed", side: "head", path: ["spec", "strategy", "dnsTtlSeconds"], says: "60 → 10" }],
    },
    {
      name: "dnsTtlSeconds spelled as its default: nothing",
      base: gslb("{type: roundRobin}"),
      head: gslb("{type: roundRobin, dnsTtlSeconds: 30}"),
      expected: [],
    },
    {
      name: "splitBrainThresholdSeconds",
      base: gslb("{type: roundRobin}"),
      head: gslb("{type: roundRobin, splitBrainThresholdSeconds: 900}"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "strategy", "splitBrainThresholdSeconds"],
          riskFloor: "medium",
          says: "300 → 900",
        },
      ],
    },
    {
      name: "resourceRef to another route",
      base: gslb("{type: roundRobin}"),
      head: gslb("{type: roundRobin}", "k8gb.io", "{apiVersion: networking.istio.io/v1, kind: VirtualService, name: checkout-v2}"),
      others: {
        base: [],
        head: [
          resource(
            "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: checkout-v2, namespace: shop}\nspec: {hosts: [checkout.example.com]}\n",
          ),
        ],
      },
      expected: [
        {
          class: "route.attachment-changed",
          side: "head",
          path: ["spec", "resourceRef"],
          says: "resourceRef HTTPRoute checkout → VirtualService checkout-v2: the global name now fronts what that resource serves",
        },
      ],
    },
    {
      name: "resourceRef to a route the repository does not hold (a typo) fronts nothing it holds",
      base: gslb("{type: roundRobin}"),
      head: gslb("{type: roundRobin}", "k8gb.io", "{apiVersion: gateway.networking.k8s.io/v1, kind: HTTPRoute, name: chekout}"),
      expected: [
        {
          class: "reference.broken",
          side: "head",
          path: ["spec", "resourceRef"],
          says: "HTTPRoute shop/chekout is not in this repository, so the global name fronts nothing it holds",
        },
      ],
    },
    {
      name: "resourceRef apiVersion promoted for the same VirtualService (k8gb resolves both): nothing",
      base: gslb("{type: roundRobin}", "k8gb.io", "{apiVersion: networking.istio.io/v1beta1, kind: VirtualService, name: checkout}"),
      head: gslb("{type: roundRobin}", "k8gb.io", "{apiVersion: networking.istio.io/v1, kind: VirtualService, name: checkout}"),
      expected: [],
    },
    {
      name: "resourceRef apiVersion k8gb does not resolve the kind under: the same route, but k8gb refuses the Gslb",
      base: gslb("{type: roundRobin}"),
      head: gslb("{type: roundRobin}", "k8gb.io", "{apiVersion: gateway.networking.k8s.io/v1beta1, kind: HTTPRoute, name: checkout}"),
      expected: [
        {
          class: "reference.broken",
          side: "head",
          path: ["spec", "resourceRef", "apiVersion"],
          says: "resourceRef HTTPRoute checkout as gateway.networking.k8s.io/v1beta1: k8gb resolves HTTPRoute only as gateway.networking.k8s.io/v1: it refuses the Gslb (error resolving references) and stops reconciling it",
        },
      ],
    },
    {
      name: "added: the global name is new, and so is its cross-cluster failover (as a DestinationRule's or a FailoverPolicy's)",
      head: gslb("{type: failover, primaryGeoTag: eu}"),
      expected: [
        {
          class: "route.added",
          side: "head",
          path: ["spec", "resourceRef"],
          says: "added: k8gb answers DNS for HTTPRoute checkout across clusters",
        },
        {
          class: "failover.changed",
          side: "head",
          path: ["spec", "strategy"],
          says: "strategy (no Gslb) → failover (primary geoTag eu) for HTTPRoute checkout: active-passive",
        },
      ],
    },
    {
      name: "added roundRobin with geoTag weights: active-active, its split named",
      head: gslb("{type: roundRobin, weight: {eu: 4, us: 1}}"),
      expected: [
        { class: "route.added", side: "head", path: ["spec", "resourceRef"], says: "across clusters" },
        {
          class: "failover.changed",
          side: "head",
          path: ["spec", "strategy"],
          says: "strategy (no Gslb) → roundRobin (weights eu 80%, us 20%) for HTTPRoute checkout: active-active",
        },
      ],
    },
    {
      name: "removed: the global name goes, and with it the failover between clusters",
      base: gslb("{type: failover, primaryGeoTag: eu}"),
      expected: [
        {
          class: "route.removed",
          side: "base",
          path: ["spec", "resourceRef"],
          says: "removed: k8gb stops answering DNS for HTTPRoute checkout",
        },
        {
          class: "failover.changed",
          side: "base",
          path: ["spec", "strategy"],
          says: "strategy failover (primary geoTag eu) → (no Gslb) for HTTPRoute checkout: no cluster takes over when another fails",
        },
      ],
    },
  ]);

  describe("one cluster's copy beside the others' (k8gb runs in each cluster of the global name)", () => {
    const topology = `topology:
  clusters: {eu-1: eu, us-1: us}
  placements: ["clusters/{cluster}/**"]
`;
    const failover = gslb("{type: failover, primaryGeoTag: eu}");

    it("added in a new cluster with the strategy the others keep: that region joins the answers (high), not a new failover", () => {
      const result = analyze(
        { "clusters/eu-1/gslb.yaml": failover },
        { "clusters/eu-1/gslb.yaml": failover, "clusters/us-1/gslb.yaml": failover },
        topology,
      );
      expect(rows(result)).toEqual([["backend.region-added", "high", "clusters/us-1/gslb.yaml"]]);
      expect(result.findings[0]?.summary).toContain(
        "added in us-1 (region us): its cluster joins eu-1 (region eu) in k8gb's DNS answers for HTTPRoute checkout, strategy failover (primary geoTag eu)",
      );
      expect(result.findings[0]?.regions).toEqual(["us"]);
    });

    it("added in a new cluster with another strategy: still the failover change it is (critical)", () => {
      const result = analyze(
        { "clusters/eu-1/gslb.yaml": failover },
        { "clusters/eu-1/gslb.yaml": failover, "clusters/us-1/gslb.yaml": gslb("{type: roundRobin}") },
        topology,
      );
      expect(rows(result)).toEqual([
        ["backend.region-added", "high", "clusters/us-1/gslb.yaml"],
        ["failover.changed", "critical", "clusters/us-1/gslb.yaml"],
      ]);
    });

    it("removed from one cluster while another keeps it: that region leaves the answers (high)", () => {
      const result = analyze(
        { "clusters/eu-1/gslb.yaml": failover, "clusters/us-1/gslb.yaml": failover },
        { "clusters/eu-1/gslb.yaml": failover },
        topology,
      );
      expect(rows(result)).toEqual([["backend.region-removed", "high", "clusters/us-1/gslb.yaml"]]);
      expect(result.findings[0]?.summary).toContain(
        "removed from us-1 (region us): its cluster leaves k8gb's DNS answers for HTTPRoute checkout; eu-1 (region eu) still answers",
      );
    });

    it("added to every cluster at once, or removed from every cluster: a failover policy added or removed (critical)", () => {
      const both = { "clusters/eu-1/gslb.yaml": failover, "clusters/us-1/gslb.yaml": failover };
      expect(rows(analyze({}, both, topology))).toEqual([
        ["failover.changed", "critical", "clusters/eu-1/gslb.yaml"],
        ["failover.changed", "critical", "clusters/us-1/gslb.yaml"],
        ["route.added", "medium", "clusters/eu-1/gslb.yaml"],
        ["route.added", "medium", "clusters/us-1/gslb.yaml"],
      ]);
      expect(rows(analyze(both, {}, topology))).toEqual([
        ["failover.changed", "critical", "clusters/eu-1/gslb.yaml"],
        ["failover.changed", "critical", "clusters/us-1/gslb.yaml"],
        ["route.removed", "high", "clusters/eu-1/gslb.yaml"],
        ["route.removed", "high", "clusters/us-1/gslb.yaml"],
      ]);
    });

    it("where nothing says the folders' clusters, a copy in another folder is still that copy's cluster joining, not a strategy from nothing", () => {
      const folders = { "apps/eu/gslb.yaml": failover, "apps/us/gslb.yaml": failover };
      const joined = analyze(folders, { ...folders, "apps/asia/gslb.yaml": failover });
      expect(rows(joined)).toEqual([["backend.region-added", "high", "apps/asia/gslb.yaml"]]);
      expect(joined.findings[0]?.summary).toContain("added in apps/asia/gslb.yaml: its cluster joins apps/eu/gslb.yaml, apps/us/gslb.yaml");
      // The dangerous neighbour: the copy brings another strategy.
      expect(rows(analyze(folders, { ...folders, "apps/asia/gslb.yaml": gslb("{type: roundRobin}") }))).toEqual([
        ["backend.region-added", "high", "apps/asia/gslb.yaml"],
        ["failover.changed", "critical", "apps/asia/gslb.yaml"],
      ]);
    });

    it("a second file of the same Gslb in one folder is no cluster joining: alike, only the name it answers for; another strategy, critical", () => {
      const here = { "examples/failover.yaml": failover };
      // Written twice alike, it is one object: the diff sees no change at all.
      expect(rows(analyze(here, { ...here, "examples/failover-copy.yaml": failover }))).toEqual([]);
      // Written again differently beside it, it is read as that object's other version: judged as its edit.
      const weighted = gslb("{type: failover, primaryGeoTag: eu, weight: {eu: 50, us: 50}}");
      expect(rows(analyze(here, { ...here, "examples/weighted.yaml": weighted }))).toEqual([
        ["backend.weight-changed", "medium-high", "examples/weighted.yaml"],
      ]);
      expect(rows(analyze(here, { ...here, "examples/round-robin.yaml": gslb("{type: roundRobin}") }))).toEqual([
        ["failover.changed", "critical", "examples/round-robin.yaml"],
      ]);
      // A third file beside two versions the folder already holds: added alone, as no other cluster's copy.
      const two = { ...here, "examples/round-robin.yaml": gslb("{type: roundRobin}") };
      const other = gslb(
        "{type: failover, primaryGeoTag: eu}",
        "k8gb.io",
        "{apiVersion: gateway.networking.k8s.io/v1, kind: HTTPRoute, name: cart}",
      );
      expect(rows(analyze(two, { ...two, "examples/failover-again.yaml": other }))).toEqual([
        ["route.added", "medium", "examples/failover-again.yaml"],
      ]);
    });

    it("unchanged and moved to another file of its cluster, or of an unplaced folder: nothing", () => {
      expect(
        analyze({ "clusters/eu-1/gslb.yaml": failover }, { "clusters/eu-1/apps/checkout/gslb.yaml": failover }, topology).findings,
      ).toEqual([]);
      expect(analyze({ "apps/gslb.yaml": failover }, { "apps/checkout/gslb.yaml": failover }).findings).toEqual([]);
    });
  });

  it("moving from k8gb.absa.oss to k8gb.io compares with the twin, not as a new Gslb", () => {
    const legacy = resource(gslb("{type: failover, primaryGeoTag: eu}", "k8gb.absa.oss"));
    const current = resource(gslb("{type: failover, primaryGeoTag: us}", "k8gb.io"));
    expectDetections(detect(gslbDetector, undefined, current, { base: [legacy] }), [
      { class: "failover.changed", side: "head", path: ["spec", "strategy", "primaryGeoTag"], says: "eu → us" },
    ]);
    expectDetections(detect(gslbDetector, legacy, undefined, { head: [current] }), [
      { class: "resource.changed", side: "base", path: ["apiVersion"], says: "replaced by the same Gslb in k8gb.io" },
    ]);
  });

  it("embedded ingress hosts", () => {
    const withHosts = (hosts: string[]) => `
apiVersion: k8gb.io/v1beta1
kind: Gslb
metadata: {name: shop, namespace: shop}
spec:
  ingress:
    rules: [${hosts.map((host) => `{host: ${host}, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: shop, port: {name: http}}}}]}}`).join(", ")}]
  strategy: {type: roundRobin}
`;
    expectDetections(detect(gslbDetector, withHosts(["a.example.com", "b.example.com"]), withHosts(["a.example.com", "c.example.com"])), [
      { class: "route.added", side: "head", path: ["spec", "ingress", "rules"], says: "spec.ingress serves c.example.com" },
      { class: "route.removed", side: "base", path: ["spec", "ingress", "rules"], says: "no longer serves b.example.com" },
    ]);
  });

  describe("embedded ingress read as the Ingress family reads an Ingress (k8gb 0d0cb594: v1beta1 → v1 backends)", () => {
    const embedded = (path: string) => `
apiVersion: k8gb.absa.oss/v1beta1
kind: Gslb
metadata: {name: test-gslb-failover, namespace: test-gslb}
spec:
  ingress:
    rules:
    - host: failover.cloud.example.com
      http:
        paths:
${path}
  strategy: {type: failover, primaryGeoTag: eu}
`;
    const v1beta1 = "        - {path: /, backend: {serviceName: frontend-podinfo, servicePort: http}}";
    run([
      {
        name: "serviceName/servicePort rewritten as service.name/port.name: the same backend, nothing",
        base: embedded(v1beta1),
        head: embedded("        - {path: /, backend: {service: {name: frontend-podinfo, port: {name: http}}}}"),
        expected: [],
      },
      {
        name: "a numbered servicePort as port.number: nothing",
        base: embedded("        - {path: /, backend: {serviceName: frontend-podinfo, servicePort: 80}}"),
        head: embedded("        - {path: /, backend: {service: {name: frontend-podinfo, port: {number: 80}}}}"),
        expected: [],
      },
      {
        name: "another backend (medium-high)",
        base: embedded(v1beta1),
        head: embedded("        - {path: /, backend: {service: {name: frontend-v2, port: {name: http}}}}"),
        expected: [
          {
            class: "resource.changed",
            side: "head",
            path: ["spec", "ingress"],
            riskFloor: "medium-high",
            says: "spec.ingress -failover.cloud.example.com ImplementationSpecific / → test-gslb/frontend-podinfo:http; +failover.cloud.example.com ImplementationSpecific / → test-gslb/frontend-v2:http: what k8gb's Ingress serves for failover.cloud.example.com changes",
          },
        ],
      },
      {
        name: "pathType written where it was left to the controller: judged as the Ingress family judges it",
        base: embedded(v1beta1),
        head: embedded("        - {path: /, pathType: Prefix, backend: {service: {name: frontend-podinfo, port: {name: http}}}}"),
        expected: [
          {
            class: "resource.changed",
            side: "head",
            path: ["spec", "ingress"],
            riskFloor: "medium-high",
            says: "+failover.cloud.example.com PathPrefix / → test-gslb/frontend-podinfo:http",
          },
        ],
      },
    ]);
  });
});

describe("external-dns DNSEndpoint", () => {
  const endpoint = (records: string) => `
apiVersion: externaldns.k8s.io/v1alpha1
kind: DNSEndpoint
metadata: {name: api, namespace: dns}
spec:
  endpoints:
${records}`;
  const weighted = (jkt: number, sgp: number, extra = "") =>
    endpoint(`  - {dnsName: api.example.com, recordType: CNAME, targets: [lb-jkt.example.com], setIdentifier: jkt, recordTTL: 60, providerSpecific: [{name: aws/weight, value: "${jkt}"}${extra}]}
  - {dnsName: api.example.com, recordType: CNAME, targets: [lb-sgp.example.com], setIdentifier: sgp, recordTTL: 60, providerSpecific: [{name: aws/weight, value: "${sgp}"}]}
`);
  const failover = (role: string, extra = "") =>
    endpoint(
      `  - {dnsName: api.example.com, recordType: A, targets: [10.0.0.1], setIdentifier: primary, providerSpecific: [{name: aws/failover, value: ${role}}${extra}]}\n`,
    );
  run([
    {
      name: "aws/weight per record set, as shares",
      base: weighted(90, 10),
      head: weighted(50, 50),
      expected: [
        {
          class: "backend.weight-changed",
          side: "head",
          path: ["spec", "endpoints", 0, "providerSpecific"],
          says: "weighted records api.example.com CNAME: jkt 90% → 50%, sgp 10% → 50% of DNS answers",
        },
      ],
    },
    {
      name: "aws/failover PRIMARY → SECONDARY",
      base: failover("PRIMARY"),
      head: failover("SECONDARY"),
      expected: [
        {
          class: "failover.changed",
          side: "head",
          path: ["spec", "endpoints", 0, "providerSpecific"],
          says: "providerSpecific aws/failover PRIMARY → SECONDARY",
        },
      ],
    },
    {
      name: "aws/geolocation-country-code",
      base: failover("PRIMARY", ", {name: aws/geolocation-country-code, value: ID}"),
      head: failover("PRIMARY", ", {name: aws/geolocation-country-code, value: SG}"),
      expected: [{ class: "failover.changed", side: "head", path: ["spec", "endpoints", 0, "providerSpecific"], says: "geo routing" }],
    },
    {
      name: "aws/health-check-id removed",
      base: failover("PRIMARY", ", {name: aws/health-check-id, value: abc-123}"),
      head: failover("PRIMARY"),
      expected: [
        {
          class: "health.changed",
          side: "head",
          path: ["spec", "endpoints", 0, "providerSpecific"],
          says: "aws/health-check-id abc-123 → (unset)",
        },
      ],
    },
    {
      name: "targets",
      base: endpoint("  - {dnsName: shop.example.com, recordType: A, targets: [10.0.0.1, 10.0.0.2]}\n"),
      head: endpoint("  - {dnsName: shop.example.com, recordType: A, targets: [10.9.0.1]}\n"),
      expected: [
        {
          class: "route.attachment-changed",
          side: "head",
          path: ["spec", "endpoints", 0, "targets"],
          says: "record shop.example.com A targets [10.0.0.1, 10.0.0.2] → [10.9.0.1]",
        },
      ],
    },
    {
      name: "targets reordered: nothing",
      base: endpoint("  - {dnsName: shop.example.com, recordType: A, targets: [10.0.0.1, 10.0.0.2]}\n"),
      head: endpoint("  - {dnsName: shop.example.com, recordType: A, targets: [10.0.0.2, 10.0.0.1]}\n"),
      expected: [],
    },
    {
      name: "recordTTL up",
      base: weighted(50, 50),
      head: weighted(50, 50).replace("recordTTL: 60", "recordTTL: 3600"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "endpoints", 0, "recordTTL"],
          riskFloor: "medium",
          says: "recordTTL 60 → 3600",
        },
      ],
    },
    {
      name: "setIdentifier of a weighted record",
      base: weighted(50, 50),
      head: weighted(50, 50).replace("setIdentifier: jkt", "setIdentifier: jakarta"),
      expected: [
        {
          class: "backend.weight-changed",
          side: "head",
          path: ["spec", "endpoints", 0, "setIdentifier"],
          says: "setIdentifier jkt → jakarta: Route 53 replaces the record in its routing set",
        },
        {
          class: "backend.weight-changed",
          side: "head",
          path: ["spec", "endpoints", 0, "providerSpecific"],
          says: "jakarta (none) → 50%, jkt 50% → (none)",
        },
      ],
    },
    {
      name: "record added and removed",
      base: endpoint("  - {dnsName: old.example.com, targets: [10.0.0.1]}\n"),
      head: endpoint("  - {dnsName: new.example.com, recordType: CNAME, targets: [lb.example.com]}\n"),
      expected: [
        {
          class: "route.removed",
          side: "base",
          path: ["spec", "endpoints", 0],
          says: "record old.example.com A → 10.0.0.1 removed: external-dns deletes it",
        },
        { class: "route.added", side: "head", path: ["spec", "endpoints", 0], says: "record new.example.com CNAME → lb.example.com added" },
      ],
    },
  ]);
});

describe("external-dns DNSEndpoint records across objects", () => {
  const object = (name: string, records: string, labels = '{external-dns.kantai.xyz/cloudflare: "true"}') => `
apiVersion: externaldns.k8s.io/v1alpha1
kind: DNSEndpoint
metadata: {name: ${name}, namespace: network, labels: ${labels}}
spec:
  endpoints:
${records}`;
  const k8s = "  - {dnsName: k8s.kantai.xyz, recordType: A, targets: [10.10.10.10]}\n";
  const ds = "  - {dnsName: ds.etincelle.cloud, recordType: A, targets: [10.1.0.2]}\n";
  const tif = "  - {dnsName: tif.etincelle.cloud, recordType: A, targets: [10.1.0.2]}\n";
  run([
    {
      // jfroy/flatops cba47bdada: xz-kantai-k8s → xyz-kantai-k8s, the same record.
      name: "renamed: the new object says the record moved, alike",
      head: object("xyz-kantai-k8s", k8s),
      others: { base: [resource(object("xz-kantai-k8s", k8s))] },
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "endpoints"],
          says: "record k8s.kantai.xyz A moved from DNSEndpoint network/xz-kantai-k8s with the same settings: the external-dns reading both publishes the same record",
        },
      ],
    },
    {
      name: "renamed: the old object says nothing of a record the new one publishes",
      base: object("xz-kantai-k8s", k8s),
      others: { head: [resource(object("xyz-kantai-k8s", k8s))] },
      expected: [],
    },
    {
      name: "moved with other targets: the move is judged as the record's change",
      head: object("xyz-kantai-k8s", k8s.replace("10.10.10.10", "10.10.10.11")),
      others: { base: [resource(object("xz-kantai-k8s", k8s))] },
      expected: [
        {
          class: "route.attachment-changed",
          side: "head",
          path: ["spec", "endpoints", 0, "targets"],
          says: "record k8s.kantai.xyz A (moved from DNSEndpoint network/xz-kantai-k8s) targets [10.10.10.10] → [10.10.10.11]",
        },
      ],
    },
    {
      // jfroy/flatops 78c87a5d94: split objects merged into one.
      name: "merged: each record moved from its object",
      base: object("cloud-etincelle", ds),
      head: object("cloud-etincelle", ds + tif),
      others: { base: [resource(object("cloud-etincelle-tif", tif))] },
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "endpoints"],
          says: "record tif.etincelle.cloud A moved from DNSEndpoint network/cloud-etincelle-tif with the same settings",
        },
      ],
    },
    {
      name: "a record dropped while another object already published it: compared with that copy",
      base: object("cloud-etincelle", ds + tif),
      head: object("cloud-etincelle", ds),
      others: {
        base: [resource(object("cloud-etincelle-tif", tif.replace("10.1.0.2", "10.1.0.9")))],
        head: [resource(object("cloud-etincelle-tif", tif.replace("10.1.0.2", "10.1.0.9")))],
      },
      expected: [
        {
          class: "route.attachment-changed",
          side: "base",
          path: ["spec", "endpoints", 1, "targets"],
          says: "record tif.etincelle.cloud A (still published by DNSEndpoint network/cloud-etincelle-tif) targets [10.1.0.2] → [10.1.0.9]",
        },
      ],
    },
    {
      // 78c87a5d94 also turned registry.etincelle.cloud into `registry`: another name, so deleted.
      name: "a record whose name changes while moving is removed and added",
      base: object("cloud-etincelle-registry", "  - {dnsName: registry.etincelle.cloud, recordType: A, targets: [10.1.0.2]}\n"),
      others: { head: [resource(object("cloud-etincelle", "  - {dnsName: registry, recordType: A, targets: [10.1.0.2]}\n"))] },
      expected: [
        {
          class: "route.removed",
          side: "base",
          path: ["spec", "endpoints", 0],
          says: "record registry.etincelle.cloud A → 10.1.0.2 removed: external-dns deletes it",
        },
      ],
    },
    {
      // --label-filter: an object of other labels may be read by another external-dns instance, or none.
      name: "moved to an object of other labels: removed, as another external-dns may read it",
      base: object("xz-kantai-k8s", k8s),
      others: { head: [resource(object("xyz-kantai-k8s", k8s, '{external-dns.kantai.xyz/unifi: "true"}'))] },
      expected: [{ class: "route.removed", side: "base", path: ["spec", "endpoints", 0], says: "removed: external-dns deletes it" }],
    },
    {
      name: "moved to an object of other labels: added",
      head: object("xyz-kantai-k8s", k8s, '{external-dns.kantai.xyz/unifi: "true"}'),
      others: { base: [resource(object("xz-kantai-k8s", k8s))] },
      expected: [
        { class: "route.added", side: "head", path: ["spec", "endpoints", 0], says: "record k8s.kantai.xyz A → 10.10.10.10 added" },
      ],
    },
  ]);

  it("a split object reviews low (jfroy/flatops, cloud-etincelle into one object a record)", () => {
    const file = "network/dnsendpoint.yaml";
    const result = analyze(
      { [file]: object("cloud-etincelle", ds + tif) },
      { [file]: `${object("cloud-etincelle-ds", ds)}---${object("cloud-etincelle-tif", tif)}` },
    );
    expect(result.findings.map((finding) => [finding.class, finding.risk])).toEqual([
      ["resource.changed", "low"],
      ["resource.changed", "low"],
      ["resource.changed", "low"],
    ]);
  });
});

describe("external-dns DNSEndpoint records across folders", () => {
  const object = (name: string, records: string[]) => `
apiVersion: externaldns.k8s.io/v1alpha1
kind: DNSEndpoint
metadata: {name: ${name}, namespace: dns}
spec:
  endpoints:
${records.map((host) => `  - {dnsName: ${host}.example.com, recordType: A, targets: [203.0.113.10]}\n`).join("")}`;
  const moved = (eu: string, us: string, overlay = "") =>
    analyze(
      { [eu]: object("edge-eu", ["app", "www"]), [us]: object("edge-us", ["api"]) },
      { [eu]: object("edge-eu", ["www"]), [us]: object("edge-us", ["api", "app"]) },
      overlay,
    ).findings.map((finding) => [finding.class, finding.risk]);

  it("a record moved to another cluster's folder is deleted by one external-dns and created by another (review C D1 read a low move)", () => {
    expect(moved("clusters/eu/dns.yaml", "clusters/us/dns.yaml")).toEqual([
      ["route.removed", "high"],
      ["route.added", "medium"],
    ]);
  });

  it("where placement puts both folders on one cluster, one external-dns publishes it still", () => {
    expect(moved("prod/eu/dns.yaml", "prod/us/dns.yaml", `topology:\n  placements: ["{cluster}/**"]\n`)).toEqual([
      ["resource.changed", "low"],
      ["resource.changed", "low"],
    ]);
  });

  it("a record dropped from one folder while another folder's object publishes it is removed", () => {
    const eu = "clusters/eu/dns.yaml";
    const us = "clusters/us/dns.yaml";
    const findings = analyze(
      { [eu]: object("edge-eu", ["app", "www"]), [us]: object("edge-us", ["app"]) },
      { [eu]: object("edge-eu", ["www"]), [us]: object("edge-us", ["app"]) },
    ).findings;
    expect(findings.map((finding) => [finding.class, finding.risk, finding.file])).toEqual([["route.removed", "high", eu]]);
  });
});

describe("external-dns annotations on traffic resources", () => {
  const gateway = (annotations: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: public
  namespace: infra
  annotations: {${annotations}}
spec: {gatewayClassName: edge}
`;
  const rows: readonly (readonly [string, string, string, Expected[]])[] = [
    [
      "hostname removed",
      "external-dns.alpha.kubernetes.io/hostname: 'shop.example.com,api.example.com'",
      "external-dns.alpha.kubernetes.io/hostname: shop.example.com",
      [
        {
          class: "route.removed",
          side: "head",
          path: ["metadata", "annotations", "external-dns.alpha.kubernetes.io/hostname"],
          says: "no longer publishes api.example.com",
        },
      ],
    ],
    [
      "hostname added",
      "external-dns.alpha.kubernetes.io/hostname: shop.example.com",
      "external-dns.alpha.kubernetes.io/hostname: 'shop.example.com, api.example.com'",
      [
        {
          class: "route.added",
          side: "head",
          path: ["metadata", "annotations", "external-dns.alpha.kubernetes.io/hostname"],
          says: "publishes api.example.com",
        },
      ],
    ],
    [
      "target",
      "external-dns.alpha.kubernetes.io/target: lb-jkt.example.com",
      "external-dns.alpha.kubernetes.io/target: lb-sgp.example.com",
      [
        {
          class: "route.attachment-changed",
          side: "head",
          path: ["metadata", "annotations", "external-dns.alpha.kubernetes.io/target"],
          says: "resolve to another entry point",
        },
      ],
    ],
    [
      "ttl up",
      "external-dns.alpha.kubernetes.io/ttl: '60'",
      "external-dns.alpha.kubernetes.io/ttl: '600'",
      [
        {
          class: "resource.changed",
          side: "head",
          path: ["metadata", "annotations", "external-dns.alpha.kubernetes.io/ttl"],
          riskFloor: "medium",
          says: "60 → 600",
        },
      ],
    ],
    [
      "aws-weight drained",
      "external-dns.alpha.kubernetes.io/set-identifier: jkt, external-dns.alpha.kubernetes.io/aws-weight: '100'",
      "external-dns.alpha.kubernetes.io/set-identifier: jkt, external-dns.alpha.kubernetes.io/aws-weight: '0'",
      [
        {
          class: "backend.weight-changed",
          side: "head",
          path: ["metadata", "annotations", "external-dns.alpha.kubernetes.io/aws-weight"],
          says: "100 → 0: its share of DNS answers changes: drained",
        },
      ],
    ],
    [
      "aws-failover",
      "external-dns.alpha.kubernetes.io/set-identifier: jkt, external-dns.alpha.kubernetes.io/aws-failover: PRIMARY",
      "external-dns.alpha.kubernetes.io/set-identifier: jkt, external-dns.alpha.kubernetes.io/aws-failover: SECONDARY",
      [
        {
          class: "failover.changed",
          side: "head",
          path: ["metadata", "annotations", "external-dns.alpha.kubernetes.io/aws-failover"],
          says: "PRIMARY → SECONDARY",
        },
      ],
    ],
    [
      "set-identifier of a failover record",
      "external-dns.alpha.kubernetes.io/set-identifier: jkt, external-dns.alpha.kubernetes.io/aws-failover: PRIMARY",
      "external-dns.alpha.kubernetes.io/set-identifier: jakarta, external-dns.alpha.kubernetes.io/aws-failover: PRIMARY",
      [
        {
          class: "failover.changed",
          side: "head",
          path: ["metadata", "annotations", "external-dns.alpha.kubernetes.io/set-identifier"],
          says: "failover set",
        },
      ],
    ],
    [
      "cloudflare-proxied turned off: the origin is published, the WAF bypassed",
      "external-dns.alpha.kubernetes.io/cloudflare-proxied: 'true'",
      "external-dns.alpha.kubernetes.io/cloudflare-proxied: 'false'",
      [
        {
          class: "access.widened",
          side: "head",
          path: ["metadata", "annotations", "external-dns.alpha.kubernetes.io/cloudflare-proxied"],
          says: "true → false: its names resolve to the origin itself: its address is published, and Cloudflare's WAF",
        },
      ],
    ],
    [
      "cloudflare-proxied removed: the controller's default decides, which the repository does not say",
      "external-dns.alpha.kubernetes.io/cloudflare-proxied: 'true'",
      "team: a",
      [
        {
          class: "resource.changed",
          side: "head",
          // Gone at head: pointed at where it was.
          path: ["metadata", "annotations"],
          riskFloor: "medium",
          says: "external-dns's --cloudflare-proxied default now decides",
        },
      ],
    ],
    [
      "cloudflare-proxied turned off where the controller's default decided",
      "team: a",
      "external-dns.alpha.kubernetes.io/cloudflare-proxied: 'false'",
      [
        {
          class: "resource.changed",
          side: "head",
          path: ["metadata", "annotations", "external-dns.alpha.kubernetes.io/cloudflare-proxied"],
          riskFloor: "medium",
          says: "where external-dns proxies by default (--cloudflare-proxied), its names now resolve to the origin itself",
        },
      ],
    ],
    [
      "cloudflare-proxied turned on: another path to the same origin",
      "external-dns.alpha.kubernetes.io/cloudflare-proxied: 'false'",
      "external-dns.alpha.kubernetes.io/cloudflare-proxied: 'true'",
      [
        {
          class: "resource.changed",
          side: "head",
          path: ["metadata", "annotations", "external-dns.alpha.kubernetes.io/cloudflare-proxied"],
          riskFloor: "medium",
          says: "resolve to Cloudflare's edge",
        },
      ],
    ],
    [
      "v0.22's prefix: the target moved is judged as under the alpha prefix",
      "external-dns.kubernetes.io/target: lb-jkt.example.com",
      "external-dns.kubernetes.io/target: lb-sgp.example.com",
      [
        {
          class: "route.attachment-changed",
          side: "head",
          path: ["metadata", "annotations", "external-dns.kubernetes.io/target"],
          says: "lb-jkt.example.com → lb-sgp.example.com: its DNS names resolve to another entry point",
        },
      ],
    ],
    [
      "v0.22's prefix: a hostname published",
      "team: a",
      "external-dns.kubernetes.io/hostname: shop.example.com",
      [
        {
          class: "route.added",
          side: "head",
          path: ["metadata", "annotations", "external-dns.kubernetes.io/hostname"],
          says: "publishes shop.example.com",
        },
      ],
    ],
    [
      "moved from the alpha prefix to v0.22's, values unchanged: the records hold only where the controller reads the new prefix",
      "external-dns.alpha.kubernetes.io/target: edge.example.com, external-dns.alpha.kubernetes.io/hostname: shop.example.com",
      "external-dns.kubernetes.io/target: edge.example.com, external-dns.kubernetes.io/hostname: shop.example.com",
      [
        {
          class: "resource.changed",
          side: "head",
          path: ["metadata", "annotations", "external-dns.kubernetes.io/hostname"],
          riskFloor: "medium",
          says: "external-dns hostname, target moved between annotation prefixes, values unchanged",
        },
      ],
    ],
    [
      "the alpha copy removed where v0.22's prefix holds the same value (the migration's last step)",
      "external-dns.alpha.kubernetes.io/target: edge.example.com, external-dns.kubernetes.io/target: edge.example.com",
      "external-dns.kubernetes.io/target: edge.example.com",
      [
        {
          class: "resource.changed",
          side: "head",
          path: ["metadata", "annotations", "external-dns.kubernetes.io/target"],
          riskFloor: "medium",
          says: "one reading the prefix left behind drops them",
        },
      ],
    ],
    [
      "the same value added under v0.22's prefix beside the alpha one (the migration's first step)",
      "external-dns.alpha.kubernetes.io/target: edge.example.com",
      "external-dns.alpha.kubernetes.io/target: edge.example.com, external-dns.kubernetes.io/target: edge.example.com",
      [
        {
          class: "resource.changed",
          side: "head",
          path: ["metadata", "annotations", "external-dns.alpha.kubernetes.io/target"],
          says: "target also written under another annotation prefix, values unchanged",
        },
      ],
    ],
    [
      "moved to v0.22's prefix with another value: judged under each prefix",
      "external-dns.alpha.kubernetes.io/target: edge.example.com",
      "external-dns.kubernetes.io/target: tunnel.example.com",
      [
        {
          class: "route.attachment-changed",
          side: "head",
          path: ["metadata", "annotations", "external-dns.kubernetes.io/target"],
          says: "(unset) → tunnel.example.com",
        },
        {
          class: "route.attachment-changed",
          side: "head",
          path: ["metadata", "annotations"],
          says: "edge.example.com → (unset)",
        },
      ],
    ],
    [
      "other annotations",
      "team: a, external-dns.alpha.kubernetes.io/hostname: shop.example.com",
      "team: b, external-dns.alpha.kubernetes.io/hostname: SHOP.example.com.",
      [],
    ],
  ];
  it.each(rows)("%s", (_name, before, after, expected) => {
    expectDetections(detect(externalDnsAnnotationDetector, gateway(before), gateway(after)), expected);
  });

  it("on an Ingress too: its target moved from the internal to the external entry point is reviewed end to end", () => {
    const ingress = (target: string) => `
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
  namespace: apps
  annotations: {external-dns.alpha.kubernetes.io/target: ${target}}
spec:
  ingressClassName: nginx
  rules: [{host: web.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}}]
`;
    const result = analyze({ "apps/web.yaml": ingress("internal.example.com") }, { "apps/web.yaml": ingress("external.example.com") });
    expect(result.findings.map((finding) => [finding.class, finding.risk, finding.summary])).toEqual([
      [
        "route.attachment-changed",
        "high",
        "Ingress apps/web: external-dns.alpha.kubernetes.io/target internal.example.com → external.example.com: its DNS names resolve to another entry point",
      ],
    ]);
  });
});

const K8GB = "k8gb-io__k8gb/deploy/gslb";
const hasK8gb = existsSync(corpusFile(K8GB));

describe.skipIf(!hasK8gb)("corpus: k8gb deploy/gslb twins reviewed as before/after pairs", () => {
  const read = (name: string) => readFileSync(corpusFile(`${K8GB}/${name}`), "utf8");
  const strategyOf = (text: string) => /^ {2}strategy:[\s\S]*$/m.exec(text)?.[0] ?? "";
  /** The failover file with its roundRobin twin's strategy block: the edit a PR making the service active-active would be. */
  const twinPair = (failover: string, roundRobin: string) => {
    const before = read(failover);
    return { before, after: before.replace(strategyOf(before), strategyOf(read(roundRobin))) };
  };

  it.each([
    ["gatewayapi_httproute", "HTTPRoute failover-httproute"],
    ["istio", "VirtualService failover-istio"],
    ["ingress", "failover.cloud.example.com"],
  ])("%s: failover → roundRobin is failover.changed, critical", (flavour, fronts) => {
    const file = `${K8GB}/k8gb.absa.oss_v1beta1_gslb_cr_failover_${flavour}.yaml`;
    const { before, after } = twinPair(
      `k8gb.absa.oss_v1beta1_gslb_cr_failover_${flavour}.yaml`,
      `k8gb.absa.oss_v1beta1_gslb_cr_roundrobin_${flavour}.yaml`,
    );
    const result = analyze({ [file]: before }, { [file]: after });
    expect(result.findings.map((finding) => [finding.class, finding.risk])).toEqual([["failover.changed", "critical"]]);
    expect(result.findings[0]?.summary).toContain(`strategy.type failover → roundRobin (was primary geoTag eu) for ${fronts}`);
    expect(result.findings[0]?.line).toBe(before.split("\n").findIndex((line) => line.includes("type: failover")) + 1);
  });

  it("the roundRobin twin back to failover, and the legacy group spelled out, is the same Gslb", () => {
    const file = `${K8GB}/k8gb.absa.oss_v1beta1_gslb_cr_roundrobin_gatewayapi_httproute.yaml`;
    const roundRobin = read("k8gb.absa.oss_v1beta1_gslb_cr_roundrobin_gatewayapi_httproute.yaml");
    const failover = roundRobin.replace(
      strategyOf(roundRobin),
      strategyOf(read("k8gb.absa.oss_v1beta1_gslb_cr_failover_gatewayapi_httproute.yaml")),
    );
    const legacyGroup = failover.replace("apiVersion: k8gb.io/v1beta1", "apiVersion: k8gb.absa.oss/v1beta1");
    const result = analyze({ [file]: roundRobin }, { [file]: legacyGroup });
    // The group spelling alone is no change: only the strategy is reported.
    expect(result.findings.map((finding) => [finding.class, finding.risk])).toEqual([["failover.changed", "critical"]]);
  });

  it("each corpus file against itself reformatted is silent", () => {
    for (const flavour of ["failover_gatewayapi_httproute", "roundrobin_istio", "roundrobin_ingress"]) {
      const file = `${K8GB}/k8gb.absa.oss_v1beta1_gslb_cr_${flavour}.yaml`;
      const text = read(`k8gb.absa.oss_v1beta1_gslb_cr_${flavour}.yaml`);
      expect(analyze({ [file]: text }, { [file]: text.replace(/#.*$/gm, "") }).findings).toEqual([]);
    }
  });
});

describe("a resource a Gslb fronts by name, removed while the Gslb stays", () => {
  // Shaped after k8gb's deploy/gslb/k8gb.absa.oss_v1beta1_gslb_cr_roundrobin_gatewayapi_httproute.yaml.
  const route = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: roundrobin-httproute, namespace: test-gslb}
spec:
  parentRefs: [{name: gatewayapi, namespace: istio-ingress}]
  hostnames: [roundrobin.cloud.example.com]
  rules: [{backendRefs: [{name: frontend-podinfo, port: 9898}]}]
`;
  const gslb = resource(`apiVersion: k8gb.io/v1beta1
kind: Gslb
metadata: {name: roundrobin, namespace: test-gslb}
spec:
  resourceRef: {apiVersion: gateway.networking.k8s.io/v1, kind: HTTPRoute, name: roundrobin-httproute}
  strategy: {type: roundRobin}
`);

  it("its global name's records stop answering (reference.broken); the same route declared elsewhere is no loss", () => {
    expectDetections(detect(frontedResourceChanged, route, undefined, { base: [gslb], head: [gslb] }), [
      {
        class: "reference.broken",
        side: "base",
        path: ["metadata", "name"],
        says: "removed while Gslb test-gslb/roundrobin still fronts it (resourceRef): k8gb finds nothing to serve the global name from",
      },
    ]);
    expect(detect(frontedResourceChanged, route, undefined, { base: [gslb], head: [gslb, resource(route, "elsewhere.yaml")] })).toEqual([]);
    expect(detect(frontedResourceChanged, route, undefined)).toEqual([]);
  });
});

describe("a Gslb's resourceRef compared by the object it resolves to", () => {
  // Shaped after k8gb's docs/examples/route53/k8gb/gslb-failover.yaml across 136f0d7920 and 4a169ad3dd.
  const ingress = (labels: string) =>
    resource(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: test-gslb-failover, namespace: test-gslb${labels}}
spec:
  ingressClassName: nginx
  rules: [{host: failover.test.k8gb.io, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: frontend-podinfo, port: {name: http}}}}]}}]
`);
  const labelled = ingress(", labels: {app: failover}");
  const gslbRef = (ref: string) => `apiVersion: k8gb.absa.oss/v1beta1
kind: Gslb
metadata: {name: test-gslb-failover, namespace: test-gslb}
spec:
  resourceRef: ${ref}
  strategy: {type: failover, primaryGeoTag: eu-west-1}
`;
  const legacy = gslbRef("{ingress: {matchLabels: {app: failover}}}");
  const bySelector = gslbRef("{apiVersion: networking.k8s.io/v1, kind: Ingress, matchLabels: {app: failover}}");
  const byName = gslbRef("{apiVersion: networking.k8s.io/v1, kind: Ingress, name: test-gslb-failover}");

  it("legacy ingress selector → kind Ingress + matchLabels → name, all resolving to the same Ingress: nothing", () => {
    expect(detect(gslbDetector, legacy, bySelector, { base: [labelled], head: [labelled] })).toEqual([]);
    expect(detect(gslbDetector, bySelector, byName, { base: [labelled], head: [ingress("")] })).toEqual([]);
  });

  it("written another way where the repository holds no such object: compared as written, and named by what it selects", () => {
    expectDetections(detect(gslbDetector, legacy, byName), [
      {
        class: "reference.broken",
        side: "head",
        path: ["spec", "resourceRef"],
        says: "resourceRef Ingress {app=failover} → Ingress test-gslb-failover: Ingress test-gslb/test-gslb-failover is not in this repository",
      },
    ]);
  });

  it("a name for another Ingress than the selector resolved to: the global name fronts another object", () => {
    const other = resource(
      labelled.source.text.replace("name: test-gslb-failover", "name: admin").replace(", labels: {app: failover}", ""),
    );
    expectDetections(
      detect(gslbDetector, bySelector, byName.replace("name: test-gslb-failover}", "name: admin}"), {
        base: [labelled, other],
        head: [labelled, other],
      }),
      [
        {
          class: "route.attachment-changed",
          side: "head",
          path: ["spec", "resourceRef"],
          says: "resourceRef Ingress {app=failover} → Ingress admin: the global name now fronts what that resource serves",
        },
      ],
    );
  });
});

describe("the objects a Gslb fronts by label selector, relabelled while the Gslb stays", () => {
  const ingress = (name: string, labels: string) =>
    resource(`apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: ${name}, namespace: test-gslb${labels}}
spec:
  ingressClassName: nginx
  rules: [{host: ${name}.cloud.example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: ${name}, port: {name: http}}}}]}}]
`);
  const selected = ', labels: {gslb: "yes"}';
  const gslb = resource(`apiVersion: k8gb.absa.oss/v1beta1
kind: Gslb
metadata: {name: global, namespace: test-gslb}
spec:
  resourceRef: {apiVersion: networking.k8s.io/v1, kind: Ingress, matchLabels: {gslb: "yes"}}
  strategy: {type: failover, primaryGeoTag: eu}
`);
  const [shop, shopOut, admin, adminIn] = [
    ingress("shop", selected),
    ingress("shop", ""),
    ingress("admin", ""),
    ingress("admin", selected),
  ];

  it("the label moved from one Ingress to another: the global name stops fronting one host and fronts the other", () => {
    expectDetections(detect(frontedResourceChanged, shop, shopOut, { base: [gslb, admin], head: [gslb, adminIn] }), [
      {
        class: "route.removed",
        side: "head",
        path: ["metadata"],
        says: "no longer fronted by Gslb test-gslb/global (resourceRef Ingress {gslb=yes} now resolves to Ingress test-gslb/admin): k8gb stops answering DNS for shop.cloud.example.com across clusters",
      },
    ]);
    expectDetections(detect(frontedResourceChanged, admin, adminIn, { base: [gslb, shop], head: [gslb, shopOut] }), [
      {
        class: "route.added",
        side: "head",
        path: ["metadata", "labels"],
        says: "now fronted by Gslb test-gslb/global (resourceRef Ingress {gslb=yes}, was Ingress test-gslb/shop): k8gb answers DNS for admin.cloud.example.com across clusters",
      },
    ]);
  });

  it("relabelled out with none left, or in beside another: k8gb serves the Gslb only while exactly one object answers", () => {
    expectDetections(detect(frontedResourceChanged, shop, shopOut, { base: [gslb, admin], head: [gslb, admin] }), [
      {
        class: "reference.broken",
        side: "head",
        path: ["metadata"],
        says: "no longer selected by Gslb test-gslb/global (resourceRef Ingress {gslb=yes}), which now selects nothing",
      },
    ]);
    expectDetections(detect(frontedResourceChanged, admin, adminIn, { base: [gslb, shop], head: [gslb, shop] }), [
      {
        class: "reference.broken",
        side: "head",
        path: ["metadata", "labels"],
        says: "now also selected by Gslb test-gslb/global (resourceRef Ingress {gslb=yes}) besides Ingress test-gslb/shop: k8gb requires exactly one",
      },
    ]);
  });

  it("a Gslb whose resourceRef the PR rewrites is judged by its own check; other labels change nothing", () => {
    const byName = resource(gslb.source.text.replace('matchLabels: {gslb: "yes"}', "name: admin"));
    expect(detect(frontedResourceChanged, shop, shopOut, { base: [gslb, admin], head: [byName, adminIn] })).toEqual([]);
    const team = ingress("shop", ', labels: {gslb: "yes", team: web}');
    expect(detect(frontedResourceChanged, shop, team, { base: [gslb, admin], head: [gslb, admin] })).toEqual([]);
  });
});
