import { describe, expect, it } from "vitest";
import { gatewayApiDetector } from "../../../src/families/gateway-api/gateway-api.js";
import { gkeDetector } from "../../../src/families/gke/gke.js";
import { analyze, corpusFile, describeCorpus } from "../../helpers/review-trees.js";
import { detect, detectorTable, expectDetections, resource } from "../../detect/resource-fixture.js";

const run = detectorTable(gkeDetector);

const policy = (kind: string, target: string, defaults: string) => `
apiVersion: networking.gke.io/v1
kind: ${kind}
metadata: {name: checkout, namespace: shop}
spec:
  ${target}
  default:
${defaults}`;

const backend = (defaults: string) =>
  policy("GCPBackendPolicy", "targetRef: {group: net.gke.io, kind: ServiceExport, name: checkout}", defaults);
const TARGET = "GCPBackendPolicy shop/checkout: for ServiceExport.net.gke.io shop/checkout:";
const IAP = backend("    iap: {enabled: true, clientID: abc, oauth2ClientSecret: {name: iap-secret}}");
/** A second policy giving the same object IAP. */
const IAP_TWIN = IAP.replace("name: checkout, namespace: shop}", "name: checkout-iap, namespace: shop}");

describe("GKE multi-cluster GatewayClasses (gateway-api.ts)", () => {
  const gateway = (className: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: store, namespace: infra}
spec:
  gatewayClassName: ${className}
  listeners: [{name: http, port: 80, protocol: HTTP}]`;
  const pairs = [
    ["gke-l7-global-external-managed", "gke-l7-global-external-managed-mc"],
    ["gke-l7-regional-external-managed", "gke-l7-regional-external-managed-mc"],
    ["gke-l7-cross-regional-internal-managed", "gke-l7-cross-regional-internal-managed-mc"],
    ["gke-l7-rilb", "gke-l7-rilb-mc"],
    ["gke-l7-gxlb", "gke-l7-gxlb-mc"],
  ] as const;
  for (const [single, multi] of pairs) {
    it(`${single} → ${multi} becomes multi-cluster, and back stops being it`, () => {
      expectDetections(detect(gatewayApiDetector, gateway(single), gateway(multi)), [
        { class: "gateway-class.changed", side: "head", path: ["spec", "gatewayClassName"], says: "the Gateway becomes multi-cluster" },
      ]);
      expectDetections(detect(gatewayApiDetector, gateway(multi), gateway(single)), [
        { class: "gateway-class.changed", side: "head", path: ["spec", "gatewayClassName"], says: "the Gateway stops being multi-cluster" },
      ]);
    });
  }
});

describe("GCPBackendPolicy", () => {
  run([
    {
      name: "maxRatePerEndpoint lowered: traffic spills to other clusters sooner (medium-high)",
      base: backend("    maxRatePerEndpoint: 100"),
      head: backend("    maxRatePerEndpoint: 10"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "default", "maxRatePerEndpoint"],
          says: `${TARGET} maxRatePerEndpoint 100 → 10: endpoints count as full at a lower rate`,
          riskFloor: "medium-high",
        },
      ],
    },
    {
      name: "maxRatePerEndpoint per cluster scope",
      base: backend("    scopes:\n    - selector: {gke.io/region: us-east1}\n      maxRatePerEndpoint: 50"),
      head: backend("    scopes:\n    - selector: {gke.io/region: us-east1}\n      maxRatePerEndpoint: 500"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "default", "scopes", 0, "maxRatePerEndpoint"],
          says: "scope {gke.io/region=us-east1} maxRatePerEndpoint 50 → 500: endpoints take more load",
          riskFloor: "medium-high",
        },
      ],
    },
    {
      name: "backendPreference DEFAULT → PREFERRED is a cross-cluster priority order (failover.changed)",
      base: backend("    maxRatePerEndpoint: 10"),
      head: backend("    maxRatePerEndpoint: 10\n    backendPreference: PREFERRED"),
      expected: [
        {
          class: "failover.changed",
          side: "head",
          path: ["spec", "default", "backendPreference"],
          says: "backendPreference DEFAULT → PREFERRED: these backends are filled to capacity before any other cluster",
        },
      ],
    },
    {
      name: "securityPolicy removed: Cloud Armor no longer filters (access.widened)",
      base: backend("    securityPolicy: edge-armor"),
      head: backend("    timeoutSec: 30"),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "default"],
          says: `${TARGET} securityPolicy edge-armor → (unset): Cloud Armor no longer filters`,
        },
      ],
    },
    {
      name: "IAP disabled (access.widened)",
      base: backend("    iap: {enabled: true, clientID: abc, oauth2ClientSecret: {name: iap-secret}}"),
      head: backend("    iap: {enabled: false}"),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "default", "iap", "enabled"],
          says: "iap.enabled true → false: Identity-Aware Proxy no longer authenticates",
        },
      ],
    },
    {
      name: "timeoutSec shortened from the 30s default",
      base: backend("    logging: {enabled: true}"),
      head: backend("    logging: {enabled: true}\n    timeoutSec: 5"),
      expected: [{ class: "retry-timeout.changed", side: "head", path: ["spec", "default", "timeoutSec"], says: "timeoutSec 30s → 5s" }],
    },
    {
      name: "connectionDraining and sessionAffinity (medium)",
      base: backend("    connectionDraining: {drainingTimeoutSec: 60}"),
      head: backend("    connectionDraining: {drainingTimeoutSec: 0}\n    sessionAffinity: {type: CLIENT_IP}"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "default", "connectionDraining"],
          says: "connectionDraining.drainingTimeoutSec 60 → 0",
          riskFloor: "medium",
        },
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "default", "sessionAffinity"],
          says: "sessionAffinity (unset) → {type=CLIENT_IP}",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "logging only: a low change, still named",
      base: backend("    logging: {enabled: false}"),
      head: backend("    logging: {enabled: true, sampleRate: 500000}"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "default", "logging", "enabled"],
          says: "default.logging.enabled false → true",
        },
      ],
    },
    {
      name: "retargeted policy says where its settings go",
      base: backend("    maxRatePerEndpoint: 10"),
      head: backend("    maxRatePerEndpoint: 10").replace("name: checkout}", "name: payments}"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "targetRef"],
          says: "targetRef [ServiceExport.net.gke.io shop/checkout] → [ServiceExport.net.gke.io shop/payments]",
          riskFloor: "medium-high",
        },
      ],
    },
    {
      name: "a scope's capacityScalingFactor 1 → 0 drains that region (GCP: 0 is completely drained)",
      base: backend("    scopes:\n    - selector: {gke.io/region: us-east1}\n      capacityScalingFactor: 1.0"),
      head: backend("    scopes:\n    - selector: {gke.io/region: us-east1}\n      capacityScalingFactor: 0.0"),
      expected: [
        {
          class: "backend.region-removed",
          side: "head",
          path: ["spec", "default", "scopes", 0, "capacityScalingFactor"],
          says: "scope {gke.io/region=us-east1} capacityScalingFactor 1 → 0: the backends in region us-east1 are drained",
        },
      ],
    },
    {
      name: "a drained scope removed falls back to the default 1: its region takes traffic again",
      base: backend(
        "    scopes:\n    - selector: {gke.io/region: us-east1}\n      capacityScalingFactor: 0\n    - selector: {team: a}\n      maxRatePerEndpoint: 5",
      ),
      head: backend("    scopes:\n    - selector: {team: a}\n      maxRatePerEndpoint: 5"),
      expected: [
        {
          class: "backend.region-added",
          side: "head",
          path: ["spec", "default"],
          says: "capacityScalingFactor 0 → (default 1): the backends in region us-east1 take traffic again",
        },
      ],
    },
    {
      name: "the default block's capacityScalingFactor 0 drains every backend of the target",
      base: backend("    capacityScalingFactor: 1"),
      head: backend("    capacityScalingFactor: 0"),
      expected: [
        {
          class: "backend.all-removed",
          side: "head",
          path: ["spec", "default", "capacityScalingFactor"],
          says: "the target's backends are drained (0 offers none of their capacity): no backend takes the target's traffic",
        },
      ],
    },
    {
      name: "capacityScalingFactor 1 → 0.5 only scales capacity (medium-high)",
      base: backend("    capacityScalingFactor: 1"),
      head: backend("    capacityScalingFactor: 0.5"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "default", "capacityScalingFactor"],
          says: "capacityScalingFactor 1 → 0.5: how much traffic these backends take",
          riskFloor: "medium-high",
        },
      ],
    },
    {
      name: "an IAP policy retargeted leaves its old target without IAP (access.widened)",
      base: backend("    iap: {enabled: true, clientID: abc, oauth2ClientSecret: {name: iap-secret}}"),
      head: backend("    iap: {enabled: true, clientID: abc, oauth2ClientSecret: {name: iap-secret}}").replace(
        "name: checkout}",
        "name: payments}",
      ),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "targetRef"],
          says: "ServiceExport.net.gke.io shop/checkout loses Identity-Aware Proxy, which no other GCPBackendPolicy gives it",
        },
      ],
    },
    {
      name: "a Cloud Armor policy retargeted while another policy still arms the old target only moves its settings",
      base: backend("    securityPolicy: edge-armor"),
      head: backend("    securityPolicy: edge-armor").replace("name: checkout}", "name: payments}"),
      others: {
        head: [
          resource(
            backend("    securityPolicy: other-armor").replace(
              "name: checkout, namespace: shop}",
              "name: checkout-armor, namespace: shop}",
            ),
          ),
        ],
      },
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "targetRef"],
          says: "targetRef [ServiceExport.net.gke.io shop/checkout] → [ServiceExport.net.gke.io shop/payments]",
          riskFloor: "medium-high",
        },
      ],
    },
    {
      name: "an IAP policy deleted is one loss: one access.widened (not also iap.enabled true → false)",
      base: IAP,
      expected: [
        {
          class: "access.widened",
          side: "base",
          path: ["spec", "targetRef"],
          says: "ServiceExport.net.gke.io shop/checkout loses Identity-Aware Proxy, which no other GCPBackendPolicy gives it",
        },
      ],
    },
    {
      name: "a duplicate IAP policy deleted while another still gives the object IAP is low",
      base: IAP,
      others: { head: [resource(IAP_TWIN)] },
      expected: [
        {
          class: "resource.changed",
          side: "base",
          path: ["spec", "targetRef"],
          says: `${TARGET} removed: ServiceExport.net.gke.io shop/checkout keeps Identity-Aware Proxy from GCPBackendPolicy shop/checkout-iap`,
        },
      ],
    },
    {
      name: "IAP disabled while another policy still gives the same object IAP is low, and names that policy",
      base: IAP,
      head: backend("    iap: {enabled: false}"),
      others: { head: [resource(IAP_TWIN)] },
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "default", "iap", "enabled"],
          says: "iap.enabled true → false: ServiceExport.net.gke.io shop/checkout keeps Identity-Aware Proxy from GCPBackendPolicy shop/checkout-iap",
        },
      ],
    },
    {
      name: "an IAP policy retargeted while another still gives the old target IAP says it keeps it (not 'falls back to GKE defaults')",
      base: IAP,
      head: IAP.replace("name: checkout}", "name: payments}"),
      others: { head: [resource(IAP_TWIN)] },
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "targetRef"],
          says: "the old target keeps what other policies give it (ServiceExport.net.gke.io shop/checkout keeps Identity-Aware Proxy from GCPBackendPolicy shop/checkout-iap)",
          riskFloor: "medium-high",
        },
      ],
    },
    {
      name: "added policy is compared with GKE defaults",
      head: backend("    maxRatePerEndpoint: 10\n    backendPreference: PREFERRED"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "default", "maxRatePerEndpoint"],
          says: "maxRatePerEndpoint (default 1e8) → 10",
          riskFloor: "medium-high",
        },
        { class: "failover.changed", side: "head", path: ["spec", "default", "backendPreference"], says: "DEFAULT → PREFERRED" },
      ],
    },
    {
      name: "key order and quoting are cosmetic",
      base: backend("    timeoutSec: 10\n    maxRatePerEndpoint: 5"),
      head: backend("    maxRatePerEndpoint: 5\n    timeoutSec: 10"),
      expected: [],
    },
  ]);
});

describe("HealthCheckPolicy, GCPGatewayPolicy, GCPTrafficDistributionPolicy", () => {
  const health = (defaults: string) =>
    policy("HealthCheckPolicy", "targetRef: {group: net.gke.io, kind: ServiceImport, name: checkout}", defaults);
  const gatewayPolicy = (defaults: string) =>
    policy("GCPGatewayPolicy", "targetRef: {group: gateway.networking.k8s.io, kind: Gateway, name: internal-http}", defaults);
  const distribution = (defaults: string) =>
    policy("GCPTrafficDistributionPolicy", "targetRefs: [{group: '', kind: Service, name: checkout}]", defaults);
  run([
    {
      name: "health check path and thresholds",
      base: health("    checkIntervalSec: 5\n    config: {type: HTTP, httpHealthCheck: {requestPath: /healthz}}"),
      head: health("    checkIntervalSec: 15\n    config: {type: HTTP, httpHealthCheck: {requestPath: /}}"),
      expected: [
        {
          class: "health.changed",
          side: "head",
          path: ["spec", "default", "checkIntervalSec"],
          says: "HealthCheckPolicy shop/checkout: for ServiceImport.net.gke.io shop/checkout: checkIntervalSec 5 → 15, config.httpHealthCheck.requestPath /healthz → /",
        },
      ],
    },
    {
      name: "health check policy removed: GKE's default check applies again",
      base: health("    config: {type: TCP, tcpHealthCheck: {port: 8080}}"),
      expected: [{ class: "health.changed", side: "base", path: ["spec", "default"], says: "removed: GKE's default health check" }],
    },
    {
      name: "sslPolicy removed, global access on, region moved",
      base: gatewayPolicy("    sslPolicy: modern-tls\n    region: us-east1"),
      head: gatewayPolicy("    allowGlobalAccess: true\n    region: us-west1"),
      expected: [
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "default"],
          says: "for Gateway.gateway.networking.k8s.io shop/internal-http: sslPolicy modern-tls → (unset): the Gateway falls back to Google's default SSL policy",
        },
        {
          class: "listener.changed",
          side: "head",
          path: ["spec", "default", "allowGlobalAccess"],
          says: "clients in every region can reach the internal load balancer",
        },
        { class: "listener.changed", side: "head", path: ["spec", "default", "region"], says: "region us-east1 → us-west1" },
      ],
    },
    {
      name: "the defaults written out (WATERFALL_BY_REGION, a threshold of 70) change nothing",
      base: distribution("    serviceLbAlgorithm: WATERFALL_BY_REGION"),
      head: distribution("    serviceLbAlgorithm: WATERFALL_BY_REGION\n    failoverConfig: {failoverHealthThreshold: 70}"),
      expected: [],
    },
    {
      name: "serviceLbAlgorithm, failover threshold and auto capacity drain are failover (critical)",
      base: distribution("    serviceLbAlgorithm: WATERFALL_BY_REGION"),
      head: distribution(
        "    serviceLbAlgorithm: SPRAY_TO_REGION\n    failoverConfig: {failoverHealthThreshold: 50}\n    autoCapacityDrain: {enableAutoCapacityDrain: true}",
      ),
      expected: [
        {
          class: "failover.changed",
          side: "head",
          path: ["spec", "default", "serviceLbAlgorithm"],
          says: "for Service shop/checkout: serviceLbAlgorithm WATERFALL_BY_REGION → SPRAY_TO_REGION",
        },
        {
          class: "failover.changed",
          side: "head",
          path: ["spec", "default", "failoverConfig", "failoverHealthThreshold"],
          says: "failoverConfig.failoverHealthThreshold 70 → 50",
        },
        {
          class: "failover.changed",
          side: "head",
          path: ["spec", "default", "autoCapacityDrain", "enableAutoCapacityDrain"],
          says: "autoCapacityDrain.enableAutoCapacityDrain false → true",
        },
      ],
    },
    {
      name: "localityLbAlgorithm picks endpoints within a locality (medium)",
      base: distribution("    localityLbAlgorithm: ROUND_ROBIN"),
      head: distribution("    localityLbAlgorithm: LEAST_REQUEST"),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "default", "localityLbAlgorithm"],
          says: "ROUND_ROBIN → LEAST_REQUEST",
          riskFloor: "medium",
        },
      ],
    },
  ]);
});

const BASIC = "GoogleCloudPlatform__gke-networking-recipes/gateway/multi-cluster/mcg-internal-basic";

describeCorpus("GKE recipe mcg-internal-basic as before/after (net.gke.io MCS, legacy route)", () => {
  const files = (...names: string[]) => Object.fromEntries(names.map((name) => [`${BASIC}/${name}`, corpusFile(`${BASIC}/${name}`)]));
  const overlay = `topology:\n  placements: ["${BASIC}/{cluster}/**"]\n  clusters: {gke-1: us-west1, gke-2: us-east1}\n`;
  const base = files("gke-1/gateway.yaml", "gke-1/route.yaml", "gke-1/serviceexport-v1.yaml", "gke-1/app-v1.yaml", "gke-2/app-v2.yaml");

  it("exporting store-v2 from gke-2 adds a region to the route's ServiceImport backend", () => {
    const result = analyze(base, { ...base, ...files("gke-2/serviceexport-v2.yaml") }, overlay);
    const found = result.findings.map((finding) => [finding.class, finding.risk, finding.file.split("/").slice(-2).join("/")]);
    expect(found).toEqual(
      expect.arrayContaining([
        ["backend.region-added", "high", "gke-1/route.yaml"],
        ["export.changed", "high", "gke-2/serviceexport-v2.yaml"],
      ]),
    );
    expect(result.findings.map((finding) => finding.summary)).toContain(
      "* via Gateway store/multi-cluster-gateway-ilb [gke-1]: ServiceImport store-v2:8080 now reaches us-east1 (was no exporting cluster) with 20% of the traffic",
    );
    expect(result.routeDiffs[0]!.head!.entry).toBe("Gateway store/multi-cluster-gateway-ilb [gke-1]");
  });

  it("the unchanged recipe yields nothing", () => {
    expect(analyze(base, base, overlay).findings).toEqual([]);
  });
});

describe("GKE Ingress BackendConfig (cloud.google.com): Cloud Armor and IAP in front of its Services", () => {
  const backendConfig = (spec: string) => `apiVersion: cloud.google.com/v1
kind: BackendConfig
metadata: {name: web-backend, namespace: shop}
spec:
${spec}`;
  const FILE = "k8s/backend-config.yaml";
  const gating = (base: string, head?: string) =>
    analyze({ [FILE]: backendConfig(base) }, head === undefined ? {} : { [FILE]: backendConfig(head) })
      .findings.filter((f) => f.risk !== "low")
      .map((f) => `${f.class} ${f.risk} line ${f.line}: ${f.summary.replace(/^.*?\): /, "")}`);
  const ARMOR = "  securityPolicy: {name: edge-armor}\n  timeoutSec: 40\n";

  it("Cloud Armor or IAP taken away is access.widened; deleting the BackendConfig takes them too", () => {
    expect(gating(ARMOR, "  timeoutSec: 40\n")).toEqual([
      "access.widened high line 4: securityPolicy edge-armor → (unset): Cloud Armor no longer filters requests to these backends",
    ]);
    expect(gating("  iap: {enabled: true, oauthclientCredentials: {secretName: iap}}\n", "  iap: {enabled: false}\n")).toEqual([
      expect.stringMatching(/^access\.widened high line 5: iap\.enabled true → false: Identity-Aware Proxy no longer authenticates/),
    ]);
    expect(gating(ARMOR)).toEqual([expect.stringMatching(/^access\.widened high .*Cloud Armor no longer filters/)]);
  });

  it("another Cloud Armor policy is medium-high; a timeout raised stays a field line, shortened it fails slow responses", () => {
    expect(gating(ARMOR, ARMOR.replace("edge-armor", "edge-armor-v2"))).toEqual([
      "resource.changed medium-high line 5: securityPolicy edge-armor → edge-armor-v2: another Cloud Armor policy filters requests",
    ]);
    expect(gating(ARMOR, ARMOR.replace("40", "60"))).toEqual([]);
    expect(gating(ARMOR, ARMOR.replace("40", "3"))).toEqual([
      "retry-timeout.changed medium-high line 6: timeoutSec 40s → 3s: responses slower than that now fail at the load balancer",
    ]);
  });

  it("its health check is health.changed, as a HealthCheckPolicy's (gke-networking-recipes 733a8447: HTTP2 → HTTP)", () => {
    expect(gating("  healthCheck: {type: HTTP2, port: 50051}\n", "  healthCheck: {type: HTTP, port: 50051}\n")).toEqual([
      "health.changed high line 5: healthCheck.type HTTP2 → HTTP: a wrong check marks every endpoint unhealthy, a lax one keeps failing endpoints in service",
    ]);
  });
});

describe("GKE Ingress FrontendConfig (networking.gke.io): HTTPS redirect and SSL policy", () => {
  const frontendConfig = (spec: string) => `apiVersion: networking.gke.io/v1beta1
kind: FrontendConfig
metadata: {name: web-frontend, namespace: shop}
spec:
${spec}`;
  const FILE = "k8s/frontend-config.yaml";
  const gating = (base: string, head: string) =>
    analyze({ [FILE]: frontendConfig(base) }, { [FILE]: frontendConfig(head) })
      .findings.filter((f) => f.risk !== "low")
      .map((f) => `${f.class} ${f.risk}: ${f.summary.replace(/^.*?\): /, "")}`);

  it("the HTTPS redirect dropped serves plaintext; another SSL policy is medium-high", () => {
    expect(gating("  redirectToHttps: {enabled: true}\n  sslPolicy: modern\n", "  sslPolicy: modern\n")).toEqual([
      "listener.changed high: redirectToHttps no longer enabled: plain HTTP to their hosts is served unencrypted",
    ]);
    expect(gating("  sslPolicy: modern\n", "  sslPolicy: compatible\n")).toEqual([
      "resource.changed medium-high: sslPolicy modern → compatible: the TLS versions and ciphers clients may use change",
    ]);
  });

  it("deleted, takes its redirect and SSL policy from the Ingresses that still name it, unless a copy applied where it was keeps them; named by none, nor by a MultiClusterIngress, it is a low removal (gke-poc-toolkit-demos 2ee8aea2d7)", () => {
    const REDIRECT = frontendConfig("  redirectToHttps: {enabled: true}\n");
    const ingress = (
      kind: string,
      annotation: string,
      namespace = "shop",
    ) => `apiVersion: ${kind === "Ingress" ? "networking.k8s.io/v1" : "networking.gke.io/v1"}
