import { isRecord, list, record, spec, text, texts } from "../../core/json-access.js";
import type { Resource } from "../../core/resource.js";
import type { DetectionList } from "../../core/detection-list.js";
import type { ResourceChange } from "../../core/resource-change.js";
import { sameValue, show, sortedSet } from "../../core/canonical-values.js";
import { corsOriginChanges, type CorsOrigins } from "../../core/cors-origins.js";
import { issuerChanges, keySource, type TrustedIssuer } from "../../core/jwt-trust.js";
import { config, describeDestinations, describeRoutes } from "./gloo-selectors.js";

/**
 * What a Gloo security policy kept in place checks, field by field (which routes it guards at all:
 * gloo-route-guards.ts): the authorizer an ExtAuthPolicy asks and the methods it requires, the
 * issuers a JWTPolicy trusts, what a WAFPolicy inspects, the origins a CORSPolicy lets read
 * responses, what a DLPPolicy masks, and the TLS a ClientTLSPolicy originates to its destinations.
 * Field names follow the 2.14 CRDs.
 */

/** `for routes {auth=oidc}` (or its destinations): the scope summaries name. */
const scopeOf = (policy: Resource): string => {
  const { applyToRoutes, applyToDestinations } = spec(policy);
  if (list(applyToDestinations).length > 0 && list(applyToRoutes).length === 0) return `for ${describeDestinations(applyToDestinations)}`;
  return `for ${describeRoutes(applyToRoutes)}`;
};

// ---------------------------------------------------------------------------------------------
// ExtAuthPolicy

/** The ExtAuthServer asked: "If this field is omitted, Gloo generates a default ExtAuthServer configuration." */
const authorizerOf = (policy: Resource): string => {
  const server = record(config(policy).server);
  const name = text(server.name);
  if (!name) return "Gloo's default ExtAuthServer";
  return `ExtAuthServer ${text(server.namespace) ?? policy.id.namespace}/${name}${text(server.cluster) ? `@${text(server.cluster)}` : ""}`;
};

/** The authentication methods `glooAuth.configs` requires (`basicAuth`, `oauth2`, `apiKeyAuth`, …), or `customAuth`. */
const methodsOf = (policy: Resource): string[] => {
  const { glooAuth, customAuth } = config(policy);
  if (isRecord(customAuth)) return ["customAuth"];
  return sortedSet(list(record(glooAuth).configs).flatMap((item) => Object.keys(record(item)).filter((key) => key !== "name")));
};

/** Any pass-through authorizer that lets requests in when it cannot be reached. */
const failsOpen = (policy: Resource): boolean =>
  list(record(config(policy).glooAuth).configs).some((item) => {
    const passThrough = record(record(item).passThroughAuth);
    return passThrough.failureModeAllow === true;
  });

/** The identity providers OIDC sign-in trusts (`oauth2.oidcAuthorizationCode.issuerUrl`, and the older `oauth.issuerUrl`). */
const oidcIssuers = (policy: Resource): string[] =>
  sortedSet(
    list(record(config(policy).glooAuth).configs).flatMap((item) => {
      const { oauth2, oauth } = record(item);
      return [text(record(record(oauth2).oidcAuthorizationCode).issuerUrl), text(record(oauth).issuerUrl)].filter(
        (issuer): issuer is string => issuer !== undefined,
      );
    }),
  );

export const extAuthConfig = (change: ResourceChange, out: DetectionList): void => {
  if (!change.base || !change.head) return;
  const [base, head] = [change.base, change.head];
  const scope = scopeOf(head);
  const [was, now] = [authorizerOf(base), authorizerOf(head)];
  if (was !== now)
    out.add({
      class: "trust.changed",
      summary: `${scope}: external auth now asks ${now} (was ${was}): whatever it answers decides access`,
      side: "head",
      path: ["spec", "config", "server"],
      before: was,
      after: now,
    });
  const lost = methodsOf(base).filter((method) => !methodsOf(head).includes(method));
  if (lost.length > 0)
    out.add({
      class: "access.widened",
      summary: `${scope}: external auth no longer requires ${lost.join(", ")}`,
      side: "head",
      path: ["spec", "config"],
      before: methodsOf(base),
      after: methodsOf(head),
    });
  // `||` lets a request in that passes any one of the configs it joins (every config must pass by default).
  const expression = (policy: Resource) => text(record(config(policy).glooAuth).booleanExpr);
  const [exprBefore, exprAfter] = [expression(base), expression(head)];
  const either = (value: string | undefined) => value?.includes("||") === true;
  if (exprBefore !== exprAfter)
    out.add({
      class: either(exprAfter) && !either(exprBefore) ? "access.widened" : "resource.changed",
      summary: `${scope}: booleanExpr ${exprBefore ?? "(every config must pass)"} → ${exprAfter ?? "(every config must pass)"}: which authentications a request must pass changes`,
      side: "head",
      path: ["spec", "config", "glooAuth", "booleanExpr"],
      before: exprBefore ?? null,
      after: exprAfter ?? null,
      ...(either(exprAfter) && !either(exprBefore) ? {} : { riskFloor: "medium" as const }),
    });
  const gainedIssuers = oidcIssuers(head).filter((issuer) => !oidcIssuers(base).includes(issuer));
  if (gainedIssuers.length > 0 && oidcIssuers(base).length > 0)
    out.add({
      class: "trust.changed",
      summary: `${scope}: OIDC sign-in now trusts ${gainedIssuers.join(", ")} (was ${oidcIssuers(base).join(", ")}): another identity provider's tokens sign users in`,
      side: "head",
      path: ["spec", "config", "glooAuth", "configs"],
      before: oidcIssuers(base),
      after: oidcIssuers(head),
    });
  if (!failsOpen(base) && failsOpen(head))
    out.add({
      class: "access.widened",
      summary: `${scope}: passThroughAuth.failureModeAllow true: requests pass unauthenticated whenever the authorizer cannot be reached`,
      side: "head",
      path: ["spec", "config", "glooAuth", "configs"],
      before: false,
      after: true,
    });
};

