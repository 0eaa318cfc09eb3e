import { dnsFamily } from "./dns/index.js";
import { envoyGatewayFamily } from "./envoy-gateway/index.js";
import { envoyAiGatewayFamily } from "./envoy-ai-gateway/index.js";
import type { Resource } from "../core/resource.js";
import type { FieldPath } from "../core/finding.js";
import type { TrustTable } from "../core/trust-reach.js";
import type { Family } from "./family.js";
import { gatewayApiFamily } from "./gateway-api/index.js";
import { gkeFamily } from "./gke/index.js";
import { inferenceFamily } from "./inference/index.js";
import { ingressFamily } from "./ingress/index.js";
import { glooFamily } from "./gloo/index.js";
import { istioMeshFamily } from "./istio-mesh/index.js";
import { istioFamily } from "./istio/index.js";
import { kuadrantFamily } from "./kuadrant/index.js";
import { legacyGatewayApiFamily } from "./legacy-gateway-api/index.js";
import { mcsFamily } from "./mcs/index.js";
import { namespaceFamily } from "./namespace/index.js";
import { placementFamily } from "./placement/index.js";
import { progressiveFamily } from "./progressive/index.js";
import { serviceFamily } from "./service/index.js";
import { traefikFamily } from "./traefik/index.js";
import { trustFamily } from "./trust/index.js";

export type {
  Deliveries,
  DestinationPlacement,
  Family,
  FieldPattern,
  GatewayRole,
  GeneratedObject,
  KindGroup,
  KindRow,
  KindTrait,
  PlacementHint,
  PlacementHints,
  PlacementTools,
  Promotions,
  RuleSource,
  TextKind,
} from "./family.js";
export { istioValues, istioValuesKind } from "./istio-mesh/index.js";
// Route attachment is Gateway API's (Istio Gateway servers read into the same listeners): the traffic graph shares it with the family's flows.
export { attachRoute, type Attachment, type UnresolvedParent } from "./gateway-api/attachment.js";
export { entryPointsOf, type EntryPoints, type GatewayNode, type ListenerSetNode } from "./gateway-api/entry-points.js";
// The Applications an ApplicationSet generates are the placement family's: the render plan installs their charts as it does written Applications'.
export { generatedApplications, generatorFiles } from "./placement/generated-applications.js";

/**
 * THE table of families (DESIGN §3, §4): the stages read kinds, flow sources and detectors from
 * it and from nowhere else. Adding a family is one folder beside these and one line here. Order
 * matters only where families contribute to each other (`detectsOn` runs after the family's own
 * detectors, in this order).
 */
export const FAMILIES: readonly Family[] = [
  gatewayApiFamily,
  mcsFamily,
  gkeFamily,
  istioFamily,
  istioMeshFamily,
  glooFamily,
  trustFamily,
  dnsFamily,
  placementFamily,
  progressiveFamily,
  serviceFamily,
  legacyGatewayApiFamily,
  ingressFamily,
  inferenceFamily,
  envoyGatewayFamily,
  envoyAiGatewayFamily,
  kuadrantFamily,
  traefikFamily,
  namespaceFamily,
];

/** Kinds holding transport security or trust, by name (Family.trustKinds): what text (a patch, a replacement) names as `kind: …`. */
export const TRUST_KINDS: ReadonlySet<string> = new Set(FAMILIES.flatMap((family) => family.trustKinds ?? []));
/** Text that changes trust wherever it is written (Family.trustMarks). */
export const TRUST_MARKS: readonly RegExp[] = FAMILIES.flatMap((family) => family.trustMarks ?? []);
/** Everything the families say holds trust (Family.trustKinds, trustFields, trustValues, trustCharts), for what an unrendered change reaches. */
export const TRUST: TrustTable = {
  kinds: TRUST_KINDS,
  fields: FAMILIES.reduce<Record<string, FieldPath[]>>((fields, family) => {
    for (const [kind, paths] of Object.entries(family.trustFields ?? {})) fields[kind] = [...(fields[kind] ?? []), ...paths];
    return fields;
  }, {}),
  values: FAMILIES.flatMap((family) => family.trustValues ?? []),
  charts: new Set(FAMILIES.flatMap((family) => family.trustCharts ?? [])),
};

/**
 * What each controller chart serves (Family.controllerCharts), by chart name: a chart several
 * families name (Cilium, Contour) serves all they say.
 */
export const CONTROLLER_CHARTS: ReadonlyMap<string, readonly string[]> = FAMILIES.reduce((charts, family) => {
  for (const chart of family.controllerCharts?.charts ?? [])
    charts.set(chart, [...(charts.get(chart) ?? []), family.controllerCharts!.serve]);
  return charts;
}, new Map<string, string[]>());

/** Where manifests name the class or issuer of their controller, with what it serves (ControllerCharts.classes). */
export const CONTROLLER_CLASSES: readonly { readonly serve: string; readonly pattern: RegExp }[] = FAMILIES.flatMap((family) =>
  (family.controllerCharts?.classes ?? []).map((pattern) => ({ serve: family.controllerCharts!.serve, pattern })),
);

/** API groups whose routes try their rules in order, the first match winning (Istio, Gloo), unlike Gateway API's ranking by specificity. */
export const FIRST_MATCH_GROUPS: ReadonlySet<string> = new Set(FAMILIES.flatMap((family) => family.firstMatchGroups ?? []));

/**
 * Route kinds (`group/kind`) whose family judges requests passing between their rules
 * (Family.handlingJudges): the route diff hands requests over between rules of these only.
 */
export const HANDLING_JUDGED_KINDS: ReadonlySet<string> = new Set(
  FAMILIES.flatMap((family) =>
    family.kinds.flatMap(([groups, rows]) =>
      rows.flatMap(([kind]) => (family.handlingJudges?.[kind] ? groups.map((group) => `${group}/${kind}`) : [])),
    ),
  ),
);

/** A slot the families fill by kind, looked up for a resource by its family and kind (`families`: a table other than THE one, for tests). */
export function byFamilyKind<T>(
  slot: (family: Family) => Readonly<Record<string, T>> | undefined,
  families: readonly Family[] = FAMILIES,
): (resource: Resource) => T | undefined {
  // By family, then kind: asked for every resource of both trees, a joined `family/kind` key was a
  // string built and hashed per call.
  const table = new Map<string, ReadonlyMap<string, T>>();
  for (const family of families) {
    const kinds = Object.entries(slot(family) ?? {});
    if (kinds.length > 0) table.set(family.name, new Map(kinds));
  }
  return (resource) => table.get(resource.family)?.get(resource.id.kind);
}
