import type { SourceFile } from "../src/review.js";

/**
 * A synthetic PR for the benchmark: `files` files of `routesPerFile` HTTPRoutes each (multi-cluster
 * ServiceImport backends in three regions), and a head where every `changeEvery`-th file has one
 * route re-weighted. Deterministic, so runs compare.
 */
export interface FleetOptions {
  readonly files: number;
  readonly routesPerFile: number;
  readonly changeEvery: number;
  /**
   * Also the fleet's shared infrastructure: the public Gateway every route attaches to (one
   * listener, `*.example.com`, routes from all namespaces) and, per region's cluster, the
   * ServiceExports behind the routes' ServiceImports — so the repo-wide graph has edges to walk.
   */
  readonly infrastructure?: boolean;
}

export const FLEET_GATEWAY_PATH = "clusters/config/gateway.yaml";

/** The shared Gateway of the fleet; `listener` overrides fields of its one listener (YAML flow-map entries). */
export function fleetGateway(listener: { port?: number; from?: "All" | "Same"; hostname?: string } = {}): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: public-gateway
  namespace: infra
spec:
  gatewayClassName: gke-l7-global-external-managed-mc
  listeners:
  - name: https
    protocol: HTTPS
    port: ${listener.port ?? 443}
    hostname: "${listener.hostname ?? "*.example.com"}"
    tls:
      certificateRefs: [{ name: wildcard-example-com }]
    allowedRoutes:
      namespaces: { from: ${listener.from ?? "All"} }
`;
}

/**
 * Route files whose ServiceExports share one exports file: a region's exports for 2,000 route files
 * in one file would pass the loader's 2 MiB bound and be refused unread.
 */
const EXPORT_FILE_SPAN = 500;

function exports(from: number, to: number, routesPerFile: number, region: string): string {
  let text = "";
  for (let file = from; file < to; file++) {
    for (let index = 0; index < routesPerFile; index++) {
      text += `---
apiVersion: multicluster.x-k8s.io/v1alpha1
kind: ServiceExport
metadata:
  name: svc-${file}-${index}-${region}
  namespace: team-${file % 20}
`;
    }
  }
  return text;
}

const REGIONS = ["jkt", "sgp", "tyo"] as const;

function route(file: number, index: number, weights: readonly number[]): string {
  const name = `svc-${file}-${index}`;
  const backends = REGIONS.map(
    (region, i) => `    - group: multicluster.x-k8s.io
      kind: ServiceImport
      name: ${name}-${region}
      port: 8080
      weight: ${weights[i]}`,
  ).join("\n");
  return `---
# ${name}: owned by team-${file % 20}
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: ${name}
  namespace: team-${file % 20}
  labels: { app: ${name}, tier: web }
spec:
  parentRefs:
  - name: public-gateway
    namespace: infra
    sectionName: https
  hostnames: ["${name}.example.com"]
  rules:
  - matches:
    - path: { type: PathPrefix, value: /api }
      method: GET
    backendRefs:
${backends}
  - matches:
    - path: { type: Exact, value: /healthz }
    backendRefs:
    - name: ${name}
      port: 8080
`;
}

export function generateFleet(options: FleetOptions): { base: SourceFile[]; head: SourceFile[] } {
  const base: SourceFile[] = [];
  const head: SourceFile[] = [];
  for (let file = 0; file < options.files; file++) {
    const path = `clusters/config/routes/team-${file % 20}/routes-${file}.yaml`;
    let before = "";
    let after = "";
    for (let index = 0; index < options.routesPerFile; index++) {
      before += route(file, index, [80, 10, 10]);
      after += route(file, index, file % options.changeEvery === 0 && index === 0 ? [50, 40, 10] : [80, 10, 10]);
    }
    base.push({ path, text: before });
    head.push({ path, text: after });
  }
  if (options.infrastructure) {
    const shared = [{ path: FLEET_GATEWAY_PATH, text: fleetGateway() }];
    for (const region of REGIONS) {
      for (let from = 0; from < options.files; from += EXPORT_FILE_SPAN) {
        const to = Math.min(options.files, from + EXPORT_FILE_SPAN);
        const part = from === 0 ? "" : `-${from / EXPORT_FILE_SPAN + 1}`;
        shared.push({ path: `clusters/${region}-prod-1/exports${part}.yaml`, text: exports(from, to, options.routesPerFile, region) });
      }
    }
    base.push(...shared);
    head.push(...shared);
  }
  return { base, head };
}
