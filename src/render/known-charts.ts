import { isRecord, record } from "../core/json-access.js";
import { equalData } from "../core/canonical-values.js";
import { K8GB_CHART, K8GB_TOPOLOGY_VALUES } from "../core/k8gb-topology-values.js";
import { MESH_POD_KEY } from "../core/mesh-pod-keys.js";

/**
 * Charts from outside the repository whose templates are known, so that what their values render
 * as traffic config is known without fetching them: a release of one whose values change only
 * elsewhere applies the traffic config it applied before, and needs no render (render-plan.ts
 * counts only these values in its fingerprint). Matched by where the chart comes from
 * (`RenderRoot.fetches`); a chart whose source the tree does not say is no known chart.
 */
interface KnownChart {
  /** Where it is served from: a Helm repository URL and chart name, or an OCI artifact URL. */
  readonly source: RegExp;
  /** For a chart some of whose values a family judges in the release itself: the chart name the family reads a release of it by. */
  readonly judgedAs?: string;
  /**
   * The values, without those its templates render only into workloads and their own objects.
   * `own`: the values the release itself writes (a HelmRelease's `values`, not those its `valuesFrom`
   * merge in), which are all a family reads of it; undefined where no family reads the release.
   */
  readonly trafficValues: (values: Readonly<Record<string, unknown>>, own: unknown) => Readonly<Record<string, unknown>>;
  /**
   * Whether a release with these values, of these chart versions (as the release or its source
   * writes them; undefined where it does not), renders any traffic config; undefined for a chart
   * any release of which may.
   */
  readonly rendersTraffic?: (values: Readonly<Record<string, unknown>>, versions: readonly (string | undefined)[]) => boolean;
}

const picked = (value: unknown, fields: readonly string[]): unknown =>
  isRecord(value) ? Object.fromEntries(fields.flatMap((field) => (value[field] === undefined ? [] : [[field, value[field]]]))) : value;

/**
 * Of a pod's options, what reaches traffic: sharing the node's network, its labels (Services select
 * pods by them), and the annotations by which a mesh enrols it or takes its traffic (MESH_POD_KEY).
 * Any other annotation routes nothing a family reads (auricom/home-ops f5897ab74d: a Multus
 * `k8s.v1.cni.cncf.io/networks` address edited in unifi's pod blocked as a render to do, and so did
 * a space added inside that annotation's JSON).
 */
function podTraffic(pod: unknown): unknown {
  if (!isRecord(pod)) return pod;
  const kept = picked(pod, ["hostNetwork", "labels"]) as Record<string, unknown>;
  const annotations = meshAnnotations(pod.annotations);
  return annotations === undefined ? kept : { ...kept, annotations };
}

/** Of a pod's annotations, the mesh's; undefined where there are none (a mapping left empty says nothing). */
const meshAnnotations = (annotations: unknown): unknown => {
  if (!isRecord(annotations)) return annotations;
  const mesh = Object.entries(annotations).filter(([key]) => MESH_POD_KEY.test(key));
  return mesh.length > 0 ? Object.fromEntries(mesh) : undefined;
};

/**
 * app-template's values keys of workloads' own objects: volumes and claims, config maps, secrets,
 * service monitors, RBAC; and, of the flat values of its 1.x and 2.x releases (the main container
 * and its pod at the top level: what 3.x moved under `controllers`), the container's and the pod's
 * scheduling and runtime options. Not `podLabels`, `podAnnotations` (a mesh's, as `podTraffic` keeps
 * them), `hostNetwork` (the node's network), `controller` (whether it runs, as what) nor `addons`
 * (code-server renders an Ingress).
 */
const WORKLOAD_OBJECTS = new Set([
  ...["persistence", "configMaps", "configmap", "secrets", "secret", "serviceMonitor", "serviceAccount", "rbac"],
  ...["image", "imagePullSecrets", "command", "args", "env", "envFrom", "probes", "resources", "securityContext", "lifecycle"],
  ...["termination", "initContainers", "additionalContainers", "sidecars", "podSecurityContext", "automountServiceAccountToken"],
  ...["nodeSelector", "tolerations", "affinity", "topologySpreadConstraints", "priorityClassName", "schedulerName"],
  ...["runtimeClassName", "hostAliases", "dnsConfig", "dnsPolicy", "enableServiceLinks", "volumeClaimTemplates"],
]);

