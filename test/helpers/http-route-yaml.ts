/** The HTTPRoute the review tests edit: checkout in shop, on the shared Gateway infra/public. */
export interface RouteOptions {
  readonly name?: string;
  readonly namespace?: string;
  readonly hostname?: string;
  /** The parentRefs entry, as a flow map. */
  readonly parent?: string;
}

/** `rules` is the YAML under `rules:`, each rule indented two spaces. */
export const httpRoute = (
  rules: string,
  {
    name = "checkout",
    namespace = "shop",
    hostname = "shop.example.com",
    parent = "{ name: public, namespace: infra }",
  }: RouteOptions = {},
): string => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}, namespace: ${namespace} }
spec:
  parentRefs: [${parent}]
  hostnames: [${hostname}]
  rules:
${rules}`;

/** A weighted backendRef to an MCS ServiceImport, as a flow map. */
export const serviceImportRef = (name: string, weight = 1): string =>
  `{ group: multicluster.x-k8s.io, kind: ServiceImport, name: ${name}, port: 8080, weight: ${weight} }`;
