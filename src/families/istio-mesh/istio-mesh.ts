import { displayName, mayShareCluster, type ManifestSet, type Resource } from "../../core/resource.js";
import { copiesNamed } from "../../core/copies-named.js";
import type { MeshScopeReader } from "../../core/mesh-scope.js";
import { canonical, sameValue, show, sortedSet } from "../../core/canonical-values.js";
import { stopsFacingInternet } from "../../core/load-balancer-exposure.js";
import { DetectionList, type DetectionDraft } from "../../core/detection-list.js";
import type { DetectorContext, FileDetector, ResourceDetector } from "../../core/detector.js";
import type { ResourceChange } from "../../core/resource-change.js";
import type { Detection, FieldPath } from "../../core/finding.js";
import type { ValuesLayer } from "../../core/values-layers.js";
import type { ChangeClassId } from "../../core/change-classes.js";
import { flag, isRecord, list, optionalRecord, record, text, texts, valueAt } from "../../core/json-access.js";
import { pairEntries } from "../../core/pair-entries.js";
import { DEFAULT_EXPORT_FIELD, DEFAULT_ROOT_NAMESPACE } from "../../core/mesh-config.js";
import {
  applicationValues,
  chartDefaults,
  documentView,
  helmReleaseValues,
  installingSource,
  ISTIO_VALUES,
  locate,
  NO_SETTINGS,
  releaseView,
  releaseViews,
  umbrellaView,
  valuesView,
  wrapperChartAt,
  wrapperCharts,
  type Located,
  type MeshLayout,
  type MeshView,
  type ReleaseValues,
} from "./mesh-values.js";

/**
 * Mesh-wide Istio settings (research §1.3 "Mesh level"): identity and topology (trust domain,
 * meshID, cluster name, network) and which services are global or cluster-local. They live in an
 * IstioOperator (`spec.meshConfig`, `spec.values`), in the Sail Operator's Istio or IstioRevision
 * (`spec.values`), in istiod's Helm values (read as the IstioValues pseudo-resource whose body is
 * the values document, at its top or under an umbrella's `istiod` key), in the values of a Flux
 * HelmRelease or an Argo CD Application installing an Istio chart or a wrapper chart of istiod
 * (every source of them merged: mesh-values.ts), or in the mesh ConfigMap an install renders for
 * istiod (`istio` in its namespace: `data.mesh`, `data.meshNetworks`), which repositories that
 * vendor Istio's rendered manifests hold.
 */

import { NETWORK_LABEL, operatorGateways } from "./operator-gateways.js";

const SAIL_LAYOUT: MeshLayout = { meshConfig: [["spec", "values", "meshConfig"]], global: [["spec", "values", "global"]] };

const LAYOUTS: Readonly<Record<string, MeshLayout>> = {
  IstioOperator: {
    meshConfig: [
      ["spec", "meshConfig"],
      ["spec", "values", "meshConfig"],
    ],
    global: [["spec", "values", "global"]],
  },
  // An umbrella chart's values hold istiod's under its key (no istiod value is named `istiod`).
  IstioValues: {
    meshConfig: [["meshConfig"], ["istiod", "meshConfig"]],
    global: [["global"], ["istiod", "global"]],
  },
  // The Sail Operator renders istiod's chart with these values.
  Istio: SAIL_LAYOUT,
  IstioRevision: SAIL_LAYOUT,
  HelmRelease: { meshConfig: [["spec", "values", "meshConfig"]], global: [["spec", "values", "global"]] },
  // istiod's own mesh ConfigMap, as an install renders it (its `mesh` and `meshNetworks` parsed in place).
  ConfigMap: { meshConfig: [["data", "mesh"]], global: [["data"]] },
};

/** The ConfigMap istiod reads its MeshConfig from: `istio`, or `istio-<revision>` for a revision's istiod. */
const MESH_CONFIG_MAP = /^istio(?:-[a-z0-9-]+)?$/;

/**
 * An Argo CD Application counts as mesh config only while one of its helm sources is an Istio chart
 * or a wrapper chart of istiod, as the tree of `side` holds it; a ConfigMap only as istiod's (its
 * name, and a `mesh` document).
 */
const installsIstio = (resource: Resource | undefined, context?: DetectorContext, side: "base" | "head" = "head"): boolean => {
  if (resource?.id.kind === "Application") return context !== undefined && installingSource(resource, side, context) !== undefined;
  if (resource?.id.kind === "ConfigMap")
    return MESH_CONFIG_MAP.test(resource.id.name) && typeof record(resource.body.data).mesh === "string";
  return true;
};

/** Where a finding about a setting points: its path, in the document that set it. */
const spot = (found: Located): { path: FieldPath; at?: Located["at"] } => ({ path: found.path, ...(found.at ? { at: found.at } : {}) });

interface IdentitySetting {
  readonly in: keyof MeshView;
  readonly field: FieldPath;
  /** Where the setting is read when `field` is unset. */
  readonly legacy?: { readonly in: keyof MeshView; readonly field: FieldPath };
  readonly normal: (value: unknown) => unknown;
  readonly effect: string;
}

/** Where findings go: a DetectionList, or one that says first what the settings were compared with. */
type Findings = Pick<DetectionList, "add">;

/**
 * A setting as istiod reads it, where empty is unset: the istiod chart's own values write `meshID: ""`,
 * `caAddress: ""`, `meshNetworks: {}`, and a rendered mesh ConfigMap `meshNetworks: "networks: {}"`.
 */
const EMPTY: ReadonlySet<string> = new Set(['""', "null", "[]", "{}", '{"networks":{}}']);
const json = (value: unknown): unknown =>
  value === undefined || EMPTY.has(canonical(value)) ? undefined : (JSON.parse(canonical(value)) as unknown);
const setText = (value: unknown): string | undefined => text(value) || undefined;

