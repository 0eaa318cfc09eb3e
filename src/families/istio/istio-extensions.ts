import type { ManifestSet, Resource } from "../../core/resource.js";
import { sortedSet } from "../../core/canonical-values.js";
import type { DetectorContext } from "../../core/detector.js";
import { list, record, spec, text } from "../../core/json-access.js";
import { proxyExtensionCheck } from "../../core/proxy-extensions.js";
import { canonicalEnvoyFilter } from "./envoy-filter-names.js";
import { istioReach, rootNamespaceIn } from "./mesh-scope.js";

/** Istio's proxy extensions (see src/core/proxy-extensions.ts): EnvoyFilter, WasmPlugin and TrafficExtension. */

/** The proxies a resource applies to, as Istio scopes it (istioReach). */
function proxiesOf(resource: Resource, tree: ManifestSet, context: DetectorContext): string {
  const root = rootNamespaceIn(tree, context);
  const { scope, named, root: everywhere } = istioReach(resource, root);
  const { namespace } = resource.id;
  if (scope === "targets") return `the proxies of ${named}`;
  if (scope === "workloads")
    return `workloads matching ${named} ${everywhere ? `in every namespace (root namespace ${root})` : `in namespace ${namespace}`}`;
  return scope === "mesh-wide" ? `every proxy of the mesh (root namespace ${root})` : `every proxy in namespace ${namespace}`;
}

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
  reach: proxiesOf,
  canonical: canonicalEnvoyFilter,
});

const inPhase = (resource: Resource): string => {
  const phase = text(spec(resource).phase);
  return phase && phase !== "UNSPECIFIED_PHASE" ? ` in phase ${phase}` : "";
};

export const wasmPluginCheck = proxyExtensionCheck({
  what: (resource) => `runs Wasm ${text(spec(resource).url) ?? "a module"}${inPhase(resource)} in the request path`,
  reach: proxiesOf,
  // Its module (`url`: `oci://`, or an image without a scheme, `https://`), checked by `sha256`.
  sources: (resource) => {
    const { url, sha256 } = spec(resource);
    return typeof url === "string" ? [{ url, ...(typeof sha256 === "string" ? { digest: sha256 } : {}) }] : [];
  },
});

/** A TrafficExtension runs either a Wasm module (`wasm.url`) or Lua code written inline (`lua.inlineCode`). */
export const trafficExtensionCheck = proxyExtensionCheck({
  what: (resource) => {
    const { wasm, lua } = spec(resource);
    const code = lua !== undefined ? "Lua code" : `Wasm ${text(record(wasm).url) ?? "a module"}`;
    return `runs ${code}${inPhase(resource)} in the request path`;
  },
  reach: proxiesOf,
});
