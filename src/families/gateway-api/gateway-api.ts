import { displayName, type ManifestSet, type Resource } from "../../core/resource.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import { agree } from "../../core/declared-services.js";
import { listedNames, removedWhileNamed } from "../../core/removed-while-named.js";
import { canonical, durationMs, formatDuration, sameValue, setChange, show, sortedSet } from "../../core/canonical-values.js";
import { byKind, type Check } from "../../core/by-kind.js";
import { DetectionList } from "../../core/detection-list.js";
import type { ResourceDetector } from "../../core/detector.js";
import type { ResourceChange } from "../../core/resource-change.js";
import type { FieldPath } from "../../core/finding.js";
import type { ChangeClassId } from "../../core/change-classes.js";
import { isEastWest, isWaypoint } from "../../core/istio-gateway-classes.js";
import { reportAddressChanges } from "../../core/gateway-addresses.js";
import { becomesExternal } from "../../core/load-balancer-exposure.js";
import { routeRules, sessionPersistence } from "./gateway-api-rules.js";
import { externalBackendChecks } from "./external-backend.js";
import { referenceGrantOf } from "./graph-nodes.js";
import { grantReliance } from "./grant-reliance.js";
import { grantCovers, type GrantTarget, type ReferenceGrantNode } from "../../core/graph-nodes.js";
import { DEFAULT_KINDS } from "./attachment.js";
import { isRecord, list, numeric, optionalRecord, record, spec, text, valueAt } from "../../core/json-access.js";
import { objectRef } from "../../core/object-refs.js";
import { pairEntries, type Entry } from "../../core/pair-entries.js";
import { GATEWAY_API_GROUP } from "../../core/gateway-api-group.js";
import { classCreator, classRestorer, fieldsNotRestored } from "./built-in-classes.js";
import { certificateRefsOf, servedCertificateChanges, type CertificateRef } from "./served-certificates.js";

/**
 * Resource-level risks of Gateway API kinds (DESIGN §5; research §1.1). Route flows and backends
 * (matches, backendRefs, parentRefs) are the route diff's; this module judges everything else:
 * classes, listeners, TLS and trust, grants and policies (route rules: gateway-api-rules.ts).
 */

const namespaceOf = (change: ResourceChange): string => (change.head ?? change.base)?.id.namespace ?? "";

const both = (change: ResourceChange): change is ResourceChange & { base: Resource; head: Resource } =>
  change.base !== undefined && change.head !== undefined;

// ---------------------------------------------------------------------------------------------
// GatewayClass and a Gateway's class

const gatewayClass = (change: ResourceChange, out: DetectionList): void => {
  if (!both(change)) return;
  const before = text(spec(change.base).controllerName);
  const after = text(spec(change.head).controllerName);
  if (before === after) return;
  out.add({
    class: "gateway-class.changed",
    summary: `controllerName ${show(before)} → ${show(after)}: every Gateway of this class moves to another implementation (the field is immutable, so the class is recreated)`,
    side: "head",
    path: ["spec", "controllerName"],
    before,
    after,
  });
};

/**
 * The implementation's own configuration of a class's or a Gateway's proxies (an Envoy Gateway
 * EnvoyProxy, a GKE or Istio parameters ConfigMap): another object there can change how they are
 * exposed (Service type, addresses, load balancer annotations), scaled and run — for every Gateway
 * it reaches. Where the tree holds what configured them before and what does now, and the object's
 * family judges such objects (Family.proxyParameters), the change is judged as the one edited into
 * the other (envoyproxy/ai-gateway eb66d279d8: a Gateway given an EnvoyProxy that sets only its
 * container's resources); otherwise its content is not modelled.
 */
const parametersRef =
  (
    at: readonly string[],
    what: string,
    changed: ChangeClassId,
    configured: (subject: Resource, tree: ManifestSet) => Configured | undefined,
    users: (subject: Resource) => string,
  ): Check =>
  (change, out, context) => {
    if (!both(change)) return;
    // By kind and name: a group renamed under them is the same object moved (kgateway 2a4ff05c1f,
    // gateway.gloo.solo.io → gateway.kgateway.dev), which the family cannot tell from a misspelt one.
    const ref = (resource: Resource) => {
      const found = valueAt(resource.body, at);
      return isRecord(found)
        ? `${text(found.kind) ?? "?"} ${text(found.namespace) ? `${text(found.namespace)}/` : ""}${text(found.name) ?? "?"}`
        : undefined;
    };
    const [before, after] = [ref(change.base), ref(change.head)];
    if (before === after) return;
    const moved = `${at.join(".")} ${show(before)} → ${show(after)}`;
    const [was, now] = [configured(change.base, context.base), configured(change.head, context.head)];
    const judges = new Set([was?.object, now?.object].flatMap((object) => (object ? [context.proxyParameters(object)] : [])));
    const judge = judges.size === 1 ? [...judges][0] : undefined;
    const drafts = was && now && judge ? judge(was.object, now.object, users(change.head)) : undefined;
    if (!drafts || !was || !now) {
      out.add({
        class: changed,
        summary: `${moved}: ${what} are configured by ${after ? "another object" : "the implementation's defaults"} (how they are exposed, addressed and run may change; its content is not modelled)`,
        side: "head",
        path: [...at],
        before,
        after,
      });
      return;
    }
    const by = (side: Configured) => (side.object ? displayName(side.object.id) : "the implementation's defaults");
    if (drafts.length === 0) {
      out.add({
        class: "resource.changed",
        summary: `${moved}: ${what} are configured by ${by(now)}, in place of ${by(was)}; nothing that decides how they are exposed or reached differs (resources, replicas and the like are not judged)`,
        side: "head",
        path: [...at],
        before,
        after,
      });
      return;
    }
    for (const draft of drafts)
      out.add({ ...draft, summary: `${moved} (${by(now)} in place of ${by(was)}): ${draft.summary}`, path: [...at] });
  };