/** DESIGN §5 files identity and network topology under trust.changed. */
const IDENTITY_SETTINGS: readonly IdentitySetting[] = [
  {
    in: "meshConfig",
    field: ["trustDomain"],
    // Values from before MeshConfig carried it: istiod's chart still writes `global.trustDomain` where meshConfig sets none.
    legacy: { in: "global", field: ["trustDomain"] },
    normal: (value) => setText(value) ?? "cluster.local",
    effect: "SPIFFE identities change, so AuthorizationPolicy principals naming the old trust domain stop matching",
  },
  {
    in: "meshConfig",
    field: ["trustDomainAliases"],
    normal: (value) => sortedSet(texts(value)),
    effect: "which peer identities count as this mesh's changes",
  },
  {
    in: "meshConfig",
    field: ["caCertificates"],
    normal: json,
    effect: "the trust anchors peers' certificates are verified against change: identities another CA signs may be accepted",
  },
  {
    in: "global",
    field: ["caAddress"],
    normal: setText,
    effect: "workloads get their certificates from another CA: its roots must be trusted everywhere they are verified",
  },
  { in: "global", field: ["meshID"], normal: setText, effect: "the mesh identity changes: clusters only federate within one meshID" },
  {
    in: "global",
    field: ["multiCluster", "clusterName"],
    normal: setText,
    effect: "the cluster's identity in the mesh changes: endpoints and secrets are attributed to another cluster",
  },
  {
    in: "global",
    field: ["network"],
    normal: setText,
    effect: "the cluster moves to another network: traffic between networks goes through east-west gateways",
  },
  { in: "global", field: ["meshNetworks"], normal: json, effect: "the mesh's network topology and its gateways change" },
];

/**
 * Mesh-wide switches, each with a weaker setting: `meshConfig.enableAutoMtls: false` leaves clients
 * sending plaintext unless a DestinationRule asks for ISTIO_MUTUAL, `global.mtls.enabled` is the
 * pre-1.5 switch; `meshConfig.outboundTrafficPolicy.mode` ALLOW_ANY (Istio's default) lets every
 * sidecar call any external host, REGISTRY_ONLY only those a ServiceEntry registers (a Sidecar's own
 * mode overrides it for its workloads: istio.ts). Turning one to its weaker setting is `weakened`;
 * the other way is medium, for what the stricter setting breaks.
 */
const MESH_SWITCHES: readonly {
  readonly in: keyof MeshView;
  readonly field: FieldPath;
  readonly read: (value: unknown) => string | boolean;
  readonly weaker: string | boolean;
  readonly weakened: ChangeClassId;
  readonly effect: string;
  readonly stricter: string;
}[] = [
  {
    in: "meshConfig",
    field: ["enableAutoMtls"],
    read: (value) => flag(value) ?? true,
    weaker: false,
    weakened: "mtls.weakened",
    effect: "sidecars stop using mTLS by themselves: traffic is plaintext unless a DestinationRule sets ISTIO_MUTUAL",
    stricter: "mesh mTLS turned on: workloads without a sidecar lose their callers inside the mesh",
  },
  {
    in: "global",
    field: ["mtls", "enabled"],
    read: (value) => flag(value) ?? false,
    weaker: false,
    weakened: "mtls.weakened",
    effect: "mesh-wide mTLS is off: workloads accept and send plaintext",
    stricter: "mesh mTLS turned on: workloads without a sidecar lose their callers inside the mesh",
  },
  {
    in: "meshConfig",
    field: ["localityLbSetting", "enabled"],
    read: (value) => flag(value) ?? true,
    weaker: false,
    weakened: "failover.changed",
    effect:
      "locality-aware load balancing is off mesh-wide: services whose DestinationRule sets no locality of its own spread across localities and no longer fail over by locality",
    stricter: "locality-aware load balancing on mesh-wide: where outlier detection is set, traffic stays in its locality",
  },
  {
    in: "meshConfig",
    field: ["outboundTrafficPolicy", "mode"],
    read: (value) => text(value) ?? "ALLOW_ANY",
    weaker: "ALLOW_ANY",
    weakened: "access.widened",
    effect: "every sidecar without a Sidecar of its own can call any external host",
    stricter: "calls to external hosts no ServiceEntry registers now fail, mesh-wide",
  },
];

/** The settings whose direct change is trust.changed or mtls.weakened: identity, and the switches weakening mTLS. */
const TRUST_SETTINGS = [...IDENTITY_SETTINGS, ...MESH_SWITCHES.filter((setting) => setting.weakened === "mtls.weakened")];

/**
 * Where those settings sit, by kind (Family.trustFields): a patch writing one keeps the critical
 * floor unrendered. Of a ConfigMap, only what istiod reads (`data.mesh`, `data.meshNetworks`): any
 * ConfigMap's `data.network` is not the mesh's.
 */
export const meshTrustFields: Readonly<Record<string, readonly FieldPath[]>> = Object.fromEntries(
  Object.entries(LAYOUTS).map(([kind, layout]) => [
    kind,
    TRUST_SETTINGS.flatMap((setting) => layout[setting.in].map((root) => [...root, ...setting.field])).filter(
      (path) => kind !== "ConfigMap" || path[1] === "mesh" || path[1] === "meshNetworks",
    ),
  ]),
);

/** The same settings in a chart's values (istiod's layout), under whatever key an umbrella chart nests it (Family.trustValues). */
export const meshTrustValues: readonly RegExp[] = TRUST_SETTINGS.map(
  (setting) => new RegExp(`(?:^|\\.)${[setting.in, ...setting.field].join("\\.")}(?:\\.|$)`),
);

const meshSwitches = (base: MeshView, head: MeshView, out: Findings): void => {
  for (const setting of MESH_SWITCHES) {
    const was = locate(base[setting.in], setting.field);
    const now = locate(head[setting.in], setting.field);
    const [before, after] = [setting.read(was.value), setting.read(now.value)];
    if (before === after) continue;
    const weakened = after === setting.weaker;
    out.add({
      class: weakened ? setting.weakened : "resource.changed",
      summary: `${setting.in}.${setting.field.join(".")} ${before} → ${after}: ${weakened ? setting.effect : setting.stricter}`,
      side: "head",
      ...spot(now),
      before,
      after,
      ...(weakened ? {} : { riskFloor: "medium" as const }),
    });
  }
};

