import type * as z from "zod";
import type { KubeObject } from "../core/kube-object.js";
import type { ManifestSet, Resource } from "../core/resource.js";
import type { DetectorContext, FileDetector, ResourceDetector } from "../core/detector.js";
import type { BackendRef, RouteRules } from "../core/route-rules.js";
import type { Flow, Placement } from "../core/traffic-model.js";
import type { FieldPath } from "../core/finding.js";
import type { GraphNodeReader } from "../core/graph-nodes.js";
import type { MeshScopeReader } from "../core/mesh-scope.js";
import type { ClusterRegions, Delivery } from "../core/gitops-delivery.js";
import { namedTargets, type PolicyTarget } from "../core/policy-targets.js";
import type { ProxyParametersJudge } from "../core/proxy-parameters.js";
import type { HandlingJudge } from "../core/handling-moves.js";
import type { FieldDefault } from "../core/field-defaults.js";

/** Hosts (fully qualified) and exported services (`namespace/name`) a resource names. */
export interface Referents {
  readonly hosts?: readonly string[];
  readonly exports?: readonly string[];
}

/**
 * One resource family (DESIGN §4): everything that varies by family, in one module object. The
 * stages are family-blind engines that receive the table of these (src/families/index.ts).
 */
export interface Family {
  /** The name resources of the family carry (`Resource.family`). */
  readonly name: string;
  /** Its kinds, by API group: the manifests stage reads only these (src/manifests/kinds.ts). */
  readonly kinds: readonly KindGroup[];
  /**
   * Kinds that are traffic config only when their text says so: a Namespace with mesh labels, a
   * Service of `type: ExternalName`, a Flux HelmRelease installing an Istio chart. Every other
   * document of the kind stays ignored.
   */
  readonly textKinds?: readonly TextKind[];
  /**
   * Fields of a kind that hold another tool's data, which none of its detectors reads as traffic
   * config, by kind (a `*` step matches any key or index): a `{{ }}` there is that tool's
   * placeholder (a log format in an Argo Rollout's pod template, a Vault agent template), not a file
   * committed unrendered (src/manifests/placeholders.ts).
   */
  readonly dataFields?: Readonly<Record<string, readonly FieldPattern[]>>;
  /**
   * The defaults its kinds' APIs document, by kind, each with its source: a field written out as
   * its default, or left out for it, is no change to the resource (src/detect/resource-changes.ts
   * compares both sides with them filled in). Only what the API itself applies: a default a
   * controller's settings can move (Istio's exportTo under a MeshConfig default) is one only
   * because a detector of the family judges that field against those settings.
   */
  readonly defaults?: Readonly<Record<string, readonly FieldDefault[]>>;
  /**
   * What its route kinds contribute to the traffic model as flows, by kind (src/model/build-model.ts):
   * only resources of these kinds are asked, not every resource of a tree.
   */
  readonly ruleSources?: Readonly<Record<string, RuleSource>>;
  /**
   * What a kind's rules are a function of besides the resource, where a tree gives that as one
   * object (Gateway API: the tree's entry points, one object for trees whose Gateways are equal).
   * A resource the next tree holds as the same object, under the same context, makes the same
   * rules there: the model takes its flows from the last tree instead of reading them again.
   */
  readonly ruleContexts?: Readonly<Record<string, (set: ManifestSet) => object>>;
  /**
   * API groups whose route rules are first-match within a resource (Istio VirtualService, Gloo
   * RouteTable): an earlier rule can shadow a later one (src/diff/precedence-changes.ts).
   */
  readonly firstMatchGroups?: readonly string[];
  /**
   * Where its routes name the entry points they attach to, by API group, when that is not Gateway
   * API's `spec.parentRefs`: a route.attachment-changed finding points there (src/detect/route-changes.ts).
   */
  readonly attachmentFields?: Readonly<Record<string, FieldPath>>;
  /**
   * What its resources are in the traffic graph, by kind: routes with their parents and backends,
   * DestinationRules, GatewayClasses, ServiceExports (src/graph/traffic-graph.ts). Kinds left out
   * are not nodes of it.
   */
  readonly graphNodes?: Readonly<Record<string, GraphNodeReader>>;
  /**
   * Its kinds whose change reaches Gateways (src/graph/blast-radius.ts): a Gateway itself, a
   * ListenerSet its parent Gateway, a GatewayClass the Gateways that name it.
   */
  readonly gatewayRoles?: Readonly<Record<string, GatewayRole>>;
  /**
   * What its kinds make reachable for routes, by kind: the destination hosts a resource configures
   * (an Istio DestinationRule or ServiceEntry) and the services it exports (`namespace/name`, a
   * ServiceExport). A change to one reaches every route sending there (src/graph/blast-radius.ts).
   */
  readonly referents?: Readonly<Record<string, (resource: Resource) => Referents>>;
  /**
   * Who a change to its mesh-level kinds reaches, by kind: the whole mesh, a namespace, selected
   * workloads or targeted resources (src/graph/mesh-scope.ts, listed in the blast radius).
   */
  readonly meshScopes?: Readonly<Record<string, MeshScopeReader>>;
  /**
   * Its kinds that configure the mesh, and the MeshConfig each sets (its root namespace, handed to
   * every `meshScopes` reader; its outbound traffic policy, what a Sidecar that sets none falls back
   * to). `readYaml` reads a document a resource holds as a string (istiod's ConfigMap's `mesh`).
   */
  readonly meshConfigs?: Readonly<
    Record<string, (resource: Resource, readYaml: (text: string) => unknown) => Readonly<Record<string, unknown>> | undefined>
  >;
  /**
   * Its experimental groups and kinds promoted to stable ones: a resource keeps its identity across
   * the promotion, so a PR that only promotes it changes nothing (src/diff/resource-pairing.ts).
   */
  readonly promotions?: Promotions;
  /**
   * Where the backends routes name run, as far as its resources say (DESIGN §6): what a resource
   * of a kind tells, and how a backend reference of a destination kind is placed from that
   * (src/model/placement.ts). Policy patterns, an explicit cluster on the reference and the route
   * file's placement stay the engine's.
   */
  readonly placementHints?: PlacementHints;
  /**
   * Its GitOps objects that deliver repository paths to clusters (Argo CD Applications and
   * ApplicationSets, Flux Kustomizations): the model composes which clusters a file lands in from
   * them (src/model/gitops-placement.ts), a detector learns what a changed one moves
   * (`DetectorContext.deliveryOf`), the render plan which folders GitOps renders.
   */
  readonly deliveries?: Deliveries;
  /**
   * The core Services its kinds make at run time, by kind (a Flagger Canary's apex, primary and
   * canary Services): routes may send to one the tree never declares, or no longer does.
   */
  readonly madeServices?: Readonly<
    Record<string, (resource: Resource) => readonly { readonly namespace: string; readonly name: string }[]>
  >;
  /**
   * The traffic objects its controller writes for a resource of the kind, by kind, read from the
   * resource and its tree (an Envoy AI Gateway AIGatewayRoute is served as the HTTPRoute of the same
   * name its controller writes, sending to the backends its AIServiceBackends name). The loader adds
   * each to the tree as the family of its kind reads it, in the resource's document
   * (src/manifests/generated-objects.ts): flows, attachment, blast radius and the policies that name
   * it see the object that serves, and field paths the two share point at the written lines.
   */
  readonly generates?: Readonly<Record<string, (resource: Resource, tree: ReadonlyMap<string, Resource>) => readonly GeneratedObject[]>>;
  /** Laid on the model's flows once every family's rules are read (Argo Rollouts rewrite weights of routes defined elsewhere). */
  readonly flowPlans?: (flows: ReadonlyMap<string, Flow>, set: ManifestSet) => Map<string, Flow>;
  /**
   * Its policy kinds that attach to other objects by name, by kind: the objects a policy names, or
   * undefined where it also selects by label. A policy renamed with the same targets and settings
   * (src/detect/renamed-resources.ts), or added (removed) with targets the same PR adds (removes)
   * (src/detect/attached-policies.ts), changes no traffic that flowed before: its settings are not
   * judged as changes.
   */
  readonly policyTargets?: Readonly<Record<string, (resource: Resource) => readonly PolicyTarget[] | undefined>>;
  /**
   * Its policy kinds (among `policyTargets`) that guard access to what they name, by kind: what a
   * policy requires of a request (`authentication (keycloak)`), undefined where it requires nothing.
   * One left naming a route the PR removes while another route serves its requests is access.widened
   * (src/detect/guards-left-behind.ts).
   */
  readonly guardingPolicies?: Readonly<Record<string, (policy: Resource) => string | undefined>>;
  /**
   * Its kinds that configure the proxies of the Gateways that name one (an Envoy Gateway EnvoyProxy),
   * by kind: a GatewayClass or Gateway that names another, or none, is judged by what differs
   * between the two (the gateway-api family asks, through `DetectorContext.proxyParameters`).
   */
  readonly proxyParameters?: Readonly<Record<string, ProxyParametersJudge>>;
  /**
   * Its kinds that hold transport security or trust (mTLS modes, upstream TLS, issuers, served
   * certificates), whose direct weakening is critical: a change to one that only a render would
   * show (an unrendered kustomize patch or build) keeps that floor rather than high.
   */
  readonly trustKinds?: readonly string[];
  /** Text that changes trust wherever a manifest carries it (cert-manager's issuer annotations, on any Ingress or Gateway). */
  readonly trustMarks?: readonly RegExp[];
  /**
   * Fields of its kinds that are not trust kinds whole, by kind, whose direct change is critical (a
   * Gateway's listener TLS, an IstioOperator's trust domain; `*` any one segment): an unrendered
   * patch or edit that writes on their way keeps that floor, one writing elsewhere in the object
   * (a Gateway's selector, a listener's port) does not.
   */
  readonly trustFields?: Readonly<Record<string, readonly FieldPath[]>>;
  /**
   * Keys of any chart's values that may render what it holds as trust (`ingress.tls`,
   * `meshConfig.trustDomain`), tested against a changed value's dotted path: a chart's values
   * reach only what the chart renders, unknown unrendered, so only these keep the critical floor.
   */
  readonly trustValues?: readonly RegExp[];
  /** Charts (by name) that install a trust controller (cert-manager, istiod): whatever of their values changes reaches trust. */
  readonly trustCharts?: readonly string[];
  /**
   * Charts (by name) that install the controller serving its kinds (ingress-nginx for Ingresses,
   * external-dns for DNS names, cert-manager for issuers), with what they serve, said in the
   * finding: a release of one removed leaves what the tree still routes, names or secures through
   * it without a controller, whatever the chart itself renders.
   */
  readonly controllerCharts?: ControllerCharts;
  /**
   * Its route kinds whose name provisions nothing (no load balancer, no generated objects) and
   * decides only ties the model ranks: one renamed with the same spec, while nothing in the tree
   * names the old name, is no change (src/detect/renamed-resources.ts). An Ingress is not one (GKE
   * and AWS give each its own load balancer), nor a Flagger Canary (it names what it generates).
   */
  readonly renamableRoutes?: readonly string[];
  /**
   * Of those, the kinds that may also move to another namespace: whether `after`, `before`'s spec
   * in another namespace, names the same things there (every reference it spells relative to its
   * own namespace resolves alike). Such a move is no change either; a kind not here, moved, is
   * removed and added (src/detect/renamed-resources.ts).
   */
  readonly movableRoutes?: Readonly<Record<string, (before: Resource, after: Resource, context: DetectorContext) => boolean>>;
  /**
   * Its entry kinds whose name provisions nothing either: configuration applied to proxies that its
   * spec selects, which routes name (an Istio Gateway, applied to the ingress pods of its
   * `selector`). One renamed, or moved to another namespace, with the same spec, while nothing at head
   * names the old one, is the same entry under another name (src/detect/renamed-resources.ts): its
   * routes' flows are compared as they were. A Gateway API Gateway or an Ingress is not one: its name
   * is its load balancer's.
   */
  readonly renamableEntries?: Readonly<Record<string, RenamableEntry>>;
  /**
   * How its route kinds' rules handle requests besides where they send them, by kind: requests that
   * pass from one rule to another (a rule removed above a catch-all, a rule inserted ahead of one)
   * are judged as an in-place edit of the one's handling into the other's (src/detect/handling-moves.ts).
   */
  readonly handlingJudges?: Readonly<Record<string, HandlingJudge>>;
  /** Its detectors, run on each changed resource of the family (src/detect/detectors.ts). */
  readonly detectors: readonly ResourceDetector[];
  /**
   * Detectors it contributes to resources of other families, by their name: labels, annotations and
   * fields it owns on their objects (Istio network labels on a Gateway, a cert-manager annotation on
   * an Ingress, Gateway API's class field on the retired v1alpha1 Gateway).
   */
  readonly detectsOn?: Readonly<Record<string, readonly ResourceDetector[]>>;
  /** Detectors of files its resources read, run once per review over both trees (kustomize patch files). */
  readonly fileDetectors?: readonly FileDetector[];
}

