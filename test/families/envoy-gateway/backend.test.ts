import { describe } from "vitest";
import { backendDetector } from "../../../src/families/envoy-gateway/backend.js";
import { detectorTable, resource } from "../../detect/resource-fixture.js";

const run = detectorTable(backendDetector);

// Shaped after envoyproxy/ai-gateway's examples/basic: a Backend per AI provider, reached over TLS.
const backend = (settings: string, group = "gateway.envoyproxy.io") => `
apiVersion: ${group}/v1alpha1
kind: Backend
metadata: {name: openai, namespace: default, labels: {app: ai}}
spec:
${settings}`;
const OPENAI = "  endpoints:\n  - fqdn: {hostname: api.openai.com, port: 443}\n";
const TWO = `${OPENAI}  - ip: {address: 10.0.0.7, port: 8443}\n`;

describe("Envoy Gateway Backend: where the routes that name it send requests", () => {
  run([
    {
      name: "an endpoint pointed at another host moves every request of its routes there",
      base: backend(OPENAI),
      head: backend("  endpoints:\n  - fqdn: {hostname: llm.example.net, port: 443}\n"),
      expected: [
        {
          class: "backend.added",
          side: "head",
          path: ["spec", "endpoints"],
          says: "requests routed to Backend default/openai now go to fqdn llm.example.net:443",
          riskFloor: "high",
        },
      ],
    },
    {
      // drag0n141/home-ops 3324d09a08: the same host, 42400 → 443.
      name: "an endpoint's port swapped on the same host is a port swap, not a new destination",
      base: backend("  endpoints:\n  - fqdn: {hostname: api.openai.com, port: 42400}\n"),
      head: backend(OPENAI),
      expected: [
        {
          class: "backend.weight-changed",
          side: "head",
          path: ["spec", "endpoints"],
          says: "[fqdn api.openai.com:42400] → [fqdn api.openai.com:443]: requests routed to Backend default/openai go to the same hosts on another port",
        },
      ],
    },
    {
      name: "one of two endpoints removed leaves the requests to the other",
      base: backend(TWO),
      head: backend(OPENAI),
      expected: [
        {
          class: "resource.changed",
          side: "head",
          path: ["spec", "endpoints"],
          says: "endpoints ip 10.0.0.7:8443 removed: requests routed to Backend default/openai go only to fqdn api.openai.com:443",
          riskFloor: "medium",
        },
      ],
    },
    {
      name: "every endpoint removed leaves the routes nowhere to send",
      base: backend(OPENAI),
      head: backend("  endpoints: []\n"),
      expected: [{ class: "backend.all-removed", side: "head", path: ["spec", "endpoints"], says: "have nowhere to go" }],
    },
    {
      name: "a DynamicResolver Backend sends requests to any host they name",
      base: backend(OPENAI),
      head: backend("  type: DynamicResolver\n"),
      expected: [
        {
          class: "access.widened",
          side: "head",
          path: ["spec", "type"],
          says: "type → DynamicResolver: requests routed to Backend default/openai go to whatever host they name",
        },
      ],
    },
    {
      name: "added as a DynamicResolver",
      head: backend("  type: DynamicResolver\n"),
      expected: [{ class: "access.widened", side: "head", path: ["spec", "type"], says: "added as DynamicResolver" }],
    },
    {
      name: "certificate verification turned off",
      base: backend(`${OPENAI}  tls: {wellKnownCACertificates: System}\n`),
      head: backend(`${OPENAI}  tls: {wellKnownCACertificates: System, insecureSkipVerify: true}\n`),
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: ["spec", "tls", "insecureSkipVerify"],
          says: "tls.insecureSkipVerify → true: Backend default/openai's certificate is no longer verified",
        },
      ],
    },
    {
      name: "other trust anchors and SNI",
      base: backend(`${OPENAI}  tls: {wellKnownCACertificates: System}\n`),
      head: backend(`${OPENAI}  tls: {caCertificateRefs: [{name: private-ca}], sni: api.openai.com}\n`),
      expected: [
        {
          class: "trust.changed",
          side: "head",
          path: ["spec", "tls", "caCertificateRefs"],
          says: "tls.caCertificateRefs (unset) → [{name=private-ca}]",
        },
        // Gone at head: the finding points at the nearest field the head still has.
        { class: "trust.changed", side: "head", path: ["spec", "tls"], says: "tls.wellKnownCACertificates System → (unset)" },
        { class: "trust.changed", side: "head", path: ["spec", "tls", "sni"], says: "(unset) → api.openai.com" },
      ],
    },
    {
      name: "labels, an endpoint list reordered and a Backend of another API group are no finding",
      base: backend(TWO),
      head: backend(`  endpoints:\n  - ip: {address: 10.0.0.7, port: 8443}\n  - fqdn: {hostname: api.openai.com, port: 443}\n`).replace(
        "app: ai",
        "app: llm",
      ),
      expected: [],
    },
    {
      name: "kgateway's Backend kind is not Envoy Gateway's",
      base: backend(OPENAI, "gateway.kgateway.dev"),
      head: backend("  endpoints: []\n", "gateway.kgateway.dev"),
      expected: [],
    },
  ]);
});

