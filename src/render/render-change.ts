import { spawn } from "node:child_process";
import { cp, mkdir, mkdtemp, realpath, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { createHash } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { dirname, join, posix } from "node:path";
import * as jsyaml from "js-yaml";
import picomatch from "picomatch";
import { loadManifests, type SourceFile } from "../manifests/load-manifests.js";
import { fileBytes } from "../core/source-file.js";
import { clusterScoped } from "../core/cluster-scoped.js";
import { isRecord, list, record } from "../core/json-access.js";
import { loadAllAsGoYaml, loadAsGoYaml } from "../manifests/yaml-documents.js";
import type { Policy, Topology } from "../policy/policy-schema.js";
import { compilePathScope } from "../policy/path-scope.js";
import { repositoryFiles, repositoryLinks } from "../core/rendered-paths.js";
import {
  onlyTrustedVersionsMoved,
  removedWithTrustedChart,
  controllerOf,
  onlyTrustedVersionsDiffer,
  releasesVouched,
  decisiveFirst,
  fingerprintChanges,
  deliveryPlacementOf,
  fluxBuildRoot,
  planChangeRenders,
  planRenderedHelm,
  renderKey,
  appliedAsWritten,
  rendersAlike,
  templatedTrafficChanged,
  gatedTrafficTemplates,
  rootKustomizations,
  textsOf,
  trafficUnchanged,
  type RenderRoot,
  type TemplateOptions,
  type TreeTexts,
} from "./render-plan.js";
import {
  folderOf,
  insideFolder,
  isEmptyKustomization,
  kustomizationFileIn,
  readKustomization,
  REMOTE,
  type KustomizationFields,
} from "./kustomize-tree.js";
import { linkTarget, realPaths } from "../core/repository-links.js";
import type { SymbolicLink } from "../detect/symlinks.js";
import type { RenderFailure, RenderResult, RenderedRoot, RenderedSide } from "./render-result.js";
import { renderTools, type RenderTools } from "./render-tools.js";
import {
  fluxBuilds,
  fluxSubstitutions,
  settledSubstitutions,
  substitutedCopy,
  conflictFailures,
  substituteBuild,
  type FluxSubstitutions,
  builtKustomization,
  settledBuilds,
  sortedVariables,
  type FluxBuild,
} from "./flux-substitution.js";
import { argoComponentBuilds } from "./argo-kustomize-builds.js";
import { fromWrapper, ORIGIN_WRAPPER, originKey, withoutOrigins, wrapperKustomization } from "./render-origins.js";
import { fileHoldsNoTraffic, generatedBuildHoldsNoTraffic, rendersNoTraffic } from "./traffic-free-root.js";
import { apiVersionFlags } from "./cluster-capabilities.js";
import { fluxKustomizations } from "./flux-kustomizations.js";
import { releaseKubeConfigs } from "./flux-target-namespace.js";
import { unrenderedTrust } from "./unrendered-trust.js";
import { brokenFiles, type BrokenFile } from "./broken-files.js";
import { isKustomizationFile } from "../core/kustomization-files.js";
import { fluxBuildText } from "../core/flux-build-output.js";
import { artifactRepository } from "./artifact-versions.js";

/**
 * The imperative shell of the render step: plans both trees, renders the roots whose inputs the
 * PR changes (an unchanged root renders the same on both sides, so it cannot add a finding), and
 * hands back rendered documents. Offline only: no remote base or chart is fetched, and the tools
 * run with a proxy that refuses every connection. Renders are cached by the hash of their inputs.
 */
export interface RenderOptions {
  readonly topology: Topology;
  /**
   * Whether the policy's `paths` review a file: a root whose origin (its kustomization, release or
   * chart) they leave out is neither rendered nor reported, as its raw files are not read either.
   */
  readonly reviews?: (path: string) => boolean;
  /** Whether the policy's `render.trusted` names a remote source (see onlyTrustedVersionsMoved). */
  readonly trusts?: (source: string) => boolean;
  /** Wall-clock budget for each side's renders together (ms). */
  readonly budgetMs: number;
  /** The tools; the pinned ones by default (tests may pass others). */
  readonly tools?: () => Promise<RenderTools>;
  /** Each side's symlinks: a kustomization may read a folder through one (Config Sync's shared sources). */
  readonly links?: { readonly base: readonly SymbolicLink[]; readonly head: readonly SymbolicLink[] };
  /** Each side's Flux builds, by kustomization (see fluxBuilds): their output is substituted as Flux substitutes it. */
  readonly builds?: { readonly base: FluxBuilds; readonly head: FluxBuilds };
  /**
   * Why rendering is turned off, when it is. The roots are still planned: each one the PR changes
   * so that only a render could show what it applies is reported as not rendered, as when the tools
   * are missing, and never passes unseen (a release's new hostnames, a kustomization's new patch).
   */
  readonly off?: string;
}

export const DEFAULT_RENDER_BUDGET_MS = 20_000;

/** Rendered text by input hash, for the life of the process: the App renders the same base again and again. */
const cache = new Map<string, Rendered>();
const CACHE_ENTRIES = 200;

/**
 * A render's output; of a chart, also the templates that emitted a document, by helm's `# Source:`
 * comments, which reading the output back drops (gatedTrafficTemplates).
 */
type Rendered = { readonly text: string; readonly sources?: readonly string[] };
/** `timedOut`: the tool was stopped when the side's render budget ran out. */
type Outcome = Rendered | { readonly error: string; readonly timedOut?: true };

export async function renderChange(
  base: readonly SourceFile[],
  head: readonly SourceFile[],
  options: RenderOptions,
): Promise<RenderResult> {
  const inScope = (roots: readonly RenderRoot[]) => (options.reviews ? roots.filter((root) => options.reviews!(root.origin)) : roots);
  const kubeConfigs = {
    base: releaseKubeConfigs(base, options.topology, options.links?.base),
    head: releaseKubeConfigs(head, options.topology, options.links?.head),
  };
  const [basePlan, headPlan] = planChangeRenders(base, head, options.topology, options.links, kubeConfigs);
  const placed = {
    base: deliveryPlacementOf(base, options.topology, options.links?.base),
    head: deliveryPlacementOf(head, options.topology, options.links?.head),
  };
  const texts = { base: textsOf(base), head: textsOf(head) };
  const broken = brokenFiles(texts.base, texts.head);
  const [baseRoots, headRoots] = [
    built(inScope(basePlan), options.builds?.base, base, options.links?.base),
    built(inScope(headPlan), options.builds?.head, head, options.links?.head),
  ];
  const first = await renderStage(baseRoots, headRoots, base, head, options, placed, broken);
  // Flux and Argo CD install a HelmRelease as the overlay patched it: charts named in rendered output are a second stage.
  const [baseReleases, headReleases] = [
    inScope(planRenderedHelm(base, first.base.files, options.topology, options.links?.base, kubeConfigs.base)),
    inScope(planRenderedHelm(head, first.head.files, options.topology, options.links?.head, kubeConfigs.head)),
  ];
  const second = locatedThroughRenders(
    await renderStage(baseReleases, headReleases, [...base, ...first.base.files], [...head, ...first.head.files], options, placed, broken),
    [...baseReleases, ...headReleases],
    first,
  );
  const side = (name: "base" | "head"): RenderedSide => ({
    files: [...first[name].files, ...second[name].files],
    consumed: [...first[name].consumed, ...second[name].consumed],
    origins: { ...first[name].origins, ...second[name].origins },
  });
  // A release reaches what its chart renders: its own inputs, not the overlay's files around it
  // that a rendered release's failure is located through (a Certificate beside the HelmRelease).
  const releaseInputs = new Map<string, string[]>();
  for (const root of [...baseRoots, ...headRoots, ...baseReleases, ...headReleases])
    if (root.run.tool === "helm") releaseInputs.set(root.id, [...new Set([...(releaseInputs.get(root.id) ?? []), ...root.inputs])]);
  const skipped = first.skipped ?? second.skipped;
  const trusted = [...(first.trusted ?? []), ...(second.trusted ?? [])];
  const alike = [...(first.alike ?? []), ...(second.alike ?? [])];
  return {
    roots: [...first.roots, ...second.roots],
    base: side("base"),
    head: side("head"),
    failures: [
      ...first.failures,
      ...second.failures,
      ...brokenFileFailures(broken, [...baseRoots, ...headRoots], texts, placed, options.reviews, (path) =>
        fluxBuildAppliesTraffic(path, head, texts.head, options.topology, options.links?.head),
      ),
    ].map((failure) => {
      // A build stopped by a file that no longer parses applies nothing new: what ran stays, trust included.
      const stopped = failure.trafficFree || failure.inputs.some((input) => broken.has(input));
      const trust = stopped ? [] : unrenderedTrust(releaseInputs.get(failure.id) ?? failure.inputs, texts.base, texts.head);
      return trust.length > 0 ? { ...failure, trust } : failure;
    }),
    ...(trusted.length > 0 ? { trusted } : {}),
    ...(alike.length > 0 ? { alike } : {}),
    ...(skipped !== undefined ? { skipped } : {}),
  };
}

/**
 * The releases of a render's output (planRenderedHelm: a kustomization's, an app-of-apps chart's)
 * have that virtual file as their origin, which no PR holds: a finding on what one renders, or its
 * failure, points instead at the file declaring the release (a kustomize render's origins) with the
 * chart's own inputs, then at the inputs of the root that rendered it (an overlay's patch of its
 * values), where the PR changed them, as one on the release's own render would (a HelmRelease's
 * values edited in apps/jkt/checkout-release.yaml was annotated at apps/jkt/(rendered)/kustomization.yaml:1).
 */
function locatedThroughRenders(second: RenderResult, releases: readonly RenderRoot[], first: RenderResult): RenderResult {
  const rendered = new Map(first.roots.map((root) => [root.output, root]));
  if (rendered.size === 0) return second;
  const installers = new Map(releases.map((root) => [root.id, root.installer]));
  const origins = { ...first.base.origins, ...first.head.origins };
  const located = <T extends { readonly id: string; readonly origin: string; readonly inputs: readonly string[] }>(entry: T): T => {
    const through = rendered.get(entry.origin);
    if (through === undefined) return entry;
    const installer = installers.get(entry.id);
    const declaredIn = installer && origins[originKey(entry.origin, installer.kind, installer.namespace, installer.name)];
    const own = entry.inputs.flatMap((input) => (input !== entry.origin ? [input] : declaredIn !== undefined ? [declaredIn] : []));
    return { ...entry, origin: declaredIn ?? through.origin, inputs: [...new Set([...own, ...through.inputs])] };
  };
  return { ...second, roots: second.roots.map(located), failures: second.failures.map(located) };
}

/** A tree's Flux builds, by the kustomization each builds (see fluxBuilds). */
type FluxBuilds = ReadonlyMap<string, readonly FluxBuild[]>;

/**
 * Kustomize roots as Flux builds them: a post-build substitution in their run (so in their render
 * key), and a root built differently by several Kustomizations once for each, with what that one
 * adds to its kustomization (FluxBuild.by, fluxBuildRoot).
 */
const built = (
  roots: readonly RenderRoot[],
  builds: FluxBuilds | undefined,
  files: readonly SourceFile[],
  links: readonly SymbolicLink[] | undefined,
): readonly RenderRoot[] =>
  roots.flatMap((root) => {
    const own = root.run.tool === "kustomize" ? builds?.get(root.origin) : undefined;
    if (!own) return [root];
    const written = own.some((build) => build.by) ? (files.find((file) => file.path === root.origin)?.text ?? "") : "";
    return own.flatMap((build) => {
      const { by, postBuild, components, patches, namespace } = build;
      const planned = by ? fluxBuildRoot(files, root, builtKustomization(written, build), by, links) : root;
      if (planned.run.tool !== "kustomize" || (!by && !postBuild)) return [planned];
      return [
        {
          ...planned,
          // The ConfigMaps and Secrets it substitutes from: a finding on its output points at the one the PR changed.
          ...(postBuild ? { inputs: [...new Set([...planned.inputs, ...postBuild.sources])] } : {}),
          run: {
            ...planned.run,
            ...(by ? { build: { components, patches, ...(namespace !== undefined ? { namespace } : {}) } } : {}),
            ...(postBuild ? { postBuild: { variables: sortedVariables(postBuild), complete: postBuild.complete } } : {}),
          },
        },
      ];
    });
  });

/** How a reviewer leaves out a root the review cannot render. */
const LEAVE_OUT = "exclude it with the policy's `paths` or list it with `render: { unrenderable: list }`";

/**
 * A root that fails the same way at base and head (sameFailure) is not the PR's doing, but its
 * effect is still unknown: it is said to fail at both, with base's message, and the reviewer is told
 * how to leave it out.
 */
const FAILS_ALWAYS = ` (the same failure at both: if it never renders offline, ${LEAVE_OUT})`;

/**
 * What a remote base or chart applies is unknown until it is fetched, so the root blocks. Most such
 * roots install tools that hold no traffic config, bumped by Renovate (a policy engine's release
 * manifest: fluxcd/flux2-multi-tenancy, 25 of 94 commits), and the reviewer is told how to say so:
 * by its sources, when they are all that keeps it offline.
 */
function offlineHint(
  root: RenderRoot,
  offline: string,
  trusts: ((source: string) => boolean) | undefined,
  sides: { readonly base: TreeTexts; readonly head: TreeTexts },
): string {
  if (!root.fetches) return ` (if what it reads holds no traffic config, ${LEAVE_OUT})`;
  // A kustomize root's sources are its remote entries and the charts of the HelmReleases it lists
  // in the files the PR changes, whose versions it carries too (onlyTrustedVersionsMoved): a chart
  // whose release the PR leaves alone is no cause (flux2-kustomize-gitops-demo 4e3cc8f109: a remote
  // kiali.yaml added beside untouched cert-manager and metallb releases, which the hint named). A
  // release's sources are also the OCI artifacts its values name at a version (the Flux
  // distribution a flux-instance release installs).
  const fetches = [
    ...new Set([
      ...root.fetches,
      ...releasesVouched(root, sides.base, sides.head).flatMap((id) => root.releaseFetches?.[id] ?? []),
      ...(root.artifactVersions ?? []).flatMap((artifact) => artifactRepository(artifact) ?? []),
    ]),
  ];
  // Already trusted, the sources spare a version bump a render; a PR that changes more (values, a
  // kustomization's patches) changes what they render, which only a render can show.
  if (trusts && fetches.every(trusts))
    return ` (its sources are trusted in \`render.trusted\`, which spares a render only when nothing but their versions moves: this PR changes more; if what it renders holds no traffic config you govern, ${LEAVE_OUT})`;
  // A chart's source is named where the reason does not already say it (a remote kustomize resource's
  // URL), and where the policy does not trust it already (a trusted chart's release moving an artifact it does not).
  const unnamed = fetches.filter((source) => !offline.includes(source) && !trusts?.(source));
  const [subject, them] =
    unnamed.length === 0
      ? ["its remote sources hold", "them"]
      : [`${unnamed.join(", ")} ${unnamed.length === 1 ? "holds" : "hold"}`, unnamed.length === 1 ? "it" : "them"];
  return ` (if ${subject} no traffic config you govern, trust ${them} in the policy's \`render.trusted\` so that version bumps need no render; else ${LEAVE_OUT})`;
}

/**
 * The file of a root's that the PR breaks (brokenFiles), with what is said of it: one of the
 * manifests its tool refuses whole when a document does not parse (a kustomization's files; the
 * HelmRelease or Application that installs a chart, which Flux and Argo CD refuse and leave applied
 * as it was). Its output is unknown, not removed (a values line mis-indented read as every route of
 * the release removed), nor unchanged (a note appended after the release passed).
 */
function brokenRead(root: RenderRoot | undefined, broken: ReadonlyMap<string, BrokenFile>): string | undefined {
  if (!root || broken.size === 0) return undefined;
  return manifestsReadBy(root).flatMap((file) => broken.get(file)?.said ?? [])[0];
}

/**
 * Whether the Flux Kustomizations that build the file (a root's kustomization, or a file of its
 * own) within a larger build apply traffic config: where a path holds no kustomization, Flux
 * generates one naming every file under it, and a file that stops one stops all of them (a broken
 * backup repository beside the routes). Undefined when none builds it so. Read only for what reads
 * a file the PR breaks.
 */
function fluxBuildAppliesTraffic(
  file: string,
  files: readonly SourceFile[],
  texts: TreeTexts,
  topology: Topology,
  links: readonly SymbolicLink[] = [],
): boolean | undefined {
  // Flux builds the folder its path leads to through the tree's links.
  const real = realPaths(links);
  const generated = fluxKustomizations(files, topology, links).filter(
    ({ delivery }) => delivery.destinationOf(file) && kustomizationFileIn(real(delivery.paths[0] ?? ""), texts) === undefined,
  );
  if (generated.length === 0) return undefined;
  return generated.some(
    ({ delivery }) =>
      !generatedBuildHoldsNoTraffic(
        [...texts.keys()].filter((path) => delivery.destinationOf(path)),
        texts,
      ),
  );
}

const manifestsReadBy = (root: RenderRoot): readonly string[] => (root.run.tool === "kustomize" ? root.consumes : [root.origin]);

/**
 * The files the PR breaks that a build reads but no root's render stands for: a file of GitOps
 * objects or traffic config (a cluster's Flux Kustomization, which the Kustomization of the
 * cluster's folder builds; an Application of an app-of-apps), or any file of a folder delivered to
 * a cluster that no kustomization governs (Flux generates one naming every file there). Flux and
 * Argo CD stop that build, so what it applies is unknown. A file nothing reads (an example beside
 * a README) blocks nothing, and a traffic document that no longer parses is the review's
 * `manifest.invalid` already.
 */
function brokenFileFailures(
  broken: ReadonlyMap<string, BrokenFile>,
  roots: readonly RenderRoot[],
  texts: { readonly base: TreeTexts; readonly head: TreeTexts },
  placed: { readonly base: (path: string) => string; readonly head: (path: string) => string },
  reviews: ((path: string) => boolean) | undefined,
  /** Whether the Flux builds the file is part of apply traffic config (fluxBuildAppliesTraffic). */
  buildAppliesTraffic: (path: string) => boolean | undefined,
): RenderFailure[] {
  if (broken.size === 0) return [];
  // A chart's files (its values, its templates) are helm's to read: its render says whether they do (istio/istio 7d61672e: a
  // duplicated key in a chart's values.yaml read as a build kustomize, Flux and Argo CD stop).
  const standsFor = new Set(
    roots.flatMap((root) => (root.run.tool === "helm" ? [...manifestsReadBy(root), ...root.inputs] : manifestsReadBy(root))),
  );
  const governed = roots.flatMap((root) => (root.run.tool === "kustomize" ? [insideFolder(root.run.directory)] : []));
  const objectsIn = (text: string | undefined, path: string) => (text === undefined ? undefined : loadManifests([{ path, text }]));
  return [...broken].flatMap(([path, { why, said }]) => {
    if (standsFor.has(path) || (reviews && !reviews(path))) return [];
    const [before, after] = [objectsIn(texts.base.get(path), path), objectsIn(texts.head.get(path), path)];
    if (after?.invalid.some((item) => item.message.endsWith(why))) return [];
    const delivered = (placed.base(path) !== "" || placed.head(path) !== "") && !governed.some((inside) => inside(path));
    const holdsObjects = [before, after].some((set) => set !== undefined && (set.resources.size > 0 || set.invalid.length > 0));
    if (!delivered && !holdsObjects) return [];
    // Only a build Flux generates from a folder is known to read no other file: any other reader may apply traffic config.
    const trafficFree = fileHoldsNoTraffic(texts.head.get(path)) && buildAppliesTraffic(path) === false;
    return [
      {
        id: `file ${path}`,
        origin: path,
        inputs: [path],
        reason: `cannot be read at head: ${said}; kustomize, Flux and Argo CD refuse the whole file, so the build that reads it stops${trafficFree ? ", but it applies no traffic config" : ""}`,
        gates: true,
        ...(trafficFree ? { trafficFree } : {}),
      },
    ];
  });
}

const failsAtBoth = (sides: readonly { readonly outcome: Outcome }[]): boolean => {
  // A budget that ran out says nothing of whether the root renders.
  const [base, head] = sides.map(({ outcome }) => ("error" in outcome && !("timedOut" in outcome) ? outcome.error : undefined));
  return sides.length === 2 && base !== undefined && head !== undefined && sameFailure(base, head);
};

/**
 * Whether two render errors are the same failure: equal but for where in its file the tool met it
 * (`line 12`, `:12:5`) and the temporary folder it rendered in. A duplicate key that moved down a
 * file fails alike at base and head (bcochofel/flux2-kustomize-gitops-demo 7f4964a6ee: "fails at
 * base" alone, without the hint that it never renders).
 */
export const sameFailure = (a: string, b: string): boolean => a === b || failureShape(a) === failureShape(b);

const failureShape = (error: string): string =>
  error
    .replace(/\b(line|column|col)\s+\d+/gi, "$1 N")
    .replace(/:\d+(?::\d+)?\b/g, ":N")
    .replace(/[^\s'"]*route-governor-render-[^\s'"/]*/g, "<render>");

/**
 * The unchanged roots that read a file a root rendered for the PR reads (an overlay of the same base), found
 * until none is left: a file a render reads is left to the renders (renderStage), so an unchanged
 * overlay not rendered beside a changed one lost what it applies from their shared base — the
 * ServiceExports of the clusters that were not touched, and with them the regions a
 * ServiceImport spans (a new region's overlay read as all the traffic moving there). Rendered
 * alike on both sides, they change nothing themselves. Only roots delivered somewhere (by a GitOps
 * object, to a cluster named or not, or by the policy's placements), and not those that cannot
 * render offline, nor those whose files hold no traffic config.
 */
function companionRoots(
  rendered: readonly string[],
  basePlan: ReadonlyMap<string, RenderRoot>,
  headPlan: ReadonlyMap<string, RenderRoot>,
  moved: ReadonlyMap<string, string>,
  baseText: TreeTexts,
  headText: TreeTexts,
  placed: { readonly base: (path: string) => string; readonly head: (path: string) => string },
): Set<string> {
  const consumesOf = (id: string) => [...(basePlan.get(id)?.consumes ?? []), ...(headPlan.get(id)?.consumes ?? [])];
  const shared = new Set(rendered.flatMap(consumesOf));
  const companions = new Set<string>();
  // Unchanged: on both sides, not among the renders, not a release merely moved.
  const rendering = new Set(rendered);
  const candidates = [...basePlan.keys()].filter((id) => headPlan.has(id) && !rendering.has(id) && !moved.has(id));
  for (let grown = true; grown;) {
    grown = false;
    for (const id of candidates) {
      if (companions.has(id)) continue;
      const [before, after] = [basePlan.get(id)!, headPlan.get(id)!];
      // Only what lands on a cluster places anything (an example overlay nothing delivers does not).
      if (
        before.offline !== undefined ||
        after.offline !== undefined ||
        placed.base(before.output) === "" ||
        placed.head(after.output) === ""
      )
        continue;
      if (!consumesOf(id).some((file) => shared.has(file))) continue;
      if (rendersNoTraffic(before, baseText) && rendersNoTraffic(after, headText)) continue;
      companions.add(id);
      for (const file of consumesOf(id)) shared.add(file);
      grown = true;
    }
  }
  return companions;
}

async function renderStage(
  basePlanned: readonly RenderRoot[],
  headPlanned: readonly RenderRoot[],
  base: readonly SourceFile[],
  head: readonly SourceFile[],
  options: RenderOptions,
  /** Where each side's GitOps objects deliver a path (deliveryPlacementOf). */
  placed: { readonly base: (path: string) => string; readonly head: (path: string) => string },
  /** The files the PR breaks (brokenFiles). */
  broken: ReadonlyMap<string, BrokenFile>,
): Promise<RenderResult> {
  const [baseText, headText] = [textsOf(base), textsOf(head)];
  const basePlan = new Map(basePlanned.map((root) => [root.id, root]));
  const headPlan = new Map(headPlanned.map((root) => [root.id, root]));
  const either = (id: string): RenderRoot => (headPlan.get(id) ?? basePlan.get(id))!;
  const inputsOf = (id: string): string[] =>
    decisiveFirst(either(id), [...new Set([...(basePlan.get(id)?.inputs ?? []), ...(headPlan.get(id)?.inputs ?? [])])]);
  /**
   * Whether a root that cannot be rendered blocks: one something deploys; a chart nothing installs
   * only where the PR changes traffic config its actions write (templatedTrafficChanged), said.
   */
  const gating = (id: string, gates = either(id).deployed): { readonly gates: boolean; readonly why: string } => {
    const changed = gates ? undefined : templatedTrafficChanged(basePlan.get(id), baseText, headPlan.get(id), headText);
    if (changed === undefined) return { gates, why: "" };
    return {
      gates: true,
      why: ` (nothing in the repository installs it, but the PR changes ${changed}, which writes traffic config through actions only a render resolves)`,
    };
  };
  const trusted: string[] = [];
  const alike: string[] = [];
  const moved = movedRoots(basePlan, headPlan, placed, { base: baseText, head: headText });
  /** Roots that read a file the PR breaks, with what is said of it (brokenRead), and whether their build applies traffic config. */
  const unreadable = new Map<string, { readonly said: string; readonly trafficFree: boolean }>();
  const changed = [...new Set([...basePlan.keys(), ...headPlan.keys()])].filter((id) => {
    // A moved release is not rendered (it cannot be, offline); a moved kustomization is, on each side,
    // so that its output is compared and not its files (a patch file at a new path read as added).
    if (moved.has(id) && either(id).run.tool === "helm") return false;
    const before = basePlan.get(id);
    const after = headPlan.get(id);
    // Read as written on both sides, it shows all it could apply: nothing of traffic. Asked last,
    // as it reads every file the root lists.
    const quiet = () =>
      (before === undefined || rendersNoTraffic(before, baseText)) && (after === undefined || rendersNoTraffic(after, headText));
    // A file it reads that no longer parses stops its build, whatever else the PR does to it.
    const unread = brokenRead(after, broken) ?? brokenRead(before, broken);
    if (unread !== undefined) {
      unreadable.set(id, {
        said: unread,
        trafficFree: quiet() && fluxBuildAppliesTraffic(either(id).origin, head, headText, options.topology, options.links?.head) !== true,
      });
      return true;
    }
    if (!before || !after) return !quiet();
    // Delivered to other clusters (a cluster's Flux Kustomization added, or pointed at this overlay),
    // the same output lands elsewhere: read as written, an overlay's routes showed no new region.
    if (placed.base(before.output) !== placed.head(after.output)) return !quiet();
    if (rendersAlike(before, baseText, after, headText) || trafficUnchanged(before, baseText, after, headText) || quiet()) {
      // Its installer edited, the judgment is said, so that the GitOps placement check does not take
      // the edit for a render nobody did (an app-template Application's resources bump read as high
      // "inline Helm values change what is rendered").
      if (baseText.get(before.origin) !== headText.get(after.origin)) alike.push(id);
      return false;
    }
    if (options.trusts === undefined || !onlyTrustedVersionsMoved(before, baseText, after, headText, options.trusts)) return true;
    trusted.push(id, ...releasesVouched(after, baseText, headText));
    return false;
  });
  const failures: RenderFailure[] = [];
  const runnable: string[] = [];
  /** Roots rendered without their remote resources, with why they could not be rendered whole. */
  const localOnly = new Map<string, string>();
  for (const id of changed) {
    const [before, after] = [basePlan.get(id), headPlan.get(id)];
    const unread = unreadable.get(id);
    if (unread !== undefined) {
      const { said, trafficFree } = unread;
      failures.push({
        id,
        origin: either(id).origin,
        inputs: inputsOf(id),
        reason: `${id} cannot be read at head: ${said}${trafficFree ? "; its build stops, but it applies no traffic config at either side" : ""}`,
        gates: either(id).deployed,
        ...(trafficFree ? { trafficFree } : {}),
      });
      continue;
    }
    const offlineRoot = after?.offline !== undefined ? after : before;
    const offline = offlineRoot?.offline;
    if (offline === undefined) {
      runnable.push(id);
      continue;
    }
    if (!after && options.trusts !== undefined && removedWithTrustedChart(before!, headPlan.values(), headText, options.trusts)) {
      // A controller's chart is no traffic-free removal, whatever it renders: it blocks as its
      // delivering Kustomization removed does, an unrendered root's failure (critical where it holds trust).
      const controller = controllerOf(before!, headText);
      const trusted = `${before!.fetches!.join(", ")}, the policy's \`render.trusted\``;
      failures.push({
        id,
        origin: either(id).origin,
        inputs: inputsOf(id),
        reason:
          controller === undefined
            ? `${id} removed with its trusted chart (${trusted}); its values enable no traffic config`
            : `${id} removed: chart ${controller.chart} runs the controller of ${controller.serves.join(" and ")}${controller.named === undefined ? "" : ` (its name holds ${controller.named}, which the tree's manifests still name)`}, and what the tree still routes, names or secures through it is left without one; its trust (${trusted}) vouches for what the chart renders, not for its removal`,
        gates: either(id).deployed,
        ...(controller === undefined ? { trafficFree: true as const } : {}),
      });
      continue;
    }
    // A file it lists that the PR deletes fails its build wherever it runs: that is the cause to name,
    // not the remote part that keeps it offline (gke-poc-toolkit-demos 8439124d62: argocd-sa.yaml
    // deleted, still listed beside Argo CD's remote install.yaml, read as a remote resource to trust).
    const deleted = after?.missing?.find((entry) => baseText.has(entry.path) || [...baseText.keys()].some(insideFolder(entry.path)));
    if (deleted !== undefined) {
      failures.push({
        id,
        origin: either(id).origin,
        inputs: inputsOf(id),
        reason: `${id} cannot be built at head: ${deleted.kustomization} lists ${deleted.entry}, which this PR deletes, so kustomize, Flux and Argo CD fail the build`,
        gates: either(id).deployed,
      });
      continue;
    }
    // Offline on one side only, it is that side the review cannot know (sail-operator b84b70b vendored
    // its remote bases: what they applied before the PR is what cannot be compared).
    const side = !before || !after ? "" : before.offline === undefined ? " at head" : after.offline === undefined ? " at base" : "";
    const { gates, why } = gating(id, either(id).deployed || either(id).offlineGates === true);
    const changed = before && after ? fingerprintChanges(before, after) : [];
    const what = changed.length > 0 ? `; the PR changes its ${changed.join(", ")}` : "";
    const reason = `${id} cannot be rendered offline${side}: ${offline}${what}${why}${offlineHint(offlineRoot!, offline, options.trusts, { base: baseText, head: headText })}`;
    if (before && after && onlyLocalPartChanged(before, baseText, after, headText)) {
      basePlan.set(id, withoutRemote(before));
      headPlan.set(id, withoutRemote(after));
      // Should the local part not render alone (a patch of a remote object), it is the root that cannot be rendered offline.
      localOnly.set(id, reason);
      runnable.push(id);
      continue;
    }
    failures.push({
      id,
      origin: either(id).origin,
      inputs: inputsOf(id),
      reason,
      gates,
    });
  }
  const empty: RenderResult = {
    roots: [],
    base: { files: [], consumed: [] },
    head: { files: [], consumed: [] },
    failures,
    ...(trusted.length > 0 ? { trusted } : {}),
    ...(alike.length > 0 ? { alike } : {}),
  };
  if (runnable.length === 0) return empty;

  const notRendered = (reason: string, skipped: string): RenderResult => {
    for (const id of runnable) {
      const { gates, why } = gating(id);
      failures.push({ id, origin: either(id).origin, inputs: inputsOf(id), reason: `${id} was not rendered: ${reason}${why}`, gates });
    }
    return { ...empty, skipped };
  };
  if (options.off !== undefined) return notRendered(`rendering ${options.off}`, options.off);
  let tools: RenderTools;
  try {
    tools = await (options.tools ?? renderTools)();
  } catch (error) {
    const reason = (error as Error).message;
    return notRendered(reason, `kubectl and helm are unavailable: ${reason}`);
  }
  const companions = companionRoots(runnable, basePlan, headPlan, moved, baseText, headText, placed);
  // Rendered after the roots the PR changes, so that they never starve them of the budget.
  const rendering = [...runnable, ...companions];
  const binaryOf = (files: readonly SourceFile[]) => new Set(files.flatMap((file) => (file.binary ? [file.path] : [])));
  const side = (plan: Map<string, RenderRoot>, text: TreeTexts, files: readonly SourceFile[], links: readonly SymbolicLink[]) =>
    renderAll(
      rendering.flatMap((id) => plan.get(id) ?? []),
      { text, links, binary: binaryOf(files) },
      tools,
      options.budgetMs,
      companions,
    );
  const [baseOut, headOut] = await Promise.all([
    side(basePlan, baseText, base, options.links?.base ?? []),
    side(headPlan, headText, head, options.links?.head ?? []),
  ]);

  const roots: RenderedRoot[] = [];
  /** The failures of moved kustomizations, with their folder's paths taken out. */
  const failedMoves = new Map<string, string>();
  const result = {
    base: { files: [] as SourceFile[], consumed: [] as string[], origins: {} as Record<string, string> },
    head: { files: [] as SourceFile[], consumed: [] as string[], origins: {} as Record<string, string> },
  };
  /** The files each side's kustomize renders read, with the folders of the kustomizations they read them through. */
  const kustomized = { base: new Map<string, string[]>(), head: new Map<string, string[]>() };
  for (const id of rendering) {
    const sides = [
      { name: "base" as const, root: basePlan.get(id), outcome: baseOut.get(id) },
      { name: "head" as const, root: headPlan.get(id), outcome: headOut.get(id) },
    ].flatMap(({ name, root, outcome }) => (root ? [{ name, root, outcome: outcome ?? { error: "not rendered" } }] : []));
    const failed = sides.find((entry) => "error" in entry.outcome);
    // A companion that does not render leaves the review where it was without it: its files as the other renders read them.
    if (failed && companions.has(id)) continue;
    if (failed && "error" in failed.outcome) {
      // Flux fails it before and after alike, and the PR only moves versions the policy vouches for:
      // passed as a trusted bump of a root that renders would be, not blocked for a failure it did not make.
      const [before, after] = [basePlan.get(id), headPlan.get(id)];
      const always = failsAtBoth(sides);
      if (always && options.trusts && onlyTrustedVersionsDiffer(before!, baseText, after!, headText, options.trusts)) {
        trusted.push(id, ...releasesVouched(after!, baseText, headText));
        continue;
      }
      const partner = moved.get(id);
      if (partner !== undefined) failedMoves.set(id, withoutFolder(failed.outcome.error, either(id)));
      // Both sides stay raw: a rendered side against a raw one would show differences nobody made.
      const { gates, why } = gating(id);
      failures.push({
        id,
        origin: either(id).origin,
        inputs: inputsOf(id),
        reason:
          localOnly.get(id) ??
          `${id} could not be rendered at ${always ? "base and head" : failed.name}: ${failed.outcome.error}${why}${always ? FAILS_ALWAYS : ""}`,
        gates,
      });
      continue;
    }
    const { origin, output, deployed } = either(id);
    if (!deployed) {
      const emitted = (name: "base" | "head") => {
        const outcome = sides.find((entry) => entry.name === name)?.outcome;
        return outcome && "sources" in outcome ? (outcome.sources ?? []) : [];
      };
      const gated = gatedTrafficTemplates(basePlan.get(id), baseText, headPlan.get(id), headText, {
        base: emitted("base"),
        head: emitted("head"),
      });
      if (gated.length > 0)
        failures.push({
          id,
          origin,
          inputs: [...gated, ...inputsOf(id).filter((input) => !gated.includes(input))],
          reason: `${id}: ${gated.join(", ")} ${gated.length === 1 ? "writes" : "write"} traffic or delivery config gated off by the chart's default values; not reviewed (nothing in the repository installs the chart, so it is rendered with its own values, and they render no document of ${gated.length === 1 ? "it" : "them"} at either side; the values of its installer may switch ${gated.length === 1 ? "it" : "them"} on)`,
          gates: true,
        });
    }
    roots.push({
      id,
      origin,
      output,
      inputs: inputsOf(id),
      ...(deployed ? {} : { undeployed: true as const }),
      ...(localOnly.has(id) ? { withoutRemote: true as const } : {}),
    });
    for (const { name, root, outcome } of sides) {
      if ("text" in outcome) {
        const { text, origins } = withoutOrigins(outcome.text, root.output);
        result[name].files.push({ path: root.output, text });
        Object.assign(result[name].origins, origins);
      }
      result[name].consumed.push(...root.consumes);
      if (root.run.tool === "kustomize")
        for (const file of root.consumes) kustomized[name].set(file, [...(kustomized[name].get(file) ?? []), root.run.directory]);
    }
  }
  // A kustomization moved with what it reads that fails alike in both places applies what it did:
  // the failure is no more the PR's than an unchanged root's, which is not even rendered.
  const failingAlike = (id: string) => {
    const partner = moved.get(id);
    return partner !== undefined && failedMoves.has(id) && failedMoves.get(id) === failedMoves.get(partner);
  };
  if (failedMoves.size > 0) failures.splice(0, failures.length, ...failures.filter((failure) => !failingAlike(failure.id)));
  // A file a render reads on one side is left to the renders on both: read as written on the other,
  // it would look applied there alone (an overlay's Flux Kustomization deleted: its render at base
  // against the shared base file an unchanged overlay reads as written at head moved traffic nobody
  // moved), or applied on both when it is not (an app disabled by commenting out its ks.yaml line:
  // Flux prunes it, and the review saw nothing change). Unless the kustomizations it was read
  // through are gone there and nothing else builds it: a folder's kustomization.yaml deleted, its
  // files kept, leaves them to `kubectl apply -f`, Flux's generated kustomization or an Argo CD
  // directory source, which apply them as written, and the render is compared with them
  // (asm-workshop 6f76c5d8ce: app-canary/baseline's VirtualService read as removed, and its subsets
  // as defined by no DestinationRule, though both files stayed).
  const [atBase, atHead] = [new Set(result.base.consumed), new Set(result.head.consumed)];
  const leftToRenders = (renderedAt: "base" | "head", files: readonly SourceFile[], text: TreeTexts, links?: readonly SymbolicLink[]) => {
    let applied: ((file: string) => boolean) | undefined;
    return (file: string) => {
      const through = kustomized[renderedAt].get(file);
      return (
        through === undefined ||
        through.some((folder) => kustomizationFileIn(folder, text) !== undefined) ||
        !(applied ??= appliedAsWritten(files, options.topology, links))(file)
      );
    };
  };
  const hiddenAtHead = leftToRenders("base", head, headText, options.links?.head);
  const hiddenAtBase = leftToRenders("head", base, baseText, options.links?.base);
  result.head.consumed.push(...[...atBase].filter((file) => headText.has(file) && !atHead.has(file) && hiddenAtHead(file)));
  result.base.consumed.push(...[...atHead].filter((file) => baseText.has(file) && !atBase.has(file) && hiddenAtBase(file)));
  return {
    roots,
    base: result.base,
    head: result.head,
    failures,
    ...(trusted.length > 0 ? { trusted } : {}),
    ...(alike.length > 0 ? { alike } : {}),
  };
}

/**
 * Roots whose files moved (a cluster's folder renamed: truxnell/home-cluster f49fa921 moved 114
 * releases, each a root of another id at head that cannot be rendered offline), delivered to the
 * same clusters, apply what they applied before:
 * - a release on one side only, with the same name, namespace, chart and values as one on the other
 *   side only;
 * - a kustomization on one side only whose inputs, each by its path from the root's folder, say
 *   what those of one on the other side only say (gloo-mesh-use-cases 95c1113: a folder of
 *   version-named install roots renamed, each failing alike on a file a script generates, blocked
 *   four times as renders that could not be done).
 */
function movedRoots(
  basePlan: ReadonlyMap<string, RenderRoot>,
  headPlan: ReadonlyMap<string, RenderRoot>,
  placed: { readonly base: (path: string) => string; readonly head: (path: string) => string },
  texts: { readonly base: TreeTexts; readonly head: TreeTexts },
): Map<string, string> {
  const movedKey = (root: RenderRoot, placedOn: (path: string) => string, text: TreeTexts): string | undefined => {
    if (root.run.tool === "kustomize") {
      const { directory, ...run } = root.run;
      const inputs = createHash("sha256");
      for (const input of root.inputs) inputs.update(`${posix.relative(directory, input)}\0${text.get(input) ?? ""}\0`);
      return JSON.stringify([run, inputs.digest("hex"), placedOn(root.output)]);
    }
    return root.releaseFingerprint === undefined
      ? undefined
      : JSON.stringify([root.releaseFingerprint, root.run.release, root.run.namespace, placedOn(root.output)]);
  };
  // A folder rendered on both sides moved nowhere: its root renamed (built alike by every Kustomization
  // on one side, by each its own way on the other: FluxBuild.by) is judged by its renders.
  const folders = (plan: ReadonlyMap<string, RenderRoot>) =>
    new Set([...plan.values()].flatMap((root) => (root.run.tool === "kustomize" ? [root.run.directory] : [])));
  const [baseFolders, headFolders] = [folders(basePlan), folders(headPlan)];
  const stays = (root: RenderRoot) =>
    root.run.tool === "kustomize" && baseFolders.has(root.run.directory) && headFolders.has(root.run.directory);
  const alone = new Map<string, string[]>();
  for (const [id, root] of basePlan) {
    const key = headPlan.has(id) || stays(root) ? undefined : movedKey(root, placed.base, texts.base);
    if (key !== undefined) alone.set(key, [...(alone.get(key) ?? []), id]);
  }
  const moved = new Map<string, string>();
  for (const [id, root] of headPlan) {
    const key = basePlan.has(id) || stays(root) ? undefined : movedKey(root, placed.head, texts.head);
    const partner = key === undefined ? undefined : alone.get(key)?.shift();
    if (partner !== undefined) moved.set(partner, id).set(id, partner);
  }
  return moved;
}

/** A tool's message about a kustomization with its folder's paths as `.`: the same failure wherever the folder is. */
const withoutFolder = (message: string, root: RenderRoot): string => {
  if (root.run.tool !== "kustomize" || root.run.directory === "") return message;
  // As a whole path only: a short folder name (`v1`) is a piece of many words.
  const folder = root.run.directory.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return message.replace(new RegExp(`(?<![\\w./-])${folder}(?![\\w.-])`, "g"), ".");
};

/** One side as the tools see it: its texts by path, and its links. */
interface RenderTree {
  readonly text: TreeTexts;
  readonly links: readonly SymbolicLink[];
  /** Paths whose text is the file's bytes (SourceFile.binary): written back byte for byte. */
  readonly binary: ReadonlySet<string>;
}

/** Renders the roots of one side one after another within the budget; a root it does not reach, or stops, fails saying so. */
async function renderAll(
  roots: readonly RenderRoot[],
  tree: RenderTree,
  tools: RenderTools,
  budgetMs: number,
  /** Roots rendered only while half the budget is left: their output helps, its absence loses nothing the review relies on. */
  optional: ReadonlySet<string> = new Set(),
): Promise<Map<string, Outcome>> {
  const deadline = Date.now() + budgetMs;
  const ranOut = (when: string): Outcome => ({ error: `the ${budgetMs} ms render budget ran out ${when}`, timedOut: true });
  const outcomes = new Map<string, Outcome>();
  for (const root of roots) {
    const key = renderKey(root, tree.text);
    const known = cache.get(key);
    if (known !== undefined) {
      outcomes.set(root.id, known);
      continue;
    }
    const left = deadline - Date.now();
    if (optional.has(root.id) && left < budgetMs / 2) {
      outcomes.set(root.id, ranOut("first"));
      continue;
    }
    // The tool has what is left of the budget, not a time of its own (mirceanton/home-ops: the
    // 64th root of an app-template bump "timed out after 120 ms").
    const rendered = left > 0 ? await renderOne(root, tree, tools, left) : undefined;
    const outcome = rendered === undefined ? ranOut("first") : "timedOut" in rendered ? ranOut("while it rendered") : rendered;
    if ("text" in outcome) remember(key, outcome);
    outcomes.set(root.id, outcome);
  }
  return outcomes;
}

function remember(key: string, rendered: Rendered): void {
  if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(key, rendered);
}

/**
 * Materialises the root's inputs into a fresh folder, with the tree's links that stay inside the
 * repository (kustomize follows them as the cluster's tools would), and runs the tool there.
 */
async function renderOne(root: RenderRoot, { text, links, binary }: RenderTree, tools: RenderTools, timeoutMs: number): Promise<Outcome> {
  if (root.run.tool === "kustomize" && isEmptyKustomization(text.get(root.origin))) return { text: "" };
  const work = await mkdtemp(join(tmpdir(), "route-governor-render-"));
  try {
    const tree = join(work, "tree");
    const local = root.run.tool === "kustomize" && root.run.withoutRemote === true;
    for (const input of root.inputs) {
      const content = text.get(input);
      if (content === undefined) continue;
      await mkdir(dirname(join(tree, input)), { recursive: true });
      const ownBuild = root.run.tool === "kustomize" && input === root.origin ? root.run.build : undefined;
      const asBuilt = ownBuild ? builtKustomization(content, ownBuild) : content;
      const written = local && isKustomizationFile(input) ? withoutRemoteResources(asBuilt) : asBuilt;
      await writeFile(join(tree, input), binary.has(input) ? Buffer.from(written, "latin1") : fileBytes(written));
    }
    for (const link of links) {
      if (linkTarget(link) === undefined || text.has(link.path)) continue;
      await mkdir(dirname(join(tree, link.path)), { recursive: true });
      await symlink(link.target, join(tree, link.path)).catch(() => undefined);
    }
    const at = (path: string) => join(tree, path);
    let command: string;
    let args: string[];
    if (root.run.tool === "kustomize") {
      command = tools.kubectl;
      // As Flux builds (kustomize-controller): a kustomization may read files of the repository
      // outside its folder. Argo CD refuses that by default; rendering more than it would only reviews more.
      const wrapper = join(work, ORIGIN_WRAPPER);
      await mkdir(wrapper, { recursive: true });
      await writeFile(join(wrapper, "kustomization.yaml"), wrapperKustomization(root.run.directory));
      args = ["kustomize", "--load-restrictor", "LoadRestrictionsNone", wrapper];
    } else {
      const run = root.run;
      const valuesArgs = run.valuesFiles.flatMap((path) => ["--values", at(path)]);
      if (run.inlineValues !== undefined) {
        await writeFile(join(work, "inline-values.yaml"), run.inlineValues);
        valuesArgs.push("--values", join(work, "inline-values.yaml"));
      }
      // As `helm dependency build` would for file:// dependencies: the local chart under charts/.
      for (const dependency of run.dependencies ?? [])
        await cp(at(dependency.path), join(at(run.chart), "charts", dependency.name), { recursive: true });
      command = tools.helm;
      args = [
        "template",
        run.release,
        at(run.chart),
        "--namespace",
        run.template?.releaseNamespace ?? run.namespace,
        ...valuesArgs,
        ...run.set.flatMap(({ name, value }) => ["--set", `${name}=${value}`]),
        ...templateFlags(run.template),
      ];
    }
    const home = join(work, "home");
    const environment = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: home,
      HELM_CACHE_HOME: join(home, "cache"),
      HELM_CONFIG_HOME: join(home, "config"),
      HELM_DATA_HOME: join(home, "data"),
      KUBECONFIG: join(home, "kubeconfig"),
      // Nothing is fetched: any connection a tool attempts goes to a closed port and fails.
      HTTP_PROXY: "http://127.0.0.1:9",
      HTTPS_PROXY: "http://127.0.0.1:9",
      NO_PROXY: "",
      GIT_TERMINAL_PROMPT: "0",
    };
    const inside = inRepository([tree, await realpath(tree).catch(() => tree), work, await realpath(work).catch(() => work)]);
    const started = Date.now();
    const outcome = await execute(command, args, work, timeoutMs, environment, inside);
    if ("error" in outcome) return outcome;
    if (root.run.tool === "helm") {
      let rendered = namespaced(outcome.text, root.run.namespace);
      // A HelmRelease's kustomize post-renderers patch the chart's output, in order, as Flux runs them.
      for (const [index, postRenderer] of (root.run.postRenderers ?? []).entries()) {
        if ("error" in rendered) break;
        const folder = join(work, `post-renderer-${index}`);
        await mkdir(folder, { recursive: true });
        await writeFile(join(folder, "rendered.yaml"), rendered.text);
        await writeFile(join(folder, "kustomization.yaml"), postRendererKustomization(postRenderer));
        // Within the root's budget, not a second one.
        const left = Math.max(1, timeoutMs - (Date.now() - started));
        const patched = await execute(tools.kubectl, ["kustomize", folder], work, left, environment, inside);
        rendered = "error" in patched ? { error: `its post-renderer ${index}: ${patched.error}` } : patched;
      }
      const sources = [...outcome.text.matchAll(/^# Source: (.+?)[ \t]*$/gm)].map(([, source]) => source!);
      return "error" in rendered ? rendered : { ...rendered, sources };
    }
    const { postBuild } = root.run;
    return postBuild
      ? { text: substituteBuild(outcome.text, { variables: new Map(postBuild.variables), complete: postBuild.complete }) }
      : outcome;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Helm's flags for an Argo CD source's template options, as Argo CD passes them; the cluster's APIs where it names none. */
const templateFlags = (options: TemplateOptions = {}): string[] => [
  ...(options.kubeVersion ? ["--kube-version", options.kubeVersion] : []),
  ...apiVersionFlags(options.apiVersions),
  ...(options.skipSchemaValidation ? ["--skip-schema-validation"] : []),
  ...(options.skipTests ? ["--skip-tests"] : []),
];

/**
 * Whether the PR changes only the local part of a root kept offline by remote resources alone
 * (RenderRoot.remoteResourcesOnly): the kustomizations whose builds read the remote entries, the
 * files they patch or generate with and its build are the same on both sides, so the remote objects
 * come out as they did, and the local ones, which nothing remote can reach, render alike without
 * them (vehagn/homelab 08e6ae1: an annotation added to a Gateway listed beside the Gateway API
 * release manifest blocked as a render that cannot be done). A local base's kustomization may
 * change: it acts on its own objects alone, which the render holds (kuadrant-operator 1cabbba793:
 * `config/crd` listing one more CRD under `config/deploy`'s remote operators blocked alike). So may
 * one reading remote entries that only gains or loses local entries (onlyLocalEntriesMoved) while
 * the root reads the same remote entries: its fields act on the remote objects as they did, and on
 * the local ones as rendered (flux2-kustomize-gitops-demo e290c137fd: a dnsutils Pod listed beside the
 * remote bookinfo manifest blocked as a render that cannot be done). A kustomization carrying
 * values across resources (`crossed`) is left whole.
 */
function onlyLocalPartChanged(before: RenderRoot, baseText: TreeTexts, after: RenderRoot, headText: TreeTexts): boolean {
  const [a, b] = [before.remoteResourcesOnly, after.remoteResourcesOnly];
  if (!a || !b || before.crossed || after.crossed || JSON.stringify(before.run) !== JSON.stringify(after.run)) return false;
  const transforming = new Set([...a.transforming, ...b.transforming]);
  // Local on each side that reads it: one that comes to read a remote entry is no longer.
  const local = (input: string) => (!baseText.has(input) || a.local.includes(input)) && (!headText.has(input) || b.local.includes(input));
  // An entry added that lists a remote one (a folder reading one more URL, or the same under other fields) reads more remote entries.
  const sameRemote = before.offline === after.offline;
  const kustomizationChanged = (input: string) =>
    local(input) || (sameRemote && onlyLocalEntriesMoved(baseText.get(input), headText.get(input)));
  return [...new Set([...before.inputs, ...after.inputs])].every(
    (input) =>
      baseText.get(input) === headText.get(input) || (isKustomizationFile(input) ? kustomizationChanged(input) : !transforming.has(input)),
  );
}

/** The entries a kustomization adds whole, of which a local one added or removed changes no other. */
const WHOLE_ENTRIES = ["resources", "bases"] as const;

/**
 * Whether a kustomization, read at both sides, differs only in the local entries of its `resources`
 * and `bases`: its remote entries, in order, and every other field (patches, namespace, name
 * prefixes, labels, generators, components) as they were.
 */
function onlyLocalEntriesMoved(before: string | undefined, after: string | undefined): boolean {
  const [was, is] = [readKustomization(before), readKustomization(after)];
  if (was === undefined || is === undefined) return false;
  // A list left with no entry is as absent as one never written.
  const remoteOnly = (fields: KustomizationFields) =>
    Object.entries({
      ...fields,
      ...Object.fromEntries(WHOLE_ENTRIES.map((field) => [field, fields[field]?.filter((entry) => REMOTE.test(entry))])),
    }).filter(([, value]) => value !== undefined && !(Array.isArray(value) && value.length === 0));
  return isDeepStrictEqual(new Map(remoteOnly(was)), new Map(remoteOnly(is)));
}

const withoutRemote = (root: RenderRoot): RenderRoot =>
  root.run.tool === "kustomize" ? { ...root, run: { ...root.run, withoutRemote: true } } : root;

/**
 * A kustomization without its remote `resources` and `bases` entries, nor the charts it inflates
 * (`helmCharts`, with their `helmGlobals`), nor its generators' files fetched from a URL, which make
 * objects nothing reads as traffic config (RenderRun.withoutRemote); as written when it cannot be read.
 */
function withoutRemoteResources(text: string): string {
  let fields: unknown;
  try {
    fields = loadAsGoYaml(text);
  } catch {
    return text;
  }
  if (!isRecord(fields)) return text;
  const local = (entries: unknown, path = (entry: string) => entry) =>
    Array.isArray(entries) ? entries.filter((entry) => !(typeof entry === "string" && REMOTE.test(path(entry)))) : entries;
  // A generator's `key=https://…` names its URL after the key.
  const generated = (generators: unknown) =>
    list(generators).map((generator) =>
      isRecord(generator)
        ? {
            ...generator,
            ...(generator.files !== undefined ? { files: local(generator.files, (entry) => entry.slice(entry.indexOf("=") + 1)) } : {}),
            ...(generator.envs !== undefined ? { envs: local(generator.envs) } : {}),
          }
        : generator,
    );
  const { helmCharts: _charts, helmGlobals: _globals, ...rest } = fields;
  return jsyaml.dump({
    ...rest,
    ...(fields.resources !== undefined ? { resources: local(fields.resources) } : {}),
    ...(fields.bases !== undefined ? { bases: local(fields.bases) } : {}),
    ...(fields.configMapGenerator !== undefined ? { configMapGenerator: generated(fields.configMapGenerator) } : {}),
    ...(fields.secretGenerator !== undefined ? { secretGenerator: generated(fields.secretGenerator) } : {}),
  });
}

/**
 * The kustomization of a Flux post-renderer over the chart's output: its `patches` as written, its
 * older `patchesStrategicMerge` (inline objects) and `patchesJson6902` as patches, and `images`.
 */
function postRendererKustomization(postRenderer: Readonly<Record<string, unknown>>): string {
  const patches = [
    ...list(postRenderer.patches),
    ...list(postRenderer.patchesStrategicMerge).map((patch) => ({ patch: jsyaml.dump(patch) })),
    ...list(postRenderer.patchesJson6902).map((entry) => ({ target: record(entry).target, patch: jsyaml.dump(record(entry).patch ?? []) })),
  ];
  const images = list(postRenderer.images);
  return jsyaml.dump({
    resources: ["rendered.yaml"],
    ...(patches.length > 0 ? { patches } : {}),
    ...(images.length > 0 ? { images } : {}),
  });
}

/**
 * helm template prints what its templates make without reading it back: output that is no YAML
 * Kubernetes accepts (a label written twice: "duplicated mapping key") is a release that would
 * not install, told as a failed render of that side, not a crash of the review (kubeflow/manifests).
 */
function namespaced(text: string, namespace: string): Outcome {
  try {
    return { text: inNamespace(text, namespace) };
  } catch (error) {
    return { error: `its output is not valid YAML: ${(error as Error).message.split("\n")[0]}` };
  }
}

/**
 * helm template leaves metadata.namespace out unless a template writes it; Flux and Argo CD apply
 * those documents in the release's namespace, so they are reviewed there.
 */
function inNamespace(text: string, namespace: string): string {
  return loadAllAsGoYaml(text)
    .filter((document): document is Record<string, unknown> => typeof document === "object" && document !== null)
    .map((document) => {
      const metadata = (document.metadata ?? {}) as Record<string, unknown>;
      if (metadata.namespace !== undefined || clusterScoped(String(document.kind))) return jsyaml.dump(document);
      return jsyaml.dump({ ...document, metadata: { ...metadata, namespace } });
    })
    .join("---\n");
}

/**
 * What a failed tool said, in a few lines: without kustomize's deprecation warnings, which come
 * first and pushed the error itself out of the lines kept (admiral: `bases` and
 * `patchesStrategicMerge` warnings before every error).
 */
export const toolMessage = (stderr: string): string =>
  bounded(
    stderr
      .trim()
      .split("\n")
      .filter((line) => !line.startsWith("# Warning: "))
      .slice(0, 5)
      .join(" "),
  );

const MESSAGE_CHARS = 800;

/**
 * A message a reviewer can read in a comment: kustomize quotes a whole object it refuses (a
 * ConfigMap of images, 355 KB on one line), and its reason comes last, so both ends are kept.
 */
const bounded = (message: string): string =>
  message.length <= MESSAGE_CHARS ? message : `${message.slice(0, MESSAGE_CHARS / 2)} … ${message.slice(-MESSAGE_CHARS / 2)}`;

/**
 * Paths in a tool's message as the repository's: the scratch folder a render runs in (its real
 * path too, which kustomize prints after following links) is left out, before the message is cut
 * to length. A message naming it would read worse and differ on every run, and with it the
 * finding's fingerprint that approvals bind to (gloo-mesh-use-cases 8456e25: a cut message kept
 * half the folder's random name).
 */
const inRepository =
  (trees: readonly string[]) =>
  (said: string): string =>
    fromWrapper(trees.reduce((text, tree) => text.split(`${tree}/`).join("").split(tree).join("."), said));

/** `tidy`: what the tool said, made readable before it is cut to length (see renderOne). */
function execute(
  command: string,
  args: readonly string[],
  cwd: string,
  timeoutMs: number,
  env: NodeJS.ProcessEnv,
  tidy: (said: string) => string,
): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ error: error.message });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const message = toolMessage(tidy(Buffer.concat(err).toString("utf8")));
      if (code === 0) resolve({ text: Buffer.concat(out).toString("utf8") });
      else
        resolve(signal === "SIGKILL" ? { error: `timed out after ${timeoutMs} ms`, timedOut: true } : { error: message || `exit ${code}` });
    });
  });
}