/** What a family's controller charts serve, for the finding (`Ingresses`), and the charts by name (Family.controllerCharts). */
export interface ControllerCharts {
  readonly serve: string;
  readonly charts: readonly string[];
  /**
   * Where its manifests name the class or issuer of the controller serving them, the name captured
   * (`ingressClassName: nginx`): a release of another chart whose name holds one the tree names
   * (ingress-nginx for class `nginx`, a fork, a second install) is that controller too.
   */
  readonly classes?: readonly RegExp[];
}

/** An entry kind whose name provisions nothing (Family.renamableEntries). */
export interface RenamableEntry {
  /** The entry the flows of its routes name it by (`Gateway shop/public`). */
  readonly entry: (resource: Resource) => string;
  /**
   * What makes `after`, of the same spec as `before` but its name or namespace, the same entry in
   * the head tree, as the finding says it; undefined where it may be another (other proxies select
   * it, or it ranks anew among entries it conflicts with).
   */
  readonly sameEntry: (before: Resource, after: Resource, head: ManifestSet) => string | undefined;
}

/**
 * What a family knows of where backends run (src/model/placement.ts runs it). The engine places a
 * backend reference by the first that applies: the policy's backend-name patterns, the cluster the
 * reference names, the families' `destinations` for its kind (in table order, the first that
 * answers), then the clusters the route's file lands in.
 */
