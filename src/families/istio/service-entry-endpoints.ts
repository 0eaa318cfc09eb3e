import { isIP } from "node:net";
import { list, numeric, record, spec, text } from "../../core/json-access.js";
import { holdsFluxVariable } from "../../core/flux-variable.js";
import type { DetectionList } from "../../core/detection-list.js";
import type { Resource } from "../../core/resource.js";
import { placeOf } from "./workload-entry.js";
import { describeShares, sharesOf } from "../../core/weight-shares.js";

/**
 * The machines a ServiceEntry's inline endpoints send its hosts' traffic to, judged as its
 * WorkloadEntries are (workload-entry.ts): another address moves that endpoint's share to another
 * machine and one leaving hands its share to the rest (backend.weight-changed, as a route's backend
 * swapped or dropped); every one replaced at once moves all of it, one finding
 * (rytswd/get-istio-multicluster 2fa64611e7 swapped two endpoints for one, and each read "its
 * share moves to the other endpoints" with none staying); one joining takes a share
 * (backend.added); a weight moves shares. With none left, STATIC resolution has nowhere to send
 * (backend.all-removed) and DNS resolution sends to wherever the hosts' names resolve. Endpoints in
 * a region or network the entry gains or loses are left to that finding (`reported`).
 * istio-on-eks's OPA entry lost its one endpoint, 127.0.0.1 (the local OPA sidecar its ext-authz
 * provider calls), as a low change.
 */

interface Endpoint {
  readonly index: number;
  readonly address: string;
  readonly weight?: number;
  readonly places: readonly string[];
}

const endpointsOf = (resource: Resource): Map<string, Endpoint> => {
  const found = new Map<string, Endpoint>();
  list(spec(resource).endpoints).forEach((item, index) => {
    const address = text(record(item).address);
    if (address === undefined || found.has(address)) return;
    const weight = numeric(record(item).weight);
    const places = (["locality", "network"] as const).flatMap((field) => placeOf(item, field) ?? []);
    found.set(address, { index, address, places, ...(weight !== undefined ? { weight } : {}) });
  });
  return found;
};

/**
 * What istiod's validation (ValidateServiceEntry) refuses of an entry's inline endpoints that the
 * CRD's schema admits: any under NONE resolution, the default (each request goes to the address it
 * was sent to: "no endpoints should be provided for resolution type none"), more than one under
 * DNS_ROUND_ROBIN ("0 or 1 endpoint"), any under DYNAMIC_DNS, or any beside a `workloadSelector`
 * ("only one of WorkloadSelector or Endpoints"). Its webhook refuses the whole entry, so none of
 * it is applied; read as written, an endpoint added under NONE was a medium "joins".
 */
export function refusedEndpoints(resource: Resource): string | undefined {
  const written = list(spec(resource).endpoints);
  if (written.length === 0) return undefined;
  const addresses = written.map((item) => text(record(item).address) ?? "(no address)").join(", ");
  const resolution = text(spec(resource).resolution) ?? "NONE";
  const count = `${written.length} endpoint${written.length === 1 ? "" : "s"} (${addresses})`;
  if (resolution === "NONE" || resolution === "DYNAMIC_DNS") return `${count} under ${resolution} resolution, which takes none`;
  if (resolution === "DNS_ROUND_ROBIN" && written.length > 1) return `${count} under DNS_ROUND_ROBIN resolution, which takes one at most`;
  if (spec(resource).workloadSelector !== undefined) return `${count} beside a workloadSelector, which takes their place`;
  return undefined;
}

const weightsOf = (endpoints: ReadonlyMap<string, Endpoint>): Record<string, number> =>
  Object.fromEntries([...endpoints].map(([address, endpoint]) => [address, endpoint.weight ?? 1]));
const sharesOfEndpoints = (endpoints: ReadonlyMap<string, Endpoint>) => sharesOf(weightsOf(endpoints));

