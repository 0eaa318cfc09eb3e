import { canonicalForm } from "../../core/canonical-form.js";
import { list, numeric, record, spec, text, type JsonRecord } from "../../core/json-access.js";
import type { Resource } from "../../core/resource.js";
import { LEGACY_GROUP, legacyTarget } from "./flows.js";
import { canonical, sameValue, show } from "../../core/canonical-values.js";
import { byKind } from "../../core/by-kind.js";
import { DetectionList } from "../../core/detection-list.js";
import type { DetectorContext, ResourceDetector } from "../../core/detector.js";
import type { ResourceChange } from "../../core/resource-change.js";
import type { FieldPath } from "../../core/finding.js";
import { reportMirrorIncreases, type Mirror } from "../../core/mirror-changes.js";
import { pairEntries } from "../../core/pair-entries.js";
import { reportAddressChanges } from "../../core/gateway-addresses.js";

/**
 * The retired Gateway API `networking.x-k8s.io/v1alpha1` (GKE recipes still use it). Its routes'
 * `forwardTo` weights are traffic, read by the route diff (legacy-gateway-flows.ts); this module
 * says the API is retired whenever such a resource is added or changed, and judges what the
 * route diff does not see: the Gateway's listeners and route mirrors (its class field is Gateway
 * API's, judged by the gateway-api family through `detectsOn`).
 */

export const RETIRED_API = "uses retired API networking.x-k8s.io/v1alpha1: migrate to gateway.networking.k8s.io";

const retired = (change: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  if (!change.head) return;
  const fields = change.base ? context.resourceChanged(change) : undefined;
  // Changed in spelling only: the resource was already there on the retired API.
  if (change.base && !fields) return;
  // The field list of the generic change summary, without its resource name prefix.
  const what = fields ? fields.summary.slice(fields.summary.indexOf(": ") + 2) : "added";
  out.add({
    class: "resource.changed",
    summary: `${RETIRED_API} (${what})`,
    side: "head",
    path: fields ? fields.path : ["apiVersion"],
    before: change.base ? canonicalForm(change.base.body) : undefined,
    after: canonicalForm(change.head.body),
    riskFloor: "medium",
  });
};

// ---------------------------------------------------------------------------------------------
// Gateway listeners: no names in v1alpha1, so a listener is its port and protocol.

const listenerView = (value: unknown) => {
  const listener = record(value);
  const routes = record(listener.routes);
  const tls = record(listener.tls);
  return {
    port: numeric(listener.port),
    protocol: text(listener.protocol)?.toUpperCase(),
    hostname: text(listener.hostname) || undefined,
    routes: JSON.parse(
      canonical({
        kind: text(routes.kind) ?? "HTTPRoute",
        selector: routes.selector ?? {},
        namespaces: text(record(routes.namespaces).from) ?? "Same",
        namespaceSelector: record(routes.namespaces).selector,
      }),
    ) as JsonRecord,
    certificate: tls.certificateRef === undefined ? undefined : canonical(tls.certificateRef),
  };
};

type ListenerView = ReturnType<typeof listenerView>;

const listenerLabel = (view: ListenerView) => `listener ${show(view.protocol)} :${show(view.port)}`;

const compareListener = (out: DetectionList, before: ListenerView, after: ListenerView, path: FieldPath): void => {
  const label = listenerLabel(after);
  if (before.hostname !== after.hostname) {
    out.add({
      class: "listener.changed",
      summary: `${label} hostname ${show(before.hostname)} → ${show(after.hostname)}: which hosts its routes can serve changes`,
      side: "head",
      path: [...path, "hostname"],
      before: before.hostname,
      after: after.hostname,
    });
  }
  if (!sameValue(before.routes, after.routes)) {
    const widened = before.routes.namespaces !== "All" && after.routes.namespaces === "All";
    out.add({
      class: "listener.changed",
      summary: `${label} routes ${show(before.routes)} → ${show(after.routes)}: ${widened ? "routes from any namespace can attach" : "which routes the Gateway selects changes"}`,
      side: "head",
      path: [...path, "routes"],
      before: before.routes,
      after: after.routes,
    });
  }
  if (before.certificate !== after.certificate) {
    out.add({
      class: "trust.changed",
      summary: `${label} tls.certificateRef ${show(before.certificate)} → ${show(after.certificate)}: the serving certificate changes`,
      side: "head",
      path: [...path, "tls"],
      before: before.certificate,
      after: after.certificate,
    });
  }
};

