import type { Check } from "../../core/by-kind.js";
import { list, record, spec, text } from "../../core/json-access.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import type { PolicyTarget } from "../../core/policy-targets.js";
import { describeTarget, sameTarget, targetOf } from "./targets.js";

/**
 * Kuadrant's TLSPolicy: cert-manager Certificates for the TLS listeners of the Gateway it targets,
 * issued by its `issuerRef` into the Secrets the listeners serve. Another issuer is another CA for
 * what clients see (trust.changed, as a cert-manager Certificate's issuerRef is); a policy removed
 * or moved away deletes the Certificates, so the Secrets are no longer renewed and expire.
 */

const CERT_MANAGER_GROUP = "cert-manager.io";

/** An issuer as cert-manager resolves it: Issuer unless the kind says, in cert-manager's group unless the group says. */
const issuerOf = (policy: Resource): string => {
  const ref = record(spec(policy).issuerRef);
  const group = text(ref.group) || CERT_MANAGER_GROUP;
  return `${text(ref.kind) ?? "Issuer"}${group === CERT_MANAGER_GROUP ? "" : `.${group}`} ${text(ref.name) ?? "?"}`;
};

/** The Secrets of a Gateway's TLS listeners (one listener's, for a section): what the policy's Certificates are written into. */
function listenerSecrets(tree: ManifestSet, target: PolicyTarget | undefined): string[] {
  if (!target || target.kind !== "Gateway") return [];
  const gateway = resourcesOfKind(tree, "Gateway").find(
    ({ id }) => id.group === target.group && id.namespace === target.namespace && id.name === target.name,
  );
  return list(spec(gateway).listeners)
    .map(record)
    .filter((listener) => target.section === undefined || text(listener.name) === target.section)
    .flatMap((listener) => list(record(listener.tls).certificateRefs).flatMap((ref) => text(record(ref).name) ?? []));
}

const served = (tree: ManifestSet, target: PolicyTarget | undefined): string => {
  const secrets = listenerSecrets(tree, target);
  return secrets.length > 0 ? ` (Secret ${secrets.join(", ")})` : "";
};

const issuerChanged: Check = (change, out, context) => {
  if (!change.base || !change.head) return;
  const [was, now] = [issuerOf(change.base), issuerOf(change.head)];
  if (was === now) return;
  out.add({
    class: "trust.changed",
    summary: `issuerRef ${was} → ${now}: the certificates of ${describeTarget(context.head, targetOf(change.head))}${served(context.head, targetOf(change.head))} are signed by another CA on their next issuance`,
    side: "head",
    path: ["spec", "issuerRef"],
    before: spec(change.base).issuerRef,
    after: spec(change.head).issuerRef,
  });
};

/** The listeners a policy leaves (removed, or moved to another target) keep their Secrets, no longer renewed. */
const left = (change: Parameters<Check>[0], out: Parameters<Check>[1], context: Parameters<Check>[2]): void => {
  if (!change.base) return;
  const was = targetOf(change.base);
  if (change.head && sameTarget(was, targetOf(change.head))) return;
  out.add({
    class: "reference.broken",
    summary: `${change.head ? `targetRef moved to ${describeTarget(context.head, targetOf(change.head))}` : "removed"}: the Certificates of ${describeTarget(context.base, was)}${served(context.base, was)} are deleted, so its listeners' certificates are no longer renewed and expire`,
    side: change.head ? "head" : "base",
    path: ["spec", "targetRef"],
    before: { target: describeTarget(context.base, was), issuer: issuerOf(change.base) },
  });
};

/**
 * A policy now issuing a Gateway's certificates (added, or moved onto it): the Secrets its listeners
 * serve are written by the policy's issuer from now on. Usually they were missing or the policy's
 * own before (the onboarding step of Kuadrant's guides), so medium, saying so; a policy added with
 * the Gateway the PR adds is settled by detect/attached-policies.ts.
 */
const taken: Check = (change, out, context) => {
  if (!change.head) return;
  const now = targetOf(change.head);
  if (change.base && sameTarget(targetOf(change.base), now)) return;
  out.add({
    class: "resource.changed",
    summary: `${change.base ? "now targets" : "added for"} ${describeTarget(context.head, now)}${served(context.head, now)}: its listeners' certificates are issued by ${issuerOf(change.head)} from now on, replacing whatever wrote those Secrets`,
    side: "head",
    path: ["spec", "issuerRef"],
    after: { target: describeTarget(context.head, now), issuer: issuerOf(change.head) },
    riskFloor: "medium",
  });
};

export const TLS_POLICY_CHECKS: readonly Check[] = [issuerChanged, left, taken];
