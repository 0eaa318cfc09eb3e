import type { Check } from "../../core/by-kind.js";
import { rangesBeyond } from "../../core/cidr.js";
import { sameValue } from "../../core/canonical-values.js";
import { list, numeric, record, text, type JsonRecord } from "../../core/json-access.js";
import { middlewareChanges, middlewaresAt } from "../../core/traefik-middlewares.js";

/**
 * A Middleware edited in place, as every route naming it meets it: who it lets through. Its
 * authentication taken away (basicAuth, digestAuth, forwardAuth) or its allowed source ranges
 * widened opens the routes to more clients (access.widened); another forwardAuth address is another
 * authorizer deciding (trust.changed); a chain loses or gains members as a route does. Other edits
 * (headers, rate limits, rewrites) are the resource.changed fallback's.
 */

const AUTHENTICATION: Readonly<Record<string, string>> = {
  basicAuth: "basic authentication",
  digestAuth: "digest authentication",
  forwardAuth: "its forward authentication service's check",
};

const authentication: Check = (change, out) => {
  if (!change.base || !change.head) return;
  const [before, after] = [record(change.base.body.spec), record(change.head.body.spec)];
  for (const [key, what] of Object.entries(AUTHENTICATION))
    if (before[key] !== undefined && after[key] === undefined)
      out.add({
        class: "access.widened",
        summary: `${key} removed: requests of every route naming it reach their backends without ${what}`,
        side: "base",
        path: ["spec", key],
        before: before[key],
        after: null,
      });
  const [address, nowAddress] = [text(record(before.forwardAuth).address), text(record(after.forwardAuth).address)];
  if (address !== undefined && nowAddress !== undefined && address !== nowAddress)
    out.add({
      class: "trust.changed",
      summary: `forwardAuth.address ${address} → ${nowAddress}: another authorization service decides which requests pass`,
      side: "head",
      path: ["spec", "forwardAuth", "address"],
      before: address,
      after: nowAddress,
    });
};

/** Traefik v3 renamed ipWhiteList ipAllowList: one setting under either name. */
const allowList = (spec: JsonRecord): { key: string; ranges: string[]; strategy: JsonRecord } | undefined => {
  const key = spec.ipAllowList !== undefined ? "ipAllowList" : spec.ipWhiteList !== undefined ? "ipWhiteList" : undefined;
  if (key === undefined) return undefined;
  const fields = record(spec[key]);
  return {
    key,
    ranges: list(fields.sourceRange).flatMap((range) => (text(range) ? [text(range)!.trim()] : [])),
    strategy: record(fields.ipStrategy),
  };
};

/** An ipStrategy with a depth or excluded IPs reads the client's address from X-Forwarded-For, which a client may write. */
const readsForwardedFor = (strategy: JsonRecord): boolean => (numeric(strategy.depth) ?? 0) > 0 || list(strategy.excludedIPs).length > 0;

const allowedSources: Check = (change, out) => {
  if (!change.base || !change.head) return;
  const [was, now] = [allowList(record(change.base.body.spec)), allowList(record(change.head.body.spec))];
  if (!was || was.ranges.length === 0) return;
  // bloopySphere's rfc1918 allow list gained, then lost, `ipStrategy.excludedIPs` (its load balancer's addresses).
  if (now && readsForwardedFor(now.strategy) && !sameValue(was.strategy, now.strategy))
    out.add({
      class: "resource.changed",
      summary: `${now.key}.ipStrategy now takes the client's address from X-Forwarded-For: a client that writes the header may pass the allow list unless the proxy in front overwrites it`,
      side: "head",
      path: ["spec", now.key, "ipStrategy"],
      before: was.strategy,
      after: now.strategy,
      riskFloor: "medium",
    });
  const added = now ? rangesBeyond(now.ranges, was.ranges) : [];
  if (now && now.ranges.length > 0 && added.length === 0) return;
  out.add({
    class: "access.widened",
    summary:
      !now || now.ranges.length === 0
        ? `${was.key} removed (was ${was.ranges.join(", ")}): any client address reaches the routes naming it`
        : `${now.key}.sourceRange admits ${added.join(", ")} too: more client addresses reach the routes naming it`,
    side: now ? "head" : "base",
    path: ["spec", (now ?? was).key],
    before: was.ranges,
    after: now?.ranges ?? null,
  });
};

const chainMembers: Check = (change, out, context) => {
  if (!change.base || !change.head) return;
  const members = (spec: unknown, namespace: string) =>
    middlewaresAt(record(record(spec).chain).middlewares, namespace, ["spec", "chain", "middlewares"]);
  const [was, now] = [members(change.base.body.spec, change.base.id.namespace), members(change.head.body.spec, change.head.id.namespace)];
  if (was.size > 0) middlewareChanges(out, was, now, context, "chain");
};

/**
 * A `headers` Middleware's own guards edited in place: `sslRedirect` (or `sslTemporaryRedirect`)
 * turned off serves plain HTTP on the routes naming it (listener.changed, as ingress-nginx's
 * `ssl-redirect: "false"`); `allowedHosts` dropped or admitting more names lets requests for other
 * Host headers through (medium).
 */
const headerGuards: Check = (change, out) => {
  if (!change.base || !change.head) return;
  const [before, after] = [record(record(change.base.body.spec).headers), record(record(change.head.body.spec).headers)];
  for (const key of ["sslRedirect", "sslTemporaryRedirect"])
    if (before[key] === true && after[key] !== true)
      out.add({
        class: "listener.changed",
        summary: `headers.${key} turned off: plain HTTP requests to the routes naming it are served, no longer redirected to HTTPS`,
        side: "head",
        path: ["spec", "headers", key],
        before: true,
        after: after[key] ?? null,
      });
  const [hosts, nowHosts] = [list(before.allowedHosts).map(String), list(after.allowedHosts).map(String)];
  const added = nowHosts.filter((host) => !hosts.includes(host));
  if (hosts.length > 0 && (nowHosts.length === 0 || added.length > 0))
    out.add({
      class: "resource.changed",
      summary:
        nowHosts.length === 0
          ? `headers.allowedHosts removed (was ${hosts.join(", ")}): requests for any Host pass`
          : `headers.allowedHosts admits ${added.join(", ")} too`,
      side: "head",
      path: ["spec", "headers", "allowedHosts"],
      before: hosts,
      after: nowHosts.length > 0 ? nowHosts : null,
      riskFloor: "medium",
    });
};

export const middlewareChecks: readonly Check[] = [authentication, allowedSources, chainMembers, headerGuards];
export const tcpMiddlewareChecks: readonly Check[] = [allowedSources];
