import { record, text } from "./json-access.js";
import type { ClusterRegions } from "./gitops-delivery.js";

/**
 * Flux's remote clusters. A Kustomization or a HelmRelease with `spec.kubeConfig` applies to the
 * cluster its Secret (`secretRef`) or ConfigMap (`configMapRef`, workload identity) describes,
 * read in the object's own namespace: Flux's hub-and-spoke layout keeps one namespace per spoke on
 * the hub, each holding a Secret `cluster-kubeconfig` (fluxcd/flux2-hub-spoke-example), so the
 * namespace is part of which cluster it is.
 */

/** The Secret or ConfigMap a kubeConfig names, in the namespace it is read from. */
export interface KubeConfigRef {
  readonly namespace: string;
  readonly name: string;
}

/** The kubeConfig an object's `spec` names, read in `namespace` (the object's); undefined where it names none. */
export const kubeConfigOf = (spec: unknown, namespace: string): KubeConfigRef | undefined => {
  const kubeConfig = record(record(spec).kubeConfig);
  const name = text(record(kubeConfig.secretRef).name) ?? text(record(kubeConfig.configMapRef).name);
  return name === undefined ? undefined : { namespace, name };
};

/**
 * The site of a remote cluster: `<namespace>/<name>` of its Secret or ConfigMap, as two
 * namespaces' `cluster-kubeconfig` are two spokes; the policy's name for it where it names one
 * (`topology.clusters`): the name as written, or without `-kubeconfig` (`prod-eu-kubeconfig`), else
 * the namespace (Flux's hub-and-spoke: namespace `production` holds production's `cluster-kubeconfig`).
 */
export const remoteSite = ({ namespace, name }: KubeConfigRef, clusters: ClusterRegions): string =>
  [name, name.replace(/-kubeconfig$/, ""), namespace].find((cluster) => clusters[cluster] !== undefined) ?? `${namespace}/${name}`;

/**
 * Where a Flux HelmRelease installs is its kubeConfig's cluster, which the render stage writes into
 * the name of the folder holding the release's render (`(rendered <release> to kubeConfig
 * <namespace>:<name>)`, releaseFolderSuffix) so that the placement puts that output there alone, not
 * where the HelmRelease itself is applied (releaseKubeConfigOf).
 */
export type ReleaseKubeConfig = (file: string, release: Readonly<Record<string, unknown>>) => KubeConfigRef | undefined;

const MARK = " to kubeConfig ";
const MARKED = new RegExp(`\\(rendered [^)]*${MARK}([^:)/]+):([^:)/]+)\\)/`);

/** The end of a release's render folder name: the kubeConfig it applies with (none where it applies where it is). */
export const releaseFolderSuffix = (ref: KubeConfigRef | undefined): string => (ref ? `${MARK}${ref.namespace}:${ref.name}` : "");

/**
 * The kubeConfig a release render's file applies with (releaseFolderSuffix); undefined outside such
 * a render. It lands there alone, whatever delivers the release object (model/gitops-placement.ts).
 */
export const releaseKubeConfigOf = (file: string): KubeConfigRef | undefined => {
  const found = MARKED.exec(file);
  return found ? { namespace: found[1]!, name: found[2]! } : undefined;
};
