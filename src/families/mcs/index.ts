import type { Family } from "../family.js";
import { mcsDetector } from "./mcs.js";
import * as mcs from "./schemas.js";

/** Multi-cluster Services: ServiceExport and ServiceImport (upstream and GKE's net.gke.io). */
export const mcsFamily: Family = {
  name: "mcs",
  kinds: [
    [
      ["multicluster.x-k8s.io", "net.gke.io"],
      [
        ["ServiceExport", mcs.serviceExport],
        ["ServiceImport", mcs.serviceImport],
      ],
    ],
  ],
  // The clusters it exports to are where the tree applies it: the graph reads them off its placement.
  graphNodes: { ServiceExport: () => ({ role: "service-export" }) },
  referents: { ServiceExport: (resource) => ({ exports: [`${resource.id.namespace}/${resource.id.name}`] }) },
  detectors: [mcsDetector],
};
