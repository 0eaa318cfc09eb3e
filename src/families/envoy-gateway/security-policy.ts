import { canonical, show, sortedSet } from "../../core/canonical-values.js";
import { byKind, type Check } from "../../core/by-kind.js";
import type { DetectionList } from "../../core/detection-list.js";
import { isRecord, list, record, spec, text, texts, type JsonRecord } from "../../core/json-access.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import type { DetectorContext } from "../../core/detector.js";
import { fileSites, sitesMeet } from "../../core/gitops-delivery.js";
import { ENVOY_GATEWAY_GROUP, reachesAlike, targetsOf, type Target } from "./policy-targets.js";
import { gatewayPolicies, listenerPolicies, parentGateways, policiesNaming } from "../../core/policy-hierarchy.js";
import { envoyGatewayPolicies } from "./policy-hierarchy.js";
import { issuerChanges, keySource, type TrustedIssuer } from "../../core/jwt-trust.js";
import { corsOriginChanges, type CorsOrigins } from "../../core/cors-origins.js";
import { rangesBeyond, rangesMeet } from "../../core/cidr.js";
import { nearestAll } from "../../core/nearest-definition.js";

/**
 * Envoy Gateway's SecurityPolicy: authentication (basic auth, API keys, JWT, OIDC, an external
 * authorizer) and authorization for what it targets — Gateways, their listeners, HTTPRoutes and
 * GRPCRoutes of its own namespace, by name or by label. What it guards is judged per target, as
 * Envoy Gateway applies it: a route's own policy replaces its Gateway's, it does not add to it.
 * A guard a target loses is access.widened; a guard it gains refuses callers without it (medium).
 */

const AUTHENTICATION = ["basicAuth", "apiKeyAuth", "jwt", "oidc", "extAuth"] as const;
const SECURED_ROUTE_KINDS = new Set(["HTTPRoute", "GRPCRoute"]);
const SECURITY_POLICIES = envoyGatewayPolicies("SecurityPolicy");

/**
 * What one side of a policy requires of a request, by name: each authentication method, and
 * authorization. An optional JWT requires nothing: a request without a token passes.
 */
export function guardsOf(policy: Resource | undefined): string[] {
  const fields = spec(policy);
  const guards: string[] = AUTHENTICATION.filter(
    (method) => isRecord(fields[method]) && !(method === "jwt" && record(fields.jwt).optional === true),
  );
  if (isRecord(fields.authorization)) guards.push("authorization");
  return guards;
}

/**
 * What the policies of its parent Gateways require of a route that has no policy of its own: what
 * every parent requires, since a request may come in through any of them.
 */
function gatewayGuards(tree: ManifestSet, route: Target): Guarding {
  if (!route.ref || !SECURED_ROUTE_KINDS.has(route.kind)) return { guards: [], from: [] };
  // Through one parent, the most specific level that has policies applies; a route that names no
  // listener comes in under the Gateway's policies on some listeners and each listener's own on
  // the others: only what all of them require is required of it.
  const perParent = parentGateways(tree, { kind: route.kind, ...route.ref }).map((gateway) => {
    const levels = gatewayPolicies(tree, SECURITY_POLICIES, gateway);
    const applying = levels.find((policies) => policies.length > 0) ?? [];
    return gateway.section === undefined ? [applying, ...listenerPolicies(tree, SECURITY_POLICIES, gateway)] : [applying];
  });
  const guards = requiredByAll(perParent.flat().map((policies) => policies.flatMap(guardsOf)));
  return { guards, from: policyNames(perParent.flat(2)) };
}

/** The guards each of several alternatives requires: where a request may meet any of them, only these are sure. */
const requiredByAll = (alternatives: readonly (readonly string[])[]): string[] =>
  alternatives.length === 0 ? [] : sortedSet(alternatives[0]!.filter((guard) => alternatives.every((guards) => guards.includes(guard))));

const named = (guards: readonly string[]): string => guards.join(", ");

const placed = (policy: Resource) => ({ file: policy.source.file, policy });

