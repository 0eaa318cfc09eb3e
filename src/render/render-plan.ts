import { createHash } from "node:crypto";
import { posix } from "node:path";
import * as jsyaml from "js-yaml";
import picomatch from "picomatch";
import * as z from "zod";
import { isManifestPath, loadManifests, type SourceFile } from "../manifests/load-manifests.js";
import { displayName, type ManifestSet } from "../core/resource.js";
import { archivedOf, buildGitopsPlacement, deliveryKinds } from "../model/gitops-placement.js";
import { fileSites, reachUnknown, type Delivery, type FilePlacement } from "../core/gitops-delivery.js";
import { compileFilePlacement } from "../model/file-placement.js";
import { deliveringObjects, kustomizationsOf } from "../model/applied-files.js";
import { canonical } from "../core/canonical-values.js";
import { sameRepository } from "../core/repository-url.js";
import { namedKinds } from "../core/named-kinds.js";
import { isRecord, list, listItems, record, text } from "../core/json-access.js";
import { loadAllAsGoYaml, loadAsGoYaml, sameYamlContent, splitYamlDocuments } from "../manifests/yaml-documents.js";
import { templateAt } from "../manifests/placeholders.js";
import { groupOf } from "../core/api-group.js";
import { kindSpecFor, trafficKindNames } from "../manifests/kinds.js";
import { releaseValues } from "./release-values.js";
import { dataSourcesIn, readsObject, withoutUnreadGenerators, type DataReader } from "./unread-generators.js";
import { isKustomizationFile, isYamlFile } from "../core/kustomization-files.js";
import { chartAt } from "../core/chart-source.js";
import { namesSource, releaseChart, type FluxSource, type SourceRef } from "../core/flux-release-chart.js";
import { rendersNoTrafficConfig, trafficValuesOf } from "./known-charts.js";
import { valuesAskNoTraffic } from "./traffic-names.js";
import { artifactRepository, unversionedRemote, versionedArtifacts, withoutArtifactVersions } from "./artifact-versions.js";
import { RELEASE_OPERATION_FIELDS } from "../core/flux-operation-patch.js";
import {
  REMOTE,
  normalize,
  folderOf,
  insideFolder,
  type Tree,
  treeOf,
  kustomizationOf,
  accumulatorsOf,
  kustomizeClosure,
  localFilesNamedBy,
  valuesFilesOfChart,
  pulledChart,
  kustomizationFields,
  resourceEntries,
  kustomizeReading,
  type MissingEntry,
  chartHomeOf,
} from "./kustomize-tree.js";
import type { Topology } from "../policy/policy-schema.js";
import type { SymbolicLink } from "../detect/symlinks.js";
import { linkedPaths, sameLinks } from "../core/repository-links.js";
import { fluxBuildFolderName, fluxBuildText, type FluxKustomizationRef } from "../core/flux-build-output.js";
import { filesApart, type FileSiting } from "../core/copies-apart.js";
import { releaseFolderSuffix, type ReleaseKubeConfig } from "../core/flux-kubeconfig.js";
import { KUSTOMIZE_RENDER } from "../core/kustomize-inclusion.js";
import { CONTROLLER_CHARTS, CONTROLLER_CLASSES, generatedApplications, generatorFiles } from "../families/index.js";

/**
 * What GitOps would render in one tree (DESIGN §3 "render"), decided from the files alone: pure.
 * A root is a kustomization folder (one a Flux Kustomization or Argo CD Application delivers;
 * where a tree of the change holds no GitOps object, each one no other kustomization includes) or
 * a Helm chart in the repository (a Flux HelmRelease or Argo CD Application helm source naming it,
 * else the chart folder with its own values, unless it is another chart's subchart). Each root lists every file its render reads, so renders are
 * keyed by the content of their inputs and a PR that touches none of them does not render it.
 */

export type RenderRun =
  | {
      readonly tool: "kustomize";
      readonly directory: string;
      /** Rendered with the remote `resources` and `bases` entries and the `helmCharts` of its kustomizations left out (RenderRoot.remoteResourcesOnly). */
      readonly withoutRemote?: true;
      /** Flux's substitution of the build's output (flux-substitution.ts), its variables sorted by name. */
      readonly postBuild?: { readonly variables: readonly (readonly [string, string])[]; readonly complete: boolean };
      /**
       * What one Flux Kustomization adds to the kustomization it builds, where Kustomizations build
       * it differently (FluxBuild.by): written into it for this render alone (builtKustomization).
       */
      readonly build?: { readonly components: readonly string[]; readonly patches: readonly unknown[]; readonly namespace?: string };
    }
  | {
      readonly tool: "helm";
      readonly chart: string;
      readonly release: string;
      /** Where the documents no template places land (a HelmRelease's targetNamespace, an Application's destination). */
      readonly namespace: string;
      /**
       * What Argo CD templates a source with besides its values (`helm.namespace`, `kubeVersion`,
       * `apiVersions`, `skipSchemaValidation`, `skipTests`), as helm's flags say it (templateOptions):
       * a chart gating a route on the cluster's version or APIs, or naming its namespace, renders
       * what Argo CD renders.
       */
      readonly template?: TemplateOptions;
      /** Repository paths of values files, in the order helm merges them. */
      readonly valuesFiles: readonly string[];
      /** Inline values (HelmRelease `values`, Application `valuesObject`/`values`), merged last. */
      readonly inlineValues?: string;
      readonly set: readonly { readonly name: string; readonly value: string }[];
      /** Local charts (`file://` dependencies) to place in the chart's `charts/` folder, as `helm dependency build` would. */
      readonly dependencies?: readonly { readonly name: string; readonly path: string }[];
      /** A HelmRelease's kustomize post-renderers (`patches`, `patchesStrategicMerge`, `patchesJson6902`, `images`), run over the output in order. */
      readonly postRenderers?: readonly Readonly<Record<string, unknown>>[];
    };

/**
 * An Argo CD Helm source's template options, each only where written: `releaseNamespace` is
 * `.Release.Namespace` (`helm.namespace`, where it is not the destination's); `apiVersions` replace
 * the cluster's (cluster-capabilities.ts), as Argo CD's replace the destination cluster's.
 */
export interface TemplateOptions {
  readonly releaseNamespace?: string;
  readonly kubeVersion?: string;
  readonly apiVersions?: readonly string[];
  readonly skipSchemaValidation?: true;
  readonly skipTests?: true;
}

export interface RenderRoot {
  /** Stable across base and head: the tool and what it renders. */
  readonly id: string;
  /** The file that makes this a root: the kustomization, the HelmRelease or Application, or Chart.yaml. */
  readonly origin: string;
  /** Where the rendered documents are reviewed: a virtual file in the origin's folder, so path placement still applies. */
  readonly output: string;
  /** Every repository file the render reads, sorted. */
  readonly inputs: readonly string[];
  /** Raw files whose documents the render replaces in the review. */
  readonly consumes: readonly string[];
  readonly run: RenderRun;
  /** Why it cannot be rendered offline (a remote chart or base, cluster state); undefined when it can. */
  readonly offline?: string;
  /**
   * Where an offline root's remote parts come from, when that is all that keeps it offline: each
   * remote kustomize resource as written, a chart as `<repository URL>/<chart>` (an OCI source as
   * its URL). What the policy's `render.trusted` globs are matched against.
   */
  readonly fetches?: readonly string[];
  /**
   * Kustomize: where the chart of each HelmRelease (and Argo CD Application chart source) it lists
   * comes from, by the id of that release's helm root (its `fetches`), so that a trusted chart's
   * version bumped in a file it lists is a version bump like any other (onlyTrustedVersionsDiffer),
   * where the root cannot be rendered.
   */
  readonly releaseFetches?: Readonly<Record<string, readonly string[]>>;
  /**
   * Helm, a chart with remote dependencies: where each comes from (`<repository URL>/<chart>`), by
   * the values key helm hands it its values under (its alias, else its name), so that a known
   * chart's rules apply to its part of the wrapper's values (known-charts.ts).
   */
  readonly dependencySources?: Readonly<Record<string, string>>;
  /**
   * A release of a known chart whose values, all of them known and no post-renderer beside them,
   * ask for no traffic config (rendersNoTrafficConfig: an app-template release of controllers
   * alone). Added, removed or changed, it applies none, so it needs no render (traffic-free-root.ts).
   */
  readonly trafficFree?: true;
  /**
   * A HelmRelease of a remote chart whose values, all of them read (inline and every `valuesFrom`
   * source the tree holds, no chart values file nor post-renderer beside them), switch on nothing
   * that could make traffic config (valuesAskNoTraffic): removed with a chart the policy trusts, it
   * took only what that chart renders by default (see removedWithTrustedChart).
   */
  readonly valuesAskNoTraffic?: true;
  /**
   * A release's fingerprint without its chart's version (and its source's tag), nor the versions of
   * the OCI artifacts its values name (artifact-versions.ts): equal at base and head when only
   * versions moved.
   */
  readonly unpinnedFingerprint?: string;
  /** The OCI artifacts a release's values name at a version, as written (versionedArtifacts): those that move must be trusted too. */
  readonly artifactVersions?: readonly string[];
  /**
   * For a release of a chart outside the repository: the fields that decide what it renders
   * (chart, version, source, values, release name, namespace, post-renderers). Its render key
   * is these, not the whole file, so an interval, a retry setting or an apiVersion bump is no
   * change to review, while a values or version change is one that cannot be rendered here.
   */
  readonly releaseFingerprint?: string;
  /**
   * Kustomize: the inputs that a kustomization of the root which carries values between resources
   * or runs plugins over them (CROSSING_FIELDS) accumulates (for a Component, the kustomizations
   * including it: accumulatorsOf), and the files of the charts in the
   * repository its HelmReleases install: any document there may reach the traffic output, whatever
   * its kind.
   */
  readonly crossed?: readonly string[];
  /**
   * Whether something in the tree deploys it (a GitOps object, or a kustomization nothing else
   * includes): only then does a root that cannot be rendered block. A chart nothing installs (a
   * chart the repository develops) is reviewed rendered when it can be, and listed when it cannot,
   * unless the PR changes traffic config its actions write (templatedTrafficChanged).
   */
  readonly deployed: boolean;
  /**
   * A chart no known object installs while an app-of-apps chart may (see installsFromTemplates):
   * rendered with its own values, it is judged as a chart nothing installs, but one that cannot be
   * rendered offline at all (remote dependencies) blocks, as its installer's values cannot help.
   */
  readonly offlineGates?: true;
  /**
   * Kustomize, offline only for remote `resources` (or `bases`), charts its `helmCharts` inflate, or
   * files of generators whose object nothing reads as traffic config (unread-generators.ts): objects a remote source adds whole,
   * which cannot patch or feed its local ones. `local` are its kustomizations whose own build reads
   * nothing remote (a local base's, `config/crd` under `config/deploy`), which act on their own
   * objects alone; `transforming` the local files its other kustomizations name otherwise than as
   * resources or such generators' files (patches, a chart's values) and the files of a chart home,
   * which may act on the remote objects. Such a root
   * whose other kustomizations and transforming files the PR leaves alone renders its local part without
   * the remote entries (RenderRun.withoutRemote): what the PR changes is all there.
   */
  readonly remoteResourcesOnly?: { readonly local: readonly string[]; readonly transforming: readonly string[] };
  /** Kustomize: the entries of its kustomizations that name a path the tree does not hold, on which every build of it fails. */
  readonly missing?: readonly MissingEntry[];
  /**
   * Helm: the document of its origin that installs the chart (a HelmRelease, an Application), its
   * namespace "" where it sets none, as a kustomize render's origins name it (render-origins.ts):
   * a release planned from that render's output is traced back to the file that declares it.
   */
  readonly installer?: { readonly kind: string; readonly namespace: string; readonly name: string };
}

/**
 * Kustomization fields that carry a value from one resource into another (`replacements`, `vars`)
 * or run code over all of them (transformer, generator and validator plugins): where one is set,
 * any document may reach the traffic output. Helm inflation is none: a chart renders from its
 * chart home and its values, not from the resources beside it (see trafficUnchanged).
 */
const CROSSING_FIELDS = ["replacements", "vars", "transformers", "generators", "validators"];

const Values = z.record(z.string(), z.unknown());

const HelmReleaseDoc = z
  .looseObject({
    apiVersion: z.string().startsWith("helm.toolkit.fluxcd.io/"),
    kind: z.literal("HelmRelease"),
    metadata: z.looseObject({ name: z.string(), namespace: z.string().optional() }),
    spec: z.looseObject({
      releaseName: z.string().optional(),
      targetNamespace: z.string().optional(),
      chart: z
        .looseObject({
          spec: z.looseObject({
            chart: z.string(),
            version: z.string().optional(),
            sourceRef: z.looseObject({ kind: z.string(), name: z.string().optional() }),
            valuesFiles: z.array(z.string()).optional(),
          }),
        })
        .optional(),
      chartRef: z.looseObject({ kind: z.string(), name: z.string().optional(), namespace: z.string().optional() }).optional(),
      values: Values.optional(),
      valuesFrom: z.array(z.unknown()).optional(),
      postRenderers: z.array(z.unknown()).optional(),
    }),
  })
  .refine(
    // A HelmRelease naming no chart installs none: Flux's CRD refuses it. Such a document is a
    // kustomize patch of one (an overlay's values), read alone where nothing lists it (one commented
    // out of `patchesStrategicMerge`: flux2-kustomize-gitops-demo cd3695add8 read it as a release
    // "from a chartRef" that cannot be rendered offline), as a patch naming only a version already is.
    ({ spec }) => spec.chart !== undefined || spec.chartRef !== undefined,
  );

/** A Flux source (OCIRepository, HelmChart...) a HelmRelease's `chartRef` names. */
const FluxSourceDoc = z.looseObject({
  apiVersion: z.string().startsWith("source.toolkit.fluxcd.io/"),
  kind: z.string(),
  metadata: z.looseObject({ name: z.string(), namespace: z.string().optional() }),
  spec: z.unknown(),
});

/** A Flux source and the file that writes it. */
type WrittenSource = FluxSource & { readonly file: string };

const fluxSourcesOfTree = new WeakMap<Tree, WrittenSource[]>();

/**
 * What of a chart source's spec decides the chart it serves: an OCIRepository's URL, the tag, semver
 * or digest it pulls and its layer selector; a HelmRepository's URL; a HelmChart's or a HelmRelease
 * `chart.spec`'s chart, version, source and values files. Not how often it polls, how it
 * authenticates or verifies, or whether it is suspended.
 */
const SOURCE_CONTENT_FIELDS = ["url", "ref", "layerSelector", "chart", "version", "sourceRef", "valuesFiles", "valuesFile"];

const chartContent = (spec: unknown): unknown =>
  isRecord(spec) ? Object.fromEntries(SOURCE_CONTENT_FIELDS.filter((field) => field in spec).map((field) => [field, spec[field]])) : spec;

