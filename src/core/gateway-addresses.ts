import { sameValue, show, sortedSet } from "./canonical-values.js";
import type { DetectionList } from "./detection-list.js";
import { list, record, spec, text } from "./json-access.js";
import type { Resource } from "./resource.js";
import type { ResourceChange } from "./resource-change.js";

/**
 * A Gateway's `spec.addresses`, read alike by Gateway API and its v1alpha ancestors: a change moves
 * the address clients reach the Gateway at, so DNS records and allowlists naming the old one break.
 * An address without a value asks the implementation to assign one.
 */
export const reportAddressChanges = (change: ResourceChange, out: DetectionList): void => {
  if (!change.base || !change.head) return;
  const before = addressesOf(change.base);
  const after = addressesOf(change.head);
  if (sameValue(before, after)) return;
  out.add({
    class: "listener.changed",
    summary: `addresses ${show(before)} → ${show(after)}: DNS records and allowlists that name the old address break`,
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
