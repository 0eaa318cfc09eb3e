import type { ManifestSet, Resource } from "../../core/resource.js";
import { actionRef, ruleHandling, ruleIdOf, type RuleShape, type WeightedRef } from "../../core/route-rules.js";
import { qualifyHost } from "../../core/service-host.js";
import { hostIntersection, hostsOverlap } from "../../core/host-match.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import { gatewayEntry, httpAlternative, resolveGatewayName } from "../../core/istio-http-match.js";
import { list, nonEmptyTexts, numeric, record, text, type JsonRecord } from "../../core/json-access.js";
import { flatText } from "../../core/flat-text.js";
import { sharedPath } from "../../core/field-path.js";
import { DEFAULT_ROOT_NAMESPACE } from "../../core/mesh-config.js";
import { namespaceImporters } from "./sidecar-imports.js";
import {
  delegateOf,
  delegationsTo,
  isDelegate,
  isVirtualService,
  mergeMatches,
  mergeRule,
  scopedMatch,
  type ScopedMatch,
} from "./delegation.js";

/**
 * VirtualService http/tls/tcp rules as flows: one per gateway (`mesh` when none), host and rule.
 * A single destination takes all traffic whatever its weight; with several, a missing weight is 0
 * (Istio's HTTPRouteDestination). Rules are first-match, so their order is their precedence.
 * A match alternative naming `gateways` applies on those gateways only, so a rule's flow on an
 * entry holds the alternatives that apply there, and no flow at all when none does.
 */

/**
 * The host a VirtualService names, spelled one way wherever the VirtualService lives. istiod reads a
 * dotless `reviews` in the VirtualService's own namespace (ResolveShortnameToFQDN), and `reviews.bookinfo`,
 * `reviews.bookinfo.svc` and `reviews.bookinfo.svc.cluster.local` are the same service, so each is
 * `reviews.bookinfo`: qualifying a host, or moving the VirtualService into its host's namespace
 * (anthos-service-mesh-workshop 6f76c5d8ce), is no route change, while a dotless host kept by one
 * moved to another namespace names another service.
 */
export function meshHost(host: string, namespace: string): string {
  const [name, serviceNamespace, ...domain] = host.split(".");
  if (host.includes("*") || name === undefined) return host;
  if (serviceNamespace === undefined) return `${name}.${namespace}`;
  return ["", "svc", "svc.cluster.local"].includes(domain.join(".")) ? `${name}.${serviceNamespace}` : host;
}

function l4Alternative(match: JsonRecord) {
  const parts = [
    ...(numeric(match.port) ? [`port ${numeric(match.port)}`] : []),
    ...list(match.sniHosts)
      .map((h) => `sni ${text(h) ?? ""}`)
      .sort(),
    ...list(match.destinationSubnets)
      .map((s) => `subnet ${text(s) ?? ""}`)
      .sort(),
  ];
  const signature = parts.join(", ") || "*";
  return { signature, path: signature };
}

const ISTIO_NETWORKING = "networking.istio.io";

/** Only a delegate the tree does not hold is a target of its own (virtualServiceRules). */
const delegateLabel = (delegate: JsonRecord, namespace: string): string =>
  `delegate ${text(delegate.namespace) ?? namespace}/${text(delegate.name) ?? "?"} (not in the repository)`;

function destinations(rule: JsonRecord, namespace: string, file: string, rulePath: (string | number)[]): WeightedRef[] {
  const routes = list(rule.route).map(record);
  const refs: WeightedRef[] = routes.map((route, index) => {
    const destination = record(route.destination);
    const host = text(destination.host) ?? "?";
    const subset = text(destination.subset);
    const port = numeric(record(destination.port).number);
    const label = `${host}${subset ? ` ${subset}` : ""}${port ? `:${port}` : ""}`;
    const portless = `${qualifyHost(host, namespace)}|${subset ?? ""}|`;
    return {
      key: flatText(`${portless}${port ?? ""}`),
      label: flatText(label),
      weight: routes.length === 1 ? 100 : (numeric(route.weight) ?? 0),
      ref: { kind: "Host", name: host, namespace, ...(subset ? { subset } : {}), ...(port === undefined ? {} : { port }), routeFile: file },
      path: sharedPath([...rulePath, "route", index]),
      ...(port === undefined ? {} : { portless }),
    };
  });
  if (refs.length > 0) return refs;
  const field = (["redirect", "directResponse", "delegate"] as const).find((name) => rule[name] !== undefined);
  if (!field) return [];
  const action = {
    name: field === "directResponse" ? "direct-response" : field,
    value: rule[field],
    ...(field === "directResponse" ? { answers: { status: numeric(record(rule.directResponse).status) } } : {}),
    ...(field === "delegate" ? { label: delegateLabel(record(rule.delegate), namespace) } : {}),
  };
  return [actionRef(action, { namespace, file, path: [...rulePath, field] })];
}

