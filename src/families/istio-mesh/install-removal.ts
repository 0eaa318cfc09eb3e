import { DetectionList } from "../../core/detection-list.js";
import type { ResourceDetector } from "../../core/detector.js";
import { record, text } from "../../core/json-access.js";
import type { Resource } from "../../core/resource.js";

/**
 * What goes with a mesh install that a controller in the cluster reconciles, once the PR removes
 * it and the removal is applied: the controller uninstalls what it installed (Gloo Mesh's
 * lifecycle managers, the Sail operator's Istio, Flux's helm-controller for a HelmRelease). An
 * IstioOperator is left out: most are istioctl's input files, and removing one uninstalls nothing.
 * The mutation sweep found an IstioLifecycleManager moved to another namespace (removed, and added
 * where nothing reads it) passing as low.
 */
const CONTROL_PLANE =
  "sidecars stop receiving configuration and certificate renewals, and pods started afterwards get no sidecar (or are refused by the injection webhook)";
const GATEWAYS = "the gateways' pods and load balancers go, with the traffic they take";
const CRDS = "Istio's CRDs go, and every Istio resource of the cluster with them";
const NODE_AGENT =
  "the node agent that redirects pods' traffic into their sidecars or ztunnel goes: pods started afterwards cannot join the mesh";

/** Istio's charts, by what uninstalling them takes away. */
const CHART_EFFECTS: Readonly<Record<string, string>> = {
  istiod: CONTROL_PLANE,
  base: CRDS,
  "istio-base": CRDS,
  cni: NODE_AGENT,
  "istio-cni": NODE_AGENT,
  ztunnel: "ztunnel goes: pods of ambient namespaces lose their mTLS and their traffic",
  gateway: GATEWAYS,
  "istio-ingress": GATEWAYS,
  "istio-egress": GATEWAYS,
};

/** Who uninstalls what the removed resource installed, and what that takes away; undefined for a kind nothing reconciles. */
function uninstalled(resource: Resource): { readonly by: string; readonly what: string; readonly effect: string } | undefined {
  switch (resource.id.kind) {
    case "IstioLifecycleManager":
      return { by: "Gloo Mesh", what: "the Istio control planes it installs", effect: CONTROL_PLANE };
    case "GatewayLifecycleManager":
      return { by: "Gloo Mesh", what: "the Istio gateways it installs", effect: GATEWAYS };
    case "Istio":
    case "IstioRevision":
      // The operator's profiles are Istio documents without a name, merged under a user's: nothing runs them.
      if (text(record(resource.body.metadata).name) === undefined) return undefined;
      return { by: "the Sail operator", what: "the istiod it runs", effect: CONTROL_PLANE };
    case "HelmRelease": {
      const chart = text(record(record(record(resource.body.spec).chart).spec).chart);
      const effect = chart === undefined ? undefined : CHART_EFFECTS[chart];
      return effect === undefined ? undefined : { by: "Flux", what: `the ${chart} chart it released`, effect };
    }
    default:
      return undefined;
  }
}

export const installRemovalDetector: ResourceDetector = (change) => {
  if (change.head || !change.base) return [];
  const found = uninstalled(change.base);
  if (!found) return [];
  const out = new DetectionList(change);
  out.add({
    class: "resource.changed",
    summary: `removed: ${found.by} uninstalls ${found.what} when the removal is applied: ${found.effect}`,
    side: "base",
    path: ["metadata", "name"],
    before: change.base.id.name,
    after: null,
    riskFloor: "high",
  });
  return out.detections;
};
