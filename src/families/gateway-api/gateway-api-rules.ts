import type { Resource, ResourceId } from "../../core/resource.js";
import { groupOf } from "../../core/api-group.js";
import {
  canonical,
  durationMs,
  formatDuration,
  sameValue,
  show,
  sortedByCanonical,
  sortedSet,
  timeoutLimitMs,
} from "../../core/canonical-values.js";
import type { DetectionList } from "../../core/detection-list.js";
import type { ResourceChange } from "../../core/resource-change.js";
import type { FieldPath } from "../../core/finding.js";
import { handoverJudge } from "../../core/handling-moves.js";
import { isRecord, list, numeric, optionalRecord, record, spec, text, texts, type JsonRecord } from "../../core/json-access.js";
import { MUTATING_METHODS, reportMirrorIncreases, reportMirrorsRemoved, type EarlierMirror } from "../../core/mirror-changes.js";
import { objectRef } from "../../core/object-refs.js";
import { pairEntries } from "../../core/pair-entries.js";
import { corsOriginChanges, type CorsOrigins } from "../../core/cors-origins.js";
import { reportRedirection } from "../../core/redirect-changes.js";
import { timeoutChange } from "../../core/retry-changes.js";
import { unsetRequestTimeout, type UnsetRequestTimeout } from "./request-timeout-defaults.js";
import type { DetectorContext } from "../../core/detector.js";
import { redirectDestination, redirectStatus } from "./redirect.js";
import { ruleFilters } from "./rule-filters.js";
import { claimHeader, noHeaderEdits, removeHeaders, reportIdentityHeaders, type HeaderEdits } from "../../core/identity-headers.js";

/**
 * Per-rule risks of HTTPRoute and GRPCRoute that the route diff (matches and backendRefs) does
 * not see: mirrors, redirects and rewrites, extension filters, CORS, timeouts, retries and session persistence. Rules are
 * paired by name, else by their match signature, never by position.
 */

/** Stickiness decides whether clients follow a failover; reported so its owner looks at it. */
/** Session persistence as Gateway API defaults it: `type: Cookie` written out is the same (`+kubebuilder:default=Cookie`). */
const persistenceOf = (value: unknown): unknown => (isRecord(value) ? { type: "Cookie", ...value } : value);

export const sessionPersistence = (out: DetectionList, before: unknown, after: unknown, path: FieldPath, where: string): void => {
  if (sameValue(persistenceOf(before), persistenceOf(after))) return;
  const normal = (value: unknown) => (value === undefined ? undefined : (JSON.parse(canonical(value)) as unknown));
  out.add({
    class: "resource.changed",
    summary: `${where}sessionPersistence ${show(before)} → ${show(after)}: session stickiness changes, and with it how clients follow a failover`,
    side: "head",
    path,
    before: normal(before),
    after: normal(after),
    riskFloor: "medium",
  });
};

interface RuleView {
  readonly value: JsonRecord;
  /** The route's namespace, where the objects its filters name live. */
  readonly namespace: string;
  readonly path: FieldPath;
  readonly label: string;
  /** Identity when the rule has no name: its matches, canonical and order-free. */
  readonly signature: string;
  /** Why the rule can carry writes (mirroring it duplicates them); undefined when it cannot. */
  readonly writes: string | undefined;
}

const namedValues = (items: unknown, caseInsensitive: boolean): string[] =>
  sortedSet(
    list(items).map((item) => {
      const fields = record(item);
      const name = text(fields.name) ?? "";
      return `${caseInsensitive ? name.toLowerCase() : name} ${text(fields.type) ?? "Exact"} ${text(fields.value) ?? ""}`;
    }),
  );

const httpMatch = (value: unknown) => {
  const match = record(value);
  const path = record(match.path);
  return {
    path: `${text(path.type) ?? "PathPrefix"} ${text(path.value) ?? "/"}`,
    method: text(match.method)?.toUpperCase(),
    headers: namedValues(match.headers, true),
    queryParams: namedValues(match.queryParams, false),
  };
};

const grpcMatch = (value: unknown) => {
  const match = record(value);
  const method = record(match.method);
  return {
    method: `${text(method.type) ?? "Exact"} ${text(method.service) ?? "*"}/${text(method.method) ?? "*"}`,
    headers: namedValues(match.headers, true),
  };
};