const listeners = (change: ResourceChange, out: DetectionList): void => {
  if (!change.base || !change.head) return;
  const of = (resource: Resource) => list(spec(resource).listeners);
  const identity = (listener: unknown) => `${numeric(record(listener).port) ?? ""}/${text(record(listener).protocol)?.toUpperCase() ?? ""}`;
  for (const pair of pairEntries(of(change.base), of(change.head), [identity])) {
    const before = pair.base && listenerView(pair.base.value);
    const after = pair.head && listenerView(pair.head.value);
    if (pair.base && pair.head && before && after) {
      compareListener(out, before, after, ["spec", "listeners", pair.head.index]);
    } else if (pair.head && after) {
      out.add({
        class: "listener.changed",
        summary: `${listenerLabel(after)} added: a new exposure point`,
        side: "head",
        path: ["spec", "listeners", pair.head.index],
        after,
      });
    } else if (pair.base && before) {
      out.add({
        class: "listener.changed",
        summary: `${listenerLabel(before)} removed: routes it selected are no longer served on it`,
        side: "base",
        path: ["spec", "listeners", pair.base.index],
        before,
      });
    }
  }
  reportAddressChanges(change, out);
};

// ---------------------------------------------------------------------------------------------
// Route mirrors: v1alpha1 matches cannot name a method, so every rule takes writes.

const ruleSignature = (rule: unknown): string =>
  canonical(
    list(record(rule).matches)
      .map((match) => JSON.parse(canonical(match)) as unknown)
      .sort(),
  );

const mirrorsOf = (rule: JsonRecord, path: FieldPath, namespace: string): Mirror[] => [
  ...list(rule.filters).flatMap((filter, index) =>
    text(record(filter).type) === "RequestMirror"
      ? [{ target: legacyTarget(record(record(filter).requestMirror), namespace).label, percent: 100, path: [...path, "filters", index] }]
      : [],
  ),
  ...list(rule.forwardTo).flatMap((backend, backendIndex) =>
    list(record(backend).filters).flatMap((filter, index) =>
      text(record(filter).type) === "RequestMirror"
        ? [
            {
              target: legacyTarget(record(record(filter).requestMirror), namespace).label,
              percent: 100,
              path: [...path, "forwardTo", backendIndex, "filters", index],
            },
          ]
        : [],
    ),
  ),
];

const routeMirrors = (change: ResourceChange, out: DetectionList): void => {
  const namespace = (change.head ?? change.base)?.id.namespace ?? "";
  const rules = (resource: Resource | undefined) =>
    list(spec(resource).rules).map((rule, index) => {
      const path: FieldPath = ["spec", "rules", index];
      const matches = list(record(rule).matches).length;
      return {
        signature: ruleSignature(rule),
        label: `rule ${index + 1}${matches === 0 ? " (all requests)" : ""}`,
        writes: "the rule takes writes (v1alpha1 cannot match methods)",
        mirrors: mirrorsOf(record(rule), path, namespace),
      };
    });
  const base = rules(change.base);
  const head = rules(change.head);
  const everyBaseMirror = base.flatMap((rule) => rule.mirrors);
  for (const pair of pairEntries(base, head, [(rule) => rule.signature])) {
    if (!pair.head) continue;
    reportMirrorIncreases(out, pair.head.value, pair.base ? pair.base.value.mirrors : everyBaseMirror, "RequestMirror");
  }
};

// ---------------------------------------------------------------------------------------------

/** v1alpha1 names the field `controller` (v1 renamed it `controllerName`). */
const gatewayClassController = (change: ResourceChange, out: DetectionList): void => {
  if (!change.base || !change.head) return;
  const before = text(spec(change.base).controller);
  const after = text(spec(change.head).controller);
  if (before === after) return;
  out.add({
    class: "gateway-class.changed",
    summary: `controller ${show(before)} → ${show(after)}: every Gateway of this class moves to another implementation`,
    side: "head",
    path: ["spec", "controller"],
    before,
    after,
  });
};

const kindChecks = byKind({
  GatewayClass: [gatewayClassController],
  Gateway: [listeners],
  HTTPRoute: [routeMirrors],
});

export const legacyGatewayApiDetector: ResourceDetector = (change, context) => {
  const subject = change.head ?? change.base;
  if (!subject || subject.id.group !== LEGACY_GROUP) return [];
  const out = new DetectionList(change);
  retired(change, out, context);
  return [...out.detections, ...kindChecks(change, context)];
};