describe("a Backend removed while a route rule still names it", () => {
  const route = resource(`
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: llm, namespace: default}
spec:
  parentRefs: [{name: ai-gateway}]
  rules:
  - backendRefs:
    - {group: gateway.envoyproxy.io, kind: Backend, name: openai, port: 443}
`);
  detectorTable(backendDetector, { base: [route], head: [route] })([
    {
      name: "the backendRef no longer resolves: its share is answered with 500",
      base: backend(OPENAI),
      expected: [
        {
          class: "reference.broken",
          side: "base",
          path: ["spec"],
          says: "removed while HTTPRoute default/llm rule 1 still names it as a backend: its share of their requests is answered with 500",
        },
      ],
    },
  ]);
  run([{ name: "removed with nothing naming it: the plain removal the field diff lists", base: backend(OPENAI), expected: [] }]);
});

describe("a Backend added with certificate verification off, judged against what its requests had before", () => {
  const SKIP = `${OPENAI}  tls: {insecureSkipVerify: true}\n`;
  const VERIFIED = `${OPENAI}  tls: {wellKnownCACertificates: System}\n`;
  const routeTo = (ref: string, name = "llm") =>
    resource(`
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: default}
spec:
  parentRefs: [{name: ai-gateway}]
  rules:
  - backendRefs: [${ref}]
`);
  const toBackend = (name: string) => `{group: gateway.envoyproxy.io, kind: Backend, name: ${name}, port: 443}`;
  const renamed = (settings: string) => resource(backend(settings).replace("name: openai,", "name: openai-old,"));
  const tlsPolicy = resource(`
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {name: openai-svc, namespace: default}
spec:
  targetRefs: [{group: "", kind: Service, name: openai-svc}]
  validation: {wellKnownCACertificates: System, hostname: api.openai.com}
`);
  run([
    {
      // haraldkoch/kochhaus-home c72df4ea1: a new app behind a self-signed appliance.
      name: "for a new route, nothing verified was given up: its route's own finding is the review",
      head: backend(SKIP),
      others: { head: [routeTo(toBackend("openai"))] },
      expected: [],
    },
    { name: "one nothing names takes no requests", head: backend(SKIP), expected: [] },
    {
      // haraldkoch/kochhaus-home 5416dd55d: the Backend and its route renamed together.
      name: "one renamed from a Backend that already skipped verification weakens nothing",
      head: backend(SKIP),
      others: { base: [renamed(SKIP), routeTo(toBackend("openai-old"))], head: [routeTo(toBackend("openai"), "llm-proxy")] },
      expected: [],
    },
    {
      name: "one renamed from a Backend that verified its destination no longer verifies it",
      head: backend(SKIP),
      others: { base: [renamed(VERIFIED)] },
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: ["spec", "tls", "insecureSkipVerify"],
          says: "added with tls.insecureSkipVerify: requests verified before (Backend default/openai-old) now reach Backend default/openai unverified",
        },
      ],
    },
    {
      name: "a rule moved to it from a Backend that verified",
      head: backend(SKIP),
      others: {
        base: [
          resource(backend(`${TWO}  tls: {wellKnownCACertificates: System}\n`).replace("name: openai,", "name: openai-verified,")),
          routeTo(toBackend("openai-verified")),
        ],
        head: [routeTo(toBackend("openai"))],
      },
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: ["spec", "tls", "insecureSkipVerify"],
          says: "requests verified before (HTTPRoute default/llm rule 1 (to Backend default/openai-verified))",
        },
      ],
    },
    {
      name: "a rule moved to it from a Service a BackendTLSPolicy verified",
      head: backend(SKIP),
      others: { base: [tlsPolicy, routeTo("{name: openai-svc, port: 443}")], head: [tlsPolicy, routeTo(toBackend("openai"))] },
      expected: [
        {
          class: "mtls.weakened",
          side: "head",
          path: ["spec", "tls", "insecureSkipVerify"],
          says: "HTTPRoute default/llm rule 1 (to Service default/openai-svc)",
        },
      ],
    },
    {
      name: "a rule moved to it from a Service reached in plaintext verified nothing",
      head: backend(SKIP),
      others: { base: [routeTo("{name: openai-svc, port: 443}")], head: [routeTo(toBackend("openai"))] },
      expected: [],
    },
  ]);
});
