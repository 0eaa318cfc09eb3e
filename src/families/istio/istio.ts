import type { ManifestSet, Resource } from "../../core/resource.js";
import { copiesNamed } from "../../core/copies-named.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import {
  canonical,
  formatDuration,
  sameValue,
  setChange,
  show,
  showLabels,
  sortedByCanonical,
  sortedSet,
  timeoutLimitMs,
} from "../../core/canonical-values.js";
import { byKind } from "../../core/by-kind.js";
import { DetectionList } from "../../core/detection-list.js";
import type { DetectorContext } from "../../core/detector.js";
import type { ResourceChange } from "../../core/resource-change.js";
import type { FieldPath } from "../../core/finding.js";
import { handoverJudge, type HandlingJudge } from "../../core/handling-moves.js";
import { destinationRule } from "./istio-destination-rule.js";
import { istioSecurityChecks } from "./istio-security.js";
import { corsOriginChanges, istioCorsOrigins } from "../../core/cors-origins.js";
import { claimHeader, noHeaderEdits, removeHeaders, reportIdentityHeaders, type HeaderEdits } from "../../core/identity-headers.js";
import { DEFAULT_TLS_FLOOR, tlsVersion, tlsVersionRank, weakenedCiphers } from "../../core/tls-versions.js";
import { placeOf, workloadEntryCheck, type Field } from "./workload-entry.js";
import { endpointChanges, refusedAddressChanges, refusedEndpoints } from "./service-entry-endpoints.js";
import { envoyFilterCheck, trafficExtensionCheck, wasmPluginCheck } from "./istio-extensions.js";
import { isDelegate, orphanedDelegations } from "./delegation.js";
import { isRecord, list, numeric, optionalRecord, record, spec, stringMap, text, texts, type JsonRecord } from "../../core/json-access.js";
import { reportMirrorIncreases, reportMirrorsRemoved, type Mirror, type MirroringRule } from "../../core/mirror-changes.js";
import { pairEntries } from "../../core/pair-entries.js";
import { reportRedirection } from "../../core/redirect-changes.js";
import { effectiveRewrite, rulesWrites } from "../../core/istio-http-match.js";
import { registryChanges, registryEntryChange, registryOf, type Registry } from "../../core/registry-hosts.js";
import { reportIstioRetryChanges } from "../../core/istio-retries.js";
import { reportFaultIncreases, type Fault, type FaultKind } from "../../core/fault-changes.js";
import { DEFAULT_EXPORT_FIELD } from "../../core/mesh-config.js";
import { qualifyHost } from "../../core/service-host.js";
import { virtualServicesSending } from "./graph-nodes.js";
import { routesToOwnHost } from "./flows.js";
import { mayApplyTogether, placedTogether, sameSelection, type Selection, type Together } from "./selection.js";
import { rootNamespaceIn } from "./mesh-scope.js";

/**
 * Resource-level risks of Istio networking and security kinds (DESIGN §5; research §1.3).
 * VirtualService hosts, gateways and route destinations are the route diff's; this module judges
 * retries, timeouts, faults, mirrors, visibility, endpoints, servers and security policies.
 */

const namespaceOf = (change: ResourceChange): string => (change.head ?? change.base)?.id.namespace ?? "";

const both = (change: ResourceChange): change is ResourceChange & { base: Resource; head: Resource } =>
  change.base !== undefined && change.head !== undefined;

// ---------------------------------------------------------------------------------------------
// exportTo (VirtualService, DestinationRule, ServiceEntry)

/** What the namespaces that stop seeing a resource lose. */
const HIDDEN_EFFECT: Readonly<Record<string, string>> = {
  VirtualService: "callers there no longer get its routing and reach the host as if it had none",
  DestinationRule: "callers there no longer apply its traffic policy, TLS settings or subsets",
  ServiceEntry: "workloads there no longer have its hosts in their registry",
};

/** `~` exports to no namespace at all. */
const namespacesIn = (values: readonly string[]) => values.filter((value) => value !== "~");

/** The namespaces an `exportTo` change hides a resource from, as a finding names them; undefined when it hides it from none. */
function hiddenFrom(before: readonly string[] | undefined, after: readonly string[] | undefined): string | undefined {
  // Unset is the mesh default, normally every namespace.
  if (after === undefined || after.includes("*")) return undefined;
  const kept = namespacesIn(after);
  if (before === undefined || before.includes("*")) return kept.length > 0 ? `every namespace but ${kept.join(", ")}` : "any namespace";
  return namespacesIn(setChange(before, after).removed).join(", ") || undefined;
}

/** The namespace of a gateway a VirtualService names (`ns/name`, or a bare name in its own namespace). */
const gatewayNamespace = (gateway: string, namespace: string): string =>
  gateway.includes("/") ? gateway.slice(0, gateway.indexOf("/")) : namespace;

/** What the first of a tree's MeshConfigs that sets it says; undefined where none does. */
export const meshSetting = <T>(context: DetectorContext, tree: ManifestSet, read: (config: JsonRecord) => T | undefined): T | undefined => {
  for (const config of context.meshConfigs(tree)) {
    const value = read(config);
    if (value !== undefined) return value;
  }
  return undefined;
};

/**
 * A VirtualService bound to a gateway in another namespace is seen by that gateway's proxies only
 * where it is exported there: one hidden from it (`exportTo: ["."]`) serves its hosts there no
 * more (route.removed). The Gateway's namespace stands for its proxies', where they usually run.
 */
function gatewaysCut(
  change: ResourceChange,
  before: readonly string[] | undefined,
  after: readonly string[] | undefined,
  namespace: string,
  out: DetectionList,
): void {
  if (change.head?.id.kind !== "VirtualService" || after === undefined || after.includes("*")) return;
  const seenBefore = (at: string) => before === undefined || before.includes("*") || before.includes(at);
  const cut = texts(spec(change.head).gateways).filter((gateway) => {
    if (gateway === "mesh") return false;
    const at = gatewayNamespace(gateway, namespace);
    return at !== namespace && seenBefore(at) && !after.includes(at);
  });
  if (cut.length === 0) return;
  out.add({
    class: "route.removed",
    summary: `exportTo ${show(before ?? "(mesh default)")} → ${show(after)}: gateway ${cut.join(", ")} runs in another namespace, whose proxies no longer see it: its hosts are no longer served there`,
    side: "head",
    path: ["spec", "exportTo"],
    before: before ?? null,
    after,
  });
}

/**
 * The namespaces whose proxies alone read a VirtualService, where that is known: a gateway-only
 * one (no `mesh` among its gateways) is read by its gateways' proxies, a delegate (no hosts) by
 * the proxies of the roots that delegate to it; undefined for one sidecars read (any namespace).
 */
