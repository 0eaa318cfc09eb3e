import { mayShareCluster, type ManifestSet, type Resource } from "./resource.js";
import { resourcesOfKind } from "./resources-of-kind.js";

/**
 * The core Namespaces a tree declares that are the namespace `of` is, where `of` is applied: its
 * copies in any file (a Namespace written twice, once beside the namespaces and once beside its app,
 * is one object on the cluster), none applied to another cluster.
 */
export const namespaceCopies = (tree: ManifestSet, of: Resource): Resource[] =>
  resourcesOfKind(tree, "Namespace").filter((other) => other.id.group === "" && other.id.name === of.id.name && mayShareCluster(other, of));