/** What configures proxies in a tree: an object it holds, or none (the implementation's defaults). */
interface Configured {
  readonly object: Resource | undefined;
}

/**
 * The object a parametersRef names, as the tree holds it beside `near` (in its cluster, where
 * known); undefined where the tree does not hold it, or holds copies that differ.
 */
function parametersIn(tree: ManifestSet, ref: unknown, namespace: string, near: Resource): Configured | undefined {
  if (!isRecord(ref)) return { object: undefined };
  const [group, kind, name] = [text(ref.group) ?? "", text(ref.kind) ?? "", text(ref.name)];
  const found = resourcesOfKind(tree, kind).filter(
    ({ id, cluster }) =>
      id.group === group && id.name === name && id.namespace === (text(ref.namespace) ?? namespace) && agree(cluster, near.cluster),
  );
  return found.length > 0 && found.every((object) => sameValue(object.body, found[0]!.body)) ? { object: found[0] } : undefined;
}

/** A GatewayClass's proxies. */
const classParameters = (gatewayClass: Resource, tree: ManifestSet) =>
  parametersIn(tree, spec(gatewayClass).parametersRef, "", gatewayClass);

/**
 * A Gateway's proxies: those its own `infrastructure.parametersRef` names, which takes precedence,
 * else its class's; undefined where the tree does not hold the class, whose parameters are then unknown.
 */
function gatewayParameters(gateway: Resource, tree: ManifestSet): Configured | undefined {
  const own = record(spec(gateway).infrastructure).parametersRef;
  if (own !== undefined) return parametersIn(tree, own, gateway.id.namespace, gateway);
  const className = text(spec(gateway).gatewayClassName);
  const classes = resourcesOfKind(tree, "GatewayClass").filter(
    ({ id, cluster }) => id.group === GATEWAY_API_GROUP && id.name === className && agree(cluster, gateway.cluster),
  );
  const configured = classes.map((gatewayClass) => classParameters(gatewayClass, tree));
  return configured.length > 0 && configured.every((one) => one !== undefined && one.object === configured[0]!.object)
    ? configured[0]
    : undefined;
}

const isMultiClusterClass = (name: string | undefined): boolean => name !== undefined && name.endsWith("-mc");

/** `spec.infrastructure.annotations` reach the Service the implementation makes for the Gateway (GEP-1867). */
const infrastructureExposure = (change: ResourceChange, out: DetectionList): void => {
  const annotations = (resource: Resource | undefined) => record(record(spec(resource).infrastructure).annotations);
  const effect = change.base && change.head ? becomesExternal(annotations(change.base), annotations(change.head)) : undefined;
  if (effect === undefined) return;
  out.add({
    class: "listener.changed",
    summary: `spec.infrastructure.annotations: ${effect}`,
    side: "head",
    path: ["spec", "infrastructure"],
    before: annotations(change.base),
    after: annotations(change.head),
  });
};

const gatewayClassName = (change: ResourceChange, out: DetectionList): void => {
  if (!both(change)) return;
  const before = text(spec(change.base).gatewayClassName);
  const after = text(spec(change.head).gatewayClassName);
  if (before === after) return;
  const reach =
    isMultiClusterClass(after) && !isMultiClusterClass(before)
      ? ": the Gateway becomes multi-cluster (routes can reach ServiceImports across the fleet)"
      : isMultiClusterClass(before) && !isMultiClusterClass(after)
        ? ": the Gateway stops being multi-cluster (backends in other clusters are no longer reached)"
        : ": its listeners move to another data plane";
  out.add({
    class: "gateway-class.changed",
    summary: `gatewayClassName ${show(before)} → ${show(after)}${reach}`,
    side: "head",
    path: ["spec", "gatewayClassName"],
    before,
    after,
  });
};

// ---------------------------------------------------------------------------------------------
// Listeners (Gateway and ListenerSet)

/** Route namespaces by reach; `None` only exists for ListenerSets (allowedListeners). */
const NAMESPACE_REACH: Readonly<Record<string, number>> = { None: 0, Same: 1, Selector: 2, All: 3 };

interface ListenerView {
  readonly name: string;
  readonly port: number | undefined;
  readonly protocol: string | undefined;
  readonly hostname: string | undefined;
  readonly tlsMode: string | undefined;
  /** Whether the listener has a tls block: one carrying TLS without it has no certificate. */
  readonly tlsWritten: boolean;
  readonly certificates: readonly string[];
  /** As written: the first is the listener's default certificate. */
  readonly certificateRefs: readonly CertificateRef[];
  readonly routesFrom: string;
  readonly routesSelector: unknown;
  /** Undefined: the protocol's default kinds. */
  readonly routeKinds: readonly string[] | undefined;
}

