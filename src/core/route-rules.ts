import type { FieldPath } from "./finding.js";
import { sharedText } from "./string-table.js";
import { canonical } from "./canonical-values.js";

/**
 * What a family's flow source reads off one route resource (src/families/<family>/flows.ts): the
 * shapes the model stage turns into flows (src/model/flow-builder.ts).
 */

/** A backend as a route names it, before it is placed on clusters (src/model/placement.ts). */
export interface BackendRef {
  readonly kind: "Service" | "ServiceImport" | "VirtualDestination" | "Host" | "MultiClusterService";
  readonly name: string;
  readonly namespace: string;
  /** Istio destination subset. */
  readonly subset?: string;
  /** The cluster the reference names (Gloo `ref.cluster`): the backend runs there, wherever the route is applied. */
  readonly cluster?: string;
  /** File of the route that names the backend: a cluster-local Service runs where the route is applied. */
  readonly routeFile: string;
  /**
   * The reference names a core Kubernetes Service (group "", kind Service) by this namespace and
   * name; `kind` says only how the backend is placed, and is "Service" for other kinds too.
   */
  readonly coreService?: true;
  /** The port the reference names: a number, or an Ingress or Gloo port name. */
  readonly port?: number | string;
}

/** A backend as a route names it, before shares and placement are known. */
export interface WeightedRef {
  readonly key: string;
  readonly label: string;
  readonly weight: number;
  readonly ref: BackendRef;
  readonly path: FieldPath;
  /** The HTTP status the proxy answers with itself (a direct response): no backend sees these requests. */
  readonly answers?: number;
  /** A redirect: the proxy sends clients elsewhere itself, no backend sees these requests (Backend.redirects). */
  readonly redirects?: true;
  /** Its key without the port it names, where an unset port means the service's only one (Backend.portless). */
  readonly portless?: string;
  /** The core Service port it names by name (Backend.namedPort). */
  readonly namedPort?: NamedPort;
}

/** A core Service port a backend names by its name, not its number (an Ingress's `port.name`, v1beta1's `servicePort: http`). */
export interface NamedPort {
  readonly namespace: string;
  readonly service: string;
  readonly name: string;
  /** The backend's key with the port left out: the port's number appended, it is the key of the backend naming it by number. */
  readonly keyWithout: string;
}

/**
 * A rule that acts on its requests itself — a redirect, a direct response, a delegate — as the one
 * backend of its flow. A redirect or a delegate is keyed by where it sends them; a direct response
 * (`answers`) by what it is, so its body or status edited in place moves no request, and a status
 * that turns into an error is told by `answers` (route-diff.ts).
 */
export function actionRef(
  action: {
    readonly name: string;
    readonly value: unknown;
    /** A direct response, with the status it answers with where it names one. */
    readonly answers?: { readonly status: number | undefined };
    readonly label?: string;
  },
  at: { readonly namespace: string; readonly file: string; readonly path: FieldPath },
): WeightedRef {
  const target = JSON.stringify(action.value);
  const status = action.answers?.status;
  return {
    key: action.answers ? action.name : `${action.name}:${target}`,
    label: action.label ?? `${action.name} ${target}`,
    weight: 1,
    ref: { kind: "Host", name: action.name, namespace: at.namespace, routeFile: at.file },
    path: at.path,
    ...(status === undefined ? {} : { answers: status }),
    ...(action.name === "redirect" ? { redirects: true as const } : {}),
  };
}

/**
 * A rule's rank where rules of every route compete (RuleShape.priority): `value`, plus the length
 * of each variable in `variables` (the Flux variables of a rule whose length is its rank, sorted,
 * ` `-joined), which the repository does not hold. Two ranks compare only where their variables
 * are the same: `Host(`a.${DOMAIN}`)` and `Host(`a.${DOMAIN}`) && PathPrefix(`/api`)` still do.
 */
export interface Priority {
  readonly value: number;
  readonly variables: string;
}

/** How `a` ranks against `b` (Priority): ahead, behind, or unknown (variables differ, or a tie the controller breaks as it will). */
export function priorityOrder(a: Priority, b: Priority): "ahead" | "behind" | "unknown" {
  if (a.variables !== b.variables || a.value === b.value) return "unknown";
  return a.value > b.value ? "ahead" : "behind";
}

