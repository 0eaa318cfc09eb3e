import type { ResourceId } from "./resource.js";
import type { FieldPath } from "./finding.js";
import type { NamedPort, Priority } from "./route-rules.js";

/** Where a backend runs. Unknown placement is empty, never guessed (DESIGN §6). */
export interface Placement {
  readonly clusters: readonly string[];
  readonly regions: readonly string[];
  /** True when the backend spans clusters by definition (ServiceImport, Gloo VirtualDestination). */
  readonly multiCluster: boolean;
  /**
   * A multi-cluster backend that no cluster serves, as far as the tree can tell: the tree manages
   * such backends' exports (at base or head), and none is left for this one.
   */
  readonly unexported?: true;
}

/** Nothing says where the backend runs. */
export const UNKNOWN_PLACEMENT: Placement = { clusters: [], regions: [], multiCluster: false };
/** A backend that spans clusters by definition, none of them known. */
export const UNKNOWN_MULTI_CLUSTER: Placement = { ...UNKNOWN_PLACEMENT, multiCluster: true };
/** A multi-cluster backend no cluster of the tree exports: it runs nowhere, not across the cluster set. */
export const UNEXPORTED: Placement = { ...UNKNOWN_PLACEMENT, unexported: true };

export interface Backend {
  /** Identity across base/head: Istio host+subset+port, Gateway API group/kind/namespace/name+port. */
  readonly key: string;
  /** How a reviewer names it: `reviews v1`, `ServiceImport checkout-jkt:8080`. */
  readonly label: string;
  /** The service the backend belongs to (policy `services` key), region suffix removed. */
  readonly service: string;
  readonly weight: number;
  /** weight / sum of the flow's weights, 0..1; 0 for every backend when all weights are 0. */
  readonly share: number;
  readonly placement: Placement;
  readonly path: FieldPath;
  /** The HTTP status the proxy answers with itself (a direct response), when no backend sees these requests. */
  readonly answers?: number;
  /** A redirect: the proxy sends clients elsewhere itself, and no backend sees these requests. */
  readonly redirects?: true;
  /**
   * Its key without the port it names, set where a reference without a port means the service's
   * only port (an Istio destination: "if a service exposes only a single port it is not required
   * to explicitly select the port"): the port written out, or dropped, pairs with it (route-diff).
   */
  readonly portless?: string;
  /** The core Service port it names by name, where it does. */
  readonly namedPort?: NamedPort;
  /**
   * Where the tree's Service numbers that port: the key of this backend named by the number
   * (diff/named-ports.ts), so the port written by name on one side and by number on the other pairs
   * as one backend (route-diff).
   */
  readonly numbered?: string;
}

/**
 * A direct response with an error status: the proxy fails the requests itself (a maintenance
 * switch, a typo), nothing serves them.
 */
export const failsEveryRequest = (backend: Backend): boolean => backend.answers !== undefined && backend.answers >= 400;

/**
 * (entry, host, match) → weighted backends. A Gateway API rule with two parents and two hostnames
 * is four flows: each is what one request can see.
 */
export interface Flow {
  /** Identity across base/head. */
  readonly key: string;
  /** `Gateway infra/public:https`, `mesh`, `Service bookinfo/reviews`, `VirtualGateway ns/name`. */
  readonly entry: string;
  readonly host: string;
  /** What the rule captures, canonical and human-readable: `PathPrefix /checkout, method POST`. */
  readonly match: string;
  /** The path part of the match alone, to group rules that compete for the same requests. */
  readonly pathMatch: string;
  /** HTTP methods the rule is limited to (an exact method, or those a method pattern admits: RequestShape.methods); empty = every method. */
  readonly methods: readonly string[];
  /** Position among the rules competing on the same entry and host: lower wins. */
  readonly precedence: number;
  /** Its rank against the rules of every route of its entry, higher first (RuleShape.priority). */
  readonly priority?: Priority;
  readonly resource: ResourceId;
  readonly resourceKey: string;
  /** Identity of the rule within its resource (its name, else its match): pairs a rule whose match changed. */
  readonly ruleId: string;
  readonly path: FieldPath;
  readonly backends: readonly Backend[];
  /** Mirror targets (labels), with percent. */
  readonly mirrors: readonly { readonly label: string; readonly percent: number }[];
  /** Why the tree cannot confirm that the entry admits the route (e.g. a namespace selector): the flow is kept, unverified. */
  readonly unverified?: string;
  /**
   * The clients that see the rule only because of where its route lives, part of its key: an Istio
   * mesh VirtualService reaches the workloads whose Sidecar imports it by its namespace (`backend/*`)
   * only while it lives there, so the same rule moved to another namespace is removed for them
   * (src/families/istio/sidecar-imports.ts). Unset where every client of the entry sees it.
   */
  readonly audience?: string;
  /**
   * The files of the definition of its entry's owner the route lands on (a Gateway), with those of
   * the other definitions of that name that are one object with it (the same text, or applied
   * together: one cluster, one folder). A repository whose example folders each write their own
   * `Gateway default/gateway` holds one object per folder: the route diff has only the rules on
   * one such object compete for its requests (route-diff.ts). Unset where the family does not say.
   */
  readonly entryCopy?: readonly string[];
  /**
   * Where several differing definitions of its entry's owner are nearest its route alike (the
   * bbr-example routes of gateway-api-inference-extension, beside each provider's own
   * `inference-gateway`), the copies (entryCopy) of each, its own among them: the route is applied
   * with one of them, which the tree does not say, and lands on its own by tree order alone. The
   * route diff has it move to another copy only where its file moves or it can no longer be on any of these.
   */
  readonly entryChoices?: readonly (readonly string[])[];
  /**
   * The rule that takes this flow's requests instead (another route claiming the same entry, host
   * and match, ranked first by the family's precedence): the flow is configured but carries no traffic.
   */
  readonly shadowedBy?: string;
  /**
   * The rule was ranked behind `shadowedBy` by name alone: neither's creation time is known and
   * neither is newer than the other in this change, so which of them serves depends on an order
   * the repository does not hold. Its own changes are compared all the same (route-diff.ts).
   */
  readonly orderUnknown?: true;
  /**
   * The weights a progressive delivery controller (Flagger, Argo Rollouts) will set on this rule
   * in turn, as reviewers read them (`canary 0 → 10 → 20 → … → 50% (every 1m), then promotion`):
   * the backends' weights are only where each release starts.
   */
  readonly plan?: string;
  /**
   * The controller that sets this rule's weights at run time, whatever the tree writes (`Rollout
   * shop/checkout`: Argo Rollouts puts a route's weights back to its current step's at once).
   */
  readonly weightsSetBy?: string;
  /** How its rule handles the requests it takes besides where it sends them (RuleShape.handling). */
  readonly handling?: string;
  /**
   * Where no rule of its host is left, its entry sends these requests to the same backends, split
   * the same way, by default: an Istio mesh VirtualService whose every destination is its own host,
   * no subset (without a VirtualService a sidecar routes a host to its own Service). Its requests
   * are not lost when it goes; only how it handled them (route-diff.ts).
   */
  readonly routesAsDefault?: true;
  /**
   * The entry's default backend: a request whose host has rules none of which matches it comes
   * here, not to a 404 (an Ingress's `defaultBackend`, the default service of a MultiClusterIngress's
   * URL map path matcher), so a path a rule stops matching lands on it.
   */
  readonly takesUnmatched?: true;
}

