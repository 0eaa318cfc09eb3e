import { list, record, stringMap, text, type JsonRecord } from "../core/json-access.js";
import { canonical } from "../core/canonical-values.js";
import type { Labels } from "../core/label-selector.js";
import type { SourceFile } from "../manifests/load-manifests.js";
import type { Topology } from "../policy/policy-schema.js";
import { deliveryDepth, fluxKustomizations, someDeliveryFileSays } from "./flux-kustomizations.js";
import { readersOf } from "../core/kustomize-inclusion.js";
import type { RepositoryLink } from "../core/repository-links.js";
import { kubeConfigOf, type ReleaseKubeConfig } from "../core/flux-kubeconfig.js";
import { kustomizeReading } from "./kustomize-tree.js";
import { patchedObject } from "./kustomize-patch.js";

/**
 * What the Flux Kustomization applying a file sets on its documents, read for files as written and
 * for rendered roots alike. The Kustomization that reads a file from the deepest path decides, as
 * Flux's own nesting does (one Kustomization delivers the others'); two at that depth that disagree
 * decide nothing. Pure: the tree in, a lookup by path out.
 */

const RENDERED = "(rendered)/";

/** The file Flux delivers a document of `path` by: a rendered root's documents are delivered as its kustomization folder is. */
export function deliveredFile(path: string): string {
  const at = path.indexOf(RENDERED);
  return at >= 0 ? `${path.slice(0, at)}kustomization.yaml` : path;
}

interface Placing<T> {
  readonly depth: number;
  readonly value: T | undefined;
  readonly reads: (file: string) => boolean;
}

/**
 * `word`: what a Kustomization's text says where it sets anything (most trees' say nothing, and are
 * not read); `read`: what it sets, from its spec. `includedBy`: the kustomizations that accumulate
 * each file (render/kustomize-tree.ts kustomizeReading); `links`: the tree's, which Flux reads paths through.
 */
function deepestFluxSetting<T>(
  files: readonly SourceFile[],
  topology: Topology,
  includedBy: ReadonlyMap<string, readonly string[]>,
  links: readonly RepositoryLink[],
  word: string,
  read: (spec: JsonRecord) => T | undefined,
): (path: string) => T | undefined {
  const none = () => undefined;
  if (!someDeliveryFileSays(files, word)) return none;
  const placings: Placing<T>[] = fluxKustomizations(files, topology, links).map(({ resource, delivery }) => ({
    depth: deliveryDepth(delivery),
    value: read(record(resource.body.spec)),
    reads: (file) => !!delivery.destinationOf(file),
  }));
  if (!placings.some((placing) => placing.value !== undefined)) return none;
  return (path) => {
    const readers = readersOf(deliveredFile(path), includedBy);
    let deepest = -1;
    const values = new Map<string, T | undefined>();
    for (const placing of placings) {
      if (placing.depth < deepest || !readers.some(placing.reads)) continue;
      if (placing.depth > deepest) values.clear();
      deepest = placing.depth;
      values.set(canonical(placing.value ?? null), placing.value);
    }
    const [only, ...others] = [...values.values()];
    return others.length === 0 ? only : undefined;
  };
}

/**
 * Flux's `spec.targetNamespace`: a Kustomization applies what it delivers in that namespace. A
 * document that names none (most app folders of a GitOps repository, whose Kustomization places
 * them) is read there, instead of in an implied `default` whose references cannot be checked
 * (xunholy/k8s-gitops: ReferenceGrant "default/oauth2-proxy-extauth", applied in network-system).
 */
export const fluxTargetNamespaces = (
  files: readonly SourceFile[],
  topology: Topology,
  includedBy: ReadonlyMap<string, readonly string[]> = new Map(),
  links: readonly RepositoryLink[] = [],
): ((path: string) => string | undefined) =>
  deepestFluxSetting(files, topology, includedBy, links, "targetNamespace", (spec) => text(spec.targetNamespace));

/**
 * Flux's `spec.commonMetadata.labels`: kustomize-controller sets them on every object it applies,
 * over the labels the object writes. A selector reads them as it reads those (mchestr/home-cluster:
 * every Gateway of `networking` is `app.kubernetes.io/name: envoy` through its Kustomization alone,
 * so a BackendTrafficPolicy selecting that label selects them all).
 */
export const fluxCommonLabels = (
  files: readonly SourceFile[],
  topology: Topology,
  includedBy: ReadonlyMap<string, readonly string[]> = new Map(),
  links: readonly RepositoryLink[] = [],
): ((path: string) => Labels | undefined) =>
  deepestFluxSetting(files, topology, includedBy, links, "commonMetadata", (spec) => {
    const labels = stringMap(record(spec.commonMetadata).labels);
    return Object.keys(labels).length > 0 ? labels : undefined;
  });

/**
 * The remote cluster each Flux HelmRelease of a tree installs on (core/flux-kubeconfig.ts), as
 * Flux applies the release: after the `spec.patches` of the Kustomization delivering its file,
 * which the hub-and-spoke layout gives every release of a spoke's folder (`/spec/kubeConfig:
 * {secretRef: {name: cluster-kubeconfig}}`, fluxcd/flux2-hub-spoke-example), and in its
 * namespace, the Kustomization's targetNamespace over the release's own. A render that applied those
 * patches already holds them; applied again they set the same. A patch that cannot be applied
 * leaves the release as read.
 */
export function releaseKubeConfigs(
  files: readonly SourceFile[],
  topology: Topology,
  links: readonly RepositoryLink[] = [],
): ReleaseKubeConfig {
  // Read when a tree holds a release at all.
  let read: {
    readonly patchesOf: (path: string) => readonly unknown[] | undefined;
    readonly namespaceOf: (path: string) => string | undefined;
  };
  const reading = () => {
    const { includedBy } = kustomizeReading(files, links);
    return (read ??= {
      patchesOf: deepestFluxSetting(files, topology, includedBy, links, "patches", (spec) => {
        const patches = list(spec.patches);
        return patches.length > 0 ? patches : undefined;
      }),
      namespaceOf: fluxTargetNamespaces(files, topology, includedBy, links),
    });
  };
  return (file, release) => {
    const { patchesOf, namespaceOf } = reading();
    let patched: JsonRecord | undefined = release;
    for (const entry of patchesOf(file) ?? []) patched = patched && patchedObject(patched, entry);
    const applied = patched ?? release;
    return kubeConfigOf(applied.spec, namespaceOf(file) ?? text(record(applied.metadata).namespace) ?? "default");
  };
}
