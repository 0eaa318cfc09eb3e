import { describe, expect, it } from "vitest";
import { istioDetector } from "../../../src/families/istio/istio.js";
import type { Resource } from "../../../src/core/resource.js";
import {
  corpusAvailable,
  corpusFile,
  detect,
  detectorTable,
  expectDetections,
  resource,
  resourcesOf,
  describeCorpus,
  type Expected,
} from "../../detect/resource-fixture.js";
import { analyze } from "../../helpers/review-trees.js";

const run = detectorTable(istioDetector);

const destinationRule = (spec: string) => `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: checkout, namespace: shop}
spec:
  host: checkout.shop.svc.cluster.local
${spec}`;

const virtualService = (http: string, extra = "") => `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: checkout, namespace: shop}
spec:
  hosts: [checkout]
${extra}  http:
${http}`;

const LB = ["spec", "trafficPolicy", "loadBalancer", "localityLbSetting"];
const OUTLIER = "    outlierDetection: {consecutive5xxErrors: 5, interval: 1s, baseEjectionTime: 30s}\n";

describe("DestinationRule", () => {
  run([
    {
      name: "locality failover target changes (critical class)",
      base: destinationRule(
        `  trafficPolicy:\n${OUTLIER}    loadBalancer: {localityLbSetting: {enabled: true, failover: [{from: us-east, to: us-west}]}}`,
      ),
      head: destinationRule(
        `  trafficPolicy:\n${OUTLIER}    loadBalancer: {localityLbSetting: {enabled: true, failover: [{from: us-east, to: eu-west}]}}`,
      ),
      expected: [{ class: "failover.changed", side: "head", path: [...LB, "failover"], says: "[us-east → us-west] → [us-east → eu-west]" }],
    },
    {
      name: "failover added without outlier detection never triggers",
      base: destinationRule("  trafficPolicy: {}"),
      head: destinationRule("  trafficPolicy:\n    loadBalancer: {localityLbSetting: {failoverPriority: [topology.kubernetes.io/region]}}"),
      expected: [
        {
          class: "failover.changed",
          side: "head",
          path: [...LB, "failoverPriority"],
          says: "no outlierDetection applies, so failover never triggers",
        },
      ],
    },
    {
      name: "distribute shares change",
      base: destinationRule(
        `  trafficPolicy:\n    loadBalancer: {localityLbSetting: {distribute: [{from: us-east/*, to: {'us-east/*': 80, 'us-west/*': 20}}]}}`,
      ),
      head: destinationRule(
        `  trafficPolicy:\n    loadBalancer: {localityLbSetting: {distribute: [{from: us-east/*, to: {'us-east/*': 50, 'us-west/*': 50}}]}}`,
      ),
      expected: [
        {
          class: "failover.changed",
          side: "head",
          path: [...LB, "distribute"],
          says: "us-east/* 80%, us-west/* 20%] → [us-east/* → us-east/* 50%, us-west/* 50%]",
        },
      ],
    },
    {
      name: "zoneAwareLbSetting",
      base: destinationRule(`  trafficPolicy:\n${OUTLIER}    loadBalancer: {simple: ROUND_ROBIN}`),
      head: destinationRule(`  trafficPolicy:\n${OUTLIER}    loadBalancer: {simple: ROUND_ROBIN, zoneAwareLbSetting: {enabled: true}}`),
      expected: [
        {
          class: "failover.changed",
          side: "head",
          path: ["spec", "trafficPolicy", "loadBalancer", "zoneAwareLbSetting"],
          says: "loadBalancer.zoneAwareLbSetting (unset) → {enabled=true}",
        },
      ],
    },
    {
      name: "outlierDetection removed while failover is configured is a failover change",
      base: destinationRule(
        `  trafficPolicy:\n${OUTLIER}    loadBalancer: {localityLbSetting: {failover: [{from: us-east, to: us-west}]}}`,
      ),
      head: destinationRule(`  trafficPolicy:\n    loadBalancer: {localityLbSetting: {failover: [{from: us-east, to: us-west}]}}`),
      expected: [
        {
          class: "failover.changed",
          side: "head",
          path: ["spec", "trafficPolicy"],
          says: "outlierDetection removed while locality failover is configured",
        },
      ],
    },
    {
      name: "outlierDetection turned off (consecutive5xxErrors: 0, no other count) while failover is configured is a failover change",
      base: destinationRule(
        `  trafficPolicy:\n${OUTLIER}    loadBalancer: {localityLbSetting: {failover: [{from: us-east, to: us-west}]}}`,
      ),
      head: destinationRule(
        `  trafficPolicy:\n${OUTLIER.replace("consecutive5xxErrors: 5", "consecutive5xxErrors: 0")}    loadBalancer: {localityLbSetting: {failover: [{from: us-east, to: us-west}]}}`,
      ),
      expected: [
        {
          class: "failover.changed",
          side: "head",
          path: ["spec", "trafficPolicy", "outlierDetection"],
          says: "consecutive5xxErrors 5 → 0 while locality failover is configured: no error count ejects an endpoint any more",
        },
      ],
    },
    {
      name: "localityLbSetting's enabled: true written out or dropped is no change: set on a DestinationRule, it is on unless false",
      base: destinationRule(
        `  trafficPolicy:\n${OUTLIER}    loadBalancer: {localityLbSetting: {failover: [{from: us-east, to: us-west}]}}`,
      ),
      head: destinationRule(
        `  trafficPolicy:\n${OUTLIER}    loadBalancer: {localityLbSetting: {enabled: true, failover: [{from: us-east, to: us-west}]}}`,
      ),
      expected: [],
    },
    {
      name: "localityLbSetting's enabled: true turned off says the base as written, not as the default it reads as (probe D91: true → off said '(unset) → false')",
      base: destinationRule(
        `  trafficPolicy:\n${OUTLIER}    loadBalancer: {localityLbSetting: {enabled: true, failover: [{from: us-east, to: us-west}]}}`,
      ),
      head: destinationRule(
        `  trafficPolicy:\n${OUTLIER}    loadBalancer: {localityLbSetting: {enabled: false, failover: [{from: us-east, to: us-west}]}}`,
      ),
      expected: [{ class: "failover.changed", side: "head", path: [...LB, "enabled"], says: "localityLbSetting.enabled true → false:" }],
    },
    {
      name: "localityLbSetting's enabled unset turned off says unset",
      base: destinationRule(
        `  trafficPolicy:\n${OUTLIER}    loadBalancer: {localityLbSetting: {failover: [{from: us-east, to: us-west}]}}`,
      ),
      head: destinationRule(
        `  trafficPolicy:\n${OUTLIER}    loadBalancer: {localityLbSetting: {enabled: false, failover: [{from: us-east, to: us-west}]}}`,
      ),
      expected: [{ class: "failover.changed", side: "head", path: [...LB, "enabled"], says: "localityLbSetting.enabled (unset) → false:" }],
    },
    {
      name: "outlierDetection removed without failover is a health change",
      base: destinationRule(`  trafficPolicy:\n${OUTLIER}`),
      head: destinationRule("  trafficPolicy: {}"),
      expected: [{ class: "health.changed", side: "head", path: ["spec", "trafficPolicy"], says: "no longer ejected" }],
    },
    {
      name: "outlierDetection tightened",
      base: destinationRule(`  trafficPolicy:\n${OUTLIER}`),
      head: destinationRule("  trafficPolicy:\n    outlierDetection: {consecutive5xxErrors: 1, interval: 1000ms, baseEjectionTime: 30s}"),
      expected: [
        { class: "health.changed", side: "head", path: ["spec", "trafficPolicy", "outlierDetection"], says: "consecutive5xxErrors 5 → 1" },
      ],
    },
    {
      name: "outlierDetection defaults written out (10% ejected, 30s base ejection, 10s sweep, 5 errors, no panic threshold): nothing",
      base: destinationRule("  trafficPolicy:\n    outlierDetection: {consecutive5xxErrors: 5}"),
      head: destinationRule(
        "  trafficPolicy:\n    outlierDetection: {consecutive5xxErrors: 5, maxEjectionPercent: 10, baseEjectionTime: 30000ms, interval: 10s, minHealthPercent: 0}",
      ),
      expected: [],
    },
    {
      name: "outlierDetection maxEjectionPercent 0 is istiod's unset (10%); consecutive5xxErrors left out is 5",
      base: destinationRule("  trafficPolicy:\n    outlierDetection: {maxEjectionPercent: 0, interval: 5s}"),
      head: destinationRule("  trafficPolicy:\n    outlierDetection: {consecutive5xxErrors: 5, interval: 5s}"),
      expected: [],
    },
    {
      name: "outlierDetection against its defaults: the change reads from the default, and 0 errors is not the default",
      base: destinationRule("  trafficPolicy:\n    outlierDetection: {interval: 5s}"),
      head: destinationRule(
        "  trafficPolicy:\n    outlierDetection: {interval: 5s, maxEjectionPercent: 50, consecutive5xxErrors: 0, consecutiveGatewayErrors: 0}",
      ),
      expected: [
        {
          class: "health.changed",
          side: "head",
          path: ["spec", "trafficPolicy", "outlierDetection"],
          says: "consecutive5xxErrors 5 → 0, consecutiveGatewayErrors (unset) → 0, maxEjectionPercent 10 → 50",
        },
      ],
    },
    {
      name: "connection pool limits lowered (raising them is not reported)",
      base: destinationRule(
        "  trafficPolicy:\n    connectionPool: {tcp: {maxConnections: 100, connectTimeout: 10s}, http: {http2MaxRequests: 1000}}",
      ),
      head: destinationRule(
        "  trafficPolicy:\n    connectionPool: {tcp: {maxConnections: 10, connectTimeout: 500ms}, http: {http2MaxRequests: 5000, http1MaxPendingRequests: 1}}",
      ),
      expected: [
        {
          class: "health.changed",
          side: "head",
          path: ["spec", "trafficPolicy", "connectionPool"],
          says: "tcp.maxConnections 100 → 10, http.http1MaxPendingRequests unlimited → 1, tcp.connectTimeout 10s → 500ms",
        },
      ],
    },
    {
      name: "tls ISTIO_MUTUAL → DISABLE weakens mTLS",
      base: destinationRule("  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}"),
      head: destinationRule("  trafficPolicy: {tls: {mode: DISABLE}}"),
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: ["spec", "trafficPolicy", "tls", "mode"],
          says: "tls.mode ISTIO_MUTUAL → DISABLE: upstream traffic is sent in plaintext",
        },
      ],
    },
    {
      name: "insecureSkipVerify true",
      base: destinationRule("  trafficPolicy: {tls: {mode: SIMPLE, caCertificates: /etc/ca.pem}}"),
      head: destinationRule("  trafficPolicy: {tls: {mode: SIMPLE, caCertificates: /etc/ca.pem, insecureSkipVerify: true}}"),
      expected: [
        { class: "mtls.weakened", side: "head", path: ["spec", "trafficPolicy", "tls", "insecureSkipVerify"], says: "no longer verified" },
      ],
    },
    {
      name: "credentialName and SANs change upstream trust",
      base: destinationRule(
        "  trafficPolicy: {tls: {mode: MUTUAL, credentialName: client-a, subjectAltNames: [a.example.com, b.example.com]}}",
      ),
      head: destinationRule(
        "  trafficPolicy: {tls: {mode: MUTUAL, credentialName: client-b, subjectAltNames: [b.example.com, a.example.com]}}",
      ),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "trafficPolicy", "tls", "credentialName"],
          says: "tls.credentialName client-a → client-b",
        },
      ],
    },
    {
      name: "the SNI a TLS origination asks for (and, with no SAN listed, verifies against) changes upstream trust",
      base: destinationRule("  trafficPolicy: {tls: {mode: SIMPLE, sni: api.stripe.com}}"),
      head: destinationRule("  trafficPolicy: {tls: {mode: SIMPLE, sni: stripe-proxy.example.net}}"),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "trafficPolicy", "tls", "sni"],
          says: "tls.sni api.stripe.com → stripe-proxy.example.net",
        },
      ],
    },
    {
      name: "a subset's own tls removed falls back to the rule's DISABLE",
      base: destinationRule(
        "  trafficPolicy: {tls: {mode: DISABLE}}\n  subsets:\n  - {name: v1, labels: {version: v1}, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}",
      ),
      head: destinationRule("  trafficPolicy: {tls: {mode: DISABLE}}\n  subsets:\n  - {name: v1, labels: {version: v1}}"),
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: ["spec", "subsets", 0],
          says: "subset v1 trafficPolicy tls.mode ISTIO_MUTUAL → DISABLE",
        },
      ],
    },
    {
      name: "a subset's own tls removed under an equal rule-level tls changes nothing",
      base: destinationRule(
        "  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}\n  subsets:\n  - {name: v1, labels: {version: v1}, trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}}",
      ),
      head: destinationRule("  trafficPolicy: {tls: {mode: ISTIO_MUTUAL}}\n  subsets:\n  - {name: v1, labels: {version: v1}}"),
      expected: [],
    },
    {
      name: "port-level tls",
      base: destinationRule("  trafficPolicy:\n    portLevelSettings:\n    - {port: {number: 9080}, tls: {mode: ISTIO_MUTUAL}}"),
      head: destinationRule("  trafficPolicy:\n    portLevelSettings:\n    - {port: {number: 9080}, tls: {mode: SIMPLE}}"),
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: ["spec", "trafficPolicy", "portLevelSettings", 0, "tls", "mode"],
          says: "trafficPolicy port 9080 tls.mode ISTIO_MUTUAL → SIMPLE",
        },
      ],
    },
    {
      // anthos-service-mesh-packages 8a2845c: both ports were reported as `trafficPolicy tls.mode …`, twice alike.
      name: "port-level blocks removed are each reported by their port",
      base: destinationRule(
        "  trafficPolicy:\n    portLevelSettings:\n    - {port: {number: 15012}, tls: {mode: DISABLE}}\n    - {port: {number: 15017}, tls: {mode: DISABLE}}",
      ),
      head: destinationRule("  trafficPolicy: {}"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "trafficPolicy"],
          says: "trafficPolicy port 15012 tls.mode DISABLE → (auto mTLS)",
          riskFloor: "medium",
        },
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "trafficPolicy"],
          says: "trafficPolicy port 15017 tls.mode DISABLE → (auto mTLS)",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "subsets added, removed and re-labelled, where routes name them",
      base: destinationRule("  subsets:\n  - {name: v1, labels: {version: v1}}\n  - {name: v2, labels: {version: v2}}"),
      head: destinationRule("  subsets:\n  - {name: v1, labels: {version: v1-canary}}\n  - {name: v3, labels: {version: v3}}"),
      others: {
        head: [
          resource(
            virtualService(
              "  - route:\n    - {destination: {host: checkout, subset: v1}, weight: 80}\n    - {destination: {host: checkout, subset: v2}, weight: 10}\n    - {destination: {host: checkout.shop.svc.cluster.local, subset: v3}, weight: 10}",
            ),
          ),
        ],
      },
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "subsets", 0, "labels"],
          says: "subset v1 labels version=v1 → version=v1-canary: the subset re-targets pods",
          riskFloor: "medium-high",
        },
        { class: "resource.changed", side: "base", path: ["spec", "subsets", 1], says: "subset v2 removed", riskFloor: "medium-high" },
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "subsets", 1],
          says: "subset v3 added: selects pods version=v3",
          riskFloor: "medium-high",
        },
      ],
    },
    {
      name: "subsets no route names yet (make-before-break) or any longer: low",
      base: destinationRule("  subsets:\n  - {name: v1, labels: {version: v1}}\n  - {name: v2, labels: {version: v2}}"),
      head: destinationRule("  subsets:\n  - {name: v1, labels: {version: v1-canary}}\n  - {name: v3, labels: {version: v3}}"),
      others: { head: [resource(virtualService("  - route:\n    - destination: {host: checkout, subset: v0}"))] },
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "subsets", 0, "labels"],
          says: "the subset re-targets pods; no route sends to it",
        },
        { class: "resource.changed", side: "base", path: ["spec", "subsets", 1], says: "subset v2 removed; no route names it" },
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "subsets", 1],
          says: "subset v3 added: selects pods version=v3; no route sends to it yet",
        },
      ],
    },
    {
      name: "exportTo widened to every namespace",
      base: destinationRule("  exportTo: ['.']"),
      head: destinationRule("  exportTo: ['*']"),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "exportTo"],
          says: "exportTo [shop] → [*]: now visible in every namespace",
        },
      ],
    },
    {
      name: "cosmetic: key order, 1s == 1000ms, subset order, exportTo '.' == own namespace",
      base: destinationRule(
        `  exportTo: ['.', 'web']\n  trafficPolicy:\n${OUTLIER}  subsets:\n  - {name: v1, labels: {version: v1}}\n  - {name: v2, labels: {version: v2}}`,
      ),
      head: destinationRule(
        "  subsets:\n  - {labels: {version: v2}, name: v2}\n  - {name: v1, labels: {version: v1}}\n  trafficPolicy:\n    outlierDetection: {baseEjectionTime: 30000ms, interval: 1000ms, consecutive5xxErrors: '5'}\n  exportTo: [web, shop]",
      ),
      expected: [],
    },
  ]);

  describeCorpus("bookinfo destination-rule-all ↔ destination-rule-all-mtls", () => {
    const plain = resourcesOf(corpusFile("istio__istio/samples/bookinfo/networking/destination-rule-all.yaml"));
    const mtls = resourcesOf(corpusFile("istio__istio/samples/bookinfo/networking/destination-rule-all-mtls.yaml"));

    it("adding ISTIO_MUTUAL keeps the mesh's trust and risks availability for every rule", () => {
      const findings = plain.flatMap((base, index) => detect(istioDetector, base, mtls[index]));
      expect(findings.map((finding) => [finding.resource.name, finding.class, finding.path.join("."), finding.riskFloor])).toEqual(
        ["productpage", "reviews", "ratings", "details"].map((name) => [name, "resource.changed", "spec.trafficPolicy.tls.mode", "medium"]),
      );
      expect(findings[0]?.summary).toBe(
        "DestinationRule default/productpage: trafficPolicy tls.mode (auto mTLS) → ISTIO_MUTUAL: Istio mTLS required to the upstream, with the mesh's own certificates: calls fail where the upstream has no sidecar",
      );
    });

    it("dropping ISTIO_MUTUAL falls back to auto mTLS: weakened", () => {
      const findings = mtls.flatMap((base, index) => detect(istioDetector, base, plain[index]));
      expect(findings.map((finding) => finding.class)).toEqual(["mtls.weakened", "mtls.weakened", "mtls.weakened", "mtls.weakened"]);
      expect(findings[1]?.summary).toContain("reviews: trafficPolicy tls.mode ISTIO_MUTUAL → (auto mTLS): falls back to auto mTLS");
    });
  });
});

