import type { UnresolvedField } from "./flux-variable.js";
import type { RepositoryLink } from "./repository-links.js";

/**
 * A traffic resource as read from one YAML document. Identity is group/kind/namespace/name,
 * never the apiVersion: a v1beta1 → v1 bump is the same resource (DESIGN §4).
 */
export interface ResourceId {
  readonly group: string;
  readonly kind: string;
  /** "" for cluster-scoped kinds; "default" when a namespaced resource names none. */
  readonly namespace: string;
  readonly name: string;
}

/** The name of the resource's family: one of the table in src/families/index.ts (`gateway-api`, `istio`, ...). */
export type Family = string;

/** Where a document sits, so findings can point at file:line and lines of its fields can be found later. */
export interface DocumentSource {
  readonly file: string;
  /** 1-based line of the document's first line in the file. */
  readonly line: number;
  /** The document's own text: field lines are located lazily, only for findings. */
  readonly text: string;
  /** Where the object sits in its document, when the document holds more than it (an item of a `kind: List`). */
  readonly within?: readonly (string | number)[];
}

export interface Resource {
  readonly id: ResourceId;
  /**
   * `group/kind/namespace/name`, then `@cluster` when its file's cluster is known, then `@file` (and
   * `#group` when they span groups) or `#n` only when several documents share that identity
   * (diff/resource-pairing.ts relies on it).
   */
  readonly key: string;
  /** The cluster its file is applied to (policy or GitOps placement of the file), when known. */
  readonly cluster?: string;
  readonly apiVersion: string;
  readonly family: Family;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  /** The validated document (plain JSON data). */
  readonly body: Readonly<Record<string, unknown>>;
  readonly source: DocumentSource;
  /**
   * The document names no namespace and no kustomization in the tree gives it one: it is read in
   * `default`, but lands in whatever namespace it is applied to (`kubectl -n`, an Argo CD
   * destination), so a reference that resolves in its namespace cannot be judged missing.
   */
  readonly namespaceImplied?: true;
  /**
   * Typed fields written as a Flux variable the tree does not resolve (`weight: ${CANARY_WEIGHT}`):
   * left out of the body, which reads as if they were unset, and compared as written.
   */
  readonly unresolved?: readonly UnresolvedField[];
  /**
   * The key of the resource whose controller writes this one (Family.generates: the HTTPRoute an
   * AIGatewayRoute is served as): it sits in that resource's document, which speaks for its edits.
   */
  readonly generatedFrom?: string;
}

/**
 * The resource under another key (and identity, where given). The copy keeps the resource's
 * prototype, which a spread drops: a resource may be one that reads its body again on demand
 * (manifests/held-body.ts).
 */
export const withKey = (resource: Resource, key: string, id: ResourceId = resource.id): Resource =>
  Object.assign(Object.create(Object.getPrototypeOf(resource) as object) as Resource, resource, { key, id });

/** One side of a change: every traffic resource of the tree, by key, plus what could not be read. */
export interface ManifestSet {
  readonly resources: ReadonlyMap<string, Resource>;
  readonly invalid: readonly InvalidManifest[];
  /** Paths of all files read (traffic or not), for placement and blast radius. */
  readonly files: readonly string[];
  /** YAML files that name traffic config but declare none: not reviewed, never gating, listed so nothing vanishes unseen. */
  readonly skipped: readonly SkippedFile[];
  /** YAML files the policy's `paths` leave out of the review: not read at all. */
  readonly excluded: readonly string[];
  /** The kustomizations that accumulate each file, for placement (render/kustomize-tree.ts `KustomizeReading.includedBy`). */
  readonly includedBy?: ReadonlyMap<string, readonly string[]>;
  /** Flux `.sourceignore` files by path, with their text: what source-controller leaves out of this tree's artifact. */
  readonly sourceIgnores?: ReadonlyMap<string, string>;
  /** The tree's in-repo symbolic links, which GitOps objects read through (core/repository-links.ts). */
  readonly links?: readonly RepositoryLink[];
}

export interface SkippedFile {
  readonly file: string;
  /** The line of the first document skipped. */
  readonly line: number;
  readonly reason: string;
}

export interface InvalidManifest {
  readonly file: string;
  readonly line: number;
  readonly message: string;
  readonly resource?: ResourceId;
}

/**
 * The labels (or annotations) of a resource that has none: most have none, and a large tree holds
 * tens of thousands of resources, so they share this one frozen record instead of an empty one each.
 */
export const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

/** A resource's labels or annotations as read: the shared empty record when it has none. */
export const labelsOrNone = (labels: Readonly<Record<string, string>> | undefined): Readonly<Record<string, string>> =>
  labels === undefined || Object.keys(labels).length === 0 ? NO_LABELS : labels;

export const resourceKey = (id: ResourceId): string => `${id.group}/${id.kind}/${id.namespace}/${id.name}`;

/**
 * Whether a resource's key is `resourceKey(id)[@cluster]` with no suffix. Keys are built only that
 * way (Resource.key), so the length tells: a string in hand is spared building and hashing anew.
 */
export const keyIsIdentity = ({ id, cluster, key }: Pick<Resource, "id" | "cluster" | "key">): boolean =>
  key.length === id.group.length + id.kind.length + id.namespace.length + id.name.length + 3 + (cluster ? cluster.length + 1 : 0);

/** Where two objects may both be applied: the same cluster, or a cluster the tree does not say. */
export const mayShareCluster = (a: Pick<Resource, "cluster">, b: Pick<Resource, "cluster">): boolean =>
  a.cluster === undefined || b.cluster === undefined || a.cluster === b.cluster;

/**
 * The name of a document its kind lets leave out its name, one object per file (an IstioOperator
 * `istioctl install -f` reads, which istioctl itself keeps as `installed-state`; a Sail profile):
 * no Kubernetes name can be one, and it says where the object is written, which is all it is known by.
 */
const UNNAMED_IN = "(unnamed) in ";
export const nameOfUnnamed = (file: string): string => `${UNNAMED_IN}${file}`;

/** `Kind namespace/name`; a document named by its file, `Kind (unnamed) in <file>`, its namespace beside the point. */
export const displayName = (id: ResourceId): string =>
  `${id.kind} ${id.namespace && !id.name.startsWith(UNNAMED_IN) ? `${id.namespace}/` : ""}${id.name}`;