/** What guards an object in a policy's place, and which policies say so. */
interface Guarding {
  readonly guards: string[];
  readonly from: string[];
}

const policyNames = (policies: readonly Resource[]): string[] =>
  sortedSet(policies.map((policy) => `SecurityPolicy ${policy.id.namespace}/${policy.id.name}`));

/**
 * The other policies of a tree that guard a target in a policy's place: those that name it, else
 * (a listener or a route rule) those of its Gateway or route as a whole. Of several policies naming
 * one object Envoy Gateway applies the oldest and marks the others Conflicted, so one deleted hands
 * the object to another (eg-course 2597f03 deleted `oidc-example` beside `httpbin-security-policy`,
 * the same OIDC on the same HTTPRoute); which of several is oldest the tree does not tell: only what
 * every one of them requires counts: each that placement may put where the policy (`from`) lands,
 * not on other named clusters (a Flux Kustomization applying `./apps` puts `apps/a/oidc-example.yaml`
 * and `apps/b/cors.yaml` on one cluster: with the CORS-only policy the older, the route keeps no
 * OIDC), and, where placement does not say, the ones nearest the policy's file, as each example
 * folder brings its own (eg-course's `ext-authz` and `auth` labs name the route of its `oidc` lab,
 * each in its own folder). Undefined where none does.
 */
function peerGuards(tree: ManifestSet, target: Target, from: PlacedPolicy, context: DetectorContext): Guarding | undefined {
  if (!target.ref) return undefined;
  const { namespace, name, section } = target.ref;
  const levels = [
    policiesNaming(tree, SECURITY_POLICIES, { kind: target.kind, ...target.ref }),
    ...(section === undefined ? [] : [policiesNaming(tree, SECURITY_POLICIES, { kind: target.kind, namespace, name })]),
  ];
  const applying = levels.find((policies) => policies.length > 0);
  if (!applying) return undefined;
  const sitesAt = fileSites(context.placementOf(tree));
  const sitesOf = (policy: Resource) => sitesAt(policy.source.file);
  const placedToo = from.sites.length === 0 ? [] : applying.filter((policy) => sitesOf(policy).length > 0);
  const unplaced = applying.filter((policy) => !placedToo.includes(policy));
  const peers = [
    ...placedToo.filter((policy) => sitesMeet(sitesOf(policy), from.sites)),
    ...nearestAll(unplaced.map(placed), from.file).map(({ policy }) => policy),
  ];
  if (peers.length === 0) return undefined;
  return { guards: requiredByAll(peers.map(guardsOf)), from: policyNames(peers) };
}

/** A policy's file and where its tree's placement puts it (FileClusters.sites). */
interface PlacedPolicy {
  readonly file: string;
  readonly sites: readonly string[];
}

const placedIn = (tree: ManifestSet, policy: Resource, context: DetectorContext): PlacedPolicy => ({
  file: policy.source.file,
  sites: fileSites(context.placementOf(tree))(policy.source.file),
});

/** What a target that leaves a policy loses: its guards, less what the policies that apply to it in its place still require (else a route's Gateways'). */
const leftBehind = (target: Target, guards: readonly string[], from: PlacedPolicy, context: DetectorContext): string[] => {
  const fallback = (peerGuards(context.head, target, from, context) ?? gatewayGuards(context.head, target)).guards;
  return guards.filter((guard) => !fallback.includes(guard));
};
const removed: Check = (change, out, context) => {
  if (!change.base || change.head) return;
  const guards = guardsOf(change.base);
  for (const target of guards.length === 0 ? [] : targetsOf(change.base)) {
    const lost = leftBehind(target, guards, placedIn(context.base, change.base, context), context);
    if (lost.length === 0) continue;
    out.add({
      class: "access.widened",
      summary: `removed: ${target.name} no longer requires ${named(lost)}`,
      side: "base",
      path: ["spec"],
      before: { target: target.name, guards },
    });
  }
};