/** The chart versions a release installs as written: its chart's `version`, else each found chartRef source's `ref` tag or semver range. */
const chartVersions = (
  source: { readonly version?: unknown } | undefined,
  referenced: readonly WrittenSource[] | undefined,
): (string | undefined)[] =>
  source
    ? [text(source.version)]
    : (referenced ?? []).map(({ spec }) => {
        const ref = record(record(spec).ref);
        return text(ref.tag) ?? text(ref.semver);
      });

/**
 * What the sources a release reads serve (`content`: what of a spec decides its chart, chartContent
 * or less), for its fingerprint: a chart version bump there is what the release renders next (home-ops:
 * Renovate's OCIRepository bumps passed as no change), a new polling interval is none.
 * Where the copies agree, what they serve, once: a source the release's own kustomization lists is
 * found twice once that kustomization is rendered, as written and in the render that holds the
 * release, where a shared one in a folder the PR leaves alone is found once (haraldkoch/kochhaus-home
 * 2fa6e8c35: ~50 app-template releases moved to an OCIRepository of their own beside them, same URL
 * and tag, each a high "cannot be rendered offline"). Where they disagree, each copy by its file (a
 * render's copy as the written one it repeats): as a set, one copy bumped to what another already
 * served changed nothing.
 */
function served(copies: readonly WrittenSource[], content: (spec: unknown) => unknown = chartContent): unknown[] {
  const contents = copies.map((copy) => {
    const value = content(copy.spec);
    return { file: copy.file, content: value, key: canonical(value) };
  });
  const distinct = [...new Map(contents.map((copy) => [copy.key, copy.content])).entries()];
  if (distinct.length <= 1) return distinct.map(([, value]) => value);
  const written = new Set(contents.filter((copy) => !KUSTOMIZE_RENDER.test(copy.file)).map((copy) => copy.key));
  return contents
    .filter((copy) => !KUSTOMIZE_RENDER.test(copy.file) || !written.has(copy.key))
    .sort((a, b) => a.file.localeCompare(b.file) || a.key.localeCompare(b.key))
    .map((copy) => [copy.file, copy.content]);
}

/** The Flux sources a reference names (namesSource), in any file of the tree. */
function fluxSources(tree: Tree, ref: SourceRef, namespace: string | undefined): WrittenSource[] {
  let sources = fluxSourcesOfTree.get(tree);
  if (!sources) {
    sources = tree.files
      .filter((file) => file.text.includes("source.toolkit.fluxcd.io/"))
      .flatMap((file) =>
        documentsOf(file, FluxSourceDoc).map(({ kind, metadata, spec }) => ({
          kind,
          name: metadata.name,
          namespace: metadata.namespace,
          spec,
          file: file.path,
        })),
      );
    fluxSourcesOfTree.set(tree, sources);
  }
  return sources.filter((source) => namesSource(ref, namespace, source));
}

/**
 * The copies of the source a release's reference names that the release reads (`release`: its file;
 * `siting`: where the tree applies files): Flux looks it up on the release's own cluster, so a copy
 * applied apart from the release (copies-apart.ts: another cluster's, another kustomization build's)
 * is another object (kochhaus-home keeps an OCIRepository envoy-gateway in each cluster's folder and
 * bumps them one cluster at a time: read tree-wide, the second cluster's bump changed nothing of
 * {1.8.3, 1.9.0}, and passed). A copy nothing applies is read only where no applied one is; where
 * no copy is the release's, or nothing says where files go, every copy.
 */
function sourcesRead(tree: Tree, ref: SourceRef, namespace: string | undefined, release: string, siting?: FileSiting): WrittenSource[] {
  const named = fluxSources(tree, ref, namespace);
  if (!siting) return named;
  const near = named.filter((copy) => !filesApart(release, copy.file, siting));
  const applied = near.filter((copy) => siting.sites(copy.file).length > 0);
  return applied.length > 0 ? applied : near.length > 0 ? near : named;
}

/** A copy of a mapping without one of its fields; anything else as it is. */
const without = (value: unknown, field: string): unknown => {
  if (!isRecord(value)) return value;
  const { [field]: _dropped, ...rest } = value;
  return rest;
};

const ApplicationSource = z.looseObject({
  repoURL: z.string().optional(),
  path: z.string().optional(),
  chart: z.string().optional(),
  ref: z.string().optional(),
  helm: z
    .looseObject({
      releaseName: z.string().optional(),
      valueFiles: z.array(z.string()).optional(),
      values: z.string().optional(),
      valuesObject: Values.optional(),
      parameters: z.array(z.looseObject({ name: z.string(), value: z.string() })).optional(),
      // Template options (TemplateOptions): one of another type, which Argo CD's schema refuses, is read as unwritten.
      ignoreMissingValueFiles: z.boolean().optional().catch(undefined),
      namespace: z.string().optional().catch(undefined),
      kubeVersion: z.string().optional().catch(undefined),
      apiVersions: z.array(z.string()).optional().catch(undefined),
      skipSchemaValidation: z.boolean().optional().catch(undefined),
      skipTests: z.boolean().optional().catch(undefined),
    })
    .optional(),
});

const ApplicationDoc = z.looseObject({
  apiVersion: z.string().startsWith("argoproj.io/"),
  kind: z.literal("Application"),
  metadata: z.looseObject({ name: z.string(), namespace: z.string().optional() }),
  spec: z.looseObject({
    source: ApplicationSource.optional(),
    sources: z.array(ApplicationSource).optional(),
    destination: z.looseObject({ namespace: z.string().optional() }).optional(),
  }),
});

/** The documents of a file that match `schema`, each with its first line; unreadable YAML yields none (the review reports it). */
export function documentsOf<T>(file: SourceFile, schema: z.ZodType<T>): T[] {
  let documents: unknown[];
  try {
    documents = loadAllAsGoYaml(file.text);
  } catch {
    // One document that is no YAML does not hide the others (rendered output holding a HelmRelease
    // beside a document Flux's substitution broke: mirceanton/home-ops 70140da passed a chart bump).
    documents = splitYamlDocuments(file.text).flatMap((chunk) => {
      try {
        return loadAllAsGoYaml(chunk.text);
      } catch {
        return [];
      }
    });
  }
  return documents.flatMap((document) => {
    const parsed = schema.safeParse(document);
    return parsed.success ? [parsed.data] : [];
  });
}

/**
 * A kustomization's render replaces, in the review, the files it reads, and only those: a YAML
 * file beside it that it does not name (a recipe applied by hand, another tool's manifests) is
 * still reviewed as it is. Its inputs (what re-renders it) stay every file of its folders.
 */
function kustomizeRoot(tree: Tree, folder: string, by?: FluxKustomizationRef): RenderRoot {
  const origin = tree.kustomizationIn(folder)!;
  const { folders, files, remote, sources, local, transforming, missing } = kustomizeClosure(tree, folder, (fields, inside) =>
    withoutUnreadGenerators(fields, inside, [tree.text]),
  );
  const inputsOf = (closure: { folders: string[]; files: string[] }) => [...closure.folders.flatMap(tree.filesUnder), ...closure.files];
  const inputs = [...new Set(inputsOf({ folders, files }))].sort();
  // A replacement or plugin acts on what its own kustomization accumulates, not on its siblings';
  // a Component's on what the kustomization including it accumulates (a base's generated ConfigMap
  // copied into its route by a Component the overlay lists).
  const crossing = folders.filter((inside) => {
    const fields = kustomizationOf(tree, tree.kustomizationIn(inside) ?? "");
    return CROSSING_FIELDS.some((field) => fields[field] !== undefined && fields[field] !== null);
  });
  const acted = new Set(crossing.flatMap((inside) => accumulatorsOf(tree, folders, inside)));
  const crossed = [...new Set([...acted].flatMap((inside) => inputsOf(kustomizeClosure(tree, inside))))].sort();
  return {
    id: by ? `${kustomizeRootId(folder)} for ${fluxBuildText(by)}` : kustomizeRootId(folder),
    origin,
    output: posix.join(
      folder,
      by ? fluxBuildFolderName(by) : "(rendered)",
      posix.basename(origin) === "Kustomization" ? "kustomization.yaml" : posix.basename(origin),
    ),
    inputs,
    // Every file the loader would read as written, JSON manifests too: reviewed once, as rendered.
    consumes: files.filter(isManifestPath),
    run: { tool: "kustomize", directory: folder },
    ...(crossed.length > 0 ? { crossed } : {}),
    deployed: true,
    ...(remote.length > 0 ? { offline: `remote kustomize ${remote.length === 1 ? "resource" : "resources"} ${remote.join(", ")}` } : {}),
    ...(remote.length > 0 && sources ? { fetches: [...new Set(sources)] } : {}),
    ...(remote.length > 0 && transforming ? { remoteResourcesOnly: { local, transforming: [...new Set(transforming)].sort() } } : {}),
    ...(missing.length > 0 ? { missing } : {}),
  };
}

/**
 * A kustomize root with the files of the charts in the repository its HelmReleases install: the
 * render stage renders those releases from the root's output (as the overlay patched it), so a
 * chart's values or template edited re-renders the root, as its own files do (a HelmRelease an app's
 * kustomization lists, of a chart the repository holds: a canary weight changed in the chart's
 * values passed unrendered). It also keeps where its releases' and Applications' remote charts come
 * from (RenderRoot.releaseFetches), for a root that cannot be rendered offline or fails alike at both sides.
 */
