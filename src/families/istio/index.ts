import { istioDefaults } from "./defaults.js";
import { byRules, type Family } from "../family.js";
import { virtualServiceRules } from "./flows.js";
import { istioGatewayRenaming } from "./gateway-renaming.js";
import { istioGraphNodes, istioReferents } from "./graph-nodes.js";
import { istioDetector, istioHandlingJudges } from "./istio.js";
import { istioMeshScopes } from "./mesh-scope.js";
import { istioPlacementHints } from "./placement-hints.js";
import { movedAlike } from "./namespace-move.js";
import * as istio from "./schemas.js";
import { ANY_SEGMENT } from "../../core/trust-reach.js";

/** Istio's traffic, security and proxy extension APIs (networking.istio.io, security.istio.io, extensions.istio.io). */
export const istioFamily: Family = {
  name: "istio",
  kinds: [
    [
      ["networking.istio.io"],
      [
        ["VirtualService", istio.virtualService],
        ["DestinationRule", istio.destinationRule],
        ["ServiceEntry", istio.serviceEntry],
        ["Gateway", istio.istioGateway],
        ["Sidecar", istio.sidecar],
        ["WorkloadEntry", istio.workloadEntry],
        ["EnvoyFilter", istio.envoyFilter],
      ],
    ],
    [
      ["extensions.istio.io"],
      [
        ["WasmPlugin", istio.wasmPlugin],
        ["TrafficExtension", istio.trafficExtension],
      ],
    ],
    [
      ["security.istio.io"],
      [
        ["PeerAuthentication", istio.peerAuthentication],
        ["AuthorizationPolicy", istio.authorizationPolicy],
        ["RequestAuthentication", istio.requestAuthentication],
      ],
    ],
  ],
  ruleSources: { VirtualService: byRules(virtualServiceRules) },
  defaults: istioDefaults,
  renamableRoutes: ["VirtualService"],
  movableRoutes: { VirtualService: movedAlike },
  renamableEntries: { Gateway: istioGatewayRenaming },
  graphNodes: istioGraphNodes,
  referents: istioReferents,
  placementHints: istioPlacementHints,
  gatewayRoles: { Gateway: "gateway" },
  meshScopes: istioMeshScopes,
  firstMatchGroups: ["networking.istio.io"],
  attachmentFields: { "networking.istio.io": ["spec", "gateways"] },
  handlingJudges: istioHandlingJudges,
  trustKinds: ["PeerAuthentication", "DestinationRule"],
  // A server's TLS: its mode weakened is mtls.weakened; the selector a knative patch rewrites is not.
  trustFields: { Gateway: [["spec", "servers", ANY_SEGMENT, "tls"]] },
  trustValues: [/mtls|peerAuthentication|(?:^|\.)tls\w*(?:\.|$)/i],
  detectors: [istioDetector],
  // Istio's gateway chart runs the proxies its Gateways configure.
  controllerCharts: { serve: "Istio Gateways", charts: ["gateway"] },
};
