import type { Check } from "../../core/by-kind.js";
import { sortedSet } from "../../core/canonical-values.js";
import type { DetectorContext } from "../../core/detector.js";
import { list, numeric, record, spec, stringMap, text, texts } from "../../core/json-access.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { selects as labelsSelect } from "../../core/label-selector.js";

/**
 * A WorkloadEntry is an endpoint declared on its own (a VM, a service outside Kubernetes): the
 * ServiceEntries of its namespace whose `workloadSelector` its labels satisfy send their hosts'
 * traffic to it, as they would to an endpoint written inline. So it is judged as one: where it
 * runs (locality region, network) against the other endpoints of those entries, whether it joins
 * or leaves them, its address and its weight (another address, or leaving, moves its share:
 * backend.weight-changed). Kubernetes Services select WorkloadEntries too; the
 * review does not read Services' selectors, so an entry no ServiceEntry here selects is judged on
 * its own fields (medium).
 */

export type Field = "locality" | "network";

const ISTIO_NETWORKING = "networking.istio.io";

/** Its `workloadSelector.labels` are a selector's matchLabels; an entry without one selects no WorkloadEntry. */
const selects = (serviceEntry: Resource, workload: Resource, context: DetectorContext): boolean => {
  const wanted = stringMap(record(spec(serviceEntry).workloadSelector).labels);
  return (
    Object.keys(wanted).length > 0 &&
    serviceEntry.id.namespace === workload.id.namespace &&
    context.clusterOfFile(serviceEntry.source.file) === context.clusterOfFile(workload.source.file) &&
    labelsSelect({ matchLabels: wanted }, stringMap(spec(workload).labels))
  );
};

const ofKind = (tree: ManifestSet, kind: string): Resource[] =>
  [...tree.resources.values()].filter((resource) => resource.id.group === ISTIO_NETWORKING && resource.id.kind === kind);

/** Where an endpoint runs: the region of its locality (`region/zone/subzone`), or its network. */
export const placeOf = (endpoint: unknown, field: Field): string | undefined => {
  const value = text(record(endpoint)[field]);
  return value ? (field === "locality" ? (value.split("/")[0] ?? value) : value) : undefined;
};

/** Every endpoint of a ServiceEntry in a tree: those written inline and the WorkloadEntries it selects. */
const endpointsOf = (serviceEntry: Resource, tree: ManifestSet, context: DetectorContext): unknown[] => [
  ...list(spec(serviceEntry).endpoints),
  ...ofKind(tree, "WorkloadEntry")
    .filter((workload) => selects(serviceEntry, workload, context))
    .map((workload) => spec(workload)),
];

const placesOf = (endpoints: readonly unknown[], field: Field): Set<string> =>
  new Set(endpoints.flatMap((endpoint) => placeOf(endpoint, field) ?? []));

const addressOf = (workload: Resource | undefined): string => text(spec(workload).address) ?? "(no address)";

const FIELDS: readonly Field[] = ["locality", "network"];