/** The render step as the adapters run it: off when the caller or the policy says so, and the report then says why. */
export async function renderForReview(
  baseTree: readonly SourceFile[],
  headTree: readonly SourceFile[],
  policy: Policy,
  given: { readonly budgetMs: number; readonly off?: string; readonly links?: RenderOptions["links"] },
): Promise<RenderResult> {
  // What the review refuses to read as the repository's (a path it reserves for rendered output) is no render's input either.
  const [base, head] = [repositoryFiles(baseTree), repositoryFiles(headTree)];
  const options = given.links
    ? { ...given, links: { base: repositoryLinks(given.links.base), head: repositoryLinks(given.links.head) } }
    : given;
  // Flux's variables are no tool run: they are read even when rendering is off, and rendered from.
  const [baseValues, headValues] = settledSubstitutions(
    fluxSubstitutions(base, policy.topology, options.links?.base),
    fluxSubstitutions(head, policy.topology, options.links?.head),
  );
  const off = options.off ?? (policy.render.enabled ? undefined : "turned off by the policy (render.enabled: false)");
  const [baseBuilds, headBuilds] = settledBuilds(
    builtAlone(base, policy, options.links?.base),
    builtAlone(head, policy, options.links?.head),
  );
  const rendered = await renderChange(asFluxBuilds(base, baseValues.texts, baseBuilds), asFluxBuilds(head, headValues.texts, headBuilds), {
    topology: policy.topology,
    reviews: compilePathScope(policy.paths, [base, head]),
    ...(policy.render.trusted.length > 0 ? { trusts: picomatch([...policy.render.trusted]) } : {}),
    budgetMs: options.budgetMs,
    ...(options.links ? { links: options.links } : {}),
    builds: { base: baseBuilds, head: headBuilds },
    ...(off !== undefined ? { off } : {}),
  });
  return {
    ...rendered,
    roots: [...rendered.roots, ...substitutedRoots(rendered, baseValues, headValues)],
    failures: [...rendered.failures, ...conflictFailures(base, head, [baseValues, headValues])],
    // Turned off, the report says so even where nothing needed a render.
    ...(off !== undefined ? { skipped: off } : {}),
    base: substitutedSide(rendered.base, baseValues),
    head: substitutedSide(rendered.head, headValues),
  };
}

