import { displayName, type ManifestSet, type Resource } from "../../core/resource.js";
import { sameValue, show, showLabels, sortedSet } from "../../core/canonical-values.js";
import { becomesExternal, internalBy, stopsFacingInternet } from "../../core/load-balancer-exposure.js";
import { selects, type Labels } from "../../core/label-selector.js";
import type { DetectionList } from "../../core/detection-list.js";
import type { DetectorContext } from "../../core/detector.js";
import type { FieldPath } from "../../core/finding.js";
import type { ChangeClassId } from "../../core/change-classes.js";
import { flag, list, record, stringMap, text, valueAt } from "../../core/json-access.js";
import { pairEntries } from "../../core/pair-entries.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";

/**
 * An IstioOperator's gateway components (`spec.components.ingressGateways`, `egressGateways`): what
 * istioctl installs for each (a Deployment and Service per entry, in its namespace), and what
 * becomes of them between two versions of an install.
 */

export const NETWORK_LABEL = "topology.istio.io/network";

type GatewayKind = "ingressGateways" | "egressGateways";
const GATEWAY_KINDS: readonly GatewayKind[] = ["ingressGateways", "egressGateways"];

/** An IstioOperator gateway component: its entry, and the namespace its Deployment and Service land in. */
interface InstalledGateway {
  readonly kind: GatewayKind;
  readonly entry: unknown;
  readonly namespace: string;
  /** Its pods' labels, which its Service selects and Istio Gateways' `selector`s match. */
  readonly labels: Labels;
  /** The install's cluster, where its file's placement says. */
  readonly cluster: string | undefined;
}

/** The gateways chart each kind of component is rendered from (its values root in `values.gateways`). */
const CHARTS: Readonly<Record<GatewayKind, string>> = { ingressGateways: "istio-ingressgateway", egressGateways: "istio-egressgateway" };

/**
 * The labels istioctl gives a component's pods: the gateways chart's own (`app: istio-ingressgateway`,
 * `istio: ingressgateway`; the egress chart's alike), with the install's `values.gateways.<chart>.
 * labels` and the entry's `label` laid over them (istioctl writes `label` into the chart's values,
 * which Helm merges with the chart's defaults). An entry of any name that writes no `istio` label
 * carries `istio: ingressgateway`, and the Gateways selecting that serve it.
 */
const podLabels = (kind: GatewayKind, install: Resource, entry: unknown): Labels => {
  const chart = CHARTS[kind];
  return {
    app: chart,
    istio: chart.replace(/^istio-/, ""),
    ...stringMap(valueAt(install.body, ["spec", "values", "gateways", chart, "labels"])),
    ...stringMap(record(entry).label),
  };
};

/**
 * Where an IstioOperator installs a component that names no namespace of its own: its
 * `spec.namespace`, else `values.global.istioNamespace`, else istio-system (istioctl's order).
 */
const installNamespace = (install: Resource): string =>
  text(valueAt(install.body, ["spec", "namespace"])) ??
  text(valueAt(install.body, ["spec", "values", "global", "istioNamespace"])) ??
  "istio-system";

const installedBy = (kind: GatewayKind, install: Resource, entry: unknown): InstalledGateway => ({
  kind,
  entry,
  namespace: text(record(entry).namespace) ?? installNamespace(install),
  labels: podLabels(kind, install, entry),
  cluster: install.cluster,
});

const gatewayEnabled = (gateway: InstalledGateway) => flag(record(gateway.entry).enabled) !== false;

const annotationsOf = (gateway: InstalledGateway) => record(record(record(gateway.entry).k8s).serviceAnnotations);

/** Its Service as its load balancer is concerned. */
const balancing = (gateway: InstalledGateway) => {
  const service = record(record(record(gateway.entry).k8s).service);
  return {
    type: text(service.type),
    annotations: annotationsOf(gateway),
    ports: service.ports,
    loadBalancerClass: service.loadBalancerClass,
  };
};

/** An ingress gateway's Service is a LoadBalancer unless told otherwise (the default profile); an egress gateway's a ClusterIP. */
const defaultServiceType = (kind: GatewayKind) => (kind === "ingressGateways" ? "LoadBalancer" : "ClusterIP");

