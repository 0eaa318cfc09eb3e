import { record, text } from "../core/json-access.js";
import type { SourceFile } from "../manifests/load-manifests.js";
import type { Topology } from "../policy/policy-schema.js";
import { deliveryDepth, fluxKustomizations, someDeliveryFileSays } from "./flux-kustomizations.js";
import { readersOf } from "../core/kustomize-inclusion.js";

/**
 * Flux's `spec.targetNamespace`: a Kustomization applies what it delivers in that namespace. A
 * document that names none (most app folders of a GitOps repository, whose Kustomization places
 * them) is read there, instead of in an implied `default` whose references cannot be checked
 * (xunholy/k8s-gitops: ReferenceGrant "default/oauth2-proxy-extauth", applied in network-system).
 * The Kustomization that reads a file from the deepest path decides, as Flux's own nesting does
 * (one Kustomization delivers the others'); two at that depth that disagree decide nothing. Pure:
 * the tree in, a lookup by path out.
 */

const RENDERED = "(rendered)/";

interface Placing {
  readonly depth: number;
  readonly namespace: string | undefined;
  readonly reads: (file: string) => boolean;
}

/** `includedBy`: the kustomizations that accumulate each file (render/kustomize-tree.ts kustomizeReading). */
export function fluxTargetNamespaces(
  files: readonly SourceFile[],
  topology: Topology,
  includedBy: ReadonlyMap<string, readonly string[]> = new Map(),
): (path: string) => string | undefined {
  const none = () => undefined;
  if (!someDeliveryFileSays(files, "targetNamespace")) return none;
  const placings: Placing[] = fluxKustomizations(files, topology).map(({ resource, delivery }) => ({
    depth: deliveryDepth(delivery),
    namespace: text(record(resource.body.spec).targetNamespace),
    reads: (file) => !!delivery.destinationOf(file),
  }));
  if (!placings.some((placing) => placing.namespace !== undefined)) return none;
  return (path) => {
    // A rendered root's documents are delivered as its kustomization folder is.
    const at = path.indexOf(RENDERED);
    const file = at >= 0 ? `${path.slice(0, at)}kustomization.yaml` : path;
    const readers = readersOf(file, includedBy);
    let deepest = -1;
    const namespaces = new Set<string | undefined>();
    for (const placing of placings) {
      if (placing.depth < deepest || !readers.some(placing.reads)) continue;
      if (placing.depth > deepest) namespaces.clear();
      deepest = placing.depth;
      namespaces.add(placing.namespace);
    }
    const [only, ...others] = [...namespaces];
    return others.length === 0 ? only : undefined;
  };
}