function onlyReadBy(resource: Resource, context: DetectorContext): string[] | undefined {
  if (resource.id.kind !== "VirtualService") return undefined;
  const { namespace, name } = resource.id;
  const fields = spec(resource);
  if (texts(fields.hosts).length === 0) {
    const roots = [...context.head.resources.values()].filter(
      (root) =>
        root.id.kind === "VirtualService" &&
        list(spec(root).http).some((rule) => {
          const delegate = record(record(rule).delegate);
          return text(delegate.name) === name && (text(delegate.namespace) ?? root.id.namespace) === namespace;
        }),
    );
    return sortedSet(roots.map((root) => root.id.namespace));
  }
  const gateways = texts(fields.gateways);
  if (gateways.length === 0 || gateways.includes("mesh")) return undefined;
  return sortedSet(gateways.map((gateway) => gatewayNamespace(gateway, namespace)));
}

/**
 * The VirtualServices of namespaces a DestinationRule or ServiceEntry is no longer exported to that
 * still send to it (to a subset of the rule's host, or to one of the entry's hosts): their
 * proxies, in those namespaces, lose the subsets (503) or, under REGISTRY_ONLY, the host.
 */
function consumersCut(resource: Resource, after: readonly string[] | undefined, context: DetectorContext): Resource[] {
  if (after === undefined || after.includes("*")) return [];
  const fields = spec(resource);
  const ownNamespace = resource.id.namespace;
  const targets =
    resource.id.kind === "DestinationRule"
      ? (host: string, subset: string | undefined) =>
          subset !== undefined &&
          host === qualifyHost(text(fields.host) ?? "", ownNamespace) &&
          list(fields.subsets).some((candidate) => text(record(candidate).name) === subset)
      : resource.id.kind === "ServiceEntry"
        ? (host: string) => texts(fields.hosts).some((entry) => qualifyHost(entry, ownNamespace) === host)
        : undefined;
  if (!targets) return [];
  return virtualServicesSending(context.head, targets).filter((route) => !after.includes(route.id.namespace));
}

const exportTo = (change: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  if (!both(change)) return;
  const namespace = namespaceOf(change);
  const visibility = (values: string[]) =>
    values.length === 0 ? undefined : sortedSet(values.map((value) => (value === "." ? namespace : value)));
  // Unset is the mesh default: the tree's MeshConfig's where it sets one ("." there is the resource's own namespace), else "*".
  const field = DEFAULT_EXPORT_FIELD[change.head.id.kind] ?? "";
  const meshDefault = (tree: ManifestSet) => meshSetting(context, tree, (config) => visibility(texts(config[field])));
  const [written, writing] = [visibility(texts(spec(change.base).exportTo)), visibility(texts(spec(change.head).exportTo))];
  const before = written ?? meshDefault(context.base);
  const after = writing ?? meshDefault(context.head);
  if (sameValue(before ?? ["*"], after ?? ["*"])) return;
  const shown = (own: string[] | undefined, resolved: string[] | undefined) =>
    own ? show(own) : `(mesh default${resolved ? ` ${show(resolved)}` : ""})`;
  gatewaysCut(change, before, after, namespace, out);
  const cut = copiesNamed(
    consumersCut(change.head, after, context).filter((route) => !before || before.includes("*") || before.includes(route.id.namespace)),
  );
  if (cut.length > 0)
    out.add({
      class: "reference.broken",
      summary: `exportTo ${shown(written, before)} → ${show(after)}: ${cut.join(", ")} still ${cut.length === 1 ? "sends" : "send"} to it from ${cut.length === 1 ? "a namespace" : "namespaces"} it is no longer exported to: ${change.head.id.kind === "DestinationRule" ? "their proxies lose its subsets (503)" : "their proxies lose the host (unknown under REGISTRY_ONLY, plain DNS otherwise)"}`,
      side: "head",
      path: ["spec", "exportTo"],
      before: before ?? null,
      after: after ?? null,
    });
  // A VirtualService only gateways use, or a delegate only its roots use, loses no one while
  // their namespaces still see it (what gatewaysCut does not say).
  const readers = onlyReadBy(change.head, context);
  const keptForReaders = readers !== undefined && readers.every((at) => after === undefined || after.includes("*") || after.includes(at));
  const lost = keptForReaders ? undefined : hiddenFrom(before, after);
  if (lost !== undefined) {
    out.add({
      class: "resource.changed",
      summary: `exportTo ${shown(written, before)} → ${show(after)}: no longer visible in ${lost}: ${HIDDEN_EFFECT[change.head.id.kind] ?? "callers there no longer see it"}`,
      side: "head",
      path: ["spec", "exportTo"],
      before,
      after,
      riskFloor: "medium",
    });
  }
  if (before === undefined) return;
  let effect: string;
  if (after === undefined) effect = "visibility falls back to the mesh default (every namespace unless meshConfig sets a default exportTo)";
  else if (after.includes("*") && !before.includes("*")) effect = "now visible in every namespace";
  else {
    const gained = namespacesIn(setChange(before, after).added);
    if (before.includes("*") || gained.length === 0) return;
    effect = `now visible in ${gained.join(", ")}`;
  }
  out.add({
    class: "access.widened",
    summary: `exportTo ${shown(written, before)} → ${shown(writing, after)}: ${effect}`,
    side: "head",
    path: ["spec", "exportTo"],
    before,
    after,
  });
};

// ---------------------------------------------------------------------------------------------
// VirtualService http rules

interface HttpRule extends MirroringRule {
  readonly value: JsonRecord;
  readonly path: FieldPath;
  readonly signature: string;
  /** Every match selects by header, query, source labels or source namespace: test traffic, not all traffic. */
  readonly narrow: boolean;
}

const lowerKeys = (value: unknown): unknown =>
  isRecord(value) ? Object.fromEntries(Object.entries(value).map(([key, item]) => [key.toLowerCase(), item])) : value;

/** A match without its cosmetic `name`, header names lower-cased (HTTP headers are case-insensitive). */
const normalMatch = (value: unknown): unknown => {
  const { name: _name, ...match } = record(value);
  return JSON.parse(
    canonical({
      ...match,
      ...(match.headers === undefined ? {} : { headers: lowerKeys(match.headers) }),
      ...(match.withoutHeaders === undefined ? {} : { withoutHeaders: lowerKeys(match.withoutHeaders) }),
    }),
  ) as unknown;
};

const stringMatch = (value: unknown): string => {
  const match = record(value);
  const operator = ["exact", "prefix", "regex"].find((key) => match[key] !== undefined);
  return operator ? `${operator} ${show(match[operator])}` : show(value);
};

const describeMatch = (value: unknown): string => {
  const match = record(value);
  const parts: string[] = [];
  for (const key of ["uri", "scheme", "method", "authority"]) if (match[key] !== undefined) parts.push(`${key} ${stringMatch(match[key])}`);
  for (const [key, word] of [
    ["headers", "header"],
    ["queryParams", "query"],
    ["withoutHeaders", "without header"],
  ] as const) {
    for (const [name, condition] of Object.entries(record(match[key]))) parts.push(`${word} ${name} ${stringMatch(condition)}`);
  }
  if (match.sourceLabels !== undefined) parts.push(`sourceLabels ${showLabels(stringMap(match.sourceLabels))}`);
  for (const key of ["sourceNamespace", "port", "gateways"]) if (match[key] !== undefined) parts.push(`${key} ${show(match[key])}`);
  return parts.join(" ") || "any request";
};

