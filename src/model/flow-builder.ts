import type { Resource } from "../core/resource.js";
import type { PlacementIndex } from "./placement.js";
import type { RuleShape } from "../core/route-rules.js";
import { sortedSet } from "../core/canonical-values.js";
import { requestShapes } from "../core/match-alternatives.js";
import { sharedList, sharedPath } from "../core/field-path.js";
import { flatText } from "../core/flat-text.js";
import { sharedText } from "../core/string-table.js";
import { itemsOrNone, NO_ITEMS } from "../core/no-items.js";
import type { Backend, Flow } from "../core/traffic-model.js";

/**
 * The flow of one rule at `entry` (its entry, scoped to the resource's cluster or file when the
 * resource is). A flow is a function of the resource's identity, the rule, the entry and where its
 * backends are placed (their service names depend on the policy alone). Shares are weight / sum
 * (DESIGN §6); all-zero weights carry no traffic at all.
 */
export function flowOf(resource: Resource, rule: RuleShape, entry: string, placement: PlacementIndex): Flow {
  const total = rule.backends.reduce((sum, backend) => sum + Math.max(0, backend.weight), 0);
  const backends: Backend[] = rule.backends.map((backend) => ({
    key: flatText(backend.key),
    label: flatText(backend.label),
    service: placement.serviceOf(backend.ref),
    weight: backend.weight,
    share: total > 0 ? Math.max(0, backend.weight) / total : 0,
    placement: placement.place(backend.ref),
    path: sharedPath(backend.path),
    ...(backend.answers === undefined ? {} : { answers: backend.answers }),
    ...(backend.redirects ? { redirects: backend.redirects } : {}),
    ...(backend.portless === undefined ? {} : { portless: flatText(backend.portless) }),
    ...(backend.namedPort === undefined ? {} : { namedPort: backend.namedPort }),
  }));
  const match = sharedText(sortedSet(rule.alternatives.map((alternative) => alternative.signature)).join(" | "));
  const methods = methodLimitsOf(match);
  return {
    key: flatText(`${entry}|${rule.host}|${match}${rule.audience ? `|${rule.audience}` : ""}`),
    entry: sharedText(entry),
    host: rule.host,
    match,
    pathMatch: sharedText(sortedSet(rule.alternatives.map((alternative) => alternative.path)).join(" | ")),
    methods,
    precedence: rule.precedence,
    ...(rule.priority === undefined ? {} : { priority: rule.priority }),
    resource: resource.id,
    resourceKey: resource.key,
    ruleId: rule.ruleId,
    path: sharedPath(rule.path),
    backends,
    mirrors: itemsOrNone(rule.mirrors),
    ...(rule.unverified ? { unverified: rule.unverified } : {}),
    ...(rule.audience ? { audience: sharedText(rule.audience) } : {}),
    ...(rule.entryCopy ? { entryCopy: rule.entryCopy } : {}),
    ...(rule.entryChoices ? { entryChoices: rule.entryChoices } : {}),
    ...(rule.plan === undefined ? {} : { plan: rule.plan }),
    ...(rule.handling === undefined ? {} : { handling: rule.handling }),
    ...(rule.routesAsDefault ? { routesAsDefault: true } : {}),
    ...(rule.takesUnmatched ? { takesUnmatched: true } : {}),
  };
}

/**
 * The methods every alternative of a match limits it to (none: any method), read back from its
 * text. Only a match with a method test is read, and once: a large tree's tens of thousands of
 * rules share a few matches (`PathPrefix /api, method GET`), and reading each again was a tenth of
 * the model's time at 2,000 files. Bounded, as the App reviews one tree after another.
 */
function methodLimitsOf(match: string): readonly string[] {
  if (!match.includes("method ")) return NO_ITEMS;
  let methods = METHODS_BY_MATCH.get(match);
  if (methods === undefined) {
    const shapes = requestShapes(match);
    methods = shapes.every((shape) => shape.methods) ? sharedList(sortedSet(shapes.flatMap((shape) => shape.methods!))) : NO_ITEMS;
    if (METHODS_BY_MATCH.size >= 4096) METHODS_BY_MATCH.clear();
    METHODS_BY_MATCH.set(match, methods);
  }
  return methods;
}

const METHODS_BY_MATCH = new Map<string, readonly string[]>();
