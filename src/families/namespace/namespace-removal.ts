import { DetectionList } from "../../core/detection-list.js";
import type { DetectorContext, ResourceDetector } from "../../core/detector.js";
import type { ResourceChange } from "../../core/resource-change.js";
import type { Resource } from "../../core/resource.js";
import { copiesNamed } from "../../core/copies-named.js";
import { listedNames } from "../../core/removed-while-named.js";
import { mayShareSite, namespaceCopies } from "../../core/namespace-copies.js";

const isNamespace = (resource: Resource): boolean => resource.id.kind === "Namespace" && resource.id.group === "";

/** Namespaces Kubernetes refuses to delete (the NamespaceLifecycle admission plugin): dropping their manifest deletes nothing. */
const IMMORTAL = new Set(["default", "kube-system", "kube-public", "kube-node-lease"]);

/**
 * Flux's garbage collection skips an object labelled or annotated `kustomize.toolkit.fluxcd.io/prune`
 * (or `reconcile`) `disabled`, in any case (kustomize-controller's prune exclusions, fluxcd/pkg ssa
 * AnyInMetadata): the Namespace the base applied so stays in the cluster when its manifest goes.
 */
const FLUX_KEEPS = ["kustomize.toolkit.fluxcd.io/prune", "kustomize.toolkit.fluxcd.io/reconcile"];
const keptByFlux = (resource: Resource): string | undefined =>
  FLUX_KEEPS.find((key) => [resource.labels[key], resource.annotations[key]].some((value) => value?.toLowerCase() === "disabled"));

/**
 * A Namespace the tree stops declaring while its traffic config stays: Flux and Argo CD prune what
 * left the repository, and deleting a namespace deletes every object in it, so the Gateways,
 * routes and policies still written for it are gone until it is created again, and cannot be
 * applied meanwhile (gitops-istio's `istio-system`, renamed in the mutation sweep, passed as low).
 * A namespace moved to another file or renamed together with its objects leaves nothing behind.
 */
export const namespaceRemovalDetector: ResourceDetector = (change: ResourceChange, context: DetectorContext) => {
  const removed = change.base;
  if (change.head || !removed || !isNamespace(removed) || IMMORTAL.has(removed.id.name)) return [];
  // A file the head tree reads no objects from any more (now a kustomize patch) is judged as that.
  const file = removed.source.file;
  if (context.fileText("head", file) !== undefined && context.appliedAs("head", file) === undefined) return [];
  if (namespaceCopies(context.head, removed, context).length > 0) return [];
  const name = removed.id.name;
  const head = [...context.head.resources.values()];
  const together = mayShareSite(context.head, removed, context);
  const left = head.filter(
    (other) => other.id.namespace === name && !other.namespaceImplied && !context.readForContext(other) && together(other),
  );
  if (left.length === 0) return [];
  const out = new DetectionList(change);
  const names = copiesNamed(left);
  const stays = `removed while ${names.length} traffic resource${names.length === 1 ? " stays" : "s stay"} in it (${listedNames(names)})`;
  const kept = keptByFlux(removed);
  out.add({
    // Said all the same, so that the objects left are seen to stay applicable: the namespace is left unmanaged, not deleted.
    ...(kept
      ? {
          class: "resource.changed",
          summary: `${stays}, but it says \`${kept}: disabled\`: Flux leaves it in the cluster, unmanaged, with everything in it`,
        }
      : {
          class: "reference.broken",
          summary: `${stays}: a GitOps tool that prunes deletes the namespace with every object in it, and they cannot be applied while it is gone`,
        }),
    side: "base",
    path: ["metadata", "name"],
    before: name,
    after: null,
  });
  return out.detections;
};