const describeMatch = (match: { readonly [key: string]: string | readonly string[] | undefined }): string =>
  Object.entries(match)
    .flatMap(([key, value]) =>
      Array.isArray(value) ? value.map((item: string) => `${key} ${item}`) : value === undefined ? [] : [String(value)],
    )
    .join(" ");

const ruleView = ({ kind, namespace }: ResourceId, value: unknown, index: number): RuleView => {
  const rule = record(value);
  const matches = list(rule.matches);
  const name = text(rule.name);
  const path: FieldPath = ["spec", "rules", index];
  if (kind === "GRPCRoute") {
    const normal = sortedByCanonical(matches.map(grpcMatch));
    const described = normal.length === 0 ? "all methods" : normal.map(describeMatch).join(" | ");
    return {
      value: rule,
      namespace,
      path,
      label: `rule ${name ?? described}`,
      signature: canonical(normal),
      writes: "gRPC calls can write",
    };
  }
  const normal = sortedByCanonical(matches.length === 0 ? [httpMatch({})] : matches.map(httpMatch));
  const methods = sortedSet(normal.flatMap((match) => (match.method ? [match.method] : [])));
  const writes = normal.some((match) => match.method === undefined)
    ? "the rule takes writes (no method match)"
    : methods.some((method) => MUTATING_METHODS.includes(method))
      ? `the rule takes writes (${methods.filter((method) => MUTATING_METHODS.includes(method)).join(", ")})`
      : undefined;
  return {
    value: rule,
    namespace,
    path,
    label: `rule ${name ?? normal.map(describeMatch).join(" | ")}`,
    signature: canonical(normal),
    writes,
  };
};

const mirrorPercent = (mirror: JsonRecord): number => {
  const percent = numeric(mirror.percent);
  if (percent !== undefined) return percent;
  const fraction = optionalRecord(mirror.fraction);
  if (!fraction) return 100;
  const share = (numeric(fraction.numerator) ?? 0) / (numeric(fraction.denominator) ?? 100);
  return Math.round(share * 100_000) / 1000;
};

const filtersOf = (rule: RuleView) => ruleFilters(rule.value, rule.path);

/** Mirrors on the rule and on its backendRefs' filters. */
const mirrorsOf = (rule: RuleView, namespace: string): EarlierMirror[] =>
  filtersOf(rule).flatMap(({ fields, path }) => {
    if (text(fields.type) !== "RequestMirror") return [];
    const mirror = record(fields.requestMirror);
    return [
      {
        target: objectRef(mirror.backendRef, { group: "", kind: "Service", namespace }),
        percent: mirrorPercent(mirror),
        path: [...path, "requestMirror"],
        tookWrites: rule.writes !== undefined,
      },
    ];
  });

const REDIRECTING_FILTERS = [
  { type: "RequestRedirect", field: "requestRedirect", kind: "redirect", defaulted: redirectDestination },
  { type: "URLRewrite", field: "urlRewrite", kind: "rewrite", defaulted: (body: unknown) => body },
] as const;

const filterBody = (rule: RuleView, type: string, field: string): { body: unknown; path: FieldPath } | undefined => {
  const filters = list(rule.value.filters);
  const index = filters.findIndex((filter) => text(record(filter).type) === type);
  return index < 0 ? undefined : { body: record(filters[index])[field], path: [...rule.path, "filters", index, field] };
};

/** Status codes a client may keep and reuse without asking again (RFC 9110 §15.4: 301 and 308 are cacheable by default). */
const PERMANENT_REDIRECTS = new Set([301, 308]);

const redirects = (out: DetectionList, before: RuleView, after: RuleView): void => {
  for (const filter of REDIRECTING_FILTERS) {
    const was = filterBody(before, filter.type, filter.field);
    const now = filterBody(after, filter.type, filter.field);
    reportRedirection(out, {
      kind: filter.kind,
      subject: `${after.label}: ${filter.type}`,
      before: was && filter.defaulted(was.body),
      after: now && filter.defaulted(now.body),
      path: now?.path ?? [...after.path, "filters"],
    });
  }
  redirectStatusChange(out, before, after);
};

/**
 * A redirect's status code sends clients to the same place, so it moves no request; made permanent,
 * browsers and caches keep it, and a later revert does not reach them (medium).
 */
