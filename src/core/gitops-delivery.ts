import type { Resource } from "./resource.js";

/**
 * The shapes of GitOps placement: which clusters a file lands in (src/model/gitops-placement.ts
 * composes it), and what one delivering object (Argo CD Application or ApplicationSet, Flux
 * Kustomization) sends where (the placement family reads them, through its `deliveries` slot).
 * Detectors of the placement family receive both through their context.
 */

/** The policy's clusters (`topology.clusters`): cluster name → region. */
export type ClusterRegions = Readonly<Record<string, string>>;

export interface FileClusters {
  readonly clusters: readonly string[];
  readonly regions: readonly string[];
}

export type FilePlacement = (path: string) => FileClusters;

/** Where a delivering object sends a file: named clusters, or wherever the object itself is applied (Flux, no kubeConfig). */
export type Destination = { readonly clusters: readonly string[] } | { readonly whereApplied: true };

/** One GitOps object that delivers repository paths to clusters. */
export interface Delivery {
  readonly resource: Resource;
  /** The repository paths it reads, as rendered for reviewers (`apps/production`, `apps/*`). */
  readonly paths: readonly string[];
  /** Where a file lands through this object; undefined when the object does not read it. */
  readonly destinationOf: (file: string) => Destination | undefined;
  /** Where it delivers whatever the file (git directory generators render their globs). */
  readonly destinations: readonly Destination[];
}
