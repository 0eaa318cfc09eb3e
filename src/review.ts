import { reviewAnalysis, type AnalysisOutcome, type ReviewFacts, type ReviewResult } from "./governance/review-decision.js";
import { isPolicyPath, POLICY_PATH, repositoryPolicy } from "./policy/load-policy.js";
import { diffResources, unappliedDefinitions, type FileApplying } from "./diff/resource-diff.js";
import { diffRoutes, routeVersions } from "./diff/route-diff.js";
import { createManifestCache, isManifestPath, loadManifests, releaseReads, type ManifestCache } from "./manifests/load-manifests.js";
import type { SourceFile } from "./core/source-file.js";
import { resourceKey, type ManifestSet, type Resource } from "./core/resource.js";
import type { Flow } from "./core/traffic-model.js";
import { alignResourceKeys } from "./diff/resource-pairing.js";
import { namespacesLeftToApplier } from "./diff/namespace-left-to-applier.js";
import { keepUnreadable } from "./diff/unreadable-resources.js";
import { withoutMovesOutOfDelivery } from "./diff/moved-out-of-delivery.js";
import { appliedFiles, kustomizationsOf, listedWithFolder } from "./model/applied-files.js";
import { buildTrafficModel } from "./model/build-model.js";
import { compileFilePlacement, type ClusterOfFile } from "./model/file-placement.js";
import type { TreeAnalysis } from "./graph/blast-radius.js";
import { reviewGraph } from "./graph/graph-review.js";
import { excludedDeclarations } from "./graph/excluded-declarations.js";
import { graphMemo, readGraphNodes, type TrafficGraph } from "./graph/traffic-graph.js";
import { releaseSharedBodies } from "./manifests/held-body.js";
import { templateAt } from "./manifests/placeholders.js";
import { buildGitopsPlacement, type FilePlacement } from "./model/gitops-placement.js";
import { fileSites } from "./core/gitops-delivery.js";
import { compilePathScope } from "./policy/path-scope.js";
import type { Policy } from "./policy/policy-schema.js";
import { changedSource, renderedTree, sourceOfRendered, type RenderFailure, type RenderResult } from "./render/render-result.js";
import { withoutFluxBuilds } from "./core/flux-build-output.js";
import { repositoryFiles, repositoryLinks } from "./core/rendered-paths.js";
import { reservedPathFindings } from "./detect/reserved-paths.js";
import { detectorContext } from "./detect/detector-context.js";
import { handlingMoveDetections } from "./detect/handling-moves.js";
import { precedenceChanges } from "./diff/precedence-changes.js";
import { DETECTORS, fileDetections } from "./detect/detectors.js";
import type { Detection, FieldPath, Finding } from "./core/finding.js";
import { resourceChangedDetection, unexplainedChangeDetection } from "./detect/resource-changes.js";
import { routeChangeDetections } from "./detect/route-changes.js";
import { alreadyInvalid, invalidManifestFinding } from "./detect/invalid-manifests.js";
import { toFinding } from "./detect/to-finding.js";
import { riskRank } from "./core/risk-level.js";
import { classify } from "./policy/class-risk.js";
import { submoduleFile, submoduleFindings, type Submodule } from "./detect/submodules.js";
import { symlinkFindings, type SymbolicLink } from "./detect/symlinks.js";
import { writePathDetections } from "./detect/write-paths.js";
import { settledPolicies, unreadTargetNotes } from "./detect/attached-policies.js";
import { renamedResources } from "./detect/renamed-resources.js";
import { guardsLeftBehind } from "./detect/guards-left-behind.js";
import { withEntriesRenamed } from "./diff/entry-renames.js";
import { servicePorts, withNamedPortsNumbered } from "./diff/named-ports.js";
import { unservedVersionDetections } from "./detect/served-versions.js";
import { placedAsCompared, unappliedDetection, withVersionsCompared, worstComparison } from "./detect/object-versions.js";
import { unresolvedValueDetections, withUnresolvedTrust } from "./detect/unresolved-variables.js";
import { onlyPlaceholdersRespelled } from "./detect/respelled-placeholders.js";
import { readForContext } from "./manifests/kinds.js";
import { kustomizeReading } from "./render/kustomize-tree.js";
import { fluxCommonLabels, fluxTargetNamespaces } from "./render/flux-target-namespace.js";
import { unknownValuesOf } from "./render/flux-substitution.js";
import type { ResourceChange } from "./core/resource-change.js";