/**
 * The mesh-wide locality failover (`meshConfig.localityLbSetting`: failover, failoverPriority,
 * distribute), the default of every DestinationRule that sets none: where traffic goes when a
 * locality fails, or how it is spread, for the whole mesh.
 */
const meshLocality = (base: MeshView, head: MeshView, out: Findings): void => {
  const routing = (view: MeshView) => {
    const { enabled: _enabled, ...rest } = record(locate(view.meshConfig, ["localityLbSetting"]).value);
    return rest;
  };
  const [before, after] = [routing(base), routing(head)];
  if (sameValue(before, after)) return;
  out.add({
    class: "failover.changed",
    summary: `meshConfig.localityLbSetting ${show(before)} → ${show(after)}: where traffic fails over or how it spreads across localities changes for every service whose DestinationRule sets none`,
    side: "head",
    ...spot(locate(head.meshConfig, ["localityLbSetting"])),
    before,
    after,
  });
};

/** An ext-authz extension provider as AuthorizationPolicies with `action: CUSTOM` ask it: where, and what a failure to answer does. */
interface Authorizer {
  readonly index: number;
  readonly service: string;
  readonly failOpen: boolean;
}

const authorizers = (view: MeshView): { found: Located; byName: Map<string, Authorizer> } => {
  const found = locate(view.meshConfig, ["extensionProviders"]);
  const { value } = found;
  const byName = new Map<string, Authorizer>();
  list(value).forEach((provider, index) => {
    const fields = record(provider);
    const name = text(fields.name);
    const authz = optionalRecord(fields.envoyExtAuthzHttp) ?? optionalRecord(fields.envoyExtAuthzGrpc);
    if (!name || !authz || byName.has(name)) return;
    const service = `${text(authz.service) ?? "?"}:${String(authz.port ?? "?")}`;
    byName.set(name, { index, service, failOpen: flag(authz.failOpen) ?? false });
  });
  return { found, byName };
};

/** The CUSTOM AuthorizationPolicies of a tree that ask a provider, by display name. */
const customPoliciesAsking = (name: string, context: DetectorContext): string[] =>
  copiesNamed(
    [...context.head.resources.values()].filter(
      (policy) =>
        policy.id.kind === "AuthorizationPolicy" &&
        text(record(policy.body.spec).action) === "CUSTOM" &&
        text(record(record(policy.body.spec).provider).name) === name,
    ),
  );

/**
 * `meshConfig.extensionProviders` that AuthorizationPolicies with `action: CUSTOM` ask to decide
 * access (envoyExtAuthzHttp / envoyExtAuthzGrpc): pointed at another service, another server
 * decides (trust.changed, as a CUSTOM policy asking another provider is); `failOpen` turned on
 * lets requests through when it cannot answer (access.widened); removed or renamed while a CUSTOM
 * policy still asks it, istiod denies what those policies match ("failed to process CUSTOM action,
 * will generate deny configs"): reference.broken.
 */
const extensionProviders = (base: MeshView, head: MeshView, out: Findings, context: DetectorContext): void => {
  const [was, now] = [authorizers(base), authorizers(head)];
  for (const [name, before] of was.byName) {
    const after = now.byName.get(name);
    if (!after) {
      const asking = customPoliciesAsking(name, context);
      if (asking.length > 0)
        out.add({
          class: "reference.broken",
          summary: `meshConfig.extensionProviders ${name} removed while CUSTOM AuthorizationPolicies still ask it (${asking.join(", ")}): istiod denies every request their rules match`,
          side: "head",
          ...spot(now.found),
          before: { name, service: before.service },
          after: null,
        });
      continue;
    }
    const at = spot({ ...now.found, path: [...now.found.path, after.index] });
    if (after.service !== before.service)
      out.add({
        class: "trust.changed",
        summary: `meshConfig.extensionProviders ${name} asks ${after.service} (was ${before.service}): another server decides access for every CUSTOM policy that asks ${name}`,
        side: "head",
        ...at,
        before: before.service,
        after: after.service,
      });
    if (after.failOpen && !before.failOpen)
      out.add({
        class: "access.widened",
        summary: `meshConfig.extensionProviders ${name} failOpen false → true: requests are let through whenever the authorizer fails or cannot be reached`,
        side: "head",
        ...at,
        before: false,
        after: true,
      });
  }
};

/** What each mesh-wide default exportTo gives: the kinds that set none of their own. */
const DEFAULT_EXPORTS = Object.entries(DEFAULT_EXPORT_FIELD).map(
  ([kind, field]) => [field, kind === "ServiceEntry" ? "Services and ServiceEntries" : `${kind}s`] as const,
);

/**
 * The mesh's default exportTo (`*` unless set): widened to every namespace, whatever sets none of
 * its own is seen everywhere (access.widened, as `exportTo: ["*"]` on one is); narrowed, callers in
 * other namespaces lose what they routed by (medium, as a narrowing on one is).
 */
const defaultExports = (base: MeshView, head: MeshView, out: Findings): void => {
  for (const [field, kinds] of DEFAULT_EXPORTS) {
    const was = locate(base.meshConfig, [field]);
    const now = locate(head.meshConfig, [field]);
    const read = (value: unknown) => (texts(value).length === 0 ? ["*"] : sortedSet(texts(value)));
    const [before, after] = [read(was.value), read(now.value)];
    if (sameValue(before, after)) continue;
    const widened = after.includes("*") && !before.includes("*");
    out.add({
      class: widened ? "access.widened" : "resource.changed",
      summary: `meshConfig.${field} ${show(before)} → ${show(after)}: ${
        widened
          ? `${kinds} that set no exportTo of their own are now visible in every namespace`
          : `${kinds} that set no exportTo of their own are no longer visible where they were: callers in other namespaces lose them`
      }`,
      side: "head",
      ...spot(now),
      before,
      after,
      ...(widened ? {} : { riskFloor: "medium" as const }),
    });
  }
};

