import type { ManifestSet, Resource } from "../../core/resource.js";
import { canonical, describeLeafChanges, leafChanges, sameValue, setChange, show, sortedSet } from "../../core/canonical-values.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import { appliedTogether } from "../../core/copies-apart.js";
import type { ChangeClassId } from "../../core/change-classes.js";
import { serviceExtensionCheck } from "./service-extensions.js";
import { byKind, type Check } from "../../core/by-kind.js";
import { DetectionList } from "../../core/detection-list.js";
import type { DetectorContext, ResourceDetector } from "../../core/detector.js";
import type { ResourceChange } from "../../core/resource-change.js";
import type { FieldPath } from "../../core/finding.js";
import { flag, isRecord, list, numeric, record, spec, stringMap, text, type JsonRecord } from "../../core/json-access.js";
import { objectRef } from "../../core/object-refs.js";
import type { RiskLevel } from "../../core/risk-level.js";

/**
 * GKE Gateway policies (networking.gke.io/v1; research §1.2). Each policy applies to what its
 * `targetRef(s)` names, so every summary says so. An added policy is compared with GKE's
 * defaults and a removed one falls back to them, which is what the load balancer then does.
 * GatewayClass moves to and from the `gke-l7-*-mc` classes are judged with the Gateway
 * (gateway-api.ts); ServiceExport / ServiceImport of `net.gke.io` are MCS (mcs.ts).
 */

const GKE_GROUP = "networking.gke.io";

const defaults = (resource: Resource | undefined): JsonRecord => record(spec(resource).default);

/** `ServiceExport shop/checkout`: what the policy applies to (targetRef, or targetRefs). */
const targetsOf = (resource: Resource | undefined, namespace: string): string[] => {
  const refs = [...(spec(resource).targetRef === undefined ? [] : [spec(resource).targetRef]), ...list(spec(resource).targetRefs)];
  return sortedSet(refs.map((ref) => objectRef(ref, { group: "", kind: "Service", namespace })));
};

interface PolicyContext {
  readonly change: ResourceChange;
  readonly out: DetectionList;
  /** `for ServiceExport shop/checkout` */
  readonly target: string;
}

interface Report {
  readonly class: ChangeClassId;
  readonly summary: string;
  readonly path: FieldPath;
  readonly before?: unknown;
  readonly after?: unknown;
  readonly riskFloor?: RiskLevel;
}

const report = (context: PolicyContext, item: Report): void =>
  context.out.add({ ...item, summary: `${context.target}: ${item.summary}`, side: "head" });

/**
 * A retargeted policy leaves its old target on GKE defaults and gives its settings to the new one;
 * `kept` says what other policies still give the old target.
 */
const targetChange = (
  context: PolicyContext,
  namespace: string,
  changeClass: ChangeClassId,
  riskFloor?: RiskLevel,
  kept?: string,
): void => {
  const { change } = context;
  if (!change.base || !change.head) return;
  const before = targetsOf(change.base, namespace);
  const after = targetsOf(change.head, namespace);
  if (sameValue(before, after)) return;
  context.out.add({
    class: changeClass,
    summary: `targetRef ${show(before)} → ${show(after)}: the old target ${kept ? `keeps what other policies give it (${kept}) and otherwise falls` : "falls"} back to GKE defaults and the new one takes these settings`,
    side: "head",
    path: ["spec", spec(change.head).targetRefs === undefined ? "targetRef" : "targetRefs"],
    before,
    after,
    ...(riskFloor ? { riskFloor } : {}),
  });
};

/** Fields of `spec.default` no specific check covers, so that a policy edit is never silent. */
const otherFields = (context: PolicyContext, covered: ReadonlySet<string>): void => {
  const strip = (value: JsonRecord) => Object.fromEntries(Object.entries(value).filter(([key]) => !covered.has(key)));
  const changes = leafChanges(strip(defaults(context.change.base)), strip(defaults(context.change.head)));
  if (changes.length === 0) return;
  report(context, {
    class: "resource.changed",
    summary: describeLeafChanges(changes.map((leaf) => ({ ...leaf, path: ["default", ...leaf.path] }))),
    path: ["spec", "default", ...(changes[0]?.path ?? [])],
    before: changes.map((leaf) => leaf.before),
    after: changes.map((leaf) => leaf.after),
  });
};