describe("DestinationRule toward a host outside the mesh (egress TLS origination, kiali/demos 03a32ce3)", () => {
  const entry = (location = "") => `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: bookdepository, namespace: default}
spec:
  hosts: [www.bookdepository.com]
${location}  ports: [{number: 443, name: https, protocol: HTTPS}]
  resolution: DNS`;
  const origination = (tls: string) => `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: originate-tls, namespace: default}
spec:
  host: www.bookdepository.com
  trafficPolicy:
    portLevelSettings:
    - port: {number: 443}
${tls}`;
  const SIMPLE = "      tls: {mode: SIMPLE}\n";
  const around = (location = "") => ({ base: [resource(entry(location))], head: [resource(entry(location))] });
  const rows = (found: ReturnType<typeof detect>) => found.map((d) => [d.class, d.riskFloor, d.summary.replace(/^.*?tls\./, "tls.")]);

  it("starting TLS origination is a medium change, not a change of trust", () => {
    expect(rows(detect(istioDetector, undefined, origination(SIMPLE), around()))).toEqual([
      [
        "resource.changed",
        "medium",
        "tls.mode SIMPLE: the sidecar now originates TLS to this host outside the mesh (calls fail if it does not speak TLS on the port)",
      ],
    ]);
  });

  it("stopping it sends the requests out unencrypted: weakened; skipping verification still counts", () => {
    expect(rows(detect(istioDetector, origination(SIMPLE), origination("      tls: {mode: DISABLE}\n"), around()))).toEqual([
      [
        "mtls.weakened",
        undefined,
        "tls.mode SIMPLE → (no TLS origination): requests to this host outside the mesh leave unencrypted unless the application encrypts them",
      ],
    ]);
    expect(
      rows(detect(istioDetector, undefined, origination("      tls: {mode: SIMPLE, insecureSkipVerify: true}\n"), around())).map(
        (row) => row[0],
      ),
    ).toEqual(["resource.changed", "mtls.weakened"]);
  });

  it("a MESH_INTERNAL entry is the mesh's: the same rule changes trust", () => {
    expect(rows(detect(istioDetector, undefined, origination(SIMPLE), around("  location: MESH_INTERNAL\n"))).map((row) => row[0])).toEqual(
      ["trust.changed"],
    );
  });
});

describe("VirtualService", () => {
  run([
    {
      name: "retries up, 5xx retried and remote localities",
      base: virtualService("  - route: [{destination: {host: checkout}}]\n    retries: {attempts: 2, retryOn: connect-failure}"),
      head: virtualService(
        "  - route: [{destination: {host: checkout}}]\n    retries: {attempts: 5, retryOn: 'connect-failure,5xx', retryRemoteLocalities: true}",
      ),
      expected: [
        {
          class: "retry-timeout.changed",
          side: "head",
          path: ["spec", "http", 0, "retries", "attempts"],
          says: "http rule (all requests): retries.attempts 2 → 5",
        },
        { class: "retry-timeout.changed", side: "head", path: ["spec", "http", 0, "retries", "retryOn"], says: "retries.retryOn adds 5xx" },
        {
          class: "retry-timeout.changed",
          side: "head",
          path: ["spec", "http", 0, "retries", "retryRemoteLocalities"],
          says: "cross-region retries",
        },
      ],
    },
    {
      name: "a reset or a 409 newly retried repeats writes; each attempt's deadline shortened fails slow answers",
      base: virtualService(
        "  - route: [{destination: {host: checkout}}]\n    retries: {attempts: 2, retryOn: connect-failure, perTryTimeout: 3s}",
      ),
      head: virtualService(
        "  - route: [{destination: {host: checkout}}]\n    retries: {attempts: 2, retryOn: 'connect-failure,reset,retriable-4xx', perTryTimeout: 100ms}",
      ),
      expected: [
        {
          class: "retry-timeout.changed",
          side: "head",
          path: ["spec", "http", 0, "retries", "retryOn"],
          says: "retries.retryOn adds reset, retriable-4xx: requests the backend may already have acted on are retried",
        },
        {
          class: "retry-timeout.changed",
          side: "head",
          path: ["spec", "http", 0, "retries", "perTryTimeout"],
          says: "retries.perTryTimeout 3s → 100ms",
        },
      ],
    },
    {
      name: "an explicit policy above Istio's default of 2 attempts",
      base: virtualService("  - route: [{destination: {host: checkout}}]"),
      head: virtualService("  - route: [{destination: {host: checkout}}]\n    retries: {attempts: 3, perTryTimeout: 2s}"),
      expected: [
        {
          class: "retry-timeout.changed",
          side: "head",
          path: ["spec", "http", 0, "retries", "attempts"],
          says: "retries.attempts 2 (Istio default) → 3",
        },
        {
          class: "retry-timeout.changed",
          side: "head",
          path: ["spec", "http", 0, "retries", "perTryTimeout"],
          says: "retries.perTryTimeout none → 2s",
        },
      ],
    },
    {
      name: "timeout shortened",
      base: virtualService("  - route: [{destination: {host: checkout}}]"),
      head: virtualService("  - route: [{destination: {host: checkout}}]\n    timeout: 0.5s"),
      expected: [{ class: "retry-timeout.changed", side: "head", path: ["spec", "http", 0, "timeout"], says: "timeout none → 500ms" }],
    },
    {
      name: "a mesh VirtualService routing its host to itself removed: the default route keeps its requests, without its handling",
      base: virtualService(
        "  - route: [{destination: {host: checkout.shop.svc.cluster.local}}]\n    retries: {attempts: 0}\n    timeout: 2s",
      ),
      expected: [
        {
          class: "retry-timeout.changed",
          side: "base",
          path: ["spec", "http", 0, "retries", "attempts"],
          says: "http rule (all requests) (removed: the default route takes its requests): retries.attempts 0 → 2",
        },
      ],
    },
    {
      name: "one that sent its host elsewhere (a subset) removed: its requests' routing is the route diff's, no handling compared",
      base: virtualService("  - route: [{destination: {host: checkout, subset: v1}}]\n    retries: {attempts: 0}"),
      expected: [],
    },
    {
      name: "fault abort on a rule without a narrow match",
      base: virtualService("  - route: [{destination: {host: checkout}}]"),
      head: virtualService("  - route: [{destination: {host: checkout}}]\n    fault: {abort: {httpStatus: 503, percentage: {value: 10}}}"),
      expected: [
        {
          class: "fault.injected",
          side: "head",
          path: ["spec", "http", 0, "fault", "abort"],
          says: "fault abort (HTTP 503) on 10% of the requests it matches",
        },
      ],
    },
    {
      name: "fault delay behind a header match is a test, not an injection",
      base: virtualService("  - route: [{destination: {host: checkout}}]"),
      head: virtualService(
        "  - match: [{headers: {end-user: {exact: jason}}}]\n    fault: {delay: {fixedDelay: 7s, percentage: {value: 100}}}\n    route: [{destination: {host: checkout}}]\n  - route: [{destination: {host: checkout}}]",
      ),
      expected: [],
    },
    {
      name: "a fault that only a load-test namespace met, its sourceNamespace dropped, meets every request",
      base: virtualService(
        "  - name: chaos\n    match: [{sourceNamespace: loadtest}]\n    fault: {abort: {httpStatus: 503, percentage: {value: 100}}}\n    route: [{destination: {host: checkout}}]",
      ),
      head: virtualService(
        "  - name: chaos\n    fault: {abort: {httpStatus: 503, percentage: {value: 100}}}\n    route: [{destination: {host: checkout}}]",
      ),
      expected: [
        {
          class: "fault.injected",
          side: "head",
          path: ["spec", "http", 0, "fault", "abort"],
          says: "fault abort (HTTP 503) on 100% of the requests it matches",
        },
      ],
    },
    {
      name: "a mirror removed is named as one (low): the shadow no longer gets copies, clients' responses never depended on it",
      base: virtualService("  - route: [{destination: {host: checkout}}]\n    mirror: {host: shadow}\n    mirrorPercentage: {value: 25}"),
      head: virtualService("  - route: [{destination: {host: checkout}}]"),
      expected: [
        {
          class: "resource.changed",
          side: "base",
          path: ["spec", "http", 0, "mirror"],
          says: "mirror to shadow removed: it no longer receives copies of the rule's requests (25%)",
        },
      ],
    },
    {
      name: "mirror added on a rule that takes writes (high)",
      base: virtualService("  - route: [{destination: {host: checkout, subset: v1}}]"),
      head: virtualService(
        "  - route: [{destination: {host: checkout, subset: v1}}]\n    mirror: {host: checkout, subset: v2}\n    mirrorPercentage: {value: 25}",
      ),
      expected: [
        {
          class: "mirror.changed",
          side: "head",
          path: ["spec", "http", 0, "mirror"],
          says: "mirror to checkout subset v2 added (25% of requests); the rule takes writes (no method match)",
          riskFloor: "high",
        },
      ],
    },
    {
      name: "a mirrored GET-only rule whose method match is dropped: the mirror now duplicates writes (high)",
      base: virtualService(
        "  - name: read\n    match: [{method: {exact: GET}}]\n    route: [{destination: {host: checkout}}]\n    mirror: {host: shadow}\n    mirrorPercentage: {value: 10}",
      ),
      head: virtualService(
        "  - name: read\n    route: [{destination: {host: checkout}}]\n    mirror: {host: shadow}\n    mirrorPercentage: {value: 10}",
      ),
      expected: [
        {
          class: "mirror.changed",
          side: "head",
          path: ["spec", "http", 0, "mirror"],
          says: "mirror to shadow kept at 10% while the rule now takes writes; the rule takes writes (no method match)",
          riskFloor: "high",
        },
      ],
    },
    {
      name: "mirrors[] percentage up on a GET-only rule",
      base: virtualService(
        "  - match: [{method: {exact: GET}}]\n    route: [{destination: {host: checkout}}]\n    mirrors: [{destination: {host: shadow}, percentage: {value: 5}}]",
      ),
      head: virtualService(
        "  - match: [{method: {exact: GET}}]\n    route: [{destination: {host: checkout}}]\n    mirrors: [{destination: {host: shadow}, percentage: {value: 50}}]",
      ),
      expected: [
        {
          class: "mirror.changed",
          side: "head",
          path: ["spec", "http", 0, "mirrors", 0],
          says: "http rule method exact GET: mirror to shadow 5% → 50%",
        },
      ],
    },
    {
      name: "mirror on a rule matching POST by regex takes writes",
      base: virtualService("  - match: [{method: {regex: 'POST|PUT'}}]\n    route: [{destination: {host: checkout}}]"),
      head: virtualService(
        "  - match: [{method: {regex: 'POST|PUT'}}]\n    route: [{destination: {host: checkout}}]\n    mirror: {host: shadow}",
      ),
      expected: [
        {
          class: "mirror.changed",
          side: "head",
          path: ["spec", "http", 0, "mirror"],
          says: "the rule takes writes (POST, PUT)",
          riskFloor: "high",
        },
      ],
    },
    {
      name: "mirror on a read rule below a rule taking every write of its path: Istio takes the first match, no write is mirrored (medium)",
      base: virtualService(
        "  - name: write\n    match: [{uri: {prefix: /orders}, method: {regex: 'POST|PUT|PATCH|DELETE'}}]\n    route: [{destination: {host: primary}}]\n  - name: read\n    match: [{uri: {prefix: /orders}}]\n    route: [{destination: {host: replica}}]",
      ),
      head: virtualService(
        "  - name: write\n    match: [{uri: {prefix: /orders}, method: {regex: 'POST|PUT|PATCH|DELETE'}}]\n    route: [{destination: {host: primary}}]\n  - name: read\n    match: [{uri: {prefix: /orders}}]\n    route: [{destination: {host: replica}}]\n    mirror: {host: shadow}",
      ),
      expected: [
        {
          class: "mirror.changed",
          side: "head",
          path: ["spec", "http", 1, "mirror"],
          says: "http rule read: mirror to shadow added (100% of requests)",
        },
      ],
    },
    {
      name: "mirror on a read rule below a POST-only rule, a shorter path's or a gateway-limited one: the writes they leave still reach it (high)",
      base: virtualService(
        "  - match: [{uri: {prefix: /orders}, method: {exact: POST}}]\n    route: [{destination: {host: primary}}]\n  - match: [{uri: {prefix: /orders/v2}, method: {regex: 'PUT|PATCH|DELETE'}}, {gateways: [internal], method: {regex: 'PUT|PATCH|DELETE'}}]\n    route: [{destination: {host: primary}}]\n  - name: read\n    match: [{uri: {prefix: /orders}}]\n    route: [{destination: {host: replica}}]",
      ),
      head: virtualService(
        "  - match: [{uri: {prefix: /orders}, method: {exact: POST}}]\n    route: [{destination: {host: primary}}]\n  - match: [{uri: {prefix: /orders/v2}, method: {regex: 'PUT|PATCH|DELETE'}}, {gateways: [internal], method: {regex: 'PUT|PATCH|DELETE'}}]\n    route: [{destination: {host: primary}}]\n  - name: read\n    match: [{uri: {prefix: /orders}}]\n    route: [{destination: {host: replica}}]\n    mirror: {host: shadow}",
      ),
      expected: [
        {
          class: "mirror.changed",
          side: "head",
          path: ["spec", "http", 2, "mirror"],
          says: "the rule takes writes (DELETE, PATCH, PUT), so mirrored writes are duplicated",
          riskFloor: "high",
        },
      ],
    },
    {
      name: "exportTo widened to a namespace",
      base: virtualService("  - route: [{destination: {host: checkout}}]", "  exportTo: ['.']\n"),
      head: virtualService("  - route: [{destination: {host: checkout}}]", "  exportTo: ['.', payments]\n"),
      expected: [{ class: "access.widened", side: "head", path: ["spec", "exportTo"], says: "now visible in payments" }],
    },
    {
      name: "exportTo narrowed from the mesh default: callers elsewhere lose its routing (medium)",
      base: virtualService("  - route: [{destination: {host: checkout}}]"),
      head: virtualService("  - route: [{destination: {host: checkout}}]", "  exportTo: ['.']\n"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "exportTo"],
          says: "exportTo (mesh default) → [shop]: no longer visible in every namespace but shop: callers there no longer get its routing",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "exportTo loses a namespace",
      base: virtualService("  - route: [{destination: {host: checkout}}]", "  exportTo: ['.', payments]\n"),
      head: virtualService("  - route: [{destination: {host: checkout}}]", "  exportTo: ['.']\n"),
      expected: [
        { class: "resource.changed", side: "head", path: ["spec", "exportTo"], says: "no longer visible in payments", riskFloor: "medium" },
      ],
    },
    {
      name: "exportTo: ['*'] is the mesh default written out: no change",
      base: virtualService("  - route: [{destination: {host: checkout}}]"),
      head: virtualService("  - route: [{destination: {host: checkout}}]", "  exportTo: ['*']\n"),
      expected: [],
    },
    {
      name: "cosmetic: rules reordered, match key order and header case, 10s == 10000ms",
      base: virtualService(
        "  - match: [{headers: {X-Canary: {exact: '1'}}, uri: {prefix: /a}}]\n    timeout: 10s\n    route: [{destination: {host: a}}]\n  - name: default\n    retries: {attempts: 3, perTryTimeout: 1s}\n    route: [{destination: {host: b}}]",
      ),
      head: virtualService(
        "  - name: default\n    retries: {perTryTimeout: 1000ms, attempts: 3}\n    route: [{destination: {host: b}}]\n  - match: [{uri: {prefix: /a}, headers: {x-canary: {exact: '1'}}, name: canary}]\n    timeout: 10000ms\n    route: [{destination: {host: a}}]",
      ),
      expected: [],
    },
  ]);

  describeCorpus("bookinfo", () => {
    const byName = (file: string) =>
      new Map(
        resourcesOf(corpusFile(`istio__istio/samples/bookinfo/networking/${file}`))
          .filter((item) => item.id.kind === "VirtualService")
          .map((item) => [item.id.name, item]),
      );
    const allV1 = byName("virtual-service-all-v1.yaml");

    it("fault-injection-details-v1 aborts every details request: fault.injected", () => {
      const [finding, ...rest] = detect(istioDetector, allV1.get("details"), byName("fault-injection-details-v1.yaml").get("details"));
      expect(rest).toEqual([]);
      expect(finding).toMatchObject({ class: "fault.injected", side: "head", path: ["spec", "http", 0, "fault", "abort"] });
      expect(finding?.summary).toContain("fault abort (HTTP 555) on 100%");
    });

    it("ratings-test-abort and -delay only fault jason's requests: nothing injected for users", () => {
      for (const file of ["virtual-service-ratings-test-abort.yaml", "virtual-service-ratings-test-delay.yaml"]) {
        expect(detect(istioDetector, allV1.get("ratings"), byName(file).get("ratings"))).toEqual([]);
      }
    });

    it("weight ladders are the route diff's, not this detector's", () => {
      expect(
        detect(
          istioDetector,
          byName("virtual-service-reviews-90-10.yaml").get("reviews"),
          byName("virtual-service-reviews-80-20.yaml").get("reviews"),
        ),
      ).toEqual([]);
    });
  });
});

