import { byKind, type Check } from "../../core/by-kind.js";
import { removedWhileNamed, stillName } from "../../core/removed-while-named.js";
import { sameValue, setChange, show } from "../../core/canonical-values.js";
import { isRecord, list, record, spec, text, texts, valueAt } from "../../core/json-access.js";
import { becomesExternal, stopsFacingInternet } from "../../core/load-balancer-exposure.js";
import type { DetectionDraft } from "../../core/detection-list.js";
import type { ProxyParametersJudge } from "../../core/proxy-parameters.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { ENVOY_GATEWAY_GROUP } from "./policy-targets.js";
import { GATEWAY_API_GROUP } from "../../core/gateway-api-group.js";
import { MESH_POD_KEY } from "../../core/mesh-pod-keys.js";

/**
 * Envoy Gateway's EnvoyProxy: how the proxies of the Gateways that name it are deployed — among
 * that, the Service in front of them, which decides who can reach every listener of those
 * Gateways, and Envoy's bootstrap configuration, patched as written. A GatewayClass names one in
 * `parametersRef` (every Gateway of the class), a Gateway in `infrastructure.parametersRef`, which
 * takes precedence. Replicas, resources, images, logging and telemetry are left to the generic field diff;
 * any other field is judged as unknown (unjudged).
 */

const namesIt = (ref: unknown, proxy: Resource, namespace: string): boolean => {
  const fields = record(ref);
  return (
    text(fields.group) === ENVOY_GATEWAY_GROUP &&
    text(fields.kind) === "EnvoyProxy" &&
    text(fields.name) === proxy.id.name &&
    (text(fields.namespace) ?? namespace) === proxy.id.namespace
  );
};

/** `every Gateway of class envoy`, `Gateway infra/internal`: who runs under this EnvoyProxy in the tree. */
function usersOf(proxy: Resource, tree: ManifestSet): string[] {
  const users: string[] = [];
  tree.resources.forEach((resource) => {
    const { id } = resource;
    if (id.group !== GATEWAY_API_GROUP) return;
    if (id.kind === "GatewayClass" && namesIt(spec(resource).parametersRef, proxy, "")) users.push(`every Gateway of class ${id.name}`);
    else if (id.kind === "Gateway" && namesIt(record(spec(resource).infrastructure).parametersRef, proxy, id.namespace))
      users.push(`Gateway ${id.namespace}/${id.name}`);
  });
  return [...new Set(users)].sort();
}

function usedBy(proxy: Resource, tree: ManifestSet): string {
  const users = usersOf(proxy, tree);
  return users.length > 0 ? users.join(", ") : "no GatewayClass or Gateway of the tree";
}

const envoyService = (resource: Resource | undefined) => record(record(record(spec(resource).provider).kubernetes).envoyService);

/** Envoy Gateway's default Service type is LoadBalancer. */
const serviceType = (resource: Resource | undefined) => text(envoyService(resource).type) ?? "LoadBalancer";

const SERVICE_PATH = ["spec", "provider", "kubernetes", "envoyService"];

/**
 * What differs for the Gateways whose proxies `was` configured and `now` does (undefined: Envoy
 * Gateway's defaults, where no EnvoyProxy is named): who can reach them — a load balancer gained,
 * made internet-facing, released or made internal, source ranges dropped or widened —, whether the
 * Gateways of a class share one fleet of proxies (`mergeGateways`), and Envoy's bootstrap. `reach`
 * names those Gateways (a scan of the tree: asked only for a finding). Replicas, resources, images,
 * logging and telemetry are not among them.
 */
