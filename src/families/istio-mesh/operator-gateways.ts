import { displayName, type Resource } from "../../core/resource.js";
import { show } from "../../core/canonical-values.js";
import { becomesExternal, stopsFacingInternet } from "../../core/load-balancer-exposure.js";
import type { DetectionList } from "../../core/detection-list.js";
import type { DetectorContext } from "../../core/detector.js";
import type { FieldPath } from "../../core/finding.js";
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

/** An IstioOperator gateway component: its entry, and the namespace its Deployment and Service land in. */
interface InstalledGateway {
  readonly entry: unknown;
  readonly namespace: string;
}

/**
 * Where an IstioOperator installs a component that names no namespace of its own: its
 * `spec.namespace`, else `values.global.istioNamespace`, else istio-system (istioctl's order).
 */
const installNamespace = (install: Resource): string =>
  text(valueAt(install.body, ["spec", "namespace"])) ??
  text(valueAt(install.body, ["spec", "values", "global", "istioNamespace"])) ??
  "istio-system";

const installedBy = (install: Resource, entry: unknown): InstalledGateway => ({
  entry,
  namespace: text(record(entry).namespace) ?? installNamespace(install),
});

const gatewayEnabled = (gateway: InstalledGateway) => flag(record(gateway.entry).enabled) !== false;

/**
 * IstioOperator gateways (east-west gateways) carry the network label in their component spec, and
 * the annotations of their Service, which decide whether its load balancer is internal.
 */
export const operatorGateways = (base: Resource, head: Resource, out: DetectionList, context: DetectorContext): void => {
  for (const kind of ["ingressGateways", "egressGateways"] as const) {
    const gateways = (resource: Resource) => list(valueAt(resource.body, ["spec", "components", kind]));
    const pairs = pairEntries(gateways(base), gateways(head), [(gateway) => text(record(gateway).name)]);
    for (const pair of pairs) {
      if (pair.base && !pair.head) operatorGatewayRemoved(kind, installedBy(base, pair.base.value), head, out, context);
      if (!pair.base || !pair.head) continue;
      const index = pair.head.index;
      const at = (field: FieldPath): FieldPath => ["spec", "components", kind, index, ...field];
      const name = text(record(pair.head.value).name) ?? "";
      compareGateway(kind, installedBy(base, pair.base.value), installedBy(head, pair.head.value), `${kind} ${name}`, at, out);
    }
  }
};

/**
 * What becomes of a gateway component between two installs of it, said after `lead` and pointed
 * at the field that does it (`at`): uninstalled, moved to another namespace, its Service closed to
 * the internet or its load balancer made external, or its network label changed.
 */
function compareGateway(
  kind: GatewayKind,
  was: InstalledGateway,
  now: InstalledGateway,
  lead: string,
  at: (field: FieldPath) => FieldPath,
  out: DetectionList,
): void {
  const name = text(record(now.entry).name) ?? "";
  const annotationsOf = (gateway: InstalledGateway) => record(record(record(gateway.entry).k8s).serviceAnnotations);
  const balancing = (gateway: InstalledGateway) => ({
    type: text(record(record(record(gateway.entry).k8s).service).type),
    annotations: annotationsOf(gateway),
    ports: record(record(record(gateway.entry).k8s).service).ports,
  });
  // An ingress gateway's Service is a LoadBalancer unless told otherwise (the default profile).
  const closed = !gatewayEnabled(was)
    ? undefined
    : !gatewayEnabled(now)
      ? "enabled true → false: the gateway is uninstalled, and every route through it stops being served"
      : stopsFacingInternet(balancing(was), balancing(now), kind === "ingressGateways" ? "LoadBalancer" : "ClusterIP")?.summary;
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
}

/** The gateways an IstioOperator profile installs without being told (istioctl's manifests/profiles). */
const PROFILE_GATEWAYS: Readonly<Record<string, readonly string[]>> = {
  default: ["istio-ingressgateway"],
  demo: ["istio-ingressgateway", "istio-egressgateway"],
  preview: ["istio-ingressgateway"],
};

/**
 * What installs a gateway component once its entry is deleted from an install: its profile, where
 * that lists it (istioctl merges the gateway lists by name, so the profile's entry stays,
 * istio/istio#30886), with the profile's settings in the install's namespace; else another
 * IstioOperator of the tree installing a gateway of its name (moved to an install of its own, as
 * gateways often are).
 */
function reinstalled(kind: GatewayKind, name: string, head: Resource, context: DetectorContext) {
  const profile = text(record(head.body.spec).profile) ?? "default";
  if (PROFILE_GATEWAYS[profile]?.includes(name))
    return { by: `the ${profile} profile`, gateway: { entry: { name }, namespace: installNamespace(head) } };
  for (const other of resourcesOfKind(context.head, "IstioOperator")) {
    if (other.key === head.key) continue;
    const entry = list(valueAt(other.body, ["spec", "components", kind])).find(
      (candidate) => text(record(candidate).name) === name && flag(record(candidate).enabled) !== false,
    );
    if (entry !== undefined) return { by: displayName(other.id), gateway: installedBy(other, entry) };
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
    compareGateway(kind, gone, again.gateway, `${kind} ${name} removed from the install, so ${again.by} installs it`, at, out);
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