function mirrorsOf(rule: JsonRecord) {
  const percentOf = (value: unknown) => numeric(record(value).value);
  const single =
    rule.mirror !== undefined ? [{ label: text(record(rule.mirror).host) ?? "?", percent: percentOf(rule.mirrorPercentage) ?? 100 }] : [];
  const many = list(rule.mirrors).map((item) => {
    const mirror = record(item);
    return { label: text(record(mirror.destination).host) ?? "?", percent: percentOf(mirror.percentage) ?? 100 };
  });
  return [...single, ...many];
}

/** Where a VirtualService's rules route: its hosts (or, for a delegate, its root's) at its gateways, destinations named in `namespace`. */
interface RuleSite {
  readonly entries: readonly string[];
  readonly hosts: readonly string[];
  readonly namespace: string;
  readonly file: string;
  /** The hosts are a root's, written in another namespace than the destinations. */
  readonly delegated?: true;
  /** By entry, the hosts served there where a Gateway's server hosts narrow them (landedHosts). */
  readonly landed?: ReadonlyMap<string, readonly string[]>;
  /** At `mesh`, the Sidecars that import these rules by their namespace (namespaceImporters). */
  readonly audience?: string;
}

/**
 * Whether an http, tls or tcp rule sends every request to `host`'s own service, no subset, on the
 * port it came to (no port named, or the one every match of the rule asks for: a destination port
 * sends every request there, where the default keeps each on its own). Without a VirtualService a
 * sidecar routes a host so, so in the mesh such a rule decides how its requests are handled, not
 * where they go: a `cart-eu` VirtualService routing cart-eu to itself, removed, leaves cart-eu served.
 */
export function routesToOwnHost(rule: JsonRecord, host: string, namespace: string): boolean {
  const routes = list(rule.route).map(record);
  const own = qualifyHost(host, namespace);
  const matchedPorts = list(rule.match).map((match) => numeric(record(match).port));
  const samePort = (port: number | undefined) =>
    port === undefined || (matchedPorts.length > 0 && matchedPorts.every((matched) => matched === port));
  return (
    !host.includes("*") &&
    routes.length > 0 &&
    routes.every((route) => {
      const destination = record(route.destination);
      return (
        destination.subset === undefined &&
        qualifyHost(text(destination.host) ?? "", namespace) === own &&
        samePort(numeric(record(destination.port).number))
      );
    })
  );
}

/** Where a delegate that no root of the tree names (its root is elsewhere) routes: its rules are compared there. */
export const DELEGATED_ENTRY = "VirtualService (delegated)";

