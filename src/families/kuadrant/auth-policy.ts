import type { Check } from "../../core/by-kind.js";
import type { DetectionList } from "../../core/detection-list.js";
import type { PolicyTarget } from "../../core/policy-targets.js";
import { isRecord, record, spec } from "../../core/json-access.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { conditionsMove, entriesOf, entryChange } from "./named-entries.js";
import { conditionsOf, sectionOf } from "./policy-sections.js";
import { describeTarget, sameTarget, targetOf } from "./targets.js";

/**
 * Kuadrant's AuthPolicy: Authorino's authentication and authorization for the Gateway or route it
 * targets (docs.kuadrant.io, AuthPolicy reference). Authentication rules are alternatives — "at
 * least one config MUST evaluate to a valid identity", none at all is anonymous access —, while
 * every authorization rule must allow. So what widens access (access.widened, as an Envoy Gateway
 * SecurityPolicy or Istio AuthorizationPolicy losing a guard): the policy removed or moved off its
 * target, its last authentication rule removed, an authentication rule added beside others (one
 * more way in), an authorization rule removed or rewritten, conditions (`when`, v1beta2's
 * `routeSelectors`) added that leave requests out, a Gateway's `overrides` turned into defaults
 * that routes' own policies replace. What refuses more callers (a guard added, an authentication
 * alternative removed, conditions dropped) is medium.
 */

/** What a side requires: its authentication and authorization rules by name (v1beta1: `authScheme.identity`, `authScheme.authorization`). */
interface Guards {
  readonly authentication: Map<string, unknown>;
  readonly authorization: Map<string, unknown>;
  readonly section: ReturnType<typeof sectionOf>;
}

function guardsOf(policy: Resource): Guards {
  const section = sectionOf(policy);
  const scheme = record(spec(policy).authScheme);
  const rules = record(section.fields.rules);
  return isRecord(spec(policy).authScheme)
    ? { authentication: entriesOf(scheme.identity), authorization: entriesOf(scheme.authorization), section }
    : { authentication: entriesOf(rules.authentication), authorization: entriesOf(rules.authorization), section };
}

const guarded = (guards: Guards): boolean => guards.authentication.size > 0 || guards.authorization.size > 0;

const describeGuards = (guards: Guards): string =>
  [
    ...(guards.authentication.size > 0 ? [`authentication (${[...guards.authentication.keys()].join(", ")})`] : []),
    ...(guards.authorization.size > 0 ? [`authorization (${[...guards.authorization.keys()].join(", ")})`] : []),
  ].join(" and ");

/** A target left without the policy: it no longer requires what the policy required. */
function lost(
  out: DetectionList,
  tree: ManifestSet,
  target: PolicyTarget | undefined,
  guards: Guards,
  why: string,
  side: "base" | "head",
): void {
  if (!guarded(guards)) return;
  out.add({
    class: "access.widened",
    summary: `${why}: ${describeTarget(tree, target)} no longer requires ${describeGuards(guards)} of this policy`,
    side,
    path: side === "base" ? ["spec"] : ["spec", "targetRef"],
    before: { target: describeTarget(tree, target), requires: describeGuards(guards) },
  });
}

function gained(out: DetectionList, tree: ManifestSet, target: PolicyTarget | undefined, guards: Guards, why: string): void {
  if (!guarded(guards)) return;
  out.add({
    class: "resource.changed",
    summary: `${why} ${describeTarget(tree, target)}: it requires ${describeGuards(guards)}, and requests without it are refused`,
    side: "head",
    path: ["spec"],
    after: { target: describeTarget(tree, target), requires: describeGuards(guards) },
    riskFloor: "medium",
  });
}

const attachment: Check = (change, out, context) => {
  const [was, now] = [targetOf(change.base), targetOf(change.head)];
  if (change.base && change.head && sameTarget(was, now)) return;
  if (change.base)
    lost(
      out,
      context.base,
      was,
      guardsOf(change.base),
      change.head ? `targetRef moved to ${describeTarget(context.head, now)}` : "removed",
      change.head ? "head" : "base",
    );
  if (change.head) gained(out, context.head, now, guardsOf(change.head), change.base ? "now targets" : "added for");
};

/** Where the credentials are read from changes which requests carry them, not whose are accepted. */
const CREDENTIAL_PLACEMENT = new Set(["credentials"]);

