import { displayName, type ManifestSet, type Resource } from "../../core/resource.js";
import { copiesNamed } from "../../core/copies-named.js";
import { flag, isRecord, list, optionalRecord, record, text, valueAt } from "../../core/json-access.js";
import type { Delivery, Destination } from "../../core/gitops-delivery.js";
import { canonical, sameValue, setChange, show, sortedSet } from "../../core/canonical-values.js";
import { DetectionList } from "../../core/detection-list.js";
import { clusterScoped } from "../../core/cluster-scoped.js";
import { declares } from "../../core/declared-identities.js";
import { KUSTOMIZE_GROUP, mentionsTraffic } from "./kustomize.js";
import { onlyOperationalPatches, operationOnlyEntry, unmatched } from "./operational-patches.js";
import { childPatching, selectsFluxKustomizations } from "./child-patches.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import { namespacingOf } from "./namespacing.js";
import { allHandedOver, generatedOn, generatedRenamed, keepsApplying, prunesOnDelete } from "./handovers.js";
import type { DetectorContext, FileDetector, ResourceDetector } from "../../core/detector.js";
import { canonicalText } from "../../core/canonical-form.js";
import type { ResourceChange } from "../../core/resource-change.js";
import type { Detection, FieldPath } from "../../core/finding.js";
import type { RiskLevel } from "../../core/risk-level.js";
import { FLUX_KUSTOMIZE, FLUX_SOURCE } from "../../core/flux-groups.js";
import type { RuleShape } from "../../core/route-rules.js";
import { admitsMethod, requestShapes } from "../../core/match-alternatives.js";
import { MUTATING_METHODS } from "../../core/mirror-changes.js";
import { foreignSource, gitSourcesOf, misplacedSource, type ForeignSource } from "./this-repository.js";
import { sameRepository } from "../../core/repository-url.js";
import { deliversNoTraffic } from "./quiet-deliveries.js";
import { clusterWord, named } from "./named-list.js";
import { appliedBy, recreations } from "./recreations.js";
import { skippedCrds } from "./skipped-crds.js";

/**
 * Changes to the GitOps objects that decide where config lands (research §1.6): an Argo CD
 * Application or ApplicationSet, a Flux Kustomization. Moving the traffic config they deliver to
 * other clusters is route.attachment-changed (every route and Gateway under the path attaches to
 * the new clusters and detaches from the old); how the config is applied (namespace, suspend,
 * prune, automated sync) is resource.changed with a floor.
 */

interface Reach {
  readonly clusters: string[];
  /** Traffic resources of the tree it delivers, by display name. */
  readonly resources: string[];
  /** The same resources, by display name, as the files it delivers hold them. */
  readonly delivered: ReadonlyMap<string, readonly Resource[]>;
  readonly paths: readonly string[];
}

interface Tree {
  readonly set: ManifestSet;
  readonly placeFile: (file: string) => readonly string[];
}

const treeOf = (set: ManifestSet, context: DetectorContext): Tree => {
  const placement = context.placementOf(set);
  return { set, placeFile: (file) => placement(file).clusters };
};

const resolve = (destination: Destination, delivery: Delivery, tree: Tree): readonly string[] =>
  "clusters" in destination ? destination.clusters : tree.placeFile(delivery.resource.source.file);

const reachOf = (resource: Resource | undefined, tree: Tree, context: DetectorContext): Reach | undefined => {
  if (!resource) return undefined;
  const delivery = context.deliveryOf(resource, tree.set);
  if (!delivery) return undefined;
  const side = tree.set === context.base ? "base" : "head";
  const clusters = new Set<string>();
  const delivered = new Map<string, Resource[]>();
  for (const other of tree.set.resources.values()) {
    // GitOps objects (kustomize and Flux Kustomizations, Applications) decide placement; they carry
    // no traffic, nor does a tenant's Namespace read only for its labels.
    if (other.source.file === resource.source.file || other.family === "placement" || context.readForContext(other)) continue;
    const destination = delivery.destinationOf(other.source.file);
    // A file under its path that no kustomization there lists is in no build (samip5/k8s-cluster
    // 71b69b843c: an Ingress beside the overlay's kustomization, counted as deleted with it).
    // Nor is one its source leaves out of what it fetches (a GitRepository's `.sourceignore`, `spec.ignore`).
    if (!destination || !context.applies(side, other.source.file) || delivery.leavesOut?.(other.source.file)) continue;
    const name = displayName(other.id);
    delivered.set(name, [...(delivered.get(name) ?? []), other]);
    for (const cluster of resolve(destination, delivery, tree)) clusters.add(cluster);
  }
  // With nothing delivered in this tree, the object's own destinations still say where it points.
  if (delivered.size === 0)
    for (const destination of delivery.destinations) for (const cluster of resolve(destination, delivery, tree)) clusters.add(cluster);
  return { clusters: [...clusters].sort(), resources: [...delivered.keys()].sort(), delivered, paths: delivery.paths };
};

/** Fields that decide what is delivered where, per kind: the first that changed locates the finding. */
const PLACEMENT_FIELDS: Readonly<Record<string, readonly FieldPath[]>> = {
  Application: [
    ["spec", "destination"],
    ["spec", "source"],
    ["spec", "sources"],
  ],
  ApplicationSet: [
    ["spec", "generators"],
    ["spec", "template", "spec", "destination"],
    ["spec", "template", "spec", "source"],
    ["spec", "template", "spec", "sources"],
  ],
  Kustomization: [
    ["spec", "kubeConfig"],
    ["spec", "path"],
    ["spec", "sourceRef"],
  ],
};

/**
 * Fields that say when a GitOps object applies, not what it builds, where, or whether: a Flux
 * Kustomization's schedule (interval, retryInterval, timeout) and order (dependsOn: it applies once
 * those are ready, and one never ready holds its apply back, leaving what it applied as it was); an
 * Argo CD Application's display info, history length and sync retries. Every other field may change
 * the build (path, sourceRef, kubeConfig, targetNamespace, namePrefix and nameSuffix, commonMetadata,
 * patches, components and ignoreMissingComponents, images, postBuild), whether it applies at all
 * (suspend, decryption, serviceAccountName) or what it deletes, waits for or recreates (prune,
 * deletionPolicy, wait, healthChecks, healthCheckExprs, force); a label may be what a parent's
 * patches select.
 */
const SCHEDULE_FIELDS: Readonly<Record<string, readonly FieldPath[]>> = {
  Application: [
    ["spec", "info"],
    ["spec", "revisionHistoryLimit"],
    ["spec", "syncPolicy", "retry"],
  ],
  ApplicationSet: [
    ["spec", "template", "spec", "info"],
    ["spec", "template", "spec", "revisionHistoryLimit"],
    ["spec", "template", "spec", "syncPolicy", "retry"],
  ],
  Kustomization: [
    ["spec", "interval"],
    ["spec", "retryInterval"],
    ["spec", "timeout"],
    ["spec", "dependsOn"],
  ],
};

/** A value without the field at `path`, and without the records that leaves empty. */
const withoutField = (value: unknown, path: FieldPath): unknown => {
  const [key, ...rest] = path;
  if (key === undefined || !isRecord(value) || !(key in value)) return value;
  const { [key]: inner, ...others } = value;
  const kept = rest.length === 0 ? undefined : withoutField(inner, rest);
  return kept === undefined || (isRecord(kept) && Object.keys(kept).length === 0) ? others : { ...others, [key]: kept };
};

/** Whether a GitOps object changed in its schedule alone (SCHEDULE_FIELDS), so that it builds and applies as it did. */
const rescheduledOnly = (change: ResourceChange): boolean => {
  if (!change.base || !change.head) return false;
  const fields = SCHEDULE_FIELDS[change.head.id.kind] ?? [];
  const unscheduled = (body: unknown) => fields.reduce(withoutField, body);
  return sameValue(unscheduled(change.base.body), unscheduled(change.head.body));
};

const changedField = (change: ResourceChange, fields: readonly FieldPath[]): FieldPath =>
  fields.find((field) => !sameValue(valueAt(change.base?.body, field), valueAt(change.head?.body, field))) ?? ["spec"];

