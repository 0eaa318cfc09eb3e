import type { PlacementHints } from "../family.js";
import { UNEXPORTED, UNKNOWN_MULTI_CLUSTER, UNKNOWN_PLACEMENT } from "../../core/traffic-model.js";
import { list, record, text } from "../../core/json-access.js";

/**
 * A VirtualDestination spans the clusters its service selectors name (DESIGN §6): a route to it
 * lands there. A selector without a cluster selects the service in every cluster of the
 * workspace, which the tree does not say: multi-cluster, clusters unknown.
 */
export const glooPlacementHints: PlacementHints = {
  hints: {
    VirtualDestination: ({ id, body }, tools) => {
      const clusters = list(record(body.spec).services).map((selector) => text(record(selector).cluster));
      const named = clusters.filter((cluster): cluster is string => cluster !== undefined && cluster !== "");
      const placement =
        named.length > 0 && named.length === clusters.length ? tools.ofClusters(named, true) : { ...UNKNOWN_PLACEMENT, multiCluster: true };
      return [{ key: `${id.namespace}/${id.name}`, placement }];
    },
  },
  destinations: {
    // One the tree does not hold, where it (or the base) holds others, was deleted or never made: it runs nowhere (gloo-d26).
    VirtualDestination: {
      place: (ref, hints, tools) =>
        hints(`${ref.namespace}/${ref.name}`).at(-1) ?? (tools.holds("VirtualDestination") ? UNEXPORTED : UNKNOWN_MULTI_CLUSTER),
    },
  },
};
