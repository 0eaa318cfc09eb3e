import type { ManifestSet, Resource } from "./resource.js";
import { list, record, spec, text } from "./json-access.js";
import { inDryRun } from "./authorization-dry-run.js";

/**
 * How ztunnel enforces an Istio AuthorizationPolicy (ambient mode; istiod's conversion,
 * pilot/pkg/serviceregistry/ambient/authorization.go). A policy that selects workloads, or names
 * nothing and covers its namespace, is enforced by the receiving ztunnel, not by a waypoint (only
 * `targetRefs` attach one there), and ztunnel reads L4 attributes alone. Of a rule that also
 * matches HTTP attributes — a method, a path, a host, a request principal, a request condition —
 * an ALLOW policy keeps nothing (the rule never matches: what it allowed is refused), and a DENY
 * policy keeps the rest: denied more broadly than written where an L4 part remains, not at all
 * where none does. Shared by the policy's family (istio) and the Namespace labels that enrol
 * workloads in ambient (istio-mesh).
 */

/** The label that enrols a Namespace's workloads in a data plane mode (`ambient`). */
export const DATAPLANE_MODE = "istio.io/dataplane-mode";

/** The attributes ztunnel evaluates, by clause (Istio's table of L4-only attributes). */
const L4_SOURCE = new Set([
  "principals",
  "notPrincipals",
  "namespaces",
  "notNamespaces",
  "ipBlocks",
  "notIpBlocks",
  "serviceAccounts",
  "notServiceAccounts",
]);
const L4_OPERATION = new Set(["ports", "notPorts"]);
const L4_CONDITIONS = new Set(["source.ip", "source.namespace", "source.principal", "destination.ip", "destination.port"]);

/** How ztunnel reads a policy whose rules match HTTP attributes. */
export interface ZtunnelReading {
  readonly action: "ALLOW" | "DENY";
  /** The HTTP attributes, as written (`to.operation.methods`), sorted. */
  readonly attributes: readonly string[];
  readonly rules: number;
  /** Rules that match an HTTP attribute: never matching in an ALLOW policy. */
  readonly withHttp: number;
  /** Of those, in a DENY policy, the rules left with no L4 attribute to match: they deny nothing. */
  readonly unenforced: number;
}

const hasValues = (value: unknown): boolean => (Array.isArray(value) ? value.length > 0 : value !== undefined && value !== null);

/** A rule's HTTP attributes, and whether every one of its clauses keeps an L4 attribute (what makes a DENY rule match at all). */
function readRule(rule: unknown): { readonly http: string[]; readonly enforceable: boolean } {
  const { from, to, when } = record(rule);
  const http: string[] = [];
  const clause = (entries: readonly unknown[], field: string, l4: ReadonlySet<string>, prefix: string): boolean => {
    let kept = false;
    for (const entry of entries) {
      const fields = record(record(entry)[field]);
      for (const [key, value] of Object.entries(fields)) {
        if (!hasValues(value)) continue;
        if (l4.has(key)) kept = true;
        else http.push(`${prefix}.${key}`);
      }
    }
    return kept || entries.length === 0;
  };
  const fromKept = clause(list(from), "source", L4_SOURCE, "from.source");
  const toKept = clause(list(to), "operation", L4_OPERATION, "to.operation");
  let whenKept = true;
  for (const condition of list(when)) {
    const key = text(record(condition).key) ?? "";
    if (L4_CONDITIONS.has(key)) continue;
    http.push(`when ${key}`);
    whenKept = false;
  }
  return { http, enforceable: fromKept && toKept && whenKept };
}

/** Namespaces a tree enrols in ambient mode (their Namespace labelled `istio.io/dataplane-mode: ambient`). */
const ambientOf = new WeakMap<ManifestSet, ReadonlySet<string>>();
export function ambientNamespaces(set: ManifestSet): ReadonlySet<string> {
  let names = ambientOf.get(set);
  if (!names) {
    const found = new Set<string>();
    for (const resource of set.resources.values())
      if (resource.id.group === "" && resource.id.kind === "Namespace" && resource.labels[DATAPLANE_MODE] === "ambient")
        found.add(resource.id.name);
    ambientOf.set(set, (names = found));
  }
  return names;
}

/**
 * How ztunnel reads a policy of this tree, when its rules match HTTP attributes and ztunnel enforces
 * it: an ALLOW or DENY AuthorizationPolicy outside the mesh root namespace (`root`: a root policy
 * reaches sidecar namespaces too), in a namespace the tree enrols in ambient mode, attached by
 * selector or namespace-wide, not in dry-run mode (istiod gives ztunnel none of such a policy).
 * Undefined otherwise.
 */
export function ztunnelReading(policy: Resource, set: ManifestSet, root: string): ZtunnelReading | undefined {
  if (policy.id.group !== "security.istio.io" || policy.id.kind !== "AuthorizationPolicy" || policy.id.namespace === root) return undefined;
  if (inDryRun(policy)) return undefined;
  const body = spec(policy);
  if (body.targetRef !== undefined || list(body.targetRefs).length > 0) return undefined;
  const action = text(body.action) ?? "ALLOW";
  if ((action !== "ALLOW" && action !== "DENY") || !ambientNamespaces(set).has(policy.id.namespace)) return undefined;
  const rules = list(body.rules).map(readRule);
  const withHttp = rules.filter((rule) => rule.http.length > 0);
  if (withHttp.length === 0) return undefined;
  return {
    action,
    attributes: [...new Set(withHttp.flatMap((rule) => rule.http))].sort(),
    rules: rules.length,
    withHttp: withHttp.length,
    unenforced: action === "DENY" ? withHttp.filter((rule) => !rule.enforceable).length : 0,
  };
}

/** What ztunnel does with such a policy, as a finding says it after "ztunnel cannot evaluate …:". */
export function ztunnelEffect(reading: ZtunnelReading): string {
  const { action, rules, withHttp, unenforced } = reading;
  if (action === "ALLOW")
    return withHttp === rules
      ? "Istio omits every rule of this ALLOW policy, so it allows nothing: ztunnel refuses every connection it covers"
      : `Istio omits ${withHttp} of its ${rules} rules, so ztunnel refuses the connections only ${withHttp === 1 ? "that rule" : "those rules"} allowed`;
  const broadened = withHttp - unenforced;
  return [
    ...(broadened > 0
      ? [
          `${broadened === 1 ? "a DENY rule is" : `${broadened} DENY rules are`} enforced without those attributes, refusing every connection the rest matches`,
        ]
      : []),
    ...(unenforced > 0
      ? [
          `${unenforced === 1 ? "a DENY rule keeps" : `${unenforced} DENY rules keep`} nothing ztunnel can match: what ${unenforced === 1 ? "it denies is" : "they deny is"} not denied`,
        ]
      : []),
  ].join("; ");
}
