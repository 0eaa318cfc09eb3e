import type { Resource } from "../../core/resource.js";
import { optionalRecord, record, text, type JsonRecord } from "../../core/json-access.js";
import { FLUX_OPERATOR } from "../../core/flux-groups.js";

/**
 * A Flux Operator FluxInstance's cluster sync, `spec.sync` (fluxoperator.dev docs, instance/sync
 * and the FluxInstance CRD's Sync: `kind`, `url`, `ref` and `path` required, `name` optional): the
 * operator generates a Flux source of that kind (GitRepository, OCIRepository or Bucket) at `url`
 * and `ref`, and a Flux Kustomization applying `path` of it, both named `name`, else the instance's
 * namespace, in that namespace and with no kubeConfig — what `flux bootstrap` commits as
 * gotk-sync.yaml, on the cluster the operator runs on. Read as that Kustomization, it places what a
 * cluster's folder holds on that cluster (deliveries.ts), and its GitRepository's URL is weighed
 * as flux-system's (this-repository.ts). Unread, every cluster's `clusters/<c>/` files were placed
 * nowhere, and one cluster's Kustomization read every cluster's copy of its variables' ConfigMap.
 */
export interface InstanceSync {
  readonly kind: string | undefined;
  readonly url: string | undefined;
  readonly ref: string | undefined;
  readonly path: string | undefined;
  /** The name of the source and Kustomization it generates. */
  readonly name: string;
}

export const isFluxInstance = (resource: Resource): boolean => resource.id.group === FLUX_OPERATOR && resource.id.kind === "FluxInstance";

/** A FluxInstance's sync; undefined for any other object, and for an instance that syncs nothing (it installs Flux alone). */
export const instanceSync = (resource: Resource): InstanceSync | undefined => {
  const sync = isFluxInstance(resource) ? optionalRecord(record(resource.body.spec).sync) : undefined;
  if (!sync) return undefined;
  return {
    kind: text(sync.kind),
    url: text(sync.url),
    ref: text(sync.ref),
    path: text(sync.path),
    name: text(sync.name) ?? resource.id.namespace,
  };
};

/** The spec of the Flux Kustomization a sync generates; none where it names no path (the CRD requires one). */
export const syncKustomizationSpec = (sync: InstanceSync): JsonRecord | undefined =>
  sync.path === undefined ? undefined : { path: sync.path, sourceRef: { kind: sync.kind ?? "", name: sync.name } };