describe("ServiceEntry", () => {
  const serviceEntry = (endpoints: string, settings = "  location: MESH_INTERNAL\n  resolution: STATIC\n") => `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: payments, namespace: shop}
spec:
  hosts: [payments.global]
${settings}  endpoints:
${endpoints}`;
  const registryOnly = resource(
    "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata: {name: control-plane, namespace: istio-system}\nspec:\n  meshConfig: {outboundTrafficPolicy: {mode: REGISTRY_ONLY}}\n",
    "istio/operator.yaml",
  );
  const allowAny = resource(
    "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata: {name: control-plane, namespace: istio-system}\nspec:\n  meshConfig: {accessLogFile: /dev/stdout}\n",
    "istio/operator.yaml",
  );
  run([
    {
      name: "an endpoint in a new region and on a new network",
      base: serviceEntry("  - {address: 10.0.0.1, locality: us-east/us-east-1a}"),
      head: serviceEntry(
        "  - {address: 10.0.0.1, locality: us-east/us-east-1a}\n  - {address: 10.1.0.1, locality: eu-west/eu-west-1a, network: network-eu}",
      ),
      expected: [
        {
          class: "backend.region-added",
          side: "head",
          path: ["spec", "endpoints", 1, "locality"],
          says: "endpoints in region eu-west (eu-west/eu-west-1a): payments.global gains backends there",
        },
        { class: "backend.region-added", side: "head", path: ["spec", "endpoints", 1, "network"], says: "network network-eu" },
      ],
    },
    {
      name: "resolution NONE over 0.0.0.0/0 opens egress to every address on its ports; a /24 does not",
      head: `
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: egress-any, namespace: shop}
spec:
  hosts: [any.external]
  addresses: [0.0.0.0/0, 192.0.2.0/24]
  ports: [{number: 443, name: tls, protocol: TLS}]
  location: MESH_EXTERNAL
  resolution: NONE`,
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "addresses"],
          says: "resolution NONE over 0.0.0.0/0 on port 443: the mesh may reach any address there",
        },
        {
          class: "route.added",
          side: "head",
          path: ["spec", "hosts"],
          says: "added: hosts any.external join the mesh's registry: calls to them now take the mesh's routing and policy (and egress opens to them if the mesh is REGISTRY_ONLY",
        },
      ],
    },
    {
      name: "added: its hosts join the registry; under a mesh the tree leaves ALLOW_ANY they take its routing, and no access widens",
      head: serviceEntry("  - {address: 10.0.0.1}"),
      others: { base: [allowAny], head: [allowAny] },
      expected: [
        {
          class: "route.added",
          side: "head",
          path: ["spec", "hosts"],
          says: "added: hosts payments.global join the mesh's registry: calls to them now take the mesh's routing and policy",
        },
      ],
    },
    {
      name: "added under a mesh the tree restricts to its registry: egress opens to its hosts",
      head: serviceEntry("  - {address: 10.0.0.1}"),
      others: { base: [registryOnly], head: [registryOnly] },
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "hosts"],
          says: "added: hosts payments.global join the mesh's registry: workloads may call them (egress opens to them under REGISTRY_ONLY)",
        },
      ],
    },
    {
      name: "a host dropped while an entry of another namespace, or on other ports, registers it still leaves",
      base: serviceEntry("  - {address: 10.0.0.1}").replace("hosts: [payments.global]", "hosts: [payments.global, ledger.global]"),
      head: serviceEntry("  - {address: 10.0.0.1}"),
      others: {
        head: [
          resource(
            serviceEntry("  - {address: 10.0.0.2}")
              .replace("name: payments, namespace: shop", "name: ledger, namespace: billing")
              .replace("payments.global", "ledger.global"),
          ),
          resource(
            serviceEntry("  - {address: 10.0.0.3}")
              .replace("name: payments,", "name: ledger-tls,")
              .replace("payments.global", "ledger.global")
              .replace("  hosts:", "  ports: [{number: 443, name: tls, protocol: TLS}]\n  hosts:"),
          ),
        ],
      },
      expected: [{ class: "route.removed", side: "head", path: ["spec", "hosts"], says: "hosts ledger.global leave the mesh's registry" }],
    },
    {
      name: "a host moved into a new entry (one split in two) neither leaves nor joins the registry",
      base: serviceEntry("  - {address: 10.0.0.1}").replace("hosts: [payments.global]", "hosts: [payments.global, ledger.global]"),
      head: serviceEntry("  - {address: 10.0.0.1}"),
      others: {
        head: [
          resource(
            serviceEntry("  - {address: 10.0.0.1}").replace("name: payments,", "name: ledger,").replace("payments.global", "ledger.global"),
          ),
        ],
      },
      expected: [],
    },
    {
      name: "a host dropped while another folder's entry registers it still leaves: each folder the tree places nowhere is a mesh of its own",
      base: resource(
        serviceEntry("  - {address: 10.0.0.1}").replace("hosts: [payments.global]", "hosts: [payments.global, ledger.global]"),
        "demo-a/se.yaml",
      ),
      head: resource(serviceEntry("  - {address: 10.0.0.1}"), "demo-a/se.yaml"),
      others: {
        base: [resource(serviceEntry("  - {address: 10.0.0.2}").replace("payments.global", "ledger.global"), "demo-b/se.yaml")],
        head: [resource(serviceEntry("  - {address: 10.0.0.2}").replace("payments.global", "ledger.global"), "demo-b/se.yaml")],
      },
      expected: [{ class: "route.removed", side: "head", path: ["spec", "hosts"], says: "hosts ledger.global leave the mesh's registry" }],
    },
    {
      name: "removed: its hosts leave the registry, unless another entry of the tree still registers them",
      base: serviceEntry("  - {address: 10.0.0.1}"),
      expected: [
        {
          class: "route.removed",
          side: "base",
          path: ["spec", "hosts"],
          says: "removed: hosts payments.global leave the mesh's registry: calls to them are refused under REGISTRY_ONLY egress",
        },
      ],
    },
    {
      name: "removed where another entry registers its hosts (renamed, split): nothing leaves",
      base: serviceEntry("  - {address: 10.0.0.1}"),
      others: { head: [resource(serviceEntry("  - {address: 10.0.0.1}").replace("name: payments,", "name: payments-v2,"))] },
      expected: [],
    },
    {
      name: "the workloads that serve its hosts re-selected",
      base: serviceEntry("    []", "  location: MESH_INTERNAL\n  resolution: STATIC\n  workloadSelector: {labels: {app: payments-v1}}\n"),
      head: serviceEntry("    []", "  location: MESH_INTERNAL\n  resolution: STATIC\n  workloadSelector: {labels: {app: payments-v2}}\n"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "workloadSelector"],
          says: "workloadSelector app=payments-v1 → app=payments-v2: other workloads serve payments.global",
          riskFloor: "medium-high",
        },
      ],
    },
    {
      name: "endpoints istiod's validation refuses for the resolution: NONE (the default) takes none, DNS_ROUND_ROBIN one at most, and none beside a workloadSelector",
      base: serviceEntry("  - {address: a.example.net}", "  resolution: DNS_ROUND_ROBIN\n"),
      head: serviceEntry("  - {address: a.example.net}\n  - {address: b.example.net}", "  resolution: DNS_ROUND_ROBIN\n"),
      expected: [
        {
          class: "manifest.invalid",
          side: "head",
          path: ["spec", "endpoints"],
          riskFloor: "high",
          says: "2 endpoints (a.example.net, b.example.net) under DNS_ROUND_ROBIN resolution, which takes one at most: istiod's validation refuses the entry",
        },
      ],
    },
    {
      name: "an endpoint added under NONE resolution is refused, not a new endpoint taking a share",
      base: serviceEntry("    []", "  resolution: NONE\n"),
      head: serviceEntry("  - {address: 10.0.0.1}", "  resolution: NONE\n"),
      expected: [
        {
          class: "manifest.invalid",
          side: "head",
          path: ["spec", "endpoints"],
          riskFloor: "high",
          says: "1 endpoint (10.0.0.1) under NONE resolution, which takes none: istiod's validation refuses the entry",
        },
      ],
    },
    {
      name: "an entry that writes no resolution is NONE's: endpoints there are refused too",
      head: serviceEntry("  - {address: 10.0.0.1}", "  location: MESH_EXTERNAL\n"),
      expected: [
        {
          class: "manifest.invalid",
          side: "head",
          path: ["spec", "endpoints"],
          riskFloor: "high",
          says: "under NONE resolution, which takes none",
        },
      ],
    },
    {
      name: "endpoints beside a workloadSelector are refused",
      base: serviceEntry("    []", "  resolution: STATIC\n  workloadSelector: {labels: {app: payments}}\n"),
      head: serviceEntry("  - {address: 10.0.0.1}", "  resolution: STATIC\n  workloadSelector: {labels: {app: payments}}\n"),
      expected: [
        {
          class: "manifest.invalid",
          side: "head",
          path: ["spec", "endpoints"],
          riskFloor: "high",
          says: "beside a workloadSelector, which takes their place",
        },
      ],
    },
    {
      name: "endpoints the base already held refused are no new refusal: the entry's edits are judged as written",
      base: serviceEntry("  - {address: 10.0.0.1}", "  resolution: NONE\n"),
      head: serviceEntry("  - {address: 10.0.0.1}\n  - {address: 10.0.0.2}", "  resolution: NONE\n"),
      expected: [
        {
          class: "backend.added",
          side: "head",
          path: ["spec", "endpoints", 1, "address"],
          says: "endpoint 10.0.0.2 joins payments.global",
        },
      ],
    },
    {
      name: "one endpoint under DNS_ROUND_ROBIN, or several under DNS, is admitted",
      base: serviceEntry("  - {address: a.example.net}", "  resolution: DNS\n"),
      head: serviceEntry("  - {address: a.example.net}\n  - {address: b.example.net}", "  resolution: DNS\n"),
      expected: [
        {
          class: "backend.added",
          side: "head",
          path: ["spec", "endpoints", 1, "address"],
          says: "endpoint b.example.net joins payments.global",
        },
      ],
    },
    {
      name: "a new zone in a known region is not a new region: the endpoint joins (backend.added), as a WorkloadEntry does",
      base: serviceEntry("  - {address: 10.0.0.1, locality: us-east/us-east-1a}"),
      head: serviceEntry("  - {address: 10.0.0.1, locality: us-east/us-east-1a}\n  - {address: 10.0.0.2, locality: us-east/us-east-1b}"),
      expected: [
        {
          class: "backend.added",
          side: "head",
          path: ["spec", "endpoints", 1, "address"],
          says: "endpoint 10.0.0.2 joins payments.global: it takes a share of their traffic",
        },
      ],
    },
    {
      name: "every endpoint removed: STATIC resolution has nowhere to send",
      base: serviceEntry("  - {address: 127.0.0.1}"),
      head: serviceEntry("    []"),
      expected: [
        {
          class: "backend.all-removed",
          side: "base",
          path: ["spec", "endpoints"],
          says: "every endpoint removed (127.0.0.1) under STATIC resolution: requests to payments.global have nowhere to go",
        },
      ],
    },
    {
      name: "every endpoint removed under DNS resolution: the hosts go wherever their names resolve",
      base: serviceEntry("  - {address: 127.0.0.1}", "  resolution: DNS\n"),
      head: serviceEntry("    []", "  resolution: DNS\n"),
      expected: [
        {
          class: "resource.changed",
          side: "base",
          path: ["spec", "endpoints"],
          riskFloor: "medium-high",
          says: "every endpoint removed (127.0.0.1): payments.global now go wherever their names resolve",
        },
      ],
    },
    {
      name: "an endpoint's address changed is another machine; a weight moves shares (istio-on-eks's OPA entry in the mutation sweep)",
      base: serviceEntry("  - {address: 10.0.0.1, weight: 1}\n  - {address: 10.0.0.2, weight: 1}"),
      head: serviceEntry("  - {address: 10.0.0.9, weight: 1}\n  - {address: 10.0.0.2, weight: 3}"),
      expected: [
        {
          class: "backend.weight-changed",
          side: "head",
          path: ["spec", "endpoints", 0, "address"],
          says: "endpoint address 10.0.0.1 → 10.0.0.9: payments.global's traffic to this endpoint goes to another machine",
        },
        {
          class: "backend.weight-changed",
          side: "head",
          path: ["spec", "endpoints", 1, "weight"],
          says: "endpoint 10.0.0.2 load-balancing weight 1 → 3",
        },
      ],
    },
    {
      name: "every endpoint replaced at once: all of the traffic moves, none stays to take a share",
      base: serviceEntry("  - {address: 10.0.0.1}\n  - {address: 10.0.0.2}"),
      head: serviceEntry("  - {address: 10.0.1.1}"),
      expected: [
        {
          class: "backend.weight-changed",
          side: "head",
          path: ["spec", "endpoints"],
          says: "every endpoint replaced (10.0.0.1, 10.0.0.2 → 10.0.1.1): all of payments.global's traffic goes to other machines",
        },
      ],
    },
    {
      name: "one endpoint leaves beside one that stays and one that joins: its share moves to the others",
      base: serviceEntry("  - {address: 10.0.0.1}\n  - {address: 10.0.0.2}\n  - {address: 10.0.0.3}"),
      head: serviceEntry("  - {address: 10.0.0.1}\n  - {address: 10.0.0.9}"),
      expected: [
        {
          class: "backend.added",
          side: "head",
          path: ["spec", "endpoints", 1, "address"],
          says: "endpoint 10.0.0.9 joins payments.global",
        },
        {
          class: "backend.weight-changed",
          side: "base",
          path: ["spec", "endpoints", 1, "address"],
          says: "endpoint 10.0.0.2 leaves payments.global: its share of their traffic moves to the other endpoints",
        },
        {
          class: "backend.weight-changed",
          side: "base",
          path: ["spec", "endpoints", 2, "address"],
          says: "endpoint 10.0.0.3 leaves payments.global",
        },
      ],
    },
    {
      name: "under STATIC an endpoint address that is not an IP or unix:// socket (a REPLACE_WITH_… placeholder): manifest.invalid, as istiod's validation refuses the entry",
      base: serviceEntry("  - {address: 10.0.0.1}"),
      head: serviceEntry("  - {address: 10.0.0.1}\n  - {address: REPLACE_WITH_GATEWAY_ADDRESS}"),
      expected: [
        {
          class: "manifest.invalid",
          side: "head",
          path: ["spec", "endpoints", 1, "address"],
          riskFloor: "high",
          says: "endpoint address REPLACE_WITH_GATEWAY_ADDRESS is not an IP address or unix:// socket, which STATIC resolution needs: istiod's validation refuses the entry",
        },
        {
          class: "backend.added",
          side: "head",
          path: ["spec", "endpoints", 1, "address"],
          says: "endpoint REPLACE_WITH_GATEWAY_ADDRESS joins",
        },
      ],
    },
    {
      name: "a name the base already held under STATIC is no new refusal: the entry's other edits are judged as written",
      base: serviceEntry("  - {address: partner-lb.example.net}"),
      head: serviceEntry("  - {address: partner-lb.example.net}\n  - {address: 10.0.0.2}"),
      expected: [{ class: "backend.added", side: "head", path: ["spec", "endpoints", 1, "address"], says: "endpoint 10.0.0.2 joins" }],
    },
    {
      name: "STATIC resolution newly set over a name: a new refusal",
      base: serviceEntry("  - {address: partner-lb.example.net}", "  location: MESH_INTERNAL\n  resolution: DNS\n"),
      head: serviceEntry("  - {address: partner-lb.example.net}"),
      expected: [
        {
          class: "manifest.invalid",
          side: "head",
          path: ["spec", "endpoints", 0, "address"],
          riskFloor: "high",
          says: "partner-lb.example.net",
        },
        { class: "resource.changed", side: "head", path: ["spec", "resolution"], says: "resolution DNS → STATIC", riskFloor: "medium" },
      ],
    },
    {
      name: "an IPv6 address, a unix:// socket or a Flux variable may stand under STATIC",
      base: serviceEntry("  - {address: 10.0.0.1}"),
      head: serviceEntry(
        "  - {address: 10.0.0.1}\n  - {address: '2001:db8::1'}\n  - {address: 'unix:///var/run/app.sock'}\n  - {address: '${GATEWAY_ADDRESS}'}",
      ),
      expected: [
        { class: "backend.added", side: "head", path: ["spec", "endpoints", 1, "address"], says: "endpoint 2001:db8::1 joins" },
        {
          class: "backend.added",
          side: "head",
          path: ["spec", "endpoints", 2, "address"],
          says: "endpoint unix:///var/run/app.sock joins",
        },
        { class: "backend.added", side: "head", path: ["spec", "endpoints", 3, "address"], says: "joins" },
      ],
    },
    {
      name: "endpoint weights are relative: 50/50 written 1/1 or left out moves nothing; 50/50 → 75/25 moves shares",
      base: serviceEntry("  - {address: 10.0.0.1, weight: 50}\n  - {address: 10.0.0.2, weight: 50}"),
      head: serviceEntry("  - {address: 10.0.0.1}\n  - {address: 10.0.0.2}"),
      expected: [],
    },
    {
      name: "endpoint weights moved: the shares said",
      base: serviceEntry("  - {address: 10.0.0.1, weight: 50}\n  - {address: 10.0.0.2, weight: 50}"),
      head: serviceEntry("  - {address: 10.0.0.1, weight: 75}\n  - {address: 10.0.0.2, weight: 25}"),
      expected: [
        {
          class: "backend.weight-changed",
          side: "head",
          path: ["spec", "endpoints", 0, "weight"],
          says: "endpoint 10.0.0.1 load-balancing weight 50 → 75: its share of payments.global's traffic changes (10.0.0.1 50% → 75%, 10.0.0.2 50% → 25%)",
        },
        {
          class: "backend.weight-changed",
          side: "head",
          path: ["spec", "endpoints", 1, "weight"],
          says: "endpoint 10.0.0.2 load-balancing weight 50 → 25",
        },
      ],
    },
    {
      name: "the last endpoint of a region removed",
      base: serviceEntry("  - {address: 10.0.0.1, locality: us-east/us-east-1a}\n  - {address: 10.1.0.1, locality: eu-west/eu-west-1a}"),
      head: serviceEntry("  - {address: 10.0.0.1, locality: us-east/us-east-1a}"),
      expected: [
        {
          class: "backend.region-removed",
          side: "base",
          path: ["spec", "endpoints", 1, "locality"],
          says: "no endpoints left in region eu-west",
        },
      ],
    },
    {
      name: "hosts and ports compared as sets: a host that leaves the registry, one that joins it, a port dropped (istio-samples 58e5f519)",
      base: serviceEntry("  - {address: 10.0.0.1}").replace(
        "hosts: [payments.global]",
        "hosts: [payments.global, ledger.global]\n  ports: [{number: 443, protocol: HTTPS, name: https}, {number: 80, protocol: HTTP, name: http}]",
      ),
      head: serviceEntry("  - {address: 10.0.0.1}").replace(
        "hosts: [payments.global]",
        "hosts: [cards.global, payments.global]\n  ports: [{number: 443, protocol: HTTPS, name: tls}]",
      ),
      expected: [
        { class: "route.removed", side: "head", path: ["spec", "hosts"], says: "hosts ledger.global leave the mesh's registry" },
        { class: "route.added", side: "head", path: ["spec", "hosts"], says: "hosts cards.global join the mesh's registry" },
        { class: "listener.changed", side: "head", path: ["spec", "ports"], says: "-80/HTTP: calls on a port it no longer lists" },
      ],
    },
    {
      name: "a host a wildcard of the entry now registers stays registered; the wildcard widens (kiali/demos 7f6a4e9f)",
      base: serviceEntry("  - {address: 10.0.0.1}").replace("hosts: [payments.global]", "hosts: [zone.msn.com]"),
      head: serviceEntry("  - {address: 10.0.0.1}").replace("hosts: [payments.global]", "hosts: ['*.msn.com']"),
      expected: [{ class: "access.widened", side: "head", path: ["spec", "hosts"], says: "hosts *.msn.com join the mesh's registry" }],
    },
    {
      name: "a host a wildcard of the entry registered already joins nothing",
      base: serviceEntry("  - {address: 10.0.0.1}").replace("hosts: [payments.global]", "hosts: ['*.msn.com']"),
      head: serviceEntry("  - {address: 10.0.0.1}").replace("hosts: [payments.global]", "hosts: ['*.msn.com', zone.msn.com]"),
      expected: [],
    },
    {
      name: "an IP moved from hosts to addresses is still registered (istio-samples 753e3722)",
      base: serviceEntry("  - {address: 10.0.0.1}").replace("hosts: [payments.global]", "hosts: [payments.global, 169.254.169.254]"),
      head: serviceEntry("  - {address: 10.0.0.1}").replace(
        "hosts: [payments.global]",
        "hosts: [payments.global]\n  addresses: [169.254.169.254]",
      ),
      expected: [],
    },
    {
      name: "hosts and ports reordered, or a port renamed, are no change",
      base: serviceEntry("  - {address: 10.0.0.1}").replace(
        "hosts: [payments.global]",
        "hosts: [a.global, b.global]\n  ports: [{number: 443, protocol: HTTPS, name: https}]",
      ),
      head: serviceEntry("  - {address: 10.0.0.1}").replace(
        "hosts: [payments.global]",
        "hosts: [b.global, a.global]\n  ports: [{number: 443, protocol: HTTPS, name: tls}]",
      ),
      expected: [],
    },
    {
      name: "location and resolution",
      base: serviceEntry("  - {address: 10.0.0.1}"),
      head: serviceEntry("  - {address: 10.0.0.1}", "  resolution: DNS\n"),
      expected: [
        { class: "resource.changed", side: "head", path: ["spec"], says: "location MESH_INTERNAL → MESH_EXTERNAL", riskFloor: "medium" },
        { class: "resource.changed", side: "head", path: ["spec", "resolution"], says: "resolution STATIC → DNS", riskFloor: "medium" },
      ],
    },
  ]);
});