const destinationLabel = (destination: unknown): string => {
  const fields = record(destination);
  const subset = text(fields.subset);
  const port = numeric(record(fields.port).number);
  return `${text(fields.host) ?? ""}${subset ? ` subset ${subset}` : ""}${port === undefined ? "" : `:${port}`}`;
};

const vsMirrors = (rule: JsonRecord, path: FieldPath): Mirror[] => {
  const single = optionalRecord(rule.mirror);
  const legacyPercent = numeric(rule.mirrorPercent) ?? numeric(rule.mirror_percent);
  return [
    ...(single
      ? [
          {
            target: destinationLabel(single),
            percent: numeric(record(rule.mirrorPercentage).value) ?? legacyPercent ?? 100,
            path: [...path, "mirror"],
          },
        ]
      : []),
    ...list(rule.mirrors).map((entry, index) => ({
      target: destinationLabel(record(entry).destination),
      percent: numeric(record(record(entry).percentage).value) ?? 100,
      path: [...path, "mirrors", index],
    })),
  ];
};

const httpRule = (value: unknown, index: number, writes: string | undefined): HttpRule => {
  const rule = record(value);
  const matches = list(rule.match);
  const path: FieldPath = ["spec", "http", index];
  const name = text(rule.name);
  return {
    value: rule,
    path,
    label: `http rule ${name ?? (matches.length === 0 ? "(all requests)" : matches.map(describeMatch).join(" | "))}`,
    signature: canonical(sortedByCanonical(matches.map(normalMatch))),
    narrow:
      matches.length > 0 &&
      matches.every(
        (match) =>
          ["headers", "queryParams", "sourceLabels"].some((key) => Object.keys(record(record(match)[key])).length > 0) ||
          Boolean(text(record(match).sourceNamespace)),
      ),
    writes,
    mirrors: vsMirrors(rule, path),
  };
};

const retries = (out: DetectionList, before: HttpRule, after: HttpRule): void =>
  reportIstioRetryChanges(out, before.value.retries, after.value.retries, after.label, [...after.path, "retries"]);

const timeout = (out: DetectionList, before: HttpRule, after: HttpRule): void => {
  const was = timeoutLimitMs(before.value.timeout);
  const now = timeoutLimitMs(after.value.timeout);
  if (now >= was) return;
  out.add({
    class: "retry-timeout.changed",
    summary: `${after.label}: timeout ${formatDuration(was)} → ${formatDuration(now)}: requests slower than that now fail with 504`,
    side: "head",
    path: [...after.path, "timeout"],
    before: formatDuration(was),
    after: formatDuration(now),
  });
};

/** An Istio StringMatch origin as the core compares it (`exact:…`, `prefix:…`, `regex:…`); the deprecated `allowOrigin` strings are exact. */
const cors = (out: DetectionList, before: HttpRule | undefined, after: HttpRule): void => {
  for (const draft of corsOriginChanges(
    istioCorsOrigins(before?.value.corsPolicy),
    istioCorsOrigins(after.value.corsPolicy),
    `${after.label}: `,
    [...after.path, "corsPolicy"],
  ))
    out.add(draft);
};

const faultOf = (rule: HttpRule | undefined, kind: FaultKind): Fault => {
  const fault = optionalRecord(record(rule?.value.fault)[kind]);
  return { share: fault ? (numeric(record(fault.percentage).value) ?? numeric(fault.percent) ?? 100) : 0, fault };
};

const faults = (out: DetectionList, before: HttpRule | undefined, after: HttpRule): void => {
  if (after.narrow) return;
  // A fault that only test traffic met (a narrow match) meets every request once its match widens.
  const met = before?.narrow ? undefined : before;
  reportFaultIncreases(
    out,
    {
      subject: after.label,
      path: [...after.path, "fault"],
      requests: "the requests it matches, with no narrow header/query/source match",
    },
    (side, kind) => faultOf(side === "base" ? met : after, kind),
  );
};

/** A rule's redirect, direct response or rewrite, compared; a rewrite by what it does to the rule's requests (one to the prefix it matched does nothing). */
const redirection = (out: DetectionList, before: HttpRule, after: HttpRule, field: "redirect" | "directResponse" | "rewrite"): void =>
  reportRedirection(out, {
    kind: field === "directResponse" ? "answer" : field,
    subject: `${after.label}: ${field}`,
    before: field === "rewrite" ? effectiveRewrite(before.value.rewrite, list(before.value.match)) : before.value[field],
    after: field === "rewrite" ? effectiveRewrite(after.value.rewrite, list(after.value.match)) : after.value[field],
    path: [...after.path, field],
  });

/** What guards a rule's requests whatever backend they reach: CORS, a redirect or direct response in place of any backend, identity headers. */
const guardChanges = (out: DetectionList, before: HttpRule, after: HttpRule): void => {
  cors(out, before, after);
  redirection(out, before, after, "redirect");
  redirection(out, before, after, "directResponse");
  reportIdentityHeaders(out, headerEditsOf(before), headerEditsOf(after), `${after.label}: headers.request`);
};

/** How a rule treats its requests for its backends: rewrite, retries, timeout. */
const backendHandlingChanges = (out: DetectionList, before: HttpRule, after: HttpRule): void => {
  redirection(out, before, after, "rewrite");
  retries(out, before, after);
  timeout(out, before, after);
};

/** How a rule handles the requests it keeps taking, compared (`after`: the rule they now meet). */
const handlingChanges = (out: DetectionList, before: HttpRule, after: HttpRule): void => {
  guardChanges(out, before, after);
  backendHandlingChanges(out, before, after);
};

/**
 * A mesh VirtualService whose rules all route its hosts to themselves, removed (or left with no
 * rule): the sidecars' default route sends the same requests to the same services (route-diff.ts),
 * so each rule is judged by its handling given up, as a rule that handles nothing would be
 * (`retries: {attempts: 0}` on writes gone is Istio's default of 2 retries).
 */
function routesAsDefaultWhenGone(resource: Resource): boolean {
  const { hosts, gateways, http } = spec(resource);
  const names = texts(gateways);
  const rules = list(http).map(record);
  return (
    (names.length === 0 || names.includes("mesh")) &&
    rules.length > 0 &&
    texts(hosts).length > 0 &&
    rules.every((rule) => texts(hosts).every((host) => routesToOwnHost(rule, host, resource.id.namespace)))
  );
}

const httpRules = (resource: Resource | undefined): HttpRule[] => {
  const http = list(spec(resource).http);
  const writes = rulesWrites(http);
  return http.map((value, index) => httpRule(value, index, writes[index]));
};

