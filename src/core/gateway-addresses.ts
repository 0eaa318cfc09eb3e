import { sameValue, show, sortedSet } from "./canonical-values.js";
import type { DetectionList } from "./detection-list.js";
import { list, record, spec, text } from "./json-access.js";
import type { Resource } from "./resource.js";
import type { ResourceChange } from "./resource-change.js";

/**
 * A Gateway's `spec.addresses`, read alike by Gateway API and its v1alpha ancestors: a change moves
 * the address clients reach the Gateway at, so DNS records and allowlists naming the old one break.
 * An address without a value asks the implementation to assign one, as none written does: written
 * where there was none, the old address is the one assigned, written nowhere (knative/net-gateway-api
 * 43b9fa9a24 gave an Istio Gateway the Hostname of an existing gateway Service, which then serves it).
 */
export const reportAddressChanges = (change: ResourceChange, out: DetectionList): void => {
  if (!change.base || !change.head) return;
  const before = addressesOf(change.base);
  const after = addressesOf(change.head);
  if (sameValue(before, after)) return;
  out.add({
    class: "listener.changed",
    summary: `addresses ${show(before)} → ${show(after)}: ${before.length === 0 ? "the address the implementation assigned is replaced, so DNS records and allowlists that name it break" : after.length === 0 ? "the implementation assigns an address in place of these, so DNS records and allowlists that name them break" : "DNS records and allowlists that name the old address break"}`,
    side: "head",
    path: ["spec", "addresses"],
    before,
    after,
  });
};

const addressesOf = (gateway: Resource): string[] =>
  sortedSet(
    list(spec(gateway).addresses).map(
      (address) => `${text(record(address).type) ?? "IPAddress"}:${text(record(address).value) ?? "(auto)"}`,
    ),
  );