/**
 * Per target, what the policy required before and requires now. A target the policy gains loses
 * what its Gateway's policy required, where that is more: the route's own policy takes its place.
 */
const guardsPerTarget: Check = (change, out, context) => {
  const head = change.head;
  if (!head) return;
  const now = guardsOf(head);
  const before = change.base ? targetsOf(change.base) : [];
  // Targets rewritten to reach the same objects are the same targets.
  const after = change.base && reachesAlike(change.base, head, context) ? before : targetsOf(head);
  const was = guardsOf(change.base);
  for (const target of before) {
    if (after.some((other) => other.name === target.name)) {
      const lost = was.filter((guard) => !now.includes(guard));
      if (lost.length > 0)
        out.add({
          class: "access.widened",
          summary: `${target.name} no longer requires ${named(lost)}`,
          side: "head",
          path: ["spec", lost[0]!],
          before: was,
          after: now,
        });
    } else {
      const lost = leftBehind(target, was, placedIn(context.head, head, context), context);
      if (lost.length > 0)
        out.add({
          class: "access.widened",
          summary: `${target.name} is no longer a target: it no longer requires ${named(lost)}`,
          side: "head",
          path: ["spec"],
          before: { target: target.name, guards: was },
        });
    }
  }
  for (const target of after) {
    if (before.some((other) => other.name === target.name)) {
      const gained = now.filter((guard) => !was.includes(guard));
      if (gained.length > 0)
        out.add({
          class: "resource.changed",
          summary: `${target.name} now requires ${named(gained)}: requests without it are refused`,
          side: "head",
          path: ["spec", gained[0]!],
          before: was,
          after: now,
          riskFloor: "medium",
        });
      continue;
    }
    // Policies that named it before (eg-course 2597f03 added `httpbin-security-policy` beside its
    // twin, both OIDC) guarded it already; else its Gateway's did, which the route's own replaces.
    const peers = peerGuards(context.base, target, placedIn(context.head, head, context), context);
    const inherited = peers ?? gatewayGuards(context.head, target);
    const dropped = inherited.guards.filter((guard) => !now.includes(guard));
    const gained = now.filter((guard) => !peers?.guards.includes(guard));
    const replaced = peers
      ? `which ${inherited.from.join(", ")} named before (Envoy Gateway applies the oldest policy naming it)`
      : `whose own policy replaces its Gateway's (${inherited.from.join(", ")})`;
    if (dropped.length > 0)
      out.add({
        class: "access.widened",
        summary: `now targets ${target.name}, ${replaced}: it no longer requires ${named(dropped)}`,
        side: "head",
        path: ["spec"],
        before: inherited.guards,
        after: now,
      });
    else if (gained.length > 0)
      out.add({
        class: "resource.changed",
        summary: `${change.base ? "now targets" : "added for"} ${target.name}: it requires ${named(gained)}, and requests without it are refused`,
        side: "head",
        path: ["spec"],
        after: now,
        riskFloor: "medium",
      });
  }
};

/**
 * Whether an authorization rule matches every request another matches: the same action and
 * criteria but its name, where the other's client ranges lie within its own and its methods are
 * among its own (a rule matches when every criterion it sets does).
 */
/**
 * Whether every token a rule's JWT principal accepts, another's accepts too: the same provider, each
 * claim it requires required there with values among its own (a claim's values are alternatives),
 * and each scope it requires required there. All claims and all scopes must match (Envoy
 * Gateway's JWTPrincipal), so more of them narrow the rule.
 */
function jwtCovers(wider: unknown, narrower: unknown): boolean {
  if (wider === undefined) return true;
  if (narrower === undefined) return false;
  const [a, b] = [record(wider), record(narrower)];
  if (text(a.provider) !== text(b.provider)) return false;
  const claimKey = (claim: unknown) => `${text(record(claim).name)}\0${text(record(claim).valueType) ?? "String"}`;
  const claimsOf = (principal: JsonRecord) =>
    new Map(list(principal.claims).map((claim) => [claimKey(claim), texts(record(claim).values)]));
  const [claimsA, claimsB] = [claimsOf(a), claimsOf(b)];
  const claimsKept = [...claimsA].every(([key, values]) => claimsB.get(key)?.every((value) => values.includes(value)) === true);
  const scopesB = texts(b.scopes);
  return claimsKept && texts(a.scopes).every((scope) => scopesB.includes(scope));
}

