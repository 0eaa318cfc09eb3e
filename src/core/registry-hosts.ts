import type { DetectionList } from "./detection-list.js";
import type { ManifestSet, Resource } from "./resource.js";
import type { ResourceChange } from "./resource-change.js";
import { list, record, spec, texts, text } from "./json-access.js";
import { setChange, sortedSet } from "./canonical-values.js";
import { hostIntersection } from "./host-match.js";
import type { FilePlacement } from "./gitops-delivery.js";
import { posix } from "node:path";

const LEAVE =
  "leave the mesh's registry: calls to them are refused under REGISTRY_ONLY egress, and otherwise pass through without the mesh's policy";

/** A port as the registry lists it: number and protocol (its name is only a label). */
const portsOf = (resource: Resource | undefined): string[] =>
  list(spec(resource).ports).map((port) => `${String(record(port).number ?? "?")}/${text(record(port).protocol) ?? "TCP"}`);

/**
 * The mesh's registry as the tree holds it: the hosts and addresses every entry of a kind registers
 * at base and at head, and the mesh's egress mode where the tree says it. A host is judged against
 * the whole registry, not one entry: moved to another entry (one split in two), it neither leaves
 * nor joins.
 */
export interface Registry {
  readonly base: ReadonlySet<string>;
  readonly head: ReadonlySet<string>;
  /**
   * `outboundTrafficPolicy.mode` of the tree's MeshConfig (Istio's ALLOW_ANY where it sets none),
   * unknown where the mesh is configured outside the repository: under ALLOW_ANY every external host
   * was reachable already, so one joining the registry takes the mesh's routing and policy, and
   * widens no access.
   */
  readonly egress?: string;
}

// A host a wildcard registers stays registered (zone.msn.com → *.msn.com, kiali/demos 7f6a4e9f).
const within = (hosts: ReadonlySet<string>) => (host: string) =>
  hosts.has(host) || [...hosts].some((pattern) => pattern.startsWith("*") && hostIntersection(pattern, host) === host);

const joining = (hosts: readonly string[], registry: Registry) => ({
  class: registry.egress === "ALLOW_ANY" ? ("route.added" as const) : ("access.widened" as const),
  hosts,
  effect:
    registry.egress === "ALLOW_ANY"
      ? "join the mesh's registry: calls to them now take the mesh's routing and policy"
      : "join the mesh's registry: workloads may call them (egress opens to them under REGISTRY_ONLY)",
});

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
  const [wasRegistered, isRegistered] = [within(registry.base), within(registry.head)];
  const moves = [
    { class: "route.removed" as const, hosts: listed.removed.filter((host) => !isRegistered(host)), effect: LEAVE },
    joining(
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
    const leaving = hosts.filter((host) => !within(registry.head)(host));
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
    const move = joining(
      hosts.filter((host) => !within(registry.base)(host)),
      registry,
    );
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

/**
 * The hosts and addresses registered by the entries of a tree applied with `file`: those of files
 * landing on a cluster it lands on, or, where the tree does not say where it lands, those of its
 * own folder — each folder of an examples repository is a mesh of its own, and a host another
 * folder registers says nothing of this one's (istio-samples 0c25a08c dropped `metadata.google` from
 * one cluster's entry while other demos kept theirs).
 */
export function registeredBeside(
  tree: ManifestSet,
  isEntry: (resource: Resource) => boolean,
  file: string,
  placement: FilePlacement,
): ReadonlySet<string> {
  const clusters = placement(file).clusters;
  const folder = posix.dirname(file);
  const beside = (other: string) =>
    clusters.length > 0 ? placement(other).clusters.some((cluster) => clusters.includes(cluster)) : posix.dirname(other) === folder;
  const found = new Set<string>();
  for (const resource of tree.resources.values())
    if (isEntry(resource) && beside(resource.source.file))
      for (const host of [...texts(spec(resource).hosts), ...texts(spec(resource).addresses)]) found.add(host);
  return found;
}