describe("Istio Gateway", () => {
  const istioGateway = (servers: string, selector = "istio: ingressgateway") => `
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: istio-system}
spec:
  selector: {${selector}}
  servers:
${servers}`;
  const https = (tls: string, hosts = "[shop.example.com]") =>
    `  - port: {number: 443, name: https, protocol: HTTPS}\n    hosts: ${hosts}\n    tls: ${tls}`;
  run([
    {
      name: "selector moves the servers to other pods",
      base: istioGateway(https("{mode: SIMPLE, credentialName: shop-cert}")),
      head: istioGateway(https("{mode: SIMPLE, credentialName: shop-cert}"), "istio: eastwestgateway"),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "selector"],
          says: "selector istio=ingressgateway → istio=eastwestgateway",
        },
      ],
    },
    {
      name: "the minimum TLS version lowered below 1.2 (Istio's default floor) weakens it; 1.3 → 1.2 is medium",
      base: istioGateway(https("{mode: SIMPLE, credentialName: shop-cert}")),
      head: istioGateway(https("{mode: SIMPLE, credentialName: shop-cert, minProtocolVersion: TLSV1_0}")),
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: ["spec", "servers", 0, "tls", "minProtocolVersion"],
          says: "tls.minProtocolVersion TLS 1.2 → 1.0: clients may connect with TLS 1.0, a deprecated protocol",
        },
      ],
    },
    {
      name: "cipher suites that accept a broken suite, or keep none with forward secrecy, weaken it; a stricter list does not",
      base: istioGateway(https("{mode: SIMPLE, credentialName: shop-cert}")),
      head: istioGateway(https("{mode: SIMPLE, credentialName: shop-cert, cipherSuites: [AES128-SHA]}")),
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: ["spec", "servers", 0, "tls", "cipherSuites"],
          says: "no suite left agrees keys ephemerally",
        },
      ],
    },
    {
      name: "3DES accepted beside forward-secret suites",
      base: istioGateway(https("{mode: SIMPLE, credentialName: shop-cert, cipherSuites: [ECDHE-RSA-AES128-GCM-SHA256]}")),
      head: istioGateway(https("{mode: SIMPLE, credentialName: shop-cert, cipherSuites: [ECDHE-RSA-AES128-GCM-SHA256, DES-CBC3-SHA]}")),
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: ["spec", "servers", 0, "tls", "cipherSuites"],
          says: "it now accepts DES-CBC3-SHA, broken cipher suites",
        },
      ],
    },
    {
      name: "a stricter cipher list is no weakening",
      base: istioGateway(https("{mode: SIMPLE, credentialName: shop-cert}")),
      head: istioGateway(https("{mode: SIMPLE, credentialName: shop-cert, cipherSuites: [ECDHE-ECDSA-AES256-GCM-SHA384]}")),
      expected: [],
    },
    {
      name: "the minimum TLS version 1.3 → 1.2",
      base: istioGateway(https("{mode: SIMPLE, credentialName: shop-cert, minProtocolVersion: TLSV1_3}")),
      head: istioGateway(https("{mode: SIMPLE, credentialName: shop-cert, minProtocolVersion: TLS_AUTO}")),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "servers", 0, "tls", "minProtocolVersion"],
          says: "TLS 1.3 → 1.2",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "hosts widened to a wildcard",
      base: istioGateway(https("{mode: SIMPLE, credentialName: shop-cert}")),
      head: istioGateway(https("{mode: SIMPLE, credentialName: shop-cert}", "[shop.example.com, '*.example.com']")),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "servers", 0, "hosts"],
          says: "server https hosts +*.example.com: a wildcard host exposes more services",
        },
      ],
    },
    {
      name: "a host dropped that a remaining wildcard covers is still served (rytswd/get-istio-multicluster d9ac83ec33)",
      base: istioGateway(
        "  - port: {number: 15443, name: tls, protocol: TLS}\n    hosts: ['*.global', '*.bison.global']\n    tls: {mode: AUTO_PASSTHROUGH}",
      ),
      head: istioGateway("  - port: {number: 15443, name: tls, protocol: TLS}\n    hosts: ['*.global']\n    tls: {mode: AUTO_PASSTHROUGH}"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "servers", 0, "hosts"],
          says: "server tls hosts -*.bison.global: within the server's other hosts, so it admits the same hosts as before",
        },
      ],
    },
    {
      name: "a name dropped or added beside the wildcard that covers it, in a namespace the wildcard admits",
      base: istioGateway("  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: ['*/*.example.com', ./shop.example.com]"),
      head: istioGateway(
        "  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: ['*/*.example.com', istio-system/api.example.com]",
      ),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "servers", 0, "hosts"],
          says: "hosts +istio-system/api.example.com, -./shop.example.com: within the server's other hosts",
        },
      ],
    },
    {
      name: "a wildcard narrowed stops serving the rest of its domain",
      base: istioGateway(https("{mode: SIMPLE, credentialName: shop-cert}", "['*.example.com', shop.example.com]")),
      head: istioGateway(https("{mode: SIMPLE, credentialName: shop-cert}", "['*.shop.example.com', shop.example.com]")),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "servers", 0, "hosts"],
          says: "server https hosts -*.example.com (+*.shop.example.com: within the server's other hosts, no change)",
        },
      ],
    },
    {
      name: "a host dropped beside a wildcard of the Gateway's own namespace: routes of other namespaces lose it",
      base: istioGateway("  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: ['./*.example.com', shop.example.com]"),
      head: istioGateway("  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: ['./*.example.com']"),
      expected: [
        { class: "listener.changed", side: "head", path: ["spec", "servers", 0, "hosts"], says: "server http hosts -shop.example.com" },
      ],
    },
    {
      name: "MUTUAL → SIMPLE stops requiring client certificates",
      base: istioGateway(https("{mode: MUTUAL, credentialName: shop-cert}")),
      head: istioGateway(https("{mode: SIMPLE, credentialName: shop-cert}")),
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: ["spec", "servers", 0, "tls", "mode"],
          says: "tls.mode MUTUAL → SIMPLE: clients no longer need a valid certificate",
        },
      ],
    },
    {
      name: "credentialName swapped",
      base: istioGateway(https("{mode: SIMPLE, credentialName: shop-cert}")),
      head: istioGateway(https("{mode: SIMPLE, credentialName: shop-cert-2}")),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "servers", 0, "tls", "credentialName"],
          says: "tls.credentialName shop-cert → shop-cert-2",
        },
      ],
    },
    {
      name: "an HTTP server's httpsRedirect dropped: plain HTTP is served",
      base: istioGateway(
        "  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [shop.example.com]\n    tls: {httpsRedirect: true}",
      ),
      head: istioGateway("  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: [shop.example.com]"),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "servers", 0],
          says: "server http tls.httpsRedirect true → false: plain HTTP requests to its hosts are served instead of redirected to HTTPS",
        },
      ],
    },
    {
      name: "server added and server removed",
      base: istioGateway(https("{mode: SIMPLE, credentialName: shop-cert}")),
      head: istioGateway("  - port: {number: 80, name: http, protocol: HTTP}\n    hosts: ['*']"),
      expected: [
        {
          class: "listener.changed",
          side: "base",
          path: ["spec", "servers", 0],
          says: "server https removed (HTTPS :443 for shop.example.com)",
        },
        { class: "listener.changed", side: "head", path: ["spec", "servers", 0], says: "server http added (HTTP :80 for *)" },
      ],
    },
  ]);

  it.skipIf(!corpusAvailable)("bookinfo-gateway → certmanager-gateway: the http server moves from 8080 to 80", () => {
    const [bookinfo] = resourcesOf(corpusFile("istio__istio/samples/bookinfo/networking/bookinfo-gateway.yaml"));
    const [certManager] = resourcesOf(corpusFile("istio__istio/samples/bookinfo/networking/certmanager-gateway.yaml"));
    const head = certManager && bookinfo && { ...certManager, id: bookinfo.id, key: bookinfo.key };
    expectDetections(detect(istioDetector, bookinfo, head), [
      { class: "listener.changed", side: "head", path: ["spec", "servers", 0, "port"], says: "server http port HTTP :8080 → HTTP :80" },
    ]);
  });

  it.skipIf(!corpusAvailable)("the multicluster cross-network gateway, added, is a new exposure point", () => {
    const [crossNetwork] = resourcesOf(corpusFile("istio__istio/samples/multicluster/expose-services.yaml"));
    expectDetections(detect(istioDetector, undefined, crossNetwork), [
      { class: "listener.changed", side: "head", path: ["spec", "servers", 0], says: "server tls added (TLS :15443 for *.local)" },
    ]);
  });
});

const peerAuthentication = (namespace: string, mode: string, extra = "", name = "default") => `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: ${name}, namespace: ${namespace}}
spec:
${extra}  mtls: {mode: ${mode}}`;

describe("PeerAuthentication", () => {
  const meshStrict = resource(peerAuthentication("istio-system", "STRICT"));
  // A mesh whose root namespace is not Istio's default: the tree's IstioOperator says where it is.
  const configRoot = resource(`
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata: {name: control-plane, namespace: istio-system}
spec:
  meshConfig: {rootNamespace: istio-config}`);
  const aroundConfigRoot = { base: [configRoot], head: [configRoot] };
  run([
    {
      name: "in the configured root namespace, STRICT → PERMISSIVE is mesh-wide",
      base: peerAuthentication("istio-config", "STRICT"),
      head: peerAuthentication("istio-config", "PERMISSIVE"),
      others: aroundConfigRoot,
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: ["spec", "mtls", "mode"],
          says: "mtls.mode STRICT → PERMISSIVE, mesh-wide (root namespace istio-config): plaintext is accepted",
        },
      ],
    },
    {
      name: "added beside an older policy of the same workloads that stays: istiod applies the older one, so nothing weakens",
      head: peerAuthentication("shop", "PERMISSIVE").replace("name: default", "name: relaxed"),
      others: { base: [resource(peerAuthentication("shop", "STRICT"))], head: [resource(peerAuthentication("shop", "STRICT"))] },
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec"],
          says: "added beside PeerAuthentication shop/default, which selects the same workloads and stays: istiod applies the older of the two",
        },
      ],
    },
    {
      name: "renamed (the older one gone): compared with it, as before",
      head: peerAuthentication("shop", "PERMISSIVE").replace("name: default", "name: relaxed"),
      others: { base: [resource(peerAuthentication("shop", "STRICT"))] },
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: ["spec", "mtls", "mode"],
          says: "mtls.mode STRICT → PERMISSIVE, namespace-wide in shop: plaintext is accepted",
        },
      ],
    },
    {
      name: "istio-system is an ordinary namespace when the mesh's root is elsewhere",
      base: peerAuthentication("istio-system", "STRICT"),
      head: peerAuthentication("istio-system", "PERMISSIVE"),
      others: aroundConfigRoot,
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: ["spec", "mtls", "mode"],
          says: "mtls.mode STRICT → PERMISSIVE, namespace-wide in istio-system: plaintext is accepted",
        },
      ],
    },
    {
      name: "a namespace policy going UNSET inherits the STRICT mesh policy of the configured root namespace",
      base: peerAuthentication("shop", "STRICT"),
      head: peerAuthentication("shop", "UNSET"),
      others: {
        base: [configRoot, resource(peerAuthentication("istio-config", "STRICT"))],
        head: [configRoot, resource(peerAuthentication("istio-config", "STRICT"))],
      },
      expected: [],
    },
    {
      name: "mesh-wide STRICT → PERMISSIVE",
      base: peerAuthentication("istio-system", "STRICT"),
      head: peerAuthentication("istio-system", "PERMISSIVE"),
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: ["spec", "mtls", "mode"],
          says: "mtls.mode STRICT → PERMISSIVE, mesh-wide (root namespace istio-system): plaintext is accepted",
        },
      ],
    },
    {
      name: "namespace STRICT → UNSET inherits the default PERMISSIVE",
      base: peerAuthentication("shop", "STRICT"),
      head: peerAuthentication("shop", "UNSET"),
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: ["spec", "mtls", "mode"],
          says: "STRICT → UNSET (inherits PERMISSIVE from Istio's default), namespace-wide in shop",
        },
      ],
    },
    {
      name: "namespace STRICT → UNSET under a STRICT mesh policy changes nothing",
      base: peerAuthentication("shop", "STRICT"),
      head: peerAuthentication("shop", "UNSET"),
      others: { base: [meshStrict], head: [meshStrict] },
      expected: [],
    },
    {
      name: "removing a STRICT namespace policy",
      base: peerAuthentication("shop", "STRICT"),
      expected: [
        {
          class: "mtls.weakened",
          side: "base",
          path: ["spec", "mtls", "mode"],
          says: "removed (was STRICT, namespace-wide in shop): its workloads inherit PERMISSIVE from Istio's default",
        },
      ],
    },
    {
      name: "a workload policy set to DISABLE",
      base: peerAuthentication("shop", "STRICT", "  selector: {matchLabels: {app: checkout}}\n"),
      head: peerAuthentication("shop", "DISABLE", "  selector: {matchLabels: {app: checkout}}\n"),
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: ["spec", "mtls", "mode"],
          says: "workloads matching app=checkout in shop: mTLS is off",
        },
      ],
    },
    {
      name: "portLevelMtls STRICT → DISABLE",
      base: peerAuthentication("shop", "STRICT", "  selector: {matchLabels: {app: checkout}}\n  portLevelMtls: {'8080': {mode: STRICT}}\n"),
      head: peerAuthentication(
        "shop",
        "STRICT",
        "  selector: {matchLabels: {app: checkout}}\n  portLevelMtls: {'8080': {mode: DISABLE}}\n",
      ),
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: ["spec", "portLevelMtls", "8080", "mode"],
          says: "portLevelMtls 8080 STRICT → DISABLE",
        },
      ],
    },
    {
      name: "a workload policy added STRICT with a PERMISSIVE port, where the mesh is STRICT: that port accepts plaintext",
      head: peerAuthentication(
        "shop",
        "STRICT",
        "  selector: {matchLabels: {app: payments}}\n  portLevelMtls: {'9090': {mode: PERMISSIVE}}\n",
      ),
      others: { base: [meshStrict], head: [meshStrict] },
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: ["spec", "portLevelMtls", "9090", "mode"],
          says: "added with portLevelMtls 9090 PERMISSIVE (its workloads had STRICT)",
        },
      ],
    },
  ]);
});

