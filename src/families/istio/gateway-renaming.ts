import { isRecord, list, numeric, record, text } from "../../core/json-access.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import { sharedText } from "../../core/string-table.js";
import type { RenamableEntry } from "../family.js";

/**
 * An Istio Gateway is configuration istiod applies to the proxies its `selector` picks, merged with
 * every other Gateway that selects them: unlike a Gateway API Gateway or an Ingress, its name
 * provisions no load balancer. Renamed with its VirtualServices' `gateways` following (istio-0to60
 * 7fc96ba: `gateway` → `frontend-gateway`), the same ingress pods serve the same servers and routes.
 * Two things its name or namespace still decide:
 * - istiod applies it to pods in any namespace, unless PILOT_SCOPE_GATEWAY_TO_NAMESPACE limits a
 *   Gateway to the pods of its own namespace, and a server host written `./host` admits routes of
 *   the Gateway's own namespace: moved to another namespace, either may serve other pods or routes;
 * - istiod merges the Gateways of a proxy oldest first, and a server that conflicts on a port with an
 *   older one is dropped (two TLS servers of one host, a TCP and an HTTP server): a renamed Gateway
 *   is new, so it may lose to one that ranked after it. Only plain HTTP servers merge whatever their
 *   order.
 */

const ISTIO_NETWORKING = "networking.istio.io";
const SCOPE_FLAG = "PILOT_SCOPE_GATEWAY_TO_NAMESPACE";
/** Protocols whose plain-text servers on one port istiod merges into one listener, in any order. */
const HTTP_PROTOCOLS = new Set(["HTTP", "HTTP2", "GRPC", "GRPC-WEB"]);

/**
 * Where a tree configures istiod, its values or components (an IstioOperator's `values.pilot.env`
 * or `components.pilot.k8s.env`, Helm values, a Sail Istio, a Flux HelmRelease or an Argo CD
 * Application of the istiod chart, a Gloo lifecycle manager).
 */
const INSTALL_KINDS = [
  "IstioOperator",
  "IstioValues",
  "Istio",
  "IstioRevision",
  "HelmRelease",
  "Application",
  "IstioLifecycleManager",
  "GatewayLifecycleManager",
];

const turnedOff = (value: unknown): boolean => value === false || (typeof value === "string" && value.trim().toLowerCase() === "false");

/** Whether a body sets the flag anywhere but off: as a key, as an env entry, or in a values document kept as text. */
function setsScopeFlag(value: unknown): boolean {
  if (typeof value === "string")
    return value.includes(SCOPE_FLAG) && !new RegExp(`${SCOPE_FLAG}["']?\\s*[:=]\\s*["']?false\\b`).test(value);
  if (Array.isArray(value)) return value.some(setsScopeFlag);
  if (!isRecord(value)) return false;
  if (value.name === SCOPE_FLAG) return !turnedOff(value.value);
  return Object.entries(value).some(([key, item]) => (key === SCOPE_FLAG ? !turnedOff(item) : setsScopeFlag(item)));
}

const scopedTrees = new WeakMap<ManifestSet, boolean>();

/** Whether the tree's istiod limits each Gateway to the pods of its own namespace (off by default). */
function scopesGatewaysToNamespace(tree: ManifestSet): boolean {
  let scoped = scopedTrees.get(tree);
  if (scoped === undefined) {
    scoped = INSTALL_KINDS.some((kind) => resourcesOfKind(tree, kind).some((resource) => setsScopeFlag(resource.body)));
    scopedTrees.set(tree, scoped);
  }
  return scoped;
}

interface Server {
  readonly port: number | undefined;
  readonly plainHttp: boolean;
  readonly hosts: readonly string[];
}

const serversOf = (gateway: Resource): Server[] =>
  list(record(gateway.body.spec).servers).map((item) => {
    const server = record(item);
    const port = record(server.port);
    return {
      port: numeric(port.number),
      plainHttp: server.tls === undefined && HTTP_PROTOCOLS.has((text(port.protocol) ?? "").toUpperCase()),
      hosts: list(server.hosts).flatMap((host) => text(host) ?? []),
    };
  });

/** Another Gateway of the tree with a server on one of its ports that does not merge with its own whatever their order. */
function ranksAgainst(gateway: Resource, head: ManifestSet): Resource | undefined {
  const own = serversOf(gateway);
  return resourcesOfKind(head, "Gateway").find(
    (other) =>
      other !== gateway &&
      other.id.group === ISTIO_NETWORKING &&
      other.cluster === gateway.cluster &&
      serversOf(other).some((theirs) => own.some((mine) => mine.port === theirs.port && !(mine.plainHttp && theirs.plainHttp))),
  );
}

export const istioGatewayRenaming: RenamableEntry = {
  // As VirtualServices name it, resolved (istio-http-match.ts gatewayEntry).
  entry: (gateway) => sharedText(`Gateway ${gateway.id.namespace}/${gateway.id.name}`),
  sameEntry: (before, after, head) => {
    if (before.id.namespace !== after.id.namespace) {
      if (scopesGatewaysToNamespace(head)) return undefined;
      if (serversOf(after).some((server) => server.hosts.some((host) => host.startsWith("./")))) return undefined;
    }
    if (ranksAgainst(after, head)) return undefined;
    return "the same selector and servers: istiod applies it to the same proxies";
  },
};
