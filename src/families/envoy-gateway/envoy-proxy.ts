import { byKind, type Check } from "../../core/by-kind.js";
import { removedWhileNamed, stillName } from "../../core/removed-while-named.js";
import { sameValue, setChange, show } from "../../core/canonical-values.js";
import { list, record, spec, text, texts } from "../../core/json-access.js";
import { becomesExternal } from "../../core/load-balancer-exposure.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { ENVOY_GATEWAY_GROUP } from "./policy-targets.js";
import { GATEWAY_API_GROUP } from "../../core/gateway-api-group.js";

/**
 * Envoy Gateway's EnvoyProxy: how the proxies of the Gateways that name it are deployed — among
 * that, the Service in front of them, which decides who can reach every listener of those
 * Gateways, and Envoy's bootstrap configuration, patched as written. A GatewayClass names one in
 * `parametersRef` (every Gateway of the class), a Gateway in `infrastructure.parametersRef`.
 * Replicas, resources, images, logging and telemetry are left to the generic field diff.
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

/** Who can reach the proxies: a load balancer gained or made internet-facing, source ranges dropped or widened. */
const exposure: Check = (change, out, context) => {
  if (!change.base || !change.head) return;
  const [was, now] = [envoyService(change.base), envoyService(change.head)];
  // A scan of the whole tree: made once, and only for a finding that names the Gateways.
  let users: string | undefined;
  const reach = () => (users ??= usedBy(change.head!, context.head));
  const [typeWas, typeNow] = [serviceType(change.base), serviceType(change.head)];
  if (typeNow === "LoadBalancer" && typeWas !== "LoadBalancer") {
    out.add({
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
      ? becomesExternal(was.annotations, now.annotations, { before: was.loadBalancerClass, after: now.loadBalancerClass })
      : undefined;
  if (external) {
    out.add({
      class: "listener.changed",
      summary: `envoyService.annotations: for ${reach()}, ${external}`,
      side: "head",
      path: [...SERVICE_PATH, "annotations"],
      before: was.annotations ?? null,
      after: now.annotations ?? null,
    });
  }
  const [rangesWas, rangesNow] = [texts(was.loadBalancerSourceRanges), texts(now.loadBalancerSourceRanges)];
  const ranges = setChange(rangesWas, rangesNow);
  if (rangesWas.length > 0 && (rangesNow.length === 0 || ranges.added.length > 0)) {
    out.add({
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
};

/** Envoy's bootstrap configuration, merged, replaced or JSON-patched as written: like an EnvoyPatchPolicy, not modelled. */
const bootstrap: Check = (change, out, context) => {
  if (!change.base || !change.head) return;
  const [was, now] = [spec(change.base).bootstrap, spec(change.head).bootstrap];
  if (sameValue(was, now)) return;
  const how = (value: unknown) => (value === undefined ? "none" : (text(record(value).type) ?? "Replace"));
  const patches = list(record(now).jsonPatches).length;
  out.add({
    class: "resource.changed",
    summary: `bootstrap ${how(was)} → ${how(now)}${patches > 0 ? ` (${patches} JSON patches)` : ""}: Envoy's bootstrap configuration for ${usedBy(change.head, context.head)} changes; what this does to requests is not modelled`,
    side: "head",
    path: ["spec", "bootstrap"],
    before: was ?? null,
    after: now ?? null,
    riskFloor: "high",
  });
};

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

export const envoyProxyDetector = byKind({ EnvoyProxy: [exposure, bootstrap, removed] }, (id) => id.group === ENVOY_GATEWAY_GROUP);