function withInstalledCharts(tree: Tree, root: RenderRoot): RenderRoot {
  const releases = root.consumes.flatMap((path) => {
    const text = tree.text.get(path);
    return text === undefined || !/\bkind:\s*["']?HelmRelease\b/.test(text) ? [] : helmReleaseRoots(tree, { path, text });
  });
  const charts = releases.flatMap((release) =>
    release.run.tool === "helm" && release.run.chart !== "" ? release.inputs.filter((input) => input !== release.origin) : [],
  );
  // An Argo CD Application's remote chart carries its version in its targetRevision, as a HelmRelease does in its chart's.
  const applications = root.consumes.flatMap((path) => {
    const text = tree.text.get(path);
    return text === undefined || !/\bkind:\s*["']?Application\b/.test(text) ? [] : applicationRoots(tree, { path, text });
  });
  const fetched = [...releases, ...applications].flatMap((release) => (release.fetches ? [[release.id, release.fetches]] : []));
  if (charts.length === 0 && fetched.length === 0) return root;
  return {
    ...root,
    inputs: [...new Set([...root.inputs, ...charts])].sort(),
    ...(charts.length > 0 ? { crossed: [...new Set([...(root.crossed ?? []), ...charts])].sort() } : {}),
    ...(fetched.length > 0 ? { releaseFetches: Object.fromEntries(fetched) } : {}),
  };
}

/** Files that may hold a GitOps object, or what one reads: they name a kind some family reads deliveries from. */
export const NAMES_DELIVERY_KIND = new RegExp(`\\bkind:\\s*["']?(?:${deliveryKinds.join("|")})\\b`);

/**
 * A tree's files that name a delivery kind (NAMES_DELIVERY_KIND), found once a tree: the regex finds
 * no literal to skip to and reads every file whole, and the plan, the placement, Flux's
 * Kustomizations and each cheap test before one of those (someDeliveryFileSays) ask for them.
 */
export function namingDeliveryKind(files: readonly SourceFile[]): readonly SourceFile[] {
  let found = namingOfTree.get(files);
  if (!found) namingOfTree.set(files, (found = files.filter((file) => NAMES_DELIVERY_KIND.test(file.text))));
  return found;
}
const namingOfTree = new WeakMap<readonly SourceFile[], readonly SourceFile[]>();

/**
 * A tree's GitOps objects, read once for the plan, for the placement the render stage compares and
 * for Flux's Kustomizations (flux-kustomizations.ts); with every path of the tree, as the review's,
 * for what deliveries learn from its folders (an OCI artifact's root, which GitRepository is this repository).
 */
const gitopsOfTree = new WeakMap<readonly SourceFile[], ManifestSet>();
export function gitopsObjects(files: readonly SourceFile[], links: readonly SymbolicLink[] = []): ManifestSet {
  let set = gitopsOfTree.get(files);
  if (!set || !sameLinks(set.links ?? [], links)) {
    // What the review reads (a JSON Flux Kustomization) and what kustomize does (a `Kustomization` file).
    const read = loadManifests(namingDeliveryKind(files).filter((file) => isManifestPath(file.path) || isYamlFile(file.path)));
    const { includedBy } = kustomizeReading(files, links);
    const linked = links.length > 0 ? { links } : {};
    gitopsOfTree.set(files, (set = { ...read, files: files.map((file) => file.path), includedBy, ...linked }));
  }
  return set;
}

/**
 * Kustomization folders the GitOps objects of the tree deliver, those that deliver at all
 * (deliveringObjects: one whose own file nothing applies delivers nothing): those they point at (Flux
 * Kustomization paths, Argo CD source paths, ApplicationSet globs), and, below a Flux path that
 * holds no kustomization, the nearest on each branch: the kustomization Flux generates there takes
 * such a folder whole as a resource and does not descend into it (fluxcd/pkg's generator), as
 * `flux bootstrap`'s clusters/<name>/flux-system under a cluster's folder of Kustomizations.
 */
function deliveredFolders(files: readonly SourceFile[], topology: Topology, links: readonly SymbolicLink[] = []): DeliveredFolders {
  const known = deliveredOfTree.get(files);
  if (known?.topology === topology && sameLinks(known.links, links)) return known.delivers;
  const tree = treeOf(files, links);
  const set = gitopsObjects(files, links);
  const deliveries = deliveringObjects(set, kustomizationsOf(set.files), topology, compileFilePlacement(topology.placements));
  const matchers = deliveries.flatMap((delivery) => delivery.paths).map((path) => picomatch(path || ".", { dot: true }));
  // A folder is delivered at any path the tree's links give it (a Flux path that is a link to it).
  const seenAt = linkedPaths(links);
  const generating = new Map<string, Delivery[]>();
  for (const delivery of deliveries)
    for (const path of (delivery.generatedListing ? delivery.paths : []).map(tree.real))
      if (tree.kustomizationIn(path) === undefined) generating.set(path, [...(generating.get(path) ?? []), delivery]);
  const generated = (folder: string): boolean => {
    const kustomization = tree.kustomizationIn(folder);
    if (kustomization === undefined || generating.size === 0) return false;
    for (let at = folder; at !== "";) {
      at = folderOf(at);
      if (generating.get(at)?.some((delivery) => delivery.destinationOf(kustomization) !== undefined)) return true;
      if (tree.kustomizationIn(at) !== undefined) return false;
    }
    return false;
  };
  const matched = (folder: string) => matchers.some((matches) => matches(folder || "."));
  // An ApplicationSet whose Applications the review cannot list (a cluster generator: the clusters
  // Argo CD holds Secrets of) installs the folders its path names, filled or as a glob of what its
  // generators fill, with no root of its own (generatedRoots). One whose reach is not known (a path
  // left to what the review does not read) is the placement family's to judge.
  const generator = { files: tree.files.map((held) => held.path), data: (path: string) => parsedData(tree.text.get(path)) };
  const unlisted = deliveries
    .filter(
      (delivery) =>
        delivery.resource.id.kind === "ApplicationSet" &&
        !reachUnknown(delivery) &&
        generatedApplications(delivery.resource, generator) === undefined,
    )
    .flatMap((delivery) => delivery.paths)
    .map((path) => picomatch(path || ".", { dot: true }));
  const delivers = Object.assign((folder: string) => matched(folder) || seenAt(folder).some(matched) || generated(folder), {
    any: matchers.length > 0,
    unlisted: (folder: string) => unlisted.some((matches) => matches(folder || ".")),
  });
  deliveredOfTree.set(files, { topology, links, delivers });
  return delivers;
}
type DeliveredFolders = ((folder: string) => boolean) & {
  readonly any: boolean;
  /** Whether an ApplicationSet whose Applications cannot be listed names the folder as its source path. */
  readonly unlisted: (folder: string) => boolean;
};
/** Asked by both sides' plans (planChangeRenders) and by appliedAsWritten: the tree's deliveries are read once. */
const deliveredOfTree = new WeakMap<
  readonly SourceFile[],
  { readonly topology: Topology; readonly links: readonly SymbolicLink[]; readonly delivers: DeliveredFolders }
>();

/**
 * Whether a tree's GitOps objects would apply a file as written, no kustomization building it: none
 * sits in its folder or a folder above it, up to the folder an object delivers (Flux builds a
 * Kustomization's path, generating a kustomization of every file under it where it holds none; an
 * Argo CD Application's path without one is a directory source; a kustomization above either is
 * not read). A file a kustomization's folder holds but it does not list is applied by nothing. A
 * tree with no GitOps object says nothing of what is applied: every file of it is, as written
 * (`kubectl apply -f`), as model/applied-files.ts has it.
 */
export function appliedAsWritten(
  files: readonly SourceFile[],
  topology: Topology,
  links: readonly SymbolicLink[] = [],
): (file: string) => boolean {
  const tree = treeOf(files, links);
  const delivers = deliveredFolders(files, topology, links);
  if (!delivers.any) return () => true;
  return (file) => {
    for (let folder = folderOf(file); ; folder = folderOf(folder)) {
      if (tree.kustomizationIn(folder) !== undefined) return false;
      if (folder === "" || delivers(folder)) return true;
    }
  };
}

/**
 * Where a path lands by the tree's GitOps objects and the policy's path patterns (the model's
 * placement, model/gitops-placement.ts: its sites, clusters the tree does not name among them): the
 * render stage compares a root's output there at base and head, as a root delivered to other clusters
 * applies the same output elsewhere — named or not (a cluster's Flux Kustomization pointed from
 * `./apps/sgp` to `./apps/jkt`, under two bootstrapped roots no policy names, read as a low path edit).
 */
export function deliveryPlacementOf(
  files: readonly SourceFile[],
  topology: Topology,
  links: readonly SymbolicLink[] = [],
): (path: string) => string {
  const placement = treePlacement(files, topology, links);
  return (path) => (placement(path).sites ?? []).join(",");
}

/**
 * Where a tree applies each file, by its GitOps objects and the policy's path patterns (built once
 * a tree): the render stage compares a root's output there, and a reference to a ConfigMap or
 * Secret reads the copy applied where its object is (release-values.ts definitionsAt).
 */
export function treePlacement(files: readonly SourceFile[], topology: Topology, links: readonly SymbolicLink[] = []): FilePlacement {
  const known = placements.get(files);
  if (known?.topology === topology && sameLinks(known.links, links)) return known.placement;
  const placement = buildGitopsPlacement(gitopsObjects(files, links), topology, compileFilePlacement(topology.placements));
  placements.set(files, { topology, links, placement });
  return placement;
}
const placements = new WeakMap<
  readonly SourceFile[],
  { readonly topology: Topology; readonly links: readonly SymbolicLink[]; readonly placement: FilePlacement }
>();

/** A document of a template that installs something (an Application, an ApplicationSet, a HelmRelease, ...). */
const INSTALLER_DOCUMENT = new RegExp(`^kind:\\s*["']?(?:${deliveryKinds.join("|")})\\b`, "m");

/**
 * Whether a chart's templates install something: an app-of-apps chart, whose Applications and
 * ApplicationSets (their paths templated from its values) are known only once it is rendered, and
 * it is rendered only when it changes. While one is in the tree, no other chart is known to be
 * undeployed (khuedoan/homelab: a root chart's ApplicationSet deploys `apps/*`, and an app-template
 * chart there that exposed a new host passed as a chart nothing installs): see RenderRoot.offlineGates.
 */
const installsFromTemplates = (files: readonly SourceFile[], charts: readonly string[]): boolean => {
  const templateFolders = charts.map((chart) => insideFolder(posix.join(chart, "templates")));
  return files.some(
    (file) => isYamlFile(file.path) && templateFolders.some((inside) => inside(file.path)) && INSTALLER_DOCUMENT.test(file.text),
  );
};

/** The kustomization files built on their own (see topKustomizations), by path. */
export function rootKustomizations(files: readonly SourceFile[], links: readonly SymbolicLink[] = []): Set<string> {
  const tree = treeOf(files, links);
  return new Set(topKustomizations(tree).map((folder) => tree.kustomizationIn(folder)!));
}

/**
 * Kustomization folders no other kustomization includes as a resource, base or component. A
 * `kind: Component` is only ever built inside the kustomization that includes it (kustomize
 * refuses it alone): one nothing here includes is someone else's to include, not a root.
 */
function topKustomizations(tree: Tree): string[] {
  const folders = [...new Set(tree.files.map((file) => folderOf(file.path)))].filter((folder) => tree.kustomizationIn(folder));
  const included = new Set(folders.flatMap((folder) => kustomizeClosure(tree, folder).folders.slice(1)));
  return folders.filter((folder) => !included.has(folder) && !isComponent(tree, folder));
}

/**
 * Whether a folder's kustomization is a `kind: Component`: only ever built inside the kustomization
 * that includes it, never a root, even where a delivery's path holds it (kochhaus-home b1c49c585c:
 * kubernetes/components/anubis under a path-less Kustomization read as delivering the whole tree,
 * "could not be rendered … expected kind != 'Component'", high on every app-template bump).
 */
const isComponent = (tree: Tree, folder: string): boolean => kustomizationOf(tree, tree.kustomizationIn(folder)!).kind === "Component";

const ChartFile = z.looseObject({
  dependencies: z.array(z.looseObject({ name: z.string(), repository: z.string().optional(), alias: z.string().optional() })).optional(),
});

/**
 * A chart folder's files (with the local charts it depends on), the dependencies to put in its
 * `charts/` folder before rendering, and why `helm template` cannot render it offline: a
 * dependency from a chart repository that is neither `file://` nor vendored under `charts/`.
 */
function chartInputs(
  tree: Tree,
  chart: string,
  seen: ReadonlySet<string> = new Set(),
):
  | {
      files: string[];
      dependencies: { name: string; path: string }[];
      offline?: string;
      fetches?: string[];
      dependencySources: Record<string, string>;
    }
  | undefined {
  const chartFile = posix.join(chart, "Chart.yaml");
  if (!tree.text.has(chartFile)) return undefined;
  let declared: z.infer<typeof ChartFile>["dependencies"] = [];
  try {
    declared = ChartFile.safeParse(loadAsGoYaml(tree.text.get(chartFile)!)).data?.dependencies ?? [];
  } catch {
    // An unreadable Chart.yaml is helm's to report.
  }
  const files = tree.filesUnder(chart);
  const dependencies: { name: string; path: string }[] = [];
  const remote: string[] = [];
  // Where the remote dependencies come from, `<repository URL>/<chart>`; undefined once a remote part is no repository's chart.
  let fetches: string[] | undefined = [];
  const dependencySources: Record<string, string> = {};
  for (const dependency of declared ?? []) {
    const name = dependency.alias ?? dependency.name;
    if (tree.text.has(posix.join(chart, "charts", dependency.name, "Chart.yaml"))) continue;
    const repository = dependency.repository ?? "";
    if (!repository.startsWith("file://")) {
      remote.push(`${dependency.name}${repository ? ` from ${repository}` : ""}`);
      fetches = repository && fetches ? [...fetches, chartAt(repository, dependency.name)] : undefined;
      if (repository) dependencySources[name] = chartAt(repository, dependency.name);
      continue;
    }
    const path = normalize(posix.join(chart, repository.slice("file://".length)));
    const local = seen.has(path) ? undefined : chartInputs(tree, path, new Set([...seen, chart]));
    if (!local) {
      remote.push(`${dependency.name} (${repository}: no Chart.yaml there)`);
      fetches = undefined;
      continue;
    }
    files.push(...local.files);
    dependencies.push({ name, path });
    if (local.offline) {
      remote.push(local.offline);
      fetches = local.fetches && fetches ? [...fetches, ...local.fetches] : undefined;
    }
  }
  return {
    files: [...new Set(files)].sort(),
    dependencies,
    dependencySources,
    ...(remote.length > 0 ? { offline: `chart ${chart} depends on ${remote.join(", ")} (helm dependency build would fetch)` } : {}),
    ...(remote.length > 0 && fetches ? { fetches } : {}),
  };
}

const inlineYaml = (values: Readonly<Record<string, unknown>> | undefined): string | undefined =>
  values && Object.keys(values).length > 0 ? jsyaml.dump(values, { sortKeys: true }) : undefined;

function helmRoot(
  tree: Tree,
  origin: string,
  name: string,
  written: string,
  run: Omit<Extract<RenderRun, { tool: "helm" }>, "tool" | "chart">,
  offline: string | undefined,
  deployed = true,
  /** Files the values come from besides the values files (a HelmRelease's valuesFrom sources). */
  valueSources: readonly string[] = [],
  /** The end of its output folder's name: where a HelmRelease applies elsewhere, that cluster (core/flux-kubeconfig.ts). */
  folderSuffix = "",
): RenderRoot {
  // A chart path that is a link (`charts/web -> ../shared/charts/web`) is the chart it leads to, as helm reads it.
  const chart = tree.real(written);
  const found = chartInputs(tree, chart);
  const why = offline ?? (found ? found.offline : `chart folder ${chart || "."} has no Chart.yaml in the repository`);
  const chartFiles = found?.files ?? [];
  // What the chart's links lead to is read through them (nginx-gateway-fabric's `crds -> ../../config/crd/bases`:
  // without those files helm fails on the dangling link), but stays the repository's own files, not the chart's output.
  const linked = found ? [chart, ...found.dependencies.map((dependency) => dependency.path)].flatMap(tree.linkedUnder) : [];
  return {
    id: helmRootId(origin, name),
    origin,
    output: posix.join(
      folderOf(origin),
      `(rendered ${name}${folderSuffix})`,
      posix.basename(origin) === "Chart.yaml" ? "chart.yaml" : posix.basename(origin),
    ),
    inputs: [...new Set([origin, ...chartFiles, ...linked, ...run.valuesFiles, ...valueSources])].sort(),
    consumes: chartFiles.filter((path) => isManifestPath(path) && path !== origin),
    run: { tool: "helm", chart, ...run, ...(found && found.dependencies.length > 0 ? { dependencies: found.dependencies } : {}) },
    ...(why !== undefined ? { offline: why } : {}),
    // A chart's remote dependencies are its sources, when they alone keep it offline.
    ...(offline === undefined && found?.fetches ? { fetches: found.fetches } : {}),
    ...(found && Object.keys(found.dependencySources).length > 0 ? { dependencySources: found.dependencySources } : {}),
    deployed,
  };
}

/**
 * Annotations that route nothing: Homepage reads its own to show an app's tile and widget
 * (`gethomepage.dev/href`, written in charts' route values: budimanjojo/home-cluster, 6 of 60
 * commits), and Stakater Reloader its own to restart a workload when a ConfigMap or Secret changes
 * (`secret.reloader.stakater.com/reload`: kashalls/home-cluster 4fc3f64).
 */
const UNROUTED_ANNOTATION = /^(?:gethomepage\.dev|(?:configmap\.|secret\.)?reloader\.stakater\.com)\//;

/**
 * Fields of a values `image` mapping that only say which build of a container runs and how it is
 * pulled: kube-prometheus-stack's and Grafana's pin a digest as `sha` (sholdee/home-ops f7dbd431e6:
 * Renovate's `prometheusSpec.image` bump, tag and sha together, blocked as a render to do), Bitnami's
 * and Grafana's name their `pullSecrets` there.
 */
const IMAGE_VERSION_FIELDS = new Set(["repository", "registry", "tag", "digest", "sha", "pullPolicy", "pullSecrets"]);

/** The fields of a container's `resources`: what it requests and may use. */
const RESOURCE_FIELDS = new Set(["limits", "requests", "claims"]);

/** Values keys that hold a Kubernetes security context, which only a pod or container spec reads. */
const SECURITY_CONTEXTS = new Set(["securityContext", "podSecurityContext", "containerSecurityContext"]);

/**
 * Values keys whose string only says what a pod's containers run, with what and where: an `image`
 * reference, the registry Bitnami's charts prefix to all of theirs (`global.imageRegistry`, d2-infra
 * f879e9d), an `imagePullPolicy`, Bitnami's `resourcesPreset` (`nano` … `2xlarge`, which its common
 * library turns into the container's `resources`: wrmilling/k3s-gitops 9184dbd6fd's `micro → small`
 * blocked as a render to do), a `priorityClassName`.
 */
const WORKLOAD_STRINGS = new Set(["image", "imageRegistry", "imagePullPolicy", "resourcesPreset", "priorityClassName"]);

/**
 * Values keys that hold a pod's volumes (a chart's `persistence` is its storage: app-template's NFS
 * mounts, Bitnami's claims), the Secrets its images are pulled with (`imagePullSecrets`, as `helm
 * create` writes it) or where it is scheduled: only pod specs and PersistentVolumeClaims read
 * them. Not pod labels or annotations (a sidecar's injection and its port exclusions are set there),
 * nor `env` (istiod reads its trust settings from its environment), nor replicas.
 */
const POD_STORAGE_AND_PLACEMENT = new Set([
  "persistence",
  "volumes",
  "volumeMounts",
  "extraVolumes",
  "extraVolumeMounts",
  "imagePullSecrets",
  "nodeSelector",
  "tolerations",
  "affinity",
  "topologySpreadConstraints",
]);

/**
 * Whether a values field only sets how a workload's containers run: their build, resources, security
 * context, storage or placement; or Grafana's `dashboards` (the grafana chart's, kube-prometheus-stack's
 * `grafana.dashboards`): what the Grafana server shows, a grafana.com dashboard's id and revision, a
 * URL or inline JSON. Renovate's dashboard revision bumps blocked brettinternet/homeops 15 of 50 commits.
 * victoria-metrics-k8s-stack's `defaultDashboards` makes the same dashboards, as ConfigMaps or
 * grafana-operator GrafanaDashboards, and their folder (kochhaus-home 7b9b96f26c).
 */
function workloadOnly(key: string, value: unknown): boolean {
  if (WORKLOAD_STRINGS.has(key) && typeof value === "string") return true;
  if (key === "dashboards" || key === "defaultDashboards") return isRecord(value);
  if (POD_STORAGE_AND_PLACEMENT.has(key)) return isRecord(value) || Array.isArray(value);
  if (!isRecord(value)) return false;
  if (key === "resources") return Object.keys(value).every((field) => RESOURCE_FIELDS.has(field));
  return SECURITY_CONTEXTS.has(key);
}

/**
 * An image mapping: `image`, or any mapping with a `repository` string and a `tag` or `digest`, as
 * Renovate's helm-values manager finds images (`redis: {repository: redis, tag: 8.6.3}`, podinfo's
 * chart: its bump blocked as a render to do while the same bump under `image:` passed).
 */
function isImage(key: string, value: unknown): value is Record<string, unknown> {
  if (!isRecord(value)) return false;
  return key === "image" || (typeof value.repository === "string" && (value.tag !== undefined || value.digest !== undefined));
}

/**
 * app-template's controllers by their keys, each as the rest of its values leaves it (emptied where
 * only its containers' settings changed): a controller's key labels its pods
 * (`app.kubernetes.io/controller`), which a Service may select, so one renamed (`main` → `web`),
 * added or removed is no workload setting, whatever its containers say.
 */
const namedControllers = (controllers: Record<string, unknown>, rest: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.keys(controllers).map((name) => [name, rest[name] ?? {}]));

/**
 * Release values without what only sets how workloads' containers run: image versions (`image:
 * {repository, tag, digest}`, an `image` string, an `imageRegistry`), `resources` (limits and
 * requests), security contexts, volumes and scheduling. What a release of a chart from outside the
 * repository renders is unknown either way, but a chart places these in its workloads, not in its
 * routes, so a release whose values change only there applies the traffic config it applied before. The most common PRs of a
 * GitOps repository: Renovate's image bump in a HelmRelease (onedr0p/home-ops, 59 of 150 commits
 * blocked as a render that cannot be done offline), a memory limit or an fsGroup
 * (bjw-s-labs/home-ops 944fce3, 57c9657), a NAS's address in every app's
 * `persistence` (auricom/home-ops aa9f5d0, 27 releases). Beside them, annotations only a dashboard or
 * a restarter reads, wherever the chart puts them (a route's, a controller's): they route nothing.
 */
function withoutWorkloadSettings(values: unknown): unknown {
  if (Array.isArray(values)) return values.map(withoutWorkloadSettings);
  if (!isRecord(values)) return values;
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) {
    if (workloadOnly(key, value)) continue;
    const rest = isImage(key, value)
      ? Object.fromEntries(Object.entries(value).filter(([field]) => !IMAGE_VERSION_FIELDS.has(field)))
      : key === "annotations" && isRecord(value)
        ? Object.fromEntries(Object.entries(value).filter(([annotation]) => !UNROUTED_ANNOTATION.test(annotation)))
        : withoutWorkloadSettings(value);
    // A mapping that held only such settings, or nothing, says nothing else: as if absent, since helm
    // merges it over the chart's (bjw-s-labs/home-ops 944fce3 added `agent: {resources: …}`).
    const named = key === "controllers" && isRecord(value) && isRecord(rest) ? namedControllers(value, rest) : rest;
    if (isRecord(value) && isRecord(named) && Object.keys(named).length === 0) continue;
    kept[key] = named;
  }
  return kept;
}

/**
 * `siting`: where the tree applies each file, so a `valuesFrom` source is the copy applied on the
 * release's cluster (release-values.ts definitionsAt), and its chart's source the copy applied with
 * it (sourcesRead); without it (a kustomize root listing the charts its releases read, which may
 * only list more inputs), every copy.
 */
function helmReleaseRoots(tree: Tree, file: SourceFile, siting?: FileSiting, kubeConfigOf?: ReleaseKubeConfig): RenderRoot[] {
  return documentsOf(file, HelmReleaseDoc).map((release) => {
    const { spec, metadata } = release;
    const namespace = spec.targetNamespace ?? metadata.namespace ?? "default";
    const name = `${metadata.namespace ?? "default"}/${metadata.name}`;
    const source = spec.chart?.spec;
    const local = source?.sourceRef.kind === "GitRepository";
    // valuesFrom is read in the release's own namespace, where the repository holds the sources.
    const fromSources =
      (spec.valuesFrom ?? []).length > 0
        ? releaseValues(
            tree.files,
            metadata.namespace ?? "default",
            spec.valuesFrom!,
            spec.values,
            siting && { file: file.path, sitesOf: siting.sites },
          )
        : undefined;
    const values = fromSources && "values" in fromSources ? fromSources.values : spec.values;
    const offline = !source
      ? `chart from ${spec.chartRef!.kind} ${spec.chartRef!.name ?? ""}`.trim()
      : !local
        ? `chart ${source.chart} from ${source.sourceRef.kind} ${source.sourceRef.name ?? ""}`.trim()
        : fromSources && "unresolved" in fromSources
          ? fromSources.unresolved
          : undefined;
    const inline = inlineYaml(values);
    const postRenderers = (spec.postRenderers ?? []).flatMap((postRenderer) => {
      const kustomize = record(record(postRenderer).kustomize);
      return Object.keys(kustomize).length > 0 ? [kustomize] : [];
    });
    const installed = helmRoot(
      tree,
      file.path,
      name,
      local ? normalize(source.chart) : "",
      {
        release: spec.releaseName ?? (spec.targetNamespace ? `${spec.targetNamespace}-${metadata.name}` : metadata.name),
        namespace,
        valuesFiles: local ? (source.valuesFiles ?? []).map(normalize) : [],
        ...(inline ? { inlineValues: inline } : {}),
        set: [],
        ...(postRenderers.length > 0 ? { postRenderers } : {}),
      },
      offline,
      true,
      fromSources?.inputs,
      releaseFolderSuffix(kubeConfigOf?.(file.path, release)),
    );
    const root = { ...installed, installer: { kind: "HelmRelease", namespace: metadata.namespace ?? "", name: metadata.name } };
    if (local) return root;
    const read = (ref: SourceRef) => sourcesRead(tree, ref, metadata.namespace, file.path, siting);
    const referenced = spec.chartRef && read(spec.chartRef);
    // A chartRef found in the tree is the source it names, whatever that object is called: an app
    // moved from a shared OCIRepository to one of its own serves the same chart (budimanjojo/home-cluster b6aa61f).
    const referencedChart = (content: (spec: unknown) => unknown) =>
      spec.chartRef &&
      (referenced && referenced.length > 0
        ? { kind: spec.chartRef.kind, source: served(referenced, content) }
        : { ...spec.chartRef, source: [] });
    // A `chart.spec`'s source serves it too: a HelmRepository's URL is where the chart comes from.
    const repository = source && read(source.sourceRef);
    const writtenChart = (content: (spec: unknown) => unknown) => ({ ...record(content(source)), served: served(repository ?? []) });
    // Where the chart comes from: a HelmRepository's URL and the chart's name, or an OCIRepository's
    // URL, of the copies the release reads. Its name as the loader reads it, from every copy (which
    // knows no placement): the values the fingerprint leaves to a family are those that family reads.
    const { fetches } = releaseChart(spec, read);
    const { name: chart } = releaseChart(spec, (ref) => fluxSources(tree, ref, metadata.namespace));
    const decisive = {
      chart: source ? writtenChart(chartContent) : referencedChart(chartContent),
      values: withoutWorkloadSettings(trafficValuesOf(values, fetches, { chart, values: spec.values })),
      // Sources not found are named as written; found ones are in the values.
      valuesFrom: fromSources && "unresolved" in fromSources ? spec.valuesFrom : undefined,
      releaseName: spec.releaseName,
      targetNamespace: spec.targetNamespace,
      postRenderers: spec.postRenderers,
    };
    const unpinned = {
      ...decisive,
      chart: source
        ? writtenChart((spec) => without(chartContent(spec), "version"))
        : referencedChart((spec) => without(chartContent(spec), "ref")),
      values: withoutArtifactVersions(decisive.values, () => true),
    };
    const artifacts = versionedArtifacts(decisive.values);
    const known = !(fromSources && "unresolved" in fromSources) && postRenderers.length === 0;
    return {
      ...root,
      releaseFingerprint: canonical(decisive),
      ...(fetches ? { fetches: [...fetches], unpinnedFingerprint: canonical(unpinned) } : {}),
      ...(fetches && artifacts.length > 0 ? { artifactVersions: artifacts } : {}),
      ...(known && rendersNoTrafficConfig(values, fetches, chartVersions(source, referenced)) ? { trafficFree: true as const } : {}),
      ...(known && (source?.valuesFiles ?? []).length === 0 && valuesAskNoTraffic(values) ? { valuesAskNoTraffic: true as const } : {}),
    };
  });
}

/** The name of an Argo CD Application's source `index` among `count` (`source` first, then `sources`), as its helm root is named. */
const applicationSourceName = (application: string, index: number, count: number): string =>
  `${application}${count > 1 ? `#${index}` : ""}`;

/** The id of the helm root of an Argo CD Application's source (see applicationSourceName). */
export const applicationSourceRoot = (file: string, application: string, index: number, count: number): string =>
  helmRootId(file, applicationSourceName(application, index, count));

const helmRootId = (origin: string, name: string): string => `helm ${origin} ${name}`;

/** The id of the kustomize root of a folder ("" or "." the repository's root). */
export const kustomizeRootId = (folder: string): string => `kustomize ${folder || "."}`;

/** Whether a root is the kustomize root of a folder, or one Flux Kustomization's own build of it (kustomizeRoot's `by`). */
export const isKustomizeRootOf = (id: string, folder: string): boolean =>
  id === kustomizeRootId(folder) || id.startsWith(`${kustomizeRootId(folder)} for `);

/**
 * The root of one Flux Kustomization's own build of a folder that Kustomizations build differently
 * (FluxBuild.by): planned from its kustomization as that build writes it (`text`: a component only
 * this cluster adds is read too), rendered into a folder of its own that lands on that
 * Kustomization's clusters alone (core/flux-build-output.ts).
 */
export function fluxBuildRoot(
  files: readonly SourceFile[],
  root: RenderRoot,
  text: string,
  by: FluxKustomizationRef,
  links: readonly SymbolicLink[] = [],
): RenderRoot {
  const tree = treeOf(
    files.map((file) => (file.path === root.origin ? { ...file, text } : file)),
    links,
  );
  return withInstalledCharts(tree, kustomizeRoot(tree, root.run.tool === "kustomize" ? root.run.directory : folderOf(root.origin), by));
}

function applicationRoots(tree: Tree, file: SourceFile): RenderRoot[] {
  return documentsOf(file, ApplicationDoc).flatMap((application) => applicationSourceRoots(tree, file.path, application));
}

/**
 * The helm roots of the Applications the ApplicationSets of a file generate (generatedApplications),
 * each planned as a written Application of its name in the set's file would be: the chart rendered
 * with the parameters its generator fed into it (a list element's or a config.json's weights), not
 * alone with its own values on both sides, which passed a canary turned up to 90% unseen. The
 * generator files its parameters come from are inputs: an edit there re-renders it, and its
 * findings point there. A set the tree cannot expand (a
 * cluster, SCM or plugin generator) plans none; the placement family says so where it changes.
 */
function generatedRoots(tree: Tree, file: SourceFile): RenderRoot[] {
  const sets = [...loadManifests([file]).resources.values()].filter(
    (resource) => resource.id.group === "argoproj.io" && resource.id.kind === "ApplicationSet",
  );
  const generator = { files: tree.files.map((held) => held.path), data: (path: string) => parsedData(tree.text.get(path)) };
  return sets.flatMap((applicationSet) => {
    const goTemplate = record(applicationSet.body.spec).goTemplate === true;
    return (generatedApplications(applicationSet, generator) ?? []).flatMap((application) => {
      const parsed = ApplicationDoc.safeParse(application.body);
      if (!parsed.success) return [];
      const roots = applicationSourceRoots(tree, file.path, parsed.data, generatorFiles(application));
      // Under goTemplate, a placeholder left in a source (a Go template function, a parameter no
      // generator gives) is Argo CD's to fill, with what the review does not evaluate; the default
      // fasttemplate leaves one it has no parameter for as written, for the chart (tpl), as rendered here.
      return goTemplate && JSON.stringify([parsed.data.spec.source, parsed.data.spec.sources]).includes("{{")
        ? roots.map((root) => ({
            ...root,
            offline: `parameters of ${displayName(applicationSet.id)} its template fills in with what the review does not evaluate`,
          }))
        : roots;
    });
  });
}

/** A generator file's data (JSON is YAML); undefined where it is no YAML, as the generator then fails. */
function parsedData(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : loadAsGoYaml(text);
  } catch {
    return undefined;
  }
}