function proxyChanges(was: Resource | undefined, now: Resource | undefined, reach: () => string): DetectionDraft[] {
  const drafts: DetectionDraft[] = [];
  const [serviceWas, serviceNow] = [envoyService(was), envoyService(now)];
  const [typeWas, typeNow] = [serviceType(was), serviceType(now)];
  if (typeNow === "LoadBalancer" && typeWas !== "LoadBalancer") {
    drafts.push({
      class: "listener.changed",
      summary: `envoyService.type ${typeWas} → LoadBalancer: the proxies of ${reach()} get a load balancer, so every listener is reachable from outside the cluster`,
      side: "head",
      path: [...SERVICE_PATH, "type"],
      before: typeWas,
      after: typeNow,
    });
  }
  const external =
    typeNow === "LoadBalancer"
      ? becomesExternal(serviceWas.annotations, serviceNow.annotations, {
          before: serviceWas.loadBalancerClass,
          after: serviceNow.loadBalancerClass,
        })
      : undefined;
  if (external) {
    drafts.push({
      class: "listener.changed",
      summary: `envoyService.annotations: for ${reach()}, ${external}`,
      side: "head",
      path: [...SERVICE_PATH, "annotations"],
      before: serviceWas.annotations ?? null,
      after: serviceNow.annotations ?? null,
    });
  }
  const balancing = (service: typeof serviceWas, type: string) => ({
    type,
    annotations: service.annotations,
    loadBalancerClass: service.loadBalancerClass,
  });
  const closing = stopsFacingInternet(balancing(serviceWas, typeWas), balancing(serviceNow, typeNow), "LoadBalancer");
  if (closing) {
    drafts.push({
      class: "listener.changed",
      summary: `envoyService: for ${reach()}, ${closing.summary}`,
      side: "head",
      path: [...SERVICE_PATH, closing.field],
      before: balancing(serviceWas, typeWas),
      after: balancing(serviceNow, typeNow),
    });
  }
  const [rangesWas, rangesNow] = [texts(serviceWas.loadBalancerSourceRanges), texts(serviceNow.loadBalancerSourceRanges)];
  const ranges = setChange(rangesWas, rangesNow);
  if (rangesWas.length > 0 && (rangesNow.length === 0 || ranges.added.length > 0)) {
    drafts.push({
      class: "access.widened",
      summary:
        rangesNow.length === 0
          ? `envoyService.loadBalancerSourceRanges ${show(rangesWas)} removed: the load balancer of ${reach()} admits any source`
          : `envoyService.loadBalancerSourceRanges adds ${ranges.added.join(", ")}: the load balancer of ${reach()} admits more sources`,
      side: "head",
      path: [...SERVICE_PATH, "loadBalancerSourceRanges"],
      before: rangesWas,
      after: rangesNow,
    });
  }
  // One Deployment and Service for every Gateway of the class, or one each: their addresses change.
  const [mergedWas, mergedNow] = [spec(was).mergeGateways === true, spec(now).mergeGateways === true];
  if (mergedWas !== mergedNow) {
    drafts.push({
      class: "listener.changed",
      summary: `mergeGateways ${mergedWas} → ${mergedNow}: ${mergedNow ? "the Gateways of its class share one set of proxies and one Service" : "each Gateway of its class gets proxies and a Service of its own"}, so the addresses of ${reach()} change`,
      side: "head",
      path: ["spec", "mergeGateways"],
      before: mergedWas,
      after: mergedNow,
    });
  }
  // Envoy's bootstrap configuration, merged, replaced or JSON-patched as written: like an EnvoyPatchPolicy, not modelled.
  const [bootstrapWas, bootstrapNow] = [spec(was).bootstrap, spec(now).bootstrap];
  if (!sameValue(bootstrapWas, bootstrapNow)) {
    const how = (value: unknown) => (value === undefined ? "none" : (text(record(value).type) ?? "Replace"));
    const patches = list(record(bootstrapNow).jsonPatches).length;
    drafts.push({
      class: "resource.changed",
      summary: `bootstrap ${how(bootstrapWas)} → ${how(bootstrapNow)}${patches > 0 ? ` (${patches} JSON patches)` : ""}: Envoy's bootstrap configuration for ${reach()} changes; what this does to requests is not modelled`,
      side: "head",
      path: ["spec", "bootstrap"],
      before: bootstrapWas ?? null,
      after: bootstrapNow ?? null,
      riskFloor: "high",
    });
  }
  drafts.push(...unjudged(was, now, reach));
  return drafts;
}

