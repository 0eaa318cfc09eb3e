import { displayName, type Resource } from "../../core/resource.js";
import { sortedSet } from "../../core/canonical-values.js";
import { DetectionList } from "../../core/detection-list.js";
import type { DetectorContext, ResourceDetector } from "../../core/detector.js";
import { sameRepository } from "../../core/repository-url.js";
import { unnamedSite } from "../../core/gitops-delivery.js";
import { normalizeRepoPath } from "../../core/tree-folders.js";
import { instanceSync, isFluxInstance, type InstanceSync } from "./flux-instance.js";
import { clusterWord, named } from "./named-list.js";

/** What a side's sync brings to the cluster it runs on: its sites, and the traffic resources landing there. */
interface Synced {
  readonly sync: InstanceSync;
  readonly clusters: readonly string[];
  /** Display names of the traffic resources the tree applies at its sites, through whatever delivers them there. */
  readonly resources: readonly string[];
}

/**
 * A side's sync where it delivers this tree's files (deliveries.ts; not one of another repository,
 * a Bucket, or one naming no path): the traffic resources landing at its own sites, however they get
 * there (a cluster's folder holds Kustomizations, not routes: `clusters/a/tenants.yaml` delivering
 * `tenants/`), so that the sync is judged by what its cluster serves.
 */
const syncedOn = (resource: Resource | undefined, side: "base" | "head", context: DetectorContext): Synced | undefined => {
  const set = context[side];
  const sync = resource && instanceSync(resource);
  if (!sync || !context.deliveryOf(resource, set)) return undefined;
  const placement = context.placementOf(set);
  const own = placement(resource.source.file);
  // Where nothing places its own file (synced from a folder outside its path), a site of its own.
  const sites = own.sites?.length ? own.sites : [unnamedSite(resource)];
  const resources = [...set.resources.values()].flatMap((other) =>
    other.family === "placement" ||
    context.readForContext(other) ||
    !context.applies(side, other.source.file) ||
    !(placement(other.source.file).sites ?? []).some((site) => sites.includes(site))
      ? []
      : [displayName(other.id)],
  );
  return { sync, clusters: own.clusters, resources: sortedSet(resources) };
};

const shown = (value: string | undefined): string => value ?? "(none)";

/** What of a sync differs between two sides: its path, its source (kind and repository: a respelled URL is the same), its revision, its name. */
const syncChanges = (before: InstanceSync, after: InstanceSync): { readonly parts: readonly string[]; readonly source: boolean } => {
  const path = (sync: InstanceSync) => normalizeRepoPath(sync.path ?? "");
  const url = before.url === after.url || sameRepository(before.url, after.url);
  const parts = [
    path(before) === path(after) ? "" : `spec.sync.path ${shown(before.path)} → ${shown(after.path)}`,
    before.kind === after.kind ? "" : `spec.sync.kind ${shown(before.kind)} → ${shown(after.kind)}`,
    url ? "" : `spec.sync.url ${shown(before.url)} → ${shown(after.url)}`,
    before.ref === after.ref ? "" : `spec.sync.ref ${shown(before.ref)} → ${shown(after.ref)}`,
    before.name === after.name ? "" : `spec.sync.name ${before.name} → ${after.name}`,
  ].filter(Boolean);
  return { parts, source: !url || before.kind !== after.kind || before.ref !== after.ref };
};

/**
 * A FluxInstance whose sync the PR moves (path, source, revision) or stops, where traffic config
 * lands through it: its cluster applies the new sync's build and prunes what the old one applied
 * that the new one does not hold. A path moved within this repository is judged by what lands, but
 * another repository's files or another revision's are not reviewed here (as a GitRepository's
 * `spec.ref` or `spec.url` moved: placement.ts), and a sync pointed at another repository is read
 * by the head tree alone as this repository's (its URL is flux-system's), so the base's judgment
 * stands. route.attachment-changed, high: what the cluster's root applies is attached elsewhere. A
 * sync added is judged by what its cluster newly serves, where the base already held it (a second
 * cluster syncing `clusters/a`). One that brings no traffic config on either side stays the
 * fallback's low line (d2-fleet: a cluster added for image automation, its tenants ResourceSets alone).
 */
export const instanceSyncDetector: ResourceDetector = (change, context) => {
  const subject = change.head ?? change.base;
  if (!subject || !isFluxInstance(subject)) return [];
  const [before, after] = [syncedOn(change.base, "base", context), syncedOn(change.head, "head", context)];
  const out = new DetectionList(change);
  if (before && after) {
    const { parts, source } = syncChanges(before.sync, after.sync);
    const resources = sortedSet([...before.resources, ...after.resources]);
    if (parts.length === 0 || resources.length === 0) return [];
    const effect = source
      ? `Flux applies what that source holds at ${shown(after.sync.path)}, which this review does not read, in place of what it synced from this repository`
      : `Flux applies ${shown(after.sync.path)} in place of ${shown(before.sync.path)}, and prunes what only the old path applied`;
    out.add({
      class: "route.attachment-changed",
      summary: `${parts.join("; ")}: on ${clusterWord(after.clusters)}, ${effect}; ${resources.length} traffic resources land there through it (${named(resources)})`,
      side: "head",
      path: ["spec", "sync"],
      before: before.sync,
      after: after.sync,
    });
  } else if (before && before.resources.length > 0) {
    const stops = change.head
      ? `spec.sync no longer syncs ${shown(before.sync.path)} of this repository`
      : `removed: ${clusterWord(before.clusters)} no longer syncs ${shown(before.sync.path)} of this repository`;
    out.add({
      class: "route.attachment-changed",
      summary: `${stops}, and its ${before.resources.length} traffic resources landing there through it (${named(before.resources)}) are no longer reconciled from here`,
      side: change.head ? "head" : "base",
      path: ["spec", "sync"],
      before: before.sync,
    });
  } else if (after) {
    const baseNames = new Set([...context.base.resources.values()].map((resource) => displayName(resource.id)));
    const held = after.resources.filter((name) => baseNames.has(name));
    if (held.length === 0) return [];
    out.add({
      class: "route.attachment-changed",
      summary: `${change.base ? "spec.sync now syncs" : "added: syncs"} ${shown(after.sync.path)} of this repository, and ${clusterWord(after.clusters)} newly applies ${held.length} traffic resources the base tree already held (${named(held)})`,
      side: "head",
      path: ["spec", "sync"],
      after: after.sync,
    });
  }
  return out.detections;
};