export type { SourceFile } from "./core/source-file.js";
export type { SymbolicLink } from "./detect/symlinks.js";
export type { Submodule } from "./detect/submodules.js";

export { POLICY_PATH } from "./policy/load-policy.js";
export { reviewAnalysis, type AnalysisOutcome, type ReviewFacts, type ReviewResult } from "./governance/review-decision.js";

export interface ChangeInput {
  readonly base: readonly SourceFile[];
  readonly head: readonly SourceFile[];
  /** The policy that governs the PR: always the base tree's (DESIGN §8). */
  readonly policy: Policy;
  readonly cache?: ManifestCache;
  /** Symbolic links of each tree, kept apart from the files: GitOps tools follow them, the loader does not. */
  readonly links?: { readonly base: readonly SymbolicLink[]; readonly head: readonly SymbolicLink[] };
  /** Submodules of each tree: GitOps tools check them out, the readers hold none of their files. */
  readonly submodules?: { readonly base: readonly Submodule[]; readonly head: readonly Submodule[] };
  /** Kustomize and Helm output rendered by the adapter before the review (DESIGN §3 "render"); absent when nothing was rendered. */
  readonly rendered?: RenderResult;
  /**
   * A full garbage collection, run where the review lets go of much of what it held: once the base
   * tree is read (what its reading left behind), once the loader drops the reads of both trees (a
   * fifth of what the review held then), once both models are built (what the base handed to the
   * head), once the bodies of what the PR leaves alone are let go, between the two graphs (the
   * tables the first outgrew) and between their reference checks. V8 would put each off until the heap had doubled, and that doubling
   * was a one-shot process's peak (src/full-collection.ts).
   */
  readonly collect?: () => void;
}

/**
 * A tree as the reports read it. Its file placement (a function) stays inside the analysis, whose
 * findings and blast radius already say where files land: the result is plain data, which the App
 * receives from the thread it runs the analysis in.
 */
export type AnalysedTree = Pick<TreeAnalysis, "manifests" | "model">;

/** An analysis as it is made: its outcome, with both trees, their models and their graphs. */
export interface Analysis extends Omit<AnalysisOutcome, "routeSources"> {
  readonly base: AnalysedTree;
  readonly head: AnalysedTree;
  /** The repo-wide traffic graphs of both trees, and what the PR reaches through them (DESIGN §7). */
  readonly graphs: { readonly base: TrafficGraph; readonly head: TrafficGraph };
}

const POLICY_RESOURCE = { group: "route-governor", kind: "Policy", namespace: "", name: POLICY_PATH };

/**
 * `established`: the base tree's analysis when this is the head: its resources are applied first, so a route the PR adds is younger; its equal flows are shared.
 * `unapplied`: of the tree placed so, the resources it does not apply, which route nothing.
 */
function analyzeTree(
  manifests: ManifestSet,
  policy: Policy,
  clusterOfFile: ClusterOfFile,
  unapplied: (placement: FilePlacement) => (resource: Resource) => boolean,
  established?: TreeAnalysis,
): TreeAnalysis {
  const placement = buildGitopsPlacement(manifests, policy.topology, clusterOfFile, established?.placement);
  // The base tree's resources by key answer which are applied already: no copy of their keys.
  const applied = established?.manifests.resources ?? new Set<string>();
  const model = buildTrafficModel(manifests, policy.topology, placement, applied, established?.model, unapplied(placement));
  return { manifests, placement, model };
}

/** A tree's policy files: one, or both spellings (which the next review refuses). */
const policyFiles = (files: readonly SourceFile[]) => files.filter((file) => isPolicyPath(file.path));
/** What a tree holds as its policy, for the finding's before and after: a file's text, or each file's when both spellings exist. */
const policyContent = (files: readonly SourceFile[]) =>
  files.length === 0 ? null : files.length === 1 ? files[0]!.text : Object.fromEntries(files.map((file) => [file.path, file.text]));

/** The trees the loader reads (rendered output in place of its inputs) and how the policy has it read them. */
export function loading(input: ChangeInput, cache: ManifestCache) {
  const { policy } = input;
  const clusterOfFile = compileFilePlacement(policy.topology.placements);
  const reviews = compilePathScope(policy.paths, [input.base, input.head]);
  return {
    clusterOfFile,
    reviews,
    baseFiles: renderedTree(input.base, input.rendered?.base),
    headFiles: renderedTree(input.head, input.rendered?.head),
    options: { scopeOf: clusterOfFile, meshValues: policy.topology.meshValues, reviews, cache },
  };
}