// ---------------------------------------------------------------------------------------------
// JWTPolicy

/** The providers a policy trusts (`config.providers`, a map by provider name: `remote.url` or `local` keys). */
const jwtIssuers = (policy: Resource): TrustedIssuer[] =>
  Object.entries(record(config(policy).providers)).map(([name, value]) => {
    const provider = record(value);
    const local = record(provider.local);
    const remote = record(provider.remote);
    const issuer = text(provider.issuer) ?? `provider ${name} (any issuer)`;
    const destination = record(record(remote.destinationRef).ref);
    const remoteAt = text(remote.url) ?? (text(destination.name) ? `destination ${show(destination)}` : undefined);
    return {
      issuer,
      ...keySource(issuer, remoteAt, text(local.inline) ?? text(record(record(local.secretRef).objectRef).name)),
      audiences: sortedSet(texts(provider.audiences)),
      path: ["spec", "config", "providers", name],
    };
  });

/** Claims and scopes a token must carry: fewer lets tokens minted for other purposes through. */
const requirementsOf = (policy: Resource): string[] =>
  sortedSet([
    ...list(config(policy).claims).map((claim) => `claim ${show(claim)}`),
    ...texts(config(policy).requiredScopes).map((scope) => `scope ${scope}`),
  ]);

export const jwtConfig = (change: ResourceChange, out: DetectionList): void => {
  if (!change.base || !change.head) return;
  const [base, head] = [change.base, change.head];
  const [before, after] = [jwtIssuers(base), jwtIssuers(head)];
  const dropped = before.filter((rule) => !after.some((other) => other.issuer === rule.issuer));
  for (const draft of issuerChanges(before, after, dropped, {
    scope: scopeOf(head),
    formerScope: scopeOf(base),
    validatedBefore: before.length > 0,
  }))
    out.add(draft);
  const lost = requirementsOf(base).filter((requirement) => !requirementsOf(head).includes(requirement));
  if (lost.length > 0)
    out.add({
      class: "access.widened",
      summary: `${scopeOf(head)}: tokens no longer need ${lost.join(", ")}: tokens minted for other purposes are accepted`,
      side: "head",
      path: ["spec", "config"],
      before: requirementsOf(base),
      after: requirementsOf(head),
    });
};

// ---------------------------------------------------------------------------------------------
// WAFPolicy

export const wafConfig = (change: ResourceChange, out: DetectionList): void => {
  if (!change.base || !change.head) return;
  const [was, now] = [config(change.base), config(change.head)];
  const scope = scopeOf(change.head);
  // With no custom rules left the policy inspects nothing: gloo-route-guards.ts reports the routes.
  if (was.disableCoreRuleSet !== true && now.disableCoreRuleSet === true && list(now.customRuleSets).length > 0)
    out.add({
      class: "access.widened",
      summary: `${scope}: the OWASP core rule set is disabled: only the custom rules inspect requests`,
      side: "head",
      path: ["spec", "config", "disableCoreRuleSet"],
      before: false,
      after: true,
    });
  if (was.requestHeadersOnly !== true && now.requestHeadersOnly === true)
    out.add({
      class: "access.widened",
      summary: `${scope}: requestHeadersOnly true: request bodies are no longer inspected`,
      side: "head",
      path: ["spec", "config", "requestHeadersOnly"],
      before: false,
      after: true,
    });
};

// ---------------------------------------------------------------------------------------------
// CORSPolicy

