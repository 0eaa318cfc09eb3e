import { byKind, type Check } from "../../core/by-kind.js";
import { sameValue } from "../../core/canonical-values.js";
import type { DetectionDraft } from "../../core/detection-list.js";
import type { DetectorContext } from "../../core/detector.js";
import { list, record, spec, stringMap } from "../../core/json-access.js";
import type { Labels } from "../../core/label-selector.js";
import { readersOf } from "../../core/kustomize-inclusion.js";
import { displayName, type Resource } from "../../core/resource.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import { DEFAULT_TLS_FLOOR, tlsVersionRank } from "../../core/tls-versions.js";
import { FLUX_KUSTOMIZE } from "../../core/flux-groups.js";
import { GATEWAY_API_GROUP, GATEWAY_ROUTE_KINDS } from "../../core/gateway-api-group.js";
import { ENVOY_GATEWAY_GROUP, appliedLabels, selectorPicks } from "./policy-targets.js";
import { guardsOf } from "./security-policy.js";
import { clientTls } from "./client-traffic-policy.js";
import { extensions } from "./proxy-extensions.js";

/**
 * Envoy Gateway policies that pick their Gateways and routes by label (`targetSelectors`): an
 * object whose labels, as the cluster holds them, no longer match stops getting what the policy
 * gives it, and one that now matches starts getting it, though the policy is unchanged. Its labels
 * change by its own edit or by the Flux Kustomization applying it (`spec.commonMetadata.labels`,
 * set over its own).
 */

/** What a BackendTrafficPolicy gives the objects it picks, by field: losing them is what leaving it means. */
const TRAFFIC_SETTINGS = ["healthCheck", "circuitBreaker", "rateLimit", "retry", "timeout", "loadBalancer", "faultInjection"] as const;
const HEALTH_SETTINGS: ReadonlySet<string> = new Set(["healthCheck", "circuitBreaker"]);

type Lost = Pick<DetectionDraft, "class" | "summary" | "riskFloor">;

/** A label-selecting policy an object leaves: what it stops getting from it, as a finding, or nothing when it gave nothing. */
const LEAVING: Readonly<Record<string, (policy: Resource) => Lost | undefined>> = {
  SecurityPolicy: (policy) => {
    const guards = guardsOf(policy);
    return guards.length === 0 ? undefined : { class: "access.widened", summary: `it no longer requires ${guards.join(", ")}` };
  },
  BackendTrafficPolicy: (policy) => {
    const settings = TRAFFIC_SETTINGS.filter((field) => spec(policy)[field] !== undefined);
    if (settings.length === 0) return undefined;
    const health = settings.some((field) => HEALTH_SETTINGS.has(field));
    return {
      class: health ? "health.changed" : "resource.changed",
      summary: `it loses its ${settings.join(", ")}${health ? ": unhealthy backends are no longer taken out, nor overload cut off" : ""}`,
      ...(health ? {} : { riskFloor: "medium-high" as const }),
    };
  },
  // A Gateway left by its ClientTrafficPolicy asks clients what Envoy Gateway asks by default: no certificate, TLS 1.2.
  ClientTrafficPolicy: (policy) => {
    const tls = clientTls(policy)!;
    if (tls.validation && !tls.validation.optional)
      return { class: "mtls.weakened", summary: "its clients no longer need a certificate (tls.clientValidation)" };
    if (tlsVersionRank(tls.minVersion) > tlsVersionRank(DEFAULT_TLS_FLOOR))
      return {
        class: "resource.changed",
        summary: `its tls.minVersion ${tls.minVersion} no longer holds: clients may connect with TLS ${DEFAULT_TLS_FLOOR}`,
        riskFloor: "medium",
      };
    return undefined;
  },
  EnvoyExtensionPolicy: (policy) => {
    const runs = extensions(policy);
    return runs === undefined
      ? undefined
      : { class: "resource.changed", summary: `it no longer runs ${runs} in its request path`, riskFloor: "high" };
  },
};

/**
 * A label-selecting policy an object joins: what it starts getting, as a finding, or nothing when
 * the policy gives nothing. A route that starts requiring a JWT refuses the clients that send none,
 * a fault the policy injects now hits it, an extension now runs in its request path: what the same
 * policy written anew for that object would be judged as.
 */
const JOINING: Readonly<Record<string, (policy: Resource) => Lost | undefined>> = {
  SecurityPolicy: (policy) => {
    const guards = guardsOf(policy);
    return guards.length === 0
      ? undefined
      : {
          class: "resource.changed",
          summary: `it now requires ${guards.join(", ")}: requests without it are refused`,
          riskFloor: "medium-high",
        };
  },
  BackendTrafficPolicy: (policy) => {
    const settings = TRAFFIC_SETTINGS.filter((field) => spec(policy)[field] !== undefined);
    if (settings.length === 0) return undefined;
    const summary = `it takes on its ${settings.join(", ")}`;
    return settings.includes("faultInjection")
      ? { class: "fault.injected", summary: `${summary}: its injected faults now hit these requests` }
      : { class: "resource.changed", summary, riskFloor: "medium-high" };
  },
  ClientTrafficPolicy: (policy) => {
    const tls = clientTls(policy)!;
    if (tls.validation && !tls.validation.optional)
      return { class: "resource.changed", summary: "its clients now need a certificate (tls.clientValidation)", riskFloor: "medium-high" };
    if (tlsVersionRank(tls.minVersion) > tlsVersionRank(DEFAULT_TLS_FLOOR))
      return { class: "resource.changed", summary: `clients now need TLS ${tls.minVersion} or later`, riskFloor: "medium" };
    return undefined;
  },
  EnvoyExtensionPolicy: (policy) => {
    const runs = extensions(policy);
    return runs === undefined
      ? undefined
      : { class: "resource.changed", summary: `it now runs ${runs} in its request path`, riskFloor: "high" };
  },
};