/**
 * The trees without what sits at a path the stages read as rendered output (core/rendered-paths.ts):
 * taken before rendered output joins them, so only the render's own output is ever read as one.
 * The review refuses what is left out in findings (reservedPathFindings).
 */
function repositoryInput(input: ChangeInput): ChangeInput {
  const links = input.links && { base: repositoryLinks(input.links.base), head: repositoryLinks(input.links.head) };
  return { ...input, base: repositoryFiles(input.base), head: repositoryFiles(input.head), ...(links ? { links } : {}) };
}

/** A value made when first asked for, once. */
const once = <T>(make: () => T): (() => T) => {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
};

export function analyzeChange(given: ChangeInput): Analysis {
  const input = repositoryInput(given);
  const { policy } = input;
  // A file unchanged between base and head is parsed once.
  const { clusterOfFile, reviews, baseFiles, headFiles, options } = loading(input, input.cache ?? createManifestCache());
  // Each tree's kustomizations say which namespace the documents of the files it reads as written
  // land in (a Flux Kustomization's targetNamespace overrides theirs), and which files are patches.
  const kustomized = (files: readonly SourceFile[], links: readonly SymbolicLink[] | undefined) => {
    const { namespaces, patches, includedBy } = kustomizeReading(files, links);
    const flux = fluxTargetNamespaces(files, policy.topology, includedBy, links);
    return {
      namespaceOf: (path: string) => flux(path) ?? namespaces.get(path),
      patchOf: (path: string) => patches.get(path),
      includedBy,
      ...(links ? { links } : {}),
      commonLabelsOf: once(() => fluxCommonLabels(files, policy.topology, includedBy, links)),
      unknownValuesOf: once(() => unknownValuesOf(files, policy.topology, includedBy, links)),
    };
  };
  const reading = { base: kustomized(input.base, input.links?.base), head: kustomized(input.head, input.links?.head) };
  // Asked only of chart and role templates without a placeholder of their own: most trees hold none.
  const templated = (files: readonly SourceFile[]) => {
    const texts = once(() => new Map(files.map((file) => [file.path, file.text])));
    return (path: string) => {
      const text = texts().get(path);
      return text !== undefined && templateAt(text) !== -1;
    };
  };
  const loadedBase = loadManifests(baseFiles, { ...options, ...reading.base, templatedElsewhere: templated(headFiles) });
  // The base's reading leaves its garbage in the old generation, where the head's would double it.
  input.collect?.();
  const loaded = alignResourceKeys(
    loadedBase,
    namespacesLeftToApplier(
      loadedBase,
      loadManifests(headFiles, { ...options, ...reading.head, templatedElsewhere: templated(baseFiles) }),
      policy.topology.clusters,
    ),
  );
  // An unreadable document the base already had blocks nothing, so it vouches for nothing either.
  const existing = alreadyInvalid({ files: baseFiles, invalid: loaded.base.invalid }, headFiles);
  const readable = keepUnreadable(loaded, (item) => !existing(item));
  const kustomizations = {
    base: once(() => kustomizationsOf(input.base.map((file) => file.path))),
    head: once(() => kustomizationsOf(input.head.map((file) => file.path))),
  };
  // Worked out once, when first asked: a PR that moves no file and writes no identity twice never does.
  const appliedIn = {
    base: once(() => appliedFiles(readable.base, kustomizations.base(), policy.topology, clusterOfFile)),
    head: once(() => appliedFiles(readable.head, kustomizations.head(), policy.topology, clusterOfFile)),
  };
  const sitesIn = {
    base: once(() => fileSites(buildGitopsPlacement(readable.base, policy.topology, clusterOfFile))),
    head: once(() => fileSites(buildGitopsPlacement(readable.head, policy.topology, clusterOfFile))),
  };
  const manifests = withoutMovesOutOfDelivery(readable, appliedIn, sitesIn, { base: kustomizations.base(), head: kustomizations.head() });
  releaseReads(options.cache);
  input.collect?.();
  const listed = {
    base: once(() => listedWithFolder(kustomizations.base(), reading.base.includedBy)),
    head: once(() => listedWithFolder(kustomizations.head(), reading.head.includedBy)),
  };
  const applying = (side: "base" | "head", placement: FilePlacement): FileApplying => ({
    clusters: fileSites(placement),
    applied: (file) => appliedIn[side]()(file),
    builtWithout: (file) => appliedIn[side]().builtWithout(file),
    archived: (file) => appliedIn[side]().archived(file),
    withFolder: (file) => listed[side]()(file),
  });
  // A version its tree does not apply routes nothing there (a stale copy of a route beside the
  // kustomization that lists the live one, deleted, removes no flow). Asked only of what the PR
  // changes: a resource it leaves alone routes alike in both trees.
  const unappliedIn = (side: "base" | "head") => (placement: FilePlacement) => {
    const other = manifests[side === "base" ? "head" : "base"];
    const unapplied = unappliedDefinitions(manifests[side], applying(side, placement));
    return (resource: Resource) =>
      other.resources.get(resource.key)?.source.text !== resource.source.text && unapplied(resource) !== undefined;
  };
  const base = analyzeTree(manifests.base, policy, clusterOfFile, unappliedIn("base"));
  const head = analyzeTree(manifests.head, policy, clusterOfFile, unappliedIn("head"), base);
  input.collect?.();
  const nodes = graphMemo();
  readGraphNodes(base.manifests, nodes);
  readGraphNodes(head.manifests, nodes);
  // What the PR leaves alone is modelled and its graph nodes read: the later stages need few of its
  // bodies. Not where the cache outlives the change (a replay): the next change would read them again.
  if (!options.cache.acrossChanges) releaseSharedBodies(base.manifests, head.manifests);
  input.collect?.();
  const appliedAs = (side: "base" | "head", path: string) => {
    const { namespaceOf, patchOf } = reading[side];
    if (!isManifestPath(path) || !reviews(path) || patchOf(path) !== undefined) return undefined;
    const namespace = namespaceOf(path);
    return namespace === undefined ? {} : { namespace };
  };
  const context = detectorContext(
    policy,
    base.manifests,
    head.manifests,
    clusterOfFile,
    input.rendered,
    { base: baseFiles, head: headFiles },
    appliedAs,
    (side, path) => appliedIn[side]()(path),
    (side, path) => reading[side].commonLabelsOf()(path),
  );

  // A version added or dropped among versions that differ is judged as the comparison that rates highest.
  const rated = (change: ResourceChange) =>
    Math.max(
      -1,
      ...(DETECTORS[(change.head ?? change.base)!.family] ?? []).flatMap((detect) =>
        detect(change, context).map((detection) => riskRank(classify(detection, policy))),
      ),
    );
  const changes = diffResources(base.manifests, head.manifests, {
    base: applying("base", base.placement),
    head: applying("head", head.placement),
  })
    .filter(renderedOnOneSide(input.rendered))
    .map((change) => worstComparison(change, rated));
  // A route, entry or policy renamed, or a policy added (removed) with its targets, is said once and not judged setting by setting.
  const renamed = renamedResources(changes, context, { base: base.model, head: head.model });
  // An entry renamed is the same entry: its routes' flows are compared under its head name.
  // A Service port named by name is compared as the number each tree's Service gives it.
  const models = withNamedPortsNumbered(
    { base: withEntriesRenamed(base.model, renamed.entries), head: head.model },
    {
      base: servicePorts((name) => context.servicesNamed("base", name)),
      head: servicePorts((name) => context.servicesNamed("head", name)),
    },
  );
  const siting = {
    base: { sites: fileSites(base.placement), includedBy: base.manifests.includedBy },
    head: { sites: fileSites(head.placement), includedBy: head.manifests.includedBy },
  };
  // A file writing another version of an object the base writes elsewhere is judged as its edit.
  const versions = routeVersions(models.base, models.head, siting);
  const routeDiffs = diffRoutes(models.base, models.head, siting, versions);
  const reordered = precedenceChanges(models.base, models.head);
  const detections: Detection[] = [
    ...routeChangeDetections(routeDiffs, models.base, models.head, reordered, versions),
    ...handlingMoveDetections(routeDiffs, reordered, context),
    ...writePathDetections(models.base, models.head, routeDiffs, policy),
  ];
  const settled: ReadonlyMap<string, Omit<Detection, "resourceKey"> | undefined> = new Map([
    ...changes.flatMap((change) => {
      const detection = unappliedDetection(change);
      return detection ? [[change.key, detection] as const] : [];
    }),
    ...renamed.settled,
    ...settledPolicies(
      changes.filter((change) => !renamed.settled.has(change.key)),
      base,
      head,
      context,
      input.rendered?.failures ?? [],
    ),
  ]);
  const unreadTargets = unreadTargetNotes(changes, base.manifests, head.manifests, context, input.rendered?.failures ?? []);
  for (const change of changes) {
    if (settled.has(change.key)) {
      const detection = settled.get(change.key);
      if (detection) detections.push({ ...detection, resourceKey: change.key });
      continue;
    }
    const family = (change.head ?? change.base)!.family;
    const note = unreadTargets.get(change.key);
    for (const detect of DETECTORS[family] ?? [])
      detections.push(
        ...detect(change, context)
          .filter((d) => !onlyPlaceholdersRespelled(change, d))
          .map((d) =>
            withVersionsCompared(
              change,
              withUnresolvedTrust(
                change,
                { ...d, resourceKey: d.resourceKey ?? change.key, ...(note ? { summary: `${d.summary} (${note})` } : {}) },
                (side, file) => reading[side].unknownValuesOf()(file),
              ),
            ),
          ),
      );
  }
  detections.push(...guardsLeftBehind(changes, base, head));
  detections.push(...fileDetections({ base: baseFiles, head: headFiles }, context));
  detections.push(...unservedVersionDetections(base.manifests, head.manifests));
  detections.push(...unresolvedValueDetections(changes, detections));
  // An object a controller writes for a resource sits in that resource's document: what is said of
  // the one explains the same fields of the other, and the document's fallback speaks for both.
  const writtenBy = new Map(
    changes.flatMap((change) => {
      const from = (change.head ?? change.base)!.generatedFrom;
      return from === undefined ? [] : [[change.key, from] as const];
    }),
  );
  const explainedPaths = new Map<string, FieldPath[]>();
  for (const { resourceKey, path } of detections) {
    if (resourceKey === undefined) continue;
    const key = writtenBy.get(resourceKey) ?? resourceKey;
    const paths = explainedPaths.get(key);
    if (paths) paths.push(path);
    else explainedPaths.set(key, [path]);
  }
  for (const change of changes) {
    if (settled.has(change.key) || writtenBy.has(change.key)) continue;
    const paths = explainedPaths.get(change.key);
    const fallback = paths ? unexplainedChangeDetection(change, paths) : resourceChangedDetection(change);
    if (fallback) detections.push(withVersionsCompared(change, { ...fallback, resourceKey: change.key }));
  }
  // The whole-tree graph sees what one resource cannot; a problem a detector already reported on the
  // same resource is not repeated, while two the graph finds on one resource (two backends refused) both are.
  const graph = reviewGraph({
    base,
    head,
    routeDiffs,
    versions,
    changes,
    topology: policy.topology,
    memo: nodes,
    ...(input.collect ? { collect: input.collect } : {}),
    renamed: renamed.keys,
    applied: { base: (file) => appliedIn.base()(file), head: (file) => appliedIn.head()(file) },
    excludedMayDeclare: excludedDeclarations([
      { files: baseFiles, excluded: base.manifests.excluded },
      { files: headFiles, excluded: head.manifests.excluded },
    ]),
  });
  const reported = new Set(detections.map((d) => `${d.class}\0${d.resourceKey}`));
  const seen = new Set<string>();
  for (const detection of graph.detections) {
    const said = `${detection.class}\0${detection.resourceKey}\0${detection.summary}`;
    if (reported.has(`${detection.class}\0${detection.resourceKey}`) || seen.has(said)) continue;
    seen.add(said);
    detections.push(detection);
  }

  const renderedSource = sourceOfRendered(input.rendered, input.base, input.head);
  // A rendered document has no line of its own in the repository: point at the change that names
  // the field a finding is about, the file that declares it, or the input the PR changed.
  const atSource = (finding: Finding, side: Detection["side"] = "head", field?: Detection["path"]): Finding => {
    const source = renderedSource(finding.file, finding.resource, side, field);
    return source
      ? { ...finding, file: source.file, line: source.line, summary: `${finding.summary} (rendered: ${source.root.id})` }
      : finding;
  };
  // A change between two versions of one object holds on each side a resource its key does not name there.
  const changeOf = new Map(changes.map((change) => [change.key, change]));
  const findings = detections.map((detection) => {
    const tree = detection.side === "base" ? base : head;
    const key = detection.resourceKey;
    const change = key === undefined ? undefined : changeOf.get(key);
    const resource = key === undefined ? undefined : (change?.[detection.side] ?? tree.manifests.resources.get(key));
    const source = resource?.source ?? detection.at;
    const placed = source ? placedAsCompared(change, tree.placement(source.file), policy.topology) : { clusters: [], regions: [] };
    return atSource(toFinding(detection, resource, policy, placed), detection.side, detection.path);
  });
  findings.push(...renderFailureFindings(input).map((finding) => atSource(finding)));

  findings.push(...policyChangeFindings(input));
  findings.push(
    ...reservedPathFindings(
      {
        base: { files: given.base, links: given.links?.base ?? [] },
        head: { files: given.head, links: given.links?.head ?? [] },
      },
      policy,
      reviews,
      clusterOfFile,
    ),
  );
  // Links and the files they expose follow the policy's paths like every other file.
  // Worked out when a link first asks: most trees have none.
  let trafficFiles: Set<string> | undefined;
  const holdsTraffic = (path: string) => (trafficFiles ??= filesHoldingTraffic([base, head], input.rendered)).has(path);
  const linked = (files: readonly SourceFile[], links: readonly SymbolicLink[] | undefined, tree: TreeAnalysis) => ({
    links: (links ?? []).filter((link) => reviews(link.path)),
    files: files.map((file) => file.path).filter(reviews),
    holdsTraffic,
    placement: tree.placement,
  });
  findings.push(...symlinkFindings(linked(input.base, input.links?.base, base), linked(input.head, input.links?.head, head), policy));
  // A submodule counts where the files at its top would be reviewed: a docs theme under an excluded folder does not.
  const checkedOut = (submodules: readonly Submodule[] | undefined, tree: TreeAnalysis) => ({
    submodules: (submodules ?? []).filter((submodule) => reviews(submoduleFile(submodule))),
    placement: tree.placement,
  });
  findings.push(...submoduleFindings(checkedOut(input.submodules?.base, base), checkedOut(input.submodules?.head, head), policy));
  const changed = changedPaths(baseFiles, headFiles);
  // A chart nothing in the tree installs is rendered with its own default values: a document they
  // leave invalid (a name the installer's values give) is listed where the chart is, not judged.
  const undeployed = new Map(
    (input.rendered?.roots ?? []).flatMap((root) => (root.undeployed ? [[root.output, root.origin] as const] : [])),
  );
  const judged = head.manifests.invalid.filter((item) => !undeployed.has(item.file));
  const invalid = judged.filter((item) => !existing(item));
  const existingInvalid = judged.filter(existing);
  findings.push(...invalid.map((item) => atSource(invalidManifestFinding(item, policy))));
  const byDefaults = head.manifests.invalid.flatMap((item) => {
    const origin = undeployed.get(item.file);
    return origin === undefined || !changed(item.file)
      ? []
      : [
          {
            file: origin,
            line: 1,
            reason: `rendered with the chart's default values (nothing in the repository installs it), which leave a document invalid: ${item.message}`,
          },
        ];
  });
  const skipped = [...head.manifests.skipped.filter((item) => changed(item.file)), ...byDefaults];
  const excluded = {
    changed: [...new Set([...base.manifests.excluded, ...head.manifests.excluded])].filter(changed).sort(),
    total: head.manifests.excluded.length,
  };
  const gates = blocksWhenUnrendered(policy);
  const render = {
    rendered: (input.rendered?.roots ?? []).map((root) => root.id),
    failed: (input.rendered?.failures ?? []).filter((failure) => gates(failure)).map((failure) => failure.id),
    unrendered: (input.rendered?.failures ?? []).filter((failure) => !gates(failure)).map((failure) => failure.reason),
    trusted: input.rendered?.trusted ?? [],
    withoutRemote: (input.rendered?.roots ?? []).filter((root) => root.withoutRemote).map((root) => root.id),
    ...(input.rendered?.skipped !== undefined ? { skipped: input.rendered.skipped } : {}),
  };
  return {
    findings: sortFindings(mergeRenderedTwins(findings)),
    routeDiffs,
    invalid,
    existingInvalid,
    skipped,
    excluded,
    base: { manifests: base.manifests, model: base.model },
    head: { manifests: head.manifests, model: head.model },
    graphs: { base: graph.base, head: graph.head },
    blastRadius: graph.blastRadius,
    render,
  };
}

