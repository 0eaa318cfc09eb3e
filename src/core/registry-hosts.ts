import type { DetectionList } from "./detection-list.js";
import type { ManifestSet, Resource } from "./resource.js";
import type { ResourceChange } from "./resource-change.js";
import { list, record, spec, texts, text } from "./json-access.js";
import { setChange, sortedSet } from "./canonical-values.js";
import { hostIntersection } from "./host-match.js";
import type { FilePlacement } from "./gitops-delivery.js";
import { posix } from "node:path";
import { resourcesOfKind } from "./resources-of-kind.js";

const LEAVE =
  "leave the mesh's registry: calls to them are refused under REGISTRY_ONLY egress, and otherwise pass through without the mesh's policy";

/** A port as the registry lists it: number and protocol (its name is only a label). */
const portsOf = (resource: Resource | undefined): string[] =>
  list(spec(resource).ports).map((port) => `${String(record(port).number ?? "?")}/${text(record(port).protocol) ?? "TCP"}`);

/**
 * The mesh's registry as the tree holds it around one entry (registryOf): whether another entry
 * registers a host on every port this one lists, at base and at head, and the mesh's egress mode
 * where the tree says it. A host is judged against that registry, not one entry: moved to another
 * entry (one split in two), it neither leaves nor joins.
 */
export interface Registry {
  readonly base: (host: string) => boolean;
  readonly head: (host: string) => boolean;
  /**
   * `outboundTrafficPolicy.mode` where the tree says it (its MeshConfig, Istio's ALLOW_ANY where
   * that sets none; REGISTRY_ONLY where a Sidecar restricts egress), unknown where the mesh is
   * configured outside the repository. Under ALLOW_ANY every external host was reachable already, so
   * one joining the registry takes the mesh's routing and policy and widens no access; under
   * REGISTRY_ONLY egress opens to it; unknown, it is a new route that may open egress.
   */
  readonly egress?: string;
}

/**
 * Hosts joining the registry, as findings say it: `access.widened` where egress opens to them
 * (REGISTRY_ONLY), and, where the repository does not say the mesh's egress, for a wildcard, which
 * opens a whole domain; a new route otherwise.
 */
const joining = (
  hosts: readonly string[],
  registry: Registry,
): { class: "access.widened" | "route.added"; hosts: string[]; effect: string }[] => {
  const widens = (host: string) => registry.egress === "REGISTRY_ONLY" || (registry.egress === undefined && host.startsWith("*"));
  const routes =
    registry.egress === "ALLOW_ANY"
      ? "join the mesh's registry: calls to them now take the mesh's routing and policy"
      : "join the mesh's registry: calls to them now take the mesh's routing and policy (and egress opens to them if the mesh is REGISTRY_ONLY, which the repository does not say)";
  return [
    {
      class: "access.widened",
      hosts: hosts.filter(widens),
      effect: "join the mesh's registry: workloads may call them (egress opens to them under REGISTRY_ONLY)",
    },
    { class: "route.added", hosts: hosts.filter((host) => !widens(host)), effect: routes },
  ];
};

/**
 * The hosts and ports a ServiceEntry (or a Gloo ExternalService, which Gloo turns into one) adds to
 * the mesh's registry, compared as sets (58e5f519 of
 * GoogleCloudPlatform/istio-samples dropped four egress hosts as a low, positional change). A host
 * or port that leaves the registry is refused under `outboundTrafficPolicy: REGISTRY_ONLY` and passes
 * without mesh policy otherwise; one that joins it opens egress to it under REGISTRY_ONLY.
 */
export function registryChanges(change: ResourceChange, out: DetectionList, hosts: string, registry: Registry): void {
  // An IP moved from `hosts` to `addresses` is still matched (istio-samples 753e3722): both are what the entry registers.
  const [was, now] = [texts(spec(change.base).hosts), texts(spec(change.head).hosts)];
  const listed = setChange(was, now);
  const [wasRegistered, isRegistered] = [registry.base, registry.head];
  const moves = [
    { class: "route.removed" as const, hosts: listed.removed.filter((host) => !isRegistered(host)), effect: LEAVE },
    ...joining(
      listed.added.filter((host) => !wasRegistered(host)),
      registry,
    ),
  ];
  for (const move of moves)
    if (move.hosts.length > 0)
      out.add({
        class: move.class,
        summary: `hosts ${move.hosts.join(", ")} ${move.effect}`,
        side: "head",
        path: ["spec", "hosts"],
        before: sortedSet(was),
        after: sortedSet(now),
      });
  const ports = setChange(portsOf(change.base), portsOf(change.head));
  if (ports.removed.length > 0 || ports.added.length > 0)
    out.add({
      class: ports.removed.length > 0 ? "listener.changed" : "access.widened",
      summary: `ports of ${hosts}: ${[...ports.removed.map((port) => `-${port}`), ...ports.added.map((port) => `+${port}`)].join(", ")}${ports.removed.length > 0 ? ": calls on a port it no longer lists are not served through it" : ": calls on the new ports reach it"}`,
      side: "head",
      path: ["spec", "ports"],
      before: sortedSet(portsOf(change.base)),
      after: sortedSet(portsOf(change.head)),
    });
}

