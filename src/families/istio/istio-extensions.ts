import type { ManifestSet, Resource } from "../../core/resource.js";
import { showLabels, sortedSet } from "../../core/canonical-values.js";
import type { DetectorContext } from "../../core/detector.js";
import { list, record, spec, stringMap, text } from "../../core/json-access.js";
import { proxyExtensionCheck } from "../../core/proxy-extensions.js";
import { rootNamespaceIn } from "./mesh-scope.js";

/** Istio's proxy extensions (see src/core/proxy-extensions.ts): EnvoyFilter and WasmPlugin. */

/** The proxies a resource applies to, as Istio scopes them: its targets, else its selected workloads, else its namespace (the mesh from the root namespace). */
const proxiesOf =
  (labels: (resource: Resource) => Record<string, string>) =>
  (resource: Resource, tree: ManifestSet, context: DetectorContext): string => {
    const { namespace } = resource.id;
    const body = spec(resource);
    const targets = [...list(body.targetRefs), ...(body.targetRef === undefined ? [] : [body.targetRef])].map(record);
    if (targets.length > 0)
      return `the proxies of ${targets.map((t) => `${text(t.kind) ?? "?"} ${text(t.namespace) ?? namespace}/${text(t.name) ?? "?"}`).join(", ")}`;
    const root = rootNamespaceIn(tree, context);
    const everywhere = namespace === root;
    const selected = labels(resource);
    if (Object.keys(selected).length > 0)
      return `workloads matching ${showLabels(selected)} ${everywhere ? `in every namespace (root namespace ${root})` : `in namespace ${namespace}`}`;
    return everywhere ? `every proxy of the mesh (root namespace ${root})` : `every proxy in namespace ${namespace}`;
  };

const at = (context: string | undefined) => (context && context !== "ANY" ? ` at ${context}` : "");

/**
 * `HTTP_FILTER INSERT_BEFORE at GATEWAY`, one a kind of patch; the `filters` of Istio 1.0–1.3's
 * EnvoyFilter (still in repositories that vendored it) as `HTTP filter envoy.lua at GATEWAY`.
 */
function envoyPatches(resource: Resource): string {
  const body = spec(resource);
  const patches = list(body.configPatches).map((item) => {
    const patch = record(item);
    return `${text(patch.applyTo) ?? "?"} ${text(record(patch.patch).operation) ?? "?"}${at(text(record(patch.match).context))}`;
  });
  const filters = list(body.filters).map((item) => {
    const filter = record(item);
    return `${text(filter.filterType) ?? "?"} filter ${text(filter.filterName) ?? "?"}${at(text(record(filter.listenerMatch).listenerType))}`;
  });
  const all = [...patches, ...filters];
  return all.length > 0 ? sortedSet(all).join(", ") : "no patches";
}

export const envoyFilterCheck = proxyExtensionCheck({
  what: (resource) => `patches Envoy's configuration (${envoyPatches(resource)})`,
  // workloadLabels: the selector of Istio 1.0–1.3's EnvoyFilter.
  reach: proxiesOf((resource) => stringMap(record(spec(resource).workloadSelector).labels ?? spec(resource).workloadLabels)),
});

export const wasmPluginCheck = proxyExtensionCheck({
  what: (resource) => {
    const phase = text(spec(resource).phase);
    return `runs Wasm ${text(spec(resource).url) ?? "a module"}${phase && phase !== "UNSPECIFIED_PHASE" ? ` in phase ${phase}` : ""} in the request path`;
  },
  reach: proxiesOf((resource) => stringMap(record(spec(resource).selector).matchLabels)),
});