/** Whether its Service has a load balancer the internet reaches. */
const facesInternet = (gateway: InstalledGateway): boolean => {
  const service = balancing(gateway);
  return (
    gatewayEnabled(gateway) &&
    (service.type ?? defaultServiceType(gateway.kind)) === "LoadBalancer" &&
    internalBy(service.annotations, service.loadBalancerClass) === undefined
  );
};

/**
 * IstioOperator gateways (east-west gateways) carry the network label in their component spec, and
 * the annotations of their Service, which decide whether its load balancer is internal.
 */
export const operatorGateways = (base: Resource, head: Resource, out: DetectionList, context: DetectorContext): void => {
  for (const kind of GATEWAY_KINDS) {
    const gateways = (resource: Resource) => list(valueAt(resource.body, ["spec", "components", kind]));
    const pairs = pairEntries(gateways(base), gateways(head), [(gateway) => text(record(gateway).name)]);
    for (const pair of pairs) {
      if (pair.base && !pair.head) operatorGatewayRemoved(kind, installedBy(kind, base, pair.base.value), head, out, context);
      if (!pair.head) continue;
      const index = pair.head.index;
      const at = (field: FieldPath): FieldPath => ["spec", "components", kind, index, ...field];
      const name = text(record(pair.head.value).name) ?? "";
      const now = installedBy(kind, head, pair.head.value);
      // An entry written for a gateway the profile installed unwritten changes that gateway.
      const was = pair.base ? installedBy(kind, base, pair.base.value) : profileGateway(kind, name, base);
      if (was) compareGateway(was, now, `${kind} ${name}`, at, out, context);
      else if (gatewayEnabled(now)) selectionChanged(undefined, now, `${kind} ${name} added`, at, out, context);
    }
  }
};

/**
 * What becomes of a gateway component between two installs of it, said after `lead` and pointed
 * at the field that does it (`at`): uninstalled, moved to another namespace, its Service closed to
 * the internet or its load balancer made external, or its network label changed.
 */
function compareGateway(
  was: InstalledGateway,
  now: InstalledGateway,
  lead: string,
  at: (field: FieldPath) => FieldPath,
  out: DetectionList,
  context: DetectorContext,
): void {
  const { kind } = now;
  const name = text(record(now.entry).name) ?? "";
  const closed = !gatewayEnabled(was)
    ? undefined
    : !gatewayEnabled(now)
      ? "enabled true → false: the gateway is uninstalled, and every route through it stops being served"
      : stopsFacingInternet(balancing(was), balancing(now), defaultServiceType(kind))?.summary;
  if (closed !== undefined)
    out.add({
      class: "listener.changed",
      summary: `${lead}: ${closed}`,
      side: "head",
      path: at(gatewayEnabled(now) ? ["k8s"] : ["enabled"]),
      before: balancing(was),
      after: { ...balancing(now), enabled: gatewayEnabled(now) },
    });
  // A component moved is uninstalled where it was and installed anew: another Service, and for an
  // ingress gateway another load balancer (briandenicola/istio-multi-cluster-setup 5abd8b1c79 moved
  // its ingress and egress gateways from default to istio-system, read as a low field line).
  if (gatewayEnabled(was) && gatewayEnabled(now) && was.namespace !== now.namespace)
    out.add({
      class: "listener.changed",
      summary: `${lead}: namespace ${was.namespace} → ${now.namespace}: the gateway is uninstalled from ${was.namespace} and installed anew in ${now.namespace}, its Service ${name}.${now.namespace} in place of ${name}.${was.namespace}${
        kind === "ingressGateways" ? " behind another load-balancer address" : ""
      }: clients and routes sending to the old one lose it`,
      side: "head",
      path: at(["namespace"]),
      before: was.namespace,
      after: now.namespace,
    });
  const exposed = becomesExternal(annotationsOf(was), annotationsOf(now));
  if (exposed !== undefined)
    out.add({
      class: "listener.changed",
      summary: `${lead}: ${exposed}`,
      side: "head",
      path: at(["k8s"]),
      before: annotationsOf(was),
      after: annotationsOf(now),
    });
  const before = stringMap(record(was.entry).label)[NETWORK_LABEL];
  const after = stringMap(record(now.entry).label)[NETWORK_LABEL];
  if (before !== after)
    out.add({
      class: "trust.changed",
      summary: `${lead} label ${NETWORK_LABEL} ${show(before)} → ${show(after)}: the gateway serves another network`,
      side: "head",
      path: at(["label", NETWORK_LABEL]),
      before,
      after,
    });
  if (gatewayEnabled(was) && gatewayEnabled(now)) selectionChanged(was, now, lead, at, out, context);
}