// ---------------------------------------------------------------------------------------------
// GCPBackendPolicy

/** GKE's backend service defaults (gcpbackendpolicy_types.go). */
const DEFAULT_TIMEOUT_SEC = 30;
const DEFAULT_MAX_RATE = 100_000_000;
const CAPACITY_FIELDS = ["maxRatePerEndpoint", "backendPreference", "balancingMode", "capacityScalingFactor"] as const;

interface Scope {
  readonly label: string;
  /** The backends it sets capacity for: its region where its selector names one. */
  readonly backends: string;
  /** The scope's own fields; the default block's for the default scope. */
  readonly fields: JsonRecord;
  readonly path: FieldPath;
}

/** The default block and each `default.scopes[]` entry (cluster label selectors), by selector. */
const capacityScopes = (resource: Resource | undefined): Map<string, Scope> => {
  const block = defaults(resource);
  const scopes = new Map<string, Scope>([["", { label: "", backends: "the target's backends", fields: block, path: ["spec", "default"] }]]);
  list(block.scopes).forEach((item, index) => {
    const scope = record(item);
    const selector = stringMap(
      isRecord(scope.selector) && isRecord(scope.selector.matchLabels) ? scope.selector.matchLabels : scope.selector,
    );
    const label = `scope {${Object.keys(selector)
      .sort()
      .map((name) => `${name}=${selector[name]}`)
      .join(", ")}} `;
    const region = selector["gke.io/region"];
    const backends = region ? `the backends in region ${region}` : `the backends of the clusters it selects`;
    scopes.set(canonical(selector), { label, backends, fields: scope, path: ["spec", "default", "scopes", index] });
  });
  return scopes;
};

interface CapacityChange {
  readonly label: string;
  readonly backends: string;
  readonly field: (typeof CAPACITY_FIELDS)[number];
  readonly before: unknown;
  readonly after: unknown;
  readonly path: FieldPath;
}

/**
 * Capacity settings that changed, per scope. A scope only overrides the fields it sets (GKE
 * rejects a field set both in the default block and in a scope); what it does not set, or what a
 * scope that came or went no longer sets, is the default block's.
 */
const capacityChanges = (base: Map<string, Scope>, head: Map<string, Scope>): CapacityChange[] => {
  const changes: CapacityChange[] = [];
  const fallback = (scopes: Map<string, Scope>) => (scopes.get("") as Scope).fields;
  for (const key of sortedSet([...base.keys(), ...head.keys()])) {
    const was = base.get(key);
    const now = head.get(key);
    const { label, backends } = now ?? was!;
    const path = now?.path ?? (head.get("") as Scope).path;
    const fields =
      key === ""
        ? CAPACITY_FIELDS
        : CAPACITY_FIELDS.filter((field) => was?.fields[field] !== undefined || now?.fields[field] !== undefined);
    for (const field of fields) {
      const before = was?.fields[field] ?? (key === "" ? undefined : fallback(base)[field]);
      const after = now?.fields[field] ?? (key === "" ? undefined : fallback(head)[field]);
      if (!sameValue(before, after)) changes.push({ label, backends, field, before, after, path: [...path, field] });
    }
  }
  return changes;
};

/** A capacity scaler of 0 drains the backends it applies to ("completely drained, offering 0% of its available capacity"); unset is 1. */
const drained = (factor: unknown): boolean => (numeric(factor) ?? 1) === 0;