kind: ${kind}
metadata:
  name: web
  namespace: ${namespace}
  annotations: {${annotation}: web-frontend}
spec: ${kind === "Ingress" ? "{defaultBackend: {service: {name: web, port: {number: 80}}}}" : "{template: {spec: {backend: {serviceName: web, servicePort: 80}}}}"}
`;
    const deleted = (others: Record<string, string>) =>
      analyze({ [FILE]: REDIRECT, ...others }, others).findings.map((f) => `${f.class} ${f.risk}`);
    expect(deleted({})).toEqual(["resource.changed low"]);
    // Another namespace's Ingress names another FrontendConfig.
    expect(deleted({ "ingress.yaml": ingress("Ingress", "networking.gke.io/v1beta1.FrontendConfig", "web") })).toEqual([
      "resource.changed low",
    ]);
    expect(deleted({ "ingress.yaml": ingress("Ingress", "networking.gke.io/v1beta1.FrontendConfig") })).toEqual(["listener.changed high"]);
    expect(deleted({ "mci.yaml": ingress("MultiClusterIngress", "networking.gke.io/frontend-config") })).toEqual(["listener.changed high"]);
    // A copy surely applied where it was (its folder) that still redirects answers the name; one that does not, does not.
    const named = { "ingress.yaml": ingress("Ingress", "networking.gke.io/v1beta1.FrontendConfig") };
    // (Alike, it is one object written twice: nothing changes.)
    expect(deleted({ ...named, "k8s/copy.yaml": REDIRECT })).toEqual([]);
    expect(deleted({ ...named, "k8s/copy.yaml": frontendConfig("  sslPolicy: modern\n") })).toEqual([
      "listener.changed high",
      "resource.changed medium-high",
    ]);
    // Another folder's copy may be another environment's (staging/ beside prod/): prod's hosts lose the redirect.
    expect(deleted({ ...named, "staging/frontend-config.yaml": REDIRECT })).toEqual(["listener.changed high"]);
    // Placed on the same cluster by the policy, a copy in another folder answers.
    const placed = (folder: string) => {
      const base = { "clusters/prod/web/frontend-config.yaml": REDIRECT, [`clusters/${folder}/copy.yaml`]: REDIRECT, ...named };
      const { "clusters/prod/web/frontend-config.yaml": _deleted, ...head } = base;
      return analyze(base, head, 'topology:\n  placements: ["clusters/{cluster}/**"]\n').findings.map((f) => `${f.class} ${f.risk}`);
    };
    expect(placed("prod/shared")).toEqual([]);
    expect(placed("staging")).toEqual(["listener.changed high"]);
    // Its SSL policy goes with it: the load balancer's default one takes over.
    const policy = { [FILE]: frontendConfig("  sslPolicy: modern\n"), ...named };
    expect(analyze(policy, named).findings.map((f) => `${f.class} ${f.risk}: ${f.summary.replace(/^.*?\): /, "")}`)).toEqual([
      "resource.changed medium-high: sslPolicy modern → (unset): the TLS versions and ciphers clients may use change",
    ]);
    // Edited in place, it is judged as written: an Ingress outside the tree may name it.
    expect(gating("  redirectToHttps: {enabled: true}\n", "  redirectToHttps: {enabled: false}\n")).toHaveLength(1);
  });
});