/**
 * `meshConfig.discoverySelectors`: the label selectors (ORed) of the namespaces istiod watches; none
 * watches all. Selectors where there were none, or selectors changed other than by adding
 * alternatives, may drop namespaces: istiod stops reading their Services, routes and policies, so
 * what the mesh served there goes (high). Removing them all, or adding an alternative, only widens.
 */
const discoverySelectors = (base: MeshView, head: MeshView, out: Findings): void => {
  const was = locate(base.meshConfig, ["discoverySelectors"]);
  const now = locate(head.meshConfig, ["discoverySelectors"]);
  const [before, after] = [list(was.value), list(now.value)];
  // None now watches every namespace; every earlier selector kept, with more beside it, watches more.
  if (after.length === 0) return;
  if (before.length > 0 && before.every((selector) => after.some((kept) => sameValue(kept, selector)))) return;
  out.add({
    class: "resource.changed",
    summary: `meshConfig.discoverySelectors ${show(before.length === 0 ? "(every namespace)" : before)} → ${show(after)}: istiod stops watching namespaces these no longer select, and what the mesh served there (services, routes, policies) drops out of every proxy's configuration`,
    side: "head",
    ...spot(now),
    before,
    after,
    riskFloor: "high",
  });
};

/**
 * `meshConfig.rootNamespace` moved: the policies without a selector in the old root namespace (a
 * PeerAuthentication, a Sidecar, an EnvoyFilter) stop being mesh-wide, and those in the new one
 * become it. A STRICT PeerAuthentication left behind is mesh mTLS weakened (critical); anything else
 * that stops or starts applying to the whole mesh is high.
 */
const rootNamespaceMoved = (base: MeshView, head: MeshView, out: Findings, context: DetectorContext): void => {
  const rootOf = (view: MeshView) => text(locate(view.meshConfig, ["rootNamespace"]).value) ?? DEFAULT_ROOT_NAMESPACE;
  const [was, now] = [rootOf(base), rootOf(head)];
  if (was === now) return;
  const meshWide = (namespace: string) =>
    [...context.head.resources.values()].filter(
      (policy) =>
        policy.id.namespace === namespace &&
        ["PeerAuthentication", "Sidecar", "EnvoyFilter"].includes(policy.id.kind) &&
        policy.id.group.endsWith("istio.io") &&
        Object.keys(record(record(policy.body.spec).selector ?? record(policy.body.spec).workloadSelector)).length === 0,
    );
  const [left, taken] = [meshWide(was), meshWide(now)];
  const strictLeft = left.filter(
    (policy) => policy.id.kind === "PeerAuthentication" && text(record(record(policy.body.spec).mtls).mode) === "STRICT",
  );
  const names = (policies: readonly Resource[]) => copiesNamed(policies).join(", ") || "none";
  out.add({
    class: strictLeft.length > 0 ? "mtls.weakened" : "resource.changed",
    summary: `meshConfig.rootNamespace ${was} → ${now}: mesh-wide policies in ${was} now apply to ${was} alone (${names(left)})${strictLeft.length > 0 ? ", so STRICT mTLS no longer holds for the rest of the mesh" : ""}; those in ${now} now apply mesh-wide (${names(taken)})`,
    side: "head",
    ...spot(locate(head.meshConfig, ["rootNamespace"])),
    before: was,
    after: now,
    ...(strictLeft.length > 0 ? {} : { riskFloor: "high" as const }),
  });
};

/** Every mesh-wide setting read the same way wherever an install writes its mesh config and globals. */
const meshSettings = (base: MeshView, head: MeshView, out: Findings): void => {
  identity(base, head, out);
  discoverySelectors(base, head, out);
  defaultExports(base, head, out);
  meshSwitches(base, head, out);
  meshLocality(base, head, out);
  serviceSettings(base, head, out);
  serviceScopeConfigs(base, head, out);
};

const identity = (base: MeshView, head: MeshView, out: Findings): void => {
  for (const setting of IDENTITY_SETTINGS) {
    const named = `${setting.in}.${setting.field.join(".")}`;
    // Empty is unset, as the chart's `default` reads it.
    const read = (view: MeshView): Located & { readonly named: string } => {
      const found = locate(view[setting.in], setting.field);
      const { legacy } = setting;
      if (!legacy || !(found.value === undefined || found.value === null || found.value === "")) return { ...found, named };
      const old = locate(view[legacy.in], legacy.field);
      return old.value === undefined ? { ...found, named } : { ...old, named: `${legacy.in}.${legacy.field.join(".")}` };
    };
    const [was, now] = [read(base), read(head)];
    const before = setting.normal(was.value);
    const after = setting.normal(now.value);
    if (sameValue(before, after)) continue;
    out.add({
      class: "trust.changed",
      summary: `${now.named} ${show(before)} → ${show(after)}: ${setting.effect}`,
      side: "head",
      ...spot(now),
      before,
      after,
    });
  }
};

// ---------------------------------------------------------------------------------------------
// Service scope: which services' endpoints are shared across clusters

/**
 * Services turning cluster-local lose their endpoints in other clusters (backend.region-removed);
 * services turning global gain them (backend.region-added). Which regions those are is not in
 * the mesh config, so the summary names the services and the direction.
 */
const clusterLocalHosts = (located: Located): Map<string, boolean> => {
  const hosts = new Map<string, boolean>();
  for (const entry of list(located.value)) {
    const local = flag(record(record(entry).settings).clusterLocal) ?? false;
    for (const host of texts(record(entry).hosts)) hosts.set(host, local);
  }
  return hosts;
};

