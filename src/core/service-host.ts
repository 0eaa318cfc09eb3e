/** In-cluster service host names, as Kubernetes DNS spells them (`name.namespace.svc.cluster.local`). */

/** `reviews` and `reviews.default.svc.cluster.local` are the same destination. */
export function qualifyHost(host: string, namespace: string): string {
  if (host.includes("*")) return host;
  if (!host.includes(".")) return `${host}.${namespace}.svc.cluster.local`;
  const parts = host.split(".");
  if (parts.length === 2) return `${host}.svc.cluster.local`;
  return host;
}

const LABEL = "([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)";
const CLUSTER_LOCAL = new RegExp(`^${LABEL}\\.${LABEL}\\.svc\\.cluster\\.local$`);
/** The name MCS DNS gives a ServiceImport: the service as every cluster exports it. */
const CLUSTER_SET = new RegExp(`^${LABEL}\\.${LABEL}\\.svc\\.clusterset\\.local$`);

const serviceOf = (pattern: RegExp, host: string): { readonly name: string; readonly namespace: string } | undefined => {
  const match = pattern.exec(host);
  return match ? { name: match[1]!, namespace: match[2]! } : undefined;
};

/** The Service a qualified cluster-local host names (`reviews.bookinfo.svc.cluster.local`); undefined for any other host. */
export const serviceOfHost = (host: string) => serviceOf(CLUSTER_LOCAL, host);

/** The imported service a `clusterset.local` host names (`reviews.bookinfo.svc.clusterset.local`); undefined for any other host. */
export const serviceOfClusterSetHost = (host: string) => serviceOf(CLUSTER_SET, host);
