import type { FileDetector } from "../../core/detector.js";
import type { Detection, FieldPath } from "../../core/finding.js";
import { text } from "../../core/json-access.js";
import { portKeys, selectorText } from "../../core/service-spec.js";
import { sortedSet } from "../../core/canonical-values.js";
import { agree, answers, type DeclaredService, type ServiceName } from "../../core/declared-services.js";
import { listedNames } from "../../core/removed-while-named.js";
import { internalBy, stopsFacingInternet, type Closing } from "../../core/load-balancer-exposure.js";
import { routesSending, type RouteSending } from "../../core/service-routes.js";
import { displayName, type DocumentSource, type ManifestSet, type Resource } from "../../core/resource.js";
import { fileSites } from "../../core/gitops-delivery.js";
import { appliedTogether, filesApart, type FileSiting } from "../../core/copies-apart.js";
import type { WeightedRef } from "../../core/route-rules.js";
import { answeredBy, writtenEndpoints } from "./written-endpoints.js";

/**
 * Core Services the PR changes under routes that still send traffic to them. Core Services are not
 * traffic kinds (DESIGN §4) and the loader keeps none of them: this reads the Service documents of
 * the files the PR changes, and the head tree's other files only for a Service gone from them.
 * - Removed (a document dropped, a file deleted, renamed): nothing answers that backend, and the
 *   requests it took fail — a Gateway API implementation answers its share with 500, Envoy sidecars
 *   and ingress controllers with 503. `reference.broken`.
 * - A port the route names gone from it: the backend is refused the same way. `reference.broken`.
 * - Turned into an internet-facing load balancer: its pods are reachable without the route's
 *   Gateway, its TLS and its policies. `access.widened`.
 * - Another selector: every request of the backend goes to other pods (a blue/green cutover by
 *   label), `backend.weight-changed`; no selector left: to the addresses hand-written Endpoints give
 *   it (`backend.weight-changed`), or, with none, to nothing: `reference.broken`.
 * - No longer `type: ExternalName`, with no selector and no hand-written Endpoints: nothing answers
 *   (`reference.broken`); with either, its traffic moves off the name it aliased, which
 *   external-name.ts judges on the Service.
 * - Removed while a ServiceExport of its cluster still exports it, routes or not: that cluster's
 *   endpoints leave the ClusterSet. `export.changed`, on the export.
 * An exported Service feeds the ServiceImport of its name in every cluster: routes sending there
 * from anywhere count too. Its selector or a port gone moves the requests that cluster's export
 * answered: to other pods, to the other clusters exporting it (`backend.weight-changed`), or to
 * nothing where the repository has no other export of it (`reference.broken`).
 */

const labelOf = (service: ServiceName): string => `${service.namespace ? `${service.namespace}/` : ""}${service.name}`;

const internetFacing = (service: DeclaredService): boolean =>
  service.spec.type === "LoadBalancer" && internalBy(service.annotations, service.spec.loadBalancerClass) === undefined;

const SOURCE_RANGES_ANNOTATION = "service.beta.kubernetes.io/load-balancer-source-ranges";
const EVERY_ADDRESS = new Set(["0.0.0.0/0", "::/0"]);

/** The sources an internet-facing load balancer admits, when its Service restricts them (`loadBalancerSourceRanges`, or the annotation). */
function sourceRanges(service: DeclaredService): string[] | undefined {
  const written = Array.isArray(service.spec.loadBalancerSourceRanges)
    ? service.spec.loadBalancerSourceRanges.filter((range): range is string => typeof range === "string")
    : (text(service.annotations[SOURCE_RANGES_ANNOTATION]) ?? "").split(",");
  const ranges = written.map((range) => range.trim()).filter((range) => range !== "");
  return ranges.length === 0 || ranges.some((range) => EVERY_ADDRESS.has(range)) ? undefined : ranges;
}

/** Reachable from every address on the internet: an internet-facing load balancer whose sources are not restricted. */
const openToInternet = (service: DeclaredService): boolean => internetFacing(service) && sourceRanges(service) === undefined;

