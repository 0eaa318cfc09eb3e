import { list, record, text, numeric, type JsonRecord } from "./json-access.js";
import type { FieldPath } from "./finding.js";
import { pathSignature } from "./path-signature.js";
import type { BackendRef, RuleShape, WeightedRef } from "./route-rules.js";

/**
 * The rules of an Ingress-shaped spec as flows: Kubernetes Ingress, and GKE's MultiClusterIngress,
 * whose `spec.template.spec` is one. One flow per host and path; a path has one backend, so it
 * takes all of that path's traffic; the default backend takes whatever no rule matches. The
 * spellings follow Gateway API's (`PathPrefix /api`, `Exact /`), so the route diff compares an
 * Ingress path with a route's match as the same request shape.
 */
export interface IngressSpecReading {
  /** Where the requests enter: an Ingress's controller, a MultiClusterIngress's own load balancer. */
  readonly entry: string;
  readonly namespace: string;
  readonly file: string;
  /** Where the spec sits in the document (`["spec"]`, `["spec", "template", "spec"]`). */
  readonly at: FieldPath;
  /** What a backend names: a Service (core group ""), a MultiClusterService (networking.gke.io). */
  readonly backend: { readonly group: string; readonly kind: Extract<BackendRef["kind"], "Service" | "MultiClusterService"> };
  /**
   * Its controller reads an ImplementationSpecific path as a load balancer's path pattern (AWS ALB,
   * Google Cloud's URL maps): `*` is a wildcard and a path without one matches only itself.
   */
  readonly pathPatterns?: true;
  /**
   * Its controller reads an ImplementationSpecific path as a string prefix of the request path
   * (ingress-nginx: an nginx `location` without a modifier, or `~* "^<path>"` where the host asks for
   * regular expressions).
   */
  readonly prefixPaths?: true;
  /**
   * Its controller reads an ImplementationSpecific path as Istio's ingress does: exact, but for a
   * `/*` or `.*` suffix, a string prefix of what comes before it (pilot's createFallbackStringMatch).
   */
  readonly exactPaths?: true;
}

const PATH_TYPES: Record<string, string> = { Exact: "Exact", Prefix: "PathPrefix" };

/**
 * An ImplementationSpecific path where it is a path pattern, spelled as the same match of another
 * type where there is one: `/api` is `Exact /api`, `/*` is `PathPrefix /` (the v1 migration of
 * aws-load-balancer-controller's examples rewrote both, which read as changed matches). `/api/*`
 * stays: `PathPrefix /api` also matches `/api` itself.
 */
const patternSignature = (path: string): string | undefined =>
  !/[*?]/.test(path) ? `Exact ${path}` : path === "/*" ? "PathPrefix /" : undefined;

/**
 * An ImplementationSpecific path where it is a prefix: ingress-nginx writes it as an nginx `location`
 * without modifier, a string prefix (`/api` also takes `/apidocs` and `/api-v2`), where Ingress's
 * `Prefix` takes whole path elements (`Prefix /api/` also takes `/api`, which nginx's `/api/` does
 * not). They agree only on `/`, which takes every path: `/` is `Prefix /` (rollouts-demo c2e4167c0f's
 * v1 migration wrote the pathType v1 requires, which read as a changed match); any other path stays
 * the controller's own, so a pathType rewritten beside `Prefix /` moves `/apidocs` and is judged.
 */
const prefixSignature = (path: string): string | undefined => (path === "/" ? "PathPrefix /" : undefined);

/**
 * An ImplementationSpecific path as Istio reads it: without a wildcard suffix, exact (`/productpage`
 * is `Exact /productpage`, istio 992fb524e9's pathType written out is no change; `/` takes `/`
 * alone); empty, `/*` or `.*`, a prefix of nothing, which takes every path (`PathPrefix /`). Another
 * `/*` or `.*` suffix is a string prefix no pathType is (`/api/*` also takes `/apidocs`), and a bare
 * `*`, exact before Istio 1.19 and every path since, stays the controller's own.
 */
const exactSignature = (path: string): string | undefined =>
  path === "" || path === "/*" || path === ".*"
    ? "PathPrefix /"
    : path === "*" || path.endsWith("/*") || path.endsWith(".*")
      ? undefined
      : `Exact ${path}`;