/** Core protocol names are case-insensitive; implementation protocols (`example.com/x`) are not. */
const protocolName = (value: unknown): string | undefined => {
  const name = text(value);
  return name !== undefined && /^[a-z0-9-]+$/i.test(name) ? name.toUpperCase() : name;
};

/**
 * What a listener's new TLS mode does. Only a listener that terminated TLS stops doing so; one
 * without tls settings terminated nothing (Terminate needs certificateRefs), and on a TLS listener
 * routing is by SNI to TLSRoutes either way: only an HTTPS listener loses its L7 routing.
 */
function tlsModeEffect(before: ListenerView, after: ListenerView): string {
  if (after.tlsMode === "Passthrough") {
    if (before.tlsMode !== "Terminate" || before.certificates.length === 0)
      return ": clients' TLS now passes through to the backends, which present their own certificates";
    return `: the Gateway no longer terminates TLS: backends see the clients' TLS and present their own certificates${after.protocol === "HTTPS" ? ", and L7 routing stops" : ""}`;
  }
  if (after.tlsMode === "Terminate" && before.tlsMode === "Passthrough")
    return ": the Gateway now terminates TLS with its own certificates: backends no longer see the clients' TLS";
  return "";
}

const listenerView = (value: unknown, namespace: string): ListenerView => {
  const listener = record(value);
  const tls = optionalRecord(listener.tls);
  const routes = record(listener.allowedRoutes);
  const namespaces = record(routes.namespaces);
  const routesFrom = text(namespaces.from) ?? "Same";
  const kinds = list(routes.kinds).map((kind) => {
    const fields = record(kind);
    const group = text(fields.group) ?? GATEWAY_API_GROUP;
    return group === GATEWAY_API_GROUP ? (text(fields.kind) ?? "") : `${text(fields.kind) ?? ""}.${group}`;
  });
  const protocol = protocolName(listener.protocol);
  return {
    name: text(listener.name) ?? "",
    port: numeric(listener.port),
    protocol,
    hostname: text(listener.hostname) || undefined,
    // An HTTPS listener only terminates (the CRD refuses another mode), with a tls block or without.
    tlsMode: tls ? (text(tls.mode) ?? "Terminate") : protocol === "HTTPS" ? "Terminate" : undefined,
    tlsWritten: tls !== undefined,
    certificates: sortedSet(list(tls?.certificateRefs).map((ref) => objectRef(ref, { group: "", kind: "Secret", namespace }))),
    certificateRefs: certificateRefsOf(tls, namespace),
    routesFrom,
    routesSelector: routesFrom === "Selector" ? namespaces.selector : undefined,
    routeKinds: kinds.length === 0 ? undefined : sortedSet(kinds),
  };
};

const describeListener = (view: ListenerView): string => {
  const host = view.hostname ? ` ${view.hostname}` : ", any hostname";
  const from =
    view.routesFrom === "All" ? ", routes from all namespaces" : view.routesFrom === "Selector" ? ", routes from selected namespaces" : "";
  return `${show(view.protocol)} :${show(view.port)}${host}${from}`;
};

/** Whether hostname pattern `wide` matches every host `narrow` matches (`*.example.com` ⊇ `a.example.com`). */
const hostCovers = (wide: string, narrow: string): boolean =>
  wide === narrow || (wide.startsWith("*.") && narrow.endsWith(wide.slice(1)) && narrow.length > wide.length - 1);

const hostnameEffect = (before: string | undefined, after: string | undefined): string => {
  if (after === undefined) return "removed: the listener now matches every hostname, so routes can claim any host";
  if (before === undefined) return "narrowed: routes for other hostnames detach";
  if (hostCovers(after, before)) return "widened: routes can claim more hostnames";
  if (hostCovers(before, after)) return "narrowed: routes for other hostnames detach";
  return "changed: routes for the old hostname detach";
};

const reachEffect = (before: string, after: string, what: string): string => {
  const delta = (NAMESPACE_REACH[after] ?? 0) - (NAMESPACE_REACH[before] ?? 0);
  if (delta > 0) {
    return after === "All"
      ? `widened: ${what} from any namespace can attach${what === "routes" ? " and claim its hostnames" : ""}`
      : `widened: ${what} from ${after === "Selector" ? "namespaces matching the selector" : "this namespace"} can attach`;
  }
  return `narrowed: ${what} from other namespaces detach`;
};