/** Origins as the core compares them: `exact:…`, `prefix:…`, `regex:…`, `suffix:…`. */
const corsOf = (policy: Resource | undefined): CorsOrigins | undefined => {
  if (!policy) return undefined;
  const origins = list(config(policy).allowOrigins).flatMap((origin) =>
    Object.entries(record(origin)).flatMap(([how, value]) => (typeof value === "string" ? [`${how}:${value}`] : [])),
  );
  return { origins, credentials: config(policy).allowCredentials === true };
};

export const corsConfig = (change: ResourceChange, out: DetectionList): void => {
  if (!change.head) return;
  for (const draft of corsOriginChanges(corsOf(change.base), corsOf(change.head), `${scopeOf(change.head)}: `, [
    "spec",
    "config",
    "allowOrigins",
  ]))
    out.add(draft);
};

// ---------------------------------------------------------------------------------------------
// DLPPolicy

/** What the policy masks, action by action (shadowed actions only log). */
const maskedBy = (policy: Resource): string[] =>
  sortedSet(
    list(config(policy).actions).flatMap((value) => {
      const action = record(value);
      if (action.shadow === true) return [];
      return [text(action.predefinedAction) ?? text(record(action.customAction).name) ?? show(action)];
    }),
  );

export const dlpConfig = (change: ResourceChange, out: DetectionList): void => {
  if (!change.base || !change.head) return;
  const lost = maskedBy(change.base).filter((action) => !maskedBy(change.head!).includes(action));
  // None left: the routes are no longer guarded at all (gloo-route-guards.ts).
  if (lost.length === 0 || maskedBy(change.head).length === 0) return;
  out.add({
    class: "access.widened",
    summary: `${scopeOf(change.head)}: responses are no longer masked for ${lost.join(", ")}`,
    side: "head",
    path: ["spec", "config", "actions"],
    before: maskedBy(change.base),
    after: maskedBy(change.head),
  });
};

// ---------------------------------------------------------------------------------------------
// ClientTLSPolicy

/** The TLS a sidecar or gateway originates to the selected destinations: `disable`, `simple`, `mutual` or `istioMutual`. */
const TLS_STRENGTH: Readonly<Record<string, number>> = { disable: 0, simple: 1, mutual: 2, istioMutual: 2 };
const tlsModeOf = (policy: Resource | undefined): string | undefined =>
  Object.keys(TLS_STRENGTH).find((mode) => spec(policy)[mode] !== undefined);

export const clientTls = (change: ResourceChange, out: DetectionList): void => {
  const subject = (change.head ?? change.base)!;
  const scope = `for ${describeDestinations(spec(subject).applyToDestinations)}`;
  const [was, now] = [tlsModeOf(change.base), tlsModeOf(change.head)];
  if (was === now) {
    // The Secret holds the CA that verifies the destination (and, mutual, the client's own certificate).
    const credential = (policy: Resource | undefined) => text(record(record(spec(policy)[now ?? ""]).config).credentialName);
    const [before, after] = [credential(change.base), credential(change.head)];
    if (change.base && change.head && before !== after)
      out.add({
        class: "trust.changed",
        summary: `${scope}: ${now} TLS credentialName ${before ?? "(none)"} → ${after ?? "(none)"}: the destinations are verified against another CA`,
        side: "head",
        path: ["spec", now!, "config", "credentialName"],
        before: before ?? null,
        after: after ?? null,
      });
    return;
  }
  if (now !== undefined && (was === undefined || TLS_STRENGTH[now]! < TLS_STRENGTH[was]!)) {
    if (now === "disable" || was !== undefined)
      out.add({
        class: "mtls.weakened",
        summary: `${scope}: TLS to the destinations ${was ?? "(mesh default)"} → ${now}: ${now === "disable" ? "requests leave in plaintext" : "the client no longer presents its certificate"}`,
        side: "head",
        path: ["spec", now],
        before: was ?? null,
        after: now,
      });
    return;
  }
  if (now === undefined && was !== undefined && was !== "disable")
    out.add({
      class: "resource.changed",
      summary: `${scope}: ${change.head ? "TLS mode" : "policy"} removed: TLS to the destinations (${was}) falls back to the mesh's default`,
      side: change.head ? "head" : "base",
      path: change.head ? ["spec"] : ["spec", was],
      before: was,
      riskFloor: "medium-high",
    });
};

// ---------------------------------------------------------------------------------------------
// RateLimitPolicy

/** Other limits, descriptors or rate-limit servers: requests over the new limits are refused (429). */
export const rateLimitConfig = (change: ResourceChange, out: DetectionList): void => {
  if (!change.base || !change.head || sameValue(config(change.base), config(change.head))) return;
  out.add({
    class: "resource.changed",
    summary: `${scopeOf(change.head)}: rate-limit config changed: requests over the limits it now applies are refused (429)`,
    side: "head",
    path: ["spec", "config"],
    before: config(change.base),
    after: config(change.head),
    riskFloor: "medium",
  });
};