/** One rule's flows, one per entry and host, holding at each entry the alternatives that apply there. */
function ruleShapes(
  section: "http" | "tls" | "tcp",
  rule: JsonRecord,
  matches: readonly ScopedMatch[],
  at: { readonly precedence: number; readonly path: (string | number)[] },
  site: RuleSite,
): RuleShape[] {
  const alternatives = (matches.length ? matches : [{ match: {}, only: [] }]).map(({ match, only }) => ({
    ...(section === "http" ? httpAlternative(match) : l4Alternative(match)),
    only,
    sniHosts: section === "tls" ? nonEmptyTexts(match.sniHosts).map((sni) => qualifyHost(sni, site.namespace)) : [],
  }));
  const backends = destinations(rule, site.namespace, site.file, at.path);
  const mirrors = section === "http" ? mirrorsOf(rule) : [];
  const ruleId = ruleIdOf(text(rule.name), alternatives);
  // A destination's own `headers` are how the rule handles what it sends there; its host, subset, port and weight are where.
  // A `rewrite.uri` replaces what the match matched: such a rule is never alike another.
  const handling =
    record(rule.rewrite).uri !== undefined || rule.uriRegexRewrite !== undefined || record(rule.rewrite).uriRegexRewrite !== undefined
      ? undefined
      : ruleHandling(rule, ["match", "name"], { field: "route", identity: ["destination", "weight"] });
  const shapes: RuleShape[] = [];
  for (const entry of site.entries) {
    const applicable = alternatives.filter((a) => a.only.length === 0 || a.only.includes(entry));
    for (const host of site.landed?.get(entry) ?? site.hosts) {
      // A TLS match's SNI hosts are the names it takes, of the VirtualService's hosts: legacy.example.com's connections never carry SNI vault.example.com.
      const qualified = qualifyHost(host, site.namespace);
      const here = applicable
        .filter((a) => a.sniHosts.length === 0 || a.sniHosts.some((sni) => hostsOverlap(sni, qualified)))
        .map(({ only: _, sniHosts: __, ...alternative }) => alternative);
      if (here.length === 0) continue;
      const asDefault = entry === "mesh" && !site.delegated && routesToOwnHost(rule, host, site.namespace);
      shapes.push({
        entry,
        host: section === "http" ? host : `${host} (${section})`,
        alternatives: here,
        ruleId,
        precedence: at.precedence,
        path: at.path,
        backends,
        mirrors,
        ...(handling !== undefined ? { handling } : {}),
        ...(asDefault ? { routesAsDefault: true } : {}),
        ...(entry === "mesh" && site.audience ? { audience: site.audience } : {}),
      });
    }
  }
  return shapes;
}

const matchesOf = (rule: JsonRecord, namespace: string): ScopedMatch[] =>
  list(rule.match).map((match) => scopedMatch(record(match), namespace));

/** A server host an Istio Gateway admits: VirtualServices of `namespace` (`*`: any) for `host`. */
interface ServerHost {
  readonly namespace: string;
  readonly host: string;
}

const serverHostIndexes = new WeakMap<ManifestSet, ReadonlyMap<string, readonly ServerHost[]>>();

/** A tree's Istio Gateways' server hosts by `namespace/name` (every copy's), `.` read as the Gateway's own namespace. */
function serverHostsOf(set: ManifestSet): ReadonlyMap<string, readonly ServerHost[]> {
  const known = serverHostIndexes.get(set);
  if (known) return known;
  const index = new Map<string, ServerHost[]>();
  for (const gateway of resourcesOfKind(set, "Gateway")) {
    if (gateway.id.group !== ISTIO_NETWORKING) continue;
    const hosts = list(record(gateway.body.spec).servers).flatMap((server) =>
      nonEmptyTexts(record(server).hosts).map((entry) => {
        const slash = entry.indexOf("/");
        const namespace = slash < 0 ? "*" : entry.slice(0, slash);
        return { namespace: namespace === "." ? gateway.id.namespace : namespace, host: entry.slice(slash + 1) };
      }),
    );
    const key = `${gateway.id.namespace}/${gateway.id.name}`;
    index.set(key, [...(index.get(key) ?? []), ...hosts]);
  }
  serverHostIndexes.set(set, index);
  return index;
}

/**
 * The hosts a VirtualService serves on a Gateway of the tree: istiod builds a gateway's virtual
 * hosts from its hosts intersected with the server hosts that admit its namespace, so `*.example.com`
 * on a Gateway admitting `shop/shop.example.com` serves shop.example.com alone. A host no server
 * admits is kept as written (reference checks judge it), as are all where the tree lacks the Gateway.
 */
