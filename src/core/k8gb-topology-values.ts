/**
 * The k8gb chart's values (under `k8gb:`) that say which cluster this k8gb is, which clusters it
 * pairs with and which zones it answers for: `clusterGeoTag`, `extGslbClustersGeoTags`, `dnsZones`
 * (0.14 and earlier: `dnsZone` in `edgeDNSZone`). The chart only passes them to the operator as its
 * environment, so no render shows them as traffic config; the dns family judges them where a
 * release writes them (families/dns/k8gb-settings.ts), and a render leaves them out
 * (render/known-charts.ts).
 */
export const K8GB_TOPOLOGY_VALUES = ["clusterGeoTag", "extGslbClustersGeoTags", "dnsZones", "dnsZone", "edgeDNSZone"] as const;

/** The chart's name in k8gb's Helm repository (https://www.k8gb.io) and OCI registry (ghcr.io/k8gb-io/charts). */
export const K8GB_CHART = "k8gb";
