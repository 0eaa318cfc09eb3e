import { canonical } from "../../core/canonical-values.js";
import { record, text } from "../../core/json-access.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { canariesOf, isCanary, withCanary } from "./canary.js";
import type { RuleShape } from "../../core/route-rules.js";
import { ingressSpecRules } from "../../core/ingress-spec.js";
import { defaultClassOf } from "./ingress-class.js";
import { servedByGke } from "./gke-ingress.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";

/** Ingress's groups: extensions/v1beta1 is the one it was first served in (Kubernetes ≤ 1.21), promoted to networking.k8s.io. */
export const INGRESS_GROUPS: readonly string[] = ["networking.k8s.io", "extensions"];

export const CLASS_ANNOTATION = "kubernetes.io/ingress.class";

/** The class an Ingress names: the field, else the annotation older Ingresses name it with. */
export const ingressClass = (resource: Resource): string | undefined =>
  text(record(resource.body.spec).ingressClassName) ?? resource.annotations[CLASS_ANNOTATION];

/** Its class, or the one the tree marks as the default when it names none (defaultClassOf). */
export const effectiveIngressClass = (resource: Resource, set: ManifestSet): string | undefined =>
  ingressClass(resource) ?? defaultClassOf(set);

/** Whether GKE gives the Ingress a load balancer of its own (gke-ingress.ts). */
export const ownLoadBalancer = (resource: Resource, set: ManifestSet): boolean =>
  servedByGke(resource, set, effectiveIngressClass(resource, set));

/**
 * Where the requests enter: GKE's load balancer of this Ingress alone (as a MultiClusterIngress's),
 * so its rules compete with no other Ingress's; else the controller its class names (the cluster's
 * default one when none does), shared by every Ingress of the class.
 */
const ingressEntry = (resource: Resource, className: string | undefined, ownBalancer: boolean): string => {
  if (ownBalancer) return `Ingress ${resource.id.namespace}/${resource.id.name}`;
  return className ? `IngressClass ${className}` : "IngressClass (default)";
};

const isIngress = (resource: Resource): boolean => resource.id.kind === "Ingress" && INGRESS_GROUPS.includes(resource.id.group);

/** The class whose controller programs a cloud load balancer's path patterns besides GKE's: the AWS Load Balancer Controller's. */
const PATH_PATTERN_CLASS = "alb";

/**
 * Classes whose controller reads an ImplementationSpecific path as a prefix: ingress-nginx's (and
 * NGINX Inc's, which take the same default name), "the same as Prefix" in its path-matching guide;
 * another controller's reading is its own (Istio's is exact, GKE's a pattern). A class of another
 * name (`nginx-internal`, a second ingress-nginx install) is ingress-nginx's where the tree's
 * IngressClass of that name says so.
 */
const PREFIX_PATH_CLASSES: ReadonlySet<string> = new Set(["nginx"]);
const INGRESS_NGINX_CONTROLLER = "k8s.io/ingress-nginx";

/**
 * Whether ingress-nginx serves the class. Only its `/` is read as `Prefix /` (core/ingress-spec.ts),
 * which every location it writes for `/` takes whole, `use-regex` or `rewrite-target` (`~* "^/"`) alike.
 */
const prefixPaths = (className: string | undefined, set: ManifestSet): boolean => {
  if (className === undefined) return false;
  if (PREFIX_PATH_CLASSES.has(className)) return true;
  const controllers = resourcesOfKind(set, "IngressClass")
    .filter((resource) => resource.id.name === className)
    .map((resource) => text(record(resource.body.spec).controller));
  return controllers.length > 0 && controllers.every((controller) => controller === INGRESS_NGINX_CONTROLLER);
};

/** An Ingress's own rules (core/ingress-spec.ts), entering at its own load balancer (GKE's) or the controller of its class. */
const ownRules = (resource: Resource, set: ManifestSet): RuleShape[] => {
  if (!isIngress(resource)) return [];
  const className = effectiveIngressClass(resource, set);
  const ownBalancer = servedByGke(resource, set, className);
  return ingressSpecRules(record(resource.body.spec), {
    entry: ingressEntry(resource, className, ownBalancer),
    namespace: resource.id.namespace,
    file: resource.source.file,
    at: ["spec"],
    backend: { group: "", kind: "Service" },
    ...(ownBalancer || className === PATH_PATTERN_CLASS ? { pathPatterns: true as const } : {}),
    ...(prefixPaths(className, set) ? { prefixPaths: true as const } : {}),
  });
};

/**
 * How an Ingress's paths handle their requests (RuleShape.handling): by its annotations, alike for
 * each of its paths, so a path split in two or two merged in one Ingress moves nothing, and two
 * Ingresses annotated alike hand requests over unchanged. Unsaid for a `rewrite-target`, which
 * ingress-nginx applies to the path each rule matched.
 */
const ingressHandling = (resource: Resource): string | undefined =>
  resource.annotations["nginx.ingress.kubernetes.io/rewrite-target"] === undefined ? canonical(resource.annotations) : undefined;

/** Ingress rules as flows; an ingress-nginx canary serves through the main Ingress of its host and path (canary.ts). */
export function ingressRules(resource: Resource, set: ManifestSet): RuleShape[] {
  if (!isIngress(resource) || isCanary(resource)) return [];
  const canaries = canariesOf(set, (other) => ownRules(other, set));
  const handling = ingressHandling(resource);
  return ownRules(resource, set).map((rule) => withCanary(handling === undefined ? rule : { ...rule, handling }, canaries));
}