/** What the PR does to one Service of the base tree that routes may name. */
interface ServiceChange extends ServiceName {
  readonly file: string;
  readonly removed?: true;
  /** Ports of the base's Service the head's no longer has: their numbers and names. */
  readonly lostPorts?: readonly (number | string)[];
  /** Open to the internet now: a new internet-facing load balancer, or one whose source ranges were lifted (what they were). */
  readonly exposed?: { readonly ranges?: readonly string[] };
  /**
   * The pods it picks, before and after (`app=cart, version=blue`; "" for none), where that changes;
   * with none left, the addresses hand-written Endpoints give it instead.
   */
  readonly selector?: { readonly before: string; readonly after: string; readonly addresses: readonly string[] };
  /**
   * No longer `type: ExternalName` (the name it aliased): its ports are now those a route must name,
   * and whether anything answers it (a selector, hand-written Endpoints).
   */
  readonly unaliased?: { readonly externalName: string; readonly ports: readonly (number | string)[]; readonly answered: boolean };
  /** No longer an internet-facing load balancer: what that means, and the head's document. */
  readonly closed?: { readonly summary: string; readonly at: DocumentSource; readonly path: FieldPath };
}

/** Where in a Service document what closed its load balancer is written. */
const CLOSING_PATHS: Readonly<Record<Closing["field"], FieldPath>> = {
  type: ["spec", "type"],
  annotations: ["metadata", "annotations"],
  ports: ["spec", "ports"],
};

/** `endpointsOf`: the addresses the head tree's hand-written Endpoints give a Service, read only where it has no selector. */
function changeOf(
  before: DeclaredService,
  after: DeclaredService | undefined,
  endpointsOf: (service: DeclaredService) => readonly string[],
): ServiceChange | undefined {
  const { spec: _spec, annotations: _annotations, unreadable: _unreadable, ...scoped } = before;
  if (!after) return { ...scoped, removed: true };
  // An ExternalName Service is a DNS name: its ports and selector say nothing of where requests go.
  if (after.unreadable || after.spec.type === "ExternalName") return undefined;
  const selector = { before: selectorText(before.spec), after: selectorText(after.spec) };
  // An ExternalName Service turned another type (mmalyska/home-ops 783571c77d): the ports it listed were never dialled; its new ones are.
  const aliased = before.spec.type === "ExternalName" ? (text(before.spec.externalName) ?? "") : undefined;
  // Read only where no selector is left for one that had one, or for an ExternalName Service turned another type.
  const addresses = selector.after === "" && (aliased !== undefined || selector.before !== "") ? endpointsOf(after) : [];
  const unaliased = aliased !== undefined && {
    externalName: aliased,
    ports: portKeys(after.spec),
    answered: answeredBy(selector.after, addresses) !== undefined,
  };
  const kept = new Set(portKeys(after.spec));
  const lostPorts = unaliased ? [] : portKeys(before.spec).filter((port) => !kept.has(port));
  // A new internet-facing load balancer, whatever sources it admits; or one that stops restricting them.
  const exposed = internetFacing(after) && (!internetFacing(before) || (openToInternet(after) && !openToInternet(before)));
  const balancing = (service: DeclaredService) => ({
    type: text(service.spec.type),
    annotations: service.annotations,
    loadBalancerClass: service.spec.loadBalancerClass,
    ports: service.spec.ports,
  });
  const closing = stopsFacingInternet(balancing(before), balancing(after), "ClusterIP");
  const closed = closing && { summary: closing.summary, at: after.source, path: CLOSING_PATHS[closing.field] };
  const reselected = !unaliased && selector.before !== selector.after;
  if (lostPorts.length === 0 && !exposed && !reselected && !closed && !unaliased) return undefined;
  return {
    ...scoped,
    ...(lostPorts.length > 0 ? { lostPorts } : {}),
    ...(exposed ? { exposed: internetFacing(before) ? { ranges: sourceRanges(before) ?? [] } : {} } : {}),
    ...(reselected ? { selector: { ...selector, addresses } } : {}),
    ...(unaliased ? { unaliased } : {}),
    ...(closed ? { closed } : {}),
  };
}

/**
 * One thing the PR does to a Service, with the routes that still send traffic to it; `imported`:
 * through its ServiceImport, from clusters of the ClusterSet.
 */
