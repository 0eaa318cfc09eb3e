import { dnsName } from "./dns-names.js";
import type { ManifestSet, Resource } from "../../core/resource.js";
import { list, record, spec, text, texts } from "../../core/json-access.js";
import { sortedSet } from "../../core/canonical-values.js";
import type { ChangeClassId } from "../../core/change-classes.js";
import type { DetectorContext } from "../../core/detector.js";
import { EXTERNAL_DNS_PREFIXES } from "../../core/external-dns-annotations.js";
import { GATEWAY_GROUPS, externalDnsControllers, readersOf, settingRead, type ExternalDnsController } from "./external-dns-controllers.js";

/**
 * An object that gains the `controller` opt-out takes its records away, unless what it published is
 * published all the same: rwlove/home-ops-style setups where a Gateway and a route (or two objects)
 * publish one hostname, and one is opted out to end a CNAME flap. Its names are kept when every one
 * of them is published at head by other objects that the same controllers read (same cluster, as far
 * as the tree says) and that are not opted out themselves; and external-dns under
 * `--policy=upsert-only` or `create-only` deletes no record, so the opt-out only stops updating them.
 * A name the object published that cannot be told (a route inheriting its listener's hostname) is
 * never called kept.
 */

export interface OptOutVerdict {
  readonly class: ChangeClassId;
  readonly effect: string;
  readonly riskFloor?: "medium";
}

/** A comma-separated list of names, as the `hostname` annotation holds them. */
export const hostnames = (value: string | undefined): string[] => sortedSet((value ?? "").split(",").map(dnsName).filter(Boolean));

/** external-dns ignores an object whose `controller` annotation names another controller than `dns-controller` (`none`: an opt-out). */
export const optedOut = (value: string | undefined): boolean => value !== undefined && value.trim() !== "dns-controller";

/** The prefixes of a setting the object's readers may read: an unread one publishes nothing. */
const readPrefixes = (readers: readonly ExternalDnsController[]): readonly string[] =>
  EXTERNAL_DNS_PREFIXES.filter((prefix) => settingRead(readers, [prefix]) !== "unread");

const hostnameAnnotation = (resource: Resource, prefixes: readonly string[]): string[] =>
  prefixes.flatMap((prefix) => hostnames(resource.annotations[`${prefix}hostname`]));

const routesOf = (gateway: Resource, tree: ManifestSet): Resource[] =>
  [...tree.resources.values()].filter(
    (route) =>
      GATEWAY_GROUPS.includes(route.id.group) &&
      route.id.kind.endsWith("Route") &&
      route.cluster === gateway.cluster &&
      list(spec(route).parentRefs).some((ref) => {
        const parent = record(ref);
        return (
          (text(parent.kind) ?? "Gateway") === "Gateway" &&
          text(parent.name) === gateway.id.name &&
          (text(parent.namespace) ?? route.id.namespace) === gateway.id.namespace
        );
      }),
  );

/**
 * The names an object publishes in a tree, as external-dns's sources derive them: its `hostname`
 * annotation, a route's hostnames, an Ingress's hosts, an Istio Gateway's or VirtualService's hosts,
 * and for a Gateway the names of the routes attached to it, which its opt-out may take along. Undefined where
 * they cannot all be told (a route with no hostnames takes its listener's).
 */
function namesOf(resource: Resource, tree: ManifestSet, prefixes: readonly string[]): string[] | undefined {
  const body = spec(resource);
  const derived = ((): string[] | undefined => {
    if (GATEWAY_GROUPS.includes(resource.id.group)) {
      if (resource.id.kind === "Gateway") {
        const routes = routesOf(resource, tree).map((route) => namesOf(route, tree, prefixes));
        if (routes.some((names) => names === undefined)) return undefined;
        // Its listeners' hostnames are published only for a route without hostnames, which is undefined above.
        return routes.flatMap((names) => names ?? []);
      }
      const hostnames = texts(body.hostnames);
      return hostnames.length > 0 ? hostnames : undefined;
    }
    if (resource.id.kind === "Ingress")
      return [
        ...list(body.rules).flatMap((rule) => texts(record(rule).host)),
        ...list(body.tls).flatMap((tls) => texts(record(tls).hosts)),
      ];
    if (resource.id.group === "networking.istio.io") {
      if (resource.id.kind === "Gateway")
        return list(body.servers).flatMap((server) => texts(record(server).hosts).map((host) => host.slice(host.indexOf("/") + 1)));
      if (resource.id.kind === "VirtualService") return texts(body.hosts);
    }
    return [];
  })();
  return derived && sortedSet([...hostnameAnnotation(resource, prefixes), ...derived].map(dnsName));
}

