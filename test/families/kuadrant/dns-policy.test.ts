import { describe } from "vitest";
import { kuadrantFamily } from "../../../src/families/kuadrant/index.js";
import { detectorTable } from "../../detect/resource-fixture.js";
import { around } from "./fixtures.js";

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
      name: "removed: the records are deleted",
      base: policy(LB(120, "GEO-EU", true)),
      expected: [{ class: "route.removed", side: "base", path: ["spec"], says: "api.toystore.example.com) no longer resolves through it" }],
    },
  ]);
});