const compareListener = (
  out: DetectionList,
  name: string,
  before: ListenerView,
  after: ListenerView,
  path: FieldPath,
  owner: Resource,
  trees: { readonly base: ManifestSet; readonly head: ManifestSet },
): void => {
  const at = (...field: (string | number)[]): FieldPath => [...path, ...field];
  const label = `listener ${name}`;
  if (before.port !== after.port) {
    out.add({
      class: "listener.changed",
      summary: `${label} port ${show(before.port)} → ${show(after.port)}: clients and DNS on the old port stop reaching it`,
      side: "head",
      path: at("port"),
      before: before.port,
      after: after.port,
    });
  }
  if (before.protocol !== after.protocol) {
    const dropsTls = (before.protocol === "HTTPS" || before.protocol === "TLS") && (after.protocol === "HTTP" || after.protocol === "TCP");
    out.add({
      class: "listener.changed",
      summary: `${label} protocol ${show(before.protocol)} → ${show(after.protocol)}${dropsTls ? ": TLS is no longer terminated or passed through" : ""}`,
      side: "head",
      path: at("protocol"),
      before: before.protocol,
      after: after.protocol,
    });
  }
  if (before.hostname !== after.hostname) {
    out.add({
      class: "listener.changed",
      summary: `${label} hostname ${show(before.hostname)} → ${show(after.hostname)} (${hostnameEffect(before.hostname, after.hostname)})`,
      side: "head",
      path: at("hostname"),
      before: before.hostname,
      after: after.hostname,
    });
  }
  // A protocol change that adds or drops TLS already says so; its tls block appearing or vanishing is not news.
  const tlsComesOrGoes = before.tlsMode === undefined || after.tlsMode === undefined;
  if (before.tlsMode !== after.tlsMode && !(tlsComesOrGoes && before.protocol !== after.protocol)) {
    out.add({
      class: "listener.changed",
      summary: `${label} tls.mode ${show(before.tlsMode)} → ${show(after.tlsMode)}${tlsModeEffect(before, after)}`,
      side: "head",
      path: at("tls", "mode"),
      before: before.tlsMode,
      after: after.tlsMode,
    });
  }
  // A listener carrying TLS without a tls block has no certificate: the block gained or lost is the certificate changed.
  const carriesTls = (view: ListenerView) => view.tlsMode !== undefined || view.protocol === "TLS";
  const unwritten = !before.tlsWritten
    ? " (a tls block added: the listener had none, and so no certificate)"
    : !after.tlsWritten
      ? " (its tls block removed: the listener has no certificate)"
      : "";
  if (carriesTls(before) && carriesTls(after))
    for (const draft of servedCertificateChanges(label, before.certificateRefs, after.certificateRefs, {
      owner,
      trees,
      path: at("tls", "certificateRefs"),
    }))
      out.add({ ...draft, summary: `${draft.summary}${unwritten}` });
  if (before.routesFrom !== after.routesFrom) {
    out.add({
      class: "listener.changed",
      summary: `${label} allowedRoutes.namespaces.from ${before.routesFrom} → ${after.routesFrom} (${reachEffect(before.routesFrom, after.routesFrom, "routes")})`,
      side: "head",
      path: at("allowedRoutes", "namespaces", "from"),
      before: before.routesFrom,
      after: after.routesFrom,
    });
  } else if (!sameValue(before.routesSelector, after.routesSelector)) {
    out.add({
      class: "listener.changed",
      summary: `${label} allowedRoutes.namespaces.selector ${show(before.routesSelector)} → ${show(after.routesSelector)}: which namespaces can attach routes changes`,
      side: "head",
      path: at("allowedRoutes", "namespaces", "selector"),
      before: before.routesSelector,
      after: after.routesSelector,
    });
  }
  // Written or left to the protocol's default, the same kinds are the same listener.
  const effectiveKinds = (view: ListenerView) => view.routeKinds ?? sortedSet(DEFAULT_KINDS[view.protocol ?? ""] ?? []);
  const [kindsBefore, kindsAfter] = [effectiveKinds(before), effectiveKinds(after)];
  if (!sameValue(kindsBefore, kindsAfter)) {
    const gained = setChange(kindsBefore, kindsAfter).added;
    out.add({
      class: "listener.changed",
      summary: `${label} allowedRoutes.kinds ${before.routeKinds ? show(before.routeKinds) : "(protocol default)"} → ${after.routeKinds ? show(after.routeKinds) : "(protocol default)"}${gained.length > 0 ? ` (now accepts ${gained.join(", ")})` : ""}`,
      side: "head",
      path: at("allowedRoutes", "kinds"),
      before: before.routeKinds,
      after: after.routeKinds,
    });
  }
};

const compareListeners: Check = (change, out, context) => {
  // A waypoint's listener is its mesh-internal HBONE port, not an exposure point: ambient.ts judges waypoints.
  if (isWaypoint(change)) return;
  const crossNetwork = isEastWest(change) ? " (cross-network: clusters on other networks reach this cluster's services through it)" : "";
  const namespace = namespaceOf(change);
  const listenersOf = (resource: Resource | undefined) => list(spec(resource).listeners);
  const pairs = pairEntries(listenersOf(change.base), listenersOf(change.head), [(listener) => text(record(listener).name)]);
  for (const pair of pairs) {
    const before = pair.base && listenerView(pair.base.value, namespace);
    const after = pair.head && listenerView(pair.head.value, namespace);
    const path = (entry: Entry<unknown>): FieldPath => ["spec", "listeners", entry.index];
    if (pair.base && pair.head && before && after) {
      compareListener(out, after.name, before, after, path(pair.head), change.head!, context);
    } else if (pair.head && after) {
      out.add({
        class: "listener.changed",
        summary: `listener ${after.name} added (${describeListener(after)}): a new exposure point${crossNetwork}`,
        side: "head",
        path: path(pair.head),
        after,
      });
    } else if (pair.base && before) {
      out.add({
        class: "listener.changed",
        summary: `listener ${before.name} removed (${describeListener(before)}): routes attached to it are no longer served${crossNetwork}`,
        side: "base",
        path: path(pair.base),
        before,
      });
    }
  }
};

