/** In-cluster service host names, as Kubernetes DNS spells them (`name.namespace.svc.cluster.local`). */

/** `reviews` and `reviews.default.svc.cluster.local` are the same destination. */
export function qualifyHost(host: string, namespace: string): string {
  if (host.includes("*")) return host;
  if (!host.includes(".")) return `${host}.${namespace}.svc.cluster.local`;
  const parts = host.split(".");
  if (parts.length === 2) return `${host}.svc.cluster.local`;
  return host;
}

const CLUSTER_LOCAL = /^([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.svc\.cluster\.local$/;

/** The Service a qualified cluster-local host names (`reviews.bookinfo.svc.cluster.local`); undefined for any other host. */
export function serviceOfHost(host: string): { readonly name: string; readonly namespace: string } | undefined {
  const match = CLUSTER_LOCAL.exec(host);
  return match ? { name: match[1]!, namespace: match[2]! } : undefined;
}
