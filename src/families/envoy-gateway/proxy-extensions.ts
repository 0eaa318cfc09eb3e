import { byKind } from "../../core/by-kind.js";
import { sortedSet } from "../../core/canonical-values.js";
import { list, record, spec, text } from "../../core/json-access.js";
import { proxyExtensionCheck, type CodeSource } from "../../core/proxy-extensions.js";
import type { Resource } from "../../core/resource.js";
import { ENVOY_GATEWAY_GROUP, targetNames } from "./policy-targets.js";

/**
 * Envoy Gateway's proxy extensions (see src/core/proxy-extensions.ts): an EnvoyPatchPolicy patches
 * the xDS configuration generated for a Gateway or for every Gateway of a GatewayClass; an
 * EnvoyExtensionPolicy runs Wasm, Lua or an external processor in the request path of its targets.
 */

/** `add Listener default/eg/http`: the xDS type's last name, as Envoy's docs call it. */
function xdsPatches(resource: Resource): string {
  const patches = list(spec(resource).jsonPatches).map((item) => {
    const patch = record(item);
    const type = text(patch.type)?.split(".").pop() ?? "?";
    return `${text(record(patch.operation).op) ?? "?"} ${type}${text(patch.name) ? ` ${text(patch.name)}` : ""}`;
  });
  return patches.length > 0 ? sortedSet(patches).join(", ") : "no patches";
}

/** What an EnvoyExtensionPolicy runs in the request path: `Wasm auth, Lua`; undefined for nothing. */
export function extensions(resource: Resource): string | undefined {
  const body = spec(resource);
  const wasm = list(body.wasm).map((item) => {
    const module = record(item);
    const code = record(module.code);
    return `Wasm ${text(module.name) ?? text(record(code.image).url) ?? text(record(code.http).url) ?? "module"}`;
  });
  const processors = list(body.extProc).map((item) => {
    const backends = list(record(item).backendRefs).map((ref) => text(record(ref).name) ?? "?");
    return `external processor ${backends.join(", ") || "?"}`;
  });
  const lua = list(body.lua).length > 0 ? ["Lua"] : [];
  const parts = [...wasm, ...processors, ...lua];
  return parts.length > 0 ? parts.join(", ") : undefined;
}

/** Where its Wasm modules are fetched from: an OCI image (`code.image`) or an HTTP file (`code.http`), each with the sha256 that checks it. */
const wasmSources = (resource: Resource): CodeSource[] =>
  list(spec(resource).wasm).flatMap((item) => {
    const code = record(record(item).code);
    return [record(code.image), record(code.http)].flatMap((source) => {
      const [url, digest] = [text(source.url), text(source.sha256)];
      return url === undefined ? [] : [{ url, ...(digest !== undefined ? { digest } : {}) }];
    });
  });

export const proxyExtensionDetector = byKind(
  {
    EnvoyPatchPolicy: [
      proxyExtensionCheck({ what: (resource) => `patches Envoy's xDS configuration (${xdsPatches(resource)})`, reach: targetNames }),
    ],
    EnvoyExtensionPolicy: [
      proxyExtensionCheck({
        what: (resource) => `runs ${extensions(resource) ?? "no extension"} in the request path`,
        reach: targetNames,
        sources: wasmSources,
      }),
    ],
  },
  (id) => id.group === ENVOY_GATEWAY_GROUP,
);
