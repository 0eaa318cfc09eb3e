import type * as z from "zod";
import type { Family } from "../core/resource.js";
import type { KubeObject } from "../core/kube-object.js";
import * as dns from "./schemas/dns.js";
import * as gatewayApi from "./schemas/gateway-api.js";
import * as gke from "./schemas/gke.js";
import * as gloo from "./schemas/gloo.js";
import * as istio from "./schemas/istio.js";
import * as istioMesh from "./schemas/istio-mesh.js";
import * as kustomize from "./schemas/kustomize.js";
import * as legacy from "./schemas/legacy-gateway-api.js";
import * as mcs from "./schemas/mcs.js";
import * as placement from "./schemas/placement.js";
import * as progressive from "./schemas/progressive.js";
import * as trust from "./schemas/trust.js";

/**
 * The traffic kinds (DESIGN §4): (group, kind) → family, scope and schema. A kind not in this
 * table is not traffic config and is ignored.
 */

export interface KindSpec {
  readonly family: Family;
  /** False for cluster-scoped kinds, whose namespace is "" whatever the document says. */
  readonly namespaced: boolean;
  readonly schema: z.ZodType<KubeObject>;
  /** The kind's own fields hold `{{ }}` placeholders (ApplicationSet templates): not an unrendered chart. */
  readonly ownTemplates: boolean;
  /**
   * A document may leave out its name: `istioctl install -f` reads an IstioOperator without
   * metadata (Istio's multicluster guides write them so). Such a document is named by its file.
   */
  readonly fileNamed: boolean;
}

type Row = readonly [kind: string, schema: z.ZodType<KubeObject>, trait?: "cluster-scoped" | "own-templates" | "file-named"];

const gatewayApiKinds: readonly Row[] = [
  ["GatewayClass", gatewayApi.gatewayClass, "cluster-scoped"],
  ["Gateway", gatewayApi.gateway],
  ["ListenerSet", gatewayApi.listenerSet],
  ["XListenerSet", gatewayApi.listenerSet],
  ["HTTPRoute", gatewayApi.httpRoute],
  ["GRPCRoute", gatewayApi.grpcRoute],
  ["TLSRoute", gatewayApi.tlsRoute],
  ["TCPRoute", gatewayApi.l4Route],
  ["UDPRoute", gatewayApi.l4Route],
  ["ReferenceGrant", gatewayApi.referenceGrant],
  ["BackendTLSPolicy", gatewayApi.backendTlsPolicy],
  ["XBackendTrafficPolicy", gatewayApi.backendTrafficPolicy],
];

const mcsKinds: readonly Row[] = [
  ["ServiceExport", mcs.serviceExport],
  ["ServiceImport", mcs.serviceImport],
];

const table: readonly (readonly [family: Family, groups: readonly string[], kinds: readonly Row[]])[] = [
  ["gateway-api", ["gateway.networking.k8s.io", "gateway.networking.x-k8s.io"], gatewayApiKinds],
  ["mcs", ["multicluster.x-k8s.io", "net.gke.io"], mcsKinds],
  [
    "gke",
    ["networking.gke.io"],
    [
      ["GCPBackendPolicy", gke.gcpBackendPolicy],
      ["HealthCheckPolicy", gke.healthCheckPolicy],
      ["GCPGatewayPolicy", gke.gcpGatewayPolicy],
      ["GCPTrafficDistributionPolicy", gke.gcpTrafficDistributionPolicy],
    ],
  ],
  [
    "istio",
    ["networking.istio.io"],
    [
      ["VirtualService", istio.virtualService],
      ["DestinationRule", istio.destinationRule],
      ["ServiceEntry", istio.serviceEntry],
      ["Gateway", istio.istioGateway],
      ["Sidecar", istio.sidecar],
      ["WorkloadEntry", istio.workloadEntry],
    ],
  ],
  [
    "istio",
    ["security.istio.io"],
    [
      ["PeerAuthentication", istio.peerAuthentication],
      ["AuthorizationPolicy", istio.authorizationPolicy],
      ["RequestAuthentication", istio.requestAuthentication],
    ],
  ],
  ["istio-mesh", ["install.istio.io"], [["IstioOperator", istioMesh.istioOperator, "file-named"]]],
  [
    "gloo",
    ["networking.gloo.solo.io"],
    [
      ["RouteTable", gloo.routeTable],
      ["VirtualDestination", gloo.virtualDestination],
      ["VirtualGateway", gloo.virtualGateway],
    ],
  ],
  [
    "gloo",
    ["resilience.policy.gloo.solo.io"],
    [
      ["FailoverPolicy", gloo.failoverPolicy],
      ["OutlierDetectionPolicy", gloo.outlierDetectionPolicy],
      ["RetryTimeoutPolicy", gloo.retryTimeoutPolicy],
    ],
  ],
  ["gloo", ["trafficcontrol.policy.gloo.solo.io"], [["MirrorPolicy", gloo.mirrorPolicy]]],
  [
    "gloo",
    ["admin.gloo.solo.io"],
    [
      ["Workspace", gloo.workspace],
      ["WorkspaceSettings", gloo.workspaceSettings],
    ],
  ],
  [
    "trust",
    ["cert-manager.io"],
    [
      ["Issuer", trust.issuer],
      ["ClusterIssuer", trust.issuer, "cluster-scoped"],
      ["Certificate", trust.certificate],
    ],
  ],
  ["dns", ["externaldns.k8s.io"], [["DNSEndpoint", dns.dnsEndpoint]]],
  ["dns", ["k8gb.io", "k8gb.absa.oss"], [["Gslb", dns.gslb]]],
  [
    "placement",
    ["argoproj.io"],
    [
      ["Application", placement.application],
      ["ApplicationSet", placement.applicationSet, "own-templates"],
    ],
  ],
  ["placement", ["kustomize.toolkit.fluxcd.io"], [["Kustomization", placement.fluxKustomization]]],
  ["progressive", ["flagger.app"], [["Canary", progressive.flaggerCanary]]],
  ["progressive", ["argoproj.io"], [["Rollout", progressive.argoRollout]]],
  ["placement", ["source.extensions.fluxcd.io"], [["ArtifactGenerator", placement.artifactGenerator]]],
  // Not placement strictly: the closest family, since it decides what is rendered from a path, not where.
  [
    "placement",
    ["kustomize.config.k8s.io"],
    [
      ["Kustomization", kustomize.kustomization, "cluster-scoped"],
      ["Component", kustomize.kustomization, "cluster-scoped"],
    ],
  ],
  [
    "legacy-gateway-api",
    ["networking.x-k8s.io"],
    [
      ["GatewayClass", legacy.legacyGatewayClass, "cluster-scoped"],
      ["Gateway", legacy.legacyGateway],
      ["HTTPRoute", legacy.legacyRoute],
      ["TCPRoute", legacy.legacyRoute],
      ["UDPRoute", legacy.legacyRoute],
      ["TLSRoute", legacy.legacyRoute],
      ["BackendPolicy", legacy.legacyLoose],
    ],
  ],
];

