import { list, record, text, numeric, type JsonRecord } from "../../core/json-access.js";
import type { FieldPath } from "../../core/finding.js";
import type { Resource } from "../../core/resource.js";
import type { RuleShape, WeightedRef } from "../../core/route-rules.js";

/**
 * Ingress rules as flows: one per host and path, entering at the controller of the Ingress's class.
 * An Ingress path has one backend, so it takes all of that path's traffic; `defaultBackend` takes
 * whatever no rule matches. The spellings follow Gateway API's (`PathPrefix /api`, `Exact /`), so
 * the route diff compares an Ingress path with a route's match as the same request shape.
 */

/** Ingress's groups: extensions/v1beta1 is the one it was first served in (Kubernetes ≤ 1.21), promoted to networking.k8s.io. */
export const INGRESS_GROUPS: readonly string[] = ["networking.k8s.io", "extensions"];

/** Where the requests enter: the Ingress controller its class names (the cluster's default one when none does). */
export const ingressEntry = (resource: Resource): string => {
  const className = text(record(resource.body.spec).ingressClassName) ?? resource.annotations["kubernetes.io/ingress.class"];
  return className ? `IngressClass ${className}` : "IngressClass (default)";
};

const PATH_TYPES: Record<string, string> = { Exact: "Exact", Prefix: "PathPrefix" };

/** A v1 backend (`service.name`, `service.port`) or a v1beta1 one (`serviceName`, `servicePort`). */
function backendOf(value: JsonRecord, namespace: string, file: string, path: FieldPath): WeightedRef[] {
  const service = record(value.service);
  const name = text(service.name) ?? text(value.serviceName);
  if (!name) return [];
  const portSpec = record(service.port);
  const portOf = numeric(portSpec.number) ?? text(portSpec.name) ?? numeric(value.servicePort) ?? text(value.servicePort) ?? "";
  return [
    {
      key: `/Service/${namespace}/${name}:${portOf}`,
      label: `${namespace}/${name}${portOf === "" ? "" : `:${portOf}`}`,
      weight: 100,
      ref: { kind: "Service", name, namespace, routeFile: file },
      path,
    },
  ];
}

export function ingressRules(resource: Resource): RuleShape[] {
  if (resource.id.kind !== "Ingress" || !INGRESS_GROUPS.includes(resource.id.group)) return [];
  const spec = record(resource.body.spec);
  const { namespace } = resource.id;
  const file = resource.source.file;
  const entry = ingressEntry(resource);
  const shapes: RuleShape[] = [];
  let precedence = 0;
  list(spec.rules).forEach((item, ruleIndex) => {
    const rule = record(item);
    const host = text(rule.host) ?? "*";
    list(record(rule.http).paths).forEach((pathItem, pathIndex) => {
      const entryPath = record(pathItem);
      const type = text(entryPath.pathType) ?? "ImplementationSpecific";
      const signature = `${PATH_TYPES[type] ?? type} ${text(entryPath.path) ?? "/"}`;
      const path = ["spec", "rules", ruleIndex, "http", "paths", pathIndex];
      shapes.push({
        entry,
        host,
        alternatives: [{ signature, path: signature }],
        ruleId: signature,
        precedence: precedence++,
        path,
        backends: backendOf(record(entryPath.backend), namespace, file, [...path, "backend"]),
        mirrors: [],
      });
    });
  });
  // v1beta1 names the default backend `backend`.
  const defaultField = spec.defaultBackend !== undefined ? "defaultBackend" : spec.backend !== undefined ? "backend" : undefined;
  if (defaultField) {
    const path = ["spec", defaultField];
    const signature = "PathPrefix /";
    shapes.push({
      entry,
      host: "*",
      alternatives: [{ signature, path: signature }],
      ruleId: "default backend",
      precedence,
      path,
      backends: backendOf(record(spec[defaultField]), namespace, file, path),
      mirrors: [],
    });
  }
  return shapes;
}