/**
 * Objects it delivers under the same names on both sides but from other files, as other content: a
 * path moved to a folder holding objects of the same names (`overlays/staging` → `overlays/prod`)
 * delivers other routes though no name changes. A file merely renamed, or an object the PR edits
 * in place (the route diff's to judge), is not one.
 */
const rewritten = (before: Reach, after: Reach): string[] =>
  after.resources.filter((name) => {
    const [was, now] = [before.delivered.get(name) ?? [], after.delivered.get(name) ?? []];
    const files = (resources: readonly Resource[]) => resources.map((resource) => resource.source.file).sort();
    if (was.length === 0 || sameValue(files(was), files(now))) return false;
    const contents = (resources: readonly Resource[]) => resources.map((resource) => canonical(resource.body)).sort();
    return !sameValue(contents(was), contents(now));
  });

/**
 * What a reach holds that the base tree already declared, in any cluster or file: a resource the
 * base tree never declared is one the resource diff finds added, judged by its own findings on the
 * clusters it lands on, not a delivery move. So for an object the PR adds (xunholy/k8s-gitops: each
 * new app's Flux Kustomization, its HTTPRoute new too, read as high besides the route's medium) and
 * for what an edited one now delivers (budimanjojo/home-cluster b5720186ab: a component added to a
 * Kustomization brings a new client Certificate, read as "now delivers" high besides its own low).
 */
const alreadyHeld = (reach: Reach, base: ManifestSet): Reach => {
  const delivered = new Map([...reach.delivered].filter(([, resources]) => resources.some((resource) => declares(base, resource.id))));
  return { ...reach, delivered, resources: reach.resources.filter((name) => delivered.has(name)) };
};

/**
 * The reach without the resources handed over to or from other objects unchanged (handovers.ts):
 * only what moves. Where the change judged is not the trees' own (a child Kustomization as its
 * parent's `spec.patches` would rewrite it, child-patches.ts), the trees do not say what lands, so
 * everything its reach gains or loses moves.
 */
const movingIn =
  (change: ResourceChange, context: DetectorContext) =>
  (reach: Reach): Reach => {
    const own = (side: "base" | "head") => !change[side] || context[side].resources.get(change[side].key) === change[side];
    if (!own("base") || !own("head")) return reach;
    return { ...reach, resources: reach.resources.filter((name) => !allHandedOver(reach.delivered.get(name) ?? [], context)) };
  };

const reachChange = (
  change: ResourceChange,
  before: Reach | undefined,
  added: Reach | undefined,
  out: DetectionList,
  context: DetectorContext,
): void => {
  const after = added && !before ? alreadyHeld(added, context.base) : added;
  const view = (reach: Reach | undefined) => reach && { clusters: reach.clusters, resources: reach.resources };
  const others = before && after ? rewritten(before, after) : [];
  if (sameValue(view(before), view(after)) && others.length === 0) return;
  // Building the same path to the same clusters, what it delivers otherwise is the PR's edits under
  // that path, which the route diff judges as it does with the object untouched: a route renamed
  // beside a `dependsOn` added (joryirving/home-ops bd32e35057) read as "delivers moves", high.
  if (before && after && sameValue(before.clusters, after.clusters) && rescheduledOnly(change)) return;
  const kind = (change.head ?? change.base)?.id.kind ?? "";
  const moving = movingIn(change, context);
  if (before && after) {
    const clusters = setChange(before.clusters, after.clusters);
    const resources = setChange(moving(before).resources, moving(alreadyHeld(after, context.base)).resources);
    const parts = [
      clusters.added.length > 0 ? `gains ${named(clusters.added)}` : "",
      clusters.removed.length > 0 ? `loses ${named(clusters.removed)}` : "",
      resources.added.length > 0 ? `now delivers ${named(resources.added)}` : "",
      resources.removed.length > 0 ? `no longer delivers ${named(resources.removed)}` : "",
      others.length > 0 ? `delivers other versions of ${named(others)}` : "",
    ].filter(Boolean);
    if (parts.length === 0) return;
    const paths = sameValue(before.paths, after.paths) ? "" : ` (paths ${show(before.paths)} → ${show(after.paths)})`;
    out.add({
      class: "route.attachment-changed",
      summary: `traffic config it delivers moves${paths}: ${parts.join("; ")}; now ${after.resources.length} traffic resources to ${clusterWord(after.clusters)}`,
      side: "head",
      path: changedField(change, PLACEMENT_FIELDS[kind] ?? []),
      before: view(before),
      after: view(after),
    });
    return;
  }
  const [arriving, leaving] = [after && moving(after), before && moving(before)];
  if (arriving && arriving.resources.length > 0) {
    out.add({
      class: "route.attachment-changed",
      summary: `added: delivers ${arriving.resources.length} traffic resources (${named(arriving.resources)}) from ${show(arriving.paths)} to ${clusterWord(arriving.clusters)}`,
      side: "head",
      path: ["spec"],
      after: view(arriving),
    });
  } else if (leaving && leaving.resources.length > 0 && change.base) {
    const deleted = prunesOnDelete(change.base) ? "deleted from" : "left unmanaged on";
    out.add({
      class: "route.attachment-changed",
      summary: `removed: its ${leaving.resources.length} traffic resources (${named(leaving.resources)}) are ${deleted} ${clusterWord(leaving.clusters)}`,
      side: "base",
      path: ["spec"],
      before: view(leaving),
    });
  }
};

/**
 * A Flux Kustomization whose sourceRef Flux finds no GitRepository for at head, while the tree
 * defines one of that name in another namespace (this-repository.ts misplacedSource): it applies
 * nothing, and its reach is read as the source it was meant to read (readsThisTree), not as the
 * delivery it makes. Kept under its name, it deletes nothing either: kustomize-controller fails its
 * reconcile before building, so what it applied stays as last applied and later changes under its
 * path no longer reach it, as for a suspended one (medium). Added in place of one of its name
 * removed (moved to another namespace), it takes over nothing: what that one applied stays
 * unmanaged (medium), or, pruned, is deleted, which its own removal says (reachChange). Whether it
 * judged the change, whose reach then is not compared.
 */
const sourceMissing = (change: ResourceChange, before: Reach | undefined, out: DetectionList, context: DetectorContext): boolean => {
  const head = change.head;
  const missing = head?.id.group === FLUX_KUSTOMIZE ? misplacedSource(head, context.head) : undefined;
  if (!head || !missing || (change.base && misplacedSource(change.base, context.base))) return false;
  const lookup = `GitRepository ${missing.ref}, which the tree defines in ${missing.definedIn.join(", ")} only: Flux finds no source`;
  const replaced = change.base
    ? []
    : resourcesOfKind(context.base, "Kustomization").flatMap((other) => {
        if (other.id.group !== FLUX_KUSTOMIZE || other.id.name !== head.id.name || context.head.resources.has(other.key)) return [];
        const reach = reachOf(other, treeOf(context.base, context), context);
        return reach && reach.resources.length > 0 ? [{ other, reach }] : [];
      });
  const stopped = change.base && before && before.resources.length > 0 ? before : undefined;
  const summary = stopped
    ? `spec.sourceRef names ${lookup} and stops reconciling it: its ${stopped.resources.length} traffic resources (${named(stopped.resources)}) stay on ${clusterWord(stopped.clusters)} as last applied, and changes under ${show(stopped.paths)} no longer reach them`
    : `spec.sourceRef names ${lookup}, so it applies nothing${replaced
        .map(
          ({ other, reach }) =>
            `, nor takes over the ${reach.resources.length} traffic resources (${named(reach.resources)}) that ${displayName(other.id)}, removed, applied on ${clusterWord(reach.clusters)}`,
        )
        .join("")}`;
  out.add({
    class: "resource.changed",
    summary,
    side: "head",
    path: ["spec", "sourceRef"],
    ...(change.base ? { before: valueAt(change.base.body, ["spec", "sourceRef"]) } : {}),
    after: valueAt(head.body, ["spec", "sourceRef"]),
    ...(stopped || replaced.length > 0 ? { riskFloor: "medium" as const } : {}),
  });
  return true;
};