export interface RuleShape {
  readonly entry: string;
  readonly host: string;
  /** Canonical alternatives of the rule's match, each one request shape. */
  readonly alternatives: readonly { readonly signature: string; readonly path: string }[];
  /** Within-resource identity of the rule: its name when it has one, else its match. */
  readonly ruleId: string;
  readonly precedence: number;
  /**
   * Set by families whose entry points try the rules of every route in one order, the highest
   * first (Traefik's routers: their `priority`, by default the length of their rule; an ALB's
   * IngressGroup: its Ingresses by `group.order`, then name). Ranks rules across routes
   * (precedence-changes.ts).
   */
  readonly priority?: Priority;
  readonly path: FieldPath;
  readonly backends: readonly WeightedRef[];
  readonly mirrors: readonly { readonly label: string; readonly percent: number }[];
  /** Why the tree cannot confirm that the entry admits this rule's route; the rule is taken to carry traffic. */
  readonly unverified?: string;
  /**
   * Set by families in which, of the rules claiming one (entry, host, match), one alone takes the
   * requests, even across resources (Gateway API: the oldest route, then the first by
   * `namespace/name`, then the first rule). Without it every claimant is a flow carrying traffic.
   */
  readonly claim?: { readonly createdAt?: string; readonly name: string };
  /** The weights a progressive delivery controller will set in turn (see Flow.plan). */
  readonly plan?: string;
  /** How the rule handles what it matches besides where it sends it (ruleHandling); unset where the family does not say. */
  readonly handling?: string;
  /** Without a rule for its host, the entry sends these requests to the same backends (Flow.routesAsDefault). */
  readonly routesAsDefault?: true;
  /** The entry's default backend, taking requests of any host that no rule of that host matches (Flow.takesUnmatched). */
  readonly takesUnmatched?: true;
  /** Its controller rejects it and serves the last accepted config in its place (RouteRules.held). */
  readonly held?: true;
  /** Who sees the rule at its entry where that depends on where the route lives (Flow.audience). */
  readonly audience?: string;
  /** The definition of its entry's owner it lands on, with those that are one object with it (Flow.entryCopy). */
  readonly entryCopy?: readonly string[];
  /** The copies of each definition of its entry's owner it may as well land on, where several differ (Flow.entryChoices). */
  readonly entryChoices?: readonly (readonly string[])[];
}

/**
 * A rule's own handling of the requests it takes, as one string: every field but its match, its
 * name and its backends' references and weights (filters, rewrites, timeouts, retries, faults, the
 * headers a backend entry sets). Two rules handling alike send a request the same way once it
 * reaches either, so a rule split in two, or two merged, moves nothing (diff/route-diff.ts).
 */
export function ruleHandling(
  rule: Readonly<Record<string, unknown>>,
  own: readonly string[],
  backends: { readonly field: string; readonly identity: readonly string[] },
): string {
  const entries = Array.isArray(rule[backends.field]) ? (rule[backends.field] as unknown[]) : [];
  const handles = (value: unknown, identity: (key: string) => boolean) =>
    typeof value === "object" && value !== null && Object.keys(value).some((key) => !identity(key));
  // Most rules handle nothing of their own: told without building anything.
  const ruleOwn = (key: string) => own.includes(key) || key === backends.field;
  const backendOwn = (key: string) => backends.identity.includes(key);
  if (!handles(rule, ruleOwn) && !entries.some((entry) => handles(entry, backendOwn))) return "";
  const rest = Object.entries(rule).filter(([key]) => !own.includes(key) && key !== backends.field);
  const perBackend = entries.map((entry) =>
    typeof entry === "object" && entry !== null
      ? Object.fromEntries(Object.entries(entry).filter(([key]) => !backends.identity.includes(key)))
      : {},
  );
  return sharedText(canonical({ rule: Object.fromEntries(rest), backends: perBackend.map(canonical).sort() }));
}

/** A rule's identity within its resource (RuleShape.ruleId): its name, else its match alternatives, sorted. */
export const ruleIdOf = (name: string | undefined, alternatives: readonly { readonly signature: string }[]): string =>
  name ??
  sharedText(
    alternatives
      .map((alternative) => alternative.signature)
      .sort()
      .join(" | "),
  );

/** What a family reads off one route resource. */
export interface RouteRules {
  readonly rules: readonly RuleShape[];
  /**
   * The entries the route lands on, when the family decides attachment apart from rules (Gateway
   * API: the listeners that admit it, none when none does); else the entries of its rules.
   */
  readonly entries?: readonly string[];
  /**
   * Why its controller keeps serving the last accepted config rather than these rules (a Gloo
   * RouteTable with `failureMode: FREEZE_CONFIG` holding a route it rejects). The head tree takes
   * the base tree's flows of the rules marked `held` (none where the base held none); the others
   * read as written: they go live as soon as the hold ends, so each edit is judged where it is made
   * (a retarget hidden behind a frozen table went live unreported when the next PR fixed the split).
   */
  readonly held?: string;
}
