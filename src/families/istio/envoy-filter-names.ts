import { isRecord, list, record, text, type JsonRecord } from "../../core/json-access.js";

/**
 * Envoy's deprecated filter names beside the canonical ones istiod generates, by where an
 * EnvoyFilter's match names a filter (Istio's pkg/config/xds/deprecated.go, DeprecatedFilterNames).
 * Istio 1.8 to 1.18 matched either spelling (listener_patch.go nameMatches); 1.7 and before matched
 * only the one istiod generated, and 1.19 dropped the deprecated ones (istio/istio#45675), so there
 * `envoy.router` matches nothing and respelling it turns a patch that did nothing on. A respelling is
 * therefore the same patch only where the patch's `proxyVersion` confines it to proxies 1.8 to 1.16,
 * which istiod serves from 1.8 to 1.18 (it serves proxies at most two minor versions behind it).
 */
const entries = (prefix: string, names: Record<string, string>) =>
  new Map(Object.entries(names).map(([deprecated, canonical]) => [`envoy.${deprecated}`, `envoy.filters.${prefix}.${canonical}`]));

const HTTP_FILTERS = entries("http", {
  buffer: "buffer",
  cors: "cors",
  csrf: "csrf",
  http_dynamo_filter: "dynamo",
  ext_authz: "ext_authz",
  fault: "fault",
  grpc_http1_bridge: "grpc_http1_bridge",
  grpc_json_transcoder: "grpc_json_transcoder",
  grpc_web: "grpc_web",
  gzip: "gzip",
  health_check: "health_check",
  ip_tagging: "ip_tagging",
  lua: "lua",
  rate_limit: "ratelimit",
  router: "router",
  squash: "squash",
});
const NETWORK_FILTERS = entries("network", {
  client_ssl_auth: "client_ssl_auth",
  ext_authz: "ext_authz",
  http_connection_manager: "http_connection_manager",
  mongo_proxy: "mongo_proxy",
  ratelimit: "ratelimit",
  redis_proxy: "redis_proxy",
  tcp_proxy: "tcp_proxy",
});
const LISTENER_FILTERS = entries("listener", {
  "listener.http_inspector": "http_inspector",
  "listener.original_dst": "original_dst",
  "listener.original_src": "original_src",
  "listener.proxy_protocol": "proxy_protocol",
  "listener.tls_inspector": "tls_inspector",
});

/**
 * Version strings of Istio proxies, `1.<minor>.<patch>` and pre-releases, from 0.x to minors Istio
 * will not reach for decades, with their minor; listed on first use, not at start-up.
 */
let proxyVersions: readonly (readonly [string, number])[] | undefined;
const PROXY_VERSIONS = (): readonly (readonly [string, number])[] =>
  (proxyVersions ??= [
    ...Array.from({ length: 9 }, (_, minor) => [`0.${minor}.0`, -1] as const),
    ...Array.from({ length: 50 }, (_, minor) => [
      ...Array.from({ length: 31 }, (_, patch) => [`1.${minor}.${patch}`, minor] as const),
      ...["-dev", ".0-alpha.0", ".0-beta.0", ".0-rc.0"].map((suffix) => [`1.${minor}${suffix}`, minor] as const),
    ]).flat(),
    ...Array.from({ length: 10 }, (_, minor) => [`2.${minor}.0`, 100] as const),
  ]);

/** Whether a `proxyVersion` (an RE2 expression istiod searches the proxy's version with) picks proxies 1.8 to 1.16 and no others. */
function dualSpellingProxies(proxyVersion: string): boolean {
  let pattern: RegExp;
  try {
    pattern = new RegExp(proxyVersion);
  } catch {
    return false;
  }
  const minors = PROXY_VERSIONS()
    .filter(([version]) => pattern.test(version))
    .map(([, minor]) => minor);
  return minors.length > 0 && minors.every((minor) => minor >= 8 && minor <= 16);
}

/** `value` with `key` in its canonical spelling, where `names` gives one. */
const respelled = (value: JsonRecord, key: string, names: ReadonlyMap<string, string>): JsonRecord => {
  const canonical = names.get(text(value[key]) ?? "");
  return canonical === undefined ? value : { ...value, [key]: canonical };
};

/** `value` with the object at `key` updated, where there is one. */
const within = (value: JsonRecord, key: string, update: (inner: JsonRecord) => JsonRecord): JsonRecord => {
  const inner = value[key];
  return isRecord(inner) ? { ...value, [key]: update(inner) } : value;
};

/** A patch's match with its filter names in the canonical spelling, where its proxies' istiod matched both. */
function canonicalPatch(patch: unknown): unknown {
  if (!isRecord(patch)) return patch;
  const proxyVersion = text(record(record(patch.match).proxy).proxyVersion);
  if (proxyVersion === undefined || !dualSpellingProxies(proxyVersion)) return patch;
  return within(patch, "match", (match) =>
    within(match, "listener", (listener) =>
      within(respelled(listener, "listenerFilter", LISTENER_FILTERS), "filterChain", (chain) =>
        within(chain, "filter", (filter) =>
          within(respelled(filter, "name", NETWORK_FILTERS), "subFilter", (subFilter) => respelled(subFilter, "name", HTTP_FILTERS)),
        ),
      ),
    ),
  );
}

/** An EnvoyFilter's spec as the istiod its patches reach reads it: filter names in either spelling where it matched both. */
export const canonicalEnvoyFilter = (body: JsonRecord): JsonRecord =>
  Array.isArray(body.configPatches) ? { ...body, configPatches: list(body.configPatches).map(canonicalPatch) } : body;
