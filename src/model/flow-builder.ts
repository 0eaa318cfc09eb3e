import type { Resource } from "../core/resource.js";
import type { FieldPath } from "../core/finding.js";
import type { BackendRef, PlacementIndex } from "./placement.js";
import type { Backend, Flow } from "./traffic-model.js";

/** A backend as a route names it, before shares and placement are known. */
export interface WeightedRef {
  readonly key: string;
  readonly label: string;
  readonly weight: number;
  readonly ref: BackendRef;
  readonly path: FieldPath;
}

export interface RuleShape {
  readonly entry: string;
  readonly host: string;
  /** Canonical alternatives of the rule's match, each one request shape. */
  readonly alternatives: readonly { readonly signature: string; readonly path: string; readonly method?: string }[];
  /** Within-resource identity of the rule: its name when it has one, else its match. */
  readonly ruleId: string;
  readonly precedence: number;
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
}

/** What a family reads off one route resource. */
export interface RouteRules {
  readonly rules: readonly RuleShape[];
  /**
   * The entries the route lands on, when the family decides attachment apart from rules (Gateway
   * API: the listeners that admit it, none when none does); else the entries of its rules.
   */
  readonly entries?: readonly string[];
}

const unique = (values: Iterable<string>) => [...new Set(values)].sort();

/** Shares are weight / sum (DESIGN §6); all-zero weights carry no traffic at all. */
export function toFlow(resource: Resource, rule: RuleShape, placement: PlacementIndex): Flow {
  const total = rule.backends.reduce((sum, backend) => sum + Math.max(0, backend.weight), 0);
  const backends: Backend[] = rule.backends.map((backend) => ({
    key: backend.key,
    label: backend.label,
    service: placement.serviceOf(backend.ref),
    weight: backend.weight,
    share: total > 0 ? Math.max(0, backend.weight) / total : 0,
    placement: placement.place(backend.ref),
    path: backend.path,
  }));
  const match = unique(rule.alternatives.map((alternative) => alternative.signature)).join(" | ");
  const methods = rule.alternatives.every((alternative) => alternative.method)
    ? unique(rule.alternatives.map((alternative) => alternative.method!.toUpperCase()))
    : [];
  return {
    key: `${rule.entry}|${rule.host}|${match}`,
    entry: rule.entry,
    host: rule.host,
    match,
    pathMatch: unique(rule.alternatives.map((alternative) => alternative.path)).join(" | "),
    methods,
    precedence: rule.precedence,
    resource: resource.id,
    resourceKey: resource.key,
    ruleId: rule.ruleId,
    path: rule.path,
    backends,
    mirrors: rule.mirrors,
    ...(rule.unverified ? { unverified: rule.unverified } : {}),
    ...(rule.plan === undefined ? {} : { plan: rule.plan }),
  };
}
