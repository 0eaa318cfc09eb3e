import type { ManifestSet, Resource } from "./resource.js";
import type { ResourceChange } from "./resource-change.js";
import type { Detection } from "./finding.js";
import type { RuleShape } from "./route-rules.js";
import type { Delivery, FilePlacement } from "./gitops-delivery.js";
import type { SourceFile } from "./source-file.js";
import type { DeclaredService } from "./declared-services.js";
import type { MentioningObject } from "./service-mentions.js";
import type { ProxyParametersJudge } from "./proxy-parameters.js";
import type { Labels } from "./label-selector.js";
import type { JsonRecord } from "./json-access.js";
import type { ValuesLayer } from "./values-layers.js";

/**
 * The policy the review runs under, as detectors read it. Core names no stage: the policy stage
 * gives this interface its shape (src/policy/detector-policy.ts merges its `Policy` into it).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DetectorPolicy {}

/**
 * Whole trees, for detectors that must look beyond the resource they judge, and what they need of
 * the stages, handed in (src/detect/detector-context.ts) because a family imports no stage.
 */
export interface DetectorContext {
  readonly policy: DetectorPolicy;
  readonly base: ManifestSet;
  readonly head: ManifestSet;
  /** The route rules a resource contributes, whichever its family (the model's sources, from the table of families). */
  readonly routeRules: (resource: Resource, set: ManifestSet) => readonly RuleShape[];
  /** The cluster a file lands in by the policy's placement patterns (`clusters/{cluster}/**`), undefined for none. */
  readonly clusterOfFile: (file: string) => string | undefined;
  /** The family-blind resource.changed fallback, naming the changed fields (none for a change of spelling only): for a detector that words its own finding around them. */
  readonly resourceChanged: (change: ResourceChange) => Detection | undefined;
  /** Every family's API groups and kind names (the table), for a detector reading text that may name them (a kustomize patch). */
  readonly trafficKinds: { readonly groups: ReadonlySet<string>; readonly names: ReadonlySet<string> };
  /** The kinds holding transport security or trust (the table's Family.trustKinds), by name. */
  readonly trustKinds: ReadonlySet<string>;
  /** Whether the loader reads a document of this apiVersion, kind and text: traffic config, or what traffic config needs (a labelled Namespace). */
  readonly readsKind: (apiVersion: string, kind: string, text: string) => boolean;
  /** Which clusters each file of a tree lands in: the policy's patterns, Argo CD and Flux objects. */
  readonly placementOf: (set: ManifestSet) => FilePlacement;
  /** What one GitOps object of a tree delivers where; undefined for an object that delivers nothing. */
  readonly deliveryOf: (resource: Resource, set: ManifestSet) => Delivery | undefined;
  /** The objects of a tree that export each Service (`namespace/name`) to other clusters: MCS ServiceExports. */
  readonly serviceExporters: (set: ManifestSet) => ReadonlyMap<string, readonly Resource[]>;
  /** The core Services (`namespace/name`) objects of a tree make at run time (a Flagger Canary's): declared by none of its files. */
  readonly madeServices: (set: ManifestSet) => ReadonlySet<string>;
  /** How its family judges a Gateway's proxies configured by this parameters object in place of another (Family.proxyParameters); undefined where none does. */
  readonly proxyParameters: (parameters: Resource) => ProxyParametersJudge | undefined;
  /** The mesh's root namespace as a tree configures it (IstioOperator, istiod values); undefined when it does not, and each mesh applies its default. */
  readonly meshRootNamespace: (set: ManifestSet) => string | undefined;
  /** The MeshConfigs a tree sets, in tree order; none when the mesh is configured outside the repository. */
  readonly meshConfigs: (set: ManifestSet) => readonly Readonly<Record<string, unknown>>[];
  /** A YAML document held in a string field (Argo CD `helm.values`), read as the loader reads files; undefined when it cannot be read. */
  readonly readYaml: (text: string) => unknown;
  /** Whether a resource is read only for what other kinds need (a Namespace's labels): no traffic config of its own. */
  readonly readForContext: (resource: Resource) => boolean;
  /**
   * One kustomize `patches` entry (inline `patch` and `target`) applied to one object as kustomize
   * applies it: the same object where it does not select it, undefined where what it does cannot be
   * told (render/kustomize-patch.ts).
   */
  readonly patchedObject: (object: JsonRecord, entry: unknown) => JsonRecord | undefined;
  /** Whether two YAML texts say the same (a comment or layout edit does not change what a patch file does). */
  readonly sameYaml: (a: string, b: string) => boolean;
  /**
   * How a tree applies the documents of one of its files: undefined where the review reads none of
   * them as objects (not YAML or JSON, left out by the policy's paths, applied by kustomize as a patch); else
   * the namespace kustomize or Flux gives those that name none, when one does.
   */
  readonly appliedAs: (side: "base" | "head", path: string) => FileApplication | undefined;
  /**
   * Whether a tree applies a file at all, as its GitOps objects and kustomizations say
   * (model/applied-files.ts): a file beside a kustomization that does not list it is applied by
   * none. Every file where they say nothing.
   */
  readonly applies: (side: "base" | "head", path: string) => boolean;
  /**
   * The labels the Flux Kustomization applying a file sets on each of its objects, over their own
   * (`spec.commonMetadata.labels`, render/flux-target-namespace.ts); undefined where none does.
   */
  readonly commonLabels: (side: "base" | "head", path: string) => Labels | undefined;
  /**
   * Whether one tree may make objects in a namespace that the review does not read: a HelmRelease or
   * Argo CD Application installs there, or a root went unrendered (core/unread-output.ts).
   */
  readonly madeUnread: (side: "base" | "head", namespace: string) => boolean;
  /** The core Services a file of one tree declares, as that tree applies it (read once a file). */
  readonly servicesDeclared: (side: "base" | "head", file: SourceFile) => readonly DeclaredService[];
  /** The core Services the files of one tree declare whose text names `name` (a lookup by name, not a read of every Service). */
  readonly servicesNamed: (side: "base" | "head", name: string) => readonly DeclaredService[];
  /**
   * The objects of one tree's files, of any kind, whose document text holds `name` (a lookup by
   * name, not a read of every file), each where the tree applies it (core/service-mentions.ts).
   */
  readonly objectsMentioning: (side: "base" | "head", name: string) => readonly MentioningObject[];
  /**
   * The values a Flux HelmRelease of one tree reads from the ConfigMaps and Secrets the tree holds
   * (`spec.valuesFrom`), each a layer in Flux's merge order (the release's own `spec.values` go on
   * top), pointing where its text is; `unresolved`, why they cannot be known here (a source kept in
   * the cluster, encrypted, or written apart: render/release-values.ts).
   */
  readonly valuesFrom: (
    side: "base" | "head",
    release: Resource,
  ) => { readonly layers: readonly ValuesLayer[] } | { readonly unresolved: string };
  /** A file's text in one tree as the review reads it; undefined where the tree has no such file. */
  readonly fileText: (side: "base" | "head", path: string) => string | undefined;
  /**
   * Whether the render stage judged the chart an Argo CD Application's source `index` (of `count`,
   * `source` first) installs: rendered it, said why it could not, or vouched for its version
   * (`render.trusted`). That judgment covers the chart's version and values; false when nothing
   * was rendered.
   */
  readonly renderJudged: (application: Resource, index: number, count: number) => boolean;
  /** Whether the render stage rendered (or said why it could not) the kustomization of this folder (`.` the repository's root). */
  readonly kustomizeJudged: (folder: string) => boolean;
  /**
   * The remote source a URL fetches at some version, where the policy's `render.trusted` globs name
   * it: an OCI artifact named at a version (`oci://ghcr.io/ishioni/eep:0.2.0`, an image written
   * without the scheme read with it) as its repository, an HTTP(S) URL as written but for the path
   * segments that are versions (`…/download/v1.0.0/auth.wasm`); undefined for any other. Two URLs of
   * one such source differ only in the version they fetch.
   */
  readonly trustedSource: (url: string) => string | undefined;
}

/**
 * A pure function from one resource change to findings. Detectors are registered per family
 * (src/families/<family>/index.ts, read by src/detect/detectors.ts); adding a family never edits another family's detector.
 * A detector is only called when base and head differ semantically or one side is missing.
 */
export type ResourceDetector = (change: ResourceChange, context: DetectorContext) => Detection[];

/** How one file's documents are applied, as far as the tree tells. */
export interface FileApplication {
  readonly namespace?: string;
}

/** Both trees' files, as the adapters read them. */
export interface TreeFiles {
  readonly base: readonly SourceFile[];
  readonly head: readonly SourceFile[];
}

/** Findings no resource change shows: a file the trees read through a resource changed on its own (a kustomize patch file). */
export type FileDetector = (files: TreeFiles, context: DetectorContext) => Detection[];
