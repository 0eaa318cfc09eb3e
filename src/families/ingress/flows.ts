import { record, text } from "../../core/json-access.js";
import type { Resource } from "../../core/resource.js";
import type { RuleShape } from "../../core/route-rules.js";
import { ingressSpecRules } from "../../core/ingress-spec.js";

/** Ingress's groups: extensions/v1beta1 is the one it was first served in (Kubernetes ≤ 1.21), promoted to networking.k8s.io. */
export const INGRESS_GROUPS: readonly string[] = ["networking.k8s.io", "extensions"];

/** Where the requests enter: the Ingress controller its class names (the cluster's default one when none does). */
export const ingressEntry = (resource: Resource): string => {
  const className = text(record(resource.body.spec).ingressClassName) ?? resource.annotations["kubernetes.io/ingress.class"];
  return className ? `IngressClass ${className}` : "IngressClass (default)";
};

/** Ingress rules as flows (core/ingress-spec.ts), entering at the controller of the Ingress's class. */
export function ingressRules(resource: Resource): RuleShape[] {
  if (resource.id.kind !== "Ingress" || !INGRESS_GROUPS.includes(resource.id.group)) return [];
  return ingressSpecRules(record(resource.body.spec), {
    entry: ingressEntry(resource),
    namespace: resource.id.namespace,
    file: resource.source.file,
    at: ["spec"],
    backend: { group: "", kind: "Service" },
  });
}
