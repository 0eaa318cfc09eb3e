import type { Resource } from "../../core/resource.js";
import { isRecord, list, record, text, texts, valueAt } from "../../core/json-access.js";
import { sameValue, setChange, show, sortedSet } from "../../core/canonical-values.js";
import { DetectionList } from "../../core/detection-list.js";
import type { DetectorContext, ResourceDetector } from "../../core/detector.js";
import type { FieldPath } from "../../core/finding.js";
import { chartSourceOf } from "../../core/argo-chart-source.js";
import { K8GB_CHART } from "../../core/k8gb-topology-values.js";

/**
 * k8gb's own settings, in the values of its Helm chart as a Flux HelmRelease or an Argo CD
 * Application installs it (core/k8gb-topology-values.ts): the geoTag this cluster answers as, the
 * clusters it pairs with and the zones it answers for. The chart only hands them to the operator
 * as its environment, so no render shows them; yet every Gslb means them: a failover Gslb's
 * `primaryGeoTag: eu` is the cluster whose `clusterGeoTag` is eu, and a cluster answers with the
 * targets of the peers it lists only (k8gb's GetClusterNsNames). A clusterGeoTag flipped eu → us
 * passed as a render the review could not do, high, where it moves every failover Gslb's primary.
 */

interface Located {
  readonly value: unknown;
  readonly path: FieldPath;
}

/** Where a release's values set a field (`["k8gb", "clusterGeoTag"]`): its value and where it is written. */
type Settings = (field: FieldPath) => Located;

/**
 * The values of a k8gb release: a HelmRelease's `spec.values` (the family reads a HelmRelease only
 * where it installs the chart: by its `chart:`, or the chart its `chartRef`'s source serves, as the
 * loader resolves it), or an Application's k8gb source's `helm.valuesObject` over its `helm.values`
 * string, field by field as Argo CD merges them. Undefined for anything else.
 */
function k8gbValues(resource: Resource, readYaml: DetectorContext["readYaml"]): Settings | undefined {
  const { body } = resource;
  if (resource.id.kind === "HelmRelease")
    return (field) => ({ value: valueAt(body, ["spec", "values", ...field]), path: ["spec", "values", ...field] });
  if (resource.id.kind !== "Application") return undefined;
  const found = chartSourceOf(body, (chart) => chart === K8GB_CHART);
  if (!found) return undefined;
  const helm = record(found.source.helm);
  const written = typeof helm.values === "string" ? readYaml(helm.values) : undefined;
  return (field) => {
    const object = valueAt(helm.valuesObject, field);
    return object !== undefined
      ? { value: object, path: [...found.path, "helm", "valuesObject", ...field] }
      : { value: valueAt(written, field), path: [...found.path, "helm", "values", ...field] };
  };
}

/** The chart's defaults (values.yaml, every release since 0.7): what an unset field means. */
const DEFAULT_GEO_TAG = "eu";
const DEFAULT_ZONES: ReadonlyMap<string, string> = new Map([["cloud.example.com", "example.com"]]);

const geoTagOf = (settings: Settings): string => text(settings(["k8gb", "clusterGeoTag"]).value) ?? DEFAULT_GEO_TAG;

/**
 * The geoTags of the clusters it pairs with: the comma-separated list, less its own tag (0.15 and
 * later list every cluster's, their own included; k8gb skips it). Unset is the chart's default,
 * "eu,us" (0.15 on; "us" before: the same peer for the default eu).
 */
function peersOf(settings: Settings): string[] {
  const own = geoTagOf(settings);
  const { value } = settings(["k8gb", "extGslbClustersGeoTags"]);
  const written = typeof value === "string" ? value.split(",") : value === undefined ? ["eu", "us"] : texts(value);
  return sortedSet(written.map((tag) => tag.trim()).filter((tag) => tag !== "" && tag !== own));
}

/**
 * The zones it answers for, each with the parent zone that delegates it: `dnsZones` (0.15 on), else
 * 0.14's one `dnsZone` in `edgeDNSZone` (a release moving between the two forms keeps its zones).
 */
function zonesOf(settings: Settings): ReadonlyMap<string, string> {
  const entries = list(settings(["k8gb", "dnsZones"]).value).filter(isRecord);
  if (entries.length > 0)
    return new Map(
      entries.flatMap((entry) => {
        const zone = text(entry.loadBalancedZone);
        return zone ? [[zone, text(entry.parentZone) ?? ""] as const] : [];
      }),
    );
  const zone = text(settings(["k8gb", "dnsZone"]).value);
  if (zone === undefined) return DEFAULT_ZONES;
  return new Map([[zone, text(settings(["k8gb", "edgeDNSZone"]).value) ?? ""]]);
}

/** Where the zones are written: `dnsZones`, else the legacy `dnsZone`. */
const zonesPath = (settings: Settings): FieldPath => {
  const zones = settings(["k8gb", "dnsZones"]);
  return zones.value !== undefined ? zones.path : settings(["k8gb", "dnsZone"]).path;
};

const named = (tags: readonly string[]): string => (tags.length > 0 ? tags.join(", ") : "(none)");