/**
 * Flux builds of kustomizations that are roots of their own: one another kustomization includes is
 * rendered inside that one, from files substituted as Flux delivers them. An Argo CD source's
 * Components are added alike (argo-kustomize-builds.ts), where no Flux Kustomization builds the path.
 */
function builtAlone(files: readonly SourceFile[], policy: Policy, links: readonly SymbolicLink[] | undefined): FluxBuilds {
  const [flux, argo] = [fluxBuilds(files, policy.topology, links), argoComponentBuilds(files, links)];
  if (argo.size === 0 && flux.size === 0) return flux;
  const roots = rootKustomizations(files, links);
  return new Map([...argo, ...flux].filter(([kustomization]) => roots.has(kustomization)));
}

/**
 * The files as the render reads them: substituted, but for what a Flux build substitutes after it
 * runs (the files of its folder), and each kustomization one build makes with that build's
 * components (several builds of one write theirs in their own renders: see built).
 */
function asFluxBuilds(files: readonly SourceFile[], texts: ReadonlyMap<string, string>, builds: FluxBuilds): readonly SourceFile[] {
  if (texts.size === 0 && builds.size === 0) return files;
  const substitutedAfter = [...builds].flatMap(([kustomization, all]) =>
    all.some((build) => build.postBuild) ? [insideFolder(folderOf(kustomization))] : [],
  );
  return files.map((file) => {
    const [build, ...others] = builds.get(file.path) ?? [];
    if (build) return others.length === 0 && !build.by ? { ...file, text: builtKustomization(file.text, build) } : file;
    const text = texts.get(file.path);
    return text === undefined || substitutedAfter.some((inside) => inside(file.path)) ? file : { ...file, text };
  });
}