/**
 * An entry added or removed: its hosts join or leave the registry unless another entry of the tree
 * registers them on the other side (an entry renamed or split is removed and added in one PR).
 */
export function registryEntryChange(change: ResourceChange, out: DetectionList, registry: Registry): void {
  if (change.base && !change.head) {
    const hosts = texts(spec(change.base).hosts);
    const leaving = hosts.filter((host) => !registry.head(host));
    if (leaving.length > 0)
      out.add({
        class: "route.removed",
        summary: `removed: hosts ${leaving.join(", ")} ${LEAVE}`,
        side: "base",
        path: ["spec", "hosts"],
        before: sortedSet(hosts),
      });
  } else if (change.head && !change.base) {
    const hosts = texts(spec(change.head).hosts);
    for (const move of joining(
      hosts.filter((host) => !registry.base(host)),
      registry,
    ))
      if (move.hosts.length > 0)
        out.add({
          class: move.class,
          summary: `added: hosts ${move.hosts.join(", ")} ${move.effect}`,
          side: "head",
          path: ["spec", "hosts"],
          after: sortedSet(hosts),
        });
  }
}

/** Port numbers an entry lists; none listed, `*`. */
const portNumbers = (resource: Resource): string[] => {
  const numbers = list(spec(resource).ports).map((port) => String(record(port).number ?? "?"));
  return numbers.length > 0 ? numbers : ["*"];
};

/** The hosts and addresses of one scope's entries, each with the ports it is registered on. */
type Scope = Map<string, Set<string>>;

/**
 * Where an entry's hosts are visible with it: its namespace (an entry exported elsewhere is not
 * counted: conservative), and the clusters its file lands on, or, where the tree does not say
 * where it lands, its folder — each folder of an examples repository is a mesh of its own, and a
 * host another folder registers says nothing of this one's (istio-samples 0c25a08c dropped
 * `metadata.google` from one cluster's entry while other demos kept theirs).
 */
const scopesOf = (resource: Resource, placement: FilePlacement): string[] => {
  const clusters = placement(resource.source.file).clusters;
  const where = clusters.length > 0 ? clusters.map((cluster) => `cluster ${cluster}`) : [`folder ${posix.dirname(resource.source.file)}`];
  return where.map((scope) => `${resource.id.namespace}\0${scope}`);
};

/** Each tree's entries of a kind by scope, indexed once a tree and kind. */
const scopesOfTree = new WeakMap<ManifestSet, Map<string, Map<string, Scope>>>();

function scopedRegistry(
  tree: ManifestSet,
  kind: string,
  isEntry: (resource: Resource) => boolean,
  placement: FilePlacement,
): Map<string, Scope> {
  let byKind = scopesOfTree.get(tree);
  if (!byKind) scopesOfTree.set(tree, (byKind = new Map()));
  let scopes = byKind.get(kind);
  if (scopes) return scopes;
  scopes = new Map();
  for (const resource of resourcesOfKind(tree, kind)) {
    if (!isEntry(resource)) continue;
    const ports = portNumbers(resource);
    for (const key of scopesOf(resource, placement)) {
      let scope = scopes.get(key);
      if (!scope) scopes.set(key, (scope = new Map()));
      for (const host of [...texts(spec(resource).hosts), ...texts(spec(resource).addresses)]) {
        let on = scope.get(host);
        if (!on) scope.set(host, (on = new Set()));
        for (const port of ports) on.add(port);
      }
    }
  }
  byKind.set(kind, scopes);
  return scopes;
}

/**
 * Whether the entries of `entry`'s scopes register a host on every port `entry` lists: by name, or
 * under a wildcard host that covers it (zone.msn.com → *.msn.com, kiali/demos 7f6a4e9f).
 */
const registersIn =
  (scopes: Map<string, Scope>, entry: Resource, placement: FilePlacement) =>
  (host: string): boolean => {
    const ports = portNumbers(entry);
    return scopesOf(entry, placement).some((key) => {
      const scope = scopes.get(key);
      if (!scope) return false;
      const covers = (on: Set<string> | undefined) => on !== undefined && (on.has("*") || ports.every((port) => on.has(port)));
      if (covers(scope.get(host))) return true;
      for (const [pattern, on] of scope) if (pattern.startsWith("*") && hostIntersection(pattern, host) === host && covers(on)) return true;
      return false;
    });
  };

/** The registry around a changed entry (Registry), for entries of one kind. */
export function registryOf(
  change: ResourceChange,
  trees: { readonly base: ManifestSet; readonly head: ManifestSet; readonly placementOf: (set: ManifestSet) => FilePlacement },
  entries: { readonly kind: string; readonly isEntry: (resource: Resource) => boolean },
  egress?: string,
): Registry {
  const side = (tree: ManifestSet, entry: Resource) => {
    const placement = trees.placementOf(tree);
    return registersIn(scopedRegistry(tree, entries.kind, entries.isEntry, placement), entry, placement);
  };
  const entry = (change.head ?? change.base)!;
  return {
    base: side(trees.base, change.base ?? entry),
    head: side(trees.head, change.head ?? entry),
    ...(egress !== undefined ? { egress } : {}),
  };
}
