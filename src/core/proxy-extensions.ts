import type { Check } from "./by-kind.js";
import { sameValue, sortedSet } from "./canonical-values.js";
import type { DetectorContext } from "./detector.js";
import { spec } from "./json-access.js";
import type { ManifestSet, Resource } from "./resource.js";

/**
 * Kinds that change the proxies beneath every routing API: Istio's EnvoyFilter and Envoy Gateway's
 * EnvoyPatchPolicy patch the Envoy configuration the controller generates (listeners, filter
 * chains, clusters, routes); a WasmPlugin or EnvoyExtensionPolicy puts code in the request path.
 * None says in terms the review can model what it does to requests, and a wrong patch can take
 * down every proxy it reaches: any change to what one applies is high, and the finding says which
 * proxies it reaches and what it patches. Metadata alone (labels, annotations) changes nothing the
 * proxies run.
 */
export interface ProxyExtension {
  /** What it does, as reviewers read it: `patches Envoy's configuration (HTTP_FILTER INSERT_BEFORE at GATEWAY)`. */
  readonly what: (resource: Resource) => string;
  /** The proxies it reaches in its tree: `every proxy of the mesh (root namespace istio-system)`, `Gateway infra/eg`. */
  readonly reach: (resource: Resource, tree: ManifestSet, context: DetectorContext) => string;
}

const UNMODELLED = "what this does to requests is not modelled";

export const proxyExtensionCheck =
  ({ what, reach }: ProxyExtension): Check =>
  (change, out, context) => {
    const { base, head } = change;
    if (base && head) {
      const changed = sortedSet([...Object.keys(spec(base)), ...Object.keys(spec(head))]).filter(
        (field) => !sameValue(spec(base)[field], spec(head)[field]),
      );
      if (changed.length === 0) return;
      const was = reach(base, context.base, context);
      const now = reach(head, context.head, context);
      out.add({
        class: "resource.changed",
        summary: `${changed.map((field) => `spec.${field}`).join(", ")} changed: now ${what(head)} for ${now}${was === now ? "" : ` (was ${was})`}; ${UNMODELLED}`,
        side: "head",
        path: changed.length === 1 ? ["spec", changed[0]!] : ["spec"],
        before: what(base),
        after: what(head),
        riskFloor: "high",
      });
      return;
    }
    const [resource, side] = head ? [head, "head" as const] : [base!, "base" as const];
    const reached = reach(resource, context[side], context);
    out.add({
      class: "resource.changed",
      summary:
        side === "head"
          ? `added: ${what(resource)} for ${reached}; ${UNMODELLED}`
          : `removed: ${what(resource)} no longer applies to ${reached}`,
      side,
      path: ["spec"],
      before: side === "base" ? what(resource) : null,
      after: side === "head" ? what(resource) : null,
      riskFloor: "high",
    });
  };
