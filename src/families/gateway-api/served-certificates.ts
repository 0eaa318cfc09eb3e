import { certificateNames } from "../../core/certificate-names.js";
import { sameValue, setChange, show, sortedSet } from "../../core/canonical-values.js";
import type { DetectionDraft } from "../../core/detection-list.js";
import type { FieldPath } from "../../core/finding.js";
import { hostsOverlap } from "../../core/host-match.js";
import { list, record, text } from "../../core/json-access.js";
import { objectRef } from "../../core/object-refs.js";
import type { ManifestSet } from "../../core/resource.js";

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
 * A listener's serving certificates, base → head. Several certificateRefs are implementation-specific
 * (Gateway API GEP-851): Envoy Gateway hands them to Envoy, which serves the one whose names match
 * the client's SNI and the first where none does or no SNI is sent; Cilium serves the first alone.
 * So the first is the listener's default and another one first is `trust.changed`, as is any change
 * whose certificates' names the tree does not show (no Certificate writes the Secret, a
 * `${VAR}` name). A certificate added behind the first, whose names (its Certificate's `dnsNames`)
 * overlap none the listener served, only gives TLS to new names — how home-ops adds a domain to a
 * shared Gateway (mchestr/home-cluster 27b7c6bb8c: `chestr-dev-tls` then `mikeflix-lol-tls`,
 * critical) —, medium; one overlapping may win SNI for names already served, `trust.changed`. A
 * certificate dropped whose names no remaining one covers leaves those hosts without a certificate
 * of their own: their handshakes fail, `listener.changed`, as a Certificate's names removed are;
 * one whose names another certificate still answers for hands them that certificate, `trust.changed`.
 */
export function servedCertificateChanges(
  label: string,
  before: readonly CertificateRef[],
  after: readonly CertificateRef[],
  trees: { readonly base: ManifestSet; readonly head: ManifestSet },
  path: FieldPath,
): DetectionDraft[] {
  const [was, now] = [sortedSet(before.map((ref) => ref.shown)), sortedSet(after.map((ref) => ref.shown))];
  const [defaultBefore, defaultAfter] = [before[0]?.shown, after[0]?.shown];
  if (defaultBefore === defaultAfter && sameValue(was, now)) return [];
  const whole: DetectionDraft = {
    class: "trust.changed",
    summary: sameValue(was, now)
      ? `${label} certificateRefs reordered: ${show(defaultAfter)} is now the first, the certificate served where no other matches the client's SNI (on some implementations, to every client), in place of ${show(defaultBefore)}`
      : `${label} serving certificate ${show(was)} → ${show(now)}`,
    side: "head",
    path,
    before: was,
    after: now,
  };
  if (defaultBefore !== defaultAfter) return [whole];
  const { added, removed } = setChange(was, now);
  const overlaps = (names: readonly string[], others: readonly string[]) =>
    names.some((name) => others.some((other) => hostsOverlap(name, other)));
  const drafts: DetectionDraft[] = [];
  const servedBefore = namesServed(trees.base, before);
  for (const shown of added) {
    const names = namesOf(
      trees.head,
      after.find((ref) => ref.shown === shown),
    );
    if (!names || !servedBefore || overlaps(names, servedBefore)) return [whole];
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
