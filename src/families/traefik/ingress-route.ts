import type { Check } from "../../core/by-kind.js";
import type { FieldPath } from "../../core/finding.js";
import { handoverJudge, type RuleAt } from "../../core/handling-moves.js";
import { list, numeric, record, text, type JsonRecord } from "../../core/json-access.js";
import type { Resource } from "../../core/resource.js";
import { entriesOf } from "./flows.js";
import { middlewareChanges, middlewaresAt } from "../../core/traefik-middlewares.js";
import { clientsWidened } from "./client-ip.js";
import { backendTlsLosses, dialledServices, tlsOptionChanges, tlsOptionsOf, type ServiceReference } from "./transport-security.js";

/**
 * What an IngressRoute changes beyond its flows (hosts, paths, priorities and backends are read off
 * the traffic model by the route diff; its entry points are its attachment): the middlewares each
 * route passes requests through, and the TLS its routers serve.
 */

interface Route {
  readonly index: number;
  readonly match: string;
  readonly body: JsonRecord;
}

const routesOf = (resource: Resource): Route[] =>
  list(record(resource.body.spec).routes).map((item, index) => ({ index, match: text(record(item).match) ?? "", body: record(item) }));

/** Base and head routes of one IngressRoute, paired by their rule, then by their place among the unpaired. */
function pairRoutes(base: readonly Route[], head: readonly Route[]): [Route, Route][] {
  const left = new Set(base);
  const pairs: [Route, Route][] = [];
  const unpaired: Route[] = [];
  for (const route of head) {
    const twin = [...left].find((other) => other.match === route.match);
    if (twin) {
      left.delete(twin);
      pairs.push([twin, route]);
    } else unpaired.push(route);
  }
  const rest = [...left];
  unpaired.forEach((route, index) => rest[index] && pairs.push([rest[index]!, route]));
  return pairs;
}

const routePath = (route: Route): FieldPath => ["spec", "routes", route.index];
const routeMiddlewares = (route: Route, namespace: string) =>
  middlewaresAt(route.body.middlewares, namespace, [...routePath(route), "middlewares"]);

const routeMiddlewareChanges: Check = (change, out, context) => {
  if (!change.base || !change.head) return;
  for (const [was, now] of pairRoutes(routesOf(change.base), routesOf(change.head)))
    middlewareChanges(
      out,
      routeMiddlewares(was, change.base.id.namespace),
      routeMiddlewares(now, change.head.id.namespace),
      context,
      `route ${now.match}`,
    );
};

/**
 * A priority written, changed or dropped: Traefik tries an entry point's routers by it (unset: the
 * length of the rule), so the route now wins, or loses, the requests it shares with another route
 * of its hosts (radarr-bypass's `priority: 100` is what lets its API-key rule beat the
 * authenticated catch-all of the same host).
 */
const routePriority: Check = (change, out) => {
  if (!change.base || !change.head) return;
  for (const [was, now] of pairRoutes(routesOf(change.base), routesOf(change.head))) {
    const [before, after] = [numeric(was.body.priority), numeric(now.body.priority)];
    if (before === after) continue;
    const shown = (priority: number | undefined, route: Route) => priority ?? `(unset: ${route.match.length})`;
    out.add({
      class: "route.match-changed",
      summary: `route ${now.match}: priority ${shown(before, was)} → ${shown(after, now)}: it is tried in another order against the routes of its hosts, and takes or yields the requests they share`,
      side: "head",
      path: [...routePath(now), "priority"],
      before: before ?? null,
      after: after ?? null,
    });
  }
};

interface Tls {
  readonly certificate: string | undefined;
  readonly options: string | undefined;
}

const tlsOf = (resource: Resource): Tls | undefined => {
  const tls = record(resource.body.spec).tls;
  if (tls === undefined || tls === null) return undefined;
  const fields = record(tls);
  const secret = text(fields.secretName);
  const resolver = text(fields.certResolver);
  const options = record(fields.options);
  return {
    certificate: secret
      ? `secret ${secret}`
      : resolver
        ? `certResolver ${resolver}`
        : fields.passthrough === true
          ? "passthrough"
          : undefined,
    options: text(options.name) ? `${text(options.namespace) ?? resource.id.namespace}/${text(options.name)}` : undefined,
  };
};

/**
 * Its routers' TLS: gone, they match only plain HTTP, and the hosts stop being served over TLS on
 * their entry points (listener.changed); another certificate (a Secret, an ACME resolver, the
 * default store's when none is named) is what clients see (trust.changed); other TLS options
 * (versions, ciphers, client certificates) are a medium change, the TLSOption's own edits judged there.
 */