function ruleCovers(wider: unknown, narrower: unknown): boolean {
  const [a, b] = [record(wider), record(narrower)];
  const [principalA, principalB] = [record(a.principal), record(b.principal)];
  const [operationA, operationB] = [record(a.operation), record(b.operation)];
  const rest = (rule: JsonRecord, principal: JsonRecord, operation: JsonRecord) =>
    canonical({
      ...rule,
      name: null,
      principal: { ...principal, clientCIDRs: null, jwt: null },
      operation: { ...operation, methods: null },
    });
  if (rest(a, principalA, operationA) !== rest(b, principalB, operationB)) return false;
  if (!jwtCovers(principalA.jwt, principalB.jwt)) return false;
  const cidrs = texts(principalA.clientCIDRs);
  const methods = texts(operationA.methods);
  const inRanges =
    principalA.clientCIDRs === undefined ||
    (principalB.clientCIDRs !== undefined && rangesBeyond(texts(principalB.clientCIDRs), cidrs).length === 0);
  const inMethods =
    operationA.methods === undefined ||
    (operationB.methods !== undefined && texts(operationB.methods).every((method) => methods.includes(method)));
  return inRanges && inMethods;
}

/**
 * Whether some request may match both rules. Only a criterion both set can keep them apart —
 * client ranges with no address in common, or no method in common; anything else (JWT claims,
 * headers, a range that does not parse) is taken to overlap, since a wrong "apart" would hide a widening.
 */
function rulesMayMeet(first: unknown, second: unknown): boolean {
  const [principalA, principalB] = [record(record(first).principal), record(record(second).principal)];
  const [operationA, operationB] = [record(record(first).operation), record(record(second).operation)];
  const rangesApart =
    principalA.clientCIDRs !== undefined &&
    principalB.clientCIDRs !== undefined &&
    !texts(principalA.clientCIDRs).some((a) => texts(principalB.clientCIDRs).some((b) => rangesMeet(a, b)));
  const methodsApart =
    operationA.methods !== undefined &&
    operationB.methods !== undefined &&
    !texts(operationA.methods).some((method) => texts(operationB.methods).includes(method));
  return !rangesApart && !methodsApart;
}

/** A rule as the same rule on both sides: what it matches and does, whatever it is named. */
const ruleIdentity = (rule: unknown): string => canonical({ ...record(rule), name: null });

/**
 * Rules are evaluated in order and the first that matches applies, so an Allow rule and a Deny rule
 * both sides keep that swap places decide anew the requests they both match: an Allow now ahead
 * allows them (access.widened), a Deny now ahead refuses them.
 */
function reorderedRules(before: JsonRecord, after: JsonRecord, out: DetectionList): void {
  const positions = (authorization: JsonRecord) => {
    const found = new Map<string, number>();
    list(authorization.rules).forEach((rule, index) => {
      if (!found.has(ruleIdentity(rule))) found.set(ruleIdentity(rule), index);
    });
    return found;
  };
  const [was, now] = [positions(before), positions(after)];
  const kept = list(after.rules).filter((rule, index) => now.get(ruleIdentity(rule)) === index && was.has(ruleIdentity(rule)));
  const ofAction = (action: string) => kept.filter((rule) => text(record(rule).action) === action);
  for (const allow of ofAction("Allow"))
    for (const deny of ofAction("Deny")) {
      const [allowWas, denyWas] = [was.get(ruleIdentity(allow))!, was.get(ruleIdentity(deny))!];
      const [allowNow, denyNow] = [now.get(ruleIdentity(allow))!, now.get(ruleIdentity(deny))!];
      if (allowWas < denyWas === allowNow < denyNow || !rulesMayMeet(allow, deny)) continue;
      const [first, second] = allowNow < denyNow ? [allow, deny] : [deny, allow];
      out.add({
        class: allowNow < denyNow ? "access.widened" : "resource.changed",
        summary:
          allowNow < denyNow
            ? `authorization: Allow rule ${show(allow)} now comes before Deny rule ${show(deny)}: requests both match are now allowed (the first matching rule applies)`
            : `authorization: Deny rule ${show(deny)} now comes before Allow rule ${show(allow)}: requests both match are now refused (the first matching rule applies)`,
        side: "head",
        path: ["spec", "authorization", "rules", Math.min(allowNow, denyNow)],
        before: [second, first],
        after: [first, second],
      });
    }
}