/** A rule's mirrors as a later version of it is judged against them. */
const earlierMirrors = (rule: HttpRule) => rule.mirrors.map((mirror) => ({ ...mirror, tookWrites: rule.writes !== undefined }));

const virtualService = (change: ResourceChange, out: DetectionList): void => {
  const base = httpRules(change.base);
  const head = httpRules(change.head);
  const everyBaseMirror = base.flatMap(earlierMirrors);
  const toDefault = head.length === 0 && change.base !== undefined && routesAsDefaultWhenGone(change.base);
  for (const pair of pairEntries(base, head, [(rule) => text(rule.value.name), (rule) => rule.signature])) {
    if (!pair.head) {
      const dropped = pair.base!.value;
      if (toDefault)
        handlingChanges(out, dropped, {
          ...dropped,
          value: {},
          mirrors: [],
          label: `${dropped.label} (removed: the default route takes its requests)`,
        });
      continue;
    }
    const after = pair.head.value;
    const before = pair.base?.value;
    faults(out, before, after);
    reportMirrorIncreases(out, after, before ? earlierMirrors(before) : everyBaseMirror, "mirror");
    if (!before) continue;
    reportMirrorsRemoved(out, after, before.mirrors, "mirror");
    handlingChanges(out, before, after);
  }
};

/**
 * Requests one VirtualService http rule handled that another now takes (HandlingMove), judged as the
 * one edited in place into the other: a `/api` rule with `timeout: 30s` and `retries: {attempts: 0}`
 * removed above a catch-all with `timeout: 1s` and 5 retries on `5xx,reset` to the same Service, or
 * a `/bison` rule rewriting to `/random` that stops applying on the mesh once its match names a
 * gateway (rytswd/get-istio-multicluster dba1cb1683), loses that handling. A mirror only the gone
 * rule held goes with it (low, as the field diff says): no response depended on it.
 */
const handover = handoverJudge<HttpRule>(
  ({ resource, path }) => {
    const index = path[2];
    return path[1] === "http" && typeof index === "number" ? httpRules(resource)[index] : undefined;
  },
  {
    guards: guardChanges,
    handling: backendHandlingChanges,
    gone: (out, was, taken) => {
      faults(out, was, taken);
      reportMirrorIncreases(out, taken, earlierMirrors(was), "mirror");
    },
  },
);

export const istioHandlingJudges: Readonly<Record<string, HandlingJudge>> = { VirtualService: handover };

/** What a rule's `headers.request` (on the rule and on each destination) does to who a request says it is. */
function headerEditsOf(rule: HttpRule): HeaderEdits {
  const edits = noHeaderEdits();
  const read = (headers: unknown, at: FieldPath) => {
    const request = record(record(headers).request);
    for (const field of ["set", "add"] as const)
      for (const [name, value] of Object.entries(record(request[field]))) claimHeader(edits, name, text(value), [...at, field, name]);
    removeHeaders(edits, list(request.remove), [...at, "remove"]);
  };
  read(rule.value.headers, [...rule.path, "headers", "request"]);
  list(rule.value.route).forEach((route, index) => read(record(route).headers, [...rule.path, "route", index, "headers", "request"]));
  return edits;
}

// ---------------------------------------------------------------------------------------------
// ServiceEntry

interface Placed {
  readonly value: string;
  readonly index: number;
}

const endpointPlacements = (resource: Resource | undefined, field: Field): Map<string, Placed> => {
  const placed = new Map<string, Placed>();
  list(spec(resource).endpoints).forEach((endpoint, index) => {
    const key = placeOf(endpoint, field);
    if (key !== undefined && !placed.has(key)) placed.set(key, { value: text(record(endpoint)[field])!, index });
  });
  return placed;
};

const isServiceEntry = (resource: Resource): boolean => resource.id.kind === "ServiceEntry" && resource.id.group.endsWith("istio.io");

/** A CIDR of /8 or wider (`0.0.0.0/0`, `::/0`, `10.0.0.0/8`): far more addresses than one service's. */
const WIDE_CIDR = /^(?:\d{1,3}(?:\.\d{1,3}){3}\/(?:[0-8])|[0-9a-f:]*:[0-9a-f:]*\/(?:[0-9]|1[0-6]))$/i;

/**
 * The wide address ranges a ServiceEntry forwards to as asked: with resolution NONE (Istio's
 * default) the proxy passes a connection on to whatever address in `addresses` the caller dialled,
 * so `0.0.0.0/0` on a port lets the mesh reach every address there — under outboundTrafficPolicy
 * REGISTRY_ONLY, egress that was refused.
 */
const openRanges = (resource: Resource | undefined): string[] => {
  if (!resource || (text(spec(resource).resolution) ?? "NONE") !== "NONE") return [];
  return texts(spec(resource).addresses).filter((address) => WIDE_CIDR.test(address.trim()));
};

const openedEgress = (change: ResourceChange, out: DetectionList): void => {
  const before = new Set(openRanges(change.base));
  const opened = openRanges(change.head).filter((range) => !before.has(range));
  if (opened.length === 0) return;
  const ports = list(spec(change.head).ports)
    .map((port) => numeric(record(port).number))
    .filter((port) => port !== undefined);
  out.add({
    class: "access.widened",
    summary: `resolution NONE over ${opened.join(", ")}${ports.length > 0 ? ` on port ${ports.join(", ")}` : ""}: the mesh may reach any address there, which outboundTrafficPolicy REGISTRY_ONLY refused`,
    side: "head",
    path: ["spec", "addresses"],
    before: [...before],
    after: openRanges(change.head),
  });
};

/**
 * The mesh's outbound mode as the tree's MeshConfig sets it (Istio's ALLOW_ANY where it sets none),
 * unknown where the mesh is configured outside the repository.
 */
const meshOutboundMode = (context: DetectorContext, tree: ManifestSet): string | undefined =>
  context.meshConfigs(tree).length === 0
    ? undefined
    : (meshSetting(context, tree, (config) => text(record(config.outboundTrafficPolicy).mode)) ?? "ALLOW_ANY");

/**
 * The ServiceEntries' registry around a changed entry, and the mesh's egress: REGISTRY_ONLY where a
 * Sidecar of the tree restricts egress to the registry (some workloads then reach only what is
 * registered) or the tree's MeshConfig says so; ALLOW_ANY where that leaves it so (Istio's default);
 * unknown where the mesh is configured elsewhere.
 */
const serviceEntryRegistry = (change: ResourceChange, context: DetectorContext): Registry => {
  const restricted = resourcesOfKind(context.head, "Sidecar").some(
    (sidecar) => text(record(spec(sidecar).outboundTrafficPolicy).mode) === "REGISTRY_ONLY",
  );
  return registryOf(
    change,
    context,
    { kind: "ServiceEntry", isEntry: isServiceEntry },
    restricted ? "REGISTRY_ONLY" : meshOutboundMode(context, context.head),
  );
};