const serviceSettings = (base: MeshView, head: MeshView, out: Findings): void => {
  const was = locate(base.meshConfig, ["serviceSettings"]);
  const now = locate(head.meshConfig, ["serviceSettings"]);
  const before = clusterLocalHosts(was);
  const after = clusterLocalHosts(now);
  for (const host of sortedSet([...before.keys(), ...after.keys()])) {
    const local = after.get(host) ?? false;
    if ((before.get(host) ?? false) === local) continue;
    out.add({
      class: local ? "backend.region-removed" : "backend.region-added",
      summary: local
        ? `meshConfig.serviceSettings makes ${host} cluster-local: callers stop reaching its endpoints in other clusters`
        : `meshConfig.serviceSettings makes ${host} mesh-global again: its endpoints in other clusters start receiving traffic`,
      side: "head",
      ...spot(now),
      before: { host, clusterLocal: !local },
      after: { host, clusterLocal: local },
    });
  }
};

const scopeSelector = (entry: unknown): string =>
  show({ namespaceSelector: record(entry).namespaceSelector, servicesSelector: record(entry).servicesSelector });

const serviceScopeConfigs = (base: MeshView, head: MeshView, out: Findings): void => {
  const was = locate(base.meshConfig, ["serviceScopeConfigs"]);
  const now = locate(head.meshConfig, ["serviceScopeConfigs"]);
  const scope = (entry: unknown) => text(record(entry).scope);
  for (const pair of pairEntries(list(was.value), list(now.value), [(entry) => canonical({ ...record(entry), scope: undefined })])) {
    const before = pair.base && scope(pair.base.value);
    const after = pair.head && scope(pair.head.value);
    if (before === after) continue;
    // An entry that stops applying leaves its services to the default scope: the opposite direction.
    const becomesGlobal = after === "GLOBAL" || (after === undefined && before === "LOCAL");
    const selector = scopeSelector((pair.head ?? pair.base)?.value);
    out.add({
      class: becomesGlobal ? "backend.region-added" : "backend.region-removed",
      summary: `meshConfig.serviceScopeConfigs ${selector} scope ${show(before)} → ${show(after)}: matching services ${
        becomesGlobal
          ? "become global, so their endpoints in other clusters start receiving traffic"
          : "become cluster-local, so callers stop reaching their endpoints in other clusters"
      }`,
      side: pair.head ? "head" : "base",
      path: pair.head ? [...now.path, pair.head.index] : [...was.path, pair.base?.index ?? 0],
      before: before && { selector, scope: before },
      after: after && { selector, scope: after },
    });
  }
};

/**
 * Istio's `gateway` chart, installed by a Flux HelmRelease or read from its values file (the
 * IstioValues of a file the mesh globs match: gateway values hold a `service` mapping, istiod's
 * none): its `service` values make the gateway's Service, a LoadBalancer unless they say
 * otherwise. One that stops facing the internet closes the mesh's door.
 */
const GATEWAY_VALUES: Readonly<Record<string, { readonly root: FieldPath; readonly installs: (resource: Resource) => boolean }>> = {
  HelmRelease: {
    root: ["spec", "values"],
    installs: (resource) => text(valueAt(resource.body, ["spec", "chart", "spec", "chart"])) === "gateway",
  },
  IstioValues: { root: [], installs: (resource) => isRecord(resource.body.service) },
};

const gatewayChartService = (kind: string, base: Resource, head: Resource, out: DetectionList): void => {
  const values = GATEWAY_VALUES[kind];
  if (!values || !values.installs(base) || !values.installs(head)) return;
  const service: FieldPath = [...values.root, "service"];
  const balancing = (resource: Resource) => ({
    type: text(valueAt(resource.body, [...service, "type"])),
    annotations: valueAt(resource.body, [...service, "annotations"]),
    ports: valueAt(resource.body, [...service, "ports"]),
  });
  const closed = stopsFacingInternet(balancing(base), balancing(head), "LoadBalancer")?.summary;
  if (closed === undefined) return;
  out.add({
    class: "listener.changed",
    summary: `the gateway chart's Service: ${closed}`,
    side: "head",
    path: service,
    before: balancing(base),
    after: balancing(head),
  });
};

/** `{ [key]: mapping }` when `value` is a YAML string holding a mapping, else nothing to lay over. */
function parsedMapping(key: string, value: unknown, readYaml: DetectorContext["readYaml"]): Record<string, unknown> {
  const parsed = typeof value === "string" ? readYaml(value) : undefined;
  return parsed !== null && typeof parsed === "object" && !Array.isArray(parsed) ? { [key]: parsed } : {};
}

/** istiod's mesh ConfigMap as its settings are read: its `mesh` and `meshNetworks` documents parsed in place (a finding points at their line). */
function asMeshConfigMap(resource: Resource, readYaml: DetectorContext["readYaml"]): Resource {
  const data = record(resource.body.data);
  const parsed = { ...parsedMapping("mesh", data.mesh, readYaml), ...parsedMapping("meshNetworks", data.meshNetworks, readYaml) };
  return { ...resource, body: { ...resource.body, data: { ...data, ...parsed } } };
}

/**
 * The install an added one replaces: the base's installs of its kind that the head lacks, paired
 * with the head's it lacks, first by equal content (a file moved, an unnamed IstioOperator named
 * by its file among them), then, where exactly one of each is left, by elimination (an
 * IstioOperator renamed, the mesh ConfigMap renamed for a revision, a values file moved): the two
 * are one install, and its settings are compared (a rename carrying a trust domain change passed as
 * an install added and one removed, both low; several installs moved together read as fresh ones).
 */