/**
 * Fields an EnvoyProxy may change without changing how its proxies are exposed or reached: how they
 * are sized, scheduled, rolled out and observed, who they run as and what they mount (envoyproxy/ai-gateway eb66d279d8 sets only the
 * container's resources). Pod labels and annotations count too, but for a mesh's (MESH_POD_KEY): their traffic changes.
 */
const WORKLOADS = ["envoyDeployment", "envoyDaemonSet"];
const HARMLESS: readonly (readonly string[])[] = [
  ["logging"],
  ["telemetry"],
  ["concurrency"],
  ["shutdown"],
  ["provider", "kubernetes", "envoyHpa"],
  ["provider", "kubernetes", "envoyPDB"],
  ["provider", "kubernetes", "envoyServiceAccount"],
  ...WORKLOADS.flatMap((workload) =>
    [
      ["replicas"],
      ["strategy"],
      ["name"],
      ["container", "resources"],
      ["container", "image"],
      ["container", "imageRepository"],
      ["pod", "annotations"],
      ["pod", "labels"],
      ["pod", "affinity"],
      ["pod", "tolerations"],
      ["pod", "nodeSelector"],
      ["pod", "topologySpreadConstraints"],
      ["pod", "imagePullSecrets"],
      ["pod", "priorityClassName"],
      // Who the proxies run as and what they mount: identity for the cloud's IAM (envoyproxy/ai-gateway
      // c2bacbf8, AWS pod identity), not how they are reached.
      ["pod", "serviceAccountName"],
      ["pod", "securityContext"],
      ["pod", "volumes"],
      ["container", "securityContext"],
      ["container", "volumeMounts"],
      ["container", "env"],
    ].map((rest) => ["provider", "kubernetes", workload, ...rest]),
  ),
];

/** Fields the checks above judge, and the ones whose unset value Envoy Gateway defaults (an `ipFamily: IPv4` written out changes nothing). */
const JUDGED = [
  [...SERVICE_PATH.slice(1), "type"],
  [...SERVICE_PATH.slice(1), "annotations"],
  [...SERVICE_PATH.slice(1), "loadBalancerClass"],
  [...SERVICE_PATH.slice(1), "loadBalancerSourceRanges"],
  [...SERVICE_PATH.slice(1), "externalTrafficPolicy"],
  ["mergeGateways"],
  ["bootstrap"],
];
const DEFAULTS = new Map<string, unknown>([
  ["provider.type", "Kubernetes"],
  ["ipFamily", "IPv4"],
]);

const startsWith = (path: readonly string[], prefix: readonly string[]) => prefix.every((key, index) => path[index] === key);

const harmless = (path: readonly string[]): boolean =>
  JUDGED.some((prefix) => startsWith(path, prefix)) ||
  HARMLESS.some(
    (prefix) =>
      startsWith(path, prefix) &&
      !(prefix.at(-2) === "pod" && ["annotations", "labels"].includes(prefix.at(-1)!) && MESH_POD_KEY.test(path[prefix.length] ?? "")),
  );

/** Spec fields that differ, a record absent read as empty (a `container.resources` written where none was is that field). */
const differing = (before: unknown, after: unknown, at: readonly string[]): string[][] => {
  if ((isRecord(before) || before === undefined) && (isRecord(after) || after === undefined) && (isRecord(before) || isRecord(after))) {
    const [was, now] = [record(before), record(after)];
    return [...new Set([...Object.keys(was), ...Object.keys(now)])].flatMap((key) => differing(was[key], now[key], [...at, key]));
  }
  const fallback = DEFAULTS.get(at.join("."));
  return sameValue(before ?? fallback, after ?? fallback) ? [] : [[...at]];
};

/**
 * What else differs, read as unknown: an allowlist, since any field left (a Service `patch` that
 * makes it ClusterIP, a `loadBalancerIP`, `ipFamily: IPv6`, the Service's name, a DaemonSet in place
 * of the Deployment, host networking) may change how the Gateways are exposed, addressed or reached.
 * `externalTrafficPolicy` is known: which nodes the load balancer sends to, and whether clients'
 * addresses are kept.
 */