const serviceEntry = (change: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  // As for a refused address: an entry the base already held refused is no new refusal, its edits judged as written.
  const refused = change.head && refusedEndpoints(change.head);
  if (refused && !(change.base && refusedEndpoints(change.base))) {
    out.add({
      class: "manifest.invalid",
      summary: `${refused}: istiod's validation refuses the entry, so kubectl and the GitOps tools cannot apply it`,
      side: "head",
      path: ["spec", "endpoints"],
      riskFloor: "high",
    });
    return;
  }
  openedEgress(change, out);
  refusedAddressChanges(change.base, change.head, out);
  const hosts = sortedSet(texts(spec(change.head ?? change.base).hosts)).join(", ");
  const registry = serviceEntryRegistry(change, context);
  registryEntryChange(change, out, registry);
  // Regions and networks the entry gains or loses: their endpoints are judged there, not again by address.
  const reported = new Set<string>();
  for (const field of ["locality", "network"] as const) {
    const before = endpointPlacements(change.base, field);
    const after = endpointPlacements(change.head, field);
    const where = (key: string, placed: Placed) => (field === "locality" ? `region ${key} (${placed.value})` : `network ${key}`);
    const crossing = field === "network" ? ", reached through that network's east-west gateway" : "";
    for (const [key, placed] of after) {
      if (before.has(key)) continue;
      reported.add(key);
      out.add({
        class: "backend.region-added",
        summary: `endpoints in ${where(key, placed)}: ${hosts} gains backends there${crossing}`,
        side: "head",
        path: ["spec", "endpoints", placed.index, field],
        before: sortedSet(before.keys()),
        after: sortedSet(after.keys()),
        ...(field === "locality" ? { lands: { clusters: [], regions: [key] } } : {}),
      });
    }
    for (const [key, placed] of before) {
      if (after.has(key)) continue;
      reported.add(key);
      out.add({
        class: "backend.region-removed",
        summary: `no endpoints left in ${where(key, placed)}: ${hosts} loses its backends there`,
        side: "base",
        path: ["spec", "endpoints", placed.index, field],
        before: sortedSet(before.keys()),
        after: sortedSet(after.keys()),
        ...(field === "locality" ? { lands: { clusters: [], regions: [key] } } : {}),
      });
    }
  }
  if (!both(change)) return;
  registryChanges(change, out, hosts, registry);
  endpointChanges(change.base, change.head, out, hosts, reported);
  const settings = [
    {
      field: "location",
      fallback: "MESH_EXTERNAL",
      effect: "whether the hosts are treated as part of the mesh (mTLS, mesh policy) changes",
    },
    { field: "resolution", fallback: "NONE", effect: "how its endpoints are found changes" },
  ] as const;
  for (const { field, fallback, effect } of settings) {
    const before = text(spec(change.base)[field]) ?? fallback;
    const after = text(spec(change.head)[field]) ?? fallback;
    if (before === after) continue;
    out.add({
      class: "resource.changed",
      summary: `${field} ${before} → ${after}: ${effect}`,
      side: "head",
      path: ["spec", field],
      before,
      after,
      riskFloor: "medium",
    });
  }
  // The pods (and WorkloadEntries) whose addresses serve the hosts, in place of listed endpoints.
  const selected = (resource: Resource) => stringMap(record(spec(resource).workloadSelector).labels);
  const [podsBefore, podsAfter] = [selected(change.base), selected(change.head)];
  if (!sameValue(podsBefore, podsAfter)) {
    out.add({
      class: "resource.changed",
      summary: `workloadSelector ${showLabels(podsBefore)} → ${showLabels(podsAfter)}: other workloads serve ${hosts}`,
      side: "head",
      path: ["spec", "workloadSelector"],
      before: podsBefore,
      after: podsAfter,
      riskFloor: "medium-high",
    });
  }
};

// ---------------------------------------------------------------------------------------------
// Scoped hosts (`namespace/name`: Sidecar egress hosts, Gateway server hosts)

/** `namespace/name` of a scoped host (a bare name is in any namespace). */
const hostParts = (host: string): [namespace: string, name: string] =>
  host.includes("/") ? (host.split("/", 2) as [string, string]) : ["*", host];

/**
 * Whether scoped host `kept` takes in every host `host` names (`*`, `ns/*`, `*.example.com`), as
 * istiod's host.Name.SubsetOf matches them: a wildcard by suffix, so `*.global` takes in
 * `*.bison.global` too; a name in a namespace only where `kept` admits that namespace.
 */
const coversHost = (kept: string, host: string): boolean => {
  const [keptNamespace, keptName] = hostParts(kept);
  const [namespace, name] = hostParts(host);
  const namespaceCovered = keptNamespace === "*" || keptNamespace === namespace;
  const nameCovered = keptName === "*" || keptName === name || (keptName.startsWith("*.") && name.endsWith(keptName.slice(1)));
  return namespaceCovered && nameCovered;
};

// ---------------------------------------------------------------------------------------------
// Istio Gateway

/** Client-certificate strength of terminating modes; passthrough modes are not ranked. */
const SERVER_TLS_STRENGTH: Readonly<Record<string, number>> = { SIMPLE: 1, OPTIONAL_MUTUAL: 2, MUTUAL: 3, ISTIO_MUTUAL: 3 };
const SERVER_TRUST_FIELDS = [
  "credentialName",
  "credentialNames",
  "serverCertificate",
  "privateKey",
  "caCertificates",
  "subjectAltNames",
  "caCrl",
] as const;

const serverView = (value: unknown) => {
  const server = record(value);
  const port = record(server.port);
  const tls = optionalRecord(server.tls);
  const protocol = text(port.protocol)?.toUpperCase();
  const credentials = Object.fromEntries(
    SERVER_TRUST_FIELDS.map((field) => {
      const item = tls?.[field];
      return [field, Array.isArray(item) ? sortedSet(texts(item)) : text(item)];
    }),
  ) as Record<(typeof SERVER_TRUST_FIELDS)[number], string | string[] | undefined>;
  return {
    name: text(server.name),
    portName: text(port.name),
    number: numeric(port.number),
    protocol,
    bind: text(server.bind),
    hosts: sortedSet(texts(server.hosts)),
    // The proto default mode is PASSTHROUGH, but a tls block on a plain HTTP server only redirects.
    tlsMode: text(tls?.mode) ?? (tls && (protocol === "HTTPS" || protocol === "TLS") ? "PASSTHROUGH" : undefined),
    credentials,
    // Istio's gateways default to TLS 1.2 as their floor (TLS_AUTO too).
    minTls: tlsVersion(text(tls?.minProtocolVersion)) ?? DEFAULT_TLS_FLOOR,
    maxTls: tlsVersion(text(tls?.maxProtocolVersion)),
    cipherSuites: tls?.cipherSuites === undefined ? undefined : texts(tls.cipherSuites),
    httpsRedirect: tls?.httpsRedirect === true,
  };
};

