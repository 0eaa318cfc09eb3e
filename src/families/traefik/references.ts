import type { Check } from "../../core/by-kind.js";
import { list, record, text } from "../../core/json-access.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import { TRAEFIK_GROUPS } from "./flows.js";
import { middlewareKey } from "../../core/traefik-middlewares.js";

/**
 * Who names a Middleware or a TLSOption in a tree, by its provider name
 * (`<namespace>-<name>@kubernetescrd`): IngressRoutes' routes and `tls.options`, Middleware chains,
 * and Ingresses' `traefik.ingress.kubernetes.io/router.middlewares` and `router.tls.options`
 * annotations. Traefik refuses a router naming one it does not have: its requests get 404, or
 * whatever other router matches them (traefik/traefik#10544).
 */

type Named = "Middleware" | "TLSOption";

const ANNOTATIONS: Readonly<Record<Named, string>> = {
  Middleware: "traefik.ingress.kubernetes.io/router.middlewares",
  TLSOption: "traefik.ingress.kubernetes.io/router.tls.options",
};

const indexes = new WeakMap<ManifestSet, ReadonlyMap<string, readonly string[]>>();

/** The tree's namers, by `<kind> <provider name>`, each as `IngressRoute apps/app`: built once a tree. */
function namers(set: ManifestSet): ReadonlyMap<string, readonly string[]> {
  let found = indexes.get(set);
  if (found) return found;
  const index = new Map<string, string[]>();
  const add = (kind: Named, key: string, by: Resource) => {
    const label = `${by.id.kind} ${by.id.namespace}/${by.id.name}`;
    const known = index.get(`${kind} ${key}`);
    if (!known) index.set(`${kind} ${key}`, [label]);
    else if (!known.includes(label)) known.push(label);
  };
  for (const kind of ["IngressRoute", "IngressRouteTCP"])
    for (const route of resourcesOfKind(set, kind)) {
      if (!TRAEFIK_GROUPS.includes(route.id.group)) continue;
      const spec = record(route.body.spec);
      if (kind === "IngressRoute")
        for (const item of list(spec.routes))
          for (const ref of list(record(item).middlewares)) add("Middleware", middlewareKey(record(ref), route.id.namespace), route);
      const options = record(record(spec.tls).options);
      if (text(options.name)) add("TLSOption", middlewareKey(options, route.id.namespace), route);
    }
  for (const chain of resourcesOfKind(set, "Middleware"))
    for (const ref of list(record(record(chain.body.spec).chain).middlewares))
      add("Middleware", middlewareKey(record(ref), chain.id.namespace), chain);
  for (const ingress of resourcesOfKind(set, "Ingress"))
    for (const kind of ["Middleware", "TLSOption"] as const)
      for (const key of (ingress.annotations[ANNOTATIONS[kind]] ?? "").split(",")) if (key.trim()) add(kind, key.trim(), ingress);
  indexes.set(set, (found = index));
  return found;
}

/**
 * A Middleware or TLSOption deleted while routes of the tree still name it (reference.broken):
 * Traefik refuses those routers, so their requests get 404, or reach another router that matches
 * them without its authentication. A `default` TLSOption is named by no one: it is every router's
 * that names none, judged as their options changed (tlsOptionChecks).
 */
export const deletedWhileNamed: Check = (change, out, context) => {
  if (!change.base || change.head) return;
  const kind = change.base.id.kind as Named;
  const key = `${change.base.id.namespace}-${change.base.id.name}@kubernetescrd`;
  const by = namers(context.head).get(`${kind} ${key}`);
  if (!by) return;
  out.add({
    class: "reference.broken",
    summary: `${kind} ${key} removed while ${by.join(", ")} still name${by.length > 1 ? "" : "s"} it: Traefik refuses their routers, so their requests get 404 or reach another router that matches them, without it`,
    side: "base",
    path: ["metadata", "name"],
    before: key,
    after: null,
  });
};