/**
 * Applications an ApplicationSet stops generating, where the trees tell which (handovers.ts
 * generatedOn): a list element renamed (`app: shop` → `shop-apps`), a folder a git generator reads
 * renamed, the template's name changed. The controller creates the new Application and deletes the
 * old one, and with the resources finalizer (which it gives generated Applications unless the set
 * preserves resources on deletion) that deletes everything the old one applied before the new one
 * applies it again; under create-only or create-update the old one stays, and two apply it. What
 * each delivered that the head tree still declares is judged as any handover: nothing where the
 * successor deploys it alike and the old one leaves it. `leaving`: what the reach change already
 * says the set no longer delivers (reachChange), not said twice.
 * False where the trees do not tell (the template's name is then judged as written, generatedRenamed).
 */
const applicationsLetGo = (change: ResourceChange, context: DetectorContext, leaving: readonly string[], out: DetectionList): boolean => {
  if (!change.base || !change.head) return false;
  const [generated, generating] = [generatedOn(change.base, "base", context), generatedOn(change.head, "head", context)];
  if (!generated || !generating) return false;
  const names = (applications: readonly Resource[]) => new Set(applications.map((application) => application.id.name));
  const [before, after] = [names(generated), names(generating)];
  const taking = generating.flatMap((application) => (before.has(application.id.name) ? [] : [application.id.name]));
  const tree = treeOf(context.base, context);
  const dropped = generated.flatMap((application) => {
    const reach = after.has(application.id.name) ? undefined : reachOf(application, tree, context);
    const moving = (reach?.resources ?? []).filter((name) => {
      const copies = reach!.delivered.get(name) ?? [];
      return copies.some((copy) => declares(context.head, copy.id)) && !leaving.includes(name) && !allHandedOver(copies, context);
    });
    return moving.length === 0 ? [] : [{ application, moving, clusters: reach!.clusters }];
  });
  if (dropped.length === 0) return true;
  const gone = dropped.map(({ application }) => application.id.name);
  const [they, their, deletes] = gone.length === 1 ? ["it", "its", "deletes"] : ["they", "their", "delete"];
  const resources = sortedSet(dropped.flatMap(({ moving }) => moving));
  const held = `${their} ${resources.length} traffic resources (${named(resources)})`;
  const where = clusterWord(sortedSet(dropped.flatMap(({ clusters }) => clusters)));
  const successors =
    taking.length === 0 ? "whatever takes them over applies" : `${named(taking)} ${taking.length === 1 ? "applies" : "apply"}`;
  const effect = keepsApplying(change.head)
    ? `${they} ${gone.length === 1 ? "stays" : "stay"} (applicationsSync ${show(text(record(record(change.head.body.spec).syncPolicy).applicationsSync))}), and two Applications apply each of ${held} on ${where}`
    : dropped.some(({ application }) => prunesOnDelete(application))
      ? `deleted with the resources finalizer, ${they} ${deletes} ${held} from ${where} before ${successors} them again`
      : `${held} on ${where} are not taken over by an Application deploying them alike (the same revision, repository, sync policy, namespace and cluster)`;
  const path: FieldPath = ["spec", "template", "metadata", "name"];
  const [was, now] = [valueAt(change.base.body, path), valueAt(change.head.body, path)];
  const renamed = sameValue(was, now) ? "" : `template.metadata.name ${show(was)} → ${show(now)}: `;
  out.add({
    class: "resource.changed",
    summary: `${renamed}no longer generates Application${gone.length === 1 ? "" : "s"} ${named(gone)}${taking.length > 0 ? ` (generates ${named(taking)})` : ""}: ${effect}`,
    side: "head",
    path: renamed ? path : ["spec", "generators"],
    before: gone,
    after: taking,
    riskFloor: "high",
  });
  return true;
};

/**
 * What a Flux Kustomization that delivered traffic config from this repository (`before`) does
 * once it reads a GitRepository the head tree judges another repository's (this-repository.ts
 * foreignSource): Flux builds its path of that repository, which the review does not see, and under
 * prune deletes what it applied from this one unless the other holds it too; without prune leaves it
 * unmanaged. Its reach change would call it "removed" though it is still there.
 */
const foreignTakeover = (kustomization: Resource, foreign: ForeignSource, before: Reach): string => {
  const spec = record(kustomization.body.spec);
  const where = clusterWord(before.clusters);
  const fate = (flag(spec.prune) ?? false) ? `are deleted from ${where}` : `stay unmanaged on ${where}`;
  return `another repository than this one (${foreign.ours.join(", ")}): Flux applies what that repository holds at ${text(spec.path) ?? "its root"}, which this review does not see, and its ${before.resources.length} traffic resources from this repository (${named(before.resources)}) ${fate} unless that repository applies them too`;
};

/**
 * A Flux Kustomization whose sourceRef the PR moves to another repository's GitRepository, its
 * path kept (flux-system → team-reviews of github.com/example-org/reviews-config, read as the same
 * delivery: one low line). Whether it judged the change.
 */
const sourceForeign = (change: ResourceChange, before: Reach | undefined, out: DetectionList, context: DetectorContext): boolean => {
  const { base, head } = change;
  const foreign = head?.id.group === FLUX_KUSTOMIZE ? foreignSource(head, context.head) : undefined;
  if (!base || !head || !foreign || !before || before.resources.length === 0) return false;
  out.add({
    class: "route.attachment-changed",
    summary: `spec.sourceRef names GitRepository ${foreign.ref} of ${foreign.urls.join(", ") || "(no url)"}, ${foreignTakeover(head, foreign, before)}`,
    side: "head",
    path: ["spec", "sourceRef"],
    before: valueAt(base.body, ["spec", "sourceRef"]),
    after: valueAt(head.body, ["spec", "sourceRef"]),
  });
  return true;
};

/**
 * An ApplicationSet the PR leaves as it was, whose git generator reads folders or files the PR
 * renames, moves or edits: no resource change shows it, yet the Applications it generates change as
 * its tree does (applicationsLetGo, generatedSettings: a config.json's weights). One the PR edits
 * is the placement detector's.
 */
export const generatedApplicationsDetector: FileDetector = (_files, context) =>
  resourcesOfKind(context.head, "ApplicationSet").flatMap((head) => {
    const base = context.base.resources.get(head.key);
    // Edited as the resource diff has it (diff/resource-diff.ts sameMeaning): the placement detector judges it.
    if (
      !base ||
      head.id.group !== "argoproj.io" ||
      (base.source.text !== head.source.text && canonicalText(base.body) !== canonicalText(head.body))
    )
      return [];
    const change: ResourceChange = { key: head.key, base, head };
    const out = new DetectionList(change);
    applicationsLetGo(change, context, [], out);
    generatedSettings(change, new Set(), out, context);
    return out.detections.map((detection) => ({ ...detection, resourceKey: head.key }));
  });

/**
 * A GitRepository of this repository pointed at another: the Kustomizations reading it that the PR
 * leaves as they were take over that repository's files as a sourceRef moved there would
 * (sourceForeign); one the PR edits is judged on its own. flux-system pointed elsewhere is
 * thisRepositoryDetector's (the head then reads that URL as this repository).
 */
const sourceRetargeted = (change: ResourceChange, context: DetectorContext): Detection[] => {
  const { base, head } = change;
  const out = new DetectionList(change);
  if (base && head) sourceRevision(base, head, out, context);
  const [was, now] = [text(record(base?.body.spec).url), text(record(head?.body.spec).url)];
  // Respelled, it is the same repository (its head reading then is thisRepositoryDetector's).
  if (!base || !head || was === now || sameRepository(was, now)) return out.detections;
  const key = `${head.id.namespace}/${head.id.name}`;
  const tree = treeOf(context.base, context);
  for (const kustomization of resourcesOfKind(context.head, "Kustomization")) {
    const unchanged = context.base.resources.get(kustomization.key);
    const foreign = kustomization.id.group === FLUX_KUSTOMIZE ? foreignSource(kustomization, context.head) : undefined;
    if (!unchanged || !foreign || foreign.ref !== key || !sameValue(unchanged.body, kustomization.body)) continue;
    const before = reachOf(unchanged, tree, context);
    if (!before || before.resources.length === 0) continue;
    out.add({
      class: "route.attachment-changed",
      summary: `spec.url ${show(was)} → ${show(now)}, read by ${displayName(kustomization.id)}: ${foreignTakeover(kustomization, foreign, before)}`,
      side: "head",
      path: ["spec", "url"],
      before: was,
      after: now,
    });
  }
  return out.detections;
};

