import type { Check } from "../../core/by-kind.js";
import { sameValue, show } from "../../core/canonical-values.js";
import { removedWhileNamed, stillName } from "../../core/removed-while-named.js";
import { list, numeric, record, spec, text } from "../../core/json-access.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { GATEWAY_API_EXPERIMENTAL_GROUP, GATEWAY_API_GROUP, GATEWAY_ROUTE_KINDS } from "../../core/gateway-api-group.js";

/**
 * Gateway API's experimental XBackend (gateway.networking.x-k8s.io/v1alpha1, "first-class support
 * for external FQDNs, replacing the need for synthetic ExternalName Services"): where the requests
 * of every route that names it as a backendRef go, and the TLS the gateway speaks there. The routes'
 * own flows do not change when it does, so its destination and TLS are judged here.
 */

/** `api.example.com:443`: the external destination (type ExternalHostname, the one type so far). */
const destinationOf = (backend: Resource | undefined): string => {
  const fields = spec(backend);
  const port = numeric(record(fields.port).port);
  return `${text(record(fields.externalHostname).hostname) ?? text(fields.type) ?? "?"}${port === undefined ? "" : `:${port}`}`;
};

/** The routes of a tree that name each XBackend (`namespace/name`), found once a tree. */
const namedBy = new WeakMap<ManifestSet, ReadonlyMap<string, readonly string[]>>();
function routesNaming(tree: ManifestSet, backend: Resource): readonly string[] {
  let index = namedBy.get(tree);
  if (!index) {
    const found = new Map<string, string[]>();
    for (const route of tree.resources.values()) {
      if (route.id.group !== GATEWAY_API_GROUP || !GATEWAY_ROUTE_KINDS.has(route.id.kind)) continue;
      for (const rule of list(spec(route).rules))
        for (const ref of list(record(rule).backendRefs).map(record)) {
          if (text(ref.kind) !== "XBackend" || text(ref.group) !== GATEWAY_API_EXPERIMENTAL_GROUP || !text(ref.name)) continue;
          const key = `${text(ref.namespace) ?? route.id.namespace}/${text(ref.name)}`;
          const label = `${route.id.kind} ${route.id.namespace}/${route.id.name}`;
          found.set(key, [...new Set([...(found.get(key) ?? []), label])]);
        }
    }
    namedBy.set(tree, (index = found));
  }
  return index.get(`${backend.id.namespace}/${backend.id.name}`) ?? [];
}

const users = (tree: ManifestSet, backend: Resource): string => {
  const routes = routesNaming(tree, backend);
  return routes.length > 0 ? routes.join(", ") : "the routes that name it";
};

const destination: Check = (change, out, context) => {
  if (!change.base || !change.head) return;
  const [was, now] = [destinationOf(change.base), destinationOf(change.head)];
  if (was === now) return;
  out.add({
    class: "backend.added",
    summary: `destination ${was} → ${now}: the requests ${users(context.head, change.head)} send to XBackend ${change.head.id.namespace}/${change.head.id.name} now go to ${now}`,
    side: "head",
    path: ["spec"],
    before: was,
    after: now,
    // An external destination: nothing places it in a region or says who runs it.
    riskFloor: "high",
  });
};

/** None, ServerOnly (the server's certificate verified), ClientAndServer (mutual). */
const TLS_STRENGTH: Readonly<Record<string, number>> = { None: 0, ServerOnly: 1, ClientAndServer: 2 };

const tls: Check = (change, out) => {
  if (!change.base || !change.head) return;
  const [was, now] = [record(spec(change.base).tls), record(spec(change.head).tls)];
  const [modeWas, modeNow] = [text(was.mode) ?? "None", text(now.mode) ?? "None"];
  if ((TLS_STRENGTH[modeNow] ?? 0) < (TLS_STRENGTH[modeWas] ?? 0))
    out.add({
      class: "mtls.weakened",
      summary: `tls.mode ${modeWas} → ${modeNow}: ${modeNow === "None" ? "requests leave for the external host in plaintext" : "the gateway no longer presents a client certificate"}`,
      side: "head",
      path: ["spec", "tls", "mode"],
      before: modeWas,
      after: modeNow,
    });
  for (const field of ["validation", "clientCertificateRef"] as const)
    if (modeNow !== "None" && modeWas !== "None" && !sameValue(was[field], now[field]))
      out.add({
        class: "trust.changed",
        summary: `tls.${field} ${show(was[field] ?? null)} → ${show(now[field] ?? null)}: ${field === "validation" ? "the external host's certificate is checked against other CAs or names" : "the gateway presents another client certificate"}`,
        side: "head",
        path: ["spec", "tls", field],
        before: was[field] ?? null,
        after: now[field] ?? null,
      });
};

const removed = removedWhileNamed(
  routesNaming,
  (routes) => `removed while ${stillName(routes)} as a backend: its share of their requests is answered with 500`,
);

export const externalBackendChecks: readonly Check[] = [destination, tls, removed];