type ServerView = ReturnType<typeof serverView>;

const serverLabel = (server: ServerView): string =>
  `server ${server.name ?? server.portName ?? `${show(server.protocol)} :${show(server.number)}`}`;

/**
 * What an Istio Gateway server in AUTO_PASSTHROUGH mode (port 15443 of the east-west gateway)
 * exposes: mesh services, by SNI, to clusters on other networks.
 */
const crossNetworkNote = (tlsMode: string | undefined, hosts: readonly string[], exposed: boolean): string =>
  tlsMode !== "AUTO_PASSTHROUGH"
    ? ""
    : exposed
      ? `; cross-network: clusters on other networks reach services matching ${hosts.join(", ")} here through it (mTLS passed through by SNI)`
      : `; cross-network: clusters on other networks lose their path to services matching ${hosts.join(", ")} here`;

/**
 * The hosts of `from` that none of `to` takes in, `.` read as the Gateway's own namespace: a host
 * dropped beside a wildcard of the same server that still admits it stays served (an east-west
 * gateway's `*.bison.global` beside `*.global`, rytswd/get-istio-multicluster d9ac83ec33), and one
 * added that a wildcard there already admitted exposes nothing new.
 */
const uncoveredHosts = (from: readonly string[], to: readonly string[], namespace: string): string[] => {
  const scoped = (host: string) => (host.startsWith("./") ? `${namespace}${host.slice(1)}` : host);
  return from.filter((host) => !to.some((kept) => coversHost(scoped(kept), scoped(host))));
};

