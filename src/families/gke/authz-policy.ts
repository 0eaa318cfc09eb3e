import { byKind, type Check } from "../../core/by-kind.js";
import { canonical, show, sortedSet } from "../../core/canonical-values.js";
import { declares } from "../../core/declared-identities.js";
import { list, record, spec, text } from "../../core/json-access.js";
import type { ManifestSet, Resource } from "../../core/resource.js";

/**
 * GKE's GCPAuthzPolicy (networking.gke.io): authorization for the workloads or Gateways it targets,
 * as Istio's AuthorizationPolicy — `action` ALLOW (the default), DENY, or CUSTOM (Cloud IAP or an
 * authorization extension decides), `httpRules` saying which requests (from, to, when) it matches.
 * A DENY or CUSTOM policy lost lets through what it refused or checked; an ALLOW policy lost while no
 * other ALLOW policy targets the same objects leaves them allowing every request; ALLOW rules gained
 * or DENY rules dropped widen access.
 */

const GKE_GROUP = "networking.gke.io";
const actionOf = (policy: Resource | undefined): string => text(spec(policy).action) ?? "ALLOW";
const targetsOf = (policy: Resource): string[] =>
  sortedSet(
    list(spec(policy).targetRefs).map((ref) => `${text(record(ref).kind) ?? "?"} ${policy.id.namespace}/${text(record(ref).name) ?? "?"}`),
  );
const rulesOf = (policy: Resource | undefined) => list(spec(policy).httpRules).map((rule) => ({ rule, key: canonical(rule) }));
const usesIap = (policy: Resource | undefined): boolean => record(spec(policy).customProviders).cloudIAP === true;

/** The policies of a tree by action and target (`DENY Deployment shop/web`): found once a tree. */
const policiesOf = new WeakMap<ManifestSet, ReadonlyMap<string, readonly Resource[]>>();
function policiesAt(tree: ManifestSet, action: string, target: string): readonly Resource[] {
  let index = policiesOf.get(tree);
  if (!index) {
    const found = new Map<string, Resource[]>();
    for (const resource of tree.resources.values())
      if (resource.id.kind === "GCPAuthzPolicy" && resource.id.group === GKE_GROUP)
        for (const target of targetsOf(resource)) {
          const key = `${actionOf(resource)} ${target}`;
          found.set(key, [...(found.get(key) ?? []), resource]);
        }
    policiesOf.set(tree, (index = found));
  }
  return index.get(`${action} ${target}`) ?? [];
}

/** Whether another policy of the tree does at a target what this one did (a rename, a split): same action, every rule of it. */
const doneElsewhere = (tree: ManifestSet, policy: Resource, target: string): boolean => {
  const wanted = rulesOf(policy).map(({ key }) => key);
  return policiesAt(tree, actionOf(policy), target).some((other) => {
    if (other.key === policy.key || usesIap(other) !== usesIap(policy)) return false;
    const has = new Set(rulesOf(other).map(({ key }) => key));
    return wanted.every((key) => has.has(key));
  });
};

const guards = (policy: Resource): string =>
  actionOf(policy) === "CUSTOM" ? (usesIap(policy) ? "Cloud IAP" : "its authorization extension") : actionOf(policy);

/** Targets that lose the policy (removed, retargeted), judged by what it did there. */
const lostTargets: Check = (change, out, context) => {
  const base = change.base;
  if (!base || (!change.head && declares(context.head, base.id))) return;
  const kept = change.head && actionOf(change.head) === actionOf(base) ? new Set(targetsOf(change.head)) : new Set<string>();
  const action = actionOf(base);
  const lost = targetsOf(base).filter((target) => !kept.has(target) && (action === "ALLOW" || !doneElsewhere(context.head, base, target)));
  if (lost.length === 0) return;
  // An ALLOW policy lost narrows access where another ALLOW policy still targets the object; alone, it leaves it open.
  const open =
    action === "ALLOW" ? lost.filter((target) => !policiesAt(context.head, "ALLOW", target).some((other) => other.key !== base.key)) : lost;
  if (open.length === 0) return;
  out.add({
    class: "access.widened",
    summary:
      action === "ALLOW"
        ? `${change.head ? (actionOf(change.head) === action ? "no longer targets" : `action ALLOW → ${actionOf(change.head)}`) : "removed"}: ${open.join(", ")} ${open.length === 1 ? "has" : "have"} no ALLOW policy left, so every request no DENY policy refuses is allowed`
        : `${change.head ? (actionOf(change.head) === action ? "no longer targets" : `action ${action} → ${actionOf(change.head)}`) : "removed"}: what ${guards(base)} refused or checked for ${lost.join(", ")} now passes`,
    side: change.head ? "head" : "base",
    path: change.head ? ["spec", actionOf(change.head) === action ? "targetRefs" : "action"] : ["spec"],
    before: { action, targets: targetsOf(base) },
  });
};

/** Rules kept in place: ALLOW rules gained, DENY rules dropped, IAP given up. */
const rules: Check = (change, out) => {
  if (!change.base || !change.head || actionOf(change.base) !== actionOf(change.head)) return;
  const action = actionOf(change.head);
  const [was, now] = [rulesOf(change.base), rulesOf(change.head)];
  const had = new Set(was.map(({ key }) => key));
  const has = new Set(now.map(({ key }) => key));
  const widened =
    action === "ALLOW" ? now.filter(({ key }) => !had.has(key)) : action === "DENY" ? was.filter(({ key }) => !has.has(key)) : [];
  if (widened.length > 0)
    out.add({
      class: "access.widened",
      summary: `${action === "ALLOW" ? "allows" : "no longer denies"} ${widened.map(({ rule }) => show(rule)).join(", ")} for ${targetsOf(change.head).join(", ")}`,
      side: action === "ALLOW" ? "head" : "base",
      path: ["spec", "httpRules"],
      before: was.map(({ rule }) => rule),
      after: now.map(({ rule }) => rule),
    });
  if (usesIap(change.base) && !usesIap(change.head))
    out.add({
      class: "access.widened",
      summary: `customProviders.cloudIAP no longer true: Cloud IAP no longer checks requests to ${targetsOf(change.head).join(", ")}`,
      side: "head",
      path: ["spec", "customProviders"],
      before: true,
      after: false,
    });
};

/** A policy added (or retargeted) refuses requests it did not before: an allow-list refuses what its rules do not match. */
const gainedTargets: Check = (change, out, context) => {
  const head = change.head;
  if (!head) return;
  const had = change.base && actionOf(change.base) === actionOf(head) ? new Set(targetsOf(change.base)) : new Set<string>();
  const gained = targetsOf(head).filter((target) => !had.has(target) && !doneElsewhere(context.base, head, target));
  if (gained.length === 0) return;
  const action = actionOf(head);
  out.add({
    class: "resource.changed",
    summary: `${change.base ? "now applies" : "added"} (${action === "CUSTOM" ? guards(head) : action}) to ${gained.join(", ")}: ${action === "ALLOW" ? "requests its rules do not match are refused" : action === "DENY" ? "requests its rules match are refused" : `${guards(head)} decides the requests its rules match`}`,
    side: "head",
    path: ["spec"],
    after: { action, targets: targetsOf(head) },
    riskFloor: "medium",
  });
};

export const authzPolicyDetector = byKind({ GCPAuthzPolicy: [lostTargets, rules, gainedTargets] }, (id) => id.group === GKE_GROUP);