/**
 * Files that hold traffic config in either tree: a resource's file, an unreadable traffic
 * document's, and every input of a render whose output holds one. A Namespace read only for its
 * labels (a context kind) is none: a link exposing a tenant's Namespace and Roles exposes no
 * traffic config (anthos-config-management-samples 64d3e90).
 */
function filesHoldingTraffic(trees: readonly TreeAnalysis[], rendered: RenderResult | undefined): Set<string> {
  const files = new Set<string>();
  for (const { manifests } of trees) {
    for (const resource of manifests.resources.values()) if (!readForContext(resource)) files.add(resource.source.file);
    for (const item of manifests.invalid) files.add(item.file);
  }
  for (const root of rendered?.roots ?? []) if (files.has(root.output)) for (const path of root.inputs) files.add(path);
  return files;
}

/**
 * A file that one side reads as written and the other hands to a render is the same file, not
 * resources added or removed: the render's output shows what its root does. A kustomization file
 * (bank-of-anthos 87492b4: a new overlay listed 18 untouched kustomizations as removed), or a
 * Component's resources, left to the roots the PR does not touch when one root stops including it
 * (tyriis/home-ops 5904ac2d65: its SecurityPolicy template, `${APP}` unsubstituted, read as added).
 */
function renderedOnOneSide(rendered: RenderResult | undefined): (change: ResourceChange) => boolean {
  const consumed = { base: new Set(rendered?.base.consumed), head: new Set(rendered?.head.consumed) };
  return (change) => {
    if (change.base && change.head) return true;
    const file = (change.head ?? change.base)!.source.file;
    return !(change.head ? consumed.base : consumed.head).has(file);
  };
}

