/** Built-in and common kinds that live outside namespaces. */
const CLUSTER_SCOPED = new Set([
  "Namespace",
  "GatewayClass",
  "CustomResourceDefinition",
  "PriorityClass",
  "StorageClass",
  "IngressClass",
  "PersistentVolume",
  "RuntimeClass",
  "APIService",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
]);

/**
 * Whether objects of a kind are cluster-scoped: no namespace is written on them or given to them.
 * Beyond the built-in kinds, custom kinds follow the `Cluster*` convention (ClusterRole,
 * ClusterIssuer, ClusterSecretStore). A kind missed here is read as namespaced: the caller
 * sees a namespace it may not have, never loses one.
 */
export const clusterScoped = (kind: string): boolean => CLUSTER_SCOPED.has(kind) || /^Cluster[A-Z]/.test(kind);