/** The helm roots of one Application's sources, declared in `origin`; `read`: the files its generator read its parameters from (generatedRoots). */
function applicationSourceRoots(
  tree: Tree,
  origin: string,
  application: z.infer<typeof ApplicationDoc>,
  read: readonly string[] = [],
): RenderRoot[] {
  const sources = [...(application.spec.source ? [application.spec.source] : []), ...(application.spec.sources ?? [])];
  // A source whose path this tree holds is of this repository: a `ref` source is too where it names
  // the same repository; where none says, a ref source of any name may be (see valueFiles).
  // Asked only of an Application with a ref source: it lists the tree's files under each path.
  const here = !sources.some((source) => source.ref !== undefined)
    ? undefined
    : sources.find((source) => source.ref === undefined && source.path !== undefined && tree.filesUnder(normalize(source.path)).length > 0);
  const refs = new Set(
    sources.flatMap((source) =>
      source.ref !== undefined && (here === undefined || sameRepository(source.repoURL, here.repoURL)) ? [source.ref] : [],
    ),
  );
  return sources.flatMap((source, index): RenderRoot[] => {
    const name = applicationSourceName(application.metadata.name, index, sources.length);
    const chart = source.path === undefined ? undefined : normalize(source.path);
    const isChart =
      source.chart !== undefined || source.helm !== undefined || (chart !== undefined && tree.text.has(posix.join(chart, "Chart.yaml")));
    if (!isChart || source.ref !== undefined) return [];
    const helm = source.helm ?? {};
    // Argo CD reads valueFiles relative to the source path (a remote chart's own files), and
    // `$<ref>/<path>` from the root of the `ref` source's repository: this one where the tree
    // holds the file, as a source's path is (a multi-source Application's values kept beside the
    // clusters' config, its weights edited there, passed unseen); undefined where it is
    // another's, or a URL.
    // With `ignoreMissingValueFiles`, Argo CD leaves out a file of the chart's repository it does not find.
    const valueFiles = (helm.valueFiles ?? []).flatMap((path) => {
      const [, ref, inRef] = /^\$([^/]+)\/(.*)$/.exec(path) ?? [];
      if (ref === undefined || inRef === undefined) {
        if (source.chart !== undefined || REMOTE.test(path)) return [undefined];
        const local = normalize(posix.join(chart ?? "", path));
        return helm.ignoreMissingValueFiles && !tree.text.has(local) ? [] : [local];
      }
      return [refs.has(ref) && tree.text.has(normalize(inRef)) ? normalize(inRef) : undefined];
    });
    const held = valueFiles.filter((path) => path !== undefined);
    const offline =
      source.chart !== undefined
        ? `chart ${source.chart} from ${source.repoURL ?? "a Helm repository"}`
        : held.length < valueFiles.length
          ? "valueFiles from another source or URL"
          : // A path this repository does not hold is another repository's (vfarcic/argo-combined-demo installs istio/istio's charts).
            chart !== undefined && source.repoURL && tree.filesUnder(chart).length === 0
            ? `chart folder ${chart} of ${source.repoURL}, which this repository does not hold`
            : undefined;
    const inline = inlineYaml(helm.valuesObject) ?? (helm.values?.trim() ? helm.values : undefined);
    const namespace = application.spec.destination?.namespace ?? "default";
    const template = templateOptions(helm, namespace);
    const installed = helmRoot(
      tree,
      origin,
      name,
      chart ?? "",
      {
        release: helm.releaseName ?? application.metadata.name,
        namespace,
        ...(template ? { template } : {}),
        valuesFiles: offline ? [] : held,
        ...(inline ? { inlineValues: inline } : {}),
        set: helm.parameters ?? [],
      },
      offline,
      true,
      // Offline, the values files the repository holds are still what the release reads: an edit there is a change to review.
      [...(offline ? held : []), ...read],
    );
    const { metadata } = application;
    const root = { ...installed, installer: { kind: "Application", namespace: metadata.namespace ?? "", name: metadata.name } };
    if (source.chart === undefined) return [root];
    // A chart from a Helm repository: what decides its render is the source and the destination, as for a HelmRelease.
    const fetches = source.repoURL ? [chartAt(source.repoURL, source.chart)] : undefined;
    const values = parsedValues(helm.values);
    // Whether Argo CD hands the repository's credentials to a chart's dependencies' repositories fetches the same chart.
    const { passCredentials: _fetching, ...rendering } = helm as typeof helm & { readonly passCredentials?: unknown };
    const decisive = {
      source: {
        ...source,
        helm: {
          ...rendering,
          valuesObject: withoutWorkloadSettings(
            trafficValuesOf(helm.valuesObject, fetches, { chart: source.chart, values: helm.valuesObject }),
          ),
          values: withoutWorkloadSettings(trafficValuesOf(values, fetches, { chart: source.chart, values })),
          parameters: (helm.parameters ?? []).filter((parameter) => !WORKLOAD_PARAMETER.test(parameter.name)),
        },
      },
      // The values files this repository holds, by what they say but for how containers run.
      // A values file is not the release: what it writes counts even of a chart whose release's own values a family judges.
      valueFiles: held.map((path) => [
        path,
        withoutWorkloadSettings(trafficValuesOf(parsedValues(tree.text.get(path)), fetches, undefined)),
      ]),
      release: application.metadata.name,
      namespace: application.spec.destination?.namespace,
    };
    const unpinned = { ...decisive, source: without(decisive.source, "targetRevision") };
    // As a HelmRelease's (trafficFree): every values source the release merges is one this tree
    // holds, and each asks for no traffic config, so their merge does not either; a --set
    // (`parameters`, `fileParameters`) may name anything.
    const everyValues = [
      ...held.map((path) => parsedValues(tree.text.get(path))),
      ...(helm.values?.trim() ? [values] : []),
      ...(helm.valuesObject !== undefined ? [helm.valuesObject] : []),
    ];
    const trafficFree =
      held.length === valueFiles.length &&
      (helm.parameters ?? []).length === 0 &&
      (helm as { readonly fileParameters?: unknown }).fileParameters === undefined &&
      everyValues.length > 0 &&
      everyValues.every((written) =>
        rendersNoTrafficConfig(written, fetches, [typeof source.targetRevision === "string" ? source.targetRevision : undefined]),
      );
    return [
      {
        ...root,
        releaseFingerprint: canonical(decisive),
        ...(fetches ? { fetches, unpinnedFingerprint: canonical(unpinned) } : {}),
        ...(trafficFree ? { trafficFree: true as const } : {}),
      },
    ];
  });
}