function landedHosts(hosts: readonly string[], gateway: string, namespace: string, set: ManifestSet): readonly string[] {
  const servers = serverHostsOf(set).get(resolveGatewayName(gateway, namespace));
  if (!servers || servers.length === 0) return hosts;
  const admitted = servers.filter((server) => server.namespace === "*" || server.namespace === namespace);
  return [
    ...new Set(
      hosts.flatMap((host) => {
        const landed = admitted.flatMap((server) => hostIntersection(server.host, host) ?? []);
        return landed.length > 0 ? landed : [host];
      }),
    ),
  ];
}

/** Where a VirtualService with hosts routes its own rules. */
function rootSite(resource: Resource, set: ManifestSet): RuleSite {
  const spec = record(resource.body.spec);
  const namespace = resource.id.namespace;
  const gateways = nonEmptyTexts(spec.gateways);
  const hosts = [...new Set(nonEmptyTexts(spec.hosts).map((host) => meshHost(host, namespace)))];
  const landed = new Map(
    gateways
      .filter((gateway) => gateway !== "mesh")
      .map((gateway) => [gatewayEntry(gateway, namespace), landedHosts(hosts, gateway, namespace, set)]),
  );
  const entries = (gateways.length ? gateways : ["mesh"]).map((gateway) => gatewayEntry(gateway, namespace));
  // The tree's root namespace is read where a detector asks it (context.meshRootNamespace); rules take istiod's default.
  const audience = entries.includes("mesh") ? namespaceImporters(set, namespace, hosts, DEFAULT_ROOT_NAMESPACE) : "";
  return {
    entries,
    hosts,
    ...(landed.size > 0 ? { landed } : {}),
    ...(audience ? { audience } : {}),
    namespace,
    file: resource.source.file,
  };
}

/**
 * A delegate's http rules, once for each root rule that hands it requests: under the root's hosts
 * and gateways, with the root rule's match merged in, placed among the root's rules where the
 * root rule is (delegation.ts). The flows are the delegate's: its rules are where a weight is edited.
 */
function delegatedRules(delegate: Resource, set: ManifestSet): RuleShape[] {
  const { namespace } = delegate.id;
  const file = delegate.source.file;
  const rules = list(record(delegate.body.spec).http).map(record);
  const delegations = delegationsTo(set, delegate);
  // A delegate no root of the tree names is reached through a root elsewhere: its rules are still compared, at a placeholder entry.
  const routes =
    delegations === undefined
      ? [{ rootRule: {}, ruleIndex: 0, rootMatches: [], site: { entries: [DELEGATED_ENTRY], hosts: ["*"], namespace, file } }]
      : delegations.map(({ root, rule, ruleIndex }) => ({
          rootRule: rule,
          ruleIndex,
          rootMatches: matchesOf(rule, root.id.namespace),
          site: { ...rootSite(root, set), namespace, file, delegated: true as const },
        }));
  return routes.flatMap(({ rootRule, ruleIndex, rootMatches, site }) =>
    rules.flatMap((rule, index) => {
      // Delegation is one level deep: a delegate's own `delegate` rule routes nowhere.
      if (rule.delegate !== undefined) return [];
      const matches = mergeMatches(rootMatches, matchesOf(rule, namespace));
      if (!matches) return [];
      const at = { precedence: ruleIndex + (index + 1) / (rules.length + 1), path: ["spec", "http", index] };
      return ruleShapes("http", mergeRule(rootRule, rule), matches, at, site);
    }),
  );
}

export function virtualServiceRules(resource: Resource, set: ManifestSet): RuleShape[] {
  if (!isVirtualService(resource)) return [];
  if (isDelegate(resource)) return delegatedRules(resource, set);
  const spec = record(resource.body.spec);
  const site = rootSite(resource, set);
  const shapes: RuleShape[] = [];
  for (const section of ["http", "tls", "tcp"] as const) {
    list(spec[section]).forEach((item, ruleIndex) => {
      const rule = record(item);
      // A delegate the tree holds routes this rule's requests (delegatedRules); one it does not stays a target of its own.
      if (section === "http" && rule.delegate !== undefined && delegateOf(set, resource, rule)) return;
      const at = { precedence: ruleIndex, path: ["spec", section, ruleIndex] };
      shapes.push(...ruleShapes(section, rule, matchesOf(rule, site.namespace), at, site));
    });
  }
  return shapes;
}