// STRICT where plaintext was accepted refuses every caller outside the mesh: the mTLS migration outage
// (kubernetes-engine-samples 8d3e629622 added a namespace-wide STRICT policy and passed at low).
describe("PeerAuthentication tightened to STRICT", () => {
  const checkout = "  selector: {matchLabels: {app: checkout}}\n";
  const checkoutWeb = "  selector: {matchLabels: {app: checkout, tier: web}}\n";
  const meshStrict = resource(peerAuthentication("istio-system", "STRICT"));
  const meshPermissive = resource(peerAuthentication("istio-system", "PERMISSIVE"));
  const shopStrict = resource(peerAuthentication("shop", "STRICT"));
  const REFUSED = "plaintext callers are refused: clients outside the mesh (no sidecar, or no ztunnel in ambient mode) stop reaching";
  const MODE = ["spec", "mtls", "mode"];
  run([
    {
      name: "mesh-wide STRICT added: every namespace at once (medium-high)",
      head: peerAuthentication("istio-system", "STRICT"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: MODE,
          says: `added with mtls.mode STRICT, mesh-wide (root namespace istio-system): its workloads had PERMISSIVE from Istio's default, so ${REFUSED} any workload of the mesh`,
          riskFloor: "medium-high",
        },
      ],
    },
    {
      name: "namespace-wide PERMISSIVE → STRICT (medium)",
      base: peerAuthentication("shop", "PERMISSIVE"),
      head: peerAuthentication("shop", "STRICT"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: MODE,
          says: `mtls.mode PERMISSIVE → STRICT, namespace-wide in shop: ${REFUSED} the workloads of shop`,
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "DISABLE → STRICT refuses plaintext too",
      base: peerAuthentication("shop", "DISABLE", checkout),
      head: peerAuthentication("shop", "STRICT", checkout),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: MODE,
          says: `DISABLE → STRICT, workloads matching app=checkout in shop: ${REFUSED} them`,
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "UNSET → STRICT where the mesh policy is PERMISSIVE: judged by what it inherited",
      base: peerAuthentication("shop", "UNSET"),
      head: peerAuthentication("shop", "STRICT"),
      others: { base: [meshPermissive], head: [meshPermissive] },
      expected: [
        { class: "resource.changed", side: "head", path: MODE, says: "UNSET → STRICT, namespace-wide in shop", riskFloor: "medium" },
      ],
    },
    {
      name: "UNSET → STRICT where the mesh policy is already STRICT changes nothing",
      base: peerAuthentication("shop", "UNSET"),
      head: peerAuthentication("shop", "STRICT"),
      others: { base: [meshStrict], head: [meshStrict] },
      expected: [],
    },
    {
      name: "a STRICT workload policy added in a STRICT namespace changes nothing",
      head: peerAuthentication("shop", "STRICT", checkout, "checkout"),
      others: { base: [shopStrict], head: [shopStrict] },
      expected: [],
    },
    {
      name: "DISABLE → PERMISSIVE accepts more and refuses no one",
      base: peerAuthentication("shop", "DISABLE"),
      head: peerAuthentication("shop", "PERMISSIVE"),
      expected: [],
    },
    {
      name: "a PERMISSIVE namespace policy removed under a STRICT mesh: its workloads inherit STRICT",
      base: peerAuthentication("shop", "PERMISSIVE"),
      others: { base: [meshStrict], head: [meshStrict] },
      expected: [
        {
          class: "resource.changed",
          side: "base",
          path: MODE,
          says: `removed (was PERMISSIVE, namespace-wide in shop): its workloads inherit STRICT from mesh policy default, so ${REFUSED}`,
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "a port set PERMISSIVE → STRICT, the rest left PERMISSIVE",
      base: peerAuthentication("shop", "PERMISSIVE", `${checkout}  portLevelMtls: {'8080': {mode: PERMISSIVE}}\n`),
      head: peerAuthentication("shop", "PERMISSIVE", `${checkout}  portLevelMtls: {'8080': {mode: STRICT}}\n`),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "portLevelMtls", "8080", "mode"],
          says: `portLevelMtls 8080 PERMISSIVE → STRICT, workloads matching app=checkout in shop: on port 8080 ${REFUSED} that port`,
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "a workload policy added that leaves its workloads PERMISSIVE but one port STRICT",
      head: peerAuthentication("shop", "UNSET", `${checkout}  portLevelMtls: {'9090': {mode: STRICT}}\n`),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "portLevelMtls", "9090", "mode"],
          says: "added with portLevelMtls 9090 STRICT (its workloads had PERMISSIVE)",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "a STRICT workload policy widened takes workloads out of the namespace's PERMISSIVE",
      base: peerAuthentication("shop", "STRICT", checkoutWeb, "strict-checkout"),
      head: peerAuthentication("shop", "STRICT", checkout, "strict-checkout"),
      others: { base: [resource(peerAuthentication("shop", "PERMISSIVE"))], head: [resource(peerAuthentication("shop", "PERMISSIVE"))] },
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "selector"],
          says: `workloads it now selects had PERMISSIVE from namespace policy default and now STRICT, so ${REFUSED} them`,
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "a PERMISSIVE workload policy narrowed leaves the workloads it no longer selects to the namespace's STRICT",
      base: peerAuthentication("shop", "PERMISSIVE", checkout, "lenient"),
      head: peerAuthentication("shop", "PERMISSIVE", checkoutWeb, "lenient"),
      others: { base: [shopStrict], head: [shopStrict] },
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "selector"],
          says: `workloads it selected and no longer does fall back to STRICT from namespace policy default, so ${REFUSED} them`,
          riskFloor: "medium",
        },
      ],
    },
  ]);
});

describe("AuthorizationPolicy", () => {
  const policy = (name: string, body: string, namespace = "shop") => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  selector: {matchLabels: {app: checkout}}
${body}`;
  const allowFrontend = "  action: ALLOW\n  rules:\n  - from: [{source: {principals: [cluster.local/ns/shop/sa/frontend]}}]";
  const ambient = resource("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop, labels: {istio.io/dataplane-mode: ambient}}\n");
  const inAmbient = { base: [ambient], head: [ambient] };
  const getOnly = `${allowFrontend}\n    to: [{operation: {methods: [GET]}}]`;
  const denyAll = "apiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata: {name: deny-all, namespace: shop}\nspec: {}\n";
  const namespaceAllow = policy("allow-frontend", allowFrontend).replace("  selector: {matchLabels: {app: checkout}}\n", "");
  /** The resource as a placement puts it on one cluster (`clusters/{cluster}/**`). */
  const inCluster = (placed: Resource, cluster: string): Resource => ({ ...placed, cluster, key: `${placed.key}@${cluster}` });
  const dryRun = (yaml: string, value = "true") =>
    yaml.replace(/metadata: \{(.*)\}/, `metadata: {$1, annotations: {istio.io/dry-run: "${value}"}}`);
  /** A policy attached to the namespace's waypoint Gateway by targetRefs. */
  const waypointPolicy = (name: string, body: string) =>
    policy(name, body).replace(
      "  selector: {matchLabels: {app: checkout}}",
      "  targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: waypoint}]",
    );
  /** An ALLOW policy added over some workloads others allow-list: the rest are narrowed to it. */
  const narrowedForTheRest: Expected = {
    class: "resource.changed",
    side: "head",
    path: ["spec"],
    says: "the first for the workloads no other ALLOW policy selects",
    riskFloor: "medium",
  };
  /** What ztunnel refusing connections a policy covers reads as. */
  const refused = (says: string): Expected => ({
    class: "resource.changed",
    side: "head",
    path: ["spec", "rules"],
    riskFloor: "high",
    says,
  });
  /** A first ALLOW policy, as sidecars and a waypoint read it: an allow-list (medium). */
  const allowList = (says: string): Expected => ({ class: "resource.changed", side: "head", path: ["spec"], riskFloor: "medium", says });
  run([
    {
      name: "ambient: a workload policy matching a method is enforced by ztunnel, which refuses what it covers",
      head: policy("allow-get", getOnly),
      others: inAmbient,
      expected: [
        refused(
          "added: enforced by ztunnel (workloads matching app=checkout in shop: namespace shop is in ambient mode, and no targetRefs attach the policy to a waypoint), which cannot evaluate to.operation.methods: Istio omits every rule of this ALLOW policy, so it allows nothing: ztunnel refuses every connection it covers",
        ),
      ],
    },
    {
      name: "ambient: a kept policy gaining a request-header condition and a request principal",
      base: policy("allow", allowFrontend),
      head: policy(
        "allow",
        "  action: ALLOW\n  rules:\n  - from: [{source: {requestPrincipals: ['*']}}]\n    when: [{key: 'request.headers[x-team]', values: [a]}]",
      ),
      others: inAmbient,
      expected: [refused("which cannot evaluate from.source.requestPrincipals, when request.headers[x-team]: Istio omits every rule")],
    },
    {
      name: "ambient: one HTTP rule of two in an ALLOW policy is omitted; what only it allowed is refused",
      head: policy("allow", `${allowFrontend}\n  - when: [{key: 'request.headers[x-user]', notValues: ['*']}]`),
      others: inAmbient,
      expected: [refused("Istio omits 1 of its 2 rules, so ztunnel refuses the connections only that rule allowed")],
    },
    {
      name: "ambient: a DENY rule on a path alone denies nothing at ztunnel (access.widened); with a port it denies the whole port",
      head: policy(
        "deny-admin",
        "  action: DENY\n  rules:\n  - to: [{operation: {paths: [/admin*]}}]\n  - to: [{operation: {ports: ['9090'], methods: [DELETE]}}]",
      ),
      others: inAmbient,
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "rules"],
          says: "which cannot evaluate to.operation.methods, to.operation.paths: a DENY rule is enforced without those attributes, refusing every connection the rest matches; a DENY rule keeps nothing ztunnel can match: what it denies is not denied",
        },
      ],
    },
    {
      name: "ambient: L4 attributes alone (principals, ports, source.namespace) are ztunnel's own",
      head: policy(
        "allow",
        `${allowFrontend}\n    to: [{operation: {ports: ["8080"]}}]\n    when: [{key: source.namespace, values: [shop]}]`,
      ),
      others: inAmbient,
      expected: [allowList("added ALLOW policy (workloads matching app=checkout in shop), the first for these workloads")],
    },
    {
      name: "ambient: attached to the waypoint by targetRefs, the waypoint evaluates its methods",
      head: policy("allow-get", getOnly).replace(
        "  selector: {matchLabels: {app: checkout}}",
        "  targetRefs: [{kind: Gateway, group: gateway.networking.k8s.io, name: waypoint}]",
      ),
      others: inAmbient,
      expected: [allowList("added ALLOW policy (its targetRefs in shop)")],
    },
    {
      name: "an ALLOW policy with a selector added in the root namespace joins the allow-list of those workloads in every namespace",
      head: policy("ops-to-checkout", "  action: ALLOW\n  rules:\n  - from: [{source: {namespaces: [ops]}}]", "istio-system"),
      others: { base: [resource(policy("allow", allowFrontend))], head: [resource(policy("allow", allowFrontend))] },
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec"],
          says: "added ALLOW policy (workloads matching app=checkout in every namespace (root namespace istio-system)) beside allow: ALLOW policies combine",
        },
      ],
    },
    {
      name: "DENY policy removed",
      base: policy("deny-admin", "  action: DENY\n  rules: [{to: [{operation: {paths: [/admin*]}}]}]"),
      expected: [
        {
          class: "access.widened",
          side: "base",
          path: ["spec"],
          says: "removed DENY policy (workloads matching app=checkout in shop): requests its rules denied are no longer denied",
        },
      ],
    },
    {
      name: "ALLOW with rules [{}] allows everything",
      base: policy("allow", allowFrontend),
      head: policy("allow", "  action: ALLOW\n  rules: [{}]"),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "rules", 0],
          says: "gains an empty rule {}: the policy now allows every request",
        },
      ],
    },
    {
      name: "principals widened to *",
      base: policy("allow", allowFrontend),
      head: policy("allow", "  rules:\n  - from: [{source: {principals: ['*']}}]"),
      expected: [{ class: "access.widened", side: "head", path: ["spec", "rules", 0], says: 'a rule allowing any principals ("*")' }],
    },
    {
      name: "action DENY → ALLOW",
      base: policy("p", "  action: DENY\n  rules: [{from: [{source: {namespaces: [untrusted]}}]}]"),
      head: policy("p", "  action: ALLOW\n  rules: [{from: [{source: {namespaces: [untrusted]}}]}]"),
      expected: [{ class: "access.widened", side: "head", path: ["spec", "action"], says: "action DENY → ALLOW" }],
    },
    {
      name: "a DENY rule removed",
      base: policy(
        "deny",
        "  action: DENY\n  rules:\n  - to: [{operation: {paths: [/admin*]}}]\n  - to: [{operation: {methods: [DELETE]}}]",
      ),
      head: policy("deny", "  action: DENY\n  rules:\n  - to: [{operation: {paths: [/admin*]}}]"),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "rules"],
          says: "DENY policy (workloads matching app=checkout in shop) loses a rule",
        },
      ],
    },
    {
      name: "an ALLOW rule edited to match less (a principal fewer, a method fewer, a condition added) admits nothing new",
      base: policy(
        "allow",
        "  action: ALLOW\n  rules:\n  - from: [{source: {principals: [cluster.local/ns/shop/sa/frontend, cluster.local/ns/shop/sa/batch]}}]\n    to: [{operation: {methods: [GET, POST], paths: ['/api/*']}}]",
      ),
      head: policy(
        "allow",
        "  action: ALLOW\n  rules:\n  - from: [{source: {principals: [cluster.local/ns/shop/sa/frontend]}}]\n    to: [{operation: {methods: [POST], paths: [/api/v1/*]}}]\n    when: [{key: 'request.auth.claims[aud]', values: [shop]}]",
      ),
      expected: [],
    },
    {
      name: "an ALLOW rule edited to match more, or other requests, still gains a rule",
      base: policy("allow", "  action: ALLOW\n  rules:\n  - to: [{operation: {methods: [GET], paths: [/api/v1/*]}}]"),
      head: policy("allow", "  action: ALLOW\n  rules:\n  - to: [{operation: {methods: [GET], paths: ['/api/*']}}]"),
      expected: [{ class: "access.widened", side: "head", path: ["spec", "rules", 0], says: "gains an added or changed rule" }],
    },
    {
      name: "address ranges compare by containment: an ALLOW range narrowed, or written as two halves, admits no one new",
      base: policy("allow", "  action: ALLOW\n  rules:\n  - from: [{source: {ipBlocks: [10.20.0.0/16]}}]"),
      head: policy(
        "allow",
        "  action: ALLOW\n  rules:\n  - from: [{source: {ipBlocks: [10.20.4.0/24]}}]\n  - from: [{source: {ipBlocks: [10.20.0.0/17, 10.20.128.0/17]}}]",
      ),
      expected: [],
    },
    {
      name: "an ALLOW range widened, or an exempted range narrowed, still gains a rule",
      base: policy(
        "allow",
        "  action: ALLOW\n  rules:\n  - from: [{source: {ipBlocks: [10.20.4.0/24]}}]\n  - from: [{source: {notIpBlocks: [10.0.0.0/8]}}]",
      ),
      head: policy(
        "allow",
        "  action: ALLOW\n  rules:\n  - from: [{source: {ipBlocks: [10.20.0.0/16]}}]\n  - from: [{source: {notIpBlocks: [10.0.0.0/16]}}]",
      ),
      expected: [
        { class: "access.widened", side: "head", path: ["spec", "rules", 0], says: "gains an added or changed rule" },
        { class: "access.widened", side: "head", path: ["spec", "rules", 1], says: "gains an added or changed rule" },
      ],
    },
    {
      name: "a DENY range widened to its supernet still denies what it denied",
      base: policy("deny", "  action: DENY\n  rules:\n  - from: [{source: {ipBlocks: [203.0.113.0/24]}}]"),
      head: policy("deny", "  action: DENY\n  rules:\n  - from: [{source: {ipBlocks: [203.0.112.0/20]}}]"),
      expected: [],
    },
    {
      name: "a DENY rule edited to match more (a path added, an exemption dropped) still denies what it denied",
      base: policy(
        "deny",
        "  action: DENY\n  rules:\n  - from: [{source: {notPrincipals: [cluster.local/ns/ops/sa/admin]}}]\n    to: [{operation: {paths: [/admin*]}}]",
      ),
      head: policy("deny", "  action: DENY\n  rules:\n  - to: [{operation: {paths: [/admin*, /debug*]}}]"),
      expected: [],
    },
    {
      name: "deleting the only ALLOW policy opens the workloads",
      base: policy("allow", allowFrontend),
      expected: [{ class: "access.widened", side: "base", path: ["spec"], says: "no other ALLOW policy for these workloads remains" }],
    },
    {
      name: "deleting one of several ALLOW policies narrows access",
      base: policy("allow", allowFrontend),
      others: { base: [resource(policy("allow-ops", allowFrontend))], head: [resource(policy("allow-ops", allowFrontend))] },
      expected: [
        {
          class: "resource.changed",
          side: "base",
          path: ["spec"],
          says: "allow-ops still allow-list these workloads",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "deleting a namespace's allow-nothing policy beside the mesh-wide one denies nothing more (anthos-service-mesh-samples 696e89a834)",
      base: "apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\nmetadata: {name: deny-all, namespace: shop}\nspec: {}\n",
      others: {
        base: [
          resource(
            "apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\nmetadata: {name: deny-all, namespace: istio-system}\nspec: {}\n",
          ),
        ],
        head: [
          resource(
            "apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\nmetadata: {name: deny-all, namespace: istio-system}\nspec: {}\n",
          ),
        ],
      },
      expected: [
        {
          class: "resource.changed",
          side: "base",
          path: ["spec"],
          says: "removed ALLOW policy (namespace-wide in shop): it allowed nothing (an ALLOW policy without rules), and deny-all still allow-list these workloads: what they accept is unchanged",
        },
      ],
    },
    {
      name: "a namespace's allow-nothing policy added beside the mesh-wide one denies nothing more",
      head: "apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\nmetadata: {name: deny-all, namespace: shop}\nspec: {}\n",
      others: {
        base: [
          resource(
            "apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\nmetadata: {name: deny-all, namespace: istio-system}\nspec: {}\n",
          ),
        ],
        head: [
          resource(
            "apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\nmetadata: {name: deny-all, namespace: istio-system}\nspec: {}\n",
          ),
        ],
      },
      expected: [],
    },
    {
      name: "an ALLOW policy that loses its last rule beside another that allow-lists its workloads denies what only it allowed",
      base: policy("allow", allowFrontend),
      head: policy("allow", "  rules: []"),
      others: { base: [resource(policy("allow-ops", allowFrontend))], head: [resource(policy("allow-ops", allowFrontend))] },
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec"],
          says: "now allows nothing (workloads matching app=checkout in shop): allow-ops still allow-list these workloads, so requests only this policy allowed are now denied",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "deleting the only allow-nothing policy opens everything it denied",
      base: "apiVersion: security.istio.io/v1beta1\nkind: AuthorizationPolicy\nmetadata: {name: deny-all, namespace: istio-system}\nspec: {}\n",
      expected: [
        {
          class: "access.widened",
          side: "base",
          path: ["spec"],
          says: "it allowed nothing, so every request was denied; no other ALLOW policy for these workloads remains",
        },
      ],
    },
    {
      name: "an allow-nothing policy's selector moved off workloads another ALLOW policy allow-lists denies nothing more there; where it lands, everything",
      base: policy("deny-all", "  action: ALLOW"),
      head: policy("deny-all", "  action: ALLOW").replace("{app: checkout}", "{app: api}"),
      others: { base: [resource(policy("allow", allowFrontend))], head: [resource(policy("allow", allowFrontend))] },
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "selector"],
          says: "allow still allow-list the workloads it no longer selects: what they accept is unchanged",
        },
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "selector"],
          says: "it allows nothing, so every request to the workloads it now selects is denied",
          riskFloor: "high",
        },
      ],
    },
    {
      name: "a deny-all added on one cluster is not covered by another cluster's ALLOW policy: that cluster's istiod never reads it",
      head: inCluster(resource(denyAll), "prod"),
      others: { base: [inCluster(resource(namespaceAllow), "staging")], head: [inCluster(resource(namespaceAllow), "staging")] },
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec"],
          says: "added: denies every request (namespace-wide in shop): an ALLOW policy without rules allows nothing",
          riskFloor: "high",
        },
      ],
    },
    {
      name: "a deny-all removed from one cluster opens it, whatever another cluster allow-lists",
      base: inCluster(resource(denyAll), "prod"),
      others: { base: [inCluster(resource(namespaceAllow), "staging")], head: [inCluster(resource(namespaceAllow), "staging")] },
      expected: [{ class: "access.widened", side: "base", path: ["spec"], says: "it allowed nothing, so every request was denied" }],
    },
    {
      name: "a deny-all beside an ALLOW policy of the same cluster still denies nothing more",
      head: inCluster(resource(denyAll), "prod"),
      others: { base: [inCluster(resource(namespaceAllow), "prod")], head: [inCluster(resource(namespaceAllow), "prod")] },
      expected: [],
    },
    {
      name: "a deny-all added beside an ALLOW policy in dry-run mode denies every request: that one allow-lists nothing",
      head: denyAll,
      others: { base: [resource(dryRun(namespaceAllow))], head: [resource(dryRun(namespaceAllow))] },
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec"],
          says: "added: denies every request (namespace-wide in shop)",
          riskFloor: "high",
        },
      ],
    },
    {
      name: "a deny-all put in dry-run mode is as removed: nothing denies any more",
      base: denyAll,
      head: dryRun(denyAll),
      expected: [
        {
          class: "access.widened",
          side: "base",
          path: ["spec"],
          says: "put in dry-run (istio.io/dry-run), so no longer enforced: ALLOW policy (namespace-wide in shop): it allowed nothing, so every request was denied",
        },
      ],
    },
    {
      name: "a deny-all taken out of dry-run mode is as added: it now denies every request",
      base: dryRun(denyAll),
      head: denyAll,
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec"],
          says: "out of dry-run (istio.io/dry-run), so now enforced: denies every request",
          riskFloor: "high",
        },
      ],
    },
    {
      name: "a DENY policy put in dry-run mode (any ParseBool true spelling) no longer denies what it matched",
      base: policy("deny-debug", "  action: DENY\n  rules: [{to: [{operation: {ports: ['9000']}}]}]"),
      head: dryRun(policy("deny-debug", "  action: DENY\n  rules: [{to: [{operation: {ports: ['9000']}}]}]"), "True"),
      expected: [
        {
          class: "access.widened",
          side: "base",
          path: ["spec"],
          says: "put in dry-run (istio.io/dry-run), so no longer enforced: DENY policy",
        },
      ],
    },
    {
      name: "a DENY-all policy added in dry-run mode denies nothing",
      head: dryRun(policy("deny-all", "  action: DENY\n  rules: [{}]")),
      expected: [],
    },
    {
      name: "a CUSTOM policy keeps being enforced whatever istio.io/dry-run says (Istio supports it for ALLOW and DENY only)",
      base: policy("ext-authz", "  action: CUSTOM\n  provider: {name: oauth2}\n  rules: [{}]"),
      head: dryRun(policy("ext-authz", "  action: CUSTOM\n  provider: {name: oauth2}\n  rules: [{}]")),
      expected: [],
    },
    {
      name: "a waypoint's deny-all removed beside a namespace-wide ALLOW policy opens the waypoint: a policy without targetRefs is not applied there",
      base: waypointPolicy("waypoint-deny-all", ""),
      others: { base: [resource(namespaceAllow)], head: [resource(namespaceAllow)] },
      expected: [
        {
          class: "access.widened",
          side: "base",
          path: ["spec"],
          says: "removed ALLOW policy (its targetRefs in shop): it allowed nothing, so every request was denied",
        },
      ],
    },
    {
      name: "a waypoint's deny-all removed beside another ALLOW policy on that waypoint denies nothing more",
      base: waypointPolicy("waypoint-deny-all", ""),
      others: {
        base: [resource(waypointPolicy("allow-web", allowFrontend))],
        head: [resource(waypointPolicy("allow-web", allowFrontend))],
      },
      expected: [
        {
          class: "resource.changed",
          side: "base",
          path: ["spec"],
          says: "allow-web still allow-list these workloads: what they accept is unchanged",
        },
      ],
    },
    {
      name: "an ALLOW policy added beside another widens",
      head: policy("allow-all", "  rules: [{}]"),
      others: { base: [resource(policy("allow", allowFrontend))], head: [resource(policy("allow", allowFrontend))] },
      expected: [{ class: "access.widened", side: "head", path: ["spec"], says: "beside allow: ALLOW policies combine" }],
    },
    {
      name: "a namespace-wide ALLOW policy added beside a workload's own widens that workload's access: ALLOW policies combine",
      head: policy("allow-debug", "  action: ALLOW\n  rules: [{}]").replace("  selector: {matchLabels: {app: checkout}}\n", ""),
      others: { base: [resource(policy("allow", allowFrontend))], head: [resource(policy("allow", allowFrontend))] },
      // Its empty rule allows every request: the workloads only it selects are allow-listed to everything.
      expected: [
        { class: "access.widened", side: "head", path: ["spec"], says: "beside allow: ALLOW policies combine, so it admits an empty rule" },
      ],
    },
    {
      name: "an ALLOW policy's selector removed beside a workload's own policy widens that workload's access: ALLOW policies combine",
      base: policy("allow-monitoring", "  action: ALLOW\n  rules: [{from: [{source: {namespaces: [monitoring]}}]}]").replace(
        "{app: checkout}",
        "{app: metrics}",
      ),
      head: policy("allow-monitoring", "  action: ALLOW\n  rules: [{from: [{source: {namespaces: [monitoring]}}]}]").replace(
        "  selector: {matchLabels: {app: checkout}}\n",
        "",
      ),
      others: { base: [resource(policy("allow", allowFrontend))], head: [resource(policy("allow", allowFrontend))] },
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec"],
          says: "workloads it now selects are allow-listed by allow too, and ALLOW policies combine, so they now also admit an added or changed rule",
        },
      ],
    },
    {
      name: "a first ALLOW policy with an empty rule {} allows every request: it narrows nothing",
      head: policy("allow-all", "  rules: [{}]"),
      expected: [],
    },
    {
      name: "a policy of fewer labels added beside one of more widens the workloads of more; one of other labels does not",
      head: policy("allow-tier", allowFrontend).replace("{app: checkout}", "{tier: web}"),
      others: {
        base: [resource(policy("allow", allowFrontend).replace("{app: checkout}", "{tier: web, app: checkout}"))],
        head: [resource(policy("allow", allowFrontend).replace("{app: checkout}", "{tier: web, app: checkout}"))],
      },
      expected: [
        narrowedForTheRest,
        { class: "access.widened", side: "head", path: ["spec"], says: "beside allow: ALLOW policies combine" },
      ],
    },
    {
      name: "an ALLOW policy added beside one of disjoint workloads is the first for its own",
      head: policy("allow-api", allowFrontend).replace("{app: checkout}", "{app: api}"),
      others: { base: [resource(policy("allow", allowFrontend))], head: [resource(policy("allow", allowFrontend))] },
      expected: [{ class: "resource.changed", side: "head", path: ["spec"], says: "the first for these workloads", riskFloor: "medium" }],
    },
    {
      name: "an ALLOW policy added with a namespace-wide allow-nothing policy, where the base allowed everything, narrows with it (istio-tutorial 5faa8a04)",
      head: policy("customer-viewer", getOnly),
      others: { base: [], head: [resource(policy("deny-all", "").replace("  selector: {matchLabels: {app: checkout}}\n", ""))] },
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec"],
          says: "the first for these workloads in this repository, with deny-all added beside it: requests none of their rules match are now denied",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "an ALLOW policy's selector widened onto workloads only an ALLOW policy added in this PR allow-lists: no widening, an allow-list",
      base: policy("allow-monitoring", "  action: ALLOW\n  rules: [{from: [{source: {namespaces: [monitoring]}}]}]").replace(
        "{app: checkout}",
        "{app: metrics}",
      ),
      head: policy("allow-monitoring", "  action: ALLOW\n  rules: [{from: [{source: {namespaces: [monitoring]}}]}]").replace(
        "  selector: {matchLabels: {app: checkout}}\n",
        "",
      ),
      others: { base: [], head: [resource(policy("allow", allowFrontend))] },
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec"],
          says: "the workloads it now selects are allow-listed by it, so requests its rules do not match are denied for them",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "a first ALLOW policy narrows to an allow-list: requests outside it are now denied",
      head: policy("allow", allowFrontend),
      expected: [{ class: "resource.changed", side: "head", path: ["spec"], says: "the first for these workloads", riskFloor: "medium" }],
    },
    {
      name: "an allow-nothing policy (ALLOW without rules) added in the root namespace denies every request of the mesh (acm e476489)",
      head: `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-all, namespace: istio-system}
spec: {}`,
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec"],
          says: "added: denies every request (mesh-wide (root namespace istio-system)): an ALLOW policy without rules allows nothing",
          riskFloor: "high",
        },
      ],
    },
    {
      name: "an ALLOW policy that loses its last rule, or a DENY policy that gains an empty rule, now denies everything in its scope",
      base: policy("allow", allowFrontend),
      head: policy("allow", "  rules: []"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec"],
          says: "now denies every request (workloads matching app=checkout in shop)",
          riskFloor: "high",
        },
      ],
    },
    {
      name: "a DENY policy matching every request",
      base: policy("deny", "  action: DENY\n  rules:\n  - to: [{operation: {paths: [/admin*]}}]"),
      head: policy("deny", "  action: DENY\n  rules:\n  - to: [{operation: {paths: [/admin*]}}]\n  - {}"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec"],
          says: "a DENY policy with an empty rule {} matches every request",
          riskFloor: "high",
        },
      ],
    },
    {
      name: "a CUSTOM policy that asks another extension provider",
      base: policy("ext", "  action: CUSTOM\n  provider: {name: oauth2-proxy}\n  rules: [{to: [{operation: {paths: [/admin*]}}]}]"),
      head: policy("ext", "  action: CUSTOM\n  provider: {name: noop-authz}\n  rules: [{to: [{operation: {paths: [/admin*]}}]}]"),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "provider", "name"],
          says: "CUSTOM policy (workloads matching app=checkout in shop) now asks extension provider noop-authz (was oauth2-proxy)",
        },
      ],
    },
    {
      name: "rules and principals reordered is cosmetic",
      base: policy("allow", "  rules:\n  - from: [{source: {principals: [a, b]}}]\n  - to: [{operation: {methods: [GET]}}]"),
      head: policy(
        "allow",
        "  action: ALLOW\n  rules:\n  - to: [{operation: {methods: [GET]}}]\n  - from: [{source: {principals: [b, a]}}]",
      ),
      expected: [],
    },
  ]);
});