const registry = new Map<string, KindSpec>(
  table.flatMap(([family, groups, kinds]) =>
    groups.flatMap((group) =>
      kinds.map(
        ([kind, schema, trait]) =>
          [`${group}/${kind}`, { family, namespaced: trait !== "cluster-scoped", schema, ownTemplates: trait === "own-templates", fileNamed: trait === "file-named" }] as const,
      ),
    ),
  ),
);

export const trafficGroups: ReadonlySet<string> = new Set(table.flatMap(([, groups]) => groups));

/** Kind names of any traffic group: enough to recognise a template whose apiVersion is templated. */
export const trafficKindNames: ReadonlySet<string> = new Set(table.flatMap(([, , kinds]) => kinds.map(([kind]) => kind)));

export const kindSpec = (group: string, kind: string): KindSpec | undefined => registry.get(`${group}/${kind}`);

/** Labels that make a core Namespace mesh config: sidecar or ambient enrolment, waypoints, its network. */
const MESH_NAMESPACE_LABELS = /istio\.io\/(?:dataplane-mode|use-waypoint|ingress-use-waypoint|network|rev)\b|\bistio-injection\b/;

/** A core Service whose traffic leaves the cluster: `type: ExternalName`, however quoted. */
const EXTERNAL_NAME_TYPE = /\btype["']?[ \t]*:[ \t]*["']?ExternalName\b/;

const meshNamespace: KindSpec = { family: "istio-mesh", namespaced: false, schema: istioMesh.labelledNamespace, ownTemplates: false, fileNamed: false };

const externalNameService: KindSpec = { family: "service", namespaced: true, schema: progressive.externalNameService, ownTemplates: false, fileNamed: false };

/**
 * The kind of one document, judged by its text as well: a Namespace is traffic config only when it
 * carries Istio ambient or topology labels, and a Service only when it is `type: ExternalName`
 * (its traffic leaves the cluster), so every other Namespace and Service stays ignored. `text` is
 * the document's text, or, once parsed, its label keys and `type:` line (load-manifests.ts).
 */
export const kindSpecFor = (group: string, kind: string, text: string): KindSpec | undefined => {
  const spec = kindSpec(group, kind);
  if (spec || group !== "") return spec;
  if (kind === "Namespace" && MESH_NAMESPACE_LABELS.test(text)) return meshNamespace;
  if (kind === "Service" && EXTERNAL_NAME_TYPE.test(text)) return externalNameService;
  return undefined;
};

/** `networking.istio.io/v1` → `networking.istio.io`; the core group (`v1`) is "". */
export const groupOf = (apiVersion: string): string => {
  const slash = apiVersion.lastIndexOf("/");
  return slash === -1 ? "" : apiVersion.slice(0, slash);
};

/** Istio Helm values files are read as one pseudo-resource per file (DESIGN §4, mesh level). */
export const istioValuesKind = { group: "install.istio.io", kind: "IstioValues", family: "istio-mesh" } as const;