function unjudged(was: Resource | undefined, now: Resource | undefined, reach: () => string): DetectionDraft[] {
  const drafts: DetectionDraft[] = [];
  // Envoy Gateway's default is Local.
  const policy = (resource: Resource | undefined) => text(envoyService(resource).externalTrafficPolicy) ?? "Local";
  if (policy(was) !== policy(now)) {
    drafts.push({
      class: "resource.changed",
      summary: `envoyService.externalTrafficPolicy ${policy(was)} → ${policy(now)}: the load balancer of ${reach()} ${policy(now) === "Local" ? "sends only to nodes that run a proxy and keeps clients' addresses" : "sends to every node, which forwards to a proxy, and hides clients' addresses from it"}: how requests spread, and what source-address rules see, changes`,
      side: "head",
      path: [...SERVICE_PATH, "externalTrafficPolicy"],
      before: policy(was),
      after: policy(now),
      riskFloor: "medium",
    });
  }
  const kubernetes = (resource: Resource | undefined) => record(record(spec(resource).provider).kubernetes);
  const workload = (resource: Resource | undefined) => ("envoyDaemonSet" in kubernetes(resource) ? "envoyDaemonSet" : "envoyDeployment");
  const fields = differing(spec(was), spec(now), []).filter((path) => !harmless(path));
  if (workload(was) !== workload(now)) fields.unshift(["provider", "kubernetes", workload(now)]);
  if (fields.length === 0) return drafts;
  // A `patch`, Envoy Gateway's own merge onto the Service or workload, named as a whole.
  const shown = fields.map((path) => (path.includes("patch") ? path.slice(0, path.indexOf("patch") + 1) : path));
  const named = [...new Set(shown.map((path) => path.join(".")))];
  drafts.push({
    class: "listener.changed",
    summary: `${named.join(", ")} differ${named.length === 1 ? "s" : ""}: how the proxies of ${reach()} are exposed, addressed or reached may change (not modelled)`,
    side: "head",
    path: ["spec", ...shown[0]!],
    before: valueAt(spec(was), fields[0]!) ?? null,
    after: valueAt(spec(now), fields[0]!) ?? null,
  });
  return drafts;
}

/** An EnvoyProxy edited: what it changes for the GatewayClasses and Gateways of the tree that name it. */
const edited: Check = (change, out, context) => {
  if (!change.base || !change.head) return;
  // A scan of the whole tree: made once, and only for a finding that names the Gateways.
  let users: string | undefined;
  for (const draft of proxyChanges(change.base, change.head, () => (users ??= usedBy(change.head!, context.head)))) out.add(draft);
};

/**
 * A Gateway or GatewayClass that names another EnvoyProxy, or none, is judged as the one it had
 * edited into the one it has (ProxyParametersJudge). Gateway-level EnvoyProxies that merge into the
 * class's (`mergeType`) are not compared: what the two make together is not modelled.
 */
export const envoyProxyParameters: ProxyParametersJudge = (was, now, users) =>
  [was, now].some((proxy) => spec(proxy).mergeType !== undefined) ? undefined : proxyChanges(was, now, () => users);

/**
 * Removed while a GatewayClass or Gateway still names it: Gateway API has the class (or the Gateway)
 * rejected, Accepted False with reason InvalidParameters, so what it configures is not programmed —
 * the proxies are not redeployed with Envoy Gateway's defaults.
 */
const removed = removedWhileNamed(
  (tree, proxy) => usersOf(proxy, tree),
  (users) =>
    `removed while ${stillName(users)}: that parametersRef no longer resolves, so ${users.some((user) => user.startsWith("every")) ? "the GatewayClass" : "the Gateway"} is not Accepted (InvalidParameters) and its proxies are no longer configured`,
);

export const envoyProxyDetector = byKind({ EnvoyProxy: [edited, removed] }, (id) => id.group === ENVOY_GATEWAY_GROUP);