export function endpointChanges(base: Resource, head: Resource, out: DetectionList, hosts: string, reported: ReadonlySet<string>): void {
  const [before, after] = [endpointsOf(base), endpointsOf(head)];
  if (before.size > 0 && after.size === 0) {
    const resolution = text(spec(head).resolution) ?? "NONE";
    const nowhere = resolution === "STATIC";
    out.add({
      class: nowhere ? "backend.all-removed" : "resource.changed",
      summary: nowhere
        ? `every endpoint removed (${[...before.keys()].join(", ")}) under STATIC resolution: requests to ${hosts} have nowhere to go`
        : `every endpoint removed (${[...before.keys()].join(", ")}): ${hosts} ${resolution.startsWith("DNS") ? "now go wherever their names resolve" : "go to the address each request was sent to"}`,
      side: "base",
      path: ["spec", "endpoints"],
      before: [...before.keys()],
      after: [],
      ...(nowhere ? {} : { riskFloor: "medium-high" as const }),
    });
    return;
  }
  const unplaced = (endpoint: Endpoint) => !endpoint.places.some((place) => reported.has(place));
  const joined = [...after.values()].filter((endpoint) => !before.has(endpoint.address) && unplaced(endpoint));
  const left = [...before.values()].filter((endpoint) => !after.has(endpoint.address) && unplaced(endpoint));
  const replacedAll = left.length > 0 && joined.length > 0 && ![...after.keys()].some((address) => before.has(address));
  if (joined.length === 1 && left.length === 1) {
    const [was, now] = [left[0]!, joined[0]!];
    out.add({
      class: "backend.weight-changed",
      summary: `endpoint address ${was.address} → ${now.address}: ${hosts}'s traffic to this endpoint goes to another machine`,
      side: "head",
      path: ["spec", "endpoints", now.index, "address"],
      before: was.address,
      after: now.address,
    });
  } else if (replacedAll) {
    const [was, now] = [left.map((endpoint) => endpoint.address), joined.map((endpoint) => endpoint.address)];
    out.add({
      class: "backend.weight-changed",
      summary: `every endpoint replaced (${was.join(", ")} → ${now.join(", ")}): all of ${hosts}'s traffic goes to other machines`,
      side: "head",
      path: ["spec", "endpoints"],
      before: was,
      after: now,
    });
  } else {
    for (const endpoint of joined)
      out.add({
        class: "backend.added",
        summary: `endpoint ${endpoint.address} joins ${hosts}: it takes a share of their traffic`,
        side: "head",
        path: ["spec", "endpoints", endpoint.index, "address"],
        before: null,
        after: endpoint.address,
      });
    for (const endpoint of left)
      out.add({
        class: "backend.weight-changed",
        summary: `endpoint ${endpoint.address} leaves ${hosts}: its share of their traffic moves to the other endpoints`,
        side: "base",
        path: ["spec", "endpoints", endpoint.index, "address"],
        before: endpoint.address,
        after: null,
      });
  }
  // Weights are relative (an unset one is 1, as Envoy reads it): 50/50 written 1/1, or dropped, moves nothing.
  const [sharesBefore, sharesAfter] = [sharesOfEndpoints(before), sharesOfEndpoints(after)];
  for (const [address, now] of after) {
    const was = before.get(address);
    if (was && was.weight !== now.weight && sharesBefore[address] !== sharesAfter[address])
      out.add({
        class: "backend.weight-changed",
        summary: `endpoint ${address} load-balancing weight ${was.weight ?? "(unset)"} → ${now.weight ?? "(unset)"}: its share of ${hosts}'s traffic changes (${describeShares(weightsOf(before), weightsOf(after))})`,
        side: "head",
        path: ["spec", "endpoints", now.index, "weight"],
        before: was.weight ?? null,
        after: now.weight ?? null,
      });
  }
}

/**
 * Endpoint addresses istiod's validation (ValidateServiceEntry) refuses: under STATIC resolution an
 * address is an IP or a `unix://` socket (or left out, on an endpoint of another network), never a
 * name; its webhook refuses an entry whose endpoint says `REPLACE_WITH_GATEWAY_ADDRESS`, as
 * multi-network samples write one for the reader to fill in. A Flux variable is filled in before
 * it is applied.
 */
const refusedAddresses = (resource: Resource | undefined): Map<string, number> => {
  if (!resource || text(spec(resource).resolution) !== "STATIC") return new Map();
  const refused = [...endpointsOf(resource).values()].filter(
    ({ address }) => address !== "" && isIP(address) === 0 && !address.startsWith("unix://") && !holdsFluxVariable(address),
  );
  return new Map(refused.map(({ address, index }) => [address, index]));
};

/**
 * A refused address the PR writes (a new entry, a new or changed address, STATIC resolution newly
 * set) is manifest.invalid: the entry will not apply. One the base already held under STATIC is no
 * new refusal, whatever else the PR edits in the entry (a port): that edit is judged as written.
 */
export function refusedAddressChanges(base: Resource | undefined, head: Resource | undefined, out: DetectionList): void {
  const before = refusedAddresses(base);
  for (const [address, index] of refusedAddresses(head)) {
    if (before.has(address)) continue;
    out.add({
      class: "manifest.invalid",
      summary: `endpoint address ${address} is not an IP address or unix:// socket, which STATIC resolution needs: istiod's validation refuses the entry`,
      side: "head",
      path: ["spec", "endpoints", index, "address"],
      after: address,
      riskFloor: "high",
    });
  }
}
