import type { Check } from "../../core/by-kind.js";
import type { FieldPath } from "../../core/finding.js";
import { isRecord, list, record, spec } from "../../core/json-access.js";
import { currentRule, namedPatterns, withPatterns } from "./auth-spellings.js";
import type { Resource } from "../../core/resource.js";
import { conditionsIn, kuadrantPolicies, kuadrantPolicyChecks, rulesOfKind, type Out } from "./effective-policy.js";
import { conditionsMove, entriesOf, entryChange } from "./named-entries.js";
import { conditionsOf, sectionOf, type SectionMode } from "./policy-sections.js";

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

/**
 * A policy's rules as Kuadrant merges them (kuadrant-operator api/v1 AuthPolicy.Rules()), by
 * `kind#name`, each in today's spelling (auth-spellings.ts): authentication, metadata,
 * authorization and callbacks by name, the response whole, and the section's own conditions
 * (`when`, v1beta2's `routeSelectors`) as `conditions#`. v1beta1 wrote them in `authScheme`
 * (authentication as its `identity` list, its own `when`), and chose the requests by `rules` of
 * hosts, methods and paths: conditions too.
 */
function rulesOf(policy: Resource): Map<string, unknown> {
  const section = sectionOf(policy);
  const legacy = isRecord(spec(policy).authScheme);
  const rules = legacy ? record(spec(policy).authScheme) : record(section.fields.rules);
  const patterns = namedPatterns(legacy ? rules.patterns : section.fields.patterns);
  const named = (kind: string, value: unknown): [string, unknown][] =>
    [...entriesOf(value)].map(([name, rule]) => [`${kind}#${name}`, currentRule(kind, rule, patterns)]);
  const conditions = withPatterns(legacy ? [...list(rules.when), ...list(spec(policy).rules)] : conditionsOf(section.fields), patterns);
  return new Map([
    ...named("authentication", legacy ? rules.identity : rules.authentication),
    ...named("metadata", rules.metadata),
    ...named("authorization", rules.authorization),
    ...named("callbacks", rules.callbacks),
    ...(rules.response === undefined ? [] : [["response#", rules.response] as [string, unknown]]),
    ...(conditions.length > 0 ? [["conditions#", conditions] as [string, unknown]] : []),
  ]);
}

/** Without an auth scheme (rules but conditions) an AuthPolicy leaves its Gateway's atomic defaults in force. */
const noScheme = (rules: ReadonlyMap<string, unknown>): boolean => [...rules.keys()].every((key) => key === "conditions#");

const AUTH_POLICIES = kuadrantPolicies("AuthPolicy", rulesOf, noScheme);

/** What a side requires: its authentication and authorization rules by name, and its conditions, written at `path`. */
interface Guards {
  readonly authentication: Map<string, unknown>;
  readonly authorization: Map<string, unknown>;
  readonly conditions: readonly unknown[];
  readonly path: FieldPath;
}

const guardsFrom = (rules: ReadonlyMap<string, unknown>, path: FieldPath): Guards => ({
  authentication: rulesOfKind(rules, "authentication"),
  authorization: rulesOfKind(rules, "authorization"),
  conditions: conditionsIn(rules),
  path,
});

const guardsOf = (policy: Resource): Guards => guardsFrom(rulesOf(policy), sectionOf(policy).path);

/**
 * Authorino's `anonymous` identity admits any request: an authentication rule of it, with no
 * conditions of its own, leaves nothing to authenticate, as no authentication rule at all does.
 */
const anonymousRules = (guards: Guards): string[] =>
  [...guards.authentication]
    .filter(([, rule]) => isRecord(record(rule).anonymous) && conditionsOf(record(rule)).length === 0)
    .map(([name]) => name);

const admitsAnyone = (guards: Guards): boolean => guards.authentication.size === 0 || anonymousRules(guards).length > 0;

const guarded = (guards: Guards): boolean => !admitsAnyone(guards) || guards.authorization.size > 0;

const describeGuards = (guards: Guards): string =>
  [
    ...(admitsAnyone(guards) ? [] : [`authentication (${[...guards.authentication.keys()].join(", ")})`]),
    ...(guards.authorization.size > 0 ? [`authorization (${[...guards.authorization.keys()].join(", ")})`] : []),
  ].join(" and ");

/** What a policy requires of a request (Family.guardingPolicies), undefined where it admits anyone. */
export const requirements = (policy: Resource): string | undefined => {
  const guards = guardsOf(policy);
  return guarded(guards) ? describeGuards(guards) : undefined;
};

/** A target left without the policy (`title`: how, and which): it no longer requires what the policy required. */
function lost(out: Out, title: string, guards: Guards, side: "base" | "head"): void {
  if (!guarded(guards)) return;
  out.add({
    class: "access.widened",
    summary: `${title} no longer requires ${describeGuards(guards)} of this policy`,
    side,
    path: side === "base" ? ["spec"] : ["spec", "targetRef"],
    before: { requires: describeGuards(guards) },
  });
}