/** Envoy Gateway's authorization default is Deny: a request no rule matches is refused. */
const defaultAction = (authorization: JsonRecord): string => text(authorization.defaultAction) ?? "Deny";

const authorization: Check = (change, out) => {
  if (!change.base || !change.head) return;
  const before = record(spec(change.base).authorization);
  const after = record(spec(change.head).authorization);
  if (!isRecord(spec(change.head).authorization) || !isRecord(spec(change.base).authorization)) return;
  if (defaultAction(before) === "Deny" && defaultAction(after) === "Allow")
    out.add({
      class: "access.widened",
      summary: "authorization.defaultAction Deny → Allow: requests no rule matches are now allowed",
      side: "head",
      path: ["spec", "authorization", "defaultAction"],
      before: "Deny",
      after: "Allow",
    });
  const rules = (value: JsonRecord) => list(value.rules).map((rule) => ({ rule, key: canonical(rule) }));
  const had = new Set(rules(before).map(({ key }) => key));
  const has = new Set(rules(after).map(({ key }) => key));
  rules(after).forEach(({ rule, key }, index) => {
    if (had.has(key) || text(record(rule).action) !== "Allow") return;
    // Renamed, or narrowed (client ranges inside the old ones, fewer methods): it allows no one new.
    if (rules(before).some(({ rule: was }) => ruleCovers(was, rule))) return;
    out.add({
      class: "access.widened",
      summary: `authorization gains an Allow rule ${show(rule)}`,
      side: "head",
      path: ["spec", "authorization", "rules", index],
      after: rule,
    });
  });
  const droppedDenies = rules(before).filter(
    ({ rule, key }) =>
      !has.has(key) && text(record(rule).action) === "Deny" && !rules(after).some(({ rule: now }) => ruleCovers(now, rule)),
  );
  if (droppedDenies.length > 0)
    out.add({
      class: "access.widened",
      summary: `authorization loses Deny ${droppedDenies.length === 1 ? "rule" : "rules"} ${droppedDenies.map(({ rule }) => show(rule)).join(", ")}: what they refused may now pass`,
      side: "head",
      path: ["spec", "authorization", "rules"],
      before: droppedDenies.map(({ rule }) => rule),
    });
  reorderedRules(before, after, out);
};

/** An external authorizer that fails open lets requests through whenever it cannot answer. */
const extAuthFailOpen: Check = (change, out) => {
  const failOpen = (resource: Resource | undefined) => record(spec(resource).extAuth).failOpen === true;
  if (!change.base || !change.head || !isRecord(spec(change.head).extAuth) || failOpen(change.base) || !failOpen(change.head)) return;
  out.add({
    class: "access.widened",
    summary: "extAuth.failOpen true: requests pass unauthenticated whenever the external authorizer errors or cannot be reached",
    side: "head",
    path: ["spec", "extAuth", "failOpen"],
    before: false,
    after: true,
  });
};