export const workloadEntryCheck: Check = (change, out, context) => {
  const { base, head } = change;
  const selecting = (tree: ManifestSet, workload: Resource | undefined) =>
    workload ? ofKind(tree, "ServiceEntry").filter((entry) => selects(entry, workload, context)) : [];
  const [entriesBefore, entriesAfter] = [selecting(context.base, base), selecting(context.head, head)];
  const keys = sortedSet([...entriesBefore, ...entriesAfter].map((entry) => entry.key));
  for (const key of keys) {
    const [before, after] = [entriesBefore.find((entry) => entry.key === key), entriesAfter.find((entry) => entry.key === key)];
    // An entry the PR adds or removes is judged as itself; here, one that stays and selects this endpoint on either side.
    const [entryBefore, entryAfter] = [context.base.resources.get(key), context.head.resources.get(key)];
    if (!entryBefore || !entryAfter) continue;
    const hosts = sortedSet(texts(spec(entryAfter).hosts)).join(", ");
    const [endpointsBefore, endpointsAfter] = [
      endpointsOf(entryBefore, context.base, context),
      endpointsOf(entryAfter, context.head, context),
    ];
    if (endpointsBefore.length > 0 && endpointsAfter.length === 0) {
      out.add({
        class: "backend.all-removed",
        summary: `was the last endpoint of ${hosts} (ServiceEntry ${entryAfter.id.namespace}/${entryAfter.id.name}): nothing serves them now`,
        side: "base",
        path: ["spec"],
        before: addressOf(base),
        after: null,
      });
      continue;
    }
    let placed = false;
    for (const field of FIELDS) {
      const [was, now] = [placesOf(endpointsBefore, field), placesOf(endpointsAfter, field)];
      const crossing = field === "network" ? ", reached through that network's east-west gateway" : "";
      const where = (place: string) => (field === "locality" ? `region ${place}` : `network ${place}`);
      // Where this endpoint serves the entry now, and where it served it before.
      const [here, there] = [after && placeOf(spec(head), field), before && placeOf(spec(base), field)];
      if (here !== undefined && !was.has(here)) {
        placed = true;
        out.add({
          class: "backend.region-added",
          summary: `endpoint ${addressOf(head)} in ${where(here)}: ${hosts} gains backends there${crossing}`,
          side: "head",
          path: ["spec", field],
          before: sortedSet(was),
          after: sortedSet(now),
          ...(field === "locality" ? { lands: { clusters: [], regions: [here] } } : {}),
        });
      }
      if (there !== undefined && !now.has(there)) {
        placed = true;
        out.add({
          class: "backend.region-removed",
          summary: `no endpoint of ${hosts} left in ${where(there)} (was ${addressOf(base)}): it loses its backends there`,
          side: "base",
          path: ["spec", field],
          before: sortedSet(was),
          after: sortedSet(now),
          ...(field === "locality" ? { lands: { clusters: [], regions: [there] } } : {}),
        });
      }
    }
    if (placed) continue;
    if (!before || !after) {
      out.add({
        class: after ? "backend.added" : "backend.weight-changed",
        summary: after
          ? `endpoint ${addressOf(head)} joins ${hosts}: it takes a share of their traffic`
          : `endpoint ${addressOf(base)} leaves ${hosts}: its share of their traffic moves to the other endpoints`,
        side: after ? "head" : "base",
        path: after ? ["spec", "labels"] : ["spec"],
        before: before ? addressOf(base) : null,
        after: after ? addressOf(head) : null,
      });
      continue;
    }
    if (addressOf(base) !== addressOf(head))
      out.add({
        class: "backend.weight-changed",
        summary: `address ${addressOf(base)} → ${addressOf(head)}: ${hosts}'s traffic to this endpoint goes to another machine`,
        side: "head",
        path: ["spec", "address"],
        before: addressOf(base),
        after: addressOf(head),
      });
    const [weightBefore, weightAfter] = [numeric(spec(base).weight), numeric(spec(head).weight)];
    if (weightBefore !== weightAfter)
      out.add({
        class: "backend.weight-changed",
        summary: `load-balancing weight ${weightBefore ?? "(unset)"} → ${weightAfter ?? "(unset)"}: its share of ${hosts}'s traffic changes`,
        side: "head",
        path: ["spec", "weight"],
        before: weightBefore ?? null,
        after: weightAfter ?? null,
      });
  }
  if (keys.length > 0 || !base || !head) return;
  const moved = (["address", ...FIELDS] as const).filter((field) => text(spec(base)[field]) !== text(spec(head)[field]));
  if (moved.length > 0)
    out.add({
      class: "resource.changed",
      summary: `${moved.map((field) => `${field} ${text(spec(base)[field]) ?? "(unset)"} → ${text(spec(head)[field]) ?? "(unset)"}`).join(", ")}: no ServiceEntry in the repository selects it, but a Service selecting its labels sends traffic to it where it now is`,
      side: "head",
      path: moved.length === 1 ? ["spec", moved[0]!] : ["spec"],
      before: Object.fromEntries(moved.map((field) => [field, text(spec(base)[field]) ?? null])),
      after: Object.fromEntries(moved.map((field) => [field, text(spec(head)[field]) ?? null])),
      riskFloor: "medium",
    });
};