/**
 * The revision a Flux GitRepository checks out, as its `spec.ref` says it, by source-controller's
 * precedence (commit, then name, semver, tag, branch); none where it names none (the default branch).
 */
const fluxRevision = (source: Resource): string => {
  const ref = record(record(source.body.spec).ref);
  for (const field of ["commit", "name", "semver", "tag", "branch"]) {
    const value = text(ref[field]);
    if (value) return `${field} ${value}`;
  }
  return "the default branch";
};

/** The revisions the GitRepositories a Flux Kustomization reads check out; none where its tree defines no such source. */
const revisionsRead = (kustomization: Resource, set: ManifestSet): string[] =>
  sortedSet(gitSourcesOf(kustomization, set).map(fluxRevision));

/**
 * Whether a Flux Kustomization delivers traffic config, or may, on either side: only one known to
 * deliver none on both (quiet-deliveries.ts) lets a change of the revision it reads pass as low.
 */
const mayDeliverTraffic = (base: Resource | undefined, head: Resource | undefined, context: DetectorContext): boolean =>
  (base !== undefined && !deliversNoTraffic(base, "base", context)) || (head !== undefined && !deliversNoTraffic(head, "head", context));

/**
 * A GitRepository of this repository checking out another revision (`spec.ref` main → hotfix, or
 * pinned to a commit or tag): every Kustomization reading it applies that revision's files, which
 * this review does not read, as Argo CD's targetRevision switch does (revisionJudge). An interval
 * or timeout edit is no revision change, and a source no Kustomization delivering traffic config
 * reads (a folder of CRDs or dashboards), or another repository's, stays low.
 */
const sourceRevision = (base: Resource, head: Resource, out: DetectionList, context: DetectorContext): void => {
  const [before, after] = [fluxRevision(base), fluxRevision(head)];
  if (before === after) return;
  // Another repository's files are reviewed at no revision (a Renovate bump of an upstream CRD repository's tag).
  const readers = resourcesOfKind(context.head, "Kustomization").filter(
    (kustomization) =>
      kustomization.id.group === FLUX_KUSTOMIZE &&
      gitSourcesOf(kustomization, context.head).includes(head) &&
      !foreignSource(kustomization, context.head),
  );
  const delivering = readers.filter((kustomization) =>
    mayDeliverTraffic(context.base.resources.get(kustomization.key), kustomization, context),
  );
  if (delivering.length === 0) return;
  const where = clusterWord(
    sortedSet(delivering.flatMap((kustomization) => reachOf(kustomization, treeOf(context.head, context), context)?.clusters ?? [])),
  );
  out.add({
    class: "resource.changed",
    summary: `spec.ref ${before} → ${after}, read by ${named(copiesNamed(delivering))}: ${revisionJudge(before, after, where, context.trafficKinds)!.effect}`,
    side: "head",
    path: ["spec", "ref"],
    before: valueAt(base.body, ["spec", "ref"]),
    after: valueAt(head.body, ["spec", "ref"]),
    riskFloor: "high",
  });
};

/**
 * A Flux Kustomization's sourceRef moved to another GitRepository of this repository that checks
 * out another revision (the same URL on a hotfix branch): its path is then read from that revision,
 * which this review does not read (sourceRevision). A source of another repository is sourceForeign's.
 */
const fluxSourceRevision = (change: ResourceChange, where: string, out: DetectionList, context: DetectorContext): void => {
  const { base, head } = change;
  if (!base || !head || head.id.group !== FLUX_KUSTOMIZE) return;
  const [refBefore, refAfter] = [record(base.body.spec).sourceRef, record(head.body.spec).sourceRef];
  if (sameValue(refBefore, refAfter) || foreignSource(head, context.head)) return;
  const [before, after] = [revisionsRead(base, context.base), revisionsRead(head, context.head)];
  if (before.length === 0 || after.length === 0 || sameValue(before, after) || !mayDeliverTraffic(base, head, context)) return;
  out.add({
    class: "resource.changed",
    summary: `spec.sourceRef ${show(refBefore)} → ${show(refAfter)}: ${revisionJudge(before.join(", "), after.join(", "), where, context.trafficKinds)!.effect}`,
    side: "head",
    path: ["spec", "sourceRef"],
    before: refBefore,
    after: refAfter,
    riskFloor: "high",
  });
};

interface Setting {
  readonly kinds: readonly string[];
  readonly path: FieldPath;
  readonly read: (value: unknown) => unknown;
  readonly judge: (
    before: unknown,
    after: unknown,
    where: string,
    kinds: DetectorContext["trafficKinds"],
  ) => { readonly floor: RiskLevel; readonly effect: string } | undefined;
  /** Names the setting in the summary instead of its path and values, when those are too large to show. */
  readonly label?: string;
  /**
   * For an Application's source field: whether what the setting reads of a source is the render
   * stage's to judge once it judged that source's chart (DetectorContext.renderJudged).
   */
  readonly rendered?: (source: Record<string, unknown>) => boolean;
  /**
   * Whether the floor stands for what the change does to the traffic config the object delivers
   * (whether it lands, whether it is deleted): low where it is known to deliver none on either side
   * (quiet-deliveries.ts).
   */
  readonly aboutDelivered?: true;
}

/** The revision(s) an Argo CD source deploys; `sources` is read as one list. */
const revisions = (value: unknown): unknown =>
  value === undefined
    ? undefined
    : Array.isArray(value)
      ? value.map((source) => text(record(source).targetRevision) ?? "HEAD")
      : (text(record(value).targetRevision) ?? "HEAD");

const revisionJudge: Setting["judge"] = (before, after, where) => ({
  floor: "high",
  effect: `deploys revision ${show(after)} instead of ${show(before)} to ${where}: the config deployed is not reviewed here`,
});

/**
 * The Helm fields of an Argo CD source a render reads: the values (inline, files, `--set`, and
 * whether a missing file fails the render or is left out), the release name, which most charts'
 * resource names are made of, and what the templates are told of the release and the cluster: its
 * namespace, Kubernetes version and APIs (a chart gating its routes on them), whether tests and
 * the values schema are applied, and Helm's major version. Not `passCredentials`: handing the
 * repository's credentials to a dependency's fetch renders the same chart; nor `skipCrds`, which
 * changes only the CRDs applied, none of which a render here reads (skipped-crds.ts judges it).
 */
const HELM_INPUTS = [
  "values",
  "valuesObject",
  "valueFiles",
  "ignoreMissingValueFiles",
  "parameters",
  "fileParameters",
  "releaseName",
  "namespace",
  "kubeVersion",
  "apiVersions",
  "skipSchemaValidation",
  "skipTests",
  "version",
] as const;

/** What an Argo CD source renders over the repository: kustomize patches and Helm inputs (HELM_INPUTS), per source. */
const renderInputs = (value: unknown): unknown => {
  if (value === undefined) return undefined;
  const inputs = (source: unknown) => {
    const { kustomize, helm } = record(source);
    return { kustomize: record(kustomize), helm: Object.fromEntries(HELM_INPUTS.map((field) => [field, record(helm)[field]])) };
  };
  return Array.isArray(value) ? value.map(inputs) : inputs(value);
};

/**
 * The Helm inputs that differ between two sides' sources, as written (`helm.valueFiles`; of a
 * `sources` list, `sources[1].helm.valueFiles`), and a source one side lacks: the reviewer is
 * told which to read (a `$values` path respelled read as "inline Helm values": eks-blueprints-add-ons e8c2555514).
 */