function replaced(added: Resource, context: DetectorContext): Resource | undefined {
  const installs = (from: ManifestSet, without: ManifestSet, side: "base" | "head") =>
    [...from.resources.values()].filter(
      (resource) => resource.id.kind === added.id.kind && !without.resources.has(resource.key) && installsIstio(resource, context, side),
    );
  const content = (resource: Resource) => canonical({ ...resource.body, metadata: undefined });
  const pairs = pairEntries(installs(context.base, context.head, "base"), installs(context.head, context.base, "head"), [content]);
  const same = pairs.find((pair) => pair.base && pair.head?.value === added);
  if (same) return same.base?.value;
  const [gone, arrived] = [pairs.filter((pair) => !pair.head), pairs.filter((pair) => !pair.base)];
  return gone.length === 1 && arrived.length === 1 && arrived[0]?.head?.value === added ? gone[0]?.base?.value : undefined;
}

/**
 * What an install that replaces none is compared with. Beside installs the PR keeps on its cluster
 * (a canary revision added next to the running one, Istio's documented upgrade), it is compared
 * with the one it differs from least: repeating the mesh's own trust domain or network changes
 * nothing, a revision bringing another one is the change it makes. Else with Istio's defaults,
 * every setting unset (each check reads unset as istiod does: trust domain cluster.local, no
 * aliases, no meshID, network or cluster name, auto mTLS on, ALLOW_ANY, root namespace
 * istio-system, every namespace watched and exported to). So a trust domain a new install sets is
 * the change from cluster.local that setting it on an existing install is, as an added
 * PeerAuthentication is judged against what its workloads inherit. An install writing only
 * defaults, or only settings these checks leave alone (its profile, components, images), adds
 * nothing to judge. What concerns a version of the install (its gateways, images, the gateway
 * chart's Service) is judged only between versions.
 */
const freshSettings = (
  head: MeshView,
  kept: readonly { readonly install: MeshView; readonly name: string }[],
  out: Findings,
  context: DetectorContext,
  what = "",
): void => {
  // Never the defaults beside a kept install: a revision leaving out the mesh's trust domain gives its workloads cluster.local's.
  const candidates = kept.length > 0 ? kept : [{ install: NO_SETTINGS, name: "" }];
  const compared = candidates.map(({ install, name }) => {
    const drafts: DetectionDraft[] = [];
    const sink: Findings = { add: (draft) => drafts.push(draft) };
    meshSettings(install, head, sink);
    rootNamespaceMoved(install, head, sink, context);
    return { name, drafts };
  });
  const closest = compared.reduce((best, next) => (next.drafts.length < best.drafts.length ? next : best));
  const lead = closest.name
    ? `${what}added beside ${closest.name}, which it is compared with`
    : `${what}added, replacing no install here, so compared with Istio's defaults`;
  for (const draft of closest.drafts) out.add({ ...draft, summary: `${lead}: ${draft.summary}` });
};

/** The installs of a kind both trees hold that may run on the cluster of `added`: the mesh a new one joins. */
const keptInstalls = (added: Resource, context: DetectorContext): Resource[] =>
  [...context.head.resources.values()].filter(
    (resource) =>
      resource !== added &&
      resource.id.kind === added.id.kind &&
      context.base.resources.has(resource.key) &&
      mayShareCluster(resource, added) &&
      installsIstio(resource, context),
  );

/** How a release kind's values are read: every source of them, as its tool merges them (mesh-values.ts). */
const RELEASES: Readonly<
  Record<string, (resource: Resource, side: "base" | "head", context: DetectorContext) => ReleaseValues | undefined>
> = { HelmRelease: helmReleaseValues, Application: applicationValues };

/** An install's settings as one tree holds it: a release's from its values, a document's where its kind keeps them. */
function viewOf(install: Resource, side: "base" | "head", context: DetectorContext): MeshView {
  const { kind } = install.id;
  const release = RELEASES[kind]?.(install, side, context);
  if (release) return releaseView(release);
  const layout = LAYOUTS[kind];
  if (!layout) return NO_SETTINGS;
  if (kind === "IstioValues") return umbrellaView(install, side, context) ?? documentView(install.body, layout);
  return documentView(kind === "ConfigMap" ? asMeshConfigMap(install, context.readYaml).body : install.body, layout);
}

/** One install's settings on both sides: a release's sources read alike on both (releaseViews). */
function viewsOf(base: Resource, head: Resource, context: DetectorContext): [MeshView, MeshView] {
  const read = RELEASES[head.id.kind];
  const [was, now] = [read?.(base, "base", context), read?.(head, "head", context)];
  return was && now ? releaseViews(was, now) : [viewOf(base, "base", context), viewOf(head, "head", context)];
}

/**
 * Every setting compared between two versions of one install. What a values file the tree reads as
 * Istio values itself (IstioValues) changes in place is that file's own finding: a release reading
 * it says it again only where its value there stays and what lies over it changed.
 */
const compareSettings = (base: MeshView, head: MeshView, out: Findings, context: DetectorContext): void => {
  const documents = (set: ManifestSet) =>
    new Map(
      [...set.resources.values()].flatMap((values) => (values.id.kind === ISTIO_VALUES.kind ? [[values.source.file, values.body]] : [])),
    );
  const [was, now] = [documents(context.base), documents(context.head)];
  const sink: Findings = {
    add: (draft) => {
      const file = draft.at?.file;
      const inPlace = file !== undefined && was.has(file) && now.has(file);
      if (!inPlace || sameValue(valueAt(was.get(file), draft.path), valueAt(now.get(file), draft.path))) out.add(draft);
    },
  };
  meshSettings(base, head, sink);
  extensionProviders(base, head, sink, context);
  rootNamespaceMoved(base, head, sink, context);
};

export const istioMeshDetector: ResourceDetector = (change, context) => {
  const kind = (change.head ?? change.base)?.id.kind;
  if (kind === undefined || !change.head || (!LAYOUTS[kind] && !RELEASES[kind])) return [];
  if (!change.base && !installsIstio(change.head, context)) return [];
  const earlier = change.base ?? replaced(change.head, context);
  if (earlier && !installsIstio(earlier, context, "base") && !installsIstio(change.head, context)) return [];
  const out = new DetectionList(change);
  if (!earlier) {
    const kept = keptInstalls(change.head, context).map((install) => ({
      install: viewOf(install, "head", context),
      name: displayName(install.id),
    }));
    freshSettings(viewOf(change.head, "head", context), kept, out, context);
    return out.detections;
  }
  compareSettings(...viewsOf(earlier, change.head, context), out, context);
  if (kind === "IstioOperator") operatorGateways(earlier, change.head, out, context);
  gatewayChartService(kind, earlier, change.head, out);
  controlPlaneImage(earlier, change.head, CONTROL_PLANE_IMAGE[kind] ?? [], out);
  return out.detections;
};