/** Whether a root that could not be rendered blocks: something deploys it, and the policy says block. */
const blocksWhenUnrendered =
  (policy: Policy) =>
  (failure: RenderFailure): boolean =>
    failure.gates && policy.render.unrenderable === "block";

/**
 * A root the PR feeds that could not be rendered (remote chart or base, tool error, timeout) is
 * high: what it would apply is unknown, so it is never a silent pass (unless the policy lists them).
 * One stopped by a broken file that applies no traffic config either way, or a release removed with
 * its trusted chart that asked for none, is said, low.
 */
const renderFailureFindings = (input: ChangeInput): Finding[] =>
  alikeAcrossBuilds((input.rendered?.failures ?? []).filter(blocksWhenUnrendered(input.policy))).map(({ failure, builds }) => {
    const alike = builds > 1 ? ` (and alike in ${builds - 1} more Flux Kustomizations' builds of the folder)` : "";
    // What the change may rewrite, when it holds mTLS, TLS or trust, is what a direct weakening of it would be: critical.
    const trust = failure.trust ? `; the change may rewrite ${failure.trust.join(", ")} (transport security or trust), unread` : "";
    const summary = `${failure.reason}${alike}${trust}`;
    const detection: Detection = {
      class: "resource.changed",
      summary,
      resource: { group: "route-governor", kind: "Render", namespace: "", name: failure.id },
      side: "head",
      path: [],
      before: null,
      after: summary,
      riskFloor: failure.trafficFree ? "low" : failure.trust ? "critical" : "high",
    };
    return {
      ...toFinding(detection, undefined, input.policy, { clusters: [], regions: [] }),
      ...changedSource(failure, input.base, input.head),
    };
  });