interface Problem {
  readonly service: ServiceChange;
  readonly imported: boolean;
  readonly what:
    | { readonly kind: "removed" | "exposed" | "selector" | "unaliased" }
    /** A port a route names that the Service no longer has. */
    | { readonly kind: "port"; readonly port: number | string };
  readonly sends: { readonly route: Resource; readonly backend: WeightedRef; readonly host: string }[];
}

function problemsOf(sending: readonly RouteSending<ServiceChange>[]): Problem[] {
  const problems = new Map<string, Problem>();
  const note = (service: ServiceChange, what: Problem["what"], send: Problem["sends"][number], imported: boolean) => {
    const key = `${labelOf(service)}\0${service.cluster ?? ""}\0${what.kind}\0${what.kind === "port" ? what.port : ""}\0${imported}`;
    const problem = problems.get(key);
    if (problem) problem.sends.push(send);
    else problems.set(key, { service, imported, what, sends: [send] });
  };
  for (const { route, sends } of sending) {
    for (const { service, backend, host, imported } of sends) {
      const send = { route, backend, host };
      const { port } = backend.ref;
      // A removed Service that is still exported is the export's finding (exportsOf), routes or not.
      if (service.removed) {
        if (!imported) note(service, { kind: "removed" }, send, imported);
      } else if (port !== undefined && (service.unaliased ? !service.unaliased.ports.includes(port) : service.lostPorts?.includes(port)))
        note(service, { kind: "port", port }, send, imported);
      // Reachable from the internet whichever way the routes reach it: one finding.
      if (service.exposed) note(service, { kind: "exposed" }, send, false);
      if (service.selector) note(service, { kind: "selector" }, send, imported);
      if (service.unaliased && !service.unaliased.answered) note(service, { kind: "unaliased" }, send, imported);
    }
  }
  return [...problems.values()];
}

/** The keys of a `namespace/name` index that a Service answers to: by name alone where its namespace is unknown. */
const keysOf = (index: { has(key: string): boolean; keys(): Iterable<string> }, { name, namespace }: ServiceName): string[] =>
  namespace !== undefined
    ? index.has(`${namespace}/${name}`)
      ? [`${namespace}/${name}`]
      : []
    : [...index.keys()].filter((key) => key.endsWith(`/${name}`));

/** A Service removed while a ServiceExport of its cluster still exports it: its endpoints leave the ClusterSet all the same. */
function exportsOf(service: ServiceChange, exporters: readonly Resource[]): Detection[] {
  const label = labelOf(service);
  return exporters.map((exporter) => ({
    class: "export.changed",
    summary:
      `Service ${label} is removed (${service.file}) while this ServiceExport still exports it: this cluster's endpoints leave the ` +
      `ClusterSet, and the ServiceImport's requests go only to the other clusters exporting it, or fail where none does`,
    resource: exporter.id,
    resourceKey: exporter.key,
    side: "head",
    path: ["metadata", "name"],
    before: label,
    after: null,
  }));
}

/**
 * A Service no longer an internet-facing load balancer is an entry point closed, routes or not:
 * an Istio or other ingress gateway's own Service among them.
 */
const closedDetection = (service: ServiceChange, closed: NonNullable<ServiceChange["closed"]>): Detection => ({
  class: "listener.changed",
  summary: `Service ${labelOf(service)}: ${closed.summary}`,
  resource: { group: "", kind: "Service", namespace: service.namespace ?? "default", name: service.name },
  side: "head",
  path: closed.path,
  before: { type: "LoadBalancer" },
  after: closed.summary,
  at: closed.at,
});

const unreadableDetection = (service: DeclaredService, now: DeclaredService): Detection => ({
  class: "manifest.invalid",
  summary: `Service ${labelOf(service)} can no longer be read (${now.file}): kubectl, kustomize and the GitOps tools refuse the whole file, so nothing in it is applied until it is mended`,
  resource: { group: "", kind: "Service", namespace: service.namespace ?? "default", name: service.name },
  side: "head",
  path: [],
  riskFloor: "high",
  at: now.source,
});

const REQUESTS_FAIL = "so its share of the requests fails (a Gateway answers 500, an Envoy sidecar or ingress 503)";

/**
 * One finding a problem, on the backendRef of the first route (by key) that still sends there,
 * naming every such route. `otherExports`: how many exports of the service in other clusters
 * still feed its ServiceImport.
 */