/** The tree's Istio Gateways (networking.istio.io), which select gateway pods by label in every namespace. */
const istioGateways = (set: ManifestSet): readonly Resource[] =>
  resourcesOfKind(set, "Gateway").filter((gateway) => gateway.id.group.endsWith("istio.io"));

/** Whether an Istio Gateway's `selector` picks a component's pods: its labels, in a cluster where both may land. */
const serves = (component: InstalledGateway, gateway: Resource): boolean =>
  (component.cluster === undefined || gateway.cluster === undefined || component.cluster === gateway.cluster) &&
  selects({ matchLabels: record(gateway.body.spec).selector }, component.labels);

/** Every gateway component a tree's IstioOperators install, those their profiles install unwritten too. */
const installedGateways = (set: ManifestSet): InstalledGateway[] =>
  resourcesOfKind(set, "IstioOperator").flatMap((install) =>
    GATEWAY_KINDS.flatMap((kind) => {
      const written = list(valueAt(install.body, ["spec", "components", kind])).map((entry) => installedBy(kind, install, entry));
      const unwritten = (PROFILE_GATEWAYS[profileOf(install)]?.[kind] ?? [])
        .filter((name) => !written.some((gateway) => text(record(gateway.entry).name) === name))
        .map((name) => installedBy(kind, install, { name }));
      return [...written, ...unwritten].filter(gatewayEnabled);
    }),
  );

/**
 * `Gateway a/x selects` or `Gateway a/x, Gateway b/y select`, each name once (a Gateway copied into
 * each cluster's folder is one name), then `its` or `their`.
 */
const gatewaysThat = (gateways: readonly Resource[], verb: string): string => {
  const names = sortedSet(gateways.map((gateway) => displayName(gateway.id)));
  return names.length === 1 ? `${names[0]} ${verb}s` : `${names.join(", ")} ${verb}`;
};
const their = (gateways: readonly Resource[]) => (new Set(gateways.map((gateway) => displayName(gateway.id))).size === 1 ? "its" : "their");

/**
 * Which of the tree's Istio Gateways a component's pods serve, before (`was`; none for a component
 * added) and now: a Gateway whose `selector` stops matching its pods' labels loses the servers it
 * had through its Service (an ingress gateway given `label: {istio: edge}` leaves the Gateways
 * selecting `istio: ingressgateway`); one that starts matching has its servers served there too,
 * and where the load balancer faces the internet and only internal ones served that Gateway, they
 * become reachable from the internet (a new component writing no `istio` label carries `istio:
 * ingressgateway`, and an internal gateway's servers go public with it). Gateways the PR adds are
 * judged as added; a component added beside others that already serve its Gateways from the
 * internet is only another address for them.
 */