const capacity = (context: PolicyContext): void => {
  for (const { label, backends, field, before, after, path } of capacityChanges(
    capacityScopes(context.change.base),
    capacityScopes(context.change.head),
  )) {
    if (field === "maxRatePerEndpoint") {
      const rateBefore = numeric(before);
      const rateAfter = numeric(after);
      const lowered = (rateAfter ?? DEFAULT_MAX_RATE) < (rateBefore ?? DEFAULT_MAX_RATE);
      report(context, {
        class: "resource.changed",
        summary: `${label}maxRatePerEndpoint ${show(rateBefore ?? "(default 1e8)")} → ${show(rateAfter ?? "(default 1e8)")}: ${
          lowered
            ? "endpoints count as full at a lower rate, so traffic spills to backends in other clusters and regions sooner"
            : "endpoints take more load before traffic spills to other clusters and regions"
        }`,
        path,
        before: rateBefore,
        after: rateAfter,
        riskFloor: "medium-high",
      });
    } else if (field === "backendPreference") {
      const preferenceBefore = text(before) ?? "DEFAULT";
      const preferenceAfter = text(after) ?? "DEFAULT";
      if (preferenceBefore === preferenceAfter) continue;
      // PREFERRED backends are filled to capacity before DEFAULT ones get traffic: a cross-cluster
      // priority order, the same decision a locality failover priority makes.
      report(context, {
        class: "failover.changed",
        summary: `${label}backendPreference ${preferenceBefore} → ${preferenceAfter}: ${
          preferenceAfter === "PREFERRED"
            ? "these backends are filled to capacity before any other cluster gets traffic, so the other clusters only take spill-over"
            : "these backends lose their priority, so traffic spreads to the other clusters' backends instead of filling these first"
        }`,
        path,
        before: preferenceBefore,
        after: preferenceAfter,
      });
    } else if (field === "capacityScalingFactor" && drained(before) !== drained(after)) {
      // The default block drains every backend (no scope may set the field beside it); a scope, its own.
      const every = label === "";
      report(context, {
        class: drained(after) ? (every ? "backend.all-removed" : "backend.region-removed") : "backend.region-added",
        summary: `${label}capacityScalingFactor ${show(before ?? "(default 1)")} → ${show(after ?? "(default 1)")}: ${
          drained(after)
            ? `${backends} are drained (0 offers none of their capacity): ${every ? "no backend takes the target's traffic" : "they no longer receive traffic"}`
            : `${backends} take traffic again`
        }`,
        path,
        before,
        after,
      });
    } else {
      report(context, {
        class: "resource.changed",
        summary: `${label}${field} ${show(before)} → ${show(after)}: how much traffic these backends take before spilling to other clusters changes`,
        path,
        before,
        after,
        riskFloor: "medium-high",
      });
    }
  }
};

/**
 * Where a backend's edge protection sits: a GCPBackendPolicy's `spec.default` (Cloud Armor policy
 * by name), or a BackendConfig's `spec` (GKE Ingress: `securityPolicy.name`).
 */
interface EdgeBlock {
  readonly at: FieldPath;
  readonly fields: (resource: Resource | undefined) => JsonRecord;
  readonly armor: (fields: JsonRecord) => string | undefined;
}

const POLICY_DEFAULTS: EdgeBlock = {
  at: ["spec", "default"],
  fields: defaults,
  armor: (fields) => text(fields.securityPolicy) || undefined,
};

/**
 * A kind of protection taken away, for the targets that stay under the policy: what each loses
 * and who still gives it. None stay when the policy is deleted or retargeted away from all of
 * them: the targetRef finding judges that loss, once. Unset (BackendConfig): judged on its own.
 */
type Cover = (kind: Protection) => readonly Loss[];

/**
 * `kind` taken away (`edit` says how, `open` what that leaves): nothing more to say when no target
 * stays under the policy, low when another policy still gives it to every one that does, else
 * access.widened.
 */
const reportLoss = (
  context: PolicyContext,
  kind: Protection,
  cover: Cover | undefined,
  { edit, open, ...item }: Omit<Report, "class" | "summary"> & { readonly edit: string; readonly open: string },
): void => {
  const losses = cover?.(kind);
  if (losses?.length === 0) return;
  const kept = losses?.every((loss) => loss.keptBy.length > 0);
  report(context, { ...item, class: kept ? "resource.changed" : "access.widened", summary: `${edit}: ${kept ? keptNote(losses!) : open}` });
};