export interface PlacementHints {
  /**
   * What a resource of the kind says of where backends run, by kind: hints the engine keeps, per
   * family and key in tree order, for the family's own `destinations` (an MCS ServiceExport, the
   * clusters its file lands in; an Istio DestinationRule subset, its region and cluster labels).
   */
  readonly hints?: Readonly<Record<string, (resource: Resource, tools: PlacementTools) => readonly PlacementHint[]>>;
  /** How a reference of a destination kind is placed, by `BackendRef` kind (`ServiceImport`, `Host`, `VirtualDestination`). */
  readonly destinations?: Readonly<Partial<Record<BackendRef["kind"], DestinationPlacement>>>;
}

/** Where the backend a key names runs, as one resource says. Keys are the family's own (`namespace/name`, a host and subset). */
export interface PlacementHint {
  readonly key: string;
  readonly placement: Placement;
}

/** What the placement engine lends a family, so that placements stay one shared object each and regions come from the policy. */
export interface PlacementTools {
  /**
   * Named clusters as a placement, with their regions by the policy's `topology.clusters`, else as
   * the resource says (`regionOf`: a MultiClusterService's `location/name`); interned: equal
   * placements are one object.
   */
  readonly ofClusters: (clusters: Iterable<string>, multiCluster: boolean, regionOf?: (cluster: string) => string | undefined) => Placement;
  /** The clusters a repository file lands in (policy patterns, GitOps deliveries). */
  readonly clustersOfFile: (file: string) => readonly string[];
  /**
   * Whether this tree, or the base tree the head is compared with, holds resources of the kind: a
   * backend the kind places (a ServiceImport by its ServiceExports) that none places is then known
   * to run nowhere, as the graph's reference checks judge it, not left unknown.
   */
  readonly holds: (kind: string) => boolean;
}