function selectionChanged(
  was: InstalledGateway | undefined,
  now: InstalledGateway,
  lead: string,
  at: (field: FieldPath) => FieldPath,
  out: DetectionList,
  context: DetectorContext,
): void {
  if (was && sameValue(was.labels, now.labels) && was.cluster === now.cluster) return;
  // Each Gateway as it selected then and selects now: a selector moved with the labels keeps its pods.
  const existing = istioGateways(context.head).flatMap((gateway) => {
    const before = context.base.resources.get(gateway.key);
    return before ? [{ gateway, before, served: was !== undefined && serves(was, before) }] : [];
  });
  const labels = `its pods' labels ${was ? `${showLabels(was.labels)} → ` : ""}${showLabels(now.labels)}`;
  const report = (cls: ChangeClassId, effect: string, path: FieldPath = ["label"]) =>
    out.add({ class: cls, summary: `${lead}: ${labels}: ${effect}`, side: "head", path: at(path), before: was?.labels, after: now.labels });
  const lost = existing.filter(({ gateway, served }) => served && !serves(now, gateway)).map(({ gateway }) => gateway);
  if (lost.length > 0)
    report(
      "listener.changed",
      `${gatewaysThat(lost, "no longer select")} them, so ${their(lost)} servers stop being served through its Service`,
    );
  const gained = existing.filter(({ gateway, served }) => !served && serves(now, gateway));
  if (gained.length === 0) return;
  const publicBefore = facesInternet(now) ? installedGateways(context.base).filter(facesInternet) : undefined;
  const widened = publicBefore
    ? gained.filter(({ before }) => !publicBefore.some((other) => serves(other, before))).map(({ gateway }) => gateway)
    : [];
  if (widened.length > 0)
    report(
      "access.widened",
      `${gatewaysThat(widened, "select")} them: ${their(widened)} servers, served only by internal load balancers before, become reachable from the internet through its Service's load balancer`,
      was ? ["label"] : [],
    );
  const moved = was ? gained.map(({ gateway }) => gateway).filter((gateway) => !widened.includes(gateway)) : [];
  if (moved.length > 0)
    report("listener.changed", `${gatewaysThat(moved, "now select")} them, so ${their(moved)} servers are served through its Service too`);
}

/** The gateways an IstioOperator profile installs without being told (istioctl's manifests/profiles). */
const PROFILE_GATEWAYS: Readonly<Record<string, Partial<Record<GatewayKind, readonly string[]>>>> = {
  default: { ingressGateways: ["istio-ingressgateway"] },
  demo: { ingressGateways: ["istio-ingressgateway"], egressGateways: ["istio-egressgateway"] },
  preview: { ingressGateways: ["istio-ingressgateway"] },
};

const profileOf = (install: Resource): string => text(record(install.body.spec).profile) ?? "default";

/** The gateway of that name an install's profile installs, with the profile's settings in the install's namespace. */
const profileGateway = (kind: GatewayKind, name: string, install: Resource): InstalledGateway | undefined =>
  PROFILE_GATEWAYS[profileOf(install)]?.[kind]?.includes(name) ? installedBy(kind, install, { name }) : undefined;

/**
 * What installs a gateway component once its entry is deleted from an install: its profile, where
 * that lists it (istioctl merges the gateway lists by name, so the profile's entry stays,
 * istio/istio#30886), with the profile's settings in the install's namespace; else another
 * IstioOperator of the tree installing a gateway of its name (moved to an install of its own, as
 * gateways often are).
 */
function reinstalled(kind: GatewayKind, name: string, head: Resource, context: DetectorContext) {
  const profiled = profileGateway(kind, name, head);
  if (profiled) return { by: `the ${profileOf(head)} profile`, gateway: profiled };
  for (const other of resourcesOfKind(context.head, "IstioOperator")) {
    if (other.key === head.key) continue;
    const entry = list(valueAt(other.body, ["spec", "components", kind])).find(
      (candidate) => text(record(candidate).name) === name && flag(record(candidate).enabled) !== false,
    );
    if (entry !== undefined) return { by: displayName(other.id), gateway: installedBy(kind, other, entry) };
  }
  return undefined;
}

/**
 * A gateway component deleted from an install is uninstalled, as one set `enabled: false` is,
 * unless something else installs it (reinstalled), and then it is what that installs: in another
 * namespace, or without the entry's internal load-balancer annotation, it is moved or exposed.
 */
function operatorGatewayRemoved(
  kind: GatewayKind,
  gone: InstalledGateway,
  head: Resource,
  out: DetectionList,
  context: DetectorContext,
): void {
  const name = text(record(gone.entry).name);
  if (!gatewayEnabled(gone) || name === undefined) return;
  const again = reinstalled(kind, name, head, context);
  const at = (): FieldPath => ["spec", "components", kind];
  if (again) {
    compareGateway(gone, again.gateway, `${kind} ${name} removed from the install, so ${again.by} installs it`, at, out, context);
    return;
  }
  out.add({
    class: "listener.changed",
    summary: `${kind} ${name} removed from the install: the gateway is uninstalled, and every route through it stops being served`,
    side: "head",
    path: at(),
    before: { name, enabled: true },
    after: null,
  });
}