const edgeProtection = (context: PolicyContext, block: EdgeBlock = POLICY_DEFAULTS, cover?: Cover): void => {
  const was = block.fields(context.change.base);
  const now = block.fields(context.change.head);
  const armorBefore = block.armor(was);
  const armorAfter = block.armor(now);
  const armorPath = [...block.at, "securityPolicy"];
  if (armorBefore !== undefined && armorAfter === undefined) {
    reportLoss(context, "armor", cover, {
      edit: `securityPolicy ${show(armorBefore)} → (unset)`,
      open: "Cloud Armor no longer filters requests to these backends",
      path: armorPath,
      before: armorBefore,
    });
  } else if (armorBefore !== armorAfter) {
    report(context, {
      class: "resource.changed",
      summary: `securityPolicy ${show(armorBefore)} → ${show(armorAfter)}: ${
        armorBefore === undefined
          ? "Cloud Armor starts filtering requests, which can block legitimate clients"
          : "another Cloud Armor policy filters requests"
      }`,
      path: armorPath,
      before: armorBefore,
      after: armorAfter,
      riskFloor: "medium-high",
    });
  }
  const iapBefore = flag(record(was.iap).enabled) ?? false;
  const iapAfter = flag(record(now.iap).enabled) ?? false;
  if (iapBefore && !iapAfter) {
    reportLoss(context, "iap", cover, {
      edit: "iap.enabled true → false",
      open: "Identity-Aware Proxy no longer authenticates callers: the backends are reachable without it",
      path: [...block.at, "iap", "enabled"],
      before: true,
      after: false,
    });
  } else if (iapAfter && !iapBefore) {
    report(context, {
      class: "resource.changed",
      summary: "iap.enabled false → true: clients must now authenticate through Identity-Aware Proxy",
      path: [...block.at, "iap", "enabled"],
      before: false,
      after: true,
      riskFloor: "medium",
    });
  } else if (iapAfter && !sameValue(was.iap, now.iap)) {
    report(context, {
      class: "resource.changed",
      summary: `${describeLeafChanges(leafChanges(was.iap, now.iap, ["iap"]))}: the OAuth client that authenticates callers changes`,
      path: [...block.at, "iap"],
      before: was.iap,
      after: now.iap,
      riskFloor: "medium",
    });
  }
};

const backendTimeouts = (context: PolicyContext): void => {
  const was = defaults(context.change.base);
  const now = defaults(context.change.head);
  const before = numeric(was.timeoutSec) ?? DEFAULT_TIMEOUT_SEC;
  const after = numeric(now.timeoutSec) ?? DEFAULT_TIMEOUT_SEC;
  if (after < before) {
    report(context, {
      class: "retry-timeout.changed",
      summary: `timeoutSec ${before}s → ${after}s: responses slower than that now fail at the load balancer`,
      path: ["spec", "default", "timeoutSec"],
      before,
      after,
    });
  }
  for (const [field, effect] of [
    ["connectionDraining", "how long in-flight connections survive a backend leaving changes"],
    ["sessionAffinity", "session stickiness changes, and with it how clients follow a failover"],
  ] as const) {
    if (sameValue(was[field], now[field])) continue;
    report(context, {
      class: "resource.changed",
      summary: `${describeLeafChanges(leafChanges(was[field], now[field], [field]))}: ${effect}`,
      path: ["spec", "default", field],
      before: was[field],
      after: now[field],
      riskFloor: "medium",
    });
  }
};

type Protection = "armor" | "iap";

/** The edge protection a GCPBackendPolicy gives its targets, by kind: its Cloud Armor policy, IAP. */
const protectionsOf = (policy: Resource | undefined): Map<Protection, string> => {
  const fields = defaults(policy);
  const armor = POLICY_DEFAULTS.armor(fields);
  const protections = new Map<Protection, string>();
  if (armor) protections.set("armor", `Cloud Armor policy ${armor}`);
  if (flag(record(fields.iap).enabled)) protections.set("iap", "Identity-Aware Proxy");
  return protections;
};

/** One kind of protection an object stops getting from this policy, and the other policies that still give it that kind. */
interface Loss {
  readonly target: string;
  readonly label: string;
  readonly keptBy: readonly string[];
}