/**
 * What a backend names: a v1 Service port (`service.name`, `service.port`), a v1beta1 one
 * (`serviceName`, `servicePort`), or a resource its controller resolves (`resource`, in the Ingress's
 * namespace: Kong's KongServiceFacade, whose switch from `service:` read as every backend removed),
 * placed as a Service is: where the Ingress is applied, unless its name says where.
 */
function targetOf(
  value: JsonRecord,
  reading: IngressSpecReading,
): { group: string; kind: string; placed: BackendRef["kind"]; name: string; port: string | number } | undefined {
  const resource = record(value.resource);
  const [kind, resourceName] = [text(resource.kind), text(resource.name)];
  if (kind && resourceName) return { group: text(resource.apiGroup) ?? "", kind, placed: "Service", name: resourceName, port: "" };
  const service = record(value.service);
  const name = text(service.name) ?? text(value.serviceName);
  if (!name) return undefined;
  const portSpec = record(service.port);
  const port = numeric(portSpec.number) ?? text(portSpec.name) ?? numeric(value.servicePort) ?? text(value.servicePort) ?? "";
  return { ...reading.backend, placed: reading.backend.kind, name, port };
}

function backendOf(value: JsonRecord, reading: IngressSpecReading, path: FieldPath): WeightedRef[] {
  const target = targetOf(value, reading);
  if (!target) return [];
  const { namespace } = reading;
  const { group, kind, placed, name, port } = target;
  const where = `${namespace}/${name}${port === "" ? "" : `:${port}`}`;
  const keyWithout = `${group}/${kind}/${namespace}/${name}:`;
  const coreService = group === "" && kind === "Service";
  return [
    {
      key: `${keyWithout}${port}`,
      label: kind === "Service" ? where : `${kind} ${where}`,
      weight: 100,
      ref: {
        kind: placed,
        name,
        namespace,
        routeFile: reading.file,
        ...(coreService ? { coreService: true } : {}),
        ...(port === "" ? {} : { port }),
      },
      path,
      // Named by the Service's port name: the same port as its number (rollouts-demo c2e4167c0f's
      // v1 migration wrote `servicePort: 80` as `port: {name: http}`).
      ...(coreService && typeof port === "string" && port !== ""
        ? { namedPort: { namespace, service: name, name: port, keyWithout } }
        : {}),
    },
  ];
}

export function ingressSpecRules(spec: JsonRecord, reading: IngressSpecReading): RuleShape[] {
  const { entry, at } = reading;
  const shapes: RuleShape[] = [];
  let precedence = 0;
  list(spec.rules).forEach((item, ruleIndex) => {
    const rule = record(item);
    const host = text(rule.host) ?? "*";
    list(record(rule.http).paths).forEach((pathItem, pathIndex) => {
      const entryPath = record(pathItem);
      const type = text(entryPath.pathType) ?? "ImplementationSpecific";
      // A path left out takes every request: the load balancers write it `/*` (ingress-gce's DefaultPath; the ALB's rule without a path condition).
      const written = text(entryPath.path) ?? (reading.pathPatterns ? "/*" : "/");
      const pattern =
        type !== "ImplementationSpecific"
          ? undefined
          : reading.pathPatterns
            ? patternSignature(written)
            : reading.prefixPaths
              ? prefixSignature(written)
              : reading.exactPaths
                ? exactSignature(written)
                : undefined;
      const signature = pattern ?? pathSignature(PATH_TYPES[type] ?? type, written);
      const path = [...at, "rules", ruleIndex, "http", "paths", pathIndex];
      shapes.push({
        entry,
        host,
        alternatives: [{ signature, path: signature }],
        ruleId: signature,
        precedence: precedence++,
        path,
        backends: backendOf(record(entryPath.backend), reading, [...path, "backend"]),
        mirrors: [],
      });
    });
  });
  // v1beta1 (and a MultiClusterIngress) names the default backend `backend`.
  const defaultField = spec.defaultBackend !== undefined ? "defaultBackend" : spec.backend !== undefined ? "backend" : undefined;
  if (defaultField) {
    const path = [...at, defaultField];
    const signature = "PathPrefix /";
    shapes.push({
      entry,
      host: "*",
      alternatives: [{ signature, path: signature }],
      ruleId: "default backend",
      precedence,
      path,
      backends: backendOf(record(spec[defaultField]), reading, path),
      mirrors: [],
      takesUnmatched: true,
    });
  }
  return shapes;
}