const compareServers = (out: DetectionList, was: ServerView, now: ServerView, path: FieldPath, namespace: string): void => {
  const label = serverLabel(now);
  if (was.number !== now.number || was.protocol !== now.protocol) {
    out.add({
      class: "listener.changed",
      summary: `${label} port ${show(was.protocol)} :${show(was.number)} → ${show(now.protocol)} :${show(now.number)}: clients of the old port stop reaching it`,
      side: "head",
      path: [...path, "port"],
      before: { number: was.number, protocol: was.protocol },
      after: { number: now.number, protocol: now.protocol },
    });
  }
  const hosts = setChange(was.hosts, now.hosts);
  if (hosts.added.length > 0 || hosts.removed.length > 0) {
    const added = uncoveredHosts(hosts.added, was.hosts, namespace);
    const removed = uncoveredHosts(hosts.removed, now.hosts, namespace);
    const edits = (adds: readonly string[], removes: readonly string[]) =>
      [...adds.map((host) => `+${host}`), ...removes.map((host) => `-${host}`)].join(", ");
    const covered = edits(
      hosts.added.filter((host) => !added.includes(host)),
      hosts.removed.filter((host) => !removed.includes(host)),
    );
    const wider = added.some((host) => host.includes("*")) ? ": a wildcard host exposes more services" : "";
    const exposed = added.length > 0 || removed.length > 0;
    out.add({
      class: exposed ? "listener.changed" : "resource.changed",
      summary: exposed
        ? `${label} hosts ${edits(added, removed)}${wider}${covered && ` (${covered}: within the server's other hosts, no change)`}${crossNetworkNote(now.tlsMode, now.hosts, true)}`
        : `${label} hosts ${covered}: within the server's other hosts, so it admits the same hosts as before`,
      side: "head",
      path: [...path, "hosts"],
      before: was.hosts,
      after: now.hosts,
    });
  }
  if (was.httpsRedirect && !now.httpsRedirect) {
    out.add({
      class: "listener.changed",
      summary: `${label} tls.httpsRedirect true → false: plain HTTP requests to its hosts are served instead of redirected to HTTPS, unencrypted`,
      side: "head",
      path: [...path, "tls", "httpsRedirect"],
      before: true,
      after: false,
    });
  }
  if (was.tlsMode !== now.tlsMode) {
    const from = was.tlsMode === undefined ? undefined : SERVER_TLS_STRENGTH[was.tlsMode];
    const to = now.tlsMode === undefined ? undefined : SERVER_TLS_STRENGTH[now.tlsMode];
    const weakened = from !== undefined && to !== undefined && to < from;
    out.add({
      class: weakened ? "mtls.weakened" : "listener.changed",
      summary: `${label} tls.mode ${show(was.tlsMode)} → ${show(now.tlsMode)}${weakened ? ": clients no longer need a valid certificate" : ""}${crossNetworkNote(now.tlsMode, now.hosts, true) || crossNetworkNote(was.tlsMode, was.hosts, false)}`,
      side: "head",
      path: [...path, "tls", "mode"],
      before: was.tlsMode,
      after: now.tlsMode,
    });
  }
  const terminates = (server: ServerView) =>
    server.tlsMode !== undefined && SERVER_TLS_STRENGTH[server.tlsMode] !== undefined && server.tlsMode !== "ISTIO_MUTUAL";
  if (!terminates(was) || !terminates(now)) return;
  if (tlsVersionRank(now.minTls) < tlsVersionRank(was.minTls)) {
    const weakened = tlsVersionRank(now.minTls) < tlsVersionRank(DEFAULT_TLS_FLOOR);
    out.add({
      class: weakened ? "mtls.weakened" : "resource.changed",
      summary: `${label} tls.minProtocolVersion TLS ${was.minTls} → ${now.minTls}: clients may connect with TLS ${now.minTls}${weakened ? ", a deprecated protocol" : ""}`,
      side: "head",
      path: [...path, "tls", "minProtocolVersion"],
      before: was.minTls,
      after: now.minTls,
      ...(weakened ? {} : { riskFloor: "medium" as const }),
    });
  }
  // A maximum at a deprecated version caps every client there, whatever the minimum says.
  if (now.maxTls !== undefined && tlsVersionRank(now.maxTls) < tlsVersionRank(DEFAULT_TLS_FLOOR) && now.maxTls !== was.maxTls)
    out.add({
      class: "mtls.weakened",
      summary: `${label} tls.maxProtocolVersion ${show(was.maxTls)} → TLS ${now.maxTls}: clients can only connect with a deprecated protocol`,
      side: "head",
      path: [...path, "tls", "maxProtocolVersion"],
      before: was.maxTls ?? null,
      after: now.maxTls,
    });
  const ciphers = sameValue(was.cipherSuites, now.cipherSuites) ? undefined : weakenedCiphers(was.cipherSuites, now.cipherSuites);
  if (ciphers)
    out.add({
      class: "mtls.weakened",
      summary: `${label} tls.cipherSuites ${show(was.cipherSuites ?? "(Envoy's defaults)")} → ${show(now.cipherSuites)}: ${ciphers}`,
      side: "head",
      path: [...path, "tls", "cipherSuites"],
      before: was.cipherSuites ?? null,
      after: now.cipherSuites ?? null,
    });
  for (const field of SERVER_TRUST_FIELDS) {
    if (sameValue(was.credentials[field], now.credentials[field])) continue;
    out.add({
      class: "trust.changed",
      summary: `${label} tls.${field} ${show(was.credentials[field])} → ${show(now.credentials[field])}: the certificate or client trust anchors served change`,
      side: "head",
      path: [...path, "tls", field],
      before: was.credentials[field],
      after: now.credentials[field],
    });
  }
};

const istioGateway = (change: ResourceChange, out: DetectionList): void => {
  if (both(change)) {
    const before = stringMap(spec(change.base).selector);
    const after = stringMap(spec(change.head).selector);
    if (!sameValue(before, after)) {
      out.add({
        class: "listener.changed",
        summary: `selector ${showLabels(before)} → ${showLabels(after)}: its servers move to different gateway pods`,
        side: "head",
        path: ["spec", "selector"],
        before,
        after,
      });
    }
  }
  const servers = (resource: Resource | undefined) => list(spec(resource).servers).map(serverView);
  const place = (server: ServerView) => `${show(server.number)}|${server.bind ?? ""}`;
  const pairs = pairEntries(servers(change.base), servers(change.head), [
    (server) => server.name,
    (server) => server.portName,
    (server) => `${place(server)}|${server.hosts.join(",")}`,
    place,
  ]);
  for (const pair of pairs) {
    if (pair.base && pair.head) {
      compareServers(out, pair.base.value, pair.head.value, ["spec", "servers", pair.head.index], namespaceOf(change));
    } else if (pair.head) {
      const server = pair.head.value;
      out.add({
        class: "listener.changed",
        summary: `${serverLabel(server)} added (${show(server.protocol)} :${show(server.number)} for ${server.hosts.join(", ")}): a new exposure point${crossNetworkNote(server.tlsMode, server.hosts, true)}`,
        side: "head",
        path: ["spec", "servers", pair.head.index],
        after: server,
      });
    } else if (pair.base) {
      const server = pair.base.value;
      out.add({
        class: "listener.changed",
        summary: `${serverLabel(server)} removed (${show(server.protocol)} :${show(server.number)} for ${server.hosts.join(", ")}): its hosts are no longer served there${crossNetworkNote(server.tlsMode, server.hosts, false)}`,
        side: "base",
        path: ["spec", "servers", pair.base.index],
        before: server,
      });
    }
  }
};

// ---------------------------------------------------------------------------------------------
// Sidecar

/** Without egress listeners a sidecar sees every service in the mesh. */
const egressHosts = (resource: Resource | undefined): string[] => {
  const egress = list(spec(resource).egress);
  return egress.length === 0 ? ["*/*"] : sortedSet(egress.flatMap((listener) => texts(record(listener).hosts)));
};

const isWildcardHost = (host: string): boolean => {
  const [namespace, name] = hostParts(host);
  return namespace === "*" || name === "*";
};

const sidecarLabels = (resource: Resource): Record<string, string> => stringMap(record(spec(resource).workloadSelector).labels);

/** A Sidecar selects workloads of its namespace by labels (none: every workload without a more specific one). */
const sidecarSelection: Selection = (resource) => canonical([resource.id.namespace, sidecarLabels(resource)]);

/**
 * The Sidecar that configures the workloads `self` selects, in a tree: one selecting the same
 * (itself, or a renamed or moved twin), else the namespace's selector-less one, else the root
 * namespace's, of those put where `self` (of tree `selfIn`) is (`together`: placedTogether unless
 * told); none means the workloads see the whole mesh.
 */
const sidecarInForce = (
  tree: ManifestSet,
  self: Resource,
  selfIn: ManifestSet,
  context: DetectorContext,
  together: Together = placedTogether,
): Resource | undefined => {
  const peers = sameSelection(tree, self, selfIn, sidecarSelection, context, together);
  const same = peers.find((peer) => peer.key === self.key) ?? peers[0];
  if (same) return same;
  const wide = [...tree.resources.values()].filter(
    (other) =>
      other.id.group === self.id.group &&
      other.id.kind === self.id.kind &&
      Object.keys(sidecarLabels(other)).length === 0 &&
      together(context, self, selfIn, other, tree),
  );
  const namespaceWide =
    Object.keys(sidecarLabels(self)).length > 0 ? wide.find((other) => other.id.namespace === self.id.namespace) : undefined;
  // A selector-less Sidecar in the root namespace is the mesh-wide default.
  const root = rootNamespaceIn(tree, context);
  return namespaceWide ?? (self.id.namespace === root ? undefined : wide.find((other) => other.id.namespace === root));
};

const scopeOfSidecar = (resource: Resource, root: string): string => {
  const labels = sidecarLabels(resource);
  if (Object.keys(labels).length > 0) return `workloads matching ${showLabels(labels)} in ${resource.id.namespace}`;
  return resource.id.namespace === root ? "the mesh (root namespace)" : `namespace ${resource.id.namespace}`;
};

/**
 * The first Sidecar for the workloads `now` selects (none was in force for them) narrows what they
 * see: an availability risk, not a widening.
 */
const firstSidecarFor = (now: Resource, was: Resource | undefined, out: DetectionList, context: DetectorContext): void => {
  if (was) return;
  const hosts = egressHosts(now);
  const registryOnly = text(record(spec(now).outboundTrafficPolicy).mode) === "REGISTRY_ONLY";
  if (hosts.includes("*/*") && !registryOnly) return;
  out.add({
    class: "resource.changed",
    summary: `first Sidecar for ${scopeOfSidecar(now, rootNamespaceIn(context.head, context))}: egress restricted to ${hosts.join(", ")}${registryOnly ? " (REGISTRY_ONLY)" : ""}: calls to services not listed fail`,
    side: "head",
    path: ["spec", "egress"],
    before: ["*/*"],
    after: hosts,
    riskFloor: "medium-high",
  });
};

/** TLS modes a Sidecar's ingress listener terminates with; anything else (DISABLE, none) takes plain text. */
const INGRESS_TLS = new Set(["SIMPLE", "MUTUAL", "ISTIO_MUTUAL", "OPTIONAL_MUTUAL"]);

/** A Sidecar's ingress listeners' TLS modes by port number. */
const ingressTls = (resource: Resource | undefined): Map<string, { mode: string | undefined; index: number }> =>
  new Map(
    list(spec(resource).ingress).map((listener, index) => [
      String(record(record(listener).port).number ?? "?"),
      { mode: text(record(record(listener).tls).mode), index },
    ]),
  );

/**
 * A Sidecar ingress listener that stops terminating TLS on its port takes plain text there: what
 * callers send it is no longer encrypted or, with MUTUAL, authenticated by certificate.
 */
const sidecarIngress = (change: ResourceChange, out: DetectionList): void => {
  if (!change.base || !change.head) return;
  const [was, now] = [ingressTls(change.base), ingressTls(change.head)];
  for (const [port, after] of now) {
    const before = was.get(port)?.mode;
    if (!before || !INGRESS_TLS.has(before) || (after.mode && INGRESS_TLS.has(after.mode))) continue;
    out.add({
      class: "mtls.weakened",
      summary: `ingress port ${port}: tls ${before} → ${show(after.mode)}: the sidecar takes plain text from callers on it`,
      side: "head",
      path: ["spec", "ingress", after.index, "tls"],
      before,
      after: after.mode ?? null,
    });
  }
};

const sidecar = (change: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  const subject = change.head ?? change.base;
  if (!subject) return;
  sidecarIngress(change, out);
  // The workloads it selected: a selector moved away leaves them to whatever else is in force.
  const selected = change.base ?? subject;
  const selectedIn = change.base ? context.base : context.head;
  const moved = change.base !== undefined && change.head !== undefined && sidecarSelection(change.base) !== sidecarSelection(change.head);
  if (moved) firstSidecarFor(change.head!, sidecarInForce(context.base, change.head!, context.head, context), out, context);
  // For the workloads a moved selector leaves: said so, and pointed at the selector that left them.
  const whose = moved ? `for ${scopeOfSidecar(selected, rootNamespaceIn(context.base, context))}, which it no longer selects: ` : "";
  const at = (path: FieldPath): FieldPath => (moved ? ["spec", "workloadSelector"] : path);
  const was = sidecarInForce(context.base, selected, selectedIn, context);
  const now = sidecarInForce(context.head, selected, selectedIn, context);
  // Where none surely held them, one that may have (mayApplyTogether: the root namespace's
  // REGISTRY_ONLY Sidecar in istio-system/ for workloads a Sidecar in apps/shop/ now opens) is what
  // a wider mode or egress is judged against.
  const mayHaveBeen = was ?? sidecarInForce(context.base, selected, selectedIn, context, mayApplyTogether);
  // A Sidecar that sets no mode takes the mesh's: the tree's MeshConfig where it holds one (Istio's
  // default ALLOW_ANY where that sets none), unknown where the mesh is configured elsewhere.
  const modeOf = (resource: Resource | undefined, tree: ManifestSet) =>
    text(record(spec(resource).outboundTrafficPolicy).mode) ?? meshOutboundMode(context, tree);
  const before = modeOf(mayHaveBeen, context.base) === "REGISTRY_ONLY" ? "REGISTRY_ONLY" : modeOf(was, context.base);
  const after = modeOf(now, context.head);
  if ((after === "ALLOW_ANY" && before !== "ALLOW_ANY") || (before === "REGISTRY_ONLY" && after === undefined)) {
    out.add({
      class: "access.widened",
      summary: `${whose}outboundTrafficPolicy.mode ${show(before)} → ${show(after)}: ${after === "ALLOW_ANY" ? "workloads can call any external host" : "egress falls back to the mesh default (ALLOW_ANY unless meshConfig says REGISTRY_ONLY)"}`,
      side: "head",
      path: at(["spec", "outboundTrafficPolicy", "mode"]),
      before,
      after,
    });
  }
  const hostsBefore = egressHosts(was);
  const hostsAfter = egressHosts(now);
  if (!was && now) firstSidecarFor(now, was, out, context);
  // Hosts it no longer imports (and nothing it keeps covers): its workloads' calls to them fail
  // (REGISTRY_ONLY), or leave the mesh's routing and mTLS (ALLOW_ANY passthrough).
  const hosts = setChange(hostsBefore, hostsAfter);
  const lost = hosts.removed.filter((host) => !hostsAfter.some((kept) => coversHost(kept, host)));
  if (was && now && lost.length > 0) {
    out.add({
      class: "resource.changed",
      summary: `${whose}egress hosts lose ${lost.join(", ")}: its workloads' calls to those services fail, or bypass the mesh's routes and mTLS`,
      side: "head",
      path: at(["spec", "egress"]),
      before: hostsBefore,
      after: hostsAfter,
      riskFloor: "medium-high",
    });
  }
  // Every service of the mesh (`*/*`) is egress opened (research §3); a namespace's services, or a
  // name in every namespace, is a wider reach that workloads often need (a telemetry collector's).
  const opened = mayHaveBeen ? setChange(egressHosts(mayHaveBeen), hostsAfter).added.filter(isWildcardHost) : [];
  const everything = opened.filter((host) => hostParts(host).every((part) => part === "*"));
  if (opened.length > 0) {
    out.add({
      class: everything.length > 0 ? "access.widened" : "resource.changed",
      summary: `${whose}egress hosts gain ${opened.join(", ")}: workloads can reach every service ${everything.length > 0 ? "of the mesh" : opened.some((host) => host.startsWith("*/")) ? "of that name in every namespace" : "in those namespaces"}`,
      side: "head",
      path: at(["spec", "egress"]),
      before: egressHosts(mayHaveBeen),
      after: hostsAfter,
      ...(everything.length > 0 ? {} : { riskFloor: "medium" as const }),
    });
  }
};

// ---------------------------------------------------------------------------------------------

// Istio's Gateway shares its kind name with Gateway API's: dispatch on the Istio groups only.
/**
 * A delegate VirtualService removed while root rules of the tree still hand requests to it: istiod
 * ignores a rule whose delegate it cannot find ("delegate not found, ignore only the current HTTP
 * route"), so its requests fall through to later rules or find no route.
 */
const delegateRemoved = (change: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  if (!change.base || change.head || !isDelegate(change.base)) return;
  const orphaned = orphanedDelegations(context.head, change.base).map(
    ({ root, rule, ruleIndex }) =>
      `VirtualService ${root.id.namespace}/${root.id.name} http[${ruleIndex}] (${text(rule.name) ?? "unnamed"})`,
  );
  if (orphaned.length === 0) return;
  out.add({
    class: "reference.broken",
    summary: `removed while ${orphaned.join(", ")} still ${orphaned.length === 1 ? "delegates" : "delegate"} to it: istiod ignores ${orphaned.length === 1 ? "that rule" : "those rules"}, and the requests ${orphaned.length === 1 ? "it matches" : "they match"} fall through to later rules or find no route (404)`,
    side: "base",
    path: ["spec"],
    before: orphaned,
  });
};

export const istioDetector = byKind(
  {
    DestinationRule: [destinationRule, exportTo],
    VirtualService: [virtualService, exportTo, delegateRemoved],
    ServiceEntry: [serviceEntry, exportTo],
    Gateway: [istioGateway],
    Sidecar: [sidecar],
    WorkloadEntry: [workloadEntryCheck],
    PeerAuthentication: [istioSecurityChecks.PeerAuthentication],
    AuthorizationPolicy: [istioSecurityChecks.AuthorizationPolicy],
    RequestAuthentication: [istioSecurityChecks.RequestAuthentication],
    EnvoyFilter: [envoyFilterCheck],
    WasmPlugin: [wasmPluginCheck],
    TrafficExtension: [trafficExtensionCheck],
  },
  (id) => id.group.endsWith("istio.io"),
);