/**
 * What `targets` lose of `protections` when this policy stops giving it to them (mcg-d38: an IAP
 * policy moved from store-west to store-east leaves store-west open), with the other
 * GCPBackendPolicies of the head tree that still give each the same kind, looked up per target
 * through the kind index: deleting or disabling a duplicate IAP policy leaves the object protected.
 */
const lossesOf = (
  context: PolicyContext,
  tree: ManifestSet,
  targets: readonly string[],
  protections: ReadonlyMap<Protection, string>,
): Loss[] => {
  const self = (context.change.head ?? context.change.base)!.key;
  const others = resourcesOfKind(tree, "GCPBackendPolicy").filter((policy) => policy.id.group === GKE_GROUP && policy.key !== self);
  return targets.flatMap((target) => {
    const giving = others.filter((policy) => targetsOf(policy, policy.id.namespace).includes(target));
    return [...protections].map(([kind, label]) => ({
      target,
      label,
      keptBy: giving
        .filter((policy) => protectionsOf(policy).has(kind))
        .map((policy) => `GCPBackendPolicy ${policy.id.namespace}/${policy.id.name}`),
    }));
  });
};

const keptNote = (losses: readonly Loss[]): string =>
  losses.map((loss) => `${loss.target} keeps ${loss.label} from ${loss.keptBy.join(", ")}`).join("; ");

const backendPolicy = (context: PolicyContext, namespace: string, tree: ManifestSet): void => {
  const { change } = context;
  const before = targetsOf(change.base, namespace);
  const after = targetsOf(change.head, namespace);
  // A policy deleted, or retargeted away from an object, takes its protection from it.
  const left = lossesOf(context, tree, setChange(before, after).removed, protectionsOf(change.base));
  const open = left.filter((loss) => loss.keptBy.length === 0);
  const kept = left.filter((loss) => loss.keptBy.length > 0);
  const note = kept.length > 0 ? keptNote(kept) : undefined;
  const path = ["spec", spec(change.head).targetRefs === undefined ? "targetRef" : "targetRefs"];
  if (open.length > 0) {
    context.out.add({
      class: "access.widened",
      summary: `targetRef ${show(before)} → ${show(after)}: ${open.map((loss) => `${loss.target} loses ${loss.label}`).join("; ")}, which no other GCPBackendPolicy gives it: it is reachable without that protection${note ? `; ${note}` : ""}`,
      side: "head",
      path,
      before,
      after,
    });
  } else if (change.head) targetChange(context, namespace, "resource.changed", "medium-high", note);
  else if (note) report(context, { class: "resource.changed", summary: `removed: ${note}`, path });
  // Protection turned off for the objects the policy still targets: each, against the other policies.
  const staying = change.head ? after.filter((target) => before.includes(target)) : [];
  const cover: Cover = (kind) =>
    lossesOf(context, tree, staying, new Map([...protectionsOf(change.base)].filter(([item]) => item === kind)));
  capacity(context);
  edgeProtection(context, POLICY_DEFAULTS, cover);
  backendTimeouts(context);
  otherFields(
    context,
    new Set([...CAPACITY_FIELDS, "scopes", "securityPolicy", "iap", "timeoutSec", "connectionDraining", "sessionAffinity"]),
  );
};

// ---------------------------------------------------------------------------------------------
// HealthCheckPolicy

const HEALTH_FIELDS = ["checkIntervalSec", "timeoutSec", "healthyThreshold", "unhealthyThreshold", "config"] as const;

const HEALTH_CHECK_EFFECT = "a wrong check marks every endpoint unhealthy, a lax one keeps failing endpoints in service";

const healthCheckPolicy = (context: PolicyContext, namespace: string): void => {
  targetChange(context, namespace, "health.changed");
  const { change } = context;
  const view = (resource: Resource | undefined) => Object.fromEntries(HEALTH_FIELDS.map((field) => [field, defaults(resource)[field]]));
  const before = view(change.base);
  const after = view(change.head);
  const changes = leafChanges(before, after);
  if (changes.length > 0) {
    const effect = !change.base
      ? "replaces GKE's default health check (HTTP on the serving port, path /)"
      : !change.head
        ? "GKE's default health check (HTTP on the serving port, path /) applies again"
        : HEALTH_CHECK_EFFECT;
    report(context, {
      class: "health.changed",
      summary: `${change.base && change.head ? describeLeafChanges(changes) : change.head ? "added" : "removed"}: ${effect}`,
      path: change.base && change.head ? ["spec", "default", ...(changes[0]?.path ?? [])] : ["spec", "default"],
      before: change.base ? JSON.parse(canonical(before)) : undefined,
      after: change.head ? JSON.parse(canonical(after)) : undefined,
    });
  }
  otherFields(context, new Set(HEALTH_FIELDS));
};

