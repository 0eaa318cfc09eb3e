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

export const INGRESS_GROUP = "networking.k8s.io";

/** Where the requests enter: the Ingress controller its class names (the cluster's default one when none does). */
export const ingressEntry = (resource: Resource): string => {
  const className = text(record(resource.body.spec).ingressClassName) ?? resource.annotations["kubernetes.io/ingress.class"];
  return className ? `IngressClass ${className}` : "IngressClass (default)";
};

const PATH_TYPES: Record<string, string> = { Exact: "Exact", Prefix: "PathPrefix" };

function backendOf(value: JsonRecord, namespace: string, file: string, path: FieldPath): WeightedRef[] {
  const service = record(value.service);
  const name = text(service.name);
  if (!name) return [];
  const portSpec = record(service.port);
  const portOf = numeric(portSpec.number) ?? text(portSpec.name) ?? "";
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
  if (resource.id.kind !== "Ingress" || resource.id.group !== INGRESS_GROUP) return [];
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
  if (spec.defaultBackend !== undefined) {
    const path = ["spec", "defaultBackend"];
    const signature = "PathPrefix /";
    shapes.push({
      entry,
      host: "*",
      alternatives: [{ signature, path: signature }],
      ruleId: "default backend",
      precedence,
      path,
      backends: backendOf(record(spec.defaultBackend), namespace, file, path),
      mirrors: [],
    });
  }
  return shapes;
}
