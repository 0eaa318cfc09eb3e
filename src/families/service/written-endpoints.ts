import { agree, type ServiceName } from "../../core/declared-services.js";
import { flag, list, record, text, texts } from "../../core/json-access.js";
import type { MentioningObject } from "../../core/service-mentions.js";
import { sortedSet } from "../../core/canonical-values.js";
import { listedNames } from "../../core/removed-while-named.js";

/**
 * What answers a Service that is no ExternalName. With a selector, the pods it picks: the control
 * plane writes their Endpoints and EndpointSlices, over any written by hand. Without one, only the
 * Endpoints (its name) or EndpointSlices (label `kubernetes.io/service-name`) a file writes for it —
 * custom Endpoints are mirrored into EndpointSlices, which Gateway API implementations and
 * kube-proxy read; with none, nothing answers (mmalyska/home-ops 783571c77d turned the ExternalName
 * `hass-proxy` into a selector-less Service with hand-written Endpoints of the same address).
 */

const SERVICE_NAME_LABEL = "kubernetes.io/service-name";

/** Which of the Service's own endpoint objects an object is: its Endpoints (by name), an EndpointSlice of it (by label), or neither. */
export function endpointsKind(
  { object, namespace, cluster }: MentioningObject,
  service: ServiceName,
): "Endpoints" | "EndpointSlice" | undefined {
  if (!agree(namespace, service.namespace) || !agree(cluster, service.cluster)) return undefined;
  const metadata = record(object.metadata);
  if (object.apiVersion === "v1" && object.kind === "Endpoints" && metadata.name === service.name) return "Endpoints";
  const sliced = typeof object.apiVersion === "string" && object.apiVersion.startsWith("discovery.k8s.io/");
  if (sliced && object.kind === "EndpointSlice" && record(metadata.labels)[SERVICE_NAME_LABEL] === service.name) return "EndpointSlice";
  return undefined;
}

/** The addresses an Endpoints or EndpointSlice object gives the Service, where it is one of its own. */
function addressesOf(mention: MentioningObject, service: ServiceName): string[] {
  const { object } = mention;
  switch (endpointsKind(mention, service)) {
    case "Endpoints":
      return list(object.subsets).flatMap((subset) => list(record(subset).addresses).flatMap((address) => text(record(address).ip) ?? []));
    case "EndpointSlice":
      // An endpoint without conditions is ready; one marked not ready takes no requests.
      return list(object.endpoints).flatMap((endpoint) =>
        flag(record(record(endpoint).conditions).ready) === false ? [] : texts(record(endpoint).addresses),
      );
    case undefined:
      return [];
  }
}

/** The addresses the tree's hand-written Endpoints and EndpointSlices give a Service, among the objects that mention its name. */
export const writtenEndpoints = (service: ServiceName, mentioning: readonly MentioningObject[]): string[] =>
  sortedSet(mentioning.flatMap((object) => addressesOf(object, service)));

/** Who answers a Service's requests, told in a summary: undefined where nothing does. */
export const answeredBy = (selector: string, addresses: readonly string[]): string | undefined =>
  selector !== ""
    ? `the pods its selector ${selector} picks`
    : addresses.length > 0
      ? `the addresses its hand-written Endpoints give (${listedNames(addresses)})`
      : undefined;