/** A target nothing guarded before gains the policy: callers without what it requires are refused. */
function gained(out: Out, title: string, guards: Guards): void {
  if (!guarded(guards)) return;
  out.add({
    class: "resource.changed",
    summary: `${title}: it requires ${describeGuards(guards)}, and requests without it are refused`,
    side: "head",
    path: ["spec"],
    after: { requires: describeGuards(guards) },
    riskFloor: "medium",
  });
}

/** Where the credentials are read from changes which requests carry them, not whose are accepted. */
const CREDENTIAL_PLACEMENT = new Set(["credentials"]);

const authentication = (was: Guards, now: Guards, out: Out, reach: string): void => {
  const at = [...now.path, "rules", "authentication"];
  const [open, opened] = [admitsAnyone(was), admitsAnyone(now)];
  if (!open && opened) {
    const anonymous = anonymousRules(now);
    const required = [...was.authentication.keys()].join(", ");
    out.add({
      class: "access.widened",
      summary:
        anonymous.length === 0
          ? `every authentication rule removed (${required}): ${reach} accepts anonymous requests`
          : `authentication ${anonymous.join(", ")} is anonymous: ${reach} admits anyone (it required ${required})`,
      ...(anonymous.length === 0
        ? { side: "base" as const, path: [...was.path, "rules", "authentication"] }
        : { side: "head" as const, path: [...at, anonymous[0]!] }),
      before: [...was.authentication.keys()],
      after: [...now.authentication.keys()],
    });
    return;
  }
  // Anyone was admitted and still is: which other rules are written admits no one new.
  if (open && opened) return;
  const addedNames = [...now.authentication.keys()].filter((name) => !was.authentication.has(name));
  const removedNames = [...was.authentication.keys()].filter((name) => !now.authentication.has(name));
  if (addedNames.length > 0)
    out.add({
      class: open ? "resource.changed" : "access.widened",
      summary: open
        ? `authentication ${addedNames.join(", ")} added: ${reach} refuses anonymous requests`
        : `authentication gains ${addedNames.join(", ")}: ${reach} now also admits callers who pass only ${addedNames.length === 1 ? "it" : "one of them"} (any one authentication rule admits a request)`,
      side: "head",
      path: [...at, addedNames[0]!],
      after: addedNames,
      ...(open ? { riskFloor: "medium" as const } : {}),
    });
  if (removedNames.length > 0)
    out.add({
      class: "resource.changed",
      summary: `authentication ${removedNames.join(", ")} removed: callers who passed only ${removedNames.length === 1 ? "it" : "those"} are refused`,
      side: "base",
      path: [...was.path, "rules", "authentication", removedNames[0]!],
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

const authorization = (was: Guards, now: Guards, out: Out, reach: string): void => {
  const at = [...now.path, "rules", "authorization"];
  const removedNames = [...was.authorization.keys()].filter((name) => !now.authorization.has(name));
  const addedNames = [...now.authorization.keys()].filter((name) => !was.authorization.has(name));
  if (removedNames.length > 0)
    out.add({
      class: "access.widened",
      summary: `authorization ${removedNames.join(", ")} removed: ${reach} no longer refuses what ${removedNames.length === 1 ? "it" : "they"} refused`,
      side: "base",
      path: [...was.path, "rules", "authorization", removedNames[0]!],
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
const conditions = (was: Guards, now: Guards, out: Out, reach: string): void => {
  const move = conditionsMove(was.conditions, now.conditions);
  if (move === "same" || !guarded(was)) return;
  out.add({
    class: move === "fewer-requests" ? "access.widened" : "resource.changed",
    summary:
      move === "fewer-requests"
        ? `conditions (when) added or changed: requests to ${reach} they leave out pass with no authentication or authorization`
        : `conditions (when) dropped: the policy checks every request to ${reach}`,
    side: "head",
    path: [...now.path, "when"],
    before: was.conditions,
    after: now.conditions,
    ...(move === "more-requests" ? { riskFloor: "medium" as const } : {}),
  });
};

/** A Gateway's policy in `overrides` wins over its routes' own; as defaults, a route's own policy replaces it. */
const overrides = (was: SectionMode, now: SectionMode, out: Out, path: FieldPath, reach: string): void => {
  const loosened = was === "overrides";
  out.add({
    class: loosened ? "access.widened" : "resource.changed",
    summary: loosened
      ? `overrides → defaults: the routes of ${reach} that have their own AuthPolicy no longer get these rules, theirs replace them`
      : `defaults → overrides: these rules now replace the own AuthPolicies of the routes of ${reach}`,
    side: "head",
    path,
    before: was,
    after: now,
    ...(loosened ? {} : { riskFloor: "medium" as const }),
  });
};

/** Every comparison of what a target requires before and after. */
const compared = (was: Guards, now: Guards, out: Out, reach: string): void => {
  authentication(was, now, out, reach);
  authorization(was, now, out, reach);
  conditions(was, now, out, reach);
};

/** A Gateway's policy judged as written, a route's on what governs the route (K1: the route's `anonymous` under the Gateway's Keycloak JWT defaults opens it to anyone). */
export const AUTH_POLICY_CHECKS: readonly Check[] = kuadrantPolicyChecks(AUTH_POLICIES, {
  read: guardsFrom,
  lost,
  gained,
  compared,
  modeChanged: overrides,
  unchanged: "what its requests must pass stays the same",
});