// ---------------------------------------------------------------------------------------------
// GCPGatewayPolicy

const gatewayPolicy = (context: PolicyContext, namespace: string): void => {
  targetChange(context, namespace, "listener.changed");
  const was = defaults(context.change.base);
  const now = defaults(context.change.head);
  const sslBefore = text(was.sslPolicy) || undefined;
  const sslAfter = text(now.sslPolicy) || undefined;
  if (sslBefore !== sslAfter) {
    report(context, {
      class: "listener.changed",
      summary: `sslPolicy ${show(sslBefore)} → ${show(sslAfter)}: ${sslAfter === undefined ? "the Gateway falls back to Google's default SSL policy, which accepts older TLS versions and ciphers" : "the TLS versions and ciphers clients may use change"}`,
      path: ["spec", "default", "sslPolicy"],
      before: sslBefore,
      after: sslAfter,
    });
  }
  const globalBefore = flag(was.allowGlobalAccess) ?? false;
  const globalAfter = flag(now.allowGlobalAccess) ?? false;
  if (globalBefore !== globalAfter) {
    report(context, {
      class: "listener.changed",
      summary: `allowGlobalAccess ${globalBefore} → ${globalAfter}: ${globalAfter ? "clients in every region can reach the internal load balancer" : "clients outside the load balancer's region lose access"}`,
      path: ["spec", "default", "allowGlobalAccess"],
      before: globalBefore,
      after: globalAfter,
    });
  }
  const regionBefore = text(was.region) || undefined;
  const regionAfter = text(now.region) || undefined;
  if (regionBefore !== regionAfter) {
    report(context, {
      class: "listener.changed",
      summary: `region ${show(regionBefore)} → ${show(regionAfter)}: the multi-cluster Gateway's load balancer (and its address) moves to another region`,
      path: ["spec", "default", "region"],
      before: regionBefore,
      after: regionAfter,
    });
  }
  otherFields(context, new Set(["sslPolicy", "allowGlobalAccess", "region"]));
};

// ---------------------------------------------------------------------------------------------
// GCPTrafficDistributionPolicy

const DISTRIBUTION = [
  {
    field: "serviceLbAlgorithm",
    read: (config: JsonRecord) => text(config.serviceLbAlgorithm) ?? "WATERFALL_BY_REGION",
    effect: "which clusters and zones take traffic first, and when it spills to other regions, changes",
  },
  {
    field: "failoverConfig",
    // Unset is 70 for the load balancers GKE Gateways make (50 only for classic and proxyless mesh ones): written out, it is the same.
    read: (config: JsonRecord) => numeric(record(config.failoverConfig).failoverHealthThreshold) ?? 70,
    path: ["failoverConfig", "failoverHealthThreshold"],
    effect: "the share of healthy endpoints below which traffic fails over to other backends changes",
  },
  {
    field: "autoCapacityDrain",
    read: (config: JsonRecord) => flag(record(config.autoCapacityDrain).enableAutoCapacityDrain) ?? false,
    path: ["autoCapacityDrain", "enableAutoCapacityDrain"],
    effect: "whether a (cluster, zone) with under 25% healthy endpoints is drained automatically changes",
  },
] as const;