// ---------------------------------------------------------------------------------------------
// Gateway-wide fields

interface ClientValidation {
  readonly mode: string;
  readonly caCertificates: readonly string[];
}

const clientValidation = (value: unknown, namespace: string): ClientValidation | undefined => {
  const validation = optionalRecord(value);
  if (!validation) return undefined;
  return {
    mode: text(validation.mode) ?? "AllowValidOnly",
    caCertificates: sortedSet(list(validation.caCertificateRefs).map((ref) => objectRef(ref, { group: "", kind: "ConfigMap", namespace }))),
  };
};

interface ValidationScope {
  readonly label: string;
  /** The scope's own setting: only a scope whose own setting changed is reported. */
  readonly own: unknown;
  readonly effective: ClientValidation | undefined;
  readonly path: FieldPath;
}

/** Client-certificate validation per scope: the default, and each port override (which replaces it). */
const validationScopes = (resource: Resource | undefined, namespace: string): Map<string, ValidationScope> => {
  const frontend = record(record(spec(resource).tls).frontend);
  const defaultPath: FieldPath = ["spec", "tls", "frontend", "default", "validation"];
  const defaultValidation = record(frontend.default).validation;
  const scopes = new Map<string, ValidationScope>([
    [
      "default",
      {
        label: "default client-certificate validation",
        own: defaultValidation,
        effective: clientValidation(defaultValidation, namespace),
        path: defaultPath,
      },
    ],
  ]);
  list(frontend.perPort).forEach((entry, index) => {
    const port = numeric(record(entry).port);
    const tls = record(record(entry).tls);
    scopes.set(`port ${port}`, {
      label: `port ${port} client-certificate validation`,
      own: tls,
      effective: clientValidation(tls.validation, namespace),
      path: ["spec", "tls", "frontend", "perPort", index, "tls", "validation"],
    });
  });
  // Gateway API v1.1–v1.3 (experimental) set it per listener, in `tls.frontendValidation`; where a
  // listener sets none, the Gateway-wide setting of v1.4 on applies (a migration moves nothing).
  list(spec(resource).listeners).forEach((entry, index) => {
    const listener = record(entry);
    const validation = record(listener.tls).frontendValidation;
    const inherited = (scopes.get(`port ${numeric(listener.port)}`) ?? scopes.get("default"))!.effective;
    scopes.set(`listener ${text(listener.name) ?? index}`, {
      label: `listener ${text(listener.name) ?? index} client-certificate validation`,
      own: validation,
      effective: clientValidation(validation, namespace) ?? inherited,
      path: ["spec", "listeners", index, "tls", "frontendValidation"],
    });
  });
  return scopes;
};

/**
 * What a validation asks of clients: AllowValidOnly refuses those without a certificate its CAs
 * sign; AllowInsecureFallback asks for one and checks it, but refuses no client.
 */
const FALLBACK = "AllowInsecureFallback";
const clientsMust = ({ mode, caCertificates }: ClientValidation): string =>
  mode === FALLBACK
    ? `clients are asked for a certificate, checked against ${show(caCertificates)}, but those without a valid one are still accepted (mode ${FALLBACK})`
    : `clients must present a certificate signed by ${show(caCertificates)}`;

const frontendValidation = (change: ResourceChange, out: DetectionList): void => {
  if (!both(change)) return;
  const namespace = namespaceOf(change);
  const base = validationScopes(change.base, namespace);
  const head = validationScopes(change.head, namespace);
  const scopeIn = (scopes: Map<string, ValidationScope>, key: string): ValidationScope => {
    const fallback = scopes.get("default") as ValidationScope;
    return scopes.get(key) ?? { ...fallback, own: undefined, label: `${key} client-certificate validation` };
  };
  for (const key of sortedSet([...base.keys(), ...head.keys()])) {
    // A listener added or removed is judged as one: it takes its validation with it.
    if (key.startsWith("listener ") && !(base.has(key) && head.has(key))) continue;
    const before = scopeIn(base, key);
    const after = scopeIn(head, key);
    if (sameValue(before.own, after.own)) continue;
    const was = before.effective;
    const now = after.effective;
    if (was && !now) {
      // Removed where it refused no client, it lets in no one new: only the check of the certificates they present goes.
      out.add({
        class: was.mode === FALLBACK ? "trust.changed" : "mtls.weakened",
        summary:
          was.mode === FALLBACK
            ? `${after.label} removed: the certificates clients present are no longer checked against ${show(was.caCertificates)}; clients without a valid one were accepted already (mode ${FALLBACK})`
            : `${after.label} removed: clients no longer need a certificate`,
        side: "head",
        path: after.path,
        before: was,
      });
    } else if (!was && now) {
      out.add({
        class: "trust.changed",
        summary: `${after.label} added: ${clientsMust(now)}`,
        side: "head",
        path: after.path,
        after: now,
      });
    } else if (was && now) {
      if (was.mode !== now.mode) {
        const weakened = now.mode === FALLBACK;
        out.add({
          class: weakened ? "mtls.weakened" : "trust.changed",
          summary: `${after.label} mode ${was.mode} → ${now.mode}${weakened ? ": clients without a valid certificate are accepted" : ": clients without a valid certificate are rejected"}`,
          side: "head",
          path: [...after.path, "mode"],
          before: was.mode,
          after: now.mode,
        });
      }
      if (!sameValue(was.caCertificates, now.caCertificates)) {
        out.add({
          class: "trust.changed",
          summary: `${after.label} caCertificateRefs ${show(was.caCertificates)} → ${show(now.caCertificates)}: client trust anchors change`,
          side: "head",
          path: [...after.path, "caCertificateRefs"],
          before: was.caCertificates,
          after: now.caCertificates,
        });
      }
    }
  }
};