describe("RequestAuthentication: the token issuers a workload honours are trust anchors", () => {
  const authn = (name: string, rules: string, selector = "  selector: {matchLabels: {app: checkout}}\n", namespace = "shop") => `
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: ${name}, namespace: ${namespace}}
spec:
${selector}  jwtRules:
${rules}`;
  const AUTH = "  - {issuer: https://auth.example.com, jwksUri: https://auth.example.com/jwks, audiences: [checkout]}\n";
  const OTHER = "  - {issuer: https://other.example.org}\n";
  const RULE = ["spec", "jwtRules", 0];
  run([
    {
      name: "another issuer: its keys mint identities AuthorizationPolicies honour; the old issuer's callers are refused",
      base: authn("jwt", AUTH),
      head: authn("jwt", AUTH.replace("issuer: https://auth.example.com", "issuer: https://evil.example.net")),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: RULE,
          says: "tokens issued by https://evil.example.net (keys: https://auth.example.com/jwks) now authenticate requests (workloads matching app=checkout in shop), beside https://auth.example.com",
        },
        {
          class: "resource.changed",
          side: "base",
          path: RULE,
          says: "no longer validates tokens issued by https://auth.example.com",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "keys fetched from another host",
      base: authn("jwt", AUTH),
      head: authn("jwt", AUTH.replace("jwksUri: https://auth.example.com/jwks", "jwksUri: https://keys.evil.net/jwks")),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: RULE,
          says: "keys for tokens issued by https://auth.example.com now come from https://keys.evil.net/jwks (was https://auth.example.com/jwks",
        },
      ],
    },
    {
      name: "keys moved on the issuer's own host, or left to its discovery: the same signer",
      base: authn("jwt", AUTH),
      head: authn("jwt", AUTH.replace("jwksUri: https://auth.example.com/jwks, ", "")),
      expected: [],
    },
    {
      name: "an issuer added beside the one trusted",
      base: authn("jwt", AUTH),
      head: authn("jwt", AUTH + OTHER),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "jwtRules", 1],
          says: "tokens issued by https://other.example.org (keys: https://other.example.org's OpenID discovery) now authenticate requests",
        },
      ],
    },
    {
      name: "audiences widened",
      base: authn("jwt", AUTH),
      head: authn("jwt", AUTH.replace("[checkout]", "[checkout, billing]")),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: RULE,
          says: "tokens issued by https://auth.example.com for billing are now accepted",
        },
      ],
    },
    {
      name: "audiences dropped: no audience check at all",
      base: authn("jwt", AUTH),
      head: authn("jwt", AUTH.replace(", audiences: [checkout]", "")),
      expected: [{ class: "access.widened", side: "head", path: RULE, says: "for any audience are now accepted" }],
    },
    {
      name: "the first policy of its workloads: a new requirement, not a new anchor beside others",
      head: authn("jwt", AUTH),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: RULE,
          says: "now validates tokens issued by https://auth.example.com",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "a policy added where a namespace-wide one already validates tokens: its issuer is trusted beside that one's",
      others: { base: [resource(authn("ns", OTHER, ""))], head: [resource(authn("ns", OTHER, ""))] },
      head: authn("jwt", AUTH),
      expected: [{ class: "trust.changed", side: "head", path: RULE, says: "beside https://other.example.org" }],
    },
    {
      name: "removed while a sibling policy of the same workloads still trusts its issuer: nothing changes",
      others: { base: [resource(authn("jwt-2", AUTH))], head: [resource(authn("jwt-2", AUTH))] },
      base: authn("jwt", AUTH),
      expected: [],
    },
    {
      name: "removed: its issuer's callers are refused",
      base: authn("jwt", AUTH),
      expected: [
        {
          class: "resource.changed",
          side: "base",
          path: RULE,
          says: "no longer validates tokens issued by https://auth.example.com",
          riskFloor: "medium",
        },
      ],
    },
  ]);

  it("renamed: the same workloads trust the same issuers", () => {
    expect(detect(istioDetector, authn("jwt", AUTH), undefined, { head: [resource(authn("jwt-v2", AUTH))] })).toEqual([]);
    expect(detect(istioDetector, undefined, authn("jwt-v2", AUTH), { base: [resource(authn("jwt", AUTH))] })).toEqual([]);
  });
});

describe("WorkloadEntry: an endpoint of the ServiceEntries that select it", () => {
  const SERVICE_ENTRY = resource(`
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: db, namespace: shop}
spec:
  hosts: [db.internal]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 5432, name: tcp, protocol: TCP}]
  workloadSelector: {labels: {app: db}}
`);
  const entry = (name: string, fields: string) => `
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: ${name}, namespace: shop}
spec: {${fields}}
`;
  const VM1 = "address: 10.0.0.1, labels: {app: db}, locality: us-east1/us-east1-b";
  const VM2 = resource(entry("vm2", "address: 10.0.0.2, labels: {app: db}, locality: us-east1/us-east1-c"));
  const run = detectorTable(istioDetector, { base: [SERVICE_ENTRY], head: [SERVICE_ENTRY] });
  run([
    {
      name: "moved to another region: the hosts gain backends there and lose them where it was",
      base: entry("vm1", VM1),
      head: entry("vm1", VM1.replace("us-east1/us-east1-b", "europe-west1/europe-west1-b")),
      expected: [
        {
          class: "backend.region-added",
          side: "head",
          path: ["spec", "locality"],
          says: "endpoint 10.0.0.1 in region europe-west1: db.internal gains backends there",
        },
        {
          class: "backend.region-removed",
          side: "base",
          path: ["spec", "locality"],
          says: "no endpoint of db.internal left in region us-east1",
        },
      ],
    },
    {
      name: "moved to another zone of a region another endpoint keeps: no region moves",
      others: { base: [VM2], head: [VM2] },
      base: entry("vm1", VM1),
      head: entry("vm1", VM1.replace("us-east1-b", "us-east1-d")),
      expected: [],
    },
    {
      name: "joins beside an endpoint of the same region",
      others: { base: [VM2], head: [VM2] },
      head: entry("vm1", VM1),
      expected: [{ class: "backend.added", side: "head", path: ["spec", "labels"], says: "endpoint 10.0.0.1 joins db.internal" }],
    },
    {
      name: "leaves while another endpoint serves the hosts",
      others: { base: [VM2], head: [VM2] },
      base: entry("vm1", VM1),
      head: entry("vm1", VM1.replace("app: db", "app: cache")),
      expected: [{ class: "backend.weight-changed", side: "base", path: ["spec"], says: "endpoint 10.0.0.1 leaves db.internal" }],
    },
    {
      name: "the last endpoint removed",
      base: entry("vm1", VM1),
      expected: [
        { class: "backend.all-removed", side: "base", path: ["spec"], says: "was the last endpoint of db.internal (ServiceEntry shop/db)" },
      ],
    },
    {
      name: "another address, another weight",
      base: entry("vm1", VM1),
      head: entry("vm1", `${VM1.replace("10.0.0.1", "10.9.9.9")}, weight: 100`),
      expected: [
        { class: "backend.weight-changed", side: "head", path: ["spec", "address"], says: "address 10.0.0.1 → 10.9.9.9" },
        { class: "backend.weight-changed", side: "head", path: ["spec", "weight"], says: "load-balancing weight (unset) → 100" },
      ],
    },
  ]);

  it("an entry no ServiceEntry here selects is judged on its own fields; one whose ServiceEntry leaves with it, on the ServiceEntry", () => {
    const alone = (fields: string) => entry("vm1", fields.replace("app: db", "app: billing"));
    expectDetections(
      detect(istioDetector, alone(VM1), alone(VM1.replace("10.0.0.1", "10.9.9.9")), { base: [SERVICE_ENTRY], head: [SERVICE_ENTRY] }),
      [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "address"],
          says: "no ServiceEntry in the repository selects it",
          riskFloor: "medium",
        },
      ],
    );
    expect(detect(istioDetector, entry("vm1", VM1), undefined, { base: [SERVICE_ENTRY] })).toEqual([]);
  });
});

