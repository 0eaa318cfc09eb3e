import type { ManifestSet, Resource } from "../../core/resource.js";
import { list, record, text } from "../../core/json-access.js";
import { ingressClass } from "./ingress-class.js";

/**
 * GKE's Ingress classes (ingress-gce's `kubernetes.io/ingress.class` values): `gce` (external),
 * `gce-internal`, `gce-regional-external`, and kubemci's `gce-multi-cluster`. Unlike a proxy that
 * merges every Ingress of its class behind one address (ingress-nginx, Traefik, HAProxy), GKE makes
 * each such Ingress a Google Cloud load balancer of its own, with its own address: two of them never
 * compete for a request, and a new one takes none from another.
 */
const GKE_CLASSES: ReadonlySet<string> = new Set(["gce", "gce-internal", "gce-regional-external", "gce-multi-cluster"]);

/** The annotations naming the static address a GKE Ingress's load balancer holds: a global one, or a regional one. */
export const STATIC_ADDRESS_KEYS = [
  "kubernetes.io/ingress.global-static-ip-name",
  "kubernetes.io/ingress.regional-static-ip-name",
] as const;

/** Annotations only GKE's Ingress controller reads: its own domains, its static addresses, and its switch for plain HTTP. */
const GKE_ANNOTATION =
  /^(?:networking\.gke\.io|ingress\.gcp\.kubernetes\.io|cloud\.google\.com)\/|^kubernetes\.io\/ingress\.(?:global-static-ip-name|regional-static-ip-name|allow-http)$/;

/**
 * Annotations of controllers that serve an Ingress without a class behind a shared proxy
 * (ingress-nginx, Traefik, the ALB's, Azure's, NGINX Inc's, HAProxy's, Kong's): written on one, its
 * author may mean that proxy too, so the GKE reading is not taken for it.
 */
const SHARED_PROXY_ANNOTATION =
  /^(?:[^/]*\.)?ingress\.kubernetes\.io\/|^(?:nginx\.org|haproxy\.org|haproxy-ingress\.github\.io|konghq\.com)\//;

/** What GKE Ingresses name, and nothing else reads: BackendConfig (Cloud Armor, IAP, health checks), FrontendConfig, ManagedCertificate. */
const GKE_COMPANIONS: readonly (readonly [group: string, kind: string])[] = [
  ["cloud.google.com", "BackendConfig"],
  ["networking.gke.io", "FrontendConfig"],
  ["networking.gke.io", "ManagedCertificate"],
];

/**
 * A path written as a Google Cloud URL map pattern: ImplementationSpecific (v1beta1's default) and
 * ending in `/*` (`/*`, `/v2/*`: GKE takes `*` only there). A shared proxy reads it as a literal
 * (ingress-nginx as a prefix holding `*`, Traefik likewise), which no one writes for it; the AWS Load
 * Balancer Controller reads it as GKE does, and also gives an Ingress outside an IngressGroup a load
 * balancer of its own (a group is named by an annotation of its, a shared proxy's here).
 */
const hasPathPattern = (resource: Resource): boolean =>
  list(record(resource.body.spec).rules).some((rule) =>
    list(record(record(rule).http).paths).some((entry) => {
      const pathType = text(record(entry).pathType) ?? "ImplementationSpecific";
      return pathType === "ImplementationSpecific" && (text(record(entry).path) ?? "").endsWith("/*");
    }),
  );

/** An Ingress no shared proxy's annotation claims that carries one only GKE reads: a static address, a managed certificate, a FrontendConfig. */
const annotatedForGke = (resource: Resource): boolean => {
  const keys = Object.keys(resource.annotations);
  return !keys.some((key) => SHARED_PROXY_ANNOTATION.test(key)) && keys.some((key) => GKE_ANNOTATION.test(key));
};

const folderOf = (file: string): string => file.slice(0, file.lastIndexOf("/") + 1);

const gkeFolders = new WeakMap<ManifestSet, ReadonlySet<string>>();

/**
 * The folders of a tree written for GKE, read once per tree: those holding a GKE Ingress companion,
 * or an Ingress of a GKE class or annotated for GKE (kubernetes-engine-samples' load-balancing/, a
 * static address on basic-ingress-static beside the bare basic-ingress and fanout-ingress). Not a
 * sibling's path patterns, which the ALB's Ingresses write too: they come and go with its rules, and
 * every bare Ingress beside it would move with them between a load balancer of its own and the
 * shared entry (attached and detached where nothing of it changed).
 */
function foldersForGke(set: ManifestSet): ReadonlySet<string> {
  let folders = gkeFolders.get(set);
  if (!folders) {
    const found = new Set<string>();
    for (const resource of set.resources.values()) {
      const { id, source } = resource;
      const className = id.kind === "Ingress" ? ingressClass(resource) : undefined;
      const gkeIngress = id.kind === "Ingress" && (className === undefined ? annotatedForGke(resource) : GKE_CLASSES.has(className));
      if (gkeIngress || GKE_COMPANIONS.some(([group, kind]) => id.group === group && id.kind === kind)) found.add(folderOf(source.file));
    }
    gkeFolders.set(set, (folders = found));
  }
  return folders;
}

/**
 * Whether GKE gives the Ingress a load balancer of its own. By its class where it has one (its
 * own, or the tree's default). One naming none is GKE's on GKE (ingress-gce takes an Ingress with
 * neither the annotation nor `spec.ingressClassName`), but elsewhere it is whichever shared proxy
 * takes classless Ingresses (Traefik, Contour, ingress-nginx watching them): it is read as GKE's only
 * where the tree says it is written for GKE — it carries an annotation only GKE reads or a path
 * pattern, or its folder holds a BackendConfig, FrontendConfig, ManagedCertificate or another GKE
 * Ingress — and no annotation of such a proxy.
 */
export function servedByGke(resource: Resource, set: ManifestSet, className: string | undefined): boolean {
  if (className !== undefined) return GKE_CLASSES.has(className);
  if (Object.keys(resource.annotations).some((key) => SHARED_PROXY_ANNOTATION.test(key))) return false;
  return annotatedForGke(resource) || hasPathPattern(resource) || foldersForGke(set).has(folderOf(resource.source.file));
}