const backendClientCertificate = (change: ResourceChange, out: DetectionList): void => {
  if (!both(change)) return;
  const namespace = namespaceOf(change);
  const view = (resource: Resource) => {
    const ref = record(record(spec(resource).tls).backend).clientCertificateRef;
    return ref === undefined ? undefined : objectRef(ref, { group: "", kind: "Secret", namespace });
  };
  const before = view(change.base);
  const after = view(change.head);
  if (before === after) return;
  out.add({
    class: "trust.changed",
    summary: `tls.backend.clientCertificateRef ${show(before)} → ${show(after)}: the Gateway's client identity towards backends changes`,
    side: "head",
    path: ["spec", "tls", "backend", "clientCertificateRef"],
    before,
    after,
  });
};

const allowedListeners = (change: ResourceChange, out: DetectionList): void => {
  if (!both(change)) return;
  const view = (resource: Resource) => {
    const namespaces = record(record(spec(resource).allowedListeners).namespaces);
    const from = text(namespaces.from) ?? "None";
    return { from, selector: from === "Selector" ? namespaces.selector : undefined };
  };
  const before = view(change.base);
  const after = view(change.head);
  if (sameValue(before, after)) return;
  const effect =
    before.from === after.from ? "which namespaces can add listeners changes" : reachEffect(before.from, after.from, "ListenerSets");
  out.add({
    class: "listener.changed",
    summary: `allowedListeners.namespaces ${show(before)} → ${show(after)} (${effect})`,
    side: "head",
    path: ["spec", "allowedListeners", "namespaces"],
    before,
    after,
  });
};

const listenerSetParent = (change: ResourceChange, out: DetectionList): void => {
  if (!both(change)) return;
  const namespace = namespaceOf(change);
  const view = (resource: Resource) => objectRef(spec(resource).parentRef, { group: GATEWAY_API_GROUP, kind: "Gateway", namespace });
  const before = view(change.base);
  const after = view(change.head);
  if (before === after) return;
  out.add({
    class: "listener.changed",
    summary: `parentRef ${before} → ${after}: its listeners move to another Gateway`,
    side: "head",
    path: ["spec", "parentRef"],
    before,
    after,
  });
};

// ---------------------------------------------------------------------------------------------
// ReferenceGrant

const showGrantFrom = ({ group, kind, namespace }: ReferenceGrantNode["from"][number]): string =>
  `${kind}${group ? `.${group}` : ""} of namespace ${namespace}`;

const showGrantTo = (to: GrantTarget): string =>
  `${to.kind}${to.group ? `.${to.group}` : ""} ${to.name ?? "* (every object: to[].name omitted)"}`;

/**
 * Whether every permission a grant gives (each `from` with each `to`) another grant of the same
 * namespace and cluster in `tree` gives too: a reference is allowed when any grant allows it, so a
 * grant added beside its twin, or renamed, allows nothing new and, removed, takes nothing away.
 */
function grantedElsewhere(grant: Resource, tree: ManifestSet): boolean {
  const own = referenceGrantOf(grant);
  const others = [...tree.resources.values()]
    .filter(
      (other) =>
        other.id.kind === "ReferenceGrant" &&
        other.id.group === grant.id.group &&
        other.key !== grant.key &&
        other.id.namespace === grant.id.namespace &&
        other.cluster === grant.cluster,
    )
    .map(referenceGrantOf);
  return own.from.every((from) =>
    own.to.every((to) =>
      others.some(
        (other) =>
          other.from.some((granted) => canonical(granted) === canonical(from)) && other.to.some((target) => grantCovers(target, to)),
      ),
    ),
  );
}

