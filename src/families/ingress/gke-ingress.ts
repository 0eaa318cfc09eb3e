import type { ManifestSet, Resource } from "../../core/resource.js";

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

const folderOf = (file: string): string => file.slice(0, file.lastIndexOf("/") + 1);

const companionFolders = new WeakMap<ManifestSet, ReadonlySet<string>>();

/** The folders of a tree that hold a GKE Ingress companion, read once per tree. */
function foldersWithCompanions(set: ManifestSet): ReadonlySet<string> {
  let folders = companionFolders.get(set);
  if (!folders) {
    const found = new Set<string>();
    for (const { id, source } of set.resources.values())
      if (GKE_COMPANIONS.some(([group, kind]) => id.group === group && id.kind === kind)) found.add(folderOf(source.file));
    companionFolders.set(set, (folders = found));
  }
  return folders;
}

/**
 * Whether GKE gives the Ingress a load balancer of its own. By its class where it has one (its
 * own, or the tree's default). One naming none is GKE's on GKE (ingress-gce takes an Ingress with
 * neither the annotation nor `spec.ingressClassName`), but elsewhere it is whichever shared proxy
 * takes classless Ingresses (Traefik, Contour, ingress-nginx watching them): it is read as GKE's only
 * where the tree says it is written for GKE — it carries an annotation only GKE reads, or its folder
 * holds a BackendConfig, FrontendConfig or ManagedCertificate — and no annotation of such a proxy.
 */
export function servedByGke(resource: Resource, set: ManifestSet, className: string | undefined): boolean {
  if (className !== undefined) return GKE_CLASSES.has(className);
  const keys = Object.keys(resource.annotations);
  if (keys.some((key) => SHARED_PROXY_ANNOTATION.test(key))) return false;
  return keys.some((key) => GKE_ANNOTATION.test(key)) || foldersWithCompanions(set).has(folderOf(resource.source.file));
}
