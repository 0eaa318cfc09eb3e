import { canonical } from "../../core/canonical-values.js";
import { record } from "../../core/json-access.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { canariesOf, isCanary, withCanary } from "./canary.js";
import type { RuleShape } from "../../core/route-rules.js";
import { ingressSpecRules } from "../../core/ingress-spec.js";
import { CLASS_ANNOTATION, classControllers, defaultClassOf, ingressClass } from "./ingress-class.js";
import { servedByGke } from "./gke-ingress.js";
import { albGroupOf, groupOrder, servedByAlb } from "./alb-ingress.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";

/** Ingress's groups: extensions/v1beta1 is the one it was first served in (Kubernetes ≤ 1.21), promoted to networking.k8s.io. */
export const INGRESS_GROUPS: readonly string[] = ["networking.k8s.io", "extensions"];

/** Its class, or the one the tree marks as the default when it names none (defaultClassOf). */
export const effectiveIngressClass = (resource: Resource, set: ManifestSet): string | undefined =>
  ingressClass(resource) ?? defaultClassOf(set);

/**
 * Who serves an Ingress, as far as it decides whose rules its own compete with (servingOf).
 * `entry`: where its requests enter (Flow.entry). `balancer`: the cloud load balancer its rules
 * program, GKE's or an ALB, which read a path as a path pattern.
 */
export interface Serving {
  readonly entry: string;
  readonly balancer?: "gke" | "alb";
  /** The IngressGroup whose ALB it shares (alb-ingress.ts). */
  readonly group?: string;
}

const isIngress = (resource: Resource): boolean => resource.id.kind === "Ingress" && INGRESS_GROUPS.includes(resource.id.group);

/**
 * Which Ingresses share an entry, where their rules compete for requests. A proxy merges every
 * Ingress of its class behind one address (ingress-nginx, Traefik, HAProxy): they enter at the
 * class, the cluster's default one when they name none. A cloud load balancer is an Ingress's own:
 * GKE's for each Ingress (gke-ingress.ts), and the AWS Load Balancer Controller's ALB for each but
 * those of one IngressGroup, which share the group's (alb-ingress.ts): they enter at `Ingress
 * <namespace>/<name>` or `alb group <name>`, so a new one takes no other's requests and one deleted
 * hands its requests to none but its group's. An ALB Ingress whose group the tree cannot tell stays
 * at its class, as if every Ingress of the class shared one.
 */
export function servingOf(resource: Resource, set: ManifestSet): Serving {
  const className = effectiveIngressClass(resource, set);
  const own = `Ingress ${resource.id.namespace}/${resource.id.name}`;
  if (servedByGke(resource, set, className)) return { entry: own, balancer: "gke" };
  const shared = className ? `IngressClass ${className}` : "IngressClass (default)";
  if (className === undefined || !servedByAlb(className, set, resource.cluster)) return { entry: shared };
  const joined = albGroupOf(resource, set, className, resource.annotations[CLASS_ANNOTATION] !== undefined);
  if (!joined) return { entry: shared, balancer: "alb" };
  return joined.group === undefined
    ? { entry: own, balancer: "alb" }
    : { entry: `alb group ${joined.group}`, balancer: "alb", group: joined.group };
}

const groupRanks = new WeakMap<ManifestSet, ReadonlyMap<string, number>>();

/**
 * Where each grouped ALB Ingress of a tree comes in its group's rule order (by `group.order`, then
 * `namespace/name`, as the controller sorts them), by cluster, group and object: read once per tree.
 */
function rankIn(set: ManifestSet, resource: Resource, group: string): number {
  let ranks = groupRanks.get(set);
  if (!ranks) {
    const members = new Map<string, Map<string, number>>();
    for (const other of resourcesOfKind(set, "Ingress")) {
      const joined = isIngress(other) ? servingOf(other, set).group : undefined;
      if (joined === undefined) continue;
      const key = `${other.cluster ?? ""}\0${joined}`;
      const orders = members.get(key) ?? new Map<string, number>();
      orders.set(`${other.id.namespace}/${other.id.name}`, groupOrder(other));
      members.set(key, orders);
    }
    const found = new Map<string, number>();
    for (const [key, orders] of members)
      [...orders]
        .sort(([a, x], [b, y]) => x - y || (a < b ? -1 : a > b ? 1 : 0))
        .forEach(([name], rank) => found.set(`${key}\0${name}`, rank));
    groupRanks.set(set, (ranks = found));
  }
  return ranks.get(`${resource.cluster ?? ""}\0${group}\0${resource.id.namespace}/${resource.id.name}`) ?? 0;
}

/**
 * Controllers whose reading of an ImplementationSpecific path the review knows, by their default
 * class name: ingress-nginx's (and NGINX Inc's, which take the same default name) reads it as a
 * prefix, "the same as Prefix" in its path-matching guide; Istio's as exact unless a wildcard ends it
 * (core/ingress-spec.ts); another controller's reading is its own (GKE's is a pattern). A class of
 * another name (`nginx-internal`, a second ingress-nginx install) is the controller's where the tree's
 * IngressClass of that name says so.
 */
const INGRESS_NGINX = { className: "nginx", controller: "k8s.io/ingress-nginx" };
const ISTIO = { className: "istio", controller: "istio.io/ingress-controller" };

/**
 * Whether that controller serves the class. Only ingress-nginx's `/` is read as `Prefix /`, which
 * every location it writes for `/` takes whole, `use-regex` or `rewrite-target` (`~* "^/"`) alike.
 */
const servedBy = (
  { className: own, controller }: { readonly className: string; readonly controller: string },
  className: string | undefined,
  set: ManifestSet,
  cluster: string | undefined,
): boolean => {
  if (className === undefined) return false;
  if (className === own) return true;
  const controllers = classControllers(set, className, cluster);
  return controllers.length > 0 && controllers.every((named) => named === controller);
};

/**
 * An Ingress's own rules (core/ingress-spec.ts), entering where servingOf says. An ALB tries the
 * rules of its group's Ingresses in their order (RuleShape.priority): one moved ahead of another
 * with `group.order` takes the requests both match.
 */
const ownRules = (resource: Resource, set: ManifestSet): RuleShape[] => {
  if (!isIngress(resource)) return [];
  const className = effectiveIngressClass(resource, set);
  const { entry, balancer, group } = servingOf(resource, set);
  const rules = ingressSpecRules(record(resource.body.spec), {
    entry,
    namespace: resource.id.namespace,
    file: resource.source.file,
    at: ["spec"],
    backend: { group: "", kind: "Service" },
    ...(balancer ? { pathPatterns: true as const } : {}),
    ...(servedBy(INGRESS_NGINX, className, set, resource.cluster) ? { prefixPaths: true as const } : {}),
    ...(servedBy(ISTIO, className, set, resource.cluster) ? { exactPaths: true as const } : {}),
  });
  if (group === undefined) return rules;
  const priority = { value: -rankIn(set, resource, group), variables: "" };
  return rules.map((rule) => ({ ...rule, priority }));
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
