import { hostsOverlap } from "../../core/host-match.js";
import { list, nonEmptyTexts, record } from "../../core/json-access.js";
import type { ManifestSet } from "../../core/resource.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import { qualifyHost } from "../../core/service-host.js";

/** One Sidecar's egress imports: host patterns by the namespace they name, `*` apart. */
interface EgressImports {
  readonly label: string;
  /** In the root namespace without a selector: the default of every namespace, its `.` each one's own. */
  readonly meshDefault: boolean;
  readonly byNamespace: ReadonlyMap<string, readonly string[]>;
  /** Hosts of `./…` of a mesh default: imported in whichever namespace the workload is. */
  readonly ownNamespace: readonly string[];
  /** Hosts of `*\/…`: imported from every namespace. */
  readonly everyNamespace: readonly string[];
}

const importsOf = new WeakMap<ManifestSet, Map<string, readonly EgressImports[]>>();

/**
 * The egress imports of a tree's Sidecars that have egress listeners (one without imports the whole
 * mesh, wherever a VirtualService lives), once per tree and root namespace. `~` imports nothing.
 */
function egressImports(set: ManifestSet, rootNamespace: string): readonly EgressImports[] {
  let byRoot = importsOf.get(set);
  if (!byRoot) importsOf.set(set, (byRoot = new Map()));
  const known = byRoot.get(rootNamespace);
  if (known) return known;
  const found: EgressImports[] = [];
  for (const sidecar of resourcesOfKind(set, "Sidecar")) {
    if (sidecar.id.group !== "networking.istio.io") continue;
    const spec = record(sidecar.body.spec);
    const hosts = list(spec.egress).flatMap((listener) => nonEmptyTexts(record(listener).hosts));
    if (hosts.length === 0) continue;
    const { namespace, name } = sidecar.id;
    const meshDefault = namespace === rootNamespace && Object.keys(record(record(spec.workloadSelector).labels)).length === 0;
    const byNamespace = new Map<string, string[]>();
    const [ownNamespace, everyNamespace]: [string[], string[]] = [[], []];
    for (const host of hosts) {
      const slash = host.indexOf("/");
      if (slash < 0) continue;
      const [scope, pattern] = [host.slice(0, slash), host.slice(slash + 1)];
      if (scope === "~") continue;
      if (scope === "*") everyNamespace.push(pattern);
      else if (scope === "." && meshDefault) ownNamespace.push(pattern);
      else {
        const named = scope === "." ? namespace : scope;
        byNamespace.set(named, [...(byNamespace.get(named) ?? []), pattern]);
      }
    }
    found.push({ label: `Sidecar ${namespace}/${name}`, meshDefault, byNamespace, ownNamespace, everyNamespace });
  }
  byRoot.set(rootNamespace, found);
  return found;
}

/**
 * Who sees a mesh VirtualService of `namespace` only because it lives there: the Sidecars of the
 * tree whose egress imports one of its `hosts` (as the VirtualService keys them, meshHost) through
 * that namespace (`backend/*`, `./*` in backend) and not through every namespace (`*\/…`); the root
 * namespace's default Sidecar as the default of `namespace`'s workloads for its `./…`. istiod
 * gives a sidecar the VirtualServices its egress hosts import by their namespace
 * (SelectVirtualServices), so one moved to another namespace is lost to, or gained by, these
 * workloads though its spec is the same (a `subset: v1` pin that web's pods no longer apply).
 * Sorted, joined; empty where no Sidecar imports by namespace.
 */
export function namespaceImporters(set: ManifestSet, namespace: string, hosts: readonly string[], rootNamespace: string): string {
  const imports = egressImports(set, rootNamespace);
  if (imports.length === 0) return "";
  const qualified = hosts.map((host) => qualifyHost(host, namespace));
  const takes = (patterns: readonly string[] | undefined) =>
    patterns !== undefined && patterns.some((pattern) => qualified.some((host) => hostsOverlap(pattern, host)));
  const labels: string[] = [];
  for (const sidecar of imports) {
    if (takes(sidecar.everyNamespace)) continue;
    if (takes(sidecar.byNamespace.get(namespace))) labels.push(sidecar.label);
    if (sidecar.meshDefault && takes(sidecar.ownNamespace)) labels.push(`${sidecar.label} in namespace ${namespace}`);
  }
  return labels.sort().join(", ");
}
