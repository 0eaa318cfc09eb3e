import type { ManifestSet } from "../../core/resource.js";
import { grantAdmits, grantCovers, type GrantTarget, type ReferenceGrantNode } from "../../core/graph-nodes.js";
import { canonical } from "../../core/canonical-values.js";
import { entryPointsOf, GATEWAY_API_GROUPS } from "./entry-points.js";
import { GATEWAY_ROUTE_KINDS } from "../../core/gateway-api-group.js";
import { gatewayApiGraphNodes } from "./graph-nodes.js";

/**
 * What in a tree relies on a ReferenceGrant: the cross-namespace references of the objects whose
 * references the family reads (routes' backendRefs, mirrors included, and Gateway and ListenerSet
 * listeners' certificateRefs). What a permission a grant stops giving breaks, the traffic graph
 * reports (reference.broken); this says whether anything the repository holds needed it at all.
 */

type Referrer = ReferenceGrantNode["from"][number];

interface Reference {
  readonly from: Referrer;
  /** The namespace the referenced object is in: the one whose grants must permit the reference. */
  readonly namespace: string;
  readonly to: GrantTarget;
}

interface Referrers {
  readonly references: readonly Reference[];
  /** `group/kind/namespace` of every object the tree holds whose references are read here. */
  readonly held: ReadonlySet<string>;
}

const LISTENER_OWNERS = new Set(["Gateway", "ListenerSet", "XListenerSet"]);

const heldKey = ({ group, kind, namespace }: Referrer) => `${group}/${kind}/${namespace}`;

const referrersOfTree = new WeakMap<ManifestSet, Referrers>();

function referrersOf(tree: ManifestSet): Referrers {
  const known = referrersOfTree.get(tree);
  if (known) return known;
  const references: Reference[] = [];
  const held = new Set<string>();
  for (const resource of tree.resources.values()) {
    const { group, kind, namespace } = resource.id;
    if (!GATEWAY_API_GROUPS.has(group) || !(GATEWAY_ROUTE_KINDS.has(kind) || LISTENER_OWNERS.has(kind))) continue;
    held.add(heldKey({ group, kind, namespace }));
    const node = gatewayApiGraphNodes[kind]?.(resource);
    for (const destination of node?.role === "route" ? node.route.destinations : [])
      if (destination.namespace !== namespace)
        references.push({
          from: { group, kind, namespace },
          namespace: destination.namespace,
          to: { group: destination.group ?? "", kind: destination.kind, name: destination.name },
        });
  }
  const points = entryPointsOf(tree);
  for (const owner of [
    ...[...points.gateways.values()].filter((gateway) => gateway.api === "gateway-api"),
    ...points.listenerSets.values(),
  ])
    for (const listener of owner.listeners)
      for (const { group, kind, namespace, name } of listener.foreignCertificates ?? [])
        references.push({
          from: { group: owner.id.group, kind: owner.id.kind, namespace: owner.id.namespace },
          namespace,
          to: { group, kind, name },
        });
  const found = { references, held };
  referrersOfTree.set(tree, found);
  return found;
}

const admits = (grant: ReferenceGrantNode, reference: Reference): boolean => grantAdmits(grant, reference.from, reference.to);

/**
 * Whether the permissions a grant of `namespace` gave at base and no longer gives at head were relied
 * on: "relied" when a reference of the head tree it admitted loses its admission; "unused" when none does and
 * the repository holds the objects of every kind and namespace it stops admitting, so the references
 * it could have admitted are all in view; "unknown" otherwise, since a grant's users may be kept
 * elsewhere (another repository's routes, an implementation's own kinds such as an Envoy Gateway
 * SecurityPolicy, whose references are not read).
 */
export function grantReliance(
  namespace: string,
  before: ReferenceGrantNode,
  after: ReferenceGrantNode,
  trees: { readonly base: ManifestSet; readonly head: ManifestSet },
): "relied" | "unused" | "unknown" {
  // A reference the PR removes with the grant relied on nothing that stays.
  const lost = referrersOf(trees.head).references.some(
    (reference) => reference.namespace === namespace && admits(before, reference) && !admits(after, reference),
  );
  if (lost) return "relied";
  const referrers = [referrersOf(trees.base), referrersOf(trees.head)];
  const narrowed = before.from.filter(
    (from) =>
      !after.from.some((now) => canonical(now) === canonical(from)) ||
      before.to.some((to) => !after.to.some((now) => grantCovers(now, to))),
  );
  // A Gateway's or ListenerSet's references are read only in part (listener certificates, not a
  // client CA or a backend client certificate): what it stops being granted may be in use unseen.
  return narrowed.every((from) => !LISTENER_OWNERS.has(from.kind) && referrers.some(({ held }) => held.has(heldKey(from))))
    ? "unused"
    : "unknown";
}
