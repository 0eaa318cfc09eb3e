import { byKind, type Check } from "../../core/by-kind.js";
import { sameValue, setChange, show, sortedSet } from "../../core/canonical-values.js";
import { list, numeric, record, spec, text } from "../../core/json-access.js";
import type { Resource } from "../../core/resource.js";
import { ENVOY_GATEWAY_GROUP } from "./policy-targets.js";
import { rulesNaming } from "./route-references.js";
import { listedNames, removedWhileNamed } from "../../core/removed-while-named.js";

/**
 * Envoy Gateway's Backend: where the requests of every route that names it as a backendRef go — a
 * host name, an address or a Unix socket, usually outside the cluster — and how the proxy checks
 * the certificate it is shown there. Its endpoints are the destination itself: the routes' own
 * flows do not change when they do, so without this a PR pointing `api.openai.com` elsewhere
 * passed as a low field change. Envoy Gateway warns that a Backend can reach what nothing else may
 * (another namespace's Pods, the proxy's own admin port) and that a DynamicResolver one routes to
 * any host a request names.
 */

const portOf = (fields: Record<string, unknown>): string => (numeric(fields.port) === undefined ? "" : `:${numeric(fields.port)}`);

/** `fqdn api.openai.com:443`, `ip 10.0.0.7:8080`, `unix /var/run/ext-auth.sock`: one destination each. */
function destinations(resource: Resource | undefined): string[] {
  return sortedSet(
    list(spec(resource).endpoints).flatMap((item) => {
      const endpoint = record(item);
      const fqdn = record(endpoint.fqdn);
      const ip = record(endpoint.ip);
      const unix = record(endpoint.unix);
      if (text(fqdn.hostname) !== undefined) return [`fqdn ${text(fqdn.hostname)}${portOf(fqdn)}`];
      if (text(ip.address) !== undefined) return [`ip ${text(ip.address)}${portOf(ip)}`];
      if (text(unix.path) !== undefined) return [`unix ${text(unix.path)}`];
      return [];
    }),
  );
}

const name = (resource: Resource) => `Backend ${resource.id.namespace}/${resource.id.name}`;

const dynamic = (resource: Resource | undefined) => text(spec(resource).type) === "DynamicResolver";

/** Endpoints gained send the routes' requests somewhere new; endpoints lost leave them to the rest, or to none. */
const endpoints: Check = (change, out) => {
  // A Backend that becomes a DynamicResolver drops its endpoints by rule: the resolver check says where requests go.
  if (!change.base || !change.head || dynamic(change.head)) return;
  const was = destinations(change.base);
  const now = destinations(change.head);
  const moved = setChange(was, now);
  if (moved.added.length > 0) {
    out.add({
      class: "backend.added",
      summary: `endpoints ${show(was)} → ${show(now)}: requests routed to ${name(change.head)} now go to ${moved.added.join(", ")}`,
      side: "head",
      path: ["spec", "endpoints"],
      before: was,
      after: now,
      // A destination outside the review's placement: nothing says which region or owner it is.
      riskFloor: "high",
    });
  } else if (moved.removed.length > 0) {
    const none = now.length === 0;
    out.add({
      class: none ? "backend.all-removed" : "resource.changed",
      summary: none
        ? `endpoints ${show(was)} removed: requests routed to ${name(change.head)} have nowhere to go`
        : `endpoints ${moved.removed.join(", ")} removed: requests routed to ${name(change.head)} go only to ${now.join(", ")}`,
      side: "head",
      path: ["spec", "endpoints"],
      before: was,
      after: now,
      ...(none ? {} : { riskFloor: "medium" as const }),
    });
  }
};

/** A DynamicResolver Backend forwards each request to the host it names: any destination, as Envoy Gateway warns. */
const resolver: Check = (change, out) => {
  if (!change.head || !dynamic(change.head) || dynamic(change.base)) return;
  out.add({
    class: "access.widened",
    summary: `${change.base ? "type → DynamicResolver" : "added as DynamicResolver"}: requests routed to ${name(change.head)} go to whatever host they name`,
    side: "head",
    path: ["spec", "type"],
    before: change.base ? (text(spec(change.base).type) ?? "Endpoints") : null,
    after: "DynamicResolver",
  });
};

const skipsVerification = (resource: Resource | undefined) => record(spec(resource).tls).insecureSkipVerify === true;

/** What the proxy checks the destination's certificate against, and the name it asks for. */
const TRUST_FIELDS = [
  "caCertificateRefs",
  "wellKnownCACertificates",
  "sni",
  "autoSNIFromEndpointHostname",
  "clientCertificateRef",
] as const;

const tls: Check = (change, out) => {
  if (!change.head) return;
  if (skipsVerification(change.head) && !skipsVerification(change.base)) {
    out.add({
      class: "mtls.weakened",
      summary: `tls.insecureSkipVerify ${change.base ? "→ true" : "set"}: ${name(change.head)}'s certificate is no longer verified, so its connections can be intercepted`,
      side: "head",
      path: ["spec", "tls", "insecureSkipVerify"],
      before: change.base ? false : null,
      after: true,
    });
  }
  if (!change.base) return;
  const [was, now] = [record(spec(change.base).tls), record(spec(change.head).tls)];
  for (const field of TRUST_FIELDS) {
    if (sameValue(was[field], now[field])) continue;
    out.add({
      class: "trust.changed",
      summary: `tls.${field} ${show(was[field])} → ${show(now[field])}: which certificate ${name(change.head)} must show changes`,
      side: "head",
      path: ["spec", "tls", field],
      before: was[field] ?? null,
      after: now[field] ?? null,
    });
  }
};

/** The backendRef no longer resolves, and Envoy Gateway answers that share of requests with 500. */
const removed = removedWhileNamed(
  rulesNaming,
  (rules) =>
    `removed while ${listedNames(rules)} still ${rules.length === 1 ? "names" : "name"} it as a backend: its share of their requests is answered with 500`,
);

export const backendDetector = byKind({ Backend: [endpoints, resolver, tls, removed] }, (id) => id.group === ENVOY_GATEWAY_GROUP);
