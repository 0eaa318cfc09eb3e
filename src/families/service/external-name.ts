import { spec, text } from "../../core/json-access.js";
import { displayName, type ManifestSet, type Resource } from "../../core/resource.js";
import { answers } from "../../core/declared-services.js";
import { routesSending } from "../../core/service-routes.js";
import { sortedSet } from "../../core/canonical-values.js";
import { DetectionList } from "../../core/detection-list.js";
import type { DetectorContext, ResourceDetector } from "../../core/detector.js";

/**
 * A core Service of `type: ExternalName` is read only as such (index.ts, textKinds): its traffic leaves the
 * cluster for a DNS name, so a Service that becomes one, or whose externalName changes, sends
 * every route's traffic to it somewhere else. Any other Service is not read, so a Service turned
 * ExternalName is an added resource here: whether it is new is read off the base tree's Service
 * documents.
 */

/** Routes of the tree that send traffic to the Service, by name, Istio host or backendRef. */
const routesTo = (service: Resource, tree: ManifestSet, routeRules: DetectorContext["routeRules"]): string[] =>
  sortedSet(
    routesSending(tree, routeRules, [{ ...service.id, ...(service.cluster ? { cluster: service.cluster } : {}) }], false).map(({ route }) =>
      displayName(route.id),
    ),
  );

const externalName = (resource: Resource | undefined): string | undefined => text(spec(resource).externalName);

/**
 * Where the name leads: a cluster DNS name of a Service (`backend.other-ns.svc.cluster.local`,
 * `backend.other-ns.svc`) keeps the traffic in the cluster, as an alias of that Service; any other
 * name takes it out (nginx/kubernetes-ingress's examples alias Services of another namespace).
 */
const destination = (name: string): string => {
  const service = /^([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?\.?$/i.exec(name);
  return service ? `goes to Service ${service[2]}/${service[1]}, in the cluster` : `leaves the cluster for ${name}`;
};

/** Whether the base tree declares the Service, of any type: one that becomes ExternalName, not a new one. */
const declaredAtBase = ({ id, cluster }: Resource, context: DetectorContext): boolean =>
  context
    .servicesNamed("base", id.name)
    .some((declared) => answers(declared, { name: id.name, namespace: id.namespace, ...(cluster ? { cluster } : {}) }));

export const externalNameDetector: ResourceDetector = (change, context) => {
  const { head } = change;
  const after = externalName(head);
  const before = externalName(change.base);
  if (!head || after === undefined || before === after) return [];
  const out = new DetectionList(change);
  const routes = routesTo(head, context.head, context.routeRules);
  // A new Service no route sends to moves nobody's traffic, as a new ClusterIP Service does not
  // (m00nwtchr/homelab-cluster b5827be38f: an alias of KEDA's interceptor added ahead of its route).
  // A route that named it while it was missing now sends there: that traffic moves.
  const moves = before !== undefined || routes.length > 0 || declaredAtBase(head, context);
  const reach = routes.length ? `; routes sending traffic to it: ${routes.join(", ")}` : "";
  const was = before
    ? ` (was ${before})`
    : moves
      ? " (type: ExternalName)"
      : " (type: ExternalName, a new Service no route sends traffic to)";
  out.add({
    class: "resource.changed",
    summary: `its traffic ${moves ? "now " : ""}${destination(after)}${was}${reach}`,
    side: "head",
    path: ["spec", "externalName"],
    ...(before === undefined ? {} : { before }),
    after,
    ...(moves ? { riskFloor: "high" as const } : {}),
  });
  return out.detections;
};
