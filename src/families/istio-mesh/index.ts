import type { Family } from "../family.js";
import { ambientLabelDetector, waypointDetector } from "./ambient.js";
import {
  istioMeshDetector,
  lifecycleManagerDetector,
  meshConfigs,
  meshSettingScopes,
  meshTrustFields,
  meshTrustValues,
  meshValuesDetector,
  networkLabelDetector,
} from "./istio-mesh.js";
import * as istioMesh from "./schemas.js";
import { ISTIO_CHARTS, ISTIO_VALUES } from "./mesh-values.js";
import { metadataOnly } from "../../core/kube-object.js";
import { sidecarInjectionDetector } from "./sidecar-injection.js";
import { installRemovalDetector } from "./install-removal.js";

/** Labels that make a core Namespace mesh config: sidecar or ambient enrolment, waypoints, its network. */
const MESH_NAMESPACE_LABELS = /istio\.io\/(?:dataplane-mode|use-waypoint|ingress-use-waypoint|network|rev)\b|\bistio-injection\b/;

/**
 * istiod's mesh ConfigMap: named `istio` (or `istio-<revision>`), holding its MeshConfig as a `mesh`
 * document (the detector checks both again once it is parsed). Anchored lookaheads: every
 * document's text is tested, and a pattern tried at each line took five times as long.
 */
const MESH_CONFIG_MAP =
  /^(?=[\s\S]*?name["']?[ \t]*:[ \t]*["']?istio(?:-[a-z0-9-]+)?["']?[ \t]*(?:[,}]|\r?\n|$))(?=[\s\S]*?mesh["']?[ \t]*:[ \t]*[|>"])/;

/**
 * Istio's Helm charts (istiod, base, cni, ztunnel, gateway) installed by a Flux HelmRelease: their
 * values hold the mesh's identity and mTLS settings wherever the chart itself comes from. The name
 * ends its scalar: at a line's end or comment, or before the `,` or `}` of JSON and flow style.
 */
const ISTIO_CHART = new RegExp(`\\bchart["']?[ \\t]*:[ \\t]*["']?(?:${[...ISTIO_CHARTS].join("|")})["']?(?=[ \\t]*(?:[,}#]|$))`, "m");

/**
 * The mesh level of Istio: IstioOperator, the Sail Operator's Istio and IstioRevision, Helm values
 * (read apart, see istioValuesKind), mesh labels of Namespaces, ambient enrolment and waypoints, and
 * the network labels it reads on gateways.
 */
export const istioMeshFamily: Family = {
  name: "istio-mesh",
  kinds: [
    [["install.istio.io"], [["IstioOperator", istioMesh.istioOperator, "file-named"]]],
    [
      ["sailoperator.io"],
      // The operator's profiles are Istio documents without metadata, merged under a user's Istio: named by their file.
      [
        ["Istio", istioMesh.sailIstio, ["cluster-scoped", "file-named"]],
        ["IstioRevision", istioMesh.sailIstio, "cluster-scoped"],
      ],
    ],
    [
      ["admin.gloo.solo.io"],
      [
        ["IstioLifecycleManager", istioMesh.lifecycleManager],
        ["GatewayLifecycleManager", istioMesh.lifecycleManager],
      ],
    ],
  ],
  textKinds: [
    { kind: "Namespace", when: MESH_NAMESPACE_LABELS, schema: metadataOnly, namespaced: false },
    { group: "helm.toolkit.fluxcd.io", kind: "HelmRelease", when: ISTIO_CHART, schema: metadataOnly, namespaced: true },
    { kind: "ConfigMap", when: MESH_CONFIG_MAP, schema: metadataOnly, namespaced: true },
  ],
  meshConfigs,
  meshScopes: meshSettingScopes,
  trustFields: meshTrustFields,
  trustValues: meshTrustValues,
  // istiod holds the mesh's CA and MeshConfig: whatever of its values changes may rewrite identity or mTLS.
  trustCharts: ["istiod", "istiod-remote"],
  // Its control plane, its CRDs (`base`), and the node agents that carry ambient and CNI-redirected traffic.
  controllerCharts: { serve: "the Istio mesh", charts: ["istiod", "istiod-remote", "base", "cni", "ztunnel"] },
  fileDetectors: [meshValuesDetector],
  detectors: [
    istioMeshDetector,
    lifecycleManagerDetector,
    installRemovalDetector,
    networkLabelDetector,
    ambientLabelDetector,
    sidecarInjectionDetector,
  ],
  detectsOn: {
    "gateway-api": [networkLabelDetector, ambientLabelDetector, waypointDetector],
    istio: [networkLabelDetector, ambientLabelDetector],
    // A Namespace that loses its mesh labels is read as a plain Namespace on that side.
    namespace: [networkLabelDetector, ambientLabelDetector, sidecarInjectionDetector],
    // An Argo CD Application installing an Istio chart carries the mesh's settings in its helm values.
    placement: [istioMeshDetector],
  },
};

/** Istio Helm values files are read as one pseudo-resource per file (DESIGN §4, mesh level). */
export const istioValuesKind = { ...ISTIO_VALUES, family: "istio-mesh" } as const;

export { istioValues } from "./schemas.js";