const referenceGrant: Check = (change, out, context) => {
  if (!change.base && change.head && grantedElsewhere(change.head, context.base)) return;
  if (change.base && !change.head && grantedElsewhere(change.base, context.head)) return;
  // A grant written without a namespace grants in the one it is applied to, which is not `default` as read.
  const where = (change.head ?? change.base)?.namespaceImplied
    ? "the namespace it is applied to (none written)"
    : `namespace ${namespaceOf(change)}`;
  const view = (resource: Resource | undefined) => {
    const grant = referenceGrantOf(resource);
    return { from: grant.from.map(showGrantFrom), to: grant.to };
  };
  const before = view(change.base);
  const after = view(change.head);
  const normal = (grant: ReturnType<typeof view>) => ({ from: sortedSet(grant.from), to: sortedSet(grant.to.map(showGrantTo)) });
  const fromChange = setChange(before.from, after.from);
  const addedTo = after.to.map((to, index) => ({ to, index })).filter(({ to }) => !before.to.some((was) => grantCovers(was, to)));
  const removedTo = before.to.filter((to) => !after.to.some((now) => grantCovers(now, to)));

  if (change.head && (fromChange.added.length > 0 || addedTo.length > 0)) {
    const what = change.base
      ? [
          fromChange.added.length > 0 ? `from +${fromChange.added.join(", +")}` : "",
          addedTo.length > 0 ? `to +${addedTo.map(({ to }) => showGrantTo(to)).join(", +")}` : "",
        ]
          .filter(Boolean)
          .join("; ")
      : `lets ${after.from.join(", ")} reference ${after.to.map(showGrantTo).join(", ")}`;
    const firstAddedFrom = after.from.findIndex((from) => fromChange.added.includes(from));
    const path: FieldPath = !change.base
      ? ["spec"]
      : firstAddedFrom >= 0
        ? ["spec", "from", firstAddedFrom]
        : ["spec", "to", addedTo[0]?.index ?? 0];
    out.add({
      class: "access.widened",
      summary: change.base ? `widened access to ${where}: ${what}` : `added: ${what} in ${where}`,
      side: "head",
      path,
      before: change.base ? normal(before) : undefined,
      after: normal(after),
    });
  }
  if (change.base && (fromChange.removed.length > 0 || removedTo.length > 0)) {
    const what = change.head
      ? `narrowed access to ${where}: no longer grants ${[...fromChange.removed.map((from) => `from ${from}`), ...removedTo.map((to) => `to ${showGrantTo(to)}`)].join(", ")}`
      : `removed: ${before.from.join(", ")} can no longer reference ${before.to.map(showGrantTo).join(", ")} in ${where}`;
    // What it breaks, the traffic graph says (reference.broken); the floor stays where the users may be out of view.
    const unused =
      !(change.head ?? change.base).namespaceImplied &&
      grantReliance(namespaceOf(change), referenceGrantOf(change.base), referenceGrantOf(change.head), context) === "unused";
    out.add({
      class: "resource.changed",
      summary: `${what}; ${unused ? "nothing in the repository relied on what it no longer grants" : "cross-namespace references that relied on it stop resolving"}`,
      side: change.head ? "head" : "base",
      path: ["spec"],
      before: normal(before),
      after: change.head ? normal(after) : undefined,
      ...(unused ? {} : { riskFloor: "medium-high" as const }),
    });
  }
};

// ---------------------------------------------------------------------------------------------
// BackendTLSPolicy

// A policy added or removed together with what it names is said once by detect/attached-policies.ts.
const backendTlsPolicy = (change: ResourceChange, out: DetectionList): void => {
  const namespace = namespaceOf(change);
  const view = (resource: Resource) => {
    const validation = record(spec(resource).validation);
    return {
      targets: sortedSet(list(spec(resource).targetRefs).map((ref) => objectRef(ref, { group: "", kind: "Service", namespace }))),
      hostname: text(validation.hostname),
      caCertificates: sortedSet(
        list(validation.caCertificateRefs).map((ref) => objectRef(ref, { group: "", kind: "ConfigMap", namespace })),
      ),
      wellKnownCACertificates: text(validation.wellKnownCACertificates),
      subjectAltNames: sortedSet(
        list(validation.subjectAltNames).map((san) => {
          const fields = record(san);
          return `${text(fields.type) ?? "Hostname"}:${text(fields.hostname) ?? text(fields.uri) ?? ""}`;
        }),
      ),
    };
  };
  if (!change.base && change.head) {
    const after = view(change.head);
    const anchors = after.caCertificates.length > 0 ? show(after.caCertificates) : show(after.wellKnownCACertificates);
    out.add({
      class: "trust.changed",
      summary: `added: connections to ${after.targets.join(", ")} use TLS validated against ${anchors} for hostname ${show(after.hostname)}`,
      side: "head",
      path: ["spec", "validation"],
      after,
    });
    return;
  }
  if (change.base && !change.head) {
    const before = view(change.base);
    out.add({
      class: "mtls.weakened",
      summary: `removed: connections to ${before.targets.join(", ")} are no longer TLS-validated by this policy`,
      side: "base",
      path: ["spec"],
      before,
    });
    return;
  }
  if (!both(change)) return;
  const before = view(change.base);
  const after = view(change.head);
  const targets = setChange(before.targets, after.targets);
  if (targets.removed.length > 0) {
    out.add({
      class: "mtls.weakened",
      summary: `targetRefs no longer cover ${targets.removed.join(", ")}: connections to them lose TLS validation`,
      side: "head",
      path: ["spec", "targetRefs"],
      before: before.targets,
      after: after.targets,
    });
  }
  if (targets.added.length > 0) {
    out.add({
      class: "trust.changed",
      summary: `targetRefs now cover ${targets.added.join(", ")}: connections to them use TLS with this validation`,
      side: "head",
      path: ["spec", "targetRefs"],
      before: before.targets,
      after: after.targets,
    });
  }
  for (const field of ["hostname", "caCertificates", "wellKnownCACertificates", "subjectAltNames"] as const) {
    if (sameValue(before[field], after[field])) continue;
    const yamlField = field === "caCertificates" ? "caCertificateRefs" : field;
    out.add({
      class: "trust.changed",
      summary: `validation.${yamlField} ${show(before[field])} → ${show(after[field])}: upstream certificate validation changes`,
      side: "head",
      path: ["spec", "validation", yamlField],
      before: before[field],
      after: after[field],
    });
  }
};

