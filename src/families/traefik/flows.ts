import { canonical } from "../../core/canonical-values.js";
import { sharedPath } from "../../core/field-path.js";
import type { FieldPath } from "../../core/finding.js";
import { list, numeric, record, text, type JsonRecord } from "../../core/json-access.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { ruleIdOf, type Priority, type RuleShape, type WeightedRef } from "../../core/route-rules.js";
import { sharedText } from "../../core/string-table.js";
import { TRAEFIK_SERVICE_DEPTH, traefikObject } from "./objects.js";
import { ruleAlternatives } from "./rule-match.js";

/** traefik.containo.us is the group of Traefik v2's CRDs, renamed traefik.io in v3 with the same schemas. */
export const TRAEFIK_GROUPS: readonly string[] = ["traefik.io", "traefik.containo.us"];

export const ROUTE_KINDS = ["IngressRoute", "IngressRouteTCP", "IngressRouteUDP"] as const;

/** Where a route's requests enter: each entry point it names, or every default one when it names none. */
export const entriesOf = (resource: Resource): string[] => {
  const named = list(record(resource.body.spec).entryPoints).flatMap((entry) => (text(entry) ? [text(entry)!] : []));
  return named.length > 0 ? [...new Set(named)].map((name) => `Traefik entryPoint ${name}`) : ["Traefik (default entry points)"];
};

interface Expanded {
  readonly backends: WeightedRef[];
  readonly mirrors: { label: string; percent: number }[];
}

/**
 * One `services[]` entry as the backends it sends to, with their shares of `weight`: a Kubernetes
 * Service by port; a TraefikService the tree holds, through its weighted services (shares
 * multiplied) or its mirroring's main service (its mirrors the rule's mirrors). A TraefikService
 * the tree does not hold (or another provider's, `name@file`) stays one backend by its name.
 */
function expand(
  entry: JsonRecord,
  weight: number,
  at: { readonly namespace: string; readonly file: string; readonly path: FieldPath; readonly set: ManifestSet },
  out: Expanded,
  depth = 0,
): void {
  const name = text(entry.name) ?? "?";
  const namespace = text(entry.namespace) ?? at.namespace;
  const port = numeric(entry.port) ?? text(entry.port);
  if (text(entry.kind) === "TraefikService") {
    const service =
      name.includes("@") || depth >= TRAEFIK_SERVICE_DEPTH ? undefined : traefikObject(at.set, "TraefikService", namespace, name);
    const spec = record(service?.body.spec);
    const here = { ...at, namespace };
    const weighted = list(record(spec.weighted).services).map(record);
    if (weighted.length > 0) {
      const total = weighted.reduce((sum, child) => sum + (numeric(child.weight) ?? 1), 0);
      for (const child of weighted) expand(child, total > 0 ? (weight * (numeric(child.weight) ?? 1)) / total : 0, here, out, depth + 1);
      return;
    }
    const mirroring = record(spec.mirroring);
    if (text(mirroring.name)) {
      expand(mirroring, weight, here, out, depth + 1);
      for (const mirror of list(mirroring.mirrors).map(record))
        out.mirrors.push({ label: `${text(mirror.kind) ?? "Service"} ${text(mirror.name) ?? "?"}`, percent: numeric(mirror.percent) ?? 0 });
      return;
    }
    out.backends.push({
      key: `traefik.io/TraefikService/${namespace}/${name}:`,
      label: `TraefikService ${namespace}/${name}`,
      weight,
      ref: { kind: "Service", name, namespace, routeFile: at.file },
      path: at.path,
    });
    return;
  }
  const where = `${namespace}/${name}${port === undefined ? "" : `:${port}`}`;
  out.backends.push({
    key: `/Service/${namespace}/${name}:${port ?? ""}`,
    label: where,
    weight,
    ref: { kind: "Service", name, namespace, routeFile: at.file, coreService: true, ...(port === undefined ? {} : { port }) },
    path: at.path,
  });
}

/** A route's handling besides its match and backends: its middlewares (by what they name, in order) and whatever else it sets. */
const handlingOf = (route: JsonRecord): string => {
  const { match: _match, kind: _kind, priority: _priority, services: _services, ...rest } = route;
  return sharedText(canonical(rest));
};

/** The L4 section a TCP or UDP route's hosts carry, so they never meet an HTTP route's. */
const SECTIONS: Readonly<Record<string, string>> = { IngressRouteTCP: " (tcp)", IngressRouteUDP: " (udp)" };

const FLUX_VARIABLE = /\$\{[^}]*\}/g;

/**
 * Where Traefik ranks a route among every router of its entry points, the highest first: its
 * `priority` (0 is unset), by default the length of its rule (v2 and v3 alike) — not how specific
 * it is, so `Host(`a`) || Host(`b`)` outranks `Host(`a`) && PathPrefix(`/admin`)` and takes `/admin`
 * from it (precedence-changes.ts). A Flux variable (`${SECRET_DOMAIN}`) is substituted before
 * Traefik reads the rule: its length is unknown, so the rule's is its other characters' and that.
 */
export const routerPriority = (route: JsonRecord): Priority => {
  const priority = numeric(route.priority);
  if (priority !== undefined && priority !== 0) return { value: priority, variables: "" };
  const match = text(route.match) ?? "";
  const variables = match.match(FLUX_VARIABLE) ?? [];
  return { value: match.replace(FLUX_VARIABLE, "").length, variables: [...variables].sort().join(" ") };
};

/**
 * An IngressRoute's routes as flows: one per entry point and host its match names (`*` for none).
 * `precedence` is the route's place in its resource, so a route keeps its place across an edit of
 * its match; `priority` ranks it against every route of its entry points (routerPriority).
 */
export function traefikRules(resource: Resource, set: ManifestSet): RuleShape[] {
  const kind = resource.id.kind;
  if (!TRAEFIK_GROUPS.includes(resource.id.group) || !(ROUTE_KINDS as readonly string[]).includes(kind)) return [];
  const entries = entriesOf(resource);
  const section = SECTIONS[kind] ?? "";
  const shapes: RuleShape[] = [];
  list(record(resource.body.spec).routes).forEach((item, index) => {
    const route = record(item);
    const path = sharedPath(["spec", "routes", index]);
    const match = text(route.match);
    const alternatives = kind === "IngressRouteUDP" || !match ? [{ host: "*", signature: "*", path: "*" }] : ruleAlternatives(match);
    const out: Expanded = { backends: [], mirrors: [] };
    list(route.services).forEach((service, at) => {
      const entry = record(service);
      expand(
        entry,
        numeric(entry.weight) ?? 1,
        { namespace: resource.id.namespace, file: resource.source.file, path: sharedPath([...path, "services", at]), set },
        out,
      );
    });
    const handling = handlingOf(route);
    const hosts = new Map<string, { signature: string; path: string }[]>();
    for (const { host, signature, path: shape } of alternatives) hosts.set(host, [...(hosts.get(host) ?? []), { signature, path: shape }]);
    for (const entry of entries)
      for (const [host, shapesOfHost] of hosts)
        shapes.push({
          entry,
          host: `${host}${section}`,
          alternatives: shapesOfHost,
          ruleId: ruleIdOf(undefined, shapesOfHost),
          precedence: index,
          priority: routerPriority(route),
          path,
          backends: out.backends,
          mirrors: out.mirrors,
          handling,
        });
  });
  return shapes;
}
