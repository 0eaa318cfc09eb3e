import { byKind, type Check } from "../../core/by-kind.js";
import { sameValue, setChange, show, sortedSet } from "../../core/canonical-values.js";
import { isRecord, list, numeric, record, spec, text } from "../../core/json-access.js";
import type { DetectorContext } from "../../core/detector.js";
import { declares } from "../../core/declared-identities.js";
import { GATEWAY_API_GROUP } from "../../core/gateway-api-group.js";
import { namedTargets } from "../../core/policy-targets.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import { ENVOY_GATEWAY_GROUP } from "./policy-targets.js";
import { backendsOfRule, rulesNaming, type BackendRef } from "./route-references.js";
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
  // The same hosts on other ports (drag0n141/home-ops 3324d09a08, 42400 → 443) are the destinations the routes
  // already reached: a port swapped, as a Service backend's is (backend.weight-changed), not a new destination.
  const hosts = (list: readonly string[]) => sortedSet(list.map((destination) => destination.replace(/:\d+$/, "")));
  if (moved.added.length > 0 && sameValue(hosts(was), hosts(now))) {
    out.add({
      class: "backend.weight-changed",
      summary: `endpoints ${show(was)} → ${show(now)}: requests routed to ${name(change.head)} go to the same hosts on another port`,
      side: "head",
      path: ["spec", "endpoints"],
      before: was,
      after: now,
    });
  } else if (moved.added.length > 0) {
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

/** An Envoy Gateway Backend of a tree, by namespace and name. */
const backendIn = (tree: ManifestSet, namespace: string, backendName: string): Resource | undefined =>
  resourcesOfKind(tree, "Backend").find(
    ({ id }) => id.group === ENVOY_GATEWAY_GROUP && id.namespace === namespace && id.name === backendName,
  );

/**
 * Whether a tree's proxies verify the certificate of a backend a rule names: a Backend whose own
 * `tls` does not skip verification, or any backend a BackendTLSPolicy names (a Service without
 * one is reached in plaintext, verifying nothing).
 */
function verifiedIn(tree: ManifestSet, ref: BackendRef): boolean {
  const backend = ref.group === ENVOY_GATEWAY_GROUP && ref.kind === "Backend" ? backendIn(tree, ref.namespace, ref.name) : undefined;
  if (skipsVerification(backend)) return false;
  if (isRecord(spec(backend).tls)) return true;
  return resourcesOfKind(tree, "BackendTLSPolicy").some(
    (policy) =>
      policy.id.group === GATEWAY_API_GROUP &&
      (namedTargets(policy, "") ?? []).some(
        (target) =>
          target.group === ref.group && target.kind === ref.kind && target.namespace === ref.namespace && target.name === ref.name,
      ),
  );
}

/**
 * What was verified at base of the requests a Backend added with verification off now takes: the
 * backends the same route rules named, and a Backend it renames (same namespace and destinations,
 * gone at head). A rule new at head took no requests before, and a Backend that already skipped
 * verification verified none: haraldkoch/kochhaus-home c72df4ea1 added an app behind a
 * self-signed appliance, 5416dd55d renamed such a Backend, and both read critical "no longer
 * verified" with nothing verified given up.
 */
function verifiedBefore(added: Resource, { base, head }: DetectorContext): string[] {
  const rules = rulesNaming(head, added).flatMap((label) =>
    (backendsOfRule(base, label) ?? [])
      .filter((ref) => verifiedIn(base, ref))
      .map((ref) => `${label} (to ${ref.kind} ${ref.namespace}/${ref.name})`),
  );
  const where = destinations(added);
  const renamed = resourcesOfKind(base, "Backend").filter(
    (other) =>
      other.id.group === ENVOY_GATEWAY_GROUP &&
      other.id.namespace === added.id.namespace &&
      !declares(head, other.id) &&
      where.length > 0 &&
      sameValue(destinations(other), where) &&
      verifiedIn(base, { group: ENVOY_GATEWAY_GROUP, kind: "Backend", namespace: other.id.namespace, name: other.id.name }),
  );
  return sortedSet([...rules, ...renamed.map(name)]);
}

/** A Backend that stopped verifying, judged against itself; one added so, against what its requests had before. */
const verificationOff: Check = (change, out, context) => {
  if (!change.head || !skipsVerification(change.head)) return;
  const given = change.base ? (skipsVerification(change.base) ? [] : [name(change.base)]) : verifiedBefore(change.head, context);
  if (given.length === 0) return;
  out.add({
    class: "mtls.weakened",
    summary: change.base
      ? `tls.insecureSkipVerify → true: ${name(change.head)}'s certificate is no longer verified, so its connections can be intercepted`
      : `added with tls.insecureSkipVerify: requests verified before (${listedNames(given)}) now reach ${name(change.head)} unverified, so its connections can be intercepted`,
    side: "head",
    path: ["spec", "tls", "insecureSkipVerify"],
    before: change.base ? false : given,
    after: true,
  });
};

const trust: Check = (change, out) => {
  if (!change.base || !change.head) return;
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

export const backendDetector = byKind(
  { Backend: [endpoints, resolver, verificationOff, trust, removed] },
  (id) => id.group === ENVOY_GATEWAY_GROUP,
);
