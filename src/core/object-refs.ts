import { record, text, numeric } from "./json-access.js";

export interface RefDefaults {
  readonly group: string;
  readonly kind: string;
  /** The referring object's namespace: references without one are local. */
  readonly namespace: string;
}

/**
 * A Kubernetes object reference (certificateRefs, backendRef, targetRefs, parentRef) with its
 * defaults filled in, as one readable string that is also its identity:
 * `Secret infra/web-cert`, `ServiceImport.multicluster.x-k8s.io shop/checkout:8080`.
 */
export const objectRef = (ref: unknown, defaults: RefDefaults): string => {
  const fields = record(ref);
  const group = text(fields.group) ?? defaults.group;
  const kind = text(fields.kind) ?? defaults.kind;
  const namespace = text(fields.namespace) ?? defaults.namespace;
  const port = numeric(fields.port);
  const section = text(fields.sectionName);
  const qualifiedKind = group === "" || group === "core" ? kind : `${kind}.${group}`;
  const where = namespace === "" ? "" : `${namespace}/`;
  return `${qualifiedKind} ${where}${text(fields.name) ?? ""}${port === undefined ? "" : `:${port}`}${section ? `#${section}` : ""}`;
};