const redirectStatusChange = (out: DetectionList, before: RuleView, after: RuleView): void => {
  const [was, now] = [filterBody(before, "RequestRedirect", "requestRedirect"), filterBody(after, "RequestRedirect", "requestRedirect")];
  if (!was || !now) return;
  const [from, to] = [redirectStatus(was.body), redirectStatus(now.body)];
  if (from === to) return;
  const permanent = PERMANENT_REDIRECTS.has(to) && !PERMANENT_REDIRECTS.has(from);
  out.add({
    class: "resource.changed",
    summary: `${after.label}: RequestRedirect statusCode ${from} → ${to}: clients are sent to the same place${permanent ? ", and now keep the redirect (browsers and caches store a permanent one, so a revert does not reach them)" : ""}`,
    side: "head",
    path: [...now.path, "statusCode"],
    before: from,
    after: to,
    ...(permanent ? { riskFloor: "medium" as const } : {}),
  });
};

/**
 * A rule listing backendRefs beside a RequestRedirect filter: the CRD's validation (Gateway API v0.8
 * on: "RequestRedirect filter must not be used together with backendRefs") refuses the route, so it
 * is not applied. One the base already held is no new refusal: its edits are judged as written.
 */
const redirectBesideBackends = (out: DetectionList, before: RuleView | undefined, after: RuleView): void => {
  const refused = (rule: RuleView) =>
    list(rule.value.backendRefs).length > 0 && filterBody(rule, "RequestRedirect", "requestRedirect") !== undefined;
  if (!refused(after) || (before && refused(before))) return;
  out.add({
    class: "manifest.invalid",
    summary: `${after.label}: a RequestRedirect filter beside backendRefs: the Gateway API CRD's validation (v0.8 on) refuses the route ("RequestRedirect filter must not be used together with backendRefs"), so kubectl and the GitOps tools cannot apply it; the redirect answers every request, so the backendRefs would never receive one`,
    side: "head",
    path: [...after.path, "backendRefs"],
    riskFloor: "high",
  });
};

interface Extension {
  /** The filter's type: an implementation's (ExtensionRef), or an external authorization service's (ExternalAuth). */
  readonly type: "ExtensionRef" | "ExternalAuth";
  /** What it hands requests to: `Middleware forward-auth`, `Service auth/opa`. */
  readonly name: string;
  readonly group: string;
  /** The object it names, as its namespace holds it. */
  readonly target: { readonly kind: string; readonly name: string; readonly namespace: string };
  readonly path: FieldPath;
}

/**
 * The filters a rule's requests pass through to what the review does not model, on the rule or on
 * one of its backends, by type and name: implementation-specific ones (ExtensionRef), the same filter
 * under a renamed API group (gateway.gloo.solo.io → gateway.kgateway.dev) being the same filter
 * moved, not one removed; and ExternalAuth, by the service that authorizes each request.
 */
const extensionsOf = (rule: RuleView): Map<string, Extension> => {
  const found = new Map<string, Extension>();
  for (const { fields, path } of filtersOf(rule)) {
    const type = text(fields.type);
    if (type !== "ExtensionRef" && type !== "ExternalAuth") continue;
    const ref = record(type === "ExtensionRef" ? fields.extensionRef : record(fields.externalAuth).backendRef);
    const where = text(ref.namespace) ? `${text(ref.namespace)}/` : "";
    const target = {
      kind: text(ref.kind) ?? (type === "ExternalAuth" ? "Service" : "?"),
      name: text(ref.name) ?? "?",
      namespace: text(ref.namespace) ?? rule.namespace,
    };
    const name = `${target.kind} ${where}${target.name}`;
    if (!found.has(`${type} ${name}`)) found.set(`${type} ${name}`, { type, name, group: text(ref.group) ?? "", target, path });
  }
  return found;
};

/** An object of one tree by API group, kind, namespace and name: the one an extension names. */
const heldObject = (context: DetectorContext, side: "base" | "head", group: string, extension: Extension): JsonRecord | undefined => {
  const { kind, name, namespace } = extension.target;
  return context
    .objectsMentioning(side, name)
    .find(
      ({ object, namespace: landing }) =>
        apiGroup(object) === group &&
        text(object.kind) === kind &&
        text(record(object.metadata).name) === name &&
        (landing ?? "default") === namespace,
    )?.object;
};