const helmChanges = (before: unknown, after: unknown): string[] => {
  const many = Array.isArray(before) || Array.isArray(after);
  const [was, is] = [before, after].map((value) => (Array.isArray(value) ? value : [value]));
  return Array.from({ length: Math.max(was!.length, is!.length) }, (_, index) => {
    const [a, b] = [was![index], is![index]];
    const at = many ? `sources[${index}].` : "";
    if (a === undefined || b === undefined)
      return [`a source ${a === undefined ? "added" : "removed"}${many ? ` (sources[${index}])` : ""}`];
    const [helmBefore, helmAfter] = [record(record(a).helm), record(record(b).helm)];
    return HELM_INPUTS.filter((field) => !sameValue(helmBefore[field], helmAfter[field])).map((field) => `${at}helm.${field}`);
  }).flat();
};

/**
 * Helm inputs reach traffic config through templates the review never renders, so any change
 * counts; kustomize patches count when they name a traffic kind or group.
 */
const renderJudge: Setting["judge"] = (before, after, where, kinds) => {
  const kustomize = (value: unknown) => JSON.stringify((Array.isArray(value) ? value : [value]).map((source) => record(source).kustomize));
  const helm = helmChanges(before, after);
  if (helm.length > 0)
    return {
      floor: "high",
      effect: `${named(helm)} ${helm.length === 1 ? "changes" : "change"} what is rendered for ${where}: the rendered config is not reviewed here`,
    };
  const rewriting = rewritingOptions(before, after);
  if (rewriting.length > 0)
    return {
      floor: "high",
      effect: `kustomize ${rewriting.join(", ")} ${rewriting.length === 1 ? "renames, moves or relabels" : "rename, move or relabel"} what is rendered for ${where}: not rendered by Route Governor; a Gateway or route renamed or moved is a new one`,
    };
  const patches = `${kustomize(before)}\n${kustomize(after)}`;
  return mentionsTraffic(patches, kinds)
    ? {
        floor: "high",
        effect: `inline kustomize patches rewrite traffic config for ${where}: their effect is not rendered by Route Governor; review the patch`,
      }
    : undefined;
};

/**
 * An Application's kustomize options that leave names, namespaces, labels and resources alone:
 * image tags, replica counts, tool versions. Patches are judged by what they name (renderJudge).
 */
const KEEPING_OPTIONS = new Set(["images", "replicas", "version", "kubeVersion", "apiVersions", "patches"]);

/** Annotation keys controllers read for routing, load balancing, certificates or mesh behaviour. */
const TRAFFIC_ANNOTATION =
  /ingress|nginx|alb\.|elbv2|gke\.io|istio\.io|networking|gateway|service\.beta\.kubernetes\.io|traefik|cert-manager|rollouts|flagger|linkerd|kuma/i;

/** Annotations every rendered object gets: a team or owner tag renames nothing; a controller's annotation steers traffic. */
const steeringAnnotations = (was: unknown, now: unknown): boolean => {
  const [before, after] = [record(was), record(now)];
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].some(
    (key) => !sameValue(before[key], after[key]) && TRAFFIC_ANNOTATION.test(key),
  );
};

/** The kustomize options (namePrefix, namespace, components, commonLabels, ...) whose values differ between two sides' sources. */
const rewritingOptions = (before: unknown, after: unknown): string[] => {
  const options = (value: unknown) => (Array.isArray(value) ? value : [value]).map((source) => record(record(source).kustomize));
  const [was, now] = [options(before), options(after)];
  const changed = new Set<string>();
  for (let index = 0; index < Math.max(was.length, now.length); index++) {
    const [a, b] = [was[index] ?? {}, now[index] ?? {}];
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      if (KEEPING_OPTIONS.has(key) || sameValue(a[key], b[key])) continue;
      if (key === "commonAnnotations" && !steeringAnnotations(a[key], b[key])) continue;
      changed.add(key);
    }
  }
  return [...changed].sort();
};

/**
 * targetRevision and inline render inputs, for a source block wherever the kind keeps it. A chart
 * source's targetRevision is the chart's version, and a Helm source's values are what its render
 * reads: the render stage judges both (linkerd-examples d0f758b: a cert-manager chart bump was
 * high twice, and still high once `render.trusted` vouched for the chart). A path source's
 * targetRevision is a git revision, whose content no render here reads.
 */
const sourceSettings = (kinds: readonly string[], prefix: FieldPath): Setting[] =>
  (["source", "sources"] as const).flatMap((field) => [
    {
      kinds,
      path: [...prefix, field],
      read: revisions,
      judge: revisionJudge,
      label: `${field}.targetRevision`,
      rendered: (source) => source.chart !== undefined,
    },
    { kinds, path: [...prefix, field], read: renderInputs, judge: renderJudge, label: `${field} render inputs`, rendered: () => true },
  ]);

/** What an Application's sources render and deploy, judged for written and generated Applications alike. */
const APPLICATION_SOURCE_SETTINGS = sourceSettings(["Application"], ["spec"]);

const SETTINGS: readonly Setting[] = [
  ...APPLICATION_SOURCE_SETTINGS,
  ...sourceSettings(["ApplicationSet"], ["spec", "template", "spec"]),
  {
    kinds: ["ApplicationSet"],
    path: ["spec", "template", "spec", "destination", "namespace"],
    read: text,
    judge: (before, after, where) => ({
      floor: "high",
      effect: `resources without a namespace of their own land in ${show(after)} (was ${show(before)}) on ${where}`,
    }),
  },
  {
    kinds: ["Kustomization"],
    path: ["spec", "suspend"],
    read: (value) => flag(value) ?? false,
    aboutDelivered: true,
    judge: (_before, after, where) =>
      after
        ? { floor: "medium", effect: `reconciliation stops: later changes under its path no longer reach ${where}` }
        : { floor: "high", effect: `reconciliation resumes: every change pending under its path is applied to ${where} at once` },
  },
  {
    // kustomize-controller records what each reconcile applied as its inventory, prune or not, and
    // prunes only what leaves it between two reconciles: objects removed while prune was off already
    // left it, orphaned (fluxcd/kustomize-controller#1388), so turning prune on deletes none of them.
    // What the same PR removes is judged as removed on its own (tyriis/home-ops cf94ea48f5 turned it on
    // for 17 Kustomizations and read high for each).
    kinds: ["Kustomization"],
    path: ["spec", "prune"],
    read: (value) => flag(value) ?? false,
    aboutDelivered: true,
    judge: (_before, after, where) =>
      after
        ? {
            floor: "low",
            effect: `resources removed from the repository from now on are deleted from ${where}, and so is everything it applied if it is deleted; those removed while prune was off are not (Flux's inventory no longer lists them)`,
          }
        : { floor: "medium", effect: `resources removed from the repository stay on ${where}, still serving traffic` },
  },
  // kustomize-controller's namePrefix and nameSuffix (Flux 2.5) rename every object it applies, and
  // the review reads its files unrenamed: each is a new object, and what names the old one (a
  // route's backend or parent, a listener's certificate, from outside this Kustomization) finds none.
  ...(["namePrefix", "nameSuffix"] as const).map((field): Setting => ({
    kinds: ["Kustomization"],
    path: ["spec", field],
    read: text,
    judge: (_before, _after, where) => ({
      floor: "high",
      effect: `renames every object it applies on ${where}: each is a new object, and what names one by its old name no longer finds it`,
    }),
  })),
  {
    kinds: ["Application"],
    path: ["spec", "syncPolicy", "automated"],
    aboutDelivered: true,
    read: (value) => {
      const automated = optionalRecord(value);
      return automated && { prune: flag(automated.prune) ?? false, selfHeal: flag(automated.selfHeal) ?? false };
    },
    judge: (before, after, where) => {
      const was = before as { prune: boolean } | undefined;
      const now = after as { prune: boolean } | undefined;
      if (!was) return { floor: "medium", effect: `automated sync on: every merge lands on ${where} without a manual sync` };
      if (!now) return { floor: "medium", effect: `automated sync off: merges no longer land on ${where} until someone syncs` };
      if (!was.prune && now.prune)
        return { floor: "high", effect: `automated prune on: resources removed from the repository are deleted from ${where}` };
      if (was.prune && !now.prune)
        return {
          floor: "medium",
          effect: `automated prune off: resources removed from the repository stay on ${where}, still serving traffic`,
        };
      // Self-heal only decides whether edits made in the cluster by hand are reverted to the
      // repository's: what the repository applies is the same (a low field change).
      return undefined;
    },
  },
];

