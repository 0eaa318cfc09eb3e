/** In-cluster service host names, as Kubernetes DNS spells them (`name.namespace.svc.cluster.local`). */

/** `reviews` and `reviews.default.svc.cluster.local` are the same destination. */
export function qualifyHost(host: string, namespace: string): string {
  if (host.includes("*")) return host;
  if (!host.includes(".")) return `${host}.${namespace}.svc.cluster.local`;
  const parts = host.split(".");
  if (parts.length === 2) return `${host}.svc.cluster.local`;
  return host;
}
