import { spec, text } from "../../core/json-access.js";
import { displayName, type ManifestSet, type Resource } from "../../core/resource.js";
import { routesSending } from "../../core/service-routes.js";
import { sortedSet } from "../../core/canonical-values.js";
import { DetectionList } from "../../core/detection-list.js";
import type { DetectorContext, ResourceDetector } from "../../core/detector.js";

/**
 * A core Service of `type: ExternalName` is read only as such (index.ts, textKinds): its traffic leaves the
 * cluster for a DNS name, so a Service that becomes one, or whose externalName changes, sends
 * every route's traffic to it somewhere else. Any other Service is not read, so a Service turned
 * ExternalName is an added resource here.
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
  return service ? `now goes to Service ${service[2]}/${service[1]}, in the cluster` : `now leaves the cluster for ${name}`;
};

export const externalNameDetector: ResourceDetector = (change, context) => {
  const { head } = change;
  const after = externalName(head);
  const before = externalName(change.base);
  if (!head || after === undefined || before === after) return [];
  const out = new DetectionList(change);
  const routes = routesTo(head, context.head, context.routeRules);
  const reach = routes.length ? `; routes sending traffic to it: ${routes.join(", ")}` : "";
  out.add({
    class: "resource.changed",
    summary: `its traffic ${destination(after)}${before ? ` (was ${before})` : " (type: ExternalName)"}${reach}`,
    side: "head",
    path: ["spec", "externalName"],
    ...(before === undefined ? {} : { before }),
    after,
    riskFloor: "high",
  });
  return out.detections;
};