/**
 * Releases of istiod the change leaves as they were while a source of their values outside their
 * own document changes (a `valuesFrom` ConfigMap, a values file, a wrapper chart's values.yaml),
 * and wrapper charts of istiod nothing in the tree installs (their values.yaml is what any install
 * of them starts from): their settings compared as an edit of the install, each finding pointing
 * at the file and line that set the value. A release the change edits is istioMeshDetector's,
 * which reads the same sources.
 */
export const meshValuesDetector: FileDetector = ({ head: files }, context) => {
  const found: Detection[] = [];
  const installed = new Set<string>();
  for (const [key, head] of context.head.resources) {
    const read = RELEASES[head.id.kind];
    if (!read || (head.id.kind === "HelmRelease" && head.family !== "istio-mesh")) continue;
    const now = read(head, "head", context);
    if (!now) continue;
    const folder = head.id.kind === "Application" ? installingSource(head, "head", context)?.chart?.folder : undefined;
    if (folder !== undefined) installed.add(folder);
    const base = context.base.resources.get(key);
    if (!base || !now.layers.some((layer) => layer.at) || !sameValue(base.body, head.body)) continue;
    const was = read(base, "base", context);
    if (!was) continue;
    const out = new DetectionList({ key, base, head });
    compareSettings(...releaseViews(was, now), out, context);
    found.push(...out.detections.map((detection) => ({ ...detection, resourceKey: key })));
  }
  const readAsValues = new Set(
    [...context.head.resources.values()].flatMap((values) => (values.id.kind === ISTIO_VALUES.kind ? [values.source.file] : [])),
  );
  for (const chart of wrapperCharts(
    files.map((file) => file.path),
    "head",
    context,
  )) {
    if (installed.has(chart.folder)) continue;
    const [now] = chartDefaults(chart, "head", context);
    // Read as Istio values itself (a top-level `global`), it is judged as one, under the same key.
    if (!now?.at || readAsValues.has(now.at.file)) continue;
    const earlier = wrapperChartAt(chart.folder, "base", context);
    const [was] = earlier ? chartDefaults(earlier, "base", context) : [];
    if (was?.at?.text === now.at.text && earlier?.subchart === chart.subchart) continue;
    const values = (layer: ValuesLayer): Resource => ({
      id: { ...ISTIO_VALUES, namespace: "", name: layer.at!.file },
      key: `${ISTIO_VALUES.group}/${ISTIO_VALUES.kind}//${layer.at!.file}`,
      apiVersion: "",
      family: "istio-mesh",
      labels: {},
      annotations: {},
      body: layer.values,
      source: layer.at!,
    });
    const out = new DetectionList(
      was ? { key: values(now).key, base: values(was), head: values(now) } : { key: values(now).key, head: values(now) },
    );
    const view = valuesView([now], chart.subchart);
    if (was && earlier) compareSettings(valuesView([was], earlier.subchart), view, out, context);
    else freshSettings(view, [], out, context);
    found.push(...out.detections);
  }
  return found;
};

/**
 * Where an install names the images it installs: `tag` picks the istiod, gateway and proxy version
 * and `hub` the registry (an IstioOperator's at its top or in `values.global`, Helm values' in
 * `global`). A change is a mesh upgrade (or a move to another registry's images): istiod and its
 * gateways restart on it and sidecars follow as pods restart, for every workload of the mesh
 * (anthos-service-mesh-packages bbbdcd81: 1.8 → 1.9 was a low field line). A chart version bump of
 * a remote chart is a render the review cannot do, and blocks as such.
 */
const IMAGE_FIELDS = ["tag", "hub"] as const;
const SAIL_IMAGE: readonly FieldPath[] = [["spec", "version"], ...IMAGE_FIELDS.map((field) => ["spec", "values", "global", field])];
const CONTROL_PLANE_IMAGE: Readonly<Record<string, readonly FieldPath[]>> = {
  IstioOperator: IMAGE_FIELDS.flatMap((field) => [["spec", field] as FieldPath, ["spec", "values", "global", field]]),
  IstioValues: IMAGE_FIELDS.map((field) => ["global", field]),
  HelmRelease: IMAGE_FIELDS.map((field) => ["spec", "values", "global", field]),
  // A Sail `version` picks the release whose images and chart the operator installs.
  Istio: SAIL_IMAGE,
  IstioRevision: SAIL_IMAGE,
};

function controlPlaneImage(base: Resource, head: Resource, paths: readonly FieldPath[], out: DetectionList): void {
  for (const path of paths) {
    const [was, now] = [valueAt(base.body, path), valueAt(head.body, path)];
    if (sameValue(was, now)) continue;
    const what = path.at(-1) === "hub" ? "image registry" : "version";
    out.add({
      class: "resource.changed",
      summary: `control plane ${what} ${show(was)} → ${show(now)}: istiod and its gateways restart on it, and every sidecar follows as its pod restarts (a mesh-wide upgrade)`,
      side: "head",
      path,
      before: was,
      after: now,
      riskFloor: "high",
    });
  }
}

/**
 * Gloo's IstioLifecycleManager and GatewayLifecycleManager (admin.gloo.solo.io/v2) install Istio
 * from an IstioOperator spec per installation (`spec.installations[].istioOperatorSpec`, on the
 * clusters it names): each installation is judged as an IstioOperator, paired with the earlier
 * manager's by revision (else by place), so a trust domain or network set there is the same finding
 * it is in an IstioOperator. The earlier manager of one added is the one it replaces (renamed or
 * moved to another namespace); an installation with no earlier one is compared, as an added
 * IstioOperator is, with the manager's other installations (a canary revision), else with Istio's
 * defaults. A manager removed is install-removal's.
 */
