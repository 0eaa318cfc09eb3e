import { certificateNames } from "../../core/certificate-names.js";
import { sameValue, setChange, show, sortedSet } from "../../core/canonical-values.js";
import type { DetectionDraft } from "../../core/detection-list.js";
import type { FieldPath } from "../../core/finding.js";
import { hostsOverlap } from "../../core/host-match.js";
import { list, record, text } from "../../core/json-access.js";
import { objectRef } from "../../core/object-refs.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import { grantAdmits } from "../../core/graph-nodes.js";
import { GATEWAY_API_GROUPS } from "./entry-points.js";
import { referenceGrantOf } from "./graph-nodes.js";
import { listenerController } from "./gateway-controllers.js";

/** A listener's certificateRef as shown (`Secret infra/shop-tls`), and the Secret it names; none for another kind. */
export interface CertificateRef {
  readonly shown: string;
  readonly secret?: { readonly namespace: string; readonly name: string };
}

/** A listener's `tls.certificateRefs` in the order written: the first is its default certificate. */
export const certificateRefsOf = (tls: unknown, namespace: string): CertificateRef[] =>
  list(record(tls).certificateRefs).map((ref) => {
    const fields = record(ref);
    const shown = objectRef(ref, { group: "", kind: "Secret", namespace });
    const isSecret = (text(fields.kind) ?? "Secret") === "Secret" && (text(fields.group) ?? "") === "";
    return isSecret ? { shown, secret: { namespace: text(fields.namespace) ?? namespace, name: text(fields.name) ?? "" } } : { shown };
  });

/** Every name the refs' certificates answer for, as the tree's Certificates say; undefined where one of them is not known. */
const namesServed = (tree: ManifestSet, refs: readonly CertificateRef[]): string[] | undefined => {
  const names: string[] = [];
  for (const { secret } of refs) {
    const known = secret && certificateNames(tree, secret.namespace, secret.name);
    if (!known) return undefined;
    names.push(...known);
  }
  return names;
};

const namesOf = (tree: ManifestSet, ref: CertificateRef | undefined): readonly string[] | undefined =>
  ref?.secret && certificateNames(tree, ref.secret.namespace, ref.secret.name);

/**
 * The controllers known to pick among a listener's certificates by SNI, serving the first where no
 * name matches or no SNI is sent: Envoy Gateway hands them all to Envoy, which does so (Envoy
 * Gateway's "multiple certificates, SNI based selection", envoyproxy/gateway#1381). Others do not,
 * or are not known to: NGINX Gateway Fabric writes them all into one nginx server block, which
 * picks by key type, not SNI (nginx-gateway-fabric discussion #5647); Kong maps a listener's
 * certificates to its hostname, not their names (gateway-api#1330); Istio takes two at most, an
 * RSA and an ECDSA one (istio#55760); Contour takes one (contour#6719); Cilium serves the first
 * alone (KBVE/kbve#11242); Traefik loads every listener's certificates into one store chosen by
 * their names, with its own default certificate as fallback (traefik#12590, #12742); GKE's load
 * balancers serve the first without a match, but that its Gateway keeps the order written is not
 * documented.
 */
const SELECTS_BY_SNI: ReadonlySet<string> = new Set(["gateway.envoyproxy.io/gatewayclass-controller"]);

/**
 * Whether a certificateRef resolves for the Gateway or ListenerSet `owner` holding it: one in its
 * own namespace, or one in another that a ReferenceGrant of the tree there lets it reference
 * (without one the listener's refs do not resolve: ResolvedRefs False, RefNotPermitted). A grant
 * written without a namespace grants where it is applied, which the tree does not say: not counted.
 */
function resolves(ref: CertificateRef, owner: Resource, tree: ManifestSet): boolean {
  const { secret } = ref;
  if (!secret) return false;
  if (secret.namespace === owner.id.namespace) return true;
  const { group, kind, namespace } = owner.id;
  return resourcesOfKind(tree, "ReferenceGrant").some((grant) => {
    if (grant.id.namespace !== secret.namespace || grant.namespaceImplied || !GATEWAY_API_GROUPS.has(grant.id.group)) return false;
    return grantAdmits(referenceGrantOf(grant), { group, kind, namespace }, { group: "", kind: "Secret", name: secret.name });
  });
}