/** What a setting reads of a resource, an Application's sources the render stage judged (Setting.rendered) read as alike. */
function unjudged(resource: Resource, setting: Setting, context: DetectorContext): unknown {
  const value = valueAt(resource.body, setting.path);
  if (!setting.rendered || resource.id.kind !== "Application") return value;
  const spec = record(resource.body.spec);
  const sources = [...(spec.source === undefined ? [] : [spec.source]), ...list(spec.sources)];
  const judged = (source: unknown, index: number) =>
    setting.rendered!(record(source)) && context.renderJudged(resource, index, sources.length) ? RENDERED : source;
  const field = setting.path[setting.path.length - 1];
  if (field === "source") return value === undefined ? value : judged(value, 0);
  const offset = spec.source === undefined ? 0 : 1;
  return Array.isArray(value) ? value.map((source, index) => judged(source, offset + index)) : value;
}

/** A source the render stage judged, as each setting reads it: alike on both sides. */
const RENDERED = Object.freeze({ rendered: true });

/** One setting of two versions of an object, judged; undefined where it reads alike or its judge lets it pass. */
const settingChange = (setting: Setting, base: Resource, head: Resource, where: string, context: DetectorContext) => {
  const before = setting.read(unjudged(base, setting, context));
  const after = setting.read(unjudged(head, setting, context));
  if (sameValue(before, after)) return undefined;
  const verdict = setting.judge(before, after, where, context.trafficKinds);
  const what = setting.label ?? `${setting.path.slice(1).join(".")} ${show(before)} → ${show(after)}`;
  return verdict && { before, after, verdict, what };
};

/** The settings judged, by label (Setting.label): those an ApplicationSet's template judged are not said again of what it generates. */
const settings = (change: ResourceChange, where: string, out: DetectionList, context: DetectorContext): ReadonlySet<string> => {
  const said = new Set<string>();
  if (!change.base || !change.head) return said;
  const kind = change.head.id.kind;
  const { base, head } = change;
  // Read once a change, where a setting about what it delivers asks: a suspend and a prune edited together ask alike.
  let delivered: boolean | undefined;
  for (const setting of SETTINGS) {
    if (!setting.kinds.includes(kind)) continue;
    const judged = settingChange(setting, base, head, where, context);
    if (!judged) continue;
    const { before, after, verdict, what } = judged;
    said.add(what);
    const quiet =
      setting.aboutDelivered === true &&
      verdict.floor !== "low" &&
      (delivered ??= deliversNoTraffic(base, "base", context) && deliversNoTraffic(head, "head", context));
    out.add({
      class: "resource.changed",
      summary: quiet
        ? `${what}: it delivers no traffic config to ${where} (${(context.deliveryOf(change.head, context.head)?.paths ?? []).join(", ")} holds no traffic resource, release or GitOps object), so no route changes`
        : `${what}: ${verdict.effect}`,
      side: "head",
      path: setting.path,
      before,
      after,
      riskFloor: quiet ? "low" : verdict.floor,
    });
  }
  return said;
};

/** The kinds of generators a set combines (`clusters`, `list`), through matrix and merge generators. */
const generatorKinds = (generators: unknown): string[] =>
  list(generators).flatMap((generator) =>
    Object.entries(record(generator)).flatMap(([kind, fields]) =>
      kind === "matrix" || kind === "merge" ? generatorKinds(record(fields).generators) : kind === "selector" ? [] : [kind],
    ),
  );

/**
 * An ApplicationSet whose generators the PR changes, feeding parameters into what its
 * Applications render or deploy (a placeholder in a source's Helm or kustomize settings, chart or
 * targetRevision), where the tree cannot list those Applications (a cluster generator reads Argo
 * CD's cluster Secrets, an SCM, pull-request or plugin generator a service): what the new
 * parameters render is reviewed nowhere, so it is not a low field change.
 */
const unlistedParameters = (base: Resource, head: Resource, out: DetectionList): void => {
  const generators = (resource: Resource) => record(resource.body.spec).generators;
  const spec = record(record(record(head.body.spec).template).spec);
  const fed = [spec.source, ...list(spec.sources)].some((source) => {
    const { helm, kustomize, chart, targetRevision } = record(source);
    return (JSON.stringify({ helm, kustomize, chart, targetRevision }) ?? "").includes("{{");
  });
  if (!fed || sameValue(generators(base), generators(head))) return;
  const kinds = sortedSet(generatorKinds(generators(head)));
  out.add({
    class: "resource.changed",
    summary: `spec.generators changed, and the parameters they give its template's sources (Helm or kustomize settings, chart or revision) render in Applications the review cannot list from the tree (generators: ${kinds.join(", ")}): what they render is not reviewed here`,
    side: "head",
    path: ["spec", "generators"],
    before: generators(base),
    after: generators(head),
    riskFloor: "high",
  });
};

/**
 * The sources of the Applications an ApplicationSet generates, judged as written Applications'
 * are, paired by name (generatedOn): what a list element or a git generator's file feeds into
 * `helm.parameters`, kustomize patches or a targetRevision changes what each renders and deploys
 * though the template reads the same (a canary weight 10 → 90 in a list element feeding a
 * kustomize patch was one low line; the same edit on an Application is high). The render stage
 * judges the charts it rendered (renderJudged: their roots are named by the generated
 * Applications). A setting the template's own change was judged for (`said`) is not said twice.
 */
const generatedSettings = (change: ResourceChange, said: ReadonlySet<string>, out: DetectionList, context: DetectorContext): void => {
  if (!change.base || !change.head || change.head.id.kind !== "ApplicationSet") return;
  const [generated, generating] = [generatedOn(change.base, "base", context), generatedOn(change.head, "head", context)];
  if (!generated || !generating) {
    unlistedParameters(change.base, change.head, out);
    return;
  }
  const before = new Map(generated.map((application) => [application.id.name, application]));
  const tree = treeOf(context.head, context);
  for (const setting of APPLICATION_SOURCE_SETTINGS) {
    const pairs = generating.flatMap((head) => {
      const base = before.get(head.id.name);
      return base ? [{ base, head }] : [];
    });
    const changed = pairs.filter(({ base, head }) => settingChange(setting, base, head, "", context) !== undefined);
    if (changed.length === 0) continue;
    const clusters = sortedSet(changed.flatMap(({ head }) => reachOf(head, tree, context)?.clusters ?? []));
    const judged = settingChange(setting, changed[0]!.base, changed[0]!.head, clusterWord(clusters), context)!;
    if (said.has(judged.what)) continue;
    const names = changed.map(({ head }) => head.id.name);
    out.add({
      class: "resource.changed",
      summary: `Application${names.length === 1 ? "" : "s"} ${named(names)} it generates, ${judged.what}: ${judged.verdict.effect}`,
      side: "head",
      path: ["spec", "generators"],
      before: Object.fromEntries(changed.map(({ base }) => [base.id.name, valueAt(base.body, setting.path)])),
      after: Object.fromEntries(changed.map(({ head }) => [head.id.name, valueAt(head.body, setting.path)])),
      riskFloor: judged.verdict.floor,
    });
  }
};

/**
 * An ApplicationSet whose source path its generators do not fill here (Delivery.unresolved: the
 * gitops-bridge `{{metadata.annotations.addons_repo_path}}`, read from Argo CD's cluster Secrets)
 * applies a folder the review cannot know. It places none of the tree's files: read as a glob that
 * placed every file, it "re-placed" every unchanged chart (eks-blueprints-add-ons 2c7800c47a: 47
 * charts blocked as not renderable offline for one bootstrap set added). It is judged itself, once,
 * where it is added or removed or what decides its Applications' sources and clusters changes: high
 * where its glob matches a folder of the tree that holds traffic config, a GitOps object or a chart,
 * which may then land on its clusters unreviewed.
 */