const NOT_IN_TREE = " is not in the tree";
/** Why a route's parent cannot be confirmed when the tree does not hold it: the route is kept at the parent as written. */
export const notInTree = (parent: string): string => `${parent}${NOT_IN_TREE}`;
/** Whether a flow's `unverified` says its parent is not in the tree (notInTree). */
export const parentNotInTree = (unverified: string | undefined): boolean => unverified?.endsWith(NOT_IN_TREE) === true;

const copyLabels = new WeakMap<readonly string[], string>();

/** A flow's entry copy (Flow.entryCopy) as one string, "" where unsaid; read once per list, which a tree's flows on one definition share. */
export function entryCopyOf({ entryCopy }: Pick<Flow, "entryCopy">): string {
  if (!entryCopy) return "";
  let label = copyLabels.get(entryCopy);
  if (label === undefined) copyLabels.set(entryCopy, (label = entryCopy.join("\n")));
  return label;
}

/** The entry points one route resource lands on. */
export interface RouteEntries {
  readonly resource: ResourceId;
  /** The file that declares it: what tells one route apart when its key names no file. */
  readonly file: string;
  readonly entries: readonly string[];
}

/**
 * Where a flow's rule competes for requests: its entry, and its audience where only some clients of
 * the entry see it (Flow.audience). Rules seen by other clients take none of its requests: one
 * gone is no fallback for them.
 */
export const servedAt = (flow: Pick<Flow, "entry" | "audience">): string => (flow.audience ? `${flow.entry}|${flow.audience}` : flow.entry);

const SCOPE_SUFFIX = / \[([^\]]*)\]$/;

/** A flow's entry without the ` [scope]` suffix the model adds to scoped resources (their cluster, or their file). */
export const unscopedEntry = (entry: string): string => (entry.endsWith("]") ? entry.replace(SCOPE_SUFFIX, "") : entry);

/**
 * The cluster a flow's entry is scoped to, without the file that only tells copies of one identity
 * apart (`cluster@file`, or `file`): undefined when it names no cluster.
 */
export const entryCluster = (entry: string, file: string): string | undefined => {
  const scope = SCOPE_SUFFIX.exec(entry)?.[1];
  if (scope === undefined || scope === file) return undefined;
  return scope.endsWith(`@${file}`) ? scope.slice(0, -file.length - 1) : scope;
};

/**
 * The entry of a route that names no parents (a Gateway API route without parentRefs, as in the
 * spec's traffic-splitting guide): attached nowhere in the repository, but its weights are still
 * traffic decisions, reviewed as flows whose entry is not known.
 */
export const UNKNOWN_ENTRY = "(entry unknown: no parentRefs)";

export interface TrafficModel {
  readonly flows: ReadonlyMap<string, Flow>;
  /**
   * By resource key, every route that lands somewhere, and every route whose family judged its
   * attachment (a Gateway API route that no listener admits is here with no entries): a route
   * that leaves its entries is detached, not removed.
   */
  readonly routes: ReadonlyMap<string, RouteEntries>;
}

/** The flows that receive requests: a shadowed flow is configuration only. */
export const servedFlows = (model: TrafficModel): Flow[] => [...model.flows.values()].filter((flow) => flow.shadowedBy === undefined);