export interface DestinationPlacement {
  /**
   * Where a reference runs by what the family's resources said: `hints(key)`, every hint they gave
   * under the key, in tree order. Undefined leaves it to the next family, then to the route's file.
   */
  readonly place?: (ref: BackendRef, hints: (key: string) => readonly Placement[], tools: PlacementTools) => Placement | undefined;
  /** The name the policy's `services` keys it by (before a region part is removed): an Istio host, its short name. The reference's name when left out. */
  readonly serviceName?: (ref: BackendRef) => string;
}

/** A family's GitOps objects as deliveries of repository paths to clusters (src/model/gitops-placement.ts runs them). */
export interface Deliveries {
  /**
   * The kinds whose documents it reads to know what is delivered: the delivering objects and what
   * they read (a Flux ArtifactGenerator's copy rules). The render plan loads only files naming one.
   */
  readonly kinds: readonly string[];
  /**
   * Reads a tree once (`clusters`: the policy's, for names a delivering object spells otherwise),
   * then says what one resource of the family delivers where: undefined for one that delivers nothing.
   */
  readonly read: (set: ManifestSet, clusters: ClusterRegions) => (resource: Resource) => Delivery | undefined;
  /**
   * Reads a tree once, then says whether it keeps a file where its owner says nothing applies it
   * and none of its delivering objects reads it (an archive folder of Flux Kustomizations nothing
   * delivers): known unapplied, where a file no delivery reads is otherwise taken as applied by hand.
   */
  readonly archived?: (set: ManifestSet, clusters: ClusterRegions) => (file: string) => boolean;
}