/**
 * app-template's values keys that render workloads and nothing beside them: its controllers (what
 * runs, as what, its pods), the pods' defaults, 1.x's `controller`, and `global` (the names and
 * labels of what the rest renders). A release of these alone (a runner, a queue worker: billimek/k8s-gitops
 * 8218b9dd23) renders no Service, route, Ingress or network policy, which only `service`, `route`,
 * `ingress`, `networkpolicies`, `rawResources` and 1.x's `addons` ask for — from 3.0 on: 1.x and
 * 2.x render a `main` Service by default, which a route elsewhere in the repository may send to, so
 * a release of theirs removed can leave that route without its backend. A version the release does
 * not pin to 3 or later (`*`, a range across 2.x) counts as one that may. Its pods' labels still
 * decide a Service the tree declares beside it: traffic-free-root.ts asks for those.
 */
const WORKLOADS_ALONE = new Set(["controllers", "controller", "defaultPodOptions", "global"]);

/** The major version a chart version or constraint pins (`4.4.0`, `v3.7.1`, `3.x`, `^4.0.0`, `>=3.0.0 <4`), where it pins one. */
const majorVersion = (version: string | undefined): number | undefined => {
  const match = /^\s*(?:[v=^~]|>=)?\s*v?(\d+)(?:\.(?:\d+|[xX*]))*(?:[-+][0-9A-Za-z.-]+)?(?:\s+<\s*v?(\d+)(?:\.\d+)*)?\s*$/.exec(
    version ?? "",
  );
  return match ? Number(match[1]) : undefined;
};

/** Whether a controller runs, as what (a CronJob's pods are mostly absent), and its pods' network and mesh enrolment. */
function controllerTraffic(controller: unknown): unknown {
  if (!isRecord(controller)) return controller;
  const pod = controller.pod === undefined ? {} : { pod: podTraffic(controller.pod) };
  return { ...(picked(controller, ["enabled", "replicas", "type"]) as Record<string, unknown>), ...pod };
}

/**
 * bjw-s's app-template (common library 3.x, 4.x: its values.schema.json), the chart most home-lab
 * GitOps repositories install every app with: `service`, `ingress` and `route` render Services,
 * Ingresses and Gateway API routes, `rawResources` anything, `global` the names and labels they are
 * found by, `networkpolicies` who may connect; of `controllers` and `defaultPodOptions` only whether a
 * controller runs and as what (`enabled`, `replicas`, `type`) and its pods' network and mesh enrolment count. The rest —
 * containers and their env, probes and args, `persistence`, `configMaps`, `secrets`,
 * `serviceMonitor`, `serviceAccount`, `rbac` — renders workloads and their own objects only
 * (onedr0p/home-ops 58b07e6: an env source added to a container blocked as a render to do).
 */
const APP_TEMPLATE: KnownChart = {
  source: /(?:^|\/)bjw-s(?:-labs)?(?:\/|\.github\.io\/)(?:.*\/)?app-template$/,
  rendersTraffic: (values, versions) =>
    versions.length === 0 ||
    versions.some((version) => (majorVersion(version) ?? 0) < 3) ||
    Object.keys(values).some((key) => !WORKLOAD_OBJECTS.has(key) && !WORKLOADS_ALONE.has(key)) ||
    // Pods on the host's network or enrolled in (or out of) a mesh by their labels are judged as
    // trafficValues keeps them, not passed as a workload alone.
    [values.defaultPodOptions, ...Object.values(record(values.controllers)).map((controller) => record(controller).pod)].some(
      (pod) => isRecord(pod) && Object.keys(record(podTraffic(pod))).length > 0,
    ),
  trafficValues: (values) => {
    const kept: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(values)) {
      if (WORKLOAD_OBJECTS.has(key)) continue;
      if (key === "defaultPodOptions") kept[key] = podTraffic(value);
      else if (key === "podAnnotations") {
        const mesh = meshAnnotations(value);
        if (mesh !== undefined) kept[key] = mesh;
      } else if (key === "controllers" && isRecord(value))
        kept[key] = Object.fromEntries(Object.entries(value).map(([name, controller]) => [name, controllerTraffic(controller)]));
      else kept[key] = value;
    }
    return kept;
  },
};

/** istiod's `global` values the mesh family judges where they are written: identity, network, images. */
const JUDGED_GLOBALS = new Set(["meshID", "network", "multiCluster", "hub", "tag"]);

/**
 * Istio's istiod chart: its `meshConfig` renders into the mesh ConfigMap alone, and the mesh family
 * judges it where it is written (trust domain, mTLS and egress switches, extension providers,
 * locality, exportTo defaults, discovery selectors, root namespace), as it judges an istiod values
 * file, which no render reads either; so do the identity and image fields of `global`. Only where
 * the release writes them, key by key: what a `valuesFrom` ConfigMap sets still counts here (a mesh
 * switched to `ALLOW_ANY` egress and auto mTLS off there passed as no change; the mesh family reads
 * such sources only where both sides resolve every one), and a null does not leave it to the mesh
 * family (Helm drops the chart's default, a manifest reader the field). What else the values set
 * (pilot's environment, the injector) renders unseen, and counts.
 */