const apiGroup = (object: JsonRecord): string | undefined => {
  const apiVersion = text(object.apiVersion);
  return apiVersion === undefined ? undefined : groupOf(apiVersion);
};

/**
 * Whether an ExtensionRef's new API group names the object its old one did, moved with it: the
 * base tree holds the object in the old group, and the head tree holds it in the new one, the same
 * but for its apiVersion's group (gateway.gloo.solo.io/v1alpha1 DirectResponse → gateway.kgateway.dev/v1alpha1,
 * kgateway 2a4ff05c1f). Where either tree does not hold it, or its content changed, the filter may do
 * something else, or nothing.
 */
const movedWithItsObject = (context: DetectorContext, was: Extension, now: Extension): boolean => {
  const before = heldObject(context, "base", was.group, was);
  const after = heldObject(context, "head", now.group, now);
  const version = (object: JsonRecord) => (text(object.apiVersion) ?? "").slice((apiGroup(object) ?? "").length);
  return (
    before !== undefined &&
    after !== undefined &&
    sameValue({ ...before, apiVersion: version(before) }, { ...after, apiVersion: version(after) })
  );
};

/**
 * An ExtensionRef hands requests to what the implementation attaches there (a Traefik Middleware,
 * an Envoy Gateway HTTPRouteFilter, a kgateway TrafficPolicy): authentication, rate limits, header
 * policy, none modelled. One taken away may be the check that guarded the rule (access.widened);
 * one added changes requests in ways the review cannot say (medium). An ExternalAuth filter is the
 * rule's authorization: taken away, requests pass unchecked.
 */
const extensions = (out: DetectionList, before: RuleView, after: RuleView, context: DetectorContext): void => {
  const [was, now] = [extensionsOf(before), extensionsOf(after)];
  const shown = ({ name, group }: Extension) => `${name}${group ? ` (${group})` : ""}`;
  // One authorization service swapped for another: the rule is still authorized, by someone else (medium).
  const auth = (extensions: Map<string, Extension>, other: Map<string, Extension>) =>
    [...extensions].filter(([key, extension]) => extension.type === "ExternalAuth" && !other.has(key));
  const [lostAuth, gainedAuth] = [auth(was, now), auth(now, was)];
  const swapped = lostAuth.length > 0 && gainedAuth.length > 0;
  if (swapped)
    out.add({
      class: "resource.changed",
      summary: `${after.label}: ExternalAuth now asks ${gainedAuth.map(([, extension]) => shown(extension)).join(", ")} (was ${lostAuth.map(([, extension]) => shown(extension)).join(", ")}): another authorization service decides which requests pass`,
      side: "head",
      path: gainedAuth[0]![1].path,
      before: lostAuth.map(([, extension]) => shown(extension)),
      after: gainedAuth.map(([, extension]) => shown(extension)),
      riskFloor: "medium",
    });
  for (const [key, extension] of was) {
    const kept = now.get(key);
    if (kept && kept.group === extension.group) continue;
    if (swapped && extension.type === "ExternalAuth") continue;
    const moved = kept && movedWithItsObject(context, extension, kept);
    out.add(
      kept
        ? {
            class: "resource.changed",
            summary: moved
              ? `${after.label}: ExtensionRef filter ${extension.name} now names API group ${kept.group || '""'} (was ${extension.group || '""'}), where the tree moved the object it names, unchanged: the same filter under its new API`
              : `${after.label}: ExtensionRef filter ${extension.name} now names API group ${kept.group || '""'} (was ${extension.group || '""'}): it applies only where that API serves an object of this name`,
            side: "head",
            path: kept.path,
            before: shown(extension),
            after: shown(kept),
            ...(moved ? {} : { riskFloor: "medium" as const }),
          }
        : {
            class: "access.widened",
            summary:
              extension.type === "ExternalAuth"
                ? `${after.label}: ExternalAuth filter (${shown(extension)}) removed: requests are no longer authorized by it, and pass unchecked`
                : `${after.label}: ExtensionRef filter ${shown(extension)} removed: requests no longer pass through it; what it did is not modelled, and if it authenticated, restricted or rate-limited them they now pass unchecked`,
            side: "base",
            path: extension.path,
            before: shown(extension),
            after: null,
          },
    );
  }
  for (const [key, extension] of now) {
    if (was.has(key) || (swapped && extension.type === "ExternalAuth")) continue;
    out.add({
      class: "resource.changed",
      summary:
        extension.type === "ExternalAuth"
          ? `${after.label}: ExternalAuth filter (${shown(extension)}) added: requests it does not authorize are now refused`
          : `${after.label}: ExtensionRef filter ${shown(extension)} added: requests now pass through it; what it does is not modelled`,
      side: "head",
      path: extension.path,
      before: null,
      after: shown(extension),
      riskFloor: "medium",
    });
  }
};