describe("VirtualService redirect, directResponse and rewrite", () => {
  const ROUTE = "  - route: [{destination: {host: checkout}}]";
  run([
    {
      name: "a redirect in place of the destination: the rule's requests go elsewhere",
      base: virtualService(ROUTE),
      head: virtualService("  - redirect: {authority: checkout.example.net}"),
      expected: [
        {
          class: "route.match-changed",
          side: "head",
          path: ["spec", "http", 0, "redirect"],
          says: "http rule (all requests): redirect added ({authority=checkout.example.net}): matching requests are redirected instead of forwarded",
        },
      ],
    },
    {
      name: "a redirect's target changed",
      base: virtualService("  - redirect: {authority: a.example.net}"),
      head: virtualService("  - redirect: {authority: b.example.net}"),
      expected: [
        {
          class: "route.match-changed",
          side: "head",
          path: ["spec", "http", 0, "redirect"],
          says: "redirect authority a.example.net → b.example.net",
        },
      ],
    },
    {
      name: "a rewrite of the authority the destination sees",
      base: virtualService(ROUTE),
      head: virtualService(`${ROUTE}\n    rewrite: {authority: checkout.internal}`),
      expected: [{ class: "route.match-changed", side: "head", path: ["spec", "http", 0, "rewrite"], says: "rewrite added" }],
    },
    {
      name: "a rewrite to the very prefix the rule matches does nothing: adding or dropping it moves no request",
      base: virtualService("  - match: [{uri: {prefix: /api}}]\n    route: [{destination: {host: checkout}}]"),
      head: virtualService("  - match: [{uri: {prefix: /api}}]\n    rewrite: {uri: /api}\n    route: [{destination: {host: checkout}}]"),
      expected: [],
    },
    {
      name: "a rewrite of the matched prefix to another path",
      base: virtualService("  - match: [{uri: {prefix: /api}}]\n    rewrite: {uri: /api}\n    route: [{destination: {host: checkout}}]"),
      head: virtualService("  - match: [{uri: {prefix: /api}}]\n    rewrite: {uri: /}\n    route: [{destination: {host: checkout}}]"),
      expected: [{ class: "route.match-changed", side: "head", path: ["spec", "http", 0, "rewrite"], says: "rewrite added ({uri=/})" }],
    },
    {
      name: "a direct response in place of the destination, and back",
      base: virtualService(ROUTE),
      head: virtualService("  - directResponse: {status: 503}"),
      expected: [
        {
          class: "route.match-changed",
          side: "head",
          path: ["spec", "http", 0, "directResponse"],
          says: "directResponse added ({status=503}): matching requests are answered by the proxy itself",
        },
      ],
    },
    {
      name: "a direct response edited in place answers the same requests: no route moved",
      base: virtualService("  - directResponse: {status: 503}"),
      head: virtualService("  - directResponse: {status: 503, body: {string: back soon}}"),
      expected: [],
    },
  ]);
});

describe("VirtualService request headers: who a request says it is", () => {
  const edited = (headers: string, on = "rule") =>
    on === "rule"
      ? virtualService(`  - route: [{destination: {host: checkout}}]\n    headers: {request: ${headers}}`)
      : virtualService(`  - route: [{destination: {host: checkout}, headers: {request: ${headers}}}]`);
  run([
    {
      name: "an identity header set on every request is access.widened",
      base: edited("{set: {x-request-source: edge}}"),
      head: edited("{set: {x-request-source: edge, X-Forwarded-User: admin}}"),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "http", 0, "headers", "request", "set", "X-Forwarded-User"],
          says: "headers.request sets x-forwarded-user: admin on every request",
        },
      ],
    },
    {
      name: "the Authorization header removed on a destination is medium",
      base: edited("{remove: [x-debug]}", "destination"),
      head: edited("{remove: [x-debug, Authorization]}", "destination"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "http", 0, "route", 0, "headers", "request", "remove"],
          says: "removes the Authorization header",
          riskFloor: "medium",
        },
      ],
    },
  ]);
});

describe("VirtualService corsPolicy", () => {
  const cors = (origins: string) =>
    virtualService(`  - route: [{destination: {host: checkout}}]\n    corsPolicy: {allowOrigins: [${origins}], allowCredentials: true}`);
  run([
    {
      name: "a regex that matches every origin is access.widened",
      base: cors("{exact: https://shop.example.com}"),
      head: cors("{exact: https://shop.example.com}, {regex: '.*'}"),
      expected: [
        { class: "access.widened", side: "head", path: ["spec", "http", 0, "corsPolicy"], says: "CORS allows every origin (regex:.*)" },
      ],
    },
    {
      name: "another exact origin is medium; the deprecated allowOrigin strings read as exact ones",
      base: virtualService("  - route: [{destination: {host: checkout}}]\n    corsPolicy: {allowOrigin: [https://shop.example.com]}"),
      head: cors("{exact: https://shop.example.com}, {exact: https://partner.example.org}"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "http", 0, "corsPolicy"],
          says: "CORS allows exact:https://partner.example.org",
          riskFloor: "medium",
        },
      ],
    },
  ]);
});

describe("Sidecar", () => {
  const sidecar = (body: string) => `
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: shop}
spec:
${body}`;
  const locked = "  outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n  egress: [{hosts: ['./*', 'istio-system/*']}]";
  run([
    {
      name: "REGISTRY_ONLY → ALLOW_ANY",
      base: sidecar(locked),
      head: sidecar("  outboundTrafficPolicy: {mode: ALLOW_ANY}\n  egress: [{hosts: ['./*', 'istio-system/*']}]"),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "outboundTrafficPolicy", "mode"],
          says: "REGISTRY_ONLY → ALLOW_ANY: workloads can call any external host",
        },
      ],
    },
    {
      name: "egress hosts */*",
      base: sidecar(locked),
      head: sidecar("  outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n  egress: [{hosts: ['*/*']}]"),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "egress"],
          says: "egress hosts gain */*: workloads can reach every service of the mesh",
        },
      ],
    },
    {
      name: "egress hosts gain one namespace's services: a wider reach, medium (a telemetry collector's namespace, as workloads often need)",
      base: sidecar(locked),
      head: sidecar("  outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n  egress: [{hosts: ['./*', 'istio-system/*', 'observability/*']}]"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "egress"],
          says: "egress hosts gain observability/*: workloads can reach every service in those namespaces",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "egress hosts narrowed: calls to what is no longer imported fail (gitops-istio's prod Sidecar, in a mutation sweep)",
      base: sidecar(locked),
      head: sidecar("  outboundTrafficPolicy: {mode: REGISTRY_ONLY}\n  egress: [{hosts: ['istio-system/*']}]"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "egress"],
          says: "egress hosts lose ./*: its workloads' calls to those services fail, or bypass the mesh's routes and mTLS",
          riskFloor: "medium-high",
        },
      ],
    },
    {
      name: "an ingress listener that stops terminating TLS takes plain text; one that keeps TLS in another mode does not",
      base: sidecar(
        "  ingress: [{port: {number: 8443, protocol: HTTPS, name: https}, defaultEndpoint: '127.0.0.1:8080', tls: {mode: SIMPLE, credentialName: web}}, {port: {number: 9443, protocol: HTTPS, name: admin}, defaultEndpoint: '127.0.0.1:9090', tls: {mode: MUTUAL, credentialName: admin}}]",
      ),
      head: sidecar(
        "  ingress: [{port: {number: 8443, protocol: HTTP, name: http}, defaultEndpoint: '127.0.0.1:8080'}, {port: {number: 9443, protocol: HTTPS, name: admin}, defaultEndpoint: '127.0.0.1:9090', tls: {mode: SIMPLE, credentialName: admin}}]",
      ),
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: ["spec", "ingress", 0],
          says: "ingress port 8443: tls SIMPLE → (unset): the sidecar takes plain text from callers on it",
        },
      ],
    },
    {
      name: "a host dropped that a kept one covers is no narrowing",
      base: sidecar("  egress: [{hosts: ['*/*', 'istio-system/*']}]"),
      head: sidecar("  egress: [{hosts: ['*/*']}]"),
      expected: [],
    },
    {
      name: "removing a locked-down Sidecar opens egress and visibility",
      base: sidecar(locked),
      expected: [
        {
          class: "access.widened",
          side: "base",
          path: ["spec", "outboundTrafficPolicy", "mode"],
          says: "egress falls back to the mesh default",
        },
        { class: "access.widened", side: "base", path: ["spec", "egress"], says: "gain */*" },
      ],
    },
  ]);
});

describe("EnvoyFilter and WasmPlugin: proxy extensions the review cannot model", () => {
  const envoyFilter = (namespace: string, body: string) => `
apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: lua, namespace: ${namespace}, labels: {team: edge}}
spec:
${body}`;
  const lua = (header: string) => `  workloadSelector: {labels: {istio: ingressgateway}}
  configPatches:
  - applyTo: HTTP_FILTER
    match: {context: GATEWAY}
    patch:
      operation: INSERT_BEFORE
      value: {name: envoy.lua, typed_config: {inlineCode: "function envoy_on_request(r) r:headers():add('${header}', '1') end"}}`;
  const wasm = (url: string, selector = "  selector: {matchLabels: {app: checkout}}\n") => `
apiVersion: extensions.istio.io/v1alpha1
kind: WasmPlugin
metadata: {name: auth, namespace: shop}
spec:
${selector}  url: ${url}
  phase: AUTHN`;
  run([
    {
      name: "an EnvoyFilter's patch changes: high, naming the proxies it reaches",
      base: envoyFilter("istio-system", lua("x-a")),
      head: envoyFilter("istio-system", lua("x-b")),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "configPatches"],
          says: "spec.configPatches changed: now patches Envoy's configuration (HTTP_FILTER INSERT_BEFORE at GATEWAY) for workloads matching istio=ingressgateway in every namespace (root namespace istio-system)",
          riskFloor: "high",
        },
      ],
    },
    {
      name: "a selector-less EnvoyFilter added in the root namespace reaches every proxy of the mesh",
      head: envoyFilter(
        "istio-system",
        "  configPatches:\n  - {applyTo: CLUSTER, match: {context: SIDECAR_OUTBOUND}, patch: {operation: MERGE}}",
      ),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec"],
          says: "added: patches Envoy's configuration (CLUSTER MERGE at SIDECAR_OUTBOUND) for every proxy of the mesh",
          riskFloor: "high",
        },
      ],
    },
    {
      name: "an EnvoyFilter removed from a namespace",
      base: envoyFilter("shop", lua("x-a").replace("  workloadSelector: {labels: {istio: ingressgateway}}\n", "")),
      expected: [
        {
          class: "resource.changed",
          side: "base",
          path: ["spec"],
          says: "removed: patches Envoy's configuration (HTTP_FILTER INSERT_BEFORE at GATEWAY) no longer applies to every proxy in namespace shop",
          riskFloor: "high",
        },
      ],
    },
    {
      name: "Istio 1.0–1.3's form: filters selected by workloadLabels",
      base: envoyFilter(
        "istio-system",
        "  workloadLabels: {app: istio-ingressgateway}\n  filters:\n  - {listenerMatch: {listenerType: GATEWAY}, filterName: envoy.lua, filterType: HTTP}",
      ),
      expected: [
        {
          class: "resource.changed",
          side: "base",
          path: ["spec"],
          says: "removed: patches Envoy's configuration (HTTP filter envoy.lua at GATEWAY) no longer applies to workloads matching app=istio-ingressgateway in every namespace",
          riskFloor: "high",
        },
      ],
    },
    {
      name: "its labels alone change nothing the proxies run",
      base: envoyFilter("istio-system", lua("x-a")),
      head: envoyFilter("istio-system", lua("x-a")).replace("team: edge", "team: platform"),
      expected: [],
    },
    {
      name: "a WasmPlugin's module and its selection change",
      base: wasm("oci://registry.example.com/auth:1.0"),
      head: wasm("oci://registry.example.com/auth:2.0", "  selector: {matchLabels: {app: payments}}\n"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec"],
          says: "spec.selector, spec.url changed: now runs Wasm oci://registry.example.com/auth:2.0 in phase AUTHN in the request path for workloads matching app=payments in namespace shop (was workloads matching app=checkout in namespace shop)",
          riskFloor: "high",
        },
      ],
    },
  ]);
});

describe("EnvoyFilter: Envoy's deprecated filter names, where istiod matched both spellings", () => {
  const filter = (proxyVersion: string | undefined, network: string, http: string, value = "envoy.ratelimit") => `
apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: stats, namespace: istio-system}
spec:
  configPatches:
  - applyTo: HTTP_FILTER
    match:
      context: GATEWAY
${proxyVersion === undefined ? "" : `      proxy: {proxyVersion: '${proxyVersion}'}\n`}      listener:
        filterChain:
          filter:
            name: ${network}
            subFilter: {name: ${http}}
    patch:
      operation: INSERT_BEFORE
      value: {name: ${value}}`;
  const deprecated = (proxyVersion?: string) => filter(proxyVersion, "envoy.http_connection_manager", "envoy.router");
  const canonical = (proxyVersion?: string) =>
    filter(proxyVersion, "envoy.filters.network.http_connection_manager", "envoy.filters.http.router");
  const high = [
    { class: "resource.changed", side: "head", path: ["spec", "configPatches"], says: "spec.configPatches changed", riskFloor: "high" },
  ] as const;
  run([
    {
      name: "proxies 1.8 (istiod 1.8–1.18 matched either spelling): the same patch (istio fbde05e757)",
      base: deprecated("^1\\.8.*"),
      head: canonical("^1\\.8.*"),
      expected: [],
    },
    {
      name: "no proxy version: since Istio 1.19 the deprecated name matched nothing, and the patch now applies",
      base: deprecated(),
      head: canonical(),
      expected: high,
    },
    {
      name: "a proxy version that also picks 1.17 and later (1.1x): the patch may now apply",
      base: deprecated("^1\\.1.*"),
      head: canonical("^1\\.1.*"),
      expected: high,
    },
    {
      name: "proxies 1.7 (istiod matched only the spelling it generated)",
      base: deprecated("^1\\.7.*"),
      head: canonical("^1\\.7.*"),
      expected: high,
    },
    {
      name: "respelled where both matched, but the filter it inserts changed too",
      base: deprecated("^1\\.9.*"),
      head: filter("^1\\.9.*", "envoy.filters.network.http_connection_manager", "envoy.filters.http.router", "envoy.lua"),
      expected: high,
    },
    {
      name: "another filter matched, though both spellings are read alike",
      base: deprecated("^1\\.9.*"),
      head: filter("^1\\.9.*", "envoy.filters.network.http_connection_manager", "envoy.filters.http.fault"),
      expected: high,
    },
  ]);
});

describe("a WasmPlugin's module moved to another version of a source render.trusted names", () => {
  const plugin = (url: string) =>
    `apiVersion: extensions.istio.io/v1alpha1\nkind: WasmPlugin\nmetadata: {name: auth, namespace: shop}\nspec:\n  selector: {matchLabels: {app: checkout}}\n  url: ${url}\n  phase: AUTHN\n`;
  const judged = (overlay: string) =>
    analyze(
      { "wasm.yaml": plugin("registry.example.com/auth:1.0") },
      { "wasm.yaml": plugin("registry.example.com/auth:2.0") },
      overlay,
    ).findings.map((finding) => [finding.risk, finding.summary]);

  it("trusted: low; untrusted: high", () => {
    expect(judged('render: { trusted: ["oci://registry.example.com/*"] }\n')).toEqual([
      [
        "low",
        "WasmPlugin shop/auth: Wasm module version bump of a trusted source (render.trusted): registry.example.com/auth:1.0 → registry.example.com/auth:2.0, run for workloads matching app=checkout in namespace shop",
      ],
    ]);
    expect(judged("")[0]?.[0]).toBe("high");
  });

  it("its sha256 left at the old version's checksum: high, the module fails verification (failStrategy FAIL_CLOSE)", () => {
    const checked = (url: string) => `${plugin(url)}  sha256: ${"a".repeat(64)}\n`;
    const [finding] = analyze(
      { "wasm.yaml": checked("oci://ghcr.io/acme/auth:0.1.0") },
      { "wasm.yaml": checked("oci://ghcr.io/acme/auth:0.2.0") },
      'render: { trusted: ["oci://ghcr.io/acme/**"] }\n',
    ).findings;
    expect([finding?.risk, finding?.summary]).toEqual([
      "high",
      "WasmPlugin shop/auth: spec.url changed: now runs Wasm oci://ghcr.io/acme/auth:0.2.0 in phase AUTHN in the request path for workloads matching app=checkout in namespace shop; its sha256 was left at the checksum of oci://ghcr.io/acme/auth:0.1.0: oci://ghcr.io/acme/auth:0.2.0 fails verification against it and is not loaded, which fails the requests it sits in unless it is set to fail open",
    ]);
  });
});