/** The authorizer an extAuth asks, as its backends (`grpc` or `http`, `backendRef` or `backendRefs`). */
const authorizerOf = (policy: Resource | undefined): string | undefined => {
  const extAuth = spec(policy).extAuth;
  if (!isRecord(extAuth)) return undefined;
  const refs = ["grpc", "http"].flatMap((protocol) => {
    const service = record(extAuth[protocol]);
    return [...(isRecord(service.backendRef) ? [service.backendRef] : []), ...list(service.backendRefs)].map(
      (ref) => `${protocol} ${show({ kind: "Service", ...record(ref) })}`,
    );
  });
  return sortedSet(refs).join(", ");
};

/** Another external authorizer decides every request the policy guards: whatever it answers is access. */
const extAuthAuthorizer: Check = (change, out) => {
  const [before, after] = [authorizerOf(change.base), authorizerOf(change.head)];
  if (before === undefined || after === undefined || before === after) return;
  out.add({
    class: "trust.changed",
    summary: `extAuth now asks ${after || "(no backend)"} (was ${before || "(no backend)"}): whatever it answers decides access`,
    side: "head",
    path: ["spec", "extAuth"],
    before,
    after,
  });
};

/** The JWT providers a policy trusts (`jwt.providers`: remote JWKS, or keys written inline). */
const jwtIssuers = (policy: Resource): TrustedIssuer[] =>
  list(record(spec(policy).jwt).providers).flatMap((value, index) => {
    const provider = record(value);
    const issuer = text(provider.issuer) ?? `provider ${text(provider.name) ?? index}`;
    const local = record(provider.localJWKS);
    return [
      {
        issuer,
        ...keySource(issuer, text(record(provider.remoteJWKS).uri), text(local.inline) ?? text(record(local.valueRef).name)),
        audiences: sortedSet(texts(provider.audiences)),
        path: ["spec", "jwt", "providers", index],
      },
    ];
  });

/** Who a policy that kept its JWT authentication trusts to sign tokens (one that gains or loses it: guardsPerTarget). */
const jwtTrust: Check = (change, out) => {
  if (!isRecord(spec(change.base).jwt) || !isRecord(spec(change.head).jwt)) return;
  const [before, after] = [jwtIssuers(change.base!), jwtIssuers(change.head!)];
  const dropped = before.filter((rule) => !after.some((other) => other.issuer === rule.issuer));
  const scope = (policy: Resource) =>
    `for ${
      targetsOf(policy)
        .map((target) => target.name)
        .join(", ") || "no target"
    }`;
  const drafts = issuerChanges(before, after, dropped, {
    scope: scope(change.head!),
    formerScope: scope(change.base!),
    validatedBefore: before.length > 0,
  });
  for (const draft of drafts) out.add(draft);
};

/** The identity provider an OIDC sign-in trusts: another issuer is another authority over who signs in. */
const oidcIssuer: Check = (change, out) => {
  const issuer = (policy: Resource | undefined) => text(record(record(spec(policy).oidc).provider).issuer);
  const [before, after] = [issuer(change.base), issuer(change.head)];
  if (before === undefined || after === undefined || before === after) return;
  out.add({
    class: "trust.changed",
    summary: `oidc.provider.issuer ${before} → ${after}: sign-in now trusts another identity provider's tokens`,
    side: "head",
    path: ["spec", "oidc", "provider", "issuer"],
    before,
    after,
  });
};

/** The origins a policy's CORS lets browsers read responses from (strings, with `*` wildcards). */
const corsOrigins = (policy: Resource | undefined): CorsOrigins | undefined => {
  const cors = spec(policy).cors;
  return isRecord(cors) ? { origins: texts(cors.allowOrigins), credentials: cors.allowCredentials === true } : undefined;
};

const cors: Check = (change, out) => {
  if (!change.head) return;
  for (const draft of corsOriginChanges(corsOrigins(change.base), corsOrigins(change.head), "", ["spec", "cors", "allowOrigins"]))
    out.add(draft);
};

export const envoyGatewayDetector = byKind(
  { SecurityPolicy: [removed, guardsPerTarget, authorization, extAuthFailOpen, extAuthAuthorizer, jwtTrust, oidcIssuer, cors] },
  (id) => id.group === ENVOY_GATEWAY_GROUP,
);