/**
 * What an Argo CD Helm source templates with besides values, as Argo CD reads it: each field as
 * written where written (an empty one is unset), `helm.namespace` only where it is not where the
 * documents land; undefined where none is. `skipCrds` is not one: the review reads no
 * CustomResourceDefinition (render-origins.ts), and `passCredentials` and `version` render the same.
 */
function templateOptions(helm: NonNullable<z.infer<typeof ApplicationSource>["helm"]>, namespace: string): TemplateOptions | undefined {
  const options: TemplateOptions = {
    ...(helm.namespace && helm.namespace !== namespace ? { releaseNamespace: helm.namespace } : {}),
    ...(helm.kubeVersion ? { kubeVersion: helm.kubeVersion } : {}),
    ...((helm.apiVersions ?? []).length > 0 ? { apiVersions: helm.apiVersions } : {}),
    ...(helm.skipSchemaValidation ? { skipSchemaValidation: true as const } : {}),
    ...(helm.skipTests ? { skipTests: true as const } : {}),
  };
  return Object.keys(options).length > 0 ? options : undefined;
}

/**
 * A `--set` name of what withoutWorkloadSettings leaves out of values: an image version
 * (`controller.image.tag`, `global.imageRegistry`), a resource limit, request or preset
 * (`controller.resources.limits.memory`, `primary.resourcesPreset`), a security context field, a volume or scheduling field
 * (`persistence.data.size`, `tolerations[0].key`).
 */
const WORKLOAD_PARAMETER = new RegExp(
  String.raw`(?:^|\.)(?:${[...WORKLOAD_STRINGS].join("|")}|image\.(?:${[...IMAGE_VERSION_FIELDS].join("|")})|resources\.(?:limits|requests)\.[^.]+|(?:pod|container)?[sS]ecurityContext(?:\.[^.]+)+|(?:${[...POD_STORAGE_AND_PLACEMENT].join("|")})(?:[.[].*)?)$`,
);

/** An Argo CD Application's `helm.values` string as data, when it is YAML. */
function parsedValues(text: string | undefined): unknown {
  try {
    return text === undefined ? undefined : loadAsGoYaml(text);
  } catch {
    return text;
  }
}