/** What a rule's RequestHeaderModifier filters (on the rule or its backends) do to who a request says it is. */
function headerEditsOf(rule: RuleView): HeaderEdits {
  const edits = noHeaderEdits();
  for (const { fields, path } of filtersOf(rule)) {
    if (text(fields.type) !== "RequestHeaderModifier") continue;
    const modifier = record(fields.requestHeaderModifier);
    const at: FieldPath = [...path, "requestHeaderModifier"];
    for (const field of ["set", "add"] as const)
      list(modifier[field]).forEach((header, position) =>
        claimHeader(edits, text(record(header).name), text(record(header).value), [...at, field, position]),
      );
    removeHeaders(edits, list(modifier.remove), [...at, "remove"]);
  }
  return edits;
}

const identityHeaders = (out: DetectionList, before: RuleView, after: RuleView): void =>
  reportIdentityHeaders(out, headerEditsOf(before), headerEditsOf(after), `${after.label}: RequestHeaderModifier`);

const corsOf = (rule: RuleView): (CorsOrigins & { path: FieldPath }) | undefined => {
  const found = filterBody(rule, "CORS", "cors");
  if (!found) return undefined;
  const cors = record(found.body);
  return {
    origins: texts(cors.allowOrigins),
    credentials: cors.allowCredentials === true,
    path: [...found.path, "allowOrigins"],
  };
};

const cors = (out: DetectionList, before: RuleView, after: RuleView): void => {
  const now = corsOf(after);
  for (const draft of corsOriginChanges(corsOf(before), now, `${after.label}: `, now?.path ?? after.path)) out.add(draft);
};

/** The request timeout's defaults on each side of a change, looked up only for a rule that leaves it unset on a side. */
type UnsetRequestTimeouts = () => { readonly before: UnsetRequestTimeout; readonly after: UnsetRequestTimeout };

/** `0s (no timeout)`, `unset (no timeout on Istio)`, `1m`: a request timeout as written, with what it means where that is not plain. */
function requestTimeoutShown(value: unknown, ms: number, unset: UnsetRequestTimeout | undefined): string {
  if (value !== undefined || unset === undefined)
    return ms === Number.POSITIVE_INFINITY ? `${show(value)} (no timeout)` : formatDuration(ms);
  if (unset.implementation === undefined)
    return ms === Number.POSITIVE_INFINITY
      ? "unset (the implementation's default: no timeout on Istio or Cilium; the Gateway's controller is not known here)"
      : `unset (the implementation's default: ${formatDuration(ms)} on Envoy-based Gateways; the Gateway's controller is not known here)`;
  return ms === Number.POSITIVE_INFINITY
    ? `unset (no timeout on ${unset.implementation})`
    : `unset (${unset.implementation}'s default, ${formatDuration(ms)})`;
}

/**
 * A rule's timeouts judged by the bounds they put on requests (GEP-1742): `request` on the whole
 * request, `backendRequest` on each attempt at a backend, which the request bound caps too. Without
 * retries a request is one attempt, so only the tighter of the two can fail it: a backendRequest
 * written at or above the request timeout changes nothing. With retries, the request bound also
 * cuts the attempts short. A rule without `retry` is taken as not retried, as the Envoy-based
 * Gateways do. Unset, the request timeout is the implementation's (request-timeout-defaults.ts):
 * `request: 30s` added on Envoy Gateway lengthens its 15 s, on Istio it bounds requests that had none.
 */