const trafficDistributionPolicy = (context: PolicyContext, namespace: string): void => {
  targetChange(context, namespace, "failover.changed");
  const was = defaults(context.change.base);
  const now = defaults(context.change.head);
  for (const item of DISTRIBUTION) {
    const before = item.read(was);
    const after = item.read(now);
    if (before === after) continue;
    const label = "path" in item ? item.path.join(".") : item.field;
    report(context, {
      class: "failover.changed",
      summary: `${label} ${show(before)} → ${show(after)}: ${item.effect}`,
      path: ["spec", "default", ...("path" in item ? item.path : [item.field])],
      before,
      after,
    });
  }
  const localityBefore = text(was.localityLbAlgorithm) ?? "ROUND_ROBIN";
  const localityAfter = text(now.localityLbAlgorithm) ?? "ROUND_ROBIN";
  if (localityBefore !== localityAfter) {
    report(context, {
      class: "resource.changed",
      summary: `localityLbAlgorithm ${localityBefore} → ${localityAfter}: how an endpoint is picked within a locality changes`,
      path: ["spec", "default", "localityLbAlgorithm"],
      before: localityBefore,
      after: localityAfter,
      riskFloor: "medium",
    });
  }
  otherFields(context, new Set(["serviceLbAlgorithm", "failoverConfig", "autoCapacityDrain", "localityLbAlgorithm"]));
};

// ---------------------------------------------------------------------------------------------

/** A policy's check, given the policy's targets as every summary names them, and the head tree. */
const policyCheck =
  (check: (context: PolicyContext, namespace: string, tree: ManifestSet) => void): Check =>
  (change, out, detector) => {
    const namespace = (change.head ?? change.base)!.id.namespace;
    const targets = targetsOf(change.head ?? change.base, namespace);
    check({ change, out, target: `for ${targets.length > 0 ? targets.join(", ") : "(no targetRef)"}` }, namespace, detector.head);
  };

/**
 * GKE Ingress's BackendConfig (cloud.google.com): the same edge protection for the Services that
 * name it in their `cloud.google.com/backend-config` annotation (Services are not read, so it is
 * judged on its own). One deleted takes its protection with it.
 */
const BACKEND_CONFIG: EdgeBlock = {
  at: ["spec"],
  fields: (resource) => spec(resource),
  armor: (fields) => text(record(fields.securityPolicy).name) || undefined,
};

export const backendConfigDetector: ResourceDetector = (change) => {
  const resource = change.head ?? change.base;
  if (resource?.id.kind !== "BackendConfig" || !change.base) return [];
  const out = new DetectionList(change);
  const context = { change, out, target: "for the Services that name it (cloud.google.com/backend-config)" };
  edgeProtection(context, BACKEND_CONFIG);
  const [was, now] = [spec(change.base).healthCheck, spec(change.head).healthCheck];
  if (change.head && !sameValue(was, now))
    report(context, {
      class: "health.changed",
      summary: `${describeLeafChanges(leafChanges(was, now, ["healthCheck"]))}: ${HEALTH_CHECK_EFFECT}`,
      path: ["spec", "healthCheck"],
      before: was,
      after: now,
    });
  // The backend service's timeout (30 s unset), as a GCPBackendPolicy's.
  const [before, after] = [
    numeric(spec(change.base).timeoutSec) ?? DEFAULT_TIMEOUT_SEC,
    numeric(spec(change.head).timeoutSec) ?? DEFAULT_TIMEOUT_SEC,
  ];
  if (change.head && after < before)
    report(context, {
      class: "retry-timeout.changed",
      summary: `timeoutSec ${before}s → ${after}s: responses slower than that now fail at the load balancer`,
      path: ["spec", "timeoutSec"],
      before,
      after,
    });
  return out.detections;
};

/** Where an Ingress, and a MultiClusterIngress, name the FrontendConfig of their namespace. */
const FRONTEND_CONFIG_NAMED_BY: readonly (readonly [kind: string, annotation: string])[] = [
  ["Ingress", "networking.gke.io/v1beta1.FrontendConfig"],
  ["MultiClusterIngress", "networking.gke.io/frontend-config"],
];

/**
 * Whether an Ingress or MultiClusterIngress of the tree may name a FrontendConfig: one that does,
 * in its namespace (either's unknown where its document names none), or output the review cannot
 * read that may hold one there.
 */
