import * as jsyaml from "js-yaml";
import { mayBeTextKind, trafficGroups, trafficKindNames } from "../manifests/kinds.js";
import { isRecord } from "../core/json-access.js";

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A traffic kind's name as a word, or a traffic group (a dotless one only as an apiVersion's). */
const TRAFFIC_WORD = new RegExp(
  [
    ...[...trafficKindNames].map((kind) => `\\b${escape(kind)}\\b`),
    ...[...trafficGroups].map((group) => (group.includes(".") ? escape(group) : `\\b${escape(group)}/`)),
  ].join("|"),
);

/** Whether a text names a traffic kind or group, or shows what makes a text kind traffic config. */
export const namesTraffic = (text: string): boolean => TRAFFIC_WORD.test(text) || mayBeTextKind(text);

/**
 * Values keys through which charts commonly write traffic config: Helm's scaffold and most charts'
 * `ingress` (`ingresses`, `ingressClass`, Traefik's `ingressRoute`) with its `hosts` and `tls`; the
 * Gateway API's `route`/`httpRoute`/`routes` (app-template, Helm ≥ 3.18's scaffold) with `hostnames`,
 * `gateway`/`gateways`/`gatewayAPI`; Istio's `virtualService`, `istio`, `meshConfig`; Harbor's and
 * Jenkins X's `expose`; ExternalDNS's annotations (`external-dns.alpha.kubernetes.io/hostname`),
 * `externalDns`, `dnsEndpoint`, k8gb; Traefik's `middleware`, Flagger's `canary`, an ExternalName
 * Service's `externalName`. Matched broadly (a database's `tlsMode` too): a name missed is a route
 * unseen, one caught needlessly only keeps a render the review asked for before.
 */
const TRAFFIC_KEY =
  /ingress|route|gateway|virtual-?service|istio|mesh|tls|external-?dns|dns-?endpoint|k8gb|middleware|canary|expose|external-?name|^hosts?$|^hostnames?$/i;

/**
 * Whether release values enable nothing that could make traffic config: no key anywhere in them
 * names one (TRAFFIC_KEY), and no value names a traffic kind or group (a raw manifest an
 * `extraObjects` list renders as written). What the chart renders with its own defaults is what the
 * policy's `render.trusted` vouches for; what these values switch on is not.
 */
export function valuesAskNoTraffic(values: unknown): boolean {
  const keysQuiet = (value: unknown): boolean =>
    Array.isArray(value)
      ? value.every(keysQuiet)
      : !isRecord(value) || Object.entries(value).every(([key, nested]) => !TRAFFIC_KEY.test(key) && keysQuiet(nested));
  return keysQuiet(values) && !namesTraffic(jsyaml.dump(values ?? {}, { skipInvalid: true }));
}
