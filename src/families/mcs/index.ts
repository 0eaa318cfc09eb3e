import type { Family } from "../family.js";
import { mcsDetector } from "./mcs.js";
import * as mcs from "./schemas.js";
import { UNEXPORTED, UNKNOWN_MULTI_CLUSTER } from "../../core/traffic-model.js";
import { flatText } from "../../core/flat-text.js";

const MCS_GROUPS = ["multicluster.x-k8s.io", "net.gke.io", "application-networking.k8s.aws"];

const serviceKey = (namespace: string, name: string) => `${namespace}/${name}`;

/**
 * Multi-cluster Services: ServiceExport and ServiceImport, upstream, GKE's (net.gke.io) and the AWS
 * Gateway API controller's for VPC Lattice (application-networking.k8s.aws: the same two kinds, "the
 * Service with the same name and namespace as this export should be consumable from other clusters").
 */
export const mcsFamily: Family = {
  name: "mcs",
  kinds: [
    [
      MCS_GROUPS,
      [
        ["ServiceExport", mcs.serviceExport],
        ["ServiceImport", mcs.serviceImport],
      ],
    ],
  ],
  // The AWS controller moved its exports and imports to its own group, alike (aws-application-networking-k8s
  // #475: "New CRD is exactly the same as before, just under a different group"): one moved is one object.
  promotions: { sharedKinds: { kinds: ["ServiceExport", "ServiceImport"], groups: MCS_GROUPS } },
  // The clusters it exports to are where the tree applies it: the graph reads them off its placement.
  graphNodes: { ServiceExport: ({ id }) => ({ role: "service-export", service: flatText(serviceKey(id.namespace, id.name)) }) },
  referents: { ServiceExport: (resource) => ({ exports: [serviceKey(resource.id.namespace, resource.id.name)] }) },
  // A ServiceImport spans every cluster that exports its service: those the exports' files land in.
  placementHints: {
    hints: {
      ServiceExport: ({ id, source }, tools) => [
        { key: serviceKey(id.namespace, id.name), placement: tools.ofClusters(tools.clustersOfFile(source.file), true) },
      ],
    },
    destinations: {
      ServiceImport: {
        place: (ref, hints, tools) => {
          const exports = hints(serviceKey(ref.namespace, ref.name));
          // Where the tree manages exports, an import none is left for has no endpoints (reference.broken says so).
          if (exports.length === 0) return tools.holds("ServiceExport") ? UNEXPORTED : UNKNOWN_MULTI_CLUSTER;
          // One export (nearly every service) is already that placement: asked for every import of a fleet, not built again.
          if (exports.length === 1) return exports[0]!;
          return tools.ofClusters(
            exports.flatMap((placement) => placement.clusters),
            true,
          );
        },
      },
    },
  },
  detectors: [mcsDetector],
};