const helmRootsIn = (tree: Tree, files: readonly SourceFile[], siting: FileSiting, kubeConfigOf?: ReleaseKubeConfig): RenderRoot[] => {
  const candidates = files.filter((file) => isYamlFile(file.path));
  return [
    ...candidates
      .filter((file) => /\bkind:\s*["']?HelmRelease\b/.test(file.text))
      .flatMap((file) => helmReleaseRoots(tree, file, siting, kubeConfigOf)),
    ...candidates.filter((file) => /\bkind:\s*["']?Application\b/.test(file.text)).flatMap((file) => applicationRoots(tree, file)),
    ...candidates.filter((file) => /\bkind:\s*["']?ApplicationSet\b/.test(file.text)).flatMap((file) => generatedRoots(tree, file)),
  ];
};

const byId = (a: RenderRoot, b: RenderRoot) => a.id.localeCompare(b.id);

/**
 * Whether a chart sits in the `charts/` folder of another chart: helm loads every chart there as a
 * subchart of that one, and renders it only through it, with the values the parent gives it (under
 * its alias); the parent's root reads its files, so an edit of it that changes what the parent
 * renders is seen there. Rendered alone with its own defaults, it showed routes nothing applies: a
 * default every alias of the parent overrides, changed, read as a weight change of `app.example.com`.
 */
const subchartOf =
  (charts: ReadonlySet<string>) =>
  (chart: string): boolean =>
    posix.basename(folderOf(chart)) === "charts" && charts.has(folderOf(folderOf(chart)));

/** Whether a tree's GitOps objects say what it delivers: some deliver a path. */
const knowsDeliveries = (files: readonly SourceFile[], topology: Topology, links?: readonly SymbolicLink[]): boolean =>
  deliveredFolders(files, topology, links).any;

/**
 * The roots of one tree. A HelmRelease or Application inside a kustomization root is left to
 * `planRenderedHelm`: what Flux and Argo CD install is the release as the overlay patched it.
 * The kustomizations rendered are those the tree's GitOps objects deliver, and with `everyTop`
 * (by default, where it holds none) each one no other includes too: see planChangeRenders.
 */
export function planRenders(
  files: readonly SourceFile[],
  topology: Topology,
  links: readonly SymbolicLink[] = [],
  everyTop = !knowsDeliveries(files, topology, links),
  kubeConfigOf?: ReleaseKubeConfig,
): RenderRoot[] {
  const tree = treeOf(files, links);
  const delivers = deliveredFolders(files, topology, links);
  const delivered = [...new Set(tree.files.map((file) => folderOf(file.path)))].filter(
    (folder) => tree.kustomizationIn(folder) && delivers(folder) && !isComponent(tree, folder),
  );
  const kustomizeRoots = [...new Set([...delivered, ...(everyTop ? topKustomizations(tree) : [])])].map((folder) =>
    withInstalledCharts(tree, kustomizeRoot(tree, folder)),
  );
  const inKustomize = new Set(kustomizeRoots.flatMap((root) => root.consumes));
  // A HelmRelease the tree keeps in an archive folder is installed by nothing (auricom/home-ops
  // 882542eaad: 80 archived releases deleted, each a remote chart "that cannot be rendered offline").
  const archived = archivedOf(gitopsObjects(files, links), topology.clusters);
  const helmRoots = helmRootsIn(tree, files, treeSiting(files, topology, links), kubeConfigOf).filter(
    (root) => root.installer?.kind !== "HelmRelease" || !archived(root.origin),
  );
  const referenced = new Set(helmRoots.map((root) => (root.run.tool === "helm" ? root.run.chart : "")));
  const charts = files.filter((file) => posix.basename(file.path) === "Chart.yaml").map((file) => folderOf(file.path));
  const hiddenInstaller = installsFromTemplates(files, charts);
  const subchart = subchartOf(new Set(charts));
  // A chart installed as a folder (an ApplicationSet's directory, an Application's path) is
  // deployed with its own values; one nothing in the tree installs is reviewed as they render it.
  // One an ApplicationSet installs whose Applications cannot be listed is so deployed, whatever
  // Application installs it besides: added, it deploys the chart on every cluster it generates for.
  const standaloneCharts = charts
    .filter((chart) => (!referenced.has(chart) || delivers.unlisted(chart)) && (!subchart(chart) || delivers(chart)))
    .map((chart) => {
      const name = posix.basename(chart) || "chart";
      const deployed = delivers(chart);
      const run = { release: name, namespace: "default", valuesFiles: [], set: [] };
      const root = helmRoot(tree, posix.join(chart, "Chart.yaml"), name, chart, run, undefined, deployed);
      return !deployed && hiddenInstaller ? { ...root, offlineGates: true as const } : root;
    });
  return [...kustomizeRoots, ...helmRoots.filter((root) => !inKustomize.has(root.origin)), ...standaloneCharts].sort(byId);
}

/**
 * Both trees' roots, with the kustomizations rendered chosen alike. Where both trees' GitOps
 * objects say what they deliver, each renders what it delivers, even nothing: the other
 * kustomizations (an examples/ folder) are read as written on both sides. Where either holds
 * none, that side knows nothing of what is applied, so both render every kustomization no other
 * includes as well: one side's choice alone made the same untouched folder rendered at one side
 * and raw at the other, a route added or removed that nobody changed (a cluster's last
 * Kustomization pointing at a kustomization folder deleted read as examples/canary's route added;
 * the first added, as a route removed). A release installed on one side only is planned as
 * installedElsewhere says. `kubeConfigs`: each side's HelmReleases' remote clusters (render-change.ts).
 */
export function planChangeRenders(
  base: readonly SourceFile[],
  head: readonly SourceFile[],
  topology: Topology,
  links: { readonly base: readonly SymbolicLink[]; readonly head: readonly SymbolicLink[] } | undefined,
  kubeConfigs?: { readonly base: ReleaseKubeConfig; readonly head: ReleaseKubeConfig },
): [RenderRoot[], RenderRoot[]] {
  const everyTop = !knowsDeliveries(base, topology, links?.base) || !knowsDeliveries(head, topology, links?.head);
  return installedElsewhere(
    planRenders(base, topology, links?.base, everyTop, kubeConfigs?.base),
    planRenders(head, topology, links?.head, everyTop, kubeConfigs?.head),
  );
}

/**
 * A chart nothing installs is reviewed as its own values render it (a chart the repository
 * develops). But a chart a release installs on one side and nothing on the other is a release
 * removed (or added): its routes leave (or arrive) with it, and the chart's defaults are not what
 * ran before (or will run). That side does not render the chart alone.
 */
export function installedElsewhere(base: readonly RenderRoot[], head: readonly RenderRoot[]): [RenderRoot[], RenderRoot[]] {
  const installed = (roots: readonly RenderRoot[]) =>
    new Set(roots.flatMap((root) => (root.run.tool === "helm" && !root.origin.endsWith("Chart.yaml") ? [root.run.chart] : [])));
  const alone = (root: RenderRoot, elsewhere: ReadonlySet<string>) =>
    root.run.tool === "helm" && !root.deployed && root.origin.endsWith("Chart.yaml") && elsewhere.has(root.run.chart);
  const [atBase, atHead] = [installed(base), installed(head)];
  return [base.filter((root) => !alone(root, atHead)), head.filter((root) => !alone(root, atBase))];
}

/**
 * Helm roots of HelmReleases and Applications in rendered kustomize output; their charts and values
 * files are read from `files`, through the tree's links (a chart's `values.yaml -> ../../env/web-values.yaml`
 * is an input: its target's edit changes the render).
 */
export function planRenderedHelm(
  files: readonly SourceFile[],
  rendered: readonly SourceFile[],
  topology: Topology,
  links: readonly SymbolicLink[] = [],
  kubeConfigOf?: ReleaseKubeConfig,
): RenderRoot[] {
  return helmRootsIn(treeOf([...files, ...rendered], links), rendered, treeSiting(files, topology, links), kubeConfigOf).sort(byId);
}

/** Where a tree applies its files (a render's as its root's), for which copy of an object a release reads. */
const treeSiting = (files: readonly SourceFile[], topology: Topology, links: readonly SymbolicLink[]): FileSiting => ({
  sites: fileSites(treePlacement(files, topology, links)),
  includedBy: gitopsObjects(files, links).includedBy,
});

/** A tree's file texts by path: built once per side, then asked for every root. */
export type TreeTexts = ReadonlyMap<string, string>;
/**
 * A tree's texts by path, made once a tree: the render stage, the result it hands the review and
 * the findings located on renders all read them, and each had made its own copy of both trees.
 */
export const textsOf = (files: readonly SourceFile[]): TreeTexts => {
  let texts = textsByTree.get(files);
  if (!texts) textsByTree.set(files, (texts = new Map(files.map((file) => [file.path, file.text]))));
  return texts;
};
const textsByTree = new WeakMap<readonly SourceFile[], TreeTexts>();

/**
 * The fields that differ between two releases' fingerprints (RenderRoot.releaseFingerprint), each
 * by its path down to where they part, at most three deep (`source.helm.kubeVersion`,
 * `values.ingress.enabled`, `chart.version`): what a reviewer of a release that cannot be
 * rendered reads to know what the PR changes in it. None where either is not a release's.
 */
export function fingerprintChanges(before: RenderRoot, after: RenderRoot): string[] {
  if (before.releaseFingerprint === undefined || after.releaseFingerprint === undefined) return [];
  const parted = (a: unknown, b: unknown, path: readonly string[]): string[] => {
    if (canonical(a) === canonical(b)) return [];
    if (path.length === 3 || !isRecord(a) || !isRecord(b)) return [path.join(".")];
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().flatMap((key) => parted(a[key], b[key], [...path, key]));
  };
  return parted(JSON.parse(before.releaseFingerprint), JSON.parse(after.releaseFingerprint), []).filter((path) => path !== "");
}

/** The content hash of a root's render: its run and every input's text. Equal keys render equal output. */
export function renderKey(root: RenderRoot, text: TreeTexts): string {
  if (root.releaseFingerprint !== undefined) return createHash("sha256").update(root.releaseFingerprint).digest("hex");
  const hash = createHash("sha256").update(JSON.stringify(root.run));
  for (const input of root.inputs) if (readByTool(root, input)) hash.update(`\0${input}\0${text.get(input) ?? ""}`);
  return hash.digest("hex");
}

/**
 * Whether the tool reads the file. Helm does not read the HelmRelease or Application that installs
 * a chart: what the release says of the render is its run (chart, values, release, namespace), so
 * another release in the same file, or a comment there, renders nothing new (argocd-example-apps:
 * an app-of-apps edit marked every Application's chart as changed, and one that never renders
 * offline blocked PRs that did not touch it).
 */
const readByTool = (root: RenderRoot, input: string): boolean =>
  input !== root.origin || root.run.tool === "kustomize" || insideFolder(root.run.chart)(input);

/**
 * Whether a root renders the same at base and head, so the PR does not change what it applies: its
 * inputs are the same, or, for kustomize, which reads YAML as data, they say the same (a comment or
 * layout edit; gloo-mesh and ACM samples tag files with region comments). A Helm template is text
 * with actions even in its comments: any edit of one may render differently.
 */
export function rendersAlike(before: RenderRoot, baseText: TreeTexts, after: RenderRoot, headText: TreeTexts): boolean {
  if (renderKey(before, baseText) === renderKey(after, headText)) return true;
  const sameRoot =
    before.releaseFingerprint === undefined &&
    JSON.stringify(before.run) === JSON.stringify(after.run) &&
    before.inputs.join("\0") === after.inputs.join("\0");
  if (!sameRoot) return false;
  if (before.run.tool === "helm") {
    // A chart that cannot be rendered (its dependencies are remote) is judged as a remote chart's
    // release is: values that only set how containers run render no traffic of their own
    // (khuedoan/homelab: image tags in an app-template wrapper's values). A template without an
    // action is what helm emits whatever its dependencies do, and the review reads it as written on
    // both sides (mmalyska/home-ops a91cbfa834: a ClientTrafficPolicy's trustedCIDRs edited in a
    // gateway-helm wrapper's envoy.yaml was a high "cannot be rendered offline").
    if (before.offline === undefined || after.offline === undefined) return false;
    if (canonical(before.dependencySources) !== canonical(after.dependencySources)) return false;
    const values = valuesFilesOf(before);
    const templates = insideFolder(posix.join(before.run.chart, "templates"));
    const chart = chartAsRendered(before, baseText, headText);
    return before.inputs.every((input) => {
      const [a, b] = [baseText.get(input), headText.get(input)];
      return (
        a === b ||
        (isChartFile(input) && chart(input, a) === chart(input, b)) ||
        (values.has(input) && sameButWorkloadValues(a, b, knownDependencies(before.dependencySources))) ||
        (templates(input) && isYamlFile(input) && ((rendersNoTrafficKind(a) && rendersNoTrafficKind(b)) || (literal(a) && literal(b))))
      );
    });
  }
  return before.inputs.every((input) => {
    const [a, b] = [baseText.get(input), headText.get(input)];
    return a === b || (a !== undefined && b !== undefined && isYamlFile(input) && sameYamlContent(a, b));
  });
}

const isChartFile = (input: string): boolean => posix.basename(input) === "Chart.yaml";

/**
 * Chart.yaml fields helm renders nothing from unless a template reads them (`.Chart.Version`): a
 * wrapper chart's `version:` bumped beside its dependency's, or its description, defeated an offline
 * root's comparison and `render.trusted` (aws-samples/eks-blueprints-add-ons: 11 of 96 commits).
 */
const CHART_METADATA = [
  "description",
  "version",
  "appVersion",
  "home",
  "sources",
  "maintainers",
  "keywords",
  "icon",
  "annotations",
  "deprecated",
];
const CHART_READ = /\.(Chart|Template)\b(?:\.(\w+))?/g;
// Helm refuses a chart whose version is no SemVer: such a version is a render that fails, not metadata.
const SEMVER = /^v?\d+(?:\.\d+){0,2}(?:-[\w.-]+)?(?:\+[\w.-]+)?$/;

/**
 * A root's Chart.yaml texts as rendering reads them, comparable as strings: without the metadata
 * (CHART_METADATA) that no text of the root reads as `.Chart.<Field>` at either side (a template,
 * a helper, a values string `tpl` renders); `.Chart` read whole keeps it all. The root chart's
 * `name` is metadata too, unless read, or its templates' paths (`.Template`) are (eks-blueprints-add-ons
 * f9155e1d21: an external-dns wrapper named ingress-nginx renamed); a chart it depends on must keep
 * the name its parent's `dependencies` find it by. Dependencies, apiVersion, type, kubeVersion and
 * any field not known stay, with `pinned` applied to each dependency. A text that is no mapping is itself.
 */
function chartAsRendered(
  root: RenderRoot,
  baseText: TreeTexts,
  headText: TreeTexts,
  pinned: (dependency: unknown) => unknown = same,
): (input: string, text: string | undefined) => string | undefined {
  const read = new Set<string>();
  for (const input of root.inputs.filter((input) => !isChartFile(input)))
    for (const written of [baseText.get(input), headText.get(input)])
      for (const [, object, field] of (written ?? "").matchAll(CHART_READ))
        read.add(object === "Template" ? "name" : field ? field[0]!.toLowerCase() + field.slice(1) : "*");
  const unread = read.has("*") ? [] : [...CHART_METADATA, "name"].filter((field) => !read.has(field));
  const own = posix.join(root.run.tool === "helm" ? root.run.chart : "", "Chart.yaml");
  return (input, text) => {
    const metadata = (field: string, value: unknown): boolean =>
      unread.includes(field) &&
      (field !== "name" || input === own) &&
      (field !== "version" || (typeof value === "string" && SEMVER.test(value)));
    try {
      const fields: unknown = loadAsGoYaml(text ?? "");
      if (!isRecord(fields)) return text;
      return canonical(
        Object.fromEntries(
          Object.entries(fields)
            .filter(([field, value]) => !metadata(field, value))
            .map(([field, value]) => [field, field === "dependencies" && Array.isArray(value) ? value.map(pinned) : value]),
        ),
      );
    } catch {
      return text;
    }
  };
}

/**
 * A root's inputs in the order a finding on its render points at the first one the PR changed: of
 * a chart, what it renders from — the values files and the installer that hold its values, then its
 * templates — before what helm renders no values into (its `crds/`, Chart.yaml, a README), each
 * group by path; of kustomize, by path (its findings point at the declaring file by origin).
 * nginx-gateway-fabric 1f47bc05: a GatewayClass's controller changed in values.yaml was located at a
 * CRD the same commit edited, the first changed input by path.
 */
export function decisiveFirst(root: RenderRoot, inputs: readonly string[]): string[] {
  const sorted = [...inputs].sort();
  if (root.run.tool !== "helm") return sorted;
  const values = valuesFilesOf(root);
  const templates = insideFolder(posix.join(root.run.chart, "templates"));
  const rank = (input: string) =>
    values.has(input) || (input === root.origin && posix.basename(input) !== "Chart.yaml") ? 0 : templates(input) ? 1 : 2;
  return sorted.sort((a, b) => rank(a) - rank(b));
}

/** The values files a Helm root reads: its chart's own values.yaml, then those its installer names. */
const valuesFilesOf = (root: RenderRoot): ReadonlySet<string> =>
  new Set(root.run.tool === "helm" ? [posix.join(root.run.chart, "values.yaml"), ...root.run.valuesFiles] : []);

const same = (values: unknown): unknown => values;

/**
 * Whether two values files differ at most in what only sets how containers run (see
 * withoutWorkloadSettings), and in what `known` leaves out of them: what a known chart renders into
 * no traffic config (knownDependencies, knownChartOf).
 */
function sameButWorkloadValues(before: string | undefined, after: string | undefined, known: (values: unknown) => unknown = same): boolean {
  if (before === undefined || after === undefined) return false;
  const traffic = (text: string): string => canonical(withoutWorkloadSettings(known(loadAsGoYaml(text))));
  try {
    return traffic(before) === traffic(after);
  } catch {
    return false;
  }
}

/**
 * Of a wrapper chart's values, under the key of each known dependency (RenderRoot.dependencySources:
 * its alias, else its name), what that chart renders into traffic config (khuedoan/homelab
 * ca5821df: a `configMaps` edit of an app-template wrapper blocked as a render to do, while the
 * same edit in a HelmRelease of app-template passed). No family reads a dependency's values below
 * its key (the mesh family reads an istiod values file's top-level `meshConfig`), so none are its
 * `own`: an istiod wrapper's egress switched to `ALLOW_ANY` passed as no change.
 */
const knownDependencies =
  (dependencies: Readonly<Record<string, string>> = {}) =>
  (values: unknown): unknown =>
    !isRecord(values)
      ? values
      : Object.fromEntries(
          Object.entries(values).map(([key, value]) => [
            key,
            Object.hasOwn(dependencies, key) ? trafficValuesOf(value, [dependencies[key]!], undefined) : value,
          ]),
        );

const DEFINES = /\{\{-?\s*define\b/;
const KIND_AT_TOP = /^kind:[ \t]*(.*)$/gm;
const API_VERSION_AT_TOP = /^apiVersion:[ \t]*(.*)$/m;
// Actions that output nothing: control flow, comments, variable assignments.
const ACTION_OR_BLANK = /^[ \t]*(?:\{\{-?\s*(?:if|else|end|range|with|\/\*|\$\w*\s*:?=)[^}]*\}\}[ \t]*|#.*)?\r?$/;

/**
 * Whether a chart template, whatever its values, renders no traffic config: each of its documents
 * names its apiVersion and kind literally at its top, of a kind no family reads and no GitOps tool
 * acts on, and it defines no named template another could include. A wrapper chart's own
 * ImageUpdater edited beside a remote dependency it cannot fetch renders the same traffic
 * (pf56/home-ops: every app added also edits the image updater's list).
 */
function rendersNoTrafficKind(text: string | undefined): boolean {
  if (text === undefined || DEFINES.test(text)) return false;
  return text.split(/^---.*$/m).every((document) => {
    if (document.split("\n").every((line) => ACTION_OR_BLANK.test(line))) return true;
    const kinds = [...document.matchAll(KIND_AT_TOP)].map(([, written]) => headerWord(written));
    const apiVersion = headerWord(API_VERSION_AT_TOP.exec(document)?.[1]);
    const [kind] = kinds;
    if (kinds.length !== 1 || !kind || !/^[A-Za-z]\w*$/.test(kind) || !/^[\w.-]+(?:\/[\w.-]+)?$/.test(apiVersion)) return false;
    return !deliveryKinds.includes(kind) && kindSpecFor(groupOf(apiVersion), kind, document) === undefined && !trafficKindNames.has(kind);
  });
}

/** A template without an action: helm emits it as it is written. */
const literal = (text: string | undefined): boolean => text !== undefined && templateAt(text) === -1;

/** A header line's value as written: without its comment and quotes. */
const headerWord = (written: string | undefined): string =>
  (written ?? "")
    .replace(/#.*$/, "")
    .trim()
    .replace(/^["']|["']$/g, "");

/**
 * Of a chart nothing installs that cannot be rendered, what the PR changes in the traffic config
 * its actions write: the first template at head holding an action and a document of a traffic or
 * delivery kind that it adds or edits, or, beside one, a values file or helper it edits. What a
 * chart holds must not vanish because it cannot be rendered offline: its templates without an
 * action are read as written, but one with actions only a render shows (a templated Gateway added
 * to a chart whose defaults fail its `required` values passed as a chart listed unrendered). An
 * edit that only writes an action where a literal stood, or a literal where an action stood, line
 * for line, changes nothing the review can see: the values come from an installer outside the
 * repository on both sides (linde/gke-multi-cluster-examples a81d4882ed: a route's backend and a
 * Deployment's names became `{{ .Values.app }}`, stopping the chart's render, and are listed on
 * both sides). Undefined when nothing of it changes so, or the chart is gone at head.
 */
export function templatedTrafficChanged(
  before: RenderRoot | undefined,
  baseText: TreeTexts,
  after: RenderRoot | undefined,
  headText: TreeTexts,
): string | undefined {
  if (after?.run.tool !== "helm" || (before && before.run.tool !== "helm")) return undefined;
  const templates = after.inputs.filter((input) => TEMPLATES_FOLDER.test(input));
  const traffic = templates.filter((input) => writesTrafficThroughActions(input, headText.get(input)));
  if (traffic.length === 0) return undefined;
  const edited = traffic.find(editedTemplate(baseText, headText));
  if (edited !== undefined) return edited;
  const values = valuesFilesOf(after);
  const helpers = templates.filter((input) => !isYamlFile(input) || posix.basename(input).startsWith("_"));
  return (
    [...values].find(
      (input) => baseText.get(input) !== headText.get(input) && !sameButWorkloadValues(baseText.get(input), headText.get(input)),
    ) ?? helpers.find((input) => baseText.get(input) !== headText.get(input))
  );
}

const TEMPLATES_FOLDER = /(?:^|\/)templates\//;

/** Whether a chart's template holds an action and a document of a traffic or delivery kind. */
const writesTrafficThroughActions = (input: string, text: string | undefined): boolean =>
  text !== undefined && TEMPLATES_FOLDER.test(input) && isYamlFile(input) && templateAt(text) !== -1 && namesTrafficKind(text);

/**
 * Whether the PR adds, edits or removes a template in more than writing an action where a literal
 * stood, line for line, or the reverse (see templatedTrafficChanged).
 */
const editedTemplate =
  (baseText: TreeTexts, headText: TreeTexts) =>
  (input: string): boolean => {
    const [a, b] = [baseText.get(input), headText.get(input)];
    return a === undefined || b === undefined || !sameButParameters(a, b);
  };

/**
 * Of a chart nothing installs, rendered with its own values, the templates the PR adds or edits
 * that write a traffic or delivery kind through actions (as templatedTrafficChanged reads them; one
 * gone at head is no traffic config the PR makes) but from which helm emitted no document at either side: its defaults switch them off, the
 * values of its installer outside the repository switch them on, and both renders are empty where
 * the PR changed what it applies (aws-samples/eks-blueprints-add-ons: an app-of-apps chart whose
 * every `enable` is false; 16 commits moved ingress Applications to another namespace or changed
 * their values and destinations, with no finding). `emitted` holds each side's `# Source:` paths,
 * as helm names them (`<chart>/templates/web.yaml`, `<chart>/charts/<dependency>/templates/…`).
 */
export function gatedTrafficTemplates(
  before: RenderRoot | undefined,
  baseText: TreeTexts,
  after: RenderRoot | undefined,
  headText: TreeTexts,
  emitted: { readonly base: readonly string[]; readonly head: readonly string[] },
): string[] {
  const rendered = new Set(
    [...(before ? emitted.base.map(repositoryPathOf(before)) : []), ...(after ? emitted.head.map(repositoryPathOf(after)) : [])].flatMap(
      (path) => path ?? [],
    ),
  );
  return (after?.inputs ?? []).filter(
    (input) => !rendered.has(input) && writesTrafficThroughActions(input, headText.get(input)) && editedTemplate(baseText, headText)(input),
  );
}

/** The repository file a `# Source:` path of a chart's render came from: its own, or a dependency's put under its `charts/`. */
const repositoryPathOf =
  (root: RenderRoot) =>
  (source: string): string | undefined => {
    if (root.run.tool !== "helm") return undefined;
    const inChart = source.slice(source.indexOf("/") + 1);
    const [, name, rest] = /^charts\/([^/]+)\/(.*)$/.exec(inChart) ?? [];
    const dependency = root.run.dependencies?.find((entry) => entry.name === name);
    return dependency ? posix.join(dependency.path, rest!) : posix.join(root.run.chart, inChart);
  };

/** Whether a template names a traffic or delivery kind at the top of one of its documents (`kind: Gateway`). */
const namesTrafficKind = (text: string): boolean =>
  [...text.matchAll(KIND_AT_TOP)].some(([, written]) => {
    const kind = headerWord(written);
    return trafficKindNames.has(kind) || deliveryKinds.includes(kind);
  });

/**
 * Whether two texts of a template are the same line for line but where one writes an action and the
 * other a literal it may stand for, and but for whitespace at the ends of lines and of the file, which
 * YAML reads as nothing (eks-blueprints-add-ons 0e8acd41f3: "remove white spaces" in 33 templates).
 */
function sameButParameters(before: string, after: string): boolean {
  const lines = (text: string) =>
    text
      .trimEnd()
      .split("\n")
      .map((line) => line.trimEnd());
  const [a, b] = [lines(before), lines(after)];
  return a.length === b.length && a.every((line, at) => line === b[at] || standsFor(line, b[at]!) || standsFor(b[at]!, line));
}

/** Whether a line with actions reads as a literal line once each action is some text. */
const standsFor = (templated: string, written: string): boolean =>
  templateAt(written) === -1 &&
  templateAt(templated) !== -1 &&
  new RegExp(
    `^${templated
      .split(/\{\{.*?\}\}/)
      .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  ).test(written);

/** Kustomization fields that only set workloads' containers and replica counts: no traffic kind has either. */
const WORKLOAD_FIELDS = ["images", "replicas"];

/**
 * A kustomization's `patchesStrategicMerge` as `kustomize edit fix` rewrites it (kustomize v5
 * deprecates the field): each entry in `patches` with just its `path`, or its inline `patch`. The
 * same patches either way, so the rewrite alone renders alike (argo-rollouts b14679b7).
 */
function fixedPatches(fields: Record<string, unknown>): Record<string, unknown> {
  // Beside patches of its own, kustomize applies the strategic merges first: read as written then.
  if (!Array.isArray(fields.patchesStrategicMerge) || list(fields.patches).length > 0) return fields;
  const { patchesStrategicMerge: strategic, ...rest } = fields;
  const asPatch = (entry: unknown) =>
    typeof entry !== "string" ? { patch: entry } : entry.includes("\n") ? { patch: entry } : { path: entry };
  return { ...rest, patches: (strategic as unknown[]).map(asPatch) };
}

/**
 * Of the values of the charts `entries` of kustomizations' `helmCharts` inflate, what a known chart
 * renders into traffic config, when every entry pulls the same known chart (known-charts.ts), as
 * for a release of it: bjw-s's app-template inflated by kustomize had its `env` or `resources`
 * edits block as a render that cannot be done, where the same edit in a HelmRelease passed. No
 * family reads a kustomization's chart values (its render consumes them), so none are the
 * release's `own`: istiod's `meshConfig` and k8gb's topology still count there.
 */
const knownChartOf = (entries: readonly unknown[]): ((values: unknown) => unknown) => {
  const pulled = entries.map(pulledChart);
  if (!pulled.every((source) => source !== undefined)) return same;
  return (values) => trafficValuesOf(values, pulled, undefined);
};

/**
 * Whether two versions of a kustomization differ at most in WORKLOAD_FIELDS (an image bump), or in
 * what only sets how workloads run in the inline values of a chart it inflates (see
 * withoutWorkloadSettings), or of a known chart, in what renders no traffic config (knownChartOf).
 */
function sameButWorkloads(before: string | undefined, after: string | undefined): boolean {
  if (before === after) return true;
  if (before === undefined || after === undefined) return false;
  const rest = (text: string): unknown => {
    const value: unknown = loadAsGoYaml(text);
    if (!isRecord(value)) return value;
    const fields = fixedPatches(Object.fromEntries(Object.entries(value).filter(([key]) => !WORKLOAD_FIELDS.includes(key))));
    if (!Array.isArray(fields.helmCharts)) return fields;
    const charts = fields.helmCharts.map((chart: unknown) =>
      isRecord(chart) ? { ...chart, valuesInline: withoutWorkloadSettings(knownChartOf([chart])(chart.valuesInline)) } : chart,
    );
    return { ...fields, helmCharts: charts };
  };
  try {
    return canonical(rest(before)) === canonical(rest(after));
  } catch {
    return false;
  }
}

/**
 * Groups of GitOps tools' objects: releases the render stage renders from kustomize output (a Flux
 * HelmRelease, an Argo CD Application), their sources (GitRepository, HelmRepository, OCIRepository),
 * Config Sync's RootSync and RepoSync. Changing one changes what is deployed, whatever it says.
 */
const isGitopsGroup = (group: string): boolean =>
  group.endsWith(".toolkit.fluxcd.io") || group === "argoproj.io" || group === "configsync.gke.io" || group === "kustomize.config.k8s.io";

/**
 * A file's documents of kinds a family reads or a GitOps tool acts on, in order, as parsed; the
 * others (a Deployment, a CRD, RBAC) kustomize passes through beside them without touching them.
 * Undefined where a document cannot be told (no kind, unreadable YAML).
 */
export function trafficDocuments(text: string, valuesSources: readonly DataReader[] = []): unknown[] | undefined {
  let documents: unknown[];
  try {
    documents = loadAllAsGoYaml(text);
  } catch {
    return undefined;
  }
  const traffic: unknown[] = [];
  // kubectl and kustomize apply a `kind: List` (any `*List`) as its items: a route inside one is a route.
  const items = (document: unknown): unknown[] => listItems(document)?.flatMap(items) ?? [document];
  for (const document of documents.flatMap(items)) {
    if (document == null) continue;
    if (!isRecord(document)) return undefined;
    const { apiVersion, kind } = document;
    if (typeof apiVersion !== "string" || typeof kind !== "string") return undefined;
    const group = groupOf(apiVersion);
    const read = kindSpecFor(group, kind, text) !== undefined;
    const passedThrough =
      !read &&
      !deliveryKinds.includes(kind) &&
      (!isGitopsGroup(group) || automationOnly(group, kind, text)) &&
      !readsObject(valuesSources, kind, String(record(document.metadata).name));
    if (passedThrough) continue;
    // A release no family reads itself (an Istio chart's is mesh config) counts by what it renders.
    const release = !read && group === "helm.toolkit.fluxcd.io" && kind === "HelmRelease";
    traffic.push(release ? releaseRendering(document) : document);
  }
  return traffic;
}

/**
 * A HelmRelease as far as it decides what it renders, as its helm root's fingerprint reads it: its
 * chart (not how the chart's source polls) and its values but for what only sets how workloads run.
 * A kustomize root holding every app's release beside a remote base re-rendered, and so could not
 * render, at each Renovate image bump (toboshii/home-ops, 44 of 60 commits).
 */
function releaseRendering(document: Record<string, unknown>): unknown {
  if (!isRecord(document.spec)) return document;
  const spec = Object.fromEntries(Object.entries(document.spec).filter(([field]) => !RELEASE_OPERATION_FIELDS.has(field)));
  const chart = isRecord(spec.chart) ? { ...spec.chart, spec: chartContent(spec.chart.spec) } : spec.chart;
  return { ...document, spec: { ...spec, chart, values: withoutWorkloadSettings(spec.values) } };
}

/**
 * Whether two versions of a resource file hold the same traffic documents, whatever else changed
 * beside them (ingress-nginx 0f61d9d0 bumped the controller image in 24 `deploy.yaml` files that also
 * hold its IngressClass and Services: 48 renders for nothing, past the render budget).
 */
function sameTraffic(a: string | undefined, b: string | undefined, valuesSources: readonly DataReader[]): boolean {
  const [before, after] = [
    a === undefined ? [] : trafficDocuments(a, valuesSources),
    b === undefined ? [] : trafficDocuments(b, valuesSources),
  ];
  return (
    before !== undefined &&
    after !== undefined &&
    before.length === after.length &&
    before.every((document, index) => canonical(document) === canonical(after[index]))
  );
}

/**
 * Argo Workflows' and Argo Events' objects share Argo CD's group but deploy nothing from the tree:
 * a Sensor submits a Workflow, a Workflow runs steps. One is no GitOps object while its text names
 * no traffic or delivery kind anywhere (a trigger's embedded resource is written out in it)
 * (vfarcic/argo-combined-demo: 23 of 80 commits blocked on Sensor edits below a remote base).
 */
const ARGO_AUTOMATION_KINDS = new Set([
  "Workflow",
  "WorkflowTemplate",
  "ClusterWorkflowTemplate",
  "CronWorkflow",
  "WorkflowEventBinding",
  "Sensor",
  "EventSource",
  "EventBus",
]);
const automationOnly = (group: string, kind: string, text: string): boolean =>
  group === "argoproj.io" &&
  ARGO_AUTOMATION_KINDS.has(kind) &&
  namedKinds(text).every((named) => !trafficKindNames.has(named) && !deliveryKinds.includes(named));

/**
 * Whether a kustomize root applies the same traffic config at base and head although its inputs
 * differ: its kustomizations are the same (none added or removed, none edited beyond its images,
 * replicas and what only sets how workloads run in a chart's inline values), every values file of a
 * chart it inflates differs at most there too, and every other file that changed is one they never
 * read (below a folder they read, listed by none) or a resource file (not a patch or generator input they name, not one they
 * list that appears or disappears, nor accumulated by a kustomization that lets one resource reach
 * another: see RenderRoot.crossed) whose traffic documents are the same before and after (none, or
 * the same ones). Such a root needs no render, which a remote base or a tree kustomize refuses may
 * not allow: an image bump or an RBAC edit below a remote base is no render that "could not be
 * done" (kubeflow/manifests).
 */
export function trafficUnchanged(before: RenderRoot, baseText: TreeTexts, after: RenderRoot, headText: TreeTexts): boolean {
  if (before.run.tool !== "kustomize" || JSON.stringify(before.run) !== JSON.stringify(after.run)) return false;
  if (before.releaseFingerprint !== undefined || after.releaseFingerprint !== undefined) return false;
  const inputs = [...new Set([...before.inputs, ...after.inputs])];
  const kustomizations = inputs.filter(isKustomizationFile);
  const named = new Set<string>([...(before.crossed ?? []), ...(after.crossed ?? [])]);
  const listed = new Set([...before.consumes, ...after.consumes]);
  /** The files of generators whose ConfigMap or Secret no traffic config reads, and the resources listed by path. */
  const [unread, resources] = [new Set<string>(), new Set<string>()];
  /** Each values file of a chart kustomize inflates, with the `helmCharts` entries naming it. */
  const chartValues = new Map<string, unknown[]>();
  for (const file of kustomizations) {
    if (!sameButWorkloads(baseText.get(file), headText.get(file))) return false;
    const fields = kustomizationFields(baseText.get(file));
    const at = (entry: string) => normalize(posix.join(folderOf(file), entry));
    const reaching = localFilesNamedBy(withoutUnreadGenerators(fields, folderOf(file), [baseText, headText]));
    for (const entry of reaching) named.add(at(entry));
    for (const entry of localFilesNamedBy(fields)) if (!reaching.includes(entry)) unread.add(at(entry));
    for (const entry of resourceEntries(fields)) resources.add(at(entry));
    for (const chart of list(fields.helmCharts))
      for (const values of valuesFilesOfChart(chart)) chartValues.set(at(values), [...(chartValues.get(at(values)) ?? []), chart]);
    // Kustomize reads the charts it inflates from their chart home, a chart's templates with it.
    if (Array.isArray(fields.helmCharts) && fields.helmCharts.length > 0)
      for (const input of inputs.filter(insideFolder(at(chartHomeOf(fields))))) named.add(input);
  }
  // Read once, when a changed resource file's documents are compared.
  let valuesSources: DataReader[] | undefined;
  return inputs.every((input) => {
    const [a, b] = [baseText.get(input), headText.get(input)];
    if (a === b || isKustomizationFile(input) || (a !== undefined && b !== undefined && isYamlFile(input) && sameYamlContent(a, b)))
      return true;
    // A file a kustomization lists that appears or disappears decides whether the root builds at all.
    if ((a === undefined || b === undefined) && listed.has(input)) return false;
    // A chart's values are judged as a release's are: a chart places what only sets how its
    // containers run in its workloads (swibrow/home-ops: Renovate's image bumps in the values of
    // app-template charts kustomize inflates, 21 of 40 commits blocked).
    const charts = chartValues.get(input);
    if (charts) return sameButWorkloadValues(a, b, knownChartOf(charts));
    // A generator's file makes a ConfigMap or Secret that reaches traffic only through what reads it
    // (unread-generators.ts): an exporter's config edited beside a route is none.
    if (unread.has(input) && !named.has(input) && !resources.has(input)) return true;
    if (!isYamlFile(input) || named.has(input)) return false;
    // Below a folder the root reads but named by none of its kustomizations (the path of a Flux
    // Kustomization the root only lists), kustomize never reads it (JJGadgets/Biohazard: an app's
    // HelmRelease below its flux root's ks.yaml, 50 of 50 commits). A chart home's files are named:
    // a kustomization inflating charts crosses its whole folder (RenderRoot.crossed).
    if (!listed.has(input)) return true;
    valuesSources ??= dataSourcesIn(inputs.flatMap((path) => [baseText.get(path), headText.get(path)]));
    return sameTraffic(a, b, valuesSources);
  });
}

/**
 * Whether base and head differ only in the versions of remote sources the policy trusts
 * (`render.trusted`): a Renovate bump of a chart or of a release manifest whose releases the team
 * reviews elsewhere (bjw-s-labs/home-ops: 71 of 200 commits blocked on OCI chart bumps;
 * fluxcd/flux2-multi-tenancy: 25 of 94 on Kyverno's). A values, patch or source change still needs
 * the render, as does a source the policy does not name. A root that fetches more than one source
 * needs only those that move trusted: the others, as written, fetch what they fetched before
 * (onedr0p/cluster-template: a trusted chart's HelmRelease bumped beside a remote base no policy names).
 */
export function onlyTrustedVersionsMoved(
  before: RenderRoot,
  baseText: TreeTexts,
  after: RenderRoot,
  headText: TreeTexts,
  trusted: (source: string) => boolean,
): boolean {
  if (!before.fetches || !after.fetches) return false;
  if (before.releaseFingerprint !== undefined || after.releaseFingerprint !== undefined) {
    // An OCI artifact the values name at another version is a source that moved: the policy must trust it as well.
    const [was, is] = [new Set(before.artifactVersions), new Set(after.artifactVersions)];
    const moved = [...[...was].filter((artifact) => !is.has(artifact)), ...[...is].filter((artifact) => !was.has(artifact))];
    return (
      [...before.fetches, ...after.fetches, ...moved.map((artifact) => artifactRepository(artifact)!)].every(trusted) &&
      before.unpinnedFingerprint !== undefined &&
      before.unpinnedFingerprint === after.unpinnedFingerprint
    );
  }
  return onlyTrustedVersionsDiffer(before, baseText, after, headText, trusted);
}

/**
 * Whether a HelmRelease the PR removes whole (no release of its name at head, wherever it moved)
 * needs no render: its chart comes only from sources the policy trusts (`render.trusted`: what they
 * render holds no traffic config it governs) and its values switch on none (valuesAskNoTraffic), so
 * what the removal takes away is nothing of traffic. Its values asking for an ingress or a route,
 * one unread (a `valuesFrom` source the tree does not hold), or a source not trusted: the render it
 * cannot have still blocks (Diaoul/home-ops 385f676387: openebs removed with its trusted OCI chart).
 */
export function removedWithTrustedChart(
  before: RenderRoot,
  head: Iterable<RenderRoot>,
  headText: TreeTexts,
  trusted: (source: string) => boolean,
): boolean {
  const { installer, fetches } = before;
  if (installer?.kind !== "HelmRelease" || !before.valuesAskNoTraffic || !fetches || fetches.length === 0 || !fetches.every(trusted))
    return false;
  // A namespace one side leaves unset may be the other's: the same name there is the same release.
  const same = (other: RenderRoot["installer"]) =>
    other?.kind === "HelmRelease" &&
    other.name === installer.name &&
    (other.namespace === installer.namespace || other.namespace === "" || installer.namespace === "");
  // Its document still written at head is no removal, whether or not head's plan found it (a
  // kustomization the PR breaks plans none of the releases it renders).
  return ![...head].some((root) => same(root.installer)) && !writesRelease(headText, installer.name);
}

/**
 * Of a release, the controller its chart installs, with what it serves: a chart a family names
 * (Family.controllerCharts: ingress-nginx, cert-manager, external-dns), by the name its sources end
 * in; else one whose chart or release name holds a class or issuer the tree's manifests name at
 * head (ControllerCharts.classes: bitnami's nginx-ingress-controller for Ingresses of class
 * `nginx`), said; undefined for any other. Removed, it takes away what the tree still routes, names
 * or secures through it, which what the chart renders, all the policy's `render.trusted` vouches
 * for, does not show (fluxcd/flux2-kustomize-helm-example 242c5b1eb1: ingress-nginx removed beside
 * the Ingresses of its class was low under `trusted: ["**"]`, while its delivering Kustomization
 * removed was high).
 */
export function controllerOf(
  root: RenderRoot,
  headText: TreeTexts,
): { readonly chart: string; readonly serves: readonly string[]; readonly named?: string } | undefined {
  const charts = (root.fetches ?? []).map((source) => posix.basename(source).replace(/[@:].*$/, ""));
  for (const chart of charts) {
    const serves = CONTROLLER_CHARTS.get(chart);
    if (serves !== undefined) return { chart, serves };
  }
  const names = [...charts, root.installer?.name ?? ""].map((name) => name.toLowerCase());
  for (const [serve, classes] of classesNamed(headText))
    for (const named of classes)
      if (named.length >= 3 && names.some((name) => name.includes(named.toLowerCase())))
        return { chart: charts[0] ?? "", serves: [serve], named };
  return undefined;
}

/** The classes and issuers a tree's manifests name, by what their controller serves (ControllerCharts.classes); read once per tree. */
function classesNamed(texts: TreeTexts): ReadonlyMap<string, ReadonlySet<string>> {
  let named = namedClasses.get(texts);
  if (named === undefined) {
    const found = new Map<string, Set<string>>();
    for (const [path, content] of texts)
      if (isYamlFile(path))
        for (const { serve, pattern } of CONTROLLER_CLASSES)
          for (const [, name] of content.matchAll(pattern)) found.set(serve, (found.get(serve) ?? new Set()).add(name!));
    namedClasses.set(texts, (named = found));
  }
  return named;
}

const namedClasses = new WeakMap<TreeTexts, ReadonlyMap<string, ReadonlySet<string>>>();

/**
 * Whether a tree's files write a HelmRelease of this name; a file that does not parse, wherever it
 * names it. Read once per tree.
 */
function writesRelease(texts: TreeTexts, name: string): boolean {
  let written = releasesWritten.get(texts);
  if (!written) {
    const names = new Set<string>();
    const unread: string[] = [];
    for (const [path, content] of texts) {
      if (!isYamlFile(path) || !/\bHelmRelease\b/.test(content)) continue;
      try {
        for (const document of loadAllAsGoYaml(content)) {
          const named = isRecord(document) && document.kind === "HelmRelease" ? text(record(document.metadata).name) : undefined;
          if (named !== undefined) names.add(named);
        }
      } catch {
        unread.push(content);
      }
    }
    releasesWritten.set(texts, (written = { names, unread }));
  }
  return written.names.has(name) || written.unread.some((content) => content.includes(name));
}

const releasesWritten = new WeakMap<TreeTexts, { readonly names: ReadonlySet<string>; readonly unread: readonly string[] }>();

/**
 * Whether a root's inputs differ only in the versions of remote sources the policy trusts, read in
 * its files (see onlyTrustedVersionsMoved), whatever else it fetches or fails on: a root that fails
 * alike at base and head with no more than such a bump is Flux's failure before and after alike
 * (coolguy1771/home-ops 0430074643: app-template bumped in 24 apps, one of whose Flux Kustomizations
 * names a component the tree does not hold, blocked as a render that could not be done).
 */
export function onlyTrustedVersionsDiffer(
  before: RenderRoot,
  baseText: TreeTexts,
  after: RenderRoot,
  headText: TreeTexts,
  trusted: (source: string) => boolean,
): boolean {
  if (JSON.stringify(before.run) !== JSON.stringify(after.run) || before.inputs.join("\0") !== after.inputs.join("\0")) return false;
  // A remote kustomize resource carries its version in its URL: the kustomizations must say the
  // same but for the versions in trusted URLs, in the root's own and in any other its folders hold
  // (Kong's config/crd/incubator, beside the config/crd that config/default reads), layout aside.
  // The glob vouches for the source's releases, not for every file or folder it names: another
  // file of the same release (`…/v1.0.0/install.yaml` → `…/v1.0.0/allow-all.yaml`) is a change.
  const unpinned = (text: string | undefined): string | undefined => {
    const mask = (list: unknown) =>
      Array.isArray(list)
        ? list.map((entry) => (typeof entry === "string" && REMOTE.test(entry) && trusted(entry) ? unversionedRemote(entry) : entry))
        : list;
    try {
      const fields: unknown = loadAsGoYaml(text ?? "");
      if (!isRecord(fields)) return text;
      // A chart kustomize inflates carries its version in its `helmCharts` entry.
      const charts = Array.isArray(fields.helmCharts)
        ? fields.helmCharts.map((chart) =>
            isRecord(chart) && typeof chart.repo === "string" && typeof chart.name === "string" && trusted(chartAt(chart.repo, chart.name))
              ? without(chart, "version")
              : chart,
          )
        : fields.helmCharts;
      return canonical({
        ...fields,
        resources: mask(fields.resources),
        bases: mask(fields.bases),
        components: mask(fields.components),
        helmCharts: charts,
      });
    } catch {
      return text;
    }
  };
  // A chart's dependencies carry their versions in its Chart.yaml: it must render the same but for
  // trusted dependencies' versions.
  const trustedDependency = (dependency: unknown): boolean =>
    isRecord(dependency) &&
    typeof dependency.name === "string" &&
    typeof dependency.repository === "string" &&
    trusted(chartAt(dependency.repository, dependency.name));
  const unpinnedChart = chartAsRendered(before, baseText, headText, (dependency) =>
    trustedDependency(dependency) ? without(dependency, "version") : dependency,
  );
  // A resource file kustomize lists carries the versions of the Flux sources it declares: a
  // HelmRelease's chart `version` where its chart is trusted on both sides (and in its values, the
  // version of an OCI artifact the policy trusts), an OCIRepository's `ref` where its URL is, an
  // Application chart source's `targetRevision` where its chart is. Any other document, or field,
  // must say the same.
  const trustedRelease = (id: string): boolean =>
    [before.releaseFetches?.[id], after.releaseFetches?.[id]].every((fetches) => fetches !== undefined && fetches.every(trusted));
  const unpinnedResources = (path: string, written: string): string => {
    const unpinnedDocument = (document: unknown): unknown => {
      if (!isRecord(document) || !isRecord(document.spec) || typeof document.apiVersion !== "string") return document;
      const { apiVersion, kind, spec } = document;
      const metadata = record(document.metadata);
      if (
        groupOf(apiVersion) === "helm.toolkit.fluxcd.io" &&
        kind === "HelmRelease" &&
        trustedRelease(helmRootId(path, `${text(metadata.namespace) ?? "default"}/${text(metadata.name) ?? ""}`))
      )
        return {
          ...document,
          spec: {
            ...spec,
            chart: { ...record(spec.chart), spec: without(record(spec.chart).spec, "version") },
            values: withoutArtifactVersions(spec.values, trusted),
          },
        };
      if (groupOf(apiVersion) === "source.toolkit.fluxcd.io" && kind === "OCIRepository" && trusted(text(spec.url) ?? ""))
        return { ...document, spec: without(spec, "ref") };
      // An Application's chart source: its targetRevision is the chart's version (a path source's is a git revision).
      if (groupOf(apiVersion) === "argoproj.io" && kind === "Application") {
        const count = (spec.source === undefined ? 0 : 1) + list(spec.sources).length;
        const name = text(metadata.name) ?? "";
        const unpinnedSource = (source: unknown, index: number) =>
          isRecord(source) && typeof source.chart === "string" && trustedRelease(applicationSourceRoot(path, name, index, count))
            ? without(source, "targetRevision")
            : source;
        const offset = spec.source === undefined ? 0 : 1;
        return {
          ...document,
          spec: {
            ...spec,
            ...(spec.source === undefined ? {} : { source: unpinnedSource(spec.source, 0) }),
            ...(Array.isArray(spec.sources)
              ? { sources: spec.sources.map((source, index) => unpinnedSource(source, offset + index)) }
              : {}),
          },
        };
      }
      return document;
    };
    try {
      return canonical(loadAllAsGoYaml(written).map(unpinnedDocument));
    } catch {
      return written;
    }
  };
  const values = valuesFilesOf(before);
  return before.inputs.every((input) => {
    const [a, b] = [baseText.get(input), headText.get(input)];
    if (a === b) return true;
    if (isKustomizationFile(input)) return unpinned(a) === unpinned(b);
    if (values.has(input)) return sameButWorkloadValues(a, b, knownDependencies(before.dependencySources));
    if (isChartFile(input)) return unpinnedChart(input, a) === unpinnedChart(input, b);
    return (
      before.run.tool === "kustomize" &&
      a !== undefined &&
      b !== undefined &&
      isYamlFile(input) &&
      unpinnedResources(input, a) === unpinnedResources(input, b)
    );
  });
}

/**
 * The releases a kustomize root lists (RenderRoot.releaseFetches) in the files the PR changes: a
 * trusted bump of the root vouches for their charts' versions too, so that the GitOps placement
 * check leaves an Application's targetRevision to it, as it does where the root renders (sholdee/home-ops
 * 4779b48625: reloader's Application bumped beside the `helmCharts` of Argo CD itself, high twice).
 */
export function releasesVouched(root: RenderRoot, baseText: TreeTexts, headText: TreeTexts): string[] {
  const changed = root.inputs.filter((input) => baseText.get(input) !== headText.get(input));
  return Object.keys(root.releaseFetches ?? {}).filter((id) => changed.some((input) => id.startsWith(helmRootId(input, ""))));
}

/** The first line where a file's two versions differ (1 for an added file), so a finding can point at the change. */
export function firstChangedLine(before: string | undefined, after: string | undefined): number {
  if (before === undefined || after === undefined) return 1;
  const a = before.split("\n");
  const b = after.split("\n");
  let line = 0;
  while (line < a.length && line < b.length && a[line] === b[line]) line++;
  return Math.min(line, Math.max(b.length - 1, 0)) + 1;
}
