import type { DetectionList } from "./detection-list.js";
import type { ManifestSet, Resource } from "./resource.js";
import type { ResourceChange } from "./resource-change.js";
import { list, record, spec, texts, text } from "./json-access.js";
import { setChange, sortedSet } from "./canonical-values.js";
import { hostIntersection } from "./host-match.js";

const LEAVE =
  "leave the mesh's registry: calls to them are refused under REGISTRY_ONLY egress, and otherwise pass through without the mesh's policy";

/** A port as the registry lists it: number and protocol (its name is only a label). */
const portsOf = (resource: Resource | undefined): string[] =>
  list(spec(resource).ports).map((port) => `${String(record(port).number ?? "?")}/${text(record(port).protocol) ?? "TCP"}`);

/**
 * The hosts and ports a ServiceEntry (or a Gloo ExternalService, which Gloo turns into one) adds to
 * the mesh's registry, compared as sets (58e5f519 of
 * GoogleCloudPlatform/istio-samples dropped four egress hosts as a low, positional change). A host
 * or port that leaves the registry is refused under `outboundTrafficPolicy: REGISTRY_ONLY` and passes
 * without mesh policy otherwise; one that joins it opens egress to it under REGISTRY_ONLY.
 */
export function registryChanges(change: ResourceChange, out: DetectionList, hosts: string): void {
  // An IP moved from `hosts` to `addresses` is still matched (istio-samples 753e3722): both are what the entry registers.
  const registered = (resource: Resource | undefined) => new Set([...texts(spec(resource).hosts), ...texts(spec(resource).addresses)]);
  const [was, now] = [texts(spec(change.base).hosts), texts(spec(change.head).hosts)];
  const listed = setChange(was, now);
  const [registeredBefore, registeredAfter] = [registered(change.base), registered(change.head)];
  // A host a wildcard of the entry registers stays registered (zone.msn.com → *.msn.com, kiali/demos 7f6a4e9f).
  const within = (hosts: ReadonlySet<string>) => (host: string) =>
    hosts.has(host) || [...hosts].some((pattern) => pattern.startsWith("*") && hostIntersection(pattern, host) === host);
  const [wasRegistered, isRegistered] = [within(registeredBefore), within(registeredAfter)];
  const moves = [
    {
      class: "route.removed",
      hosts: listed.removed.filter((host) => !isRegistered(host)),
      effect: LEAVE,
    },
    {
      class: "access.widened",
      hosts: listed.added.filter((host) => !wasRegistered(host)),
      effect: "join the mesh's registry: workloads may call them (egress opens to them under REGISTRY_ONLY)",
    },
  ] as const;
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
 * An entry removed: its hosts leave the registry unless another entry of the tree still registers
 * them (an entry renamed or split is removed and added in one PR).
 */
export function registryRemoval(change: ResourceChange, out: DetectionList, registeredElsewhere: (host: string) => boolean): void {
  if (!change.base || change.head) return;
  const hosts = texts(spec(change.base).hosts);
  const leaving = hosts.filter((host) => !registeredElsewhere(host));
  if (leaving.length === 0) return;
  out.add({
    class: "route.removed",
    summary: `removed: hosts ${leaving.join(", ")} ${LEAVE}`,
    side: "base",
    path: ["spec", "hosts"],
    before: sortedSet(hosts),
  });
}

/** The hosts and addresses the entries of a tree register, found once a tree per kind of entry. */
const registeredOf = new WeakMap<ManifestSet, Map<string, ReadonlySet<string>>>();
export function registeredHosts(tree: ManifestSet, isEntry: (resource: Resource) => boolean, kind: string): ReadonlySet<string> {
  let byKind = registeredOf.get(tree);
  if (!byKind) registeredOf.set(tree, (byKind = new Map()));
  let hosts = byKind.get(kind);
  if (!hosts) {
    const found = new Set<string>();
    for (const resource of tree.resources.values())
      if (isEntry(resource)) for (const host of [...texts(spec(resource).hosts), ...texts(spec(resource).addresses)]) found.add(host);
    byKind.set(kind, (hosts = found));
  }
  return hosts;
}