/**
 * A listener's serving certificates, base → head. Several certificateRefs are implementation-specific
 * (Gateway API GEP-851), so the first is read as the listener's default and another one first is
 * `trust.changed`, as is any change whose certificates' names the tree does not show (no Certificate
 * writes the Secret, a `${VAR}` name). Where the listener's controller is known to pick by SNI with
 * the first as fallback (SELECTS_BY_SNI), a certificate added behind the first, whose names (its
 * Certificate's `dnsNames`) overlap none the listener served and which resolves (its own namespace,
 * or one a ReferenceGrant admits), only gives TLS to new names — how home-ops adds a domain to a
 * shared Gateway (mchestr/home-cluster 27b7c6bb8c: `chestr-dev-tls` then `mikeflix-lol-tls`,
 * critical) —, medium; one overlapping may win SNI for names already served, `trust.changed`. A
 * certificate dropped whose names no remaining one covers leaves those hosts without a certificate
 * of their own: their handshakes fail, `listener.changed`, as a Certificate's names removed are;
 * one whose names another certificate still answers for hands them that certificate,
 * `trust.changed`. On any other controller what a certificate behind the first serves is not known:
 * `trust.changed`. The finding's before and after are the refs in their order, the first being what
 * it is: a `${VAR}` among them is only read as equal to a name in the same place
 * (detect/unresolved-variables.ts), never by sorting a new default behind it.
 */
export function servedCertificateChanges(
  label: string,
  before: readonly CertificateRef[],
  after: readonly CertificateRef[],
  listener: {
    readonly owner: Resource;
    readonly trees: { readonly base: ManifestSet; readonly head: ManifestSet };
    readonly path: FieldPath;
  },
): DetectionDraft[] {
  const { owner, trees, path } = listener;
  const [was, now] = [sortedSet(before.map((ref) => ref.shown)), sortedSet(after.map((ref) => ref.shown))];
  const [defaultBefore, defaultAfter] = [before[0]?.shown, after[0]?.shown];
  if (defaultBefore === defaultAfter && sameValue(was, now)) return [];
  const [written, writes] = [before.map((ref) => ref.shown), after.map((ref) => ref.shown)];
  const whole: DetectionDraft = {
    class: "trust.changed",
    summary: sameValue(was, now)
      ? `${label} certificateRefs reordered: ${show(defaultAfter)} is now the first, the certificate served where no other matches the client's SNI (on some implementations, to every client), in place of ${show(defaultBefore)}`
      : `${label} serving certificate ${show(written)} → ${show(writes)}`,
    side: "head",
    path,
    before: written,
    after: writes,
  };
  const controller = listenerController(owner, trees.head);
  if (defaultBefore !== defaultAfter || controller === undefined || !SELECTS_BY_SNI.has(controller)) return [whole];
  const { added, removed } = setChange(was, now);
  const overlaps = (names: readonly string[], others: readonly string[]) =>
    names.some((name) => others.some((other) => hostsOverlap(name, other)));
  const drafts: DetectionDraft[] = [];
  const servedBefore = namesServed(trees.base, before);
  for (const shown of added) {
    const ref = after.find((candidate) => candidate.shown === shown);
    const names = namesOf(trees.head, ref);
    if (!ref || !names || !servedBefore || overlaps(names, servedBefore) || !resolves(ref, owner, trees.head)) return [whole];
    drafts.push({
      class: "resource.changed",
      summary: `${label} now also serves ${shown} (${names.join(", ")}): TLS for names its other certificates do not cover; their clients, and clients without SNI, still get ${show(defaultAfter)}`,
      side: "head",
      path,
      after: shown,
      riskFloor: "medium",
    });
  }
  const servedAfter = namesServed(trees.head, after);
  for (const shown of removed) {
    const names = namesOf(
      trees.base,
      before.find((ref) => ref.shown === shown),
    );
    if (!names || !servedAfter || overlaps(names, servedAfter)) return [whole];
    drafts.push({
      class: "listener.changed",
      summary: `${label} no longer serves ${shown} (${names.join(", ")}): no certificate it keeps covers ${names.length === 1 ? "that name" : "those names"}, so TLS handshakes for ${names.length === 1 ? "it" : "them"} fail`,
      side: "head",
      path,
      before: shown,
    });
  }
  return drafts;
}