const LIFECYCLE_MANAGERS = new Set(["IstioLifecycleManager", "GatewayLifecycleManager"]);

export const lifecycleManagerDetector: ResourceDetector = (change, context) => {
  const headSide = change.head;
  if (!headSide || !LIFECYCLE_MANAGERS.has(headSide.id.kind)) return [];
  const baseSide = change.base ?? replaced(headSide, context);
  const installations = (resource: Resource | undefined) => (resource ? list(record(resource.body.spec).installations).map(record) : []);
  const [before, after] = [installations(baseSide), installations(headSide)];
  const out = new DetectionList(change);
  after.forEach((installation, index) => {
    const revision = text(installation.revision);
    const earlier = revision !== undefined ? before.find((candidate) => text(candidate.revision) === revision) : before[index];
    // Both sides read at the head's place, so every finding points at the head's installation.
    const root: FieldPath = ["spec", "installations", index, "istioOperatorSpec"];
    const layout: MeshLayout = {
      meshConfig: [
        [...root, "meshConfig"],
        [...root, "values", "meshConfig"],
      ],
      global: [[...root, "values", "global"]],
    };
    const placed = (spec: unknown): MeshView => {
      const slots: unknown[] = [];
      slots[index] = { istioOperatorSpec: spec };
      return documentView({ spec: { installations: slots } }, layout);
    };
    const head = placed(installation.istioOperatorSpec);
    if (earlier && baseSide) meshSettings(placed(earlier.istioOperatorSpec), head, out);
    else {
      // A revision added to a manager that already installs one is a canary of that mesh.
      const kept = baseSide
        ? before.map((other, at) => ({
            install: placed(other.istioOperatorSpec),
            name: `installation ${text(other.revision) ?? `#${at + 1}`}`,
          }))
        : [];
      freshSettings(head, kept, out, context, `installation ${revision ?? `#${index + 1}`} `);
    }
  });
  return out.detections;
};

/**
 * The `topology.istio.io/network` label on any traffic resource (an east-west Gateway, a
 * ServiceEntry, a WorkloadEntry template): moving it moves workloads between networks.
 */
export const networkLabelDetector: ResourceDetector = (change: ResourceChange) => {
  if (!change.base || !change.head) return [];
  const before = change.base.labels[NETWORK_LABEL];
  const after = change.head.labels[NETWORK_LABEL];
  if (before === after) return [];
  const out = new DetectionList(change);
  out.add({
    class: "trust.changed",
    summary: `label ${NETWORK_LABEL} ${show(before)} → ${show(after)}: what it selects moves to another network, reached through east-west gateways`,
    side: "head",
    path: ["metadata", "labels", NETWORK_LABEL],
    before,
    after,
  });
  return out.detections;
};

type MeshConfig = Readonly<Record<string, unknown>>;

/**
 * The MeshConfig a kind writes, where its layout keeps it (LAYOUTS), the more authoritative place
 * laid over the others (an IstioOperator's `spec.meshConfig` over its values').
 */
const meshConfigOf =
  (kind: string): ((resource: Resource) => MeshConfig | undefined) =>
  (resource) => {
    const found = [...LAYOUTS[kind]!.meshConfig]
      .reverse()
      .map((path) => valueAt(resource.body, path))
      .filter(isRecord);
    return found.length === 0 ? undefined : Object.assign({}, ...found);
  };

/** istiod's chart defaults the root namespace to its own (`global.istioNamespace`), which Sail sets from `spec.namespace`. */
const sailMeshConfig = (resource: Resource): MeshConfig => {
  const namespace = text(record(resource.body.spec).namespace);
  return { ...(namespace ? { rootNamespace: namespace } : {}), ...meshConfigOf("Istio")(resource) };
};

/**
 * istiod's mesh ConfigMap, its `mesh` document parsed: the MeshConfig istiod runs with, where an
 * install's rendered manifests are vendored. Only the default revision's (`istio`) is the tree's:
 * a revision's (`istio-canary`) serves the workloads labelled for it, and taken as the mesh's its
 * REGISTRY_ONLY hid the default's ALLOW_ANY (its own fields are still judged where it is changed).
 */
const configMapMeshConfig = (resource: Resource, readYaml: DetectorContext["readYaml"]): MeshConfig | undefined =>
  resource.id.name === "istio" && installsIstio(resource) ? meshConfigOf("ConfigMap")(asMeshConfigMap(resource, readYaml)) : undefined;

export const meshConfigs: Readonly<Record<string, (resource: Resource, readYaml: DetectorContext["readYaml"]) => MeshConfig | undefined>> =
  {
    IstioOperator: meshConfigOf("IstioOperator"),
    IstioValues: meshConfigOf("IstioValues"),
    Istio: sailMeshConfig,
    IstioRevision: sailMeshConfig,
    // A HelmRelease read here installs an Istio chart (textKinds); istiod's values carry the MeshConfig.
    HelmRelease: meshConfigOf("HelmRelease"),
    ConfigMap: configMapMeshConfig,
  };

/** Mesh identity and network settings reach every workload of the mesh, wherever they sit. */
const meshWide: MeshScopeReader = (resource, context) => ({
  resource: displayName(resource.id),
  scope: "mesh-wide",
  namespaces: context.namespaces,
  detail: "mesh identity and network settings: every workload of the mesh",
});

export const meshSettingScopes: Readonly<Record<string, MeshScopeReader>> = {
  IstioOperator: meshWide,
  IstioValues: meshWide,
  Istio: meshWide,
  IstioRevision: meshWide,
  IstioLifecycleManager: meshWide,
  GatewayLifecycleManager: meshWide,
  ConfigMap: meshWide,
};