// ---------------------------------------------------------------------------------------------
// XBackendTrafficPolicy

/**
 * GEP-3388 defaults: 20% of active requests within 10s, and at least 10 retries a second allowed
 * whatever the budget (`minRetryRate`).
 */
const retryBudget = (resource: Resource | undefined) => {
  const constraint = optionalRecord(spec(resource).retryConstraint);
  if (!constraint) return undefined;
  const budget = record(constraint.budget);
  const minRate = record(constraint.minRetryRate);
  return {
    percent: numeric(budget.percent) ?? 20,
    interval: formatDuration(durationMs(budget.interval) ?? 10_000),
    minPerSecond: (numeric(minRate.count) ?? 10) / ((durationMs(minRate.interval) ?? 1_000) / 1_000),
  };
};

const backendTrafficPolicy = (change: ResourceChange, out: DetectionList): void => {
  if (!both(change)) return;
  const before = retryBudget(change.base);
  const after = retryBudget(change.head);
  if (before && !after) {
    out.add({
      class: "retry-timeout.changed",
      summary: `retryConstraint removed: retries are no longer bounded by a budget`,
      side: "head",
      path: ["spec", "retryConstraint"],
      before,
    });
  } else if (before && after && after.percent > before.percent) {
    out.add({
      class: "retry-timeout.changed",
      summary: `retry budget ${before.percent}% → ${after.percent}% of active requests: more retries allowed under failure`,
      side: "head",
      path: ["spec", "retryConstraint", "budget", "percent"],
      before,
      after,
    });
  }
  if (before && after && after.minPerSecond > before.minPerSecond) {
    out.add({
      class: "retry-timeout.changed",
      summary: `minimum retry rate ${before.minPerSecond}/s → ${after.minPerSecond}/s: more retries allowed even past the budget`,
      side: "head",
      path: ["spec", "retryConstraint", "minRetryRate"],
      before,
      after,
    });
  }
  sessionPersistence(out, spec(change.base).sessionPersistence, spec(change.head).sessionPersistence, ["spec", "sessionPersistence"], "");
};

/**
 * A GatewayClass removed while Gateways of the tree still name it: no controller accepts them any
 * more, so their listeners are no longer programmed (the class was often installed by the
 * controller's chart; here the repository held it) — unless its controller creates it itself
 * (built-in-classes.ts).
 */
const gatewayClassRemoved = removedWhileNamed(
  (tree, gatewayClass) =>
    sortedSet(
      resourcesOfKind(tree, "Gateway")
        .filter((gateway) => gateway.id.group === GATEWAY_API_GROUP && text(spec(gateway).gatewayClassName) === gatewayClass.id.name)
        .map((gateway) => `Gateway ${gateway.id.namespace}/${gateway.id.name}`),
    ),
  (gateways, gatewayClass) => {
    const named = `removed while ${listedNames(gateways)} still ${gateways.length === 1 ? "names" : "name"} it`;
    const creator = classCreator(gatewayClass);
    return creator
      ? `${named}: ${creator} creates it again, but bare, without its ${fieldsNotRestored(gatewayClass).join(", ")}: the proxies of ${gateways.length === 1 ? "that Gateway" : "those Gateways"} are configured by ${creator}'s defaults (how they are exposed, addressed and run may change; not modelled)`
      : `${named}: no controller accepts ${gateways.length === 1 ? "it" : "them"}, and ${gateways.length === 1 ? "its" : "their"} listeners are no longer programmed`;
  },
  classRestorer,
);

// ---------------------------------------------------------------------------------------------

export const gatewayApiDetector = byKind({
  GatewayClass: [
    gatewayClass,
    gatewayClassRemoved,
    parametersRef(
      ["spec", "parametersRef"],
      "the proxies of every Gateway of this class",
      "gateway-class.changed",
      classParameters,
      (gatewayClass) => `every Gateway of class ${gatewayClass.id.name}`,
    ),
  ],
  Gateway: [
    gatewayClassName,
    parametersRef(["spec", "infrastructure", "parametersRef"], "the Gateway's proxies", "listener.changed", gatewayParameters, (gateway) =>
      displayName(gateway.id),
    ),
    compareListeners,
    reportAddressChanges,
    infrastructureExposure,
    frontendValidation,
    backendClientCertificate,
    allowedListeners,
  ],
  ListenerSet: [listenerSetParent, compareListeners],
  XListenerSet: [listenerSetParent, compareListeners],
  ReferenceGrant: [referenceGrant],
  BackendTLSPolicy: [backendTlsPolicy],
  HTTPRoute: [routeRules],
  GRPCRoute: [routeRules],
  XBackendTrafficPolicy: [backendTrafficPolicy],
  XBackend: [...externalBackendChecks],
});

/** The retired v1alpha1 Gateway (legacy-gateway-api family) names its class as this API does: the family contributes the judgement. */
export const gatewayClassNameDetector: ResourceDetector = (change) => {
  if ((change.head ?? change.base)?.id.kind !== "Gateway") return [];
  const out = new DetectionList(change);
  gatewayClassName(change, out);
  return out.detections;
};
