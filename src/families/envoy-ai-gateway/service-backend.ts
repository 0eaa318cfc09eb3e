import type { Check } from "../../core/by-kind.js";
import { canonical, show } from "../../core/canonical-values.js";
import { list, record, spec, text } from "../../core/json-access.js";
import { displayName, type ManifestSet, type Resource } from "../../core/resource.js";
import { listedNames, removedWhileNamed } from "../../core/removed-while-named.js";

/**
 * An AIServiceBackend is where every route rule naming it sends, and in which API's terms: its
 * `backendRef` repointed sends all their requests elsewhere (the routes' generated HTTPRoutes
 * show the flows; this says why, once), its `schema` changes what the gateway translates them
 * into, its security policy reference (v1alpha1) the credentials it presents. Removed while routes
 * name it, their requests have no backend.
 */

/** The head tree's AIGatewayRoutes whose rules name the backend (no kind: an AIServiceBackend, in the route's namespace unless said). */
const routesNaming = (tree: ManifestSet, backend: Resource): string[] =>
  [...tree.resources.values()]
    .filter(
      (route) =>
        route.id.kind === "AIGatewayRoute" &&
        list(spec(route).rules).some((rule) =>
          list(record(rule).backendRefs).some((item) => {
            const ref = record(item);
            return (
              (text(ref.kind) ?? "AIServiceBackend") === "AIServiceBackend" &&
              text(ref.name) === backend.id.name &&
              (text(ref.namespace) ?? route.id.namespace) === backend.id.namespace
            );
          }),
        ),
    )
    .map((route) => displayName(route.id));

const target = (backend: Resource) => {
  const ref = record(spec(backend).backendRef);
  return {
    group: text(ref.group) ?? "",
    kind: text(ref.kind) ?? "Service",
    namespace: text(ref.namespace),
    name: text(ref.name),
    port: ref.port,
  };
};
const targetName = (backend: Resource): string => {
  const { kind, namespace, name, port } = target(backend);
  return `${kind} ${namespace ? `${namespace}/` : ""}${name ?? "?"}${port === undefined ? "" : `:${show(port)}`}`;
};
const schemaOf = (backend: Resource): string => {
  const schema = record(spec(backend).schema);
  return `${text(schema.name) ?? "?"}${text(schema.version) ? ` ${text(schema.version)}` : ""}`;
};

const sentBy = (routes: readonly string[]): string =>
  routes.length > 0
    ? `every request ${listedNames(routes)} ${routes.length === 1 ? "sends" : "send"} to it`
    : "every request routes send to it";

export const repointed: Check = (change, out, context) => {
  if (!change.base || !change.head) return;
  const [base, head] = [change.base, change.head];
  const routes = routesNaming(context.head, head);
  if (canonical(target(base)) !== canonical(target(head)))
    out.add({
      class: "resource.changed",
      summary: `backendRef ${targetName(base)} → ${targetName(head)}: ${sentBy(routes)} goes to another destination`,
      side: "head",
      path: ["spec", "backendRef"],
      before: target(base),
      after: target(head),
      riskFloor: "high",
    });
  if (schemaOf(base) !== schemaOf(head))
    out.add({
      class: "resource.changed",
      summary: `schema ${schemaOf(base)} → ${schemaOf(head)}: ${sentBy(routes)} is translated into another provider's API`,
      side: "head",
      path: ["spec", "schema"],
      before: schemaOf(base),
      after: schemaOf(head),
      riskFloor: "medium-high",
    });
  // v1alpha1 named its credentials here; later versions target the backend from a BackendSecurityPolicy.
  const credentials = (backend: Resource) => spec(backend).backendSecurityPolicyRef ?? null;
  if (canonical(credentials(base)) !== canonical(credentials(head)))
    out.add({
      class: "trust.changed",
      summary: `backendSecurityPolicyRef ${show(text(record(credentials(base)).name) ?? "(none)")} → ${show(text(record(credentials(head)).name) ?? "(none)")}: the credentials presented to the provider change`,
      side: "head",
      path: ["spec", "backendSecurityPolicyRef"],
      before: credentials(base),
      after: credentials(head),
    });
};

export const removedWhileRouted: Check = removedWhileNamed(
  routesNaming,
  (routes) =>
    `removed while ${listedNames(routes)} still ${routes.length === 1 ? "sends" : "send"} traffic to it: those requests have no backend`,
);
