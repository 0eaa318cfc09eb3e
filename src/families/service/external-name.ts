import { record, spec, text } from "../../core/json-access.js";
import { displayName, type ManifestSet, type Resource } from "../../core/resource.js";
import { agree, answers, type DeclaredService } from "../../core/declared-services.js";
import type { Detection } from "../../core/finding.js";
import { selectorText } from "../../core/service-spec.js";
import { externalDnsSetting } from "../../core/external-dns-annotations.js";
import { namesService } from "../../core/service-mentions.js";
import { routesSending } from "../../core/service-routes.js";
import { sortedSet } from "../../core/canonical-values.js";
import { DetectionList } from "../../core/detection-list.js";
import type { DetectorContext, ResourceDetector } from "../../core/detector.js";
import { answeredBy, endpointsKind, writtenEndpoints } from "./written-endpoints.js";

/**
 * A core Service of `type: ExternalName` is read only as such (index.ts, textKinds): its traffic leaves the
 * cluster for a DNS name, so a Service that becomes one, or whose externalName changes, sends
 * every route's traffic to it somewhere else. Any other Service is not read, so a Service turned
 * ExternalName is an added resource here: whether it is new is read off the base tree's Service
 * documents; and one that leaves ExternalName a removed one, still declared in the head tree's.
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

/**
 * The objects of the head tree, of any kind, that name the Service (core/service-mentions.ts):
 * a Gloo Edge Upstream, a k8gb Gslb's Ingress, an application calling it. Copies of the Service
 * itself (a base and its overlay) are none, nor are its own Endpoints and EndpointSlices.
 */
const namedElsewhere = ({ id, cluster }: Resource, context: DetectorContext): string[] => {
  const service = { name: id.name, namespace: id.namespace };
  return sortedSet(
    context.objectsMentioning("head", id.name).flatMap((mention) => {
      const { kind, metadata } = mention.object;
      const name = text(record(metadata).name) ?? "";
      const itself = kind === "Service" && name === id.name && agree(mention.namespace, id.namespace);
      if (itself || endpointsKind(mention, service) || !agree(mention.cluster, cluster) || !namesService(mention, service)) return [];
      return [`${text(kind) ?? "an object"} ${mention.namespace ? `${mention.namespace}/` : ""}${name}`];
    }),
  );
};

/** The external-dns annotations it carries: external-dns publishes an ExternalName Service's target as a CNAME under the names they give. */
const publishing = (service: Resource): string[] =>
  Object.entries(service.annotations)
    .filter(([key]) => externalDnsSetting(key) !== undefined)
    .map(([key, value]) => `${key}: ${value}`);

/** Whether the base tree declares the Service, of any type: one that becomes ExternalName, not a new one. */
const declaredAtBase = ({ id, cluster }: Resource, context: DetectorContext): boolean =>
  context
    .servicesNamed("base", id.name)
    .some((declared) => answers(declared, { name: id.name, namespace: id.namespace, ...(cluster ? { cluster } : {}) }));

/** The Service as the head tree declares it, of another type: one that left ExternalName, not one removed. */
const declaredOtherwise = ({ id, cluster }: Resource, context: DetectorContext): DeclaredService | undefined =>
  context
    .servicesNamed("head", id.name)
    .find(
      (declared) =>
        !declared.unreadable &&
        declared.spec.type !== "ExternalName" &&
        answers(declared, { name: id.name, namespace: id.namespace, ...(cluster ? { cluster } : {}) }),
    );

/**
 * A Service that leaves ExternalName moves its traffic off the name it aliased, to the pods its
 * selector picks or the addresses hand-written Endpoints give it, or to nothing (mmalyska/home-ops
 * 783571c77d: `hass-proxy` turned a selector-less ClusterIP Service read "removed", low). As
 * becoming one is, high: its clients, routes or others, reach something else; the routes that
 * nothing answers now are also service-changes.ts's `reference.broken`.
 */
function leftExternalName(service: Resource, was: string, context: DetectorContext): Detection[] {
  const now = declaredOtherwise(service, context);
  if (!now) return [];
  const selector = selectorText(now.spec);
  const answering = answeredBy(selector, selector === "" ? writtenEndpoints(now, context.objectsMentioning("head", now.name)) : []);
  const routes = routesTo(service, context.head, context.routeRules);
  // As for one that becomes ExternalName: the other objects naming it are told where no route is.
  const named = routes.length === 0 ? namedElsewhere(service, context) : [];
  const type = text(now.spec.type) ?? "ClusterIP";
  const reach = [
    ...(routes.length ? [`routes sending traffic to it: ${routes.join(", ")}`] : []),
    ...(named.length ? [`named by ${named.join(", ")}`] : []),
  ]
    .map((part) => `; ${part}`)
    .join("");
  return [
    {
      class: "resource.changed",
      summary:
        `${displayName(service.id)}: no longer type ExternalName (now ${type}; ${now.file}): its traffic no longer ${destination(was)} ` +
        (answering
          ? `but goes to ${answering}`
          : "and nothing answers it: it selects no pods, and no Endpoints or EndpointSlices of the tree give it addresses") +
        reach,
      resource: service.id,
      side: "head",
      path: ["spec", "type"],
      before: was,
      after: answering ? `${type}: ${answering}` : type,
      riskFloor: "high",
      at: now.source,
    },
  ];
}

export const externalNameDetector: ResourceDetector = (change, context) => {
  const { head } = change;
  const after = externalName(head);
  const before = externalName(change.base);
  if (!head) return change.base && before !== undefined ? leftExternalName(change.base, before, context) : [];
  if (after === undefined || before === after) return [];
  const out = new DetectionList(change);
  const routes = routesTo(head, context.head, context.routeRules);
  // A new Service nothing sends to moves nobody's traffic, as a new ClusterIP Service does not
  // (m00nwtchr/homelab-cluster b5827be38f: an alias of KEDA's interceptor added ahead of its route).
  // A route, or any object the review reads no routes of (a Gloo Edge Upstream, a k8gb Gslb), that
  // named it while it was missing now sends there; external-dns publishes it as a CNAME to its target.
  const named = before === undefined && routes.length === 0 ? namedElsewhere(head, context) : [];
  const published = publishing(head);
  const moves = before !== undefined || routes.length > 0 || named.length > 0 || published.length > 0 || declaredAtBase(head, context);
  const reach = [
    ...(routes.length ? [`routes sending traffic to it: ${routes.join(", ")}`] : []),
    ...(named.length ? [`named by ${named.join(", ")}`] : []),
    ...(published.length ? [`external-dns publishes it as a CNAME to ${after} (${published.join(", ")})`] : []),
  ]
    .map((part) => `; ${part}`)
    .join("");
  const was = before
    ? ` (was ${before})`
    : moves
      ? " (type: ExternalName)"
      : " (type: ExternalName, a new Service nothing in the tree sends traffic to)";
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