const unresolvedReach = (change: ResourceChange, where: string, out: DetectionList, context: DetectorContext): void => {
  const { base, head } = change;
  const after = head && context.deliveryOf(head, context.head)?.unresolved;
  const unknown = after ?? (base && context.deliveryOf(base, context.base)?.unresolved);
  const subject = head ?? base;
  if (!unknown || !subject) return;
  const fields = PLACEMENT_FIELDS[subject.id.kind] ?? [];
  const field = changedField(change, fields);
  if (base && head && fields.every((path) => sameValue(valueAt(base.body, path), valueAt(head.body, path)))) return;
  const set = after ? context.head : context.base;
  const reached = sortedSet([
    ...[...set.resources.values()].flatMap((other) =>
      other.source.file !== subject.source.file && !context.readForContext(other) && unknown.mayRead(other.source.file)
        ? [displayName(other.id)]
        : [],
    ),
    ...set.files
      .filter((file) => /(?:^|\/)Chart\.yaml$/.test(file) && unknown.mayRead(file))
      .map((file) => `chart ${file.slice(0, -"/Chart.yaml".length) || "."}`),
  ]);
  const generators = sortedSet(generatorKinds(record(subject.body.spec).generators)).join(", ");
  const why = `its generators (${generators}) do not fill source path ${unknown.paths.join(", ")} from the repository`;
  const may =
    reached.length > 0
      ? `; of this tree it may apply ${named(reached)}`
      : "; no folder of this tree its path may name holds traffic config, a GitOps object or a chart";
  const what = !base
    ? `added: ${why}, so which folder it applies to ${where} cannot be known offline${may}`
    : !head
      ? `removed: ${why}, so what its Applications applied, now ${prunesOnDelete(base) ? "deleted from" : "left unmanaged on"} ${where}, cannot be known offline${may}`
      : `${field.slice(1).join(".")} changed while ${why}: what it applies to ${where}, before and after, cannot be known offline${may}`;
  out.add({
    class: "resource.changed",
    summary: what,
    side: head ? "head" : "base",
    path: base && head ? field : ["spec"],
    ...(base ? { before: context.deliveryOf(base, context.base)?.unresolved?.paths ?? valueAt(base.body, field) } : {}),
    ...(head ? { after: after?.paths ?? valueAt(head.body, field) } : {}),
    ...(reached.length > 0 ? { riskFloor: "high" as const } : {}),
  });
};

/** Whether a rule takes some writes: one of its request shapes admits a mutating method. */
const takesWrites = (rule: RuleShape): boolean =>
  rule.alternatives.some(({ signature }) =>
    requestShapes(signature).some((shape) => MUTATING_METHODS.some((method) => admitsMethod(shape, method))),
  );

/**
 * An ApplicationSet whose path the review cannot place (unresolvedReach) still sends what it may
 * apply to the clusters its generators name; the route diff never sees those files move there, so
 * the worst it would say of them is said here, where its clusters gain a region (every one of them
 * for a set added; a cluster the policy does not name is a region of its own):
 * - a route it may apply that sends writes to a service the policy keeps single-region, by the
 *   backend's name (a cluster-local Service runs where its route is applied), may then take them in
 *   a region other than the owner's: writes.active-active, as a written path moving the route there is;
 * - trust config it may apply (the families' trustKinds: mTLS, issuers, trust domains) then governs
 *   that region's traffic, unreviewed: critical, as trust.changed and mtls.weakened are.
 * A set removed or narrowed gains no region: its resource.changed says all there is.
 */
const unresolvedWidening = (
  change: ResourceChange,
  before: readonly string[],
  after: readonly string[],
  out: DetectionList,
  context: DetectorContext,
): void => {
  const { base, head } = change;
  const unknown = head && context.deliveryOf(head, context.head)?.unresolved;
  if (!unknown) return;
  const { clusters } = context.policy.topology;
  const regionOf = (cluster: string) => clusters[cluster] ?? cluster;
  const had = new Set((base ? before : []).map(regionOf));
  const gained = sortedSet(after.map(regionOf).filter((region) => !had.has(region)));
  if (gained.length === 0) return;
  // Its writes now land in every region it reaches: beyond the owner's, or in two where none is named.
  const reach = sortedSet([...had, ...gained]);
  const spreads = (owner: string | undefined) => (owner ? reach.some((region) => region !== owner) : reach.length > 1);
  const path = base ? changedField(change, PLACEMENT_FIELDS[head.id.kind] ?? []) : ["spec"];
  const reached = [...context.head.resources.values()].filter(
    (other) => other.source.file !== head.source.file && unknown.mayRead(other.source.file),
  );
  const writers = new Map<string, Set<string>>();
  for (const other of reached)
    for (const rule of context.routeRules(other, context.head).filter(takesWrites))
      for (const { ref } of rule.backends) {
        // The policy names a service as the route diff does: by its name, an Istio host by its first label.
        const name = [ref.name, ref.name.split(".")[0]!].find((candidate) => context.policy.services[candidate]);
        const service = name === undefined ? undefined : context.policy.services[name];
        if (service?.writes !== "single-region" || !spreads(service.ownerRegion)) continue;
        writers.set(name!, (writers.get(name!) ?? new Set()).add(displayName(other.id)));
      }
  const landing = `its clusters now reach ${gained.join(", ")}`;
  for (const [service, routes] of [...writers].sort(([a], [b]) => a.localeCompare(b))) {
    const owner = context.policy.services[service]!.ownerRegion;
    out.add({
      class: "writes.active-active",
      summary: `${named(sortedSet([...routes]))}, which it may apply, send writes to ${service}, kept single-region${owner ? ` in ${owner}` : ""}: ${landing}, where those writes may land`,
      side: "head",
      path,
    });
  }
  const trust = sortedSet(reached.filter((other) => context.trustKinds.has(other.id.kind)).map((other) => displayName(other.id)));
  if (trust.length > 0)
    out.add({
      class: "resource.changed",
      summary: `${landing}, where trust config it may apply (${named(trust)}) would govern traffic unreviewed`,
      side: "head",
      path,
      riskFloor: "critical",
    });
};

/**
 * The namespaces the namespaced objects a GitOps object delivers land in on one side, by kind and
 * name, as its namespacing has it (a Flux targetNamespace first, an Argo CD destination namespace
 * last). Every object of those files counts, not only traffic config: a release's charts, a
 * Service a route sends to and a Secret a listener serves move with them.
 */
function landings(resource: Resource, side: "base" | "head", context: DetectorContext): Map<string, string> {
  const landed = new Map<string, string>();
  for (const { id } of appliedBy(resource, side, context)) {
    if (clusterScoped(id.kind)) continue;
    const key = `${id.kind} ${id.name}`;
    landed.set(key, landed.has(key) ? [landed.get(key)!, id.namespace].sort().join(", ") : id.namespace);
  }
  return landed;
}

/**
 * A GitOps object's namespace setting changed. Set to the namespace its objects already name (or
 * dropped where they name it), it moves nothing: cluster-template migrations write targetNamespace
 * and drop each file's namespace in one PR (budimanjojo/home-cluster 330a8f4), and an overlay that
 * names every object's namespace leaves an Application's destination namespace nothing to give.
 * What does move is named, with where it lands.
 */