function detectionOf({ service, imported, what, sends }: Problem, otherExports: number): Detection {
  // A problem has at least one route: it is made with its first.
  const first = sends.reduce((earliest, send) => (send.route.key < earliest.route.key ? send : earliest));
  const routes = sortedSet(sends.map(({ route }) => displayName(route.id)));
  const routesSend =
    `${listedNames(routes)} still send${routes.length === 1 ? "s" : ""} traffic for ${listedNames(sortedSet(sends.map(({ host }) => host)))} ` +
    `to it${imported ? " through its ServiceImport" : ""}`;
  const label = labelOf(service);
  const at = { resource: first.route.id, resourceKey: first.route.key, side: "head" as const, path: first.backend.path };
  // No endpoint of this Service answers: through an import, the other clusters' exports still do.
  const unanswered = (onPort: string) =>
    imported && otherExports > 0
      ? {
          class: "backend.weight-changed" as const,
          consequence:
            `this cluster's endpoints leave the ServiceImport${onPort}, and its requests go only to the ` +
            `${otherExports === 1 ? "other cluster" : `${otherExports} other clusters`} exporting it`,
        }
      : {
          class: "reference.broken" as const,
          consequence: `${imported ? "no other cluster in this repository exports it: " : ""}no endpoint answers that backend, ${REQUESTS_FAIL}`,
        };
  switch (what.kind) {
    case "exposed":
      return {
        class: "access.widened",
        summary:
          (service.exposed?.ranges
            ? `Service ${label}'s internet-facing load balancer no longer restricts its sources (${service.exposed.ranges.join(", ")} lifted; ${service.file}): `
            : `Service ${label} becomes an internet-facing load balancer (type: LoadBalancer, no internal annotation; ${service.file}): `) +
          `its pods are reachable from the internet directly, around the Gateways and policies in front of it, while ${routesSend}`,
        ...at,
        before: null,
        after: label,
      };
    case "selector": {
      const { before, after, addresses } = service.selector!;
      // With no selector of its own a Service has only the endpoints written by hand.
      const to = after === "" ? answeredBy(after, addresses) : "the pods the new selector picks";
      const none = to === undefined && unanswered("");
      const moved = `every request ${imported ? "this cluster's export answered" : "of that backend"} now goes to ${to}`;
      return {
        class: none ? none.class : "backend.weight-changed",
        summary: none
          ? `Service ${label} no longer selects pods (selector ${before} removed; ${service.file}) while ${routesSend}: ${none.consequence}`
          : after === ""
            ? `Service ${label} no longer selects pods (selector ${before} removed; ${service.file}) while ${routesSend}: ${moved}`
            : `Service ${label} selects other pods (${before || "none"} → ${after}; ${service.file}) while ${routesSend}: ${moved}`,
        ...at,
        before: `${label} {${before}}`,
        after: `${label} {${after}}`,
      };
    }
    case "unaliased": {
      const { externalName } = service.unaliased!;
      const none = unanswered("");
      return {
        class: none.class,
        summary:
          `Service ${label} is no longer an ExternalName for ${externalName} (${service.file}) and nothing gives it endpoints — no selector, ` +
          `no Endpoints or EndpointSlices written for it — while ${routesSend}: ${none.consequence}`,
        ...at,
        before: `${label} → ${externalName}`,
        after: `${label} {}`,
      };
    }
    case "removed":
      return {
        class: "reference.broken",
        summary: `Service ${label} is removed (${service.file}) while ${routesSend}: no Service answers that backend, ${REQUESTS_FAIL}`,
        ...at,
        before: label,
        after: null,
      };
    case "port": {
      const gone = unanswered(` on port ${what.port}`);
      // The ports an ExternalName Service listed were never dialled: the one it turned into just lacks it.
      const hasNo = service.unaliased ? "has no" : "no longer has";
      return {
        class: gone.class,
        summary: imported
          ? `Service ${label} ${hasNo} port ${what.port} (${service.file}) while ${routesSend} there: ${gone.consequence}`
          : `Service ${label} ${hasNo} port ${what.port} (${service.file}) while ${routesSend} there: no Service port answers ` +
            `that backend, ${REQUESTS_FAIL}`,
        ...at,
        before: `${label}:${what.port}`,
        after: null,
      };
    }
  }
}