function compareSettings(base: Settings, head: Settings, out: DetectionList): void {
  const [wasTag, nowTag] = [geoTagOf(base), geoTagOf(head)];
  const [wasPeers, nowPeers] = [peersOf(base), peersOf(head)];
  if (wasTag !== nowTag) {
    // Its peers change with it where the list names either tag ("eu,us" lists its own): said here, not as peers of their own.
    const peersNow = sameValue(wasPeers, nowPeers) ? "" : ` (its peers ${named(wasPeers)} → ${named(nowPeers)})`;
    out.add({
      class: "failover.changed",
      summary: `k8gb.clusterGeoTag ${wasTag} → ${nowTag}: this cluster now answers as geoTag ${nowTag}${peersNow}: failover Gslbs with primaryGeoTag ${wasTag} lose it as their primary and those naming ${nowTag} gain it, Gslb weights for ${nowTag} now apply to it, and peers listing ${wasTag} no longer find it`,
      side: "head",
      path: head(["k8gb", "clusterGeoTag"]).path,
      before: wasTag,
      after: nowTag,
    });
  }
  const others = (peers: readonly string[]) => peers.filter((tag) => tag !== wasTag && tag !== nowTag);
  const peers = setChange(others(wasPeers), others(nowPeers));
  const listed = (settings: Settings) => show(settings(["k8gb", "extGslbClustersGeoTags"]).value);
  // The list as written, and the peers it leaves (less the cluster's own geoTag).
  const pairing = `k8gb.extGslbClustersGeoTags ${listed(base)} → ${listed(head)} (peers ${named(wasPeers)} → ${named(nowPeers)})`;
  const peersPath = head(["k8gb", "extGslbClustersGeoTags"]).path;
  if (peers.removed.length > 0) {
    const tags = peers.removed.join(", ");
    out.add({
      class: "failover.changed",
      summary: `${pairing}: k8gb here no longer pairs with the clusters tagged ${tags}: its DNS answers leave their targets out (no failover to them; a failover Gslb whose primaryGeoTag is ${tags} is answered from the clusters left) and the zone delegation it publishes drops their nameservers`,
      side: "head",
      path: peersPath,
      before: wasPeers,
      after: nowPeers,
    });
  }
  // A list rewritten to pair with the same peers (its own tag added, or left to the chart's default) says why it moves nothing.
  if (peers.removed.length === 0 && peers.added.length === 0 && listed(base) !== listed(head))
    out.add({
      class: "resource.changed",
      summary: `${pairing}: the same peers as k8gb reads the list (less its own geoTag; unset is the chart's default, "eu,us", "us" before 0.15)`,
      side: "head",
      path: peersPath,
      before: wasPeers,
      after: nowPeers,
    });
  if (peers.added.length > 0) {
    const tags = peers.added.join(", ");
    out.add({
      class: "backend.region-added",
      summary: `${pairing}: k8gb here now pairs with the clusters tagged ${tags}: its DNS answers take in their healthy targets, so clients are sent to ${tags}`,
      side: "head",
      path: peersPath,
      before: wasPeers,
      after: nowPeers,
    });
  }
  const [wasZones, nowZones] = [zonesOf(base), zonesOf(head)];
  const zones = setChange(wasZones.keys(), nowZones.keys());
  const path = zonesPath(head);
  const delegated = (parent: string | undefined) => (parent ? `delegated from ${parent}` : "delegated from no parent zone");
  for (const zone of zones.removed)
    out.add({
      class: "route.removed",
      summary: `k8gb no longer answers for zone ${zone} (${delegated(wasZones.get(zone))}): the Gslb hosts under it stop resolving through this cluster`,
      side: "head",
      path,
      before: { [zone]: wasZones.get(zone) },
    });
  for (const zone of zones.added)
    out.add({
      class: "route.added",
      summary: `k8gb answers for zone ${zone} (${delegated(nowZones.get(zone))}): the Gslb hosts under it resolve through this cluster`,
      side: "head",
      path,
      after: { [zone]: nowZones.get(zone) },
    });
  for (const zone of sortedSet(nowZones.keys()).filter((kept) => wasZones.has(kept) && wasZones.get(kept) !== nowZones.get(kept)))
    out.add({
      class: "route.attachment-changed",
      summary: `zone ${zone} ${delegated(wasZones.get(zone))} → ${delegated(nowZones.get(zone))}: k8gb publishes its nameservers in another parent zone, and resolvers reach its Gslb hosts only where that one delegates to it`,
      side: "head",
      path,
      before: { [zone]: wasZones.get(zone) },
      after: { [zone]: nowZones.get(zone) },
    });
}

/**
 * A k8gb release changed in place: its topology settings compared as k8gb reads them. A release
 * added or removed installs or removes k8gb itself, which the render and the generic finding tell.
 */
export const k8gbSettingsDetector: ResourceDetector = (change, context) => {
  if (!change.base || !change.head) return [];
  const [base, head] = [k8gbValues(change.base, context.readYaml), k8gbValues(change.head, context.readYaml)];
  if (!base || !head) return [];
  const out = new DetectionList(change);
  compareSettings(base, head, out);
  return out.detections;
};