const targetNamespace = (change: ResourceChange, where: string, out: DetectionList, context: DetectorContext): void => {
  const namespacing = change.head && namespacingOf(change.head);
  if (!change.base || !change.head || !namespacing) return;
  const { path } = namespacing;
  const [before, after] = [text(valueAt(change.base.body, path)), text(valueAt(change.head.body, path))];
  if (before === after) return;
  const [was, now] = [landings(change.base, "base", context), landings(change.head, "head", context)];
  const moved = [...now].filter(([key, namespace]) => was.has(key) && was.get(key) !== namespace);
  // Objects read on neither side (its path outside the tree) may move all the same; on one side
  // only, they are new or gone with its path (flux2-hub-spoke-example 17a9dca), not moved.
  if (moved.length === 0 && (was.size > 0 || now.size > 0)) return;
  const what =
    moved.length === 0 ? "every object it applies" : named(moved.map(([key, namespace]) => `${key}: ${was.get(key)} → ${namespace}`));
  out.add({
    class: "resource.changed",
    summary: `${path.slice(1).join(".")} ${show(before)} → ${show(after)}: moves ${what} on ${where}: routes may lose listeners that admit only their namespace, and ReferenceGrants stop matching`,
    side: "head",
    path,
    before,
    after,
    riskFloor: "high",
  });
};

/**
 * A Flux Kustomization's own `spec.patches`, which Flux appends to the kustomization of its path:
 * the render stage applies them where it renders that kustomization (the route diff then judges
 * them); where it did not (no kustomization file in the folder: Flux generates one; rendering
 * off), patches that name a traffic kind or group rewrite config the review reads unpatched; those
 * aimed at the Kustomizations it delivers are judged as the same edit written on each of them
 * (child-patches.ts).
 */
const fluxPatches = (change: ResourceChange, where: string, out: DetectionList, context: DetectorContext): void => {
  if (!change.base || !change.head || change.head.id.group !== "kustomize.toolkit.fluxcd.io") return;
  const [before, after] = [record(change.base.body.spec).patches, record(change.head.body.spec).patches];
  if (sameValue(before, after)) return;
  const delivery = context.deliveryOf(change.head, context.head);
  const folder = delivery?.paths[0] ?? "";
  const kustomizations = resourcesOfKind(context.head, "Kustomization").filter((other) => other.id.group === change.head!.id.group);
  // Rendered with these patches only where every Kustomization building the folder applies the same (see fluxBuilds).
  const patchedAlike = kustomizations.every(
    (other) =>
      context.deliveryOf(other, context.head)?.paths[0] !== folder || sameValue(record(other.body.spec).patches ?? [], after ?? []),
  );
  // A nested `patches` these give the Kustomizations they deliver replaces any those write themselves.
  const childrenWithoutPatches = kustomizations.every(
    (other) => !delivery?.destinationOf(other.source.file) || list(record(other.body.spec).patches).length === 0,
  );
  if ((patchedAlike && context.kustomizeJudged(folder)) || onlyOperationalPatches(before, after, context.readYaml, childrenWithoutPatches))
    return;
  // Each entry added, removed or changed: one aimed at the Kustomizations it delivers by what it makes of them.
  const changed = [...unmatched(list(before), list(after)), ...unmatched(list(after), list(before))];
  const aimed = changed.filter((entry) => selectsFluxKustomizations(record(record(entry).target)));
  // Each child as patched on each side is judged as if the PR wrote that edit on it.
  const judge = (base: Resource, head: Resource) => placementDetector({ key: head.key, base, head }, context);
  const children = aimed.length > 0 ? childPatching(change.head, list(before), list(after), aimed, context, judge) : undefined;
  for (const detection of children?.detections ?? [])
    out.add({
      class: detection.class,
      summary: `spec.patches rewrite ${detection.summary}`,
      side: "head",
      path: ["spec", "patches"],
      before: detection.before,
      after: detection.after,
      ...(detection.riskFloor ? { riskFloor: detection.riskFloor } : {}),
      ...(detection.lands ? { lands: detection.lands } : {}),
    });
  const unknown = children?.unknown ?? [];
  // An operation-only entry among them rewrites nothing, whatever it names: the children's HelmRelease
  // defaults patch displaced by a label-selected one of a Dragonfly (joryirving/home-ops a57b01f096).
  const rewritesTraffic = changed.some(
    (entry) =>
      !aimed.includes(entry) && !operationOnlyEntry(entry, context.readYaml, childrenWithoutPatches) && mayRewriteTraffic(entry, context),
  );
  if (!rewritesTraffic && unknown.length === 0) return;
  out.add({
    class: "resource.changed",
    summary: `spec.patches may rewrite traffic config for ${where} on top of ${folder || "."}: ${
      rewritesTraffic
        ? "the review did not render them (Flux generates that folder's kustomization, another Kustomization builds it with other patches, or rendering is off)"
        : `of the Kustomizations it delivers, ${unknown.join("; ")}`
    }, so review the patch`,
    side: "head",
    path: ["spec", "patches"],
    before,
    after,
    riskFloor: "high",
  });
};

/**
 * Whether a `patches` entry (not aimed at Flux Kustomizations) may rewrite traffic config: one that
 * names a traffic kind or group, one whose target names no kind (it patches every object it
 * selects, routes among them), or one of a HelmRelease, whose values reach traffic config through
 * templates the review does not render here (as an Application's inline values do, renderJudge);
 * operation-only ones are passed before (operationOnlyEntry).
 */
const mayRewriteTraffic = (entry: unknown, context: DetectorContext): boolean => {
  const { target } = record(entry);
  const written = JSON.stringify(entry) ?? "";
  return (
    mentionsTraffic(written, context.trafficKinds) ||
    (target !== undefined && text(record(target).kind) === undefined) ||
    /\bHelmRelease\b/.test(written)
  );
};

/**
 * A Flux Kustomization's `spec.components`, which Flux adds to the kustomization of its path: the
 * render stage builds them where it renders that kustomization; where it did not (no kustomization
 * file in the folder: Flux generates one; rendering off), a component added or removed rewrites
 * what the review reads unbuilt (a component patching a route to mirror its requests).
 */
const fluxComponents = (change: ResourceChange, where: string, out: DetectionList, context: DetectorContext): void => {
  if (!change.base || !change.head || change.head.id.group !== "kustomize.toolkit.fluxcd.io") return;
  const [before, after] = [record(change.base.body.spec).components, record(change.head.body.spec).components];
  if (sameValue(before ?? [], after ?? [])) return;
  const folder = context.deliveryOf(change.head, context.head)?.paths[0] ?? "";
  if (context.kustomizeJudged(folder)) return;
  const what = before === undefined ? "added" : after === undefined ? "removed" : "changed";
  out.add({
    class: "resource.changed",
    summary: `spec.components ${what} for ${where} on top of ${folder || "."}: the review did not build them (Flux generates that folder's kustomization, or rendering is off), so review the components`,
    side: "head",
    path: ["spec", "components"],
    before,
    after,
    riskFloor: "high",
  });
};

export const placementDetector: ResourceDetector = (change: ResourceChange, context: DetectorContext) => {
  const subject = change.head ?? change.base;
  if (subject?.id.group === FLUX_SOURCE && subject.id.kind === "GitRepository") return sourceRetargeted(change, context);
  if (!subject || subject.id.group === KUSTOMIZE_GROUP || PLACEMENT_FIELDS[subject.id.kind] === undefined) return [];
  const before = reachOf(change.base, treeOf(context.base, context), context);
  const after = reachOf(change.head, treeOf(context.head, context), context);
  const out = new DetectionList(change);
  if (!sourceMissing(change, before, out, context) && !sourceForeign(change, before, out, context))
    reachChange(change, before, after, out, context);
  const where = clusterWord(after?.clusters ?? before?.clusters ?? []);
  unresolvedReach(change, where, out, context);
  unresolvedWidening(change, before?.clusters ?? [], after?.clusters ?? [], out, context);
  generatedSettings(change, settings(change, where, out, context), out, context);
  const leaving = (before?.resources ?? []).filter((name) => !after?.resources.includes(name));
  if (!applicationsLetGo(change, context, leaving, out)) generatedRenamed(change, before?.resources ?? [], where, out);
  targetNamespace(change, where, out, context);
  recreations(change, where, out, context);
  skippedCrds(change, where, out, context);
  fluxPatches(change, where, out, context);
  fluxComponents(change, where, out, context);
  fluxSourceRevision(change, where, out, context);
  return out.detections;
};
