/**
 * An Istio DestinationRule whose subsets each select one region's pods (`topology.kubernetes.io/region`):
 * how the write-path and precedence tests place a VirtualService's subsets in regions.
 */
export const regionalSubsets = (host: string, namespace: string, regions: Readonly<Record<string, string>>): string =>
  `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: { name: ${host}, namespace: ${namespace} }
spec:
  host: ${host}
  subsets:
${Object.entries(regions)
  .map(([subset, region]) => `  - { name: ${subset}, labels: { topology.kubernetes.io/region: ${region} } }\n`)
  .join("")}`;