const timeouts = (out: DetectionList, before: RuleView, after: RuleView, unsetRequest: UnsetRequestTimeouts): void => {
  const [was, now] = [record(before.value.timeouts), record(after.value.timeouts)];
  const unset = was.request === undefined || now.request === undefined ? unsetRequest() : undefined;
  const request = timeoutChange(was.request, now.request, unset && { before: unset.before.ms, after: unset.after.ms });
  // Unset, an attempt has no bound of its own: the request's bounds it.
  const backendRequest = { wasMs: timeoutLimitMs(was.backendRequest), nowMs: timeoutLimitMs(now.backendRequest) };
  const attemptWas = Math.min(request.wasMs, backendRequest.wasMs);
  const attemptNow = Math.min(request.nowMs, backendRequest.nowMs);
  const retry = retryOf(after);
  const retried = retry.configured && retry.attempts !== 0;
  const shortened = {
    backendRequest: attemptNow < attemptWas && backendRequest.nowMs < request.nowMs,
    request: request.nowMs < request.wasMs && (retried || (attemptNow < attemptWas && request.nowMs <= backendRequest.nowMs)),
  };
  if (shortened.request) {
    const [from, to] = [
      requestTimeoutShown(was.request, request.wasMs, unset?.before),
      requestTimeoutShown(now.request, request.nowMs, unset?.after),
    ];
    out.add({
      class: "retry-timeout.changed",
      summary: `${after.label}: timeouts.request ${from} → ${to}: requests slower than ${formatDuration(request.nowMs)} now fail with 504`,
      side: "head",
      path: [...after.path, "timeouts", "request"],
      before: request.wasDefault ? "unset" : formatDuration(request.wasMs),
      after: request.defaulted ? "unset" : formatDuration(request.nowMs),
    });
  }
  if (shortened.backendRequest)
    out.add({
      class: "retry-timeout.changed",
      summary: `${after.label}: timeouts.backendRequest ${formatDuration(backendRequest.wasMs)} → ${formatDuration(backendRequest.nowMs)}: requests slower than that now fail with 504`,
      side: "head",
      path: [...after.path, "timeouts", "backendRequest"],
      before: formatDuration(backendRequest.wasMs),
      after: formatDuration(backendRequest.nowMs),
    });
};

const retryOf = (rule: RuleView) => {
  const retry = optionalRecord(rule.value.retry);
  return {
    configured: retry !== undefined,
    attempts: numeric(retry?.attempts),
    backoffMs: durationMs(retry?.backoff),
    codes: list(retry?.codes).flatMap((code) => {
      const status = numeric(code);
      return status === undefined ? [] : [status];
    }),
  };
};

const retries = (out: DetectionList, before: RuleView, after: RuleView): void => {
  const was = retryOf(before);
  const now = retryOf(after);
  const attemptsBefore = was.configured ? was.attempts : 0;
  if (now.attempts !== undefined && attemptsBefore !== undefined && now.attempts > attemptsBefore) {
    out.add({
      class: "retry-timeout.changed",
      summary: `${after.label}: retry.attempts ${was.configured ? show(was.attempts) : "(no retry)"} → ${now.attempts}: each failure can be retried more often, and retries multiply across layers`,
      side: "head",
      path: [...after.path, "retry", "attempts"],
      before: attemptsBefore,
      after: now.attempts,
    });
  }
  // GEP-1731: the minimum wait between attempts; shortened, a failing backend is retried that much faster.
  if (was.backoffMs !== undefined && now.backoffMs !== undefined && now.backoffMs < was.backoffMs && now.attempts !== 0)
    out.add({
      class: "retry-timeout.changed",
      summary: `${after.label}: retry.backoff ${formatDuration(was.backoffMs)} → ${formatDuration(now.backoffMs)}: failed requests are retried sooner, piling load on a failing backend`,
      side: "head",
      path: [...after.path, "retry", "backoff"],
      before: formatDuration(was.backoffMs),
      after: formatDuration(now.backoffMs),
    });
  const serverErrors = now.codes.filter((code) => code >= 500 && code < 600 && !was.codes.includes(code));
  if (serverErrors.length > 0) {
    out.add({
      class: "retry-timeout.changed",
      summary: `${after.label}: retry.codes adds ${serverErrors.join(", ")}: server errors are retried, which amplifies load on a failing backend`,
      side: "head",
      path: [...after.path, "retry", "codes"],
      before: [...was.codes].sort((a, b) => a - b),
      after: [...now.codes].sort((a, b) => a - b),
    });
  }
};