export const serviceChangeDetector: FileDetector = ({ base }, context) => {
  const before: DeclaredService[] = [];
  for (const file of base) {
    if (context.fileText("head", file.path) === file.text) continue;
    // What an unreadable document of the base declared cannot be told: nothing to judge.
    for (const service of context.servicesDeclared("base", file)) if (!service.unreadable) before.push(service);
  }
  if (before.length === 0) return [];
  const inOwnFile = (service: DeclaredService) => {
    const after = context.fileText("head", service.file);
    return after === undefined
      ? undefined
      : context.servicesDeclared("head", { path: service.file, text: after }).find((other) => answers(other, service));
  };
  const declaredElsewhere = (service: DeclaredService) =>
    context.servicesNamed("head", service.name).filter((other) => answers(other, service));
  // Where each tree applies a file: the removed copy as the base applied it, the one that stays as the head does.
  const siting = (set: ManifestSet): FileSiting => ({ sites: fileSites(context.placementOf(set)), includedBy: set.includedBy });
  const [sitedBase, sitedHead] = [siting(context.base), siting(context.head)];
  const made = context.madeServices(context.head);
  const endpointsOf = (service: DeclaredService) => writtenEndpoints(service, context.objectsMentioning("head", service.name));

  // A Service readable at base whose document no longer reads: kubectl and the GitOps tools refuse
  // the whole file, so what it applies stops where it is (kubernetes-engine-samples 2939f67e88: a
  // Service's port list mis-indented beside an HTTPRoute sending to it passed without a word).
  const unreadable: Detection[] = [];
  const changes = before.flatMap((service): ServiceChange[] => {
    // One an object of the tree makes at run time (a Flagger Canary's) is that object's to shape.
    if (keysOf(made, service).length > 0) return [];
    const now = inOwnFile(service);
    if (now?.unreadable) {
      unreadable.push(unreadableDetection(service, now));
      return [];
    }
    const change = changeOf(service, now, endpointsOf);
    if (!change?.removed) return change ? [change] : [];
    const elsewhere = declaredElsewhere(service);
    if (elsewhere.length === 0) return [change];
    // A copy applied apart from it is an object of its own, not its new home (rollouts-demo
    // ca84ae8b08: the preview root renamed its Service while the canary root's, selecting other pods
    // all along, stayed under the canary Ingress).
    const together = elsewhere.filter((other) => !filesApart(service.file, other.file, sitedBase, sitedHead));
    if (together.length === 0) return [];
    // Moved to another file, or left to a copy the cluster held beside it already (which of the two
    // held depended on the order they were applied in): judged against what declares it there, so a
    // copy selecting other pods takes its requests (clusters/prod/legacy/ keeps Service web on
    // app=web-legacy while clusters/prod/web/ drops the one on app=web).
    const moved = together.map((other) => {
      const after = changeOf(service, other, endpointsOf);
      return after && { ...after, file: other.file };
    });
    return moved.some((after) => after === undefined) ? [] : [moved[0]!];
  });
  if (changes.length === 0) return unreadable;

  const exporters = context.serviceExporters(context.head);
  const exportsOfService = (service: ServiceChange) => keysOf(exporters, service).flatMap((key) => exporters.get(key) ?? []);
  // Its own cluster's export: the same cluster where both are known, else the same folder.
  const ownExport = (exporter: Resource, service: ServiceChange) =>
    appliedTogether({ cluster: exporter.cluster, file: exporter.source.file }, service);
  const inItsCluster = (service: ServiceChange) => exportsOfService(service).filter((exporter) => agree(exporter.cluster, service.cluster));
  const exported = (service: ServiceChange) => inItsCluster(service).length > 0;
  const otherExports = (service: ServiceChange) => exportsOfService(service).filter((exporter) => !ownExport(exporter, service)).length;
  return [
    ...unreadable,
    ...problemsOf(routesSending(context.head, context.routeRules, changes, true, exported)).map((problem) =>
      detectionOf(problem, otherExports(problem.service)),
    ),
    ...changes.filter((service) => service.removed).flatMap((service) => exportsOf(service, inItsCluster(service))),
    ...changes.flatMap((service) => (service.closed ? [closedDetection(service, service.closed)] : [])),
  ];
};