const authentication = (was: Guards, now: Guards, out: DetectionList, reach: string): void => {
  const at = [...now.section.path, "rules", "authentication"];
  if (was.authentication.size > 0 && now.authentication.size === 0) {
    out.add({
      class: "access.widened",
      summary: `every authentication rule removed (${[...was.authentication.keys()].join(", ")}): ${reach} accepts anonymous requests`,
      side: "base",
      path: [...was.section.path, "rules", "authentication"],
      before: [...was.authentication.keys()],
      after: [],
    });
    return;
  }
  const addedNames = [...now.authentication.keys()].filter((name) => !was.authentication.has(name));
  const removedNames = [...was.authentication.keys()].filter((name) => !now.authentication.has(name));
  if (addedNames.length > 0)
    out.add({
      class: was.authentication.size > 0 ? "access.widened" : "resource.changed",
      summary:
        was.authentication.size > 0
          ? `authentication gains ${addedNames.join(", ")}: ${reach} now also admits callers who pass only ${addedNames.length === 1 ? "it" : "one of them"} (any one authentication rule admits a request)`
          : `authentication ${addedNames.join(", ")} added: ${reach} refuses anonymous requests`,
      side: "head",
      path: [...at, addedNames[0]!],
      after: addedNames,
      ...(was.authentication.size > 0 ? {} : { riskFloor: "medium" as const }),
    });
  if (removedNames.length > 0)
    out.add({
      class: "resource.changed",
      summary: `authentication ${removedNames.join(", ")} removed: callers who passed only ${removedNames.length === 1 ? "it" : "those"} are refused`,
      side: "base",
      path: [...was.section.path, "rules", "authentication", removedNames[0]!],
      before: removedNames,
      riskFloor: "medium",
    });
  for (const [name, rule] of now.authentication) {
    if (!was.authentication.has(name)) continue;
    const move = entryChange(was.authentication.get(name), rule, CREDENTIAL_PLACEMENT);
    if (move === "same") continue;
    out.add({
      class: move === "more-requests" ? "resource.changed" : "access.widened",
      summary: `authentication ${name} ${
        move === "changed"
          ? "rewritten: which credentials or issuers it accepts changes"
          : move === "fewer-requests"
            ? "gains conditions: requests they leave out skip it"
            : "loses conditions: it checks more requests"
      }`,
      side: "head",
      path: [...at, name],
      before: was.authentication.get(name),
      after: rule,
      ...(move === "more-requests" ? { riskFloor: "medium" as const } : {}),
    });
  }
};

const authorization = (was: Guards, now: Guards, out: DetectionList, reach: string): void => {
  const at = [...now.section.path, "rules", "authorization"];
  const removedNames = [...was.authorization.keys()].filter((name) => !now.authorization.has(name));
  const addedNames = [...now.authorization.keys()].filter((name) => !was.authorization.has(name));
  if (removedNames.length > 0)
    out.add({
      class: "access.widened",
      summary: `authorization ${removedNames.join(", ")} removed: ${reach} no longer refuses what ${removedNames.length === 1 ? "it" : "they"} refused`,
      side: "base",
      path: [...was.section.path, "rules", "authorization", removedNames[0]!],
      before: removedNames,
    });
  if (addedNames.length > 0)
    out.add({
      class: "resource.changed",
      summary: `authorization ${addedNames.join(", ")} added: requests it refuses on ${reach} are denied`,
      side: "head",
      path: [...at, addedNames[0]!],
      after: addedNames,
      riskFloor: "medium",
    });
  for (const [name, rule] of now.authorization) {
    if (!was.authorization.has(name)) continue;
    const move = entryChange(was.authorization.get(name), rule);
    if (move === "same") continue;
    // A rewritten rule (another OPA policy, other patterns) may allow what it refused: which, the review cannot tell.
    out.add({
      class: move === "more-requests" ? "resource.changed" : "access.widened",
      summary: `authorization ${name} ${
        move === "changed"
          ? "rewritten: it may allow requests it refused"
          : move === "fewer-requests"
            ? "gains conditions: requests they leave out are not authorized by it"
            : "loses conditions: it authorizes more requests"
      }`,
      side: "head",
      path: [...at, name],
      before: was.authorization.get(name),
      after: rule,
      ...(move === "more-requests" ? { riskFloor: "medium" as const } : {}),
    });
  }
};

/** The policy's own conditions: requests they leave out pass with no authentication or authorization at all. */
const conditions = (was: Guards, now: Guards, out: DetectionList, reach: string): void => {
  const move = conditionsMove(conditionsOf(was.section.fields), conditionsOf(now.section.fields));
  if (move === "same" || !guarded(was)) return;
  out.add({
    class: move === "fewer-requests" ? "access.widened" : "resource.changed",
    summary:
      move === "fewer-requests"
        ? `conditions (when) added or changed: requests to ${reach} they leave out pass with no authentication or authorization`
        : `conditions (when) dropped: the policy checks every request to ${reach}`,
    side: "head",
    path: [...now.section.path, "when"],
    before: conditionsOf(was.section.fields),
    after: conditionsOf(now.section.fields),
    ...(move === "more-requests" ? { riskFloor: "medium" as const } : {}),
  });
};

/** A Gateway's policy in `overrides` wins over its routes' own; as defaults, a route's own policy replaces it. */
const overrides = (was: Guards, now: Guards, out: DetectionList, target: PolicyTarget | undefined, reach: string): void => {
  if (was.section.mode === now.section.mode || target?.kind !== "Gateway") return;
  const loosened = was.section.mode === "overrides";
  out.add({
    class: loosened ? "access.widened" : "resource.changed",
    summary: loosened
      ? `overrides → defaults: the routes of ${reach} that have their own AuthPolicy no longer get these rules, theirs replace them`
      : `defaults → overrides: these rules now replace the own AuthPolicies of the routes of ${reach}`,
    side: "head",
    path: now.section.path,
    before: was.section.mode,
    after: now.section.mode,
    ...(loosened ? {} : { riskFloor: "medium" as const }),
  });
};

const rules: Check = (change, out, context) => {
  if (!change.base || !change.head) return;
  const target = targetOf(change.head);
  if (!sameTarget(targetOf(change.base), target)) return;
  const [was, now] = [guardsOf(change.base), guardsOf(change.head)];
  const reach = describeTarget(context.head, target);
  authentication(was, now, out, reach);
  authorization(was, now, out, reach);
  conditions(was, now, out, reach);
  overrides(was, now, out, target, reach);
};

export const AUTH_POLICY_CHECKS: readonly Check[] = [attachment, rules];