const label = (resource: Resource): string => `${resource.id.kind} ${resource.id.namespace}/${resource.id.name}`;

/**
 * Whether what one publisher (a controller reading the object; none: the tree runs none) published
 * of the object is published at head by other objects it reads, not opted out themselves: its names
 * and who keeps them, or undefined where some name is kept by none (or cannot be told).
 */
function keptBy(
  publisher: readonly ExternalDnsController[],
  base: Resource,
  head: Resource,
  context: DetectorContext,
  headControllers: readonly ExternalDnsController[],
): { readonly names: readonly string[]; readonly keepers: readonly { other: Resource; kept: string[] }[] } | undefined {
  const names = namesOf(base, context.base, readPrefixes(publisher));
  if (names === undefined) return undefined;
  const keepers = [...context.head.resources.values()].flatMap((other) => {
    if (other.key === head.key || other.cluster !== head.cluster) return [];
    const theirs = readersOf(headControllers, other).filter((reader) => publisher.some(({ id }) => id === reader.id));
    // With no controller in the tree, only an object of the same API group is surely read by the same source.
    if (publisher.length > 0 ? theirs.length === 0 : other.id.group !== base.id.group) return [];
    const prefixes = readPrefixes(theirs);
    if (prefixes.some((prefix) => optedOut(other.annotations[`${prefix}controller`]))) return [];
    const kept = (namesOf(other, context.head, prefixes) ?? []).filter((name) => names.includes(name));
    return kept.length > 0 ? [{ other, kept }] : [];
  });
  const covered = new Set(keepers.flatMap(({ kept }) => kept));
  return names.every((name) => covered.has(name)) ? { names, keepers } : undefined;
}

/**
 * What gaining the opt-out does to `subject`'s records (base: as it was, head: opted out); undefined
 * where they go as the opt-out says (route.removed).
 */
export function optOutVerdict(base: Resource, head: Resource, context: DetectorContext): OptOutVerdict | undefined {
  const readers = readersOf(externalDnsControllers(context, "base"), base);
  const headControllers = externalDnsControllers(context, "head");
  // Each controller publishes its own records: what it published of the object must be published by it from others.
  const kept = (readers.length > 0 ? readers.map((reader) => [reader]) : [[]]).map((publisher) =>
    keptBy(publisher, base, head, context, headControllers),
  );
  const names = sortedSet(kept.flatMap((by) => by?.names ?? []));
  if (names.length > 0 && kept.every((by) => by !== undefined)) {
    const keepers = new Map<string, { other: Resource; kept: string[] }>();
    for (const { other, kept: theirs } of kept.flatMap((by) => by!.keepers)) {
      // Copies of one object (a folder or cluster each) are named once, with what any of them keeps.
      const known = keepers.get(label(other));
      keepers.set(label(other), { other, kept: sortedSet([...(known?.kept ?? []), ...theirs]) });
    }
    const all = [...keepers.values()];
    return {
      class: "resource.changed",
      effect: `external-dns ignores it, but ${all.map(({ other, kept }) => `${label(other)} (${kept.join(", ")})`).join(" and ")}, read by the same external-dns, still publish${all.length === 1 ? "es" : ""} ${names.join(", ")}: the records stay`,
    };
  }
  const now = readersOf(externalDnsControllers(context, "head"), head);
  const policies = sortedSet(now.map((reader) => reader.records?.policy ?? "sync"));
  if (now.length > 0 && policies.every((policy) => policy === "upsert-only" || policy === "create-only"))
    return {
      class: "resource.changed",
      effect: `external-dns ignores it: under --policy=${policies.join(", ")} it deletes no record, so its records stay, no longer updated`,
      riskFloor: "medium",
    };
  return undefined;
}