/**
 * One failure for a release every cluster's build of a folder fails alike on (a remote chart in a base
 * that three clusters' Flux Kustomizations build with their own variables: joryirving/home-ops
 * 616ef451 named each release three times), with how many builds it stands for.
 */
function alikeAcrossBuilds(failures: readonly RenderFailure[]): { readonly failure: RenderFailure; readonly builds: number }[] {
  const groups = new Map<string, { failure: RenderFailure; builds: number }>();
  for (const failure of failures) {
    const key = withoutFluxBuilds(failure.reason);
    const known = groups.get(key);
    if (known) known.builds++;
    else groups.set(key, { failure, builds: 1 });
  }
  return [...groups.values()];
}

/** Why a tree's policy would not load as the next review loads it (over the built-in profile, which it may not loosen), if it would not. */
function policyProblem(files: readonly SourceFile[]): string | undefined {
  try {
    repositoryPolicy(files, "");
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** governance.policy-changed when the PR adds, edits or removes the policy file. */
function policyChangeFindings(input: ChangeInput): Finding[] {
  const before = policyFiles(input.base);
  const after = policyFiles(input.head);
  const [was, is] = [policyContent(before), policyContent(after)];
  const paths = (files: readonly SourceFile[]) => files.map((file) => file.path).join(", ");
  if (paths(before) === paths(after) && JSON.stringify(was) === JSON.stringify(is)) return [];
  const change =
    before.length === 0
      ? "added"
      : after.length === 0
        ? "removed"
        : paths(before) === paths(after)
          ? "changed"
          : `changed (now ${paths(after)})`;
  // Merged, it governs every later PR: one that does not load stops them all, so say so now.
  const invalid = after.length === 0 ? undefined : policyProblem(after);
  const detection: Detection = {
    class: "governance.policy-changed",
    summary: `${paths(before.length === 0 ? after : before)} ${change}: this PR is governed by the base branch's policy${invalid ? `; the new policy does not load, and every review after it merges would stop: ${invalid}` : ""}`,
    resource: POLICY_RESOURCE,
    side: "head",
    path: [],
    before: was,
    after: is,
  };
  const file = (after[0] ?? before[0])!.path;
  return [{ ...toFinding(detection, undefined, input.policy, { clusters: [], regions: [] }), file, line: 1 }];
}

/**
 * Whether the PR adds, changes or deletes a file: only there are skipped and excluded files worth
 * a reviewer's line.
 */
function changedPaths(base: readonly SourceFile[], head: readonly SourceFile[]): (path: string) => boolean {
  const baseText = new Map(base.map((file) => [file.path, file.text]));
  const headText = new Map(head.map((file) => [file.path, file.text]));
  return (path) => !baseText.has(path) || baseText.get(path) !== headText.get(path);
}

const RENDERED_BY = / \(rendered: ([^)]*)\)$/;

/**
 * One finding per change said once: an object several render roots output alike (a Flux
 * Kustomization two nested delivered folders build, a component every overlay of it renders) is
 * found once per root, alike but for the root each names; said once, naming the first root and how
 * many more.
 */
function mergeRenderedTwins(findings: readonly Finding[]): Finding[] {
  const merged = new Map<string, { finding: Finding; said: string; roots: string[] }>();
  findings.forEach((finding, index) => {
    const root = RENDERED_BY.exec(finding.summary);
    if (!root) {
      merged.set(`\0${index}`, { finding, said: finding.summary, roots: [] });
      return;
    }
    const said = finding.summary.slice(0, root.index);
    const key = [finding.class, finding.risk, finding.file, finding.line, resourceKey(finding.resource), said].join("\0");
    const twin = merged.get(key);
    if (!twin) merged.set(key, { finding, said, roots: [root[1]!] });
    else {
      if (!twin.roots.includes(root[1]!)) twin.roots.push(root[1]!);
      twin.finding = {
        ...twin.finding,
        clusters: [...new Set([...twin.finding.clusters, ...finding.clusters])],
        regions: [...new Set([...twin.finding.regions, ...finding.regions])],
      };
    }
  });
  return [...merged.values()].map(({ finding, said, roots }) => {
    if (roots.length < 2) return finding;
    const more = roots.length === 2 ? `, ${roots[1]}` : ` and ${roots.length - 1} more roots`;
    return { ...finding, summary: `${said} (rendered: ${roots[0]}${more})` };
  });
}

/** Riskiest first, then by file and line: the order reviewers read them in. */
const sortFindings = (findings: Finding[]): Finding[] =>
  findings.sort(
    (a, b) => riskRank(b.risk) - riskRank(a.risk) || a.file.localeCompare(b.file) || a.line - b.line || a.class.localeCompare(b.class),
  );

export interface ReviewInput extends ChangeInput, ReviewFacts {}

export function outcomeOf(analysis: Analysis): AnalysisOutcome {
  const { base, head, graphs: _graphs, ...kept } = analysis;
  const sources = (tree: AnalysedTree, flows: readonly (Flow | undefined)[]) =>
    new Map(
      flows.flatMap((flow) => {
        const resource = flow && tree.manifests.resources.get(flow.resourceKey);
        return resource ? [[resource.key, resource.source] as const] : [];
      }),
    );
  return {
    ...kept,
    routeSources: {
      base: sources(
        base,
        analysis.routeDiffs.map((diff) => diff.base),
      ),
      head: sources(
        head,
        analysis.routeDiffs.map((diff) => diff.head),
      ),
    },
  };
}

/** The whole pure pipeline: trees and PR facts in, decision and everything the reports show out. */
export const reviewChange = (input: ReviewInput): ReviewResult => reviewAnalysis(outcomeOf(analyzeChange(input)), input);