/**
 * A substituted file the review reads in place of the raw one, unless a render consumed it (its
 * output is substituted already); one kept apart, in a copy for each Kustomization applying it
 * (substitutedCopy), which lands on that one's clusters alone.
 */
function substitutedSide(side: RenderedSide, { texts, apart }: FluxSubstitutions): RenderedSide {
  const consumed = new Set(side.consumed);
  const own = [...texts].filter(([path]) => !consumed.has(path));
  const copied = [...apart].filter(([path]) => !consumed.has(path));
  if (own.length === 0 && copied.length === 0) return side;
  return {
    ...side,
    files: [
      ...side.files,
      ...own.map(([path, text]) => ({ path, text })),
      ...copied.flatMap(([path, each]) => each.map(({ by, text }) => ({ path: substitutedCopy(path, by), text }))),
    ],
    consumed: [...side.consumed, ...own.map(([path]) => path), ...copied.map(([path]) => path)],
  };
}

/**
 * The copies a PR changes of files kept apart, as rendered roots: a finding on one points at the
 * file it copies where the PR changed it, else at the Kustomization or the ConfigMap or Secret its
 * values come from (p02: sgp's `MTLS_MODE` in clusters/sgp-prod-1/cluster-vars.yaml).
 */
function substitutedRoots(rendered: RenderResult, base: FluxSubstitutions, head: FluxSubstitutions): RenderedRoot[] {
  const consumed = { base: new Set(rendered.base.consumed), head: new Set(rendered.head.consumed) };
  const copies = (side: FluxSubstitutions, name: "base" | "head") =>
    new Map(
      [...side.apart]
        .filter(([path]) => !consumed[name].has(path))
        .flatMap(([path, each]) => each.map((copy) => [substitutedCopy(path, copy.by), { path, ...copy }] as const)),
    );
  const [before, after] = [copies(base, "base"), copies(head, "head")];
  return [...new Set([...before.keys(), ...after.keys()])].flatMap((output) => {
    const [a, b] = [before.get(output), after.get(output)];
    if (a?.text === b?.text) return [];
    const { path, by, sources } = (b ?? a)!;
    return [
      {
        id: `flux substitution ${path} for ${fluxBuildText(by)}`,
        origin: path,
        output,
        inputs: [...new Set([path, by.file, ...(a?.sources ?? []), ...sources])],
      },
    ];
  });
}