export interface Promotions {
  /** Experimental API group → the stable group. */
  readonly groups?: Readonly<Record<string, string>>;
  /** Experimental kind → the stable kind. */
  readonly kinds?: Readonly<Record<string, string>>;
  /**
   * Kinds that several groups define alike, each for its own controllers (MCS's ServiceExport:
   * upstream, GKE's, the AWS VPC Lattice controller's), first the group others pair as: one moved
   * between them is the same object, read by another controller, which its detectors judge.
   */
  readonly sharedKinds?: { readonly kinds: readonly string[]; readonly groups: readonly string[] };
}

export type GatewayRole = "gateway" | "listener-set" | "gateway-class";

/** A field path whose `*` steps match any key or index (Family.dataFields). */
export type FieldPattern = readonly string[];

/**
 * `tool-file`: a tool's own file, never sent to the API server (kustomize's kustomization.yaml),
 * whose `metadata.name` is the tool's business, not a Kubernetes name. `context`: read only for
 * what other kinds need (an IngressClassParams' IngressGroup): an unreadable one is not read, and
 * never gates, as a text kind's (TextKind.context).
 */
export type KindTrait = "cluster-scoped" | "own-templates" | "file-named" | "tool-file" | "context";

export type KindRow = readonly [kind: string, schema: z.ZodType<KubeObject>, traits?: KindTrait | readonly KindTrait[]];

export type KindGroup = readonly [groups: readonly string[], kinds: readonly KindRow[]];

export interface TextKind {
  /** The API group; the core group ("") when left out. */
  readonly group?: string;
  readonly kind: string;
  readonly when: RegExp;
  readonly schema: z.ZodType<KubeObject>;
  readonly namespaced: boolean;
  /** Read only for what other kinds need (a Namespace's labels): an unreadable one is not read, and never gates. */
  readonly context?: boolean;
}

export type RuleSource = (resource: Resource, set: ManifestSet) => RouteRules | undefined;

/** The same source for each of `kinds` (a family's route kinds read by one function). */
export const forKinds = <T = RuleSource>(kinds: Iterable<string>, source: T): Readonly<Record<string, T>> =>
  Object.fromEntries([...kinds].map((kind) => [kind, source]));

/** Policy kinds that name their targets in `targetRef`/`targetRefs`, the group defaulted as their API does (Family.policyTargets). */
export const targetingPolicies = (kinds: readonly string[], defaultGroup: string): NonNullable<Family["policyTargets"]> =>
  forKinds(kinds, (policy: Resource) => namedTargets(policy, defaultGroup));

/** A family whose routes land wherever their rules say. */
export const byRules =
  (source: (resource: Resource, set: ManifestSet) => RouteRules["rules"]): RuleSource =>
  (resource, set) => {
    const rules = source(resource, set);
    return rules.length > 0 ? { rules } : undefined;
  };

/** An object a controller writes for a resource (Family.generates): its identity, in the resource's namespace, and its body. */
export interface GeneratedObject {
  readonly group: string;
  readonly kind: string;
  readonly apiVersion: string;
  readonly name: string;
  readonly body: Readonly<Record<string, unknown>>;
}