/** An object Envoy Gateway policies may pick by label, and its labels as applied on each side. */
interface Relabelled {
  readonly object: Resource;
  readonly had: Labels;
  readonly has: Labels;
}

/**
 * The label-selecting policies of the head tree that picked the object with its labels before and
 * do not now, or the reverse, each with what the object loses or gains and how its labels now read
 * against the policy's targetSelectors.
 */
function policiesCrossed({ object, had, has }: Relabelled, context: DetectorContext): { policy: Resource; effect: Lost; match: string }[] {
  return Object.keys(LEAVING).flatMap((kind) =>
    resourcesOfKind(context.head, kind).flatMap((policy) => {
      if (policy.id.group !== ENVOY_GATEWAY_GROUP) return [];
      const selectors = list(spec(policy).targetSelectors);
      const picks = (labels: Labels) => selectors.some((selector) => selectorPicks(selector, policy, object, labels));
      const [before, after] = [picks(had), picks(has)];
      if (before === after) return [];
      const effect = (before ? LEAVING : JOINING)[kind]?.(policy);
      const name = `${policy.id.kind} ${policy.id.namespace}/${policy.id.name}`;
      return effect ? [{ policy, effect, match: `${before ? "no longer match" : "now match"} ${name}'s targetSelectors` }] : [];
    }),
  );
}

/**
 * A Gateway's or route's own labels edited so that a policy picking by label no longer picks it, or
 * now does: only the object's edit shows what it stops (starts) getting (a label dropped took a
 * route out from under its JWT policy, or its health checks, as a low label change). Compared as applied, its
 * Kustomization's commonMetadata over them on each side; an edit that leaves its own labels as they
 * were is the Kustomization's to judge (crossedByCommonLabels).
 */
const crossedByOwnLabels: Check = (change, out, context) => {
  if (!change.base || !change.head || sameValue(change.base.labels, change.head.labels)) return;
  const relabelled = {
    object: change.head,
    had: appliedLabels(context, "base")(change.base),
    has: appliedLabels(context, "head")(change.head),
  };
  for (const { effect, match } of policiesCrossed(relabelled, context))
    out.add({
      ...effect,
      summary: `its labels ${match}: ${effect.summary}`,
      side: "head",
      path: ["metadata", "labels"],
      before: relabelled.had,
      after: relabelled.has,
    });
};

/** Gateways and routes, for what label-selecting policies stop (start) giving them when their labels change. */
export const labelSelectedDetector = byKind(
  Object.fromEntries(["Gateway", ...GATEWAY_ROUTE_KINDS].map((kind) => [kind, [crossedByOwnLabels]])),
  (id) => id.group === GATEWAY_API_GROUP,
);

/**
 * A Flux Kustomization's `spec.commonMetadata.labels` changed: the objects it applies whose own
 * labels are the same on both sides take other labels in the cluster, and nothing of theirs changed
 * to show it (reviewer's c17: `access: protected → public` took a route out from under its JWT
 * SecurityPolicy; c14: a Gateway out from under its BackendTrafficPolicy's timeout). Each object a
 * label-selecting policy stops (starts) picking is named with what it loses (gains).
 */
const crossedByCommonLabels: Check = (change, out, context) => {
  if (!change.base || !change.head) return;
  const common = (kustomization: Resource) => stringMap(record(record(spec(kustomization).commonMetadata)).labels);
  if (sameValue(common(change.base), common(change.head))) return;
  const delivery = context.deliveryOf(change.head, context.head);
  if (!delivery) return;
  const delivers = (file: string) => readersOf(file, context.head.includedBy).some((reader) => delivery.destinationOf(reader));
  // The kinds some label-selecting policy picks: most trees have none, and no object is read.
  const kinds = new Set(
    Object.keys(LEAVING).flatMap((kind) =>
      resourcesOfKind(context.head, kind).flatMap((policy) =>
        policy.id.group === ENVOY_GATEWAY_GROUP ? list(spec(policy).targetSelectors).map((selector) => record(selector).kind) : [],
      ),
    ),
  );
  const [before, after] = [appliedLabels(context, "base"), appliedLabels(context, "head")];
  for (const kind of kinds) {
    if (typeof kind !== "string") continue;
    for (const object of resourcesOfKind(context.head, kind)) {
      const earlier = context.base.resources.get(object.key);
      if (!earlier || !sameValue(earlier.labels, object.labels) || !delivers(object.source.file)) continue;
      const relabelled = { object, had: before(earlier), has: after(object) };
      if (sameValue(relabelled.had, relabelled.has)) continue;
      for (const { effect, match } of policiesCrossed(relabelled, context))
        out.add({
          ...effect,
          summary: `${displayName(object.id)}'s labels ${match}: ${effect.summary}`,
          side: "head",
          path: ["spec", "commonMetadata", "labels"],
          before: relabelled.had,
          after: relabelled.has,
        });
    }
  }
};

/** Flux Kustomizations, for the labels their commonMetadata sets on what they apply. */
export const commonLabelsDetector = byKind({ Kustomization: [crossedByCommonLabels] }, (id) => id.group === FLUX_KUSTOMIZE);