describe("TrafficExtension (extensions.istio.io/v1alpha1): Wasm or Lua in the request path, as a WasmPlugin", () => {
  const extension = (code: string, phase = "AUTHN") => `
apiVersion: extensions.istio.io/v1alpha1
kind: TrafficExtension
metadata: {name: header-injector, namespace: shop}
spec:
  selector: {matchLabels: {app: productpage}}
  phase: ${phase}
${code}`;
  const lua = (header: string) =>
    `  lua:\n    inlineCode: |\n      function envoy_on_request(request_handle)\n        request_handle:headers():add("${header}", "true")\n      end\n`;
  run([
    {
      name: "added: code runs for the workloads it selects (high)",
      head: extension(lua("x-lua-injected")),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec"],
          says: "added: runs Lua code in phase AUTHN in the request path for workloads matching app=productpage in namespace shop",
          riskFloor: "high",
        },
      ],
    },
    {
      name: "its code or its phase changes: high",
      base: extension(lua("x-a")),
      head: extension("  wasm: {url: oci://registry.example.com/authz:1.0}\n", "AUTHZ"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec"],
          says: "spec.lua, spec.phase, spec.wasm changed: now runs Wasm oci://registry.example.com/authz:1.0 in phase AUTHZ in the request path",
          riskFloor: "high",
        },
      ],
    },
  ]);
});

describe("a security policy kept by name that selects other workloads", () => {
  const authorization = (selector: string, body: string) => `
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: guard, namespace: shop}
spec:
${selector}${body}`;
  const peer = (name: string, selector: string, mode: string) => `
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: ${name}, namespace: shop}
spec:
${selector}  mtls: {mode: ${mode}}`;
  const checkout = "  selector: {matchLabels: {app: checkout}}\n";
  const checkoutWeb = "  selector: {matchLabels: {app: checkout, tier: web}}\n";
  const deny = "  action: DENY\n  rules: [{to: [{operation: {paths: [/admin*]}}]}]";
  const allow = "  action: ALLOW\n  rules: [{from: [{source: {principals: [cluster.local/ns/shop/sa/frontend]}}]}]";
  const SELECTOR = ["spec", "selector"];
  run([
    {
      name: "a DENY policy whose selector gains a label no longer denies the workloads without it",
      base: authorization(checkout, deny),
      head: authorization(checkoutWeb, deny),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: SELECTOR,
          says: "DENY policy selector app=checkout → selector app=checkout, tier=web: for the workloads it selected and no longer does, requests its rules denied are no longer denied",
        },
      ],
    },
    {
      name: "a DENY policy whose selector drops a label denies more workloads (medium)",
      base: authorization(checkoutWeb, deny),
      head: authorization(checkout, deny),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: SELECTOR,
          says: "the workloads it now selects are denied what its rules match",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "an ALLOW policy that selects other workloads leaves those it selected without an allow-list, and allow-lists others",
      base: authorization(checkout, allow),
      head: authorization("  selector: {matchLabels: {app: payments}}\n", allow),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: SELECTOR,
          says: "have no other ALLOW policy in this repository, and workloads without any ALLOW policy accept every request that is not denied",
        },
        {
          class: "resource.changed",
          side: "head",
          path: SELECTOR,
          says: "the workloads it now selects are allow-listed by it",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "an ALLOW policy narrowed beside another that allow-lists the same workloads only denies more (medium)",
      base: authorization(checkout, allow),
      head: authorization(checkoutWeb, allow),
      others: {
        base: [resource(authorization(checkout, allow).replace("name: guard", "name: also"))],
        head: [resource(authorization(checkout, allow).replace("name: guard", "name: also"))],
      },
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: SELECTOR,
          says: "also still allow-list the workloads it no longer selects, so requests only this policy allowed are now denied for them",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "a selector written in another order is no change",
      base: authorization("  selector: {matchLabels: {app: checkout, tier: web}}\n", deny),
      head: authorization("  selector: {matchLabels: {tier: web, app: checkout}}\n", deny),
      expected: [],
    },
    {
      name: "a STRICT workload policy narrowed leaves the workloads it no longer selects to the namespace's PERMISSIVE",
      base: peer("strict-checkout", checkout, "STRICT"),
      head: peer("strict-checkout", checkoutWeb, "STRICT"),
      others: { base: [resource(peer("default", "", "PERMISSIVE"))], head: [resource(peer("default", "", "PERMISSIVE"))] },
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: SELECTOR,
          says: "selector app=checkout → selector app=checkout, tier=web: workloads it selected and no longer does fall back to PERMISSIVE from namespace policy default, so plaintext is accepted",
        },
      ],
    },
    {
      name: "a PERMISSIVE workload policy widened takes workloads out of the namespace's STRICT",
      base: peer("lenient", checkoutWeb, "PERMISSIVE"),
      head: peer("lenient", checkout, "PERMISSIVE"),
      others: { base: [resource(peer("default", "", "STRICT"))], head: [resource(peer("default", "", "STRICT"))] },
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: SELECTOR,
          says: "workloads it now selects had STRICT from namespace policy default and now PERMISSIVE, so plaintext is accepted",
        },
      ],
    },
    {
      name: "a STRICT namespace policy narrowed to some workloads leaves the rest to the mesh default",
      base: peer("default", "", "STRICT"),
      head: peer("default", checkout, "STRICT"),
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: SELECTOR,
          says: "the whole namespace → selector app=checkout: workloads it selected and no longer does fall back to PERMISSIVE from Istio's default",
        },
      ],
    },
  ]);
});

describe("a DestinationRule kept by name that applies to another host", () => {
  const rule = (host: string, policy: string) => `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: partner, namespace: shop}
spec:
  host: ${host}
  trafficPolicy:
${policy}`;
  const partners = resource(`
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: partners, namespace: shop}
spec:
  hosts: [api.partner.com, api2.partner.com]
  location: MESH_EXTERNAL
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: DNS`);
  const TLS = ["spec", "trafficPolicy", "tls", "mode"];
  run([
    {
      name: "is judged as the rule leaving one host and taking another: TLS origination stops for the host it left",
      base: rule("api.partner.com", "    tls: {mode: SIMPLE}"),
      head: rule("api2.partner.com", "    tls: {mode: SIMPLE}"),
      others: { base: [partners], head: [partners] },
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: TLS,
          says: "no longer applies to host api.partner.com: trafficPolicy tls.mode SIMPLE → (no TLS origination)",
        },
        {
          class: "resource.changed",
          side: "head",
          path: TLS,
          says: "now applies to host api2.partner.com: trafficPolicy tls.mode SIMPLE",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "a host written another way is the same host: no change",
      base: rule("reviews", "    tls: {mode: ISTIO_MUTUAL}"),
      head: rule("reviews.shop.svc.cluster.local", "    tls: {mode: ISTIO_MUTUAL}"),
      expected: [],
    },
  ]);
});

describe("a DestinationRule added for a host another rule keeps governing is merged into it (kiali/demos 4cb279c1)", () => {
  const rule = (name: string, body: string) => `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ${name}, namespace: default}
spec:
  host: istio-egressgateway.istio-system.svc.cluster.local
${body}`;
  const older = (policy = "") => resource(rule("dr-bookdepository", `${policy}  subsets:\n  - name: bookdepository\n`));
  const rows = (found: ReturnType<typeof detect>) => found.map((d) => [d.class, d.path.join("."), d.summary]);

  it("adds its own subsets and takes none of the older rule's away", () => {
    const kept = older();
    const added = rule("dr-cnn", "  subsets:\n  - name: cnn\n    labels: {app: cnn}\n");
    expect(rows(detect(istioDetector, undefined, added, { base: [kept], head: [kept] }))).toEqual([
      [
        "resource.changed",
        "spec.subsets.0",
        "DestinationRule default/dr-cnn: subset cnn added: selects pods app=cnn; no route sends to it yet",
      ],
    ]);
  });

  it("its trafficPolicy applies only where the older rule sets none", () => {
    const plaintext = rule("dr-cnn", "  trafficPolicy:\n    tls: {mode: DISABLE}\n");
    const bare = older();
    expect(rows(detect(istioDetector, undefined, plaintext, { base: [bare], head: [bare] })).map(([cls]) => cls)).toEqual([
      "mtls.weakened",
    ]);
    const unlabelled = rule("dr-cnn", "  subsets:\n  - name: cnn\n");
    expect(rows(detect(istioDetector, undefined, unlabelled, { base: [bare], head: [bare] })).map(([, , says]) => says)).toEqual([
      "DestinationRule default/dr-cnn: subset cnn added: selects every endpoint of its host (no labels); no route sends to it yet",
    ]);
    const governed = older("  trafficPolicy:\n    tls: {mode: ISTIO_MUTUAL}\n");
    expect(rows(detect(istioDetector, undefined, plaintext, { base: [governed], head: [governed] }))).toEqual([]);
  });
});

/** istiod's mesh ConfigMap as an install renders it, its MeshConfig a YAML document in `mesh`. */
const MESH_CONFIG_MAP = `
apiVersion: v1
kind: ConfigMap
metadata: {name: istio, namespace: istio-system}
data:
  mesh: |
    enableAutoMtls: true
    outboundTrafficPolicy:
      mode: REGISTRY_ONLY
`;

describe("a Sidecar without an outbound mode takes the mesh's, where the tree configures the mesh", () => {
  const operator = (mode: string) => `
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata: {name: control-plane, namespace: istio-system}
spec:
  meshConfig: {${mode}}
`;
  const sidecar = (body: string) => `
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: default, namespace: payments}
spec:
  egress: [{hosts: ['./*']}]
${body}`;
  const registryOnly = resource(operator("outboundTrafficPolicy: {mode: REGISTRY_ONLY}"), "istio/operator.yaml");
  const istioDefault = resource(operator("accessLogFile: /dev/stdout"), "istio/operator.yaml");
  detectorTable(istioDetector)([
    {
      name: "REGISTRY_ONLY dropped under a REGISTRY_ONLY mesh: the same mode",
      base: sidecar("  outboundTrafficPolicy: {mode: REGISTRY_ONLY}"),
      head: sidecar(""),
      others: { base: [registryOnly], head: [registryOnly] },
      expected: [],
    },
    {
      name: "ALLOW_ANY written out where the mesh leaves Istio's default: the same mode",
      base: sidecar(""),
      head: sidecar("  outboundTrafficPolicy: {mode: ALLOW_ANY}"),
      others: { base: [istioDefault], head: [istioDefault] },
      expected: [],
    },
    {
      name: "REGISTRY_ONLY dropped where istiod's vendored mesh ConfigMap says REGISTRY_ONLY: the same mode",
      base: sidecar("  outboundTrafficPolicy: {mode: REGISTRY_ONLY}"),
      head: sidecar(""),
      others: {
        base: [resource(MESH_CONFIG_MAP, "istio/istio-configmap.yaml")],
        head: [resource(MESH_CONFIG_MAP, "istio/istio-configmap.yaml")],
      },
      expected: [],
    },
    {
      name: "the same ConfigMap under another name is not istiod's: the mesh is configured elsewhere",
      base: sidecar("  outboundTrafficPolicy: {mode: REGISTRY_ONLY}"),
      head: sidecar(""),
      others: {
        base: [resource(MESH_CONFIG_MAP.replace("name: istio,", "name: mesh-notes,"), "istio/notes.yaml")],
        head: [resource(MESH_CONFIG_MAP.replace("name: istio,", "name: mesh-notes,"), "istio/notes.yaml")],
      },
      expected: [{ class: "access.widened", side: "head", path: ["spec"], says: "REGISTRY_ONLY" }],
    },
    {
      name: "a revision's ConfigMap (istio-canary) serves its workloads alone: it is not the mesh's default (review s4)",
      base: sidecar("  outboundTrafficPolicy: {mode: REGISTRY_ONLY}"),
      head: sidecar(""),
      others: {
        base: [resource(MESH_CONFIG_MAP.replace("name: istio,", "name: istio-canary,"), "istio/canary.yaml")],
        head: [resource(MESH_CONFIG_MAP.replace("name: istio,", "name: istio-canary,"), "istio/canary.yaml")],
      },
      expected: [{ class: "access.widened", side: "head", path: ["spec"], says: "REGISTRY_ONLY" }],
    },
    {
      name: "ALLOW_ANY under a REGISTRY_ONLY mesh: egress opened",
      base: sidecar(""),
      head: sidecar("  outboundTrafficPolicy: {mode: ALLOW_ANY}"),
      others: { base: [registryOnly], head: [registryOnly] },
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "outboundTrafficPolicy", "mode"],
          says: "REGISTRY_ONLY → ALLOW_ANY: workloads can call any external host",
        },
      ],
    },
  ]);
});

describe("exportTo left unset is the mesh default: the tree's MeshConfig's where it sets one", () => {
  const meshDefault = resource(
    `
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata: {name: control-plane, namespace: istio-system}
spec:
  meshConfig: {defaultVirtualServiceExportTo: ["."]}
`,
    "istio/operator.yaml",
  );
  const vs = (exportTo: string) => virtualService("  - route: [{destination: {host: checkout}}]", exportTo);
  detectorTable(istioDetector, { base: [meshDefault], head: [meshDefault] })([
    { name: "written out as the default it already had: nothing changes", base: vs(""), head: vs("  exportTo: ['.']\n"), expected: [] },
    {
      name: "every namespace over a private default: widened",
      base: vs(""),
      head: vs("  exportTo: ['*']\n"),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "exportTo"],
          says: "exportTo (mesh default [shop]) → [*]: now visible in every namespace",
        },
      ],
    },
  ]);
});

describe("exportTo judged by who reads the VirtualService", () => {
  const bound = (exportTo: string, gateways = "[istio-ingress/shop-gw]") => `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: admin, namespace: shop}
spec:
  hosts: [admin.example.com]
  gateways: ${gateways}
${exportTo}  http: [{route: [{destination: {host: admin}}]}]
`;
  const summaries = (base: string, head: string) => detect(istioDetector, base, head).map((d) => `${d.class} ${d.summary}`);

  it("hidden from the namespace of the gateway it binds: its hosts are no longer served there (route.removed)", () => {
    expect(summaries(bound(""), bound("  exportTo: ['.']\n"))[0]).toBe(
      "route.removed VirtualService shop/admin: exportTo (mesh default) → [shop]: gateway istio-ingress/shop-gw runs in another namespace, whose proxies no longer see it: its hosts are no longer served there",
    );
  });

  it("narrowed to its own namespace and its gateway's, when only that gateway reads it: no one loses it", () => {
    expect(summaries(bound(""), bound("  exportTo: ['.', istio-ingress]\n"))).toEqual([]);
    // Read by sidecars too (mesh), the other namespaces lose it.
    expect(
      summaries(bound("", "[mesh, istio-ingress/shop-gw]"), bound("  exportTo: ['.', istio-ingress]\n", "[mesh, istio-ingress/shop-gw]")),
    ).toHaveLength(1);
  });
});

describe("a DestinationRule narrowed to client workloads (workloadSelector)", () => {
  const rule = (selector: string) =>
    destinationRule(`${selector}  subsets:\n  - {name: v1, labels: {version: v1}}\n  - {name: v2, labels: {version: v2}}\n`);
  const routing = resource(virtualService("  - route: [{destination: {host: checkout, subset: v2}}]"), "vs.yaml");
  const selector = "  workloadSelector: {matchLabels: {app: frontend}}\n";

  it("while a route sends to its subsets: the other clients' requests find no subset (reference.broken)", () => {
    const found = detect(istioDetector, rule(""), rule(selector), { base: [routing], head: [routing] });
    expect(found.map((d) => [d.class, d.summary.split(": ").slice(1, 2).join("")])).toContainEqual([
      "reference.broken",
      "workloadSelector app=frontend",
    ]);
  });

  it("with no route to its subsets: the other clients lose its traffic policy (medium-high)", () => {
    const found = detect(istioDetector, rule(""), rule(selector));
    expect(found.filter((d) => d.path.includes("workloadSelector")).map((d) => [d.class, d.riskFloor])).toEqual([
      ["resource.changed", "medium-high"],
    ]);
  });
});

describe("ISTIO_MUTUAL left to auto mTLS, judged by the tree's MeshConfig", () => {
  const rule = (tls: string) => destinationRule(`  trafficPolicy: {${tls}}\n`);
  const mesh = (setting: string) =>
    resource(
      `apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nmetadata: {name: control-plane, namespace: istio-system}\nspec:\n  meshConfig: {${setting}}\n`,
      "istio/operator.yaml",
    );
  const found = (operator?: ReturnType<typeof mesh>) =>
    detect(istioDetector, rule("tls: {mode: ISTIO_MUTUAL}"), rule("loadBalancer: {simple: ROUND_ROBIN}"), {
      base: operator ? [operator] : [],
      head: operator ? [operator] : [],
    }).map((d) => [d.class, d.riskFloor]);

  it("auto mTLS on (the default): medium, as only upstreams without a sidecar now take plaintext", () => {
    expect(found(mesh("accessLogFile: /dev/stdout"))).toContainEqual(["resource.changed", "medium"]);
  });

  it("auto mTLS off, or the mesh configured elsewhere: mTLS weakened", () => {
    expect(found(mesh("enableAutoMtls: false"))).toContainEqual(["mtls.weakened", undefined]);
    expect(found()).toContainEqual(["mtls.weakened", undefined]);
  });
});

describe("a DestinationRule or ServiceEntry hidden from a namespace whose routes send to it", () => {
  const rule = (exportTo: string) => `
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: payments, namespace: payments}
spec:
  host: payments
${exportTo}  subsets: [{name: stable, labels: {track: stable}}]
`;
  const client = resource(
    `
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: payments-client, namespace: shop}
spec:
  hosts: [payments.payments.svc.cluster.local]
  http: [{route: [{destination: {host: payments.payments.svc.cluster.local, subset: stable}}]}]
`,
    "shop/vs.yaml",
  );
  const classes = (head: string, others = { base: [client], head: [client] }) =>
    detect(istioDetector, rule(""), head, others).map((d) => d.class);

  it("its subsets are lost to the routes there: reference.broken", () => {
    expect(classes(rule("  exportTo: ['.']\n"))).toEqual(["reference.broken", "resource.changed"]);
  });

  it("still exported to the routes' namespace: only the narrowing itself", () => {
    expect(classes(rule("  exportTo: ['.', shop]\n"))).toEqual(["resource.changed"]);
    expect(classes(rule("  exportTo: ['.']\n"), { base: [], head: [] })).toEqual(["resource.changed"]);
  });
});