const ISTIOD: KnownChart = {
  judgedAs: "istiod",
  source: /(?:^|\/\/)(?:istio-release\.storage\.googleapis\.com\/charts|gcr\.io\/istio-release\/charts)\/istiod$/,
  trafficValues: (values, own) => {
    const { meshConfig, global, ...rest } = values;
    const written = record(own);
    const meshUnjudged = unwritten(meshConfig, written.meshConfig, () => true);
    const globalUnjudged = unwritten(global, written.global, (key) => JUDGED_GLOBALS.has(key));
    return {
      ...rest,
      ...(meshUnjudged === undefined ? {} : { meshConfig: meshUnjudged }),
      ...(globalUnjudged === undefined ? {} : { global: globalUnjudged }),
    };
  },
};

/**
 * Of a values object, what a family does not judge: every key but the `judged` ones the release
 * writes itself as they are merged (`written`), not null; undefined when that is nothing.
 */
function unwritten(merged: unknown, written: unknown, judged: (key: string) => boolean): unknown {
  if (merged === undefined) return undefined;
  if (!isRecord(merged)) return merged;
  const own = record(written);
  const left = Object.entries(merged).filter(([key, value]) => !judged(key) || value === null || !equalData(value, own[key]));
  return left.length === 0 ? undefined : Object.fromEntries(left);
}

/**
 * k8gb's chart: the values that say which geoTag this cluster is, which clusters it pairs with and
 * which zones it answers for become the operator's environment, and the dns family judges them
 * where the release writes them (a clusterGeoTag edit blocked as a render to do, though it moves
 * the primary region of every failover Gslb). Only where it writes them: one a `valuesFrom`
 * ConfigMap sets is no family's to read, and a null (Helm drops the chart's default, a manifest
 * reader the field) is not what the family sees: both still count. The rest (CoreDNS,
 * external-dns, the DNS provider) renders unseen, and counts.
 */
const K8GB: KnownChart = {
  judgedAs: K8GB_CHART,
  source: new RegExp(`(?:^|//)(?:www\\.)?(?:k8gb\\.io|ghcr\\.io/k8gb-io/charts)/${K8GB_CHART}$`),
  trafficValues: (values, own) => {
    const { k8gb, ...rest } = values;
    const written = record(record(own).k8gb);
    if (!isRecord(k8gb)) return values;
    const unjudged = Object.fromEntries(
      Object.entries(k8gb).filter(
        ([key]) => !(K8GB_TOPOLOGY_VALUES as readonly string[]).includes(key) || written[key] === undefined || written[key] === null,
      ),
    );
    return { ...rest, k8gb: unjudged };
  },
};

const KNOWN_CHARTS: readonly KnownChart[] = [APP_TEMPLATE, ISTIOD, K8GB];

/**
 * What a family reads of a release: the chart name it knows the release by (core/flux-release-chart.ts
 * for a Flux HelmRelease, an Argo CD source's `chart`) and the values the release writes itself.
 */
export interface ReleaseRead {
  readonly chart: string | undefined;
  readonly values: unknown;
}

/**
 * The values of a release of the chart `fetches` names that its templates render into traffic
 * config, when it is a known chart (every source the same one); else the values as they are. `read`:
 * what a family reads of the release, undefined where none does (a wrapper chart's values for its
 * dependency). Values a family judges are left out only where it reads that very release by the
 * chart's name: a k8gb release of an OCIRepository (`chartRef`) had its clusterGeoTag left out here
 * while the dns family knew k8gb releases only by `chart: k8gb`, and an eu → us flip passed.
 */
export function trafficValuesOf(values: unknown, fetches: readonly string[] | undefined, read: ReleaseRead | undefined): unknown {
  const known = knownChartServing(fetches);
  if (!isRecord(values) || !known) return values;
  return known.trafficValues(values, read !== undefined && read.chart === known.judgedAs ? read.values : undefined);
}

/**
 * Whether a release of the chart `fetches` names, with these values (all of them, as helm merges
 * them), renders no traffic config at all: on one side only (a release added or removed), or on
 * both, it applies none, whatever else its values or the chart's version change.
 */
export function rendersNoTrafficConfig(
  values: unknown,
  fetches: readonly string[] | undefined,
  versions: readonly (string | undefined)[],
): boolean {
  const known = knownChartServing(fetches);
  return isRecord(values) && known?.rendersTraffic !== undefined && !known.rendersTraffic(values, versions);
}

/** The known chart every one of `fetches` serves. */
const knownChartServing = (fetches: readonly string[] | undefined): KnownChart | undefined =>
  fetches && fetches.length > 0 ? KNOWN_CHARTS.find((chart) => fetches.every((source) => chart.source.test(source))) : undefined;