export const routeRules = (change: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  const id = (change.head ?? change.base)!.id;
  const namespace = id.namespace;
  const views = (resource: Resource | undefined) => list(spec(resource).rules).map((rule, index) => ruleView(id, rule, index));
  const base = views(change.base);
  const head = views(change.head);
  const everyBaseMirror = base.flatMap((rule) => mirrorsOf(rule, namespace));
  const pairs = pairEntries(base, head, [(rule) => text(rule.value.name), (rule) => rule.signature]);
  let unsetRequest: ReturnType<UnsetRequestTimeouts> | undefined;
  const unsetRequestTimeouts: UnsetRequestTimeouts = () =>
    (unsetRequest ??= {
      before: unsetRequestTimeout(change.base, context.base, "longest"),
      after: unsetRequestTimeout(change.head, context.head, "shortest"),
    });
  for (const pair of pairs) {
    if (!pair.head) continue;
    redirectBesideBackends(out, pair.base?.value, pair.head.value);
    const rule = { ...pair.head.value, mirrors: mirrorsOf(pair.head.value, namespace) };
    reportMirrorIncreases(out, rule, pair.base ? mirrorsOf(pair.base.value, namespace) : everyBaseMirror, "RequestMirror");
    if (!pair.base) continue;
    reportMirrorsRemoved(out, rule, mirrorsOf(pair.base.value, namespace), "RequestMirror");
    handlingChanges(out, pair.base.value, pair.head.value, unsetRequestTimeouts, context);
  }
};

/** How a rule handles the requests it keeps taking, compared (`after`: the rule they now meet); mirrors aside. */
function handlingChanges(
  out: DetectionList,
  before: RuleView,
  after: RuleView,
  unsetRequestTimeouts: UnsetRequestTimeouts,
  context: DetectorContext,
): void {
  guardChanges(out, before, after, context);
  backendHandlingChanges(out, before, after, unsetRequestTimeouts);
}

/** What guards a rule's requests whatever backend they reach: redirects, filters an extension applies (an authenticating Middleware), identity headers, CORS. */
function guardChanges(out: DetectionList, before: RuleView, after: RuleView, context: DetectorContext): void {
  redirects(out, before, after);
  extensions(out, before, after, context);
  identityHeaders(out, before, after);
  cors(out, before, after);
}

/** How a rule treats its requests for its backends: timeouts, retries, session persistence. */
function backendHandlingChanges(out: DetectionList, before: RuleView, after: RuleView, unsetRequestTimeouts: UnsetRequestTimeouts): void {
  timeouts(out, before, after, unsetRequestTimeouts);
  retries(out, before, after);
  sessionPersistence(
    out,
    before.value.sessionPersistence,
    after.value.sessionPersistence,
    [...after.path, "sessionPersistence"],
    `${after.label}: `,
  );
}

/**
 * Requests one HTTPRoute or GRPCRoute rule handled that another now takes (HandlingMove), judged as
 * the one edited in place into the other: a `/api` rule with `timeouts.request: 30s` removed beside
 * a catch-all with `1s` to the same Service, or a URLRewrite rule removed, loses that handling. Each
 * side's unset request timeout is its own route's Gateways' default. A mirror only the gone rule
 * held goes with it (low, as the field diff says): no response depended on it.
 */
export const routeRuleHandover = handoverJudge<RuleView>(
  ({ resource, path }) => {
    const [index, rules] = [path[2], list(spec(resource).rules)];
    return path[1] === "rules" && typeof index === "number" && index < rules.length
      ? ruleView(resource.id, rules[index], index)
      : undefined;
  },
  {
    guards: (out, was, now, _move, context) => guardChanges(out, was, now, context),
    handling: (out, was, now, { before, after }, context) =>
      backendHandlingChanges(out, was, now, () => ({
        before: unsetRequestTimeout(before.resource, context.base, "longest"),
        after: unsetRequestTimeout(after.resource, context.head, "shortest"),
      })),
    gone: (out, was, taken, { before, after }) =>
      reportMirrorIncreases(
        out,
        { ...taken, mirrors: mirrorsOf(taken, after.resource.id.namespace) },
        mirrorsOf(was, before.resource.id.namespace),
        "RequestMirror",
      ),
  },
);