function mayBeNamed(config: Resource, tree: ManifestSet, madeUnread: (namespace: string) => boolean): boolean {
  const { namespace, name } = config.id;
  const sameNamespace = (ingress: Resource) =>
    ingress.id.namespace === namespace || ingress.namespaceImplied === true || config.namespaceImplied === true;
  return (
    FRONTEND_CONFIG_NAMED_BY.some(([kind, annotation]) =>
      resourcesOfKind(tree, kind).some((ingress) => ingress.annotations[annotation] === name && sameNamespace(ingress)),
    ) || madeUnread(namespace)
  );
}

/**
 * GKE Ingress's FrontendConfig (cloud.google.com), for the Ingresses that name it in their
 * `networking.gke.io/v1beta1.FrontendConfig` annotation: its HTTPS redirect dropped serves their
 * hosts in plaintext, and its SSL policy sets the TLS versions and ciphers clients may use. One
 * deleted while nothing in the tree names it takes nothing from any load balancer
 * (gke-poc-toolkit-demos 2ee8aea2d7: deleted with the BackendConfig and ManagedCertificate beside
 * it, in a repository holding no Ingress): a low removal, as theirs. Deleted while an Ingress may
 * name it, its Ingresses keep what a copy surely applied where it was still gives them
 * (appliedTogether: the same cluster, or the same folder), and lose the rest: `prod/`'s deleted
 * while `staging/`'s copy still redirects leaves prod's hosts on plain HTTP.
 */
export const frontendConfigDetector: ResourceDetector = (change, detector) => {
  const resource = change.head ?? change.base;
  if (resource?.id.kind !== "FrontendConfig" || !change.base) return [];
  const out = new DetectionList(change);
  const context = { change, out, target: "for the Ingresses that name it (networking.gke.io/v1beta1.FrontendConfig)" };
  const was = spec(change.base);
  const kept = change.head ? [spec(change.head)] : copiesLeft(change.base, detector);
  if (!kept) return [];
  const now = kept[0] ?? {};
  const redirects = (fields: JsonRecord) => flag(record(fields.redirectToHttps).enabled) === true;
  if (redirects(was) && !kept.some(redirects))
    report(context, {
      class: "listener.changed",
      summary: "redirectToHttps no longer enabled: plain HTTP to their hosts is served unencrypted",
      path: ["spec", "redirectToHttps"],
      before: was.redirectToHttps,
      after: now.redirectToHttps ?? null,
    });
  const policyBefore = text(was.sslPolicy);
  const policyAfter = kept.some((fields) => text(fields.sslPolicy) === policyBefore) ? policyBefore : text(now.sslPolicy);
  if (policyBefore !== policyAfter)
    report(context, {
      class: "resource.changed",
      summary: `sslPolicy ${show(policyBefore)} → ${show(policyAfter)}: the TLS versions and ciphers clients may use change`,
      path: ["spec", "sslPolicy"],
      before: policyBefore,
      after: policyAfter,
      riskFloor: "medium-high",
    });
  return out.detections;
};

/**
 * What a deleted FrontendConfig's Ingresses are left with: the specs of its copies surely applied
 * where it was; undefined where no Ingress of the tree may name it.
 */
function copiesLeft(config: Resource, detector: DetectorContext): JsonRecord[] | undefined {
  if (!mayBeNamed(config, detector.head, (namespace) => detector.madeUnread("head", namespace))) return undefined;
  const { id } = config;
  const together = (copy: Resource) =>
    appliedTogether({ cluster: copy.cluster, file: copy.source.file }, { cluster: config.cluster, file: config.source.file });
  return resourcesOfKind(detector.head, "FrontendConfig")
    .filter((copy) => copy.id.namespace === id.namespace && copy.id.name === id.name && together(copy))
    .map(spec);
}

export const gkeDetector = byKind(
  {
    GCPBackendPolicy: [policyCheck(backendPolicy)],
    HealthCheckPolicy: [policyCheck(healthCheckPolicy)],
    GCPGatewayPolicy: [policyCheck(gatewayPolicy)],
    GCPTrafficDistributionPolicy: [policyCheck(trafficDistributionPolicy)],
    GCPTrafficExtension: [serviceExtensionCheck],
    GCPRoutingExtension: [serviceExtensionCheck],
  },
  (id) => id.group === GKE_GROUP,
);