const routerTls: Check = (change, out, context) => {
  if (!change.base || !change.head) return;
  const [was, now] = [tlsOf(change.base), tlsOf(change.head)];
  const entries = entriesOf(change.head).join(", ");
  if (was && !now) {
    out.add({
      class: "listener.changed",
      summary: `tls removed: its routers on ${entries} no longer terminate TLS, so its hosts are not served over HTTPS there`,
      side: "base",
      path: ["spec", "tls"],
      before: record(change.base.body.spec).tls,
      after: null,
    });
    return;
  }
  if (!was && now) {
    out.add({
      class: "listener.changed",
      summary: `tls added: its routers on ${entries} now match only TLS requests, no longer plain HTTP`,
      side: "head",
      path: ["spec", "tls"],
      after: record(change.head.body.spec).tls,
    });
    return;
  }
  if (!was || !now) return;
  const certificate = (tls: Tls) => tls.certificate ?? "the default certificate";
  if (was.certificate !== now.certificate)
    out.add({
      class: "trust.changed",
      summary: `serving certificate ${certificate(was)} → ${certificate(now)}: clients see another certificate`,
      side: "head",
      path: ["spec", "tls"],
      before: certificate(was),
      after: certificate(now),
    });
  if (was.options === now.options) return;
  const named = (options: string | undefined) =>
    options ? { namespace: options.split("/")[0]!, name: options.split("/")[1]! } : undefined;
  const [before, after] = [tlsOptionsOf(context.base, named(was.options)), tlsOptionsOf(context.head, named(now.options))];
  const what = `tls.options ${was.options ?? "(default)"} → ${now.options ?? "(default)"}`;
  const found = out.detections.length;
  if (before && after) tlsOptionChanges(out, before, after, { path: ["spec", "tls", "options"], what });
  if (out.detections.length === found)
    out.add({
      class: "resource.changed",
      summary: `${what}: ${before && after ? "its routers accept no older versions, weaker ciphers or less verified clients" : "other TLS versions, ciphers or client certificate rules apply"}`,
      side: "head",
      path: ["spec", "tls", "options"],
      before: was.options ?? null,
      after: now.options ?? null,
      ...(before && after ? {} : { riskFloor: "medium" as const }),
    });
};

/**
 * A rule's ClientIP test removed or widened, as the allow list of a Middleware: clients of more
 * addresses reach the route (access.widened), judged by what the whole rule admits (client-ip.ts):
 * `ClientIP(`10.0.0.0/8`)` narrowed to `ClientIP(`10.1.0.0/16`)`, or to `ClientIP(`10.0.0.0/8`) &&
 * ClientIP(`10.1.0.0/16`)`, admits no one new; the second test of that pair dropped does.
 */
const clientIpWidened: Check = (change, out) => {
  if (!change.base || !change.head) return;
  for (const [was, now] of pairRoutes(routesOf(change.base), routesOf(change.head))) {
    const widened = clientsWidened(was.match, now.match);
    if (widened)
      out.add({
        class: "access.widened",
        summary: `route ${now.match}: ${widened}`,
        side: "head",
        path: [...routePath(now), "match"],
        before: was.match,
        after: now.match,
      });
  }
};

/** A route's service references, where they are written. */
const routeServices = (route: Route): ServiceReference[] =>
  list(route.body.services).map((item, index) => ({ entry: record(item), path: [...routePath(route), "services", index] }));

/**
 * TLS to a route's backends given up (backendTlsLosses), Service by Service, those its
 * TraefikServices reach included: a Service swapped for a TraefikService that dials it in the
 * clear gives up TLS as surely as its scheme edited does.
 */
const backendTls: Check = (change, out, context) => {
  if (!change.base || !change.head) return;
  const tcp = change.head.id.kind === "IngressRouteTCP";
  for (const [was, now] of pairRoutes(routesOf(change.base), routesOf(change.head)))
    backendTlsLosses(
      out,
      dialledServices(routeServices(was), change.base.id.namespace, context.base, tcp),
      dialledServices(routeServices(now), change.head.id.namespace, context.head, tcp),
      `route ${now.match}: `,
    );
};

export const ingressRouteChecks: readonly Check[] = [routeMiddlewareChanges, routePriority, clientIpWidened, routerTls, backendTls];

/** One route of an IngressRoute, as a handover reads it. */
interface RouteView {
  readonly label: string;
  readonly writes: undefined;
  readonly route: Route;
  readonly resource: Resource;
}

function routeAt({ resource, path }: RuleAt): RouteView | undefined {
  const index = path[2];
  if (typeof index !== "number") return undefined;
  const route = routesOf(resource)[index];
  return route && { label: `route ${route.match}`, writes: undefined, route, resource };
}

/**
 * Requests one route handled that another now takes (a route removed above a catch-all, a new
 * route ahead of one), judged as the one's middlewares edited in place into the other's: a
 * `/admin` route with a forwardAuth middleware removed, its requests falling through to a `/`
 * route without it, pass unauthenticated (access.widened).
 */
export const ingressRouteHandover = handoverJudge<RouteView>(routeAt, {
  guards: (out, was, now, _move, context) =>
    middlewareChanges(
      out,
      routeMiddlewares(was.route, was.resource.id.namespace),
      routeMiddlewares(now.route, now.resource.id.namespace),
      context,
      now.label,
      routePath(now.route),
    ),
  handling: () => {},
  gone: () => {},
});
