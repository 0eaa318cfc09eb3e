import { dnsName } from "./dns-names.js";
import { posix } from "node:path";
import { displayName, mayShareCluster, type ManifestSet, type Resource } from "../../core/resource.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import { list, numeric, record, spec, stringMap, text, texts } from "../../core/json-access.js";
import type { ChangeClassId } from "../../core/change-classes.js";
import { canonical, sameValue, setChange, show, showSetChange, sortedSet } from "../../core/canonical-values.js";
import { DetectionList, type DetectionDraft, type Side } from "../../core/detection-list.js";
import type { DetectorContext, ResourceDetector } from "../../core/detector.js";
import type { ResourceChange } from "../../core/resource-change.js";
import type { FieldPath } from "../../core/finding.js";
import { pairEntries } from "../../core/pair-entries.js";
import { describeShares, describeSplit, sharesOf } from "../../core/weight-shares.js";
import type { RiskLevel } from "../../core/risk-level.js";
import { ingressSpecRules } from "../../core/ingress-spec.js";
import { copiesIn, namesakesIn, whereApplied } from "../../core/cluster-copies.js";
import { EXTERNAL_DNS_PREFIXES, externalDnsSetting } from "../../core/external-dns-annotations.js";
import { hostnames, optedOut, optOutVerdict, type OptOutVerdict } from "./kept-records.js";
import { describeRef, frontedIn, frontedRef, refIdentity, refusedApiVersion } from "./fronted-resource.js";
import {
  describeLoss,
  describeReaders,
  externalDnsControllers,
  losingReaders,
  readersOf,
  settingRead,
  type ExternalDnsController,
  type ReadObject,
} from "./external-dns-controllers.js";

/**
 * Global DNS in front of the clusters (research §1.5): k8gb Gslb, external-dns DNSEndpoint and
 * the external-dns annotations on traffic resources. DNS decides which region a client reaches
 * first, so the strategy (failover, primary region, geo routing) is failover.changed, weights are
 * backend.weight-changed (a geoTag's region drained or answered again: region-removed/-added),
 * where a name points (targets, resourceRef) is route.attachment-changed
 * and a longer TTL (slower failover) is resource.changed with a medium floor.
 */

interface Verdict {
  readonly class: ChangeClassId;
  readonly effect: string;
  readonly riskFloor?: RiskLevel;
}

const ttlVerdict = (before: number | undefined, after: number | undefined, what: string): Verdict =>
  before !== undefined && after !== undefined && after > before
    ? {
        class: "resource.changed",
        effect: `clients keep using a failed ${what} for up to ${after}s before failover reaches them`,
        riskFloor: "medium",
      }
    : { class: "resource.changed", effect: "resolvers cache answers for a different time" };

// ---------------------------------------------------------------------------------------------
// k8gb Gslb

const K8GB_GROUPS = ["k8gb.io", "k8gb.absa.oss"];
/** k8gb's defaults (api/v1beta1/gslb_types.go). */
const DEFAULT_TTL = 30;
const DEFAULT_SPLIT_BRAIN = 300;

const strategy = (resource: Resource | undefined) => {
  const fields = record(spec(resource).strategy);
  const weights: Record<string, number> = {};
  for (const [tag, weight] of Object.entries(record(fields.weight))) {
    const value = numeric(weight);
    if (value !== undefined) weights[tag] = value;
  }
  return {
    type: text(fields.type) ?? "roundRobin",
    primaryGeoTag: text(fields.primaryGeoTag),
    weights,
    ttl: numeric(fields.dnsTtlSeconds) ?? DEFAULT_TTL,
    splitBrain: numeric(fields.splitBrainThresholdSeconds) ?? DEFAULT_SPLIT_BRAIN,
  };
};

const STRATEGY_EFFECT: Readonly<Record<string, string>> = {
  failover: "active-passive: DNS answers with the primary geoTag's cluster only, others take traffic when it fails",
  roundRobin: "active-active: every healthy cluster is in the DNS answer, so every region takes traffic (and writes)",
  geoip: "clients are answered with the cluster nearest them",
};

const ingressHosts = (resource: Resource | undefined): string[] =>
  sortedSet(list(record(spec(resource).ingress).rules).flatMap((rule) => text(record(rule).host) ?? []));

/** What the Gslb answers DNS for: its embedded Ingress hosts, or the resource it references. */
const fronts = (resource: Resource): string => {
  const hosts = ingressHosts(resource);
  if (hosts.length > 0) return hosts.join(", ");
  const ref = frontedRef(resource);
  return ref ? describeRef(ref) : "resource (unnamed)";
};

/**
 * The embedded Ingress's rules as the Ingress family reads an Ingress (v1 `service.name`/`port`
 * and v1beta1 `serviceName`/`servicePort` alike), with their hosts: `host match → backends`.
 */
const embeddedRules = (resource: Resource) =>
  ingressSpecRules(record(spec(resource).ingress), {
    entry: "k8gb",
    namespace: resource.id.namespace,
    file: resource.source.file,
    at: ["spec", "ingress"],
    backend: { group: "", kind: "Service" },
  }).map((rule) => ({
    host: rule.host,
    line: `${rule.host} ${rule.ruleId} → ${rule.backends.map((backend) => backend.label).join(", ") || "(no backend)"}`,
  }));

const RULE_FIELDS: ReadonlySet<string> = new Set(["rules", "backend", "defaultBackend"]);
/** The embedded Ingress's other fields (TLS, class), which its rules do not show. */
const embeddedRest = (resource: Resource): Record<string, unknown> =>
  Object.fromEntries(Object.entries(record(spec(resource).ingress)).filter(([field]) => !RULE_FIELDS.has(field)));

const compareGslb = (base: Resource, head: Resource, out: DetectionList, context: DetectorContext): void => {
  const was = strategy(base);
  const now = strategy(head);
  const at = (...field: string[]): FieldPath => ["spec", "strategy", ...field];
  if (was.type !== now.type) {
    const primary =
      now.type === "failover"
        ? ` (primary geoTag ${show(now.primaryGeoTag)})`
        : was.type === "failover"
          ? ` (was primary geoTag ${show(was.primaryGeoTag)})`
          : "";
    out.add({
      class: "failover.changed",
      summary: `strategy.type ${was.type} → ${now.type}${primary} for ${fronts(head)}: ${STRATEGY_EFFECT[now.type] ?? "DNS answers are chosen another way"}`,
      side: "head",
      path: at("type"),
      before: { type: was.type, primaryGeoTag: was.primaryGeoTag },
      after: { type: now.type, primaryGeoTag: now.primaryGeoTag },
    });
  }
  // Across a type change the primary only matters on the failover side, which the type finding names.
  if (was.primaryGeoTag !== now.primaryGeoTag && now.type === "failover" && was.type === "failover") {
    out.add({
      class: "failover.changed",
      summary: `strategy.primaryGeoTag ${show(was.primaryGeoTag)} → ${show(now.primaryGeoTag)}: the primary region for ${fronts(head)} moves, and all its traffic with it`,
      side: "head",
      path: at("primaryGeoTag"),
      before: was.primaryGeoTag,
      after: now.primaryGeoTag,
    });
  }
  // Weighted round robin is proportional: 80/20 written 4/1 answers alike.
  if (!sameValue(sharesOf(was.weights), sharesOf(now.weights))) {
    const even = (weights: Record<string, number>) =>
      Object.keys(weights).length === 0 ? " (no weights: an even split across healthy clusters)" : "";
    const tags = sortedSet([...Object.keys(was.weights), ...Object.keys(now.weights)]);
    const drained = tags.filter((tag) => answered(was.weights, tag) && !answered(now.weights, tag));
    const gained = tags.filter((tag) => !answered(was.weights, tag) && answered(now.weights, tag));
    const regions = [
      ...(drained.length > 0 ? [`region ${drained.join(", ")} drained: no DNS answer points there`] : []),
      ...(gained.length > 0 ? [`region ${gained.join(", ")} now in the DNS answers`] : []),
    ];
    out.add({
      class: drained.length > 0 ? "backend.region-removed" : gained.length > 0 ? "backend.region-added" : "backend.weight-changed",
      summary: `strategy.weight ${describeShares(was.weights, now.weights)}${even(was.weights)}${even(now.weights)}: ${regions.length > 0 ? regions.join("; ") : `DNS answers for ${fronts(head)} shift between regions`}`,
      side: "head",
      path: at("weight"),
      before: was.weights,
      after: now.weights,
    });
  }
  if (was.ttl !== now.ttl) {
    const verdict = ttlVerdict(was.ttl, now.ttl, "cluster");
    out.add({
      class: verdict.class,
      summary: `strategy.dnsTtlSeconds ${was.ttl} → ${now.ttl}: ${verdict.effect}`,
      side: "head",
      path: at("dnsTtlSeconds"),
      before: was.ttl,
      after: now.ttl,
      ...(verdict.riskFloor ? { riskFloor: verdict.riskFloor } : {}),
    });
  }
  if (was.splitBrain !== now.splitBrain) {
    out.add({
      class: "resource.changed",
      summary: `strategy.splitBrainThresholdSeconds ${was.splitBrain} → ${now.splitBrain}: how long a silent cluster keeps its DNS share changes`,
      side: "head",
      path: at("splitBrainThresholdSeconds"),
      before: was.splitBrain,
      after: now.splitBrain,
      riskFloor: "medium",
    });
  }
  const [refBefore, refAfter] = [frontedRef(base), frontedRef(head)];
  const [frontedBefore, frontedAfter] = [frontedIn(base, context.base), frontedIn(head, context.head)];
  // A ref written another way (a name for a selector) that resolves to the same objects fronts the same thing.
  if (refIdentity(refBefore) !== refIdentity(refAfter) && !(frontedBefore.length > 0 && sameValue(frontedBefore, frontedAfter))) {
    const missing =
      refAfter?.name !== undefined && frontedAfter.length === 0 ? `${refAfter.kind} ${refAfter.namespace}/${refAfter.name}` : undefined;
    out.add({
      class: missing ? "reference.broken" : "route.attachment-changed",
      summary: missing
        ? `resourceRef ${fronts(base)} → ${fronts(head)}: ${missing} is not in this repository, so the global name fronts nothing it holds`
        : `resourceRef ${fronts(base)} → ${fronts(head)}: the global name now fronts what that resource serves`,
      side: "head",
      path: ["spec", "resourceRef"],
      before: spec(base).resourceRef,
      after: spec(head).resourceRef,
    });
  }
  const refused = refusedApiVersion(refAfter);
  if (refAfter && refused && !refusedApiVersion(refBefore)) {
    out.add({
      class: "reference.broken",
      summary: `resourceRef ${describeRef(refAfter)} as ${show(refAfter.apiVersion)}: ${refused}: it refuses the Gslb (error resolving references) and stops reconciling it, so its DNS records no longer follow cluster health`,
      side: "head",
      path: ["spec", "resourceRef", "apiVersion"],
      before: refBefore?.apiVersion,
      after: refAfter.apiVersion,
    });
  }
  const hosts = setChange(ingressHosts(base), ingressHosts(head));
  for (const [added, hostsOf] of [
    [true, hosts.added],
    [false, hosts.removed],
  ] as const) {
    if (hostsOf.length === 0) continue;
    out.add({
      class: added ? "route.added" : "route.removed",
      summary: added
        ? `spec.ingress serves ${hostsOf.join(", ")}: k8gb answers DNS for them across clusters`
        : `spec.ingress no longer serves ${hostsOf.join(", ")}: k8gb stops answering DNS for them`,
      side: added ? "head" : "base",
      path: ["spec", "ingress", "rules"],
      before: ingressHosts(base),
      after: ingressHosts(head),
    });
  }
  // Hosts gained or lost are reported above; the rules of the hosts it keeps are compared here.
  const kept = (resource: Resource) =>
    sortedSet(
      embeddedRules(resource)
        .filter(({ host }) => !hosts.added.includes(host) && !hosts.removed.includes(host))
        .map(({ line }) => line),
    );
  const rules = setChange(kept(base), kept(head));
  const rest = sortedSet([...Object.keys(embeddedRest(base)), ...Object.keys(embeddedRest(head))]).filter(
    (field) => !sameValue(embeddedRest(base)[field], embeddedRest(head)[field]),
  );
  if (rules.added.length > 0 || rules.removed.length > 0 || rest.length > 0) {
    out.add({
      class: "resource.changed",
      summary: `spec.ingress ${[...showSetChange(rules), ...rest.map((field) => `${field} changed`)].join("; ")}: what k8gb's Ingress serves for ${fronts(head)} changes`,
      side: "head",
      path: ["spec", "ingress"],
      before: spec(base).ingress,
      after: spec(head).ingress,
      riskFloor: "medium-high",
    });
  }
};

const isGslb = ({ id }: Resource): boolean => id.kind === "Gslb" && K8GB_GROUPS.includes(id.group);

/** The same Gslb in the other API group (k8gb moved from k8gb.absa.oss to k8gb.io), where it may be applied alike. */
const twinIn = (resource: Resource, context: DetectorContext, tree: Side): Resource | undefined =>
  namesakesIn(resource, context, tree, isGslb).find(
    (candidate) => candidate.id.group !== resource.id.group && mayShareCluster(candidate, resource),
  );

/** The same Gslb in a tree (core/cluster-copies copiesIn): alike where it keeps the strategy. */
const gslbCopiesIn = (resource: Resource, context: DetectorContext, tree: Side) =>
  copiesIn(resource, context, tree, isGslb, (a, b) => describeStrategy(a) === describeStrategy(b));

/** A Gslb's strategy as findings name it: `failover (primary geoTag eu)`, `roundRobin (weights eu 80%, us 20%)`. */
const describeStrategy = (resource: Resource): string => {
  const { type, primaryGeoTag, weights } = strategy(resource);
  const tags = [
    ...(type === "failover" ? [`primary geoTag ${show(primaryGeoTag)}`] : []),
    ...(Object.keys(weights).length > 0 ? [`weights ${describeSplit(weights)}`] : []),
  ];
  return `${type}${tags.length > 0 ? ` (${tags.join(", ")})` : ""}`;
};

const strategyShown = (resource: Resource) => {
  const { type, primaryGeoTag, weights } = strategy(resource);
  return { type, ...(primaryGeoTag ? { primaryGeoTag } : {}), ...(Object.keys(weights).length > 0 ? { weights } : {}) };
};

/** What the Gslb answers for sits in its embedded Ingress or its resourceRef. */
const frontsAt = (resource: Resource): FieldPath => ["spec", spec(resource).resourceRef === undefined ? "ingress" : "resourceRef"];

/**
 * A Gslb added or removed is a cross-cluster failover or balancing policy coming or going, as a
 * DestinationRule's locality failover or a Gloo FailoverPolicy is (DESIGN §5: a GSLB strategy is
 * failover.changed): its strategy is judged against none, apart from the global name it starts or
 * stops answering (route.added/removed), as a DestinationRule's outlier detection is apart from
 * its failover. Its twin in the other API group is the same Gslb. A copy in another folder or
 * cluster, which the diff pairs as an object of its own, keeps the strategy: k8gb runs in every
 * cluster of the global name, each answering with its own targets for the Gslb it holds, so one
 * copy added or removed beside the others is its cluster joining or leaving the answers.
 */
const gslb = (change: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  if (change.base && change.head) {
    compareGslb(change.base, change.head, out, context);
    return;
  }
  if (change.head) {
    const head = change.head;
    const twin = twinIn(head, context, "base");
    if (twin) {
      compareGslb(twin, head, out, context);
      if (out.detections.length === 0)
        out.add({
          class: "resource.changed",
          summary: `moved from ${twin.id.group} to ${head.id.group}, strategy unchanged`,
          side: "head",
          path: ["apiVersion"],
          before: twin.id.group,
          after: head.id.group,
        });
      return;
    }
    const { elsewhere: copies, alike } = gslbCopiesIn(head, context, "base");
    const [copy] = copies;
    if (copy) {
      const others = whereApplied(copies, context, "base");
      out.add({
        class: "backend.region-added",
        summary: `added in ${whereApplied([head], context, "head")}: its cluster joins ${others} in k8gb's DNS answers for ${fronts(head)}, strategy ${describeStrategy(head)}`,
        side: "head",
        path: frontsAt(head),
        after: { fronts: fronts(head), strategy: strategyShown(head) },
      });
      compareGslb(copy, head, out, context);
      return;
    }
    out.add({
      class: "route.added",
      summary: `added: k8gb answers DNS for ${fronts(head)} across clusters`,
      side: "head",
      path: frontsAt(head),
      after: { fronts: fronts(head) },
    });
    if (alike) return;
    const { type } = strategy(head);
    out.add({
      class: "failover.changed",
      summary: `strategy (no Gslb) → ${describeStrategy(head)} for ${fronts(head)}: ${STRATEGY_EFFECT[type] ?? "DNS answers are chosen another way"}`,
      side: "head",
      path: ["spec", "strategy"],
      after: strategyShown(head),
    });
    return;
  }
  if (change.base) {
    const base = change.base;
    const twin = twinIn(base, context, "head");
    if (twin) {
      out.add({
        class: "resource.changed",
        summary: `replaced by the same Gslb in ${twin.id.group}`,
        side: "base",
        path: ["apiVersion"],
        before: base.id.group,
        after: twin.id.group,
      });
      return;
    }
    const { elsewhere: copies, alike } = gslbCopiesIn(base, context, "head");
    if (copies.length > 0) {
      out.add({
        class: "backend.region-removed",
        summary: `removed from ${whereApplied([base], context, "base")}: its cluster leaves k8gb's DNS answers for ${fronts(base)}; ${whereApplied(copies, context, "head")} still answer${copies.length === 1 ? "s" : ""}, strategy ${describeStrategy(base)}`,
        side: "base",
        path: frontsAt(base),
        before: { fronts: fronts(base), strategy: strategyShown(base) },
      });
      return;
    }
    out.add({
      class: "route.removed",
      summary: `removed: k8gb stops answering DNS for ${fronts(base)}`,
      side: "base",
      path: frontsAt(base),
      before: { fronts: fronts(base) },
    });
    if (alike) return;
    out.add({
      class: "failover.changed",
      summary: `strategy ${describeStrategy(base)} → (no Gslb) for ${fronts(base)}: no cluster takes over when another fails, and whatever else still publishes its names answers with one cluster's address`,
      side: "base",
      path: ["spec", "strategy"],
      before: strategyShown(base),
    });
  }
};

// ---------------------------------------------------------------------------------------------
// Provider-specific routing (DNSEndpoint providerSpecific and the equivalent annotations)

const [GA_PREFIX] = EXTERNAL_DNS_PREFIXES;

/**
 * Cloudflare's proxy in front of a record. Turned off, its names resolve to the origin itself, whose
 * address is then published, and Cloudflare's WAF, DDoS protection and access rules no longer stand
 * in front: access.widened. Turned on, clients reach Cloudflare's edge, which proxies to the same
 * origin: medium. Set or unset where the controller's `--cloudflare-proxied` default decides (which
 * the repository does not say): medium, said so — onedr0p/home-ops 611e919 drops `"true"` because
 * its controller proxies by default.
 */
const cloudflareProxiedVerdict = (before: string | undefined, after: string | undefined): Verdict => {
  const state = (value: string | undefined) => (value === undefined ? "default" : value.trim().toLowerCase() === "true" ? "on" : "off");
  const [was, now] = [state(before), state(after)];
  if (was === "on" && now === "off")
    return {
      class: "access.widened",
      effect:
        "its names resolve to the origin itself: its address is published, and Cloudflare's WAF, DDoS protection and access rules no longer stand in front",
    };
  if (was === now) return { class: "resource.changed", effect: "how external-dns publishes it changes" };
  return {
    class: "resource.changed",
    effect:
      now === "on"
        ? "its names resolve to Cloudflare's edge, which proxies to it (the zone's TLS, cache and firewall settings apply)"
        : now === "default"
          ? "external-dns's --cloudflare-proxied default now decides whether its names resolve to Cloudflare's edge or to the origin itself, whose address is then published"
          : "where external-dns proxies by default (--cloudflare-proxied), its names now resolve to the origin itself: its address is published, and Cloudflare's WAF no longer stands in front",
    riskFloor: "medium",
  };
};

/** What a provider setting does (Cloudflare's proxy, AWS Route 53 routing); weights are judged per record set, not here. */
const providerVerdict = (name: string, before?: string, after?: string): Verdict => {
  if (externalDnsSetting(name) === "cloudflare-proxied") return cloudflareProxiedVerdict(before, after);
  if (name === "aws/failover")
    return { class: "failover.changed", effect: "which record answers only when the primary is unhealthy changes" };
  if (name.startsWith("aws/geolocation") || name.startsWith("aws/geoproximity"))
    return { class: "failover.changed", effect: "which region answers which clients changes (geo routing)" };
  if (name === "aws/health-check-id" || name === "aws/evaluate-target-health")
    return { class: "health.changed", effect: "the health check that takes the record out of DNS changes" };
  if (name === "aws/weight") return { class: "backend.weight-changed", effect: "the record's share of DNS answers changes" };
  return { class: "resource.changed", effect: "a provider setting of the record changes", riskFloor: "medium" };
};

// ---------------------------------------------------------------------------------------------
// external-dns DNSEndpoint

interface RecordView {
  readonly dnsName: string;
  readonly recordType: string;
  readonly setIdentifier: string | undefined;
  readonly targets: string[];
  readonly ttl: number | undefined;
  readonly provider: Record<string, string>;
}

const recordView = (value: unknown): RecordView => {
  const fields = record(value);
  return {
    dnsName: dnsName(text(fields.dnsName) ?? ""),
    recordType: text(fields.recordType) ?? "A",
    setIdentifier: text(fields.setIdentifier) || undefined,
    targets: sortedSet(texts(fields.targets)),
    ttl: numeric(fields.recordTTL),
    provider: Object.fromEntries(
      list(fields.providerSpecific).map((entry) => [text(record(entry).name) ?? "", text(record(entry).value) ?? ""]),
    ),
  };
};

const recordName = (view: RecordView): string =>
  `${view.dnsName} ${view.recordType}${view.setIdentifier ? ` (${view.setIdentifier})` : ""}`;

const endpointsOf = (resource: Resource | undefined): RecordView[] => list(spec(resource).endpoints).map(recordView);

/** Weighted record sets: per name and type, each record's aws/weight, keyed by set identifier. */
const weightSets = (records: readonly RecordView[]): Map<string, Record<string, number>> => {
  const sets = new Map<string, Record<string, number>>();
  for (const view of records) {
    const weight = numeric(view.provider["aws/weight"]);
    if (weight === undefined) continue;
    const key = `${view.dnsName} ${view.recordType}`;
    sets.set(key, { ...sets.get(key), [view.setIdentifier ?? "(no set identifier)"]: weight });
  }
  return sets;
};

/**
 * Which external-dns reads a DNSEndpoint: one instance may watch one namespace (`--namespace`) and
 * read only objects whose labels or annotations it filters on (`--label-filter`,
 * `--annotation-filter`), so objects of one cluster and namespace with the same labels and
 * annotations feed the same instance, and the records they publish form one set. Where placement
 * does not say the cluster, a folder may be one of its own (clusters/eu/, clusters/us/, each with
 * its external-dns), so only objects of one folder surely feed one instance, as versions of one
 * object are applied together (diff/resource-diff.ts): a record moved from clusters/eu/dns.yaml to
 * clusters/us/dns.yaml is deleted by one instance and created by another.
 */
const publisherOf = (resource: Resource): string =>
  `${resource.cluster ?? `folder ${posix.dirname(resource.source.file)}`}|${resource.id.namespace}|${canonical(resource.labels)}|${canonical(resource.annotations)}`;

const recordKey = (view: RecordView): string => `${view.dnsName}|${view.recordType}|${view.setIdentifier ?? ""}`;

/** One record as an object of a tree publishes it. */
interface Published {
  readonly resource: Resource;
  readonly view: RecordView;
}

const publishedOf = new WeakMap<ManifestSet, ReadonlyMap<string, readonly Published[]>>();

/** A tree's DNSEndpoint records by publisher and record (name, type, set identifier), indexed once a tree. */
function published(tree: ManifestSet): ReadonlyMap<string, readonly Published[]> {
  let index = publishedOf.get(tree);
  if (!index) {
    const found = new Map<string, Published[]>();
    for (const resource of resourcesOfKind(tree, "DNSEndpoint")) {
      if (resource.id.group !== "externaldns.k8s.io") continue;
      for (const view of endpointsOf(resource)) {
        const key = `${publisherOf(resource)}\n${recordKey(view)}`;
        const known = found.get(key);
        if (known) known.push({ resource, view });
        else found.set(key, [{ resource, view }]);
      }
    }
    publishedOf.set(tree, (index = found));
  }
  return index;
}

/** The other objects of a tree that publish this record for the same external-dns as `owner`. */
const publishedElsewhere = (tree: ManifestSet, owner: Resource, view: RecordView): readonly Published[] =>
  (published(tree).get(`${publisherOf(owner)}\n${recordKey(view)}`) ?? []).filter(({ resource }) => resource.key !== owner.key);

/**
 * One record's settings compared, `label` naming it. Weights are judged per record set by the
 * caller, except for a record compared with its copy in another object (`weights`), whose weight
 * the object's own set does not hold; `side` is the tree holding the record at `at`.
 */
function compareRecord(
  out: DetectionList,
  label: string,
  at: FieldPath,
  was: RecordView,
  now: RecordView,
  {
    weights = false,
    side = "head",
    prefixRead,
  }: { readonly weights?: boolean; readonly side?: Side; readonly prefixRead?: PrefixRead } = {},
): void {
  if (!sameValue(was.targets, now.targets)) {
    out.add({
      class: "route.attachment-changed",
      summary: `${label} targets ${show(was.targets)} → ${show(now.targets)}: clients resolving it reach another entry point`,
      side,
      path: [...at, "targets"],
      before: was.targets,
      after: now.targets,
    });
  }
  if (was.ttl !== now.ttl) {
    const verdict = ttlVerdict(was.ttl, now.ttl, "target");
    out.add({
      class: verdict.class,
      summary: `${label} recordTTL ${show(was.ttl)} → ${show(now.ttl)}: ${verdict.effect}`,
      side,
      path: [...at, "recordTTL"],
      before: was.ttl,
      after: now.ttl,
      ...(verdict.riskFloor ? { riskFloor: verdict.riskFloor } : {}),
    });
  }
  if (was.setIdentifier !== now.setIdentifier) {
    const failover = now.provider["aws/failover"] !== undefined || was.provider["aws/failover"] !== undefined;
    out.add({
      class: failover ? "failover.changed" : "backend.weight-changed",
      summary: `${label} setIdentifier ${show(was.setIdentifier)} → ${show(now.setIdentifier)}: Route 53 replaces the record in its ${failover ? "failover" : "routing"} set`,
      side,
      path: [...at, "setIdentifier"],
      before: was.setIdentifier,
      after: now.setIdentifier,
    });
  }
  const judged = new Set<string>();
  for (const [setting, move] of prefixMoves(was.provider, now.provider)) {
    const read = prefixRead?.(move.before, move.after);
    if (!read || (!read.followed && read.lost === undefined)) continue;
    move.names.forEach((name) => judged.add(name));
    out.add(
      read.lost !== undefined
        ? unreadProviderDraft(label, at, move.after[0] + setting, move.value, read.lost)
        : {
            class: "resource.changed",
            summary: `${label} providerSpecific ${setting} moved to ${move.after.join(", ")}, value unchanged, which every external-dns controller reading it here reads (${read.readers}): the record keeps it`,
            side,
            path: [...at, "providerSpecific"],
            before: Object.fromEntries(move.before.map((prefix) => [prefix + setting, move.value])),
            after: Object.fromEntries(move.after.map((prefix) => [prefix + setting, move.value])),
          },
    );
  }
  for (const name of sortedSet([...Object.keys(was.provider), ...Object.keys(now.provider)])) {
    if ((name === "aws/weight" && !weights) || was.provider[name] === now.provider[name] || judged.has(name)) continue;
    const verdict = providerVerdict(name, was.provider[name], now.provider[name]);
    out.add({
      class: verdict.class,
      summary: `${label} providerSpecific ${name} ${show(was.provider[name])} → ${show(now.provider[name])}: ${verdict.effect}`,
      side,
      path: [...at, "providerSpecific"],
      before: { [name]: was.provider[name] },
      after: { [name]: now.provider[name] },
      ...(verdict.riskFloor ? { riskFloor: verdict.riskFloor } : {}),
    });
  }
}

/**
 * How the controllers reading a DNSEndpoint read a setting moved between prefixes: `followed` where
 * every one of them reads where it now is, `lost` (why) where one that may have read it surely no
 * longer does, and how they read.
 */
type PrefixRead = (
  before: readonly string[],
  after: readonly string[],
) => { readonly followed: boolean; readonly lost?: string; readonly readers: string };

/**
 * Provider settings whose one value only moved between external-dns prefixes (Cloudflare's
 * `cloudflare-proxied`, read under the controller's prefix since v0.22), by setting: the prefixes
 * before and after, and every name either side writes it under.
 */
function prefixMoves(
  was: Readonly<Record<string, string>>,
  now: Readonly<Record<string, string>>,
): Map<string, { readonly value: string; readonly before: string[]; readonly after: string[]; readonly names: string[] }> {
  const [before, after] = [prefixesBySetting(externalDnsSettings(was)), prefixesBySetting(externalDnsSettings(now))];
  const moves = new Map<string, { value: string; before: string[]; after: string[]; names: string[] }>();
  for (const [setting, prefixes] of before) {
    const then = after.get(setting);
    const values = new Set([...prefixes.map((prefix) => was[prefix + setting]), ...(then ?? []).map((prefix) => now[prefix + setting])]);
    if (!then || values.size !== 1 || sameValue(sortedSet(prefixes), sortedSet(then))) continue;
    moves.set(setting, {
      value: [...values][0]!,
      before: prefixes,
      after: then,
      names: sortedSet([...prefixes, ...then].map((prefix) => prefix + setting)),
    });
  }
  return moves;
}

/** A record's provider setting that stays written but that a controller reading its DNSEndpoint no longer reads (`lost`: which, describeLoss): judged as removed. */
const unreadProviderDraft = (label: string, at: FieldPath, name: string, value: string, lost: string): DetectionDraft => {
  const verdict = providerVerdict(name, value, undefined);
  return {
    class: verdict.class,
    summary: `${label} providerSpecific ${name}, ${lost}, ${show(value)} → (unset): ${verdict.effect}`,
    side: "head",
    path: [...at, "providerSpecific"],
    before: { [name]: value },
    ...(verdict.riskFloor ? { riskFloor: verdict.riskFloor } : {}),
  };
};

/**
 * Each record's provider settings written under external-dns prefixes, with the prefixes that hold
 * them; `written`: the record and setting with its names and values, the same where the PR leaves it.
 */
export const prefixedProviderSettings = (resource: Resource) =>
  endpointsOf(resource).flatMap((view, index) =>
    [...prefixesBySetting(externalDnsSettings(view.provider))].map(([setting, prefixes]) => ({
      index,
      view,
      setting,
      prefixes,
      written: canonical([recordKey(view), prefixes.map((prefix) => [prefix + setting, view.provider[prefix + setting]])]),
    })),
  );

/** A record's provider setting a controller reading its DNSEndpoint no longer reads (`lost`: describeLoss), its object unchanged. */
export const judgeUnreadProviderSetting = (
  out: DetectionList,
  { index, view, setting, prefixes }: ReturnType<typeof prefixedProviderSettings>[number],
  lost: string,
): void => {
  for (const prefix of prefixes)
    out.add(
      unreadProviderDraft(
        `record ${recordName(view)}`,
        ["spec", "endpoints", index],
        prefix + setting,
        view.provider[prefix + setting]!,
        lost,
      ),
    );
};

/**
 * external-dns publishes the records of all the DNSEndpoints it reads as one set, owned record by
 * record (its TXT registry), so a record is paired by name, type and set identifier across the
 * objects of one publisher, not only within its object: a DNSEndpoint renamed (jfroy/flatops
 * cba47bdada, `xz-kantai-k8s` → `xyz-kantai-k8s`), split or merged publishes the same records, and
 * was read as each record deleted (high) and added. A record that leaves one object for another is
 * judged once, by the object it moves to, against the copy it had; one that leaves an object while
 * another still publishes it is compared with that copy.
 */
const dnsEndpoint = (change: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  const base = endpointsOf(change.base);
  const head = endpointsOf(change.head);
  const pairs = pairEntries(base, head, [recordKey, (view) => `${view.dnsName}|${view.recordType}`]);
  const at = (index: number, ...field: (string | number)[]): FieldPath => ["spec", "endpoints", index, ...field];
  const holds = (tree: ManifestSet, owner: Resource, view: RecordView, other: Resource) =>
    publishedElsewhere(tree, owner, view).some(({ resource }) => resource.key === other.key);
  /** Records moved from (to) another object, out of this object's weighted sets: that object's weights are not its own. */
  const [movedOut, movedIn] = [new Set<RecordView>(), new Set<RecordView>()];
  const prefixRead: PrefixRead = (before, after) => {
    const object = (side: Side) => (change[side] ?? change.head ?? change.base)!;
    const was = readersOf(externalDnsControllers(context, "base"), object("base"));
    const now = readersOf(externalDnsControllers(context, "head"), object("head"));
    const losing = losingReaders(was, now, after, before);
    return {
      followed: settingRead(now, after) === "read",
      ...(losing.length > 0 ? { lost: describeLoss(losing, now, object("head")) } : {}),
      readers: describeReaders(now),
    };
  };
  /** Records published alike by another object, by the note that says so. */
  const alike = new Map<string, string[]>();
  for (const pair of pairs) {
    if (pair.head && !pair.base) {
      const view = pair.head.value;
      const before = publishedElsewhere(context.base, change.head!, view);
      const source = before.find(({ resource }) => !holds(context.head, change.head!, view, resource)) ?? before[0];
      if (!source) {
        out.add({
          class: "route.added",
          summary: `record ${recordName(view)} → ${view.targets.join(", ")} added: clients resolving it start reaching those targets`,
          side: "head",
          path: at(pair.head.index),
          after: view,
        });
        continue;
      }
      movedIn.add(view);
      // A copy kept there is compared as it now is; a copy moved here, as it was.
      const kept = publishedElsewhere(context.head, change.head!, view).find(({ resource }) => resource.key === source.resource.key);
      const how = kept ? "also published by" : "moved from";
      const other = `${how} ${displayName(source.resource.id)}`;
      const found = out.detections.length;
      compareRecord(out, `record ${recordName(view)} (${other})`, at(pair.head.index), (kept ?? source).view, view, { weights: true });
      if (out.detections.length === found) alike.set(other, [...(alike.get(other) ?? []), recordName(view)]);
      continue;
    }
    if (pair.base && !pair.head) {
      const view = pair.base.value;
      const after = publishedElsewhere(context.head, change.base!, view);
      if (after.length > 0) {
        movedOut.add(view);
        // An object that gained it judges the move; one that had it already still publishes it.
        if (after.some(({ resource }) => !holds(context.base, change.base!, view, resource))) continue;
        const [still] = after;
        const other = `still published by ${displayName(still!.resource.id)}`;
        const found = out.detections.length;
        compareRecord(out, `record ${recordName(view)} (${other})`, at(pair.base.index), view, still!.view, {
          weights: true,
          side: "base",
        });
        if (out.detections.length === found) alike.set(other, [...(alike.get(other) ?? []), recordName(view)]);
        continue;
      }
      out.add({
        class: "route.removed",
        summary: `record ${recordName(view)} → ${view.targets.join(", ")} removed: external-dns deletes it`,
        side: "base",
        path: at(pair.base.index),
        before: view,
      });
      continue;
    }
    if (!pair.base || !pair.head) continue;
    compareRecord(out, `record ${recordName(pair.head.value)}`, at(pair.head.index), pair.base.value, pair.head.value, { prefixRead });
  }
  for (const [other, names] of alike) {
    out.add({
      class: "resource.changed",
      summary: `record${names.length === 1 ? "" : "s"} ${names.join(", ")} ${other} with the same settings: the external-dns reading both publishes the same record${names.length === 1 ? "" : "s"}`,
      side: "head",
      path: ["spec", "endpoints"],
    });
  }
  const before = weightSets(base.filter((view) => !movedOut.has(view)));
  const after = weightSets(head.filter((view) => !movedIn.has(view)));
  for (const key of sortedSet([...before.keys(), ...after.keys()])) {
    const was = before.get(key) ?? {};
    const now = after.get(key) ?? {};
    if (sameValue(was, now)) continue;
    const index = head.findIndex((view) => `${view.dnsName} ${view.recordType}` === key);
    out.add({
      class: "backend.weight-changed",
      summary: `weighted records ${key}: ${describeShares(was, now)} of DNS answers`,
      side: "head",
      path: index >= 0 ? at(index, "providerSpecific") : ["spec", "endpoints"],
      before: was,
      after: now,
    });
  }
};

// ---------------------------------------------------------------------------------------------

/**
 * Whether a geo tag's clusters are in the DNS answers: no weights is an even split over all of
 * them; a tag a weight map leaves out gets none.
 */
const answered = (weights: Readonly<Record<string, number>>, tag: string): boolean =>
  Object.keys(weights).length === 0 || (weights[tag] ?? 0) > 0;

export const gslbDetector: ResourceDetector = (change, context) => {
  const subject = change.head ?? change.base;
  if (!subject) return [];
  const out = new DetectionList(change);
  if (subject.id.kind === "Gslb" && K8GB_GROUPS.includes(subject.id.group)) gslb(change, out, context);
  else if (subject.id.kind === "DNSEndpoint" && subject.id.group === "externaldns.k8s.io") dnsEndpoint(change, out, context);
  return out.detections;
};

/** An external-dns annotation's meaning; AWS routing annotations mirror the providerSpecific keys (`aws-weight` ↔ `aws/weight`). */
const annotationVerdict = (
  name: string,
  before: string | undefined,
  after: string | undefined,
  annotations: Readonly<Record<string, string>>,
): Verdict => {
  if (name === "target") return { class: "route.attachment-changed", effect: "its DNS names resolve to another entry point" };
  if (name === "ttl") return ttlVerdict(numeric(before), numeric(after), "target");
  if (name === "set-identifier") {
    return EXTERNAL_DNS_PREFIXES.some((prefix) => annotations[`${prefix}aws-failover`] !== undefined)
      ? { class: "failover.changed", effect: "Route 53 replaces the record in its failover set" }
      : { class: "backend.weight-changed", effect: "Route 53 replaces the record in its routing set" };
  }
  if (name === "aws-weight") {
    const drained = numeric(after) === 0 ? ": drained, it gets no DNS answers" : "";
    return { class: "backend.weight-changed", effect: `its share of DNS answers changes${drained}` };
  }
  if (name.startsWith("aws-")) return providerVerdict(`aws/${name.slice(4)}`);
  if (name === "cloudflare-proxied") return cloudflareProxiedVerdict(before, after);
  // An opt-out lost publishes names that were kept out of this DNS service (a redirect route on both
  // Gateways, an internal object beside a public controller); one gained takes its records away.
  if (name === "controller" && optedOut(before) !== optedOut(after))
    return optedOut(after)
      ? { class: "route.removed", effect: "external-dns ignores it: its records are deleted (sync policy) or no longer updated" }
      : { class: "route.added", effect: "external-dns no longer ignores it: it publishes the object's names, pointing at its entry point" };
  return { class: "resource.changed", effect: "how external-dns publishes it changes" };
};

/** Settings that publish names: a hostname, and a Service's internal-hostname (its cluster IP). */
const NAMING_SETTINGS: ReadonlySet<string> = new Set(["hostname", "internal-hostname"]);

/** The external-dns annotations of a map, under either prefix. */
export const externalDnsSettings = (annotations: Readonly<Record<string, string>>): Record<string, string> =>
  Object.fromEntries(Object.entries(annotations).filter(([key]) => externalDnsSetting(key) !== undefined));

/** The prefixes each setting is written under. */
export const prefixesBySetting = (annotations: Readonly<Record<string, string>>): Map<string, string[]> => {
  const found = new Map<string, string[]>();
  for (const key of Object.keys(annotations)) {
    const name = externalDnsSetting(key)!;
    found.set(name, [...(found.get(name) ?? []), key.slice(0, key.length - name.length)]);
  }
  return found;
};

/**
 * A map of annotations external-dns reads, and on which object: a resource's own, or a Gateway's
 * `spec.infrastructure.annotations` (Gateway API v1.1), which its implementation copies onto the
 * Service it generates, where controllers of `--source=service` read them (the gateway-route
 * sources read the Gateway's own metadata, not these): joryirving/home-ops publishes its Gateways'
 * hostnames so.
 */
export interface AnnotationSite {
  readonly at: FieldPath;
  /** The object external-dns reads them on, as the controllers' `--source`s and cluster select it. */
  readonly read: ReadObject;
  /** How a summary names the map: "" for the object's own annotations. */
  readonly where: string;
  readonly annotations: Readonly<Record<string, string>>;
  /** Its external-dns settings. */
  readonly settings: Readonly<Record<string, string>>;
}

export const annotationSite = (
  at: FieldPath,
  read: ReadObject,
  annotations: Readonly<Record<string, string>>,
  where = "",
): AnnotationSite => ({
  at,
  read,
  where,
  annotations,
  settings: externalDnsSettings(annotations),
});

/** Where a resource carries external-dns annotations: its own, and a Gateway's for the Service generated for it. */
export function annotationSites(resource: Resource): AnnotationSite[] {
  const own = annotationSite(["metadata", "annotations"], resource, resource.annotations);
  if (resource.id.kind !== "Gateway" || resource.id.group !== "gateway.networking.k8s.io") return [own];
  const generated = stringMap(record(record(spec(resource).infrastructure).annotations));
  // The implementation names, labels and places that Service (Envoy Gateway: in its own namespace): filters on them may read it.
  const service: ReadObject = { ...(resource.cluster ? { cluster: resource.cluster } : {}), id: { group: "", kind: "Service" } };
  return [
    own,
    annotationSite(["spec", "infrastructure", "annotations"], service, generated, "spec.infrastructure (the Service generated for it) "),
  ];
}

/** Where drafts go: a resource's own list, or findings located elsewhere (the controller that changed, a Service's document). */
export type DraftSink = Pick<DetectionList, "add">;

/** The controllers reading a site in one tree, asked only where a move between prefixes needs them. */
export type SiteReaders = (side: Side) => readonly ExternalDnsController[];

/**
 * external-dns annotations on any traffic resource (Gateway, route, Ingress, Istio Gateway, VirtualService):
 * they publish DNS names for it, which decides whether and where clients reach it. Each map is
 * judged against the controllers reading it (annotationSites). An object added with settings only
 * under a prefix none of its readers reads publishes without them: a misconfiguration, medium at
 * most, as a new object serves no one yet.
 */
export const externalDnsAnnotationDetector: ResourceDetector = (change, context) => {
  const out = new DetectionList(change);
  const readers = (site: AnnotationSite) => (side: Side) => readersOf(externalDnsControllers(context, side), site.read);
  if (!change.base) {
    for (const site of change.head ? annotationSites(change.head) : [])
      if (Object.keys(site.settings).length > 0) judgeAddedSettings(out, site, readers(site)("head"));
    return out.detections;
  }
  if (!change.head) return [];
  const before = new Map(annotationSites(change.base).map((site) => [canonical(site.at), site.settings]));
  const { base, head } = change;
  for (const site of annotationSites(change.head))
    // The generated Service's opt-out is not the Gateway's: its names are another object's to tell.
    judgeSettingsChange(
      out,
      before.get(canonical(site.at)) ?? {},
      site,
      readers(site),
      site.where === "" ? () => optOutVerdict(base, head, context) : undefined,
    );
  return out.detections;
};

/**
 * One map's external-dns settings compared, read under both prefixes: a setting whose value only
 * moves to the other prefix, or is written under both (the migration to v0.22's prefix), is one
 * finding, which says that the records hold only where the controller reads the prefix that holds
 * them; any other change is judged setting by setting. Where the tree runs the controllers reading
 * the object (external-dns-controllers.ts), a move to a prefix every one of them reads is low
 * (buroa/k8s-gitops 93a6adeb2c, after their bump to v0.22), and one to a prefix none of them reads
 * is the setting removed, as they read it.
 */
export function judgeSettingsChange(
  out: DraftSink,
  before: Readonly<Record<string, string>>,
  site: AnnotationSite,
  readersIn: SiteReaders,
  optOut?: OptOutJudge,
): void {
  const after = site.settings;
  if (sameValue(before, after)) return;
  const moved: Moved[] = [];
  for (const name of sortedSet([...Object.keys(before), ...Object.keys(after)].map((key) => externalDnsSetting(key)!))) {
    const was = EXTERNAL_DNS_PREFIXES.map((prefix) => before[prefix + name]);
    const now = EXTERNAL_DNS_PREFIXES.map((prefix) => after[prefix + name]);
    if (was.every((value, i) => value === now[i])) continue;
    const [wasValues, nowValues] = [new Set(was.filter(isDefined)), new Set(now.filter(isDefined))];
    if (wasValues.size === 1 && nowValues.size === 1 && [...wasValues][0] === [...nowValues][0]) {
      // A prefix that held the value and no longer does: a controller reading it loses the setting.
      moved.push({ name, leftBehind: was.some((value, i) => value !== undefined && now[i] === undefined) });
      continue;
    }
    for (const prefix of EXTERNAL_DNS_PREFIXES)
      judgeSetting(out, prefix + name, name, before[prefix + name], after[prefix + name], site, optOut ? { optOut } : {});
  }
  if (moved.length === 0) return;
  const readers = { base: readersIn("base"), head: readersIn("head") };
  const [written, writtenBefore] = [prefixesBySetting(after), prefixesBySetting(before)];
  const followed = moved.filter(({ name }) => settingRead(readers.head, written.get(name)!) === "read");
  const dropped = moved.flatMap(({ name }) => {
    const losing = losingReaders(readers.base, readers.head, written.get(name)!, writtenBefore.get(name)!);
    return losing.length > 0 ? [{ name, losing }] : [];
  });
  for (const { name, losing } of dropped)
    for (const prefix of written.get(name)!)
      judgeSetting(out, prefix + name, name, after[prefix + name], undefined, site, {
        unread: describeLoss(losing, readers.head, site.read),
      });
  /** One finding for settings moved alike, values unchanged: `why` says what it means for their records. */
  const report = (entries: readonly Moved[], why: (leftBehind: boolean) => string, riskFloor?: "medium") => {
    if (entries.length === 0) return;
    const names = entries.map(({ name }) => name);
    const leftBehind = entries.some((entry) => entry.leftBehind);
    const first = written.get(names[0]!)![0]! + names[0]!;
    // At a key of the map: a finding explains the block holding its field (the map), not the map's parent.
    out.add({
      class: "resource.changed",
      summary: `${site.where}external-dns ${names.join(", ")} ${leftBehind ? "moved between annotation prefixes" : "also written under another annotation prefix"}, values unchanged${why(leftBehind)}`,
      side: "head",
      path: [...site.at, first],
      before: settingsNamed(before, names),
      after: settingsNamed(after, names),
      ...(riskFloor && leftBehind ? { riskFloor } : {}),
    });
  };
  report(
    followed,
    () =>
      `, to one every external-dns controller reading it here reads (${describeReaders(readers.head)}): its records keep these settings`,
  );
  report(
    moved.filter((entry) => !followed.includes(entry) && !dropped.some(({ name }) => name === entry.name)),
    (leftBehind) =>
      `: external-dns reads one prefix (v0.22 and later ${GA_PREFIX} by default, earlier versions external-dns.alpha.kubernetes.io/), with no fallback to the other, so ${leftBehind ? "the records keep these settings only where the controller reads the prefix that now holds them: one reading the prefix left behind drops them (a target, a hostname: records retargeted or deleted)" : "a controller reading the prefix they were added under now takes them"}`,
    "medium",
  );
}

/**
 * A map's settings, unchanged, under prefixes the controllers reading it (`before`, `after`) stop
 * reading: each is judged as removed (a target: records retargeted to the entry point's own
 * address; a hostname: records deleted; an opt-out: the object's names published).
 */
export function judgeUnreadSettings(
  out: DraftSink,
  site: AnnotationSite,
  before: readonly ExternalDnsController[],
  after: readonly ExternalDnsController[],
): void {
  for (const [name, prefixes] of prefixesBySetting(site.settings)) {
    const losing = losingReaders(before, after, prefixes);
    if (losing.length === 0) continue;
    const unread = describeLoss(losing, after, site.read);
    for (const prefix of prefixes) judgeSetting(out, prefix + name, name, site.settings[prefix + name], undefined, site, { unread });
  }
}

/**
 * A map of an object the PR adds whose settings sit only under prefixes none of its readers reads:
 * external-dns publishes it without them (no record for its hostname, its own address for a target)
 * and, for an opt-out, publishes it all the same. A new object serves no one yet, and what it was
 * meant to publish never appears: medium at most, not the records lost of an object in service.
 */
export function judgeAddedSettings(out: DraftSink, site: AnnotationSite, readers: readonly ExternalDnsController[]): void {
  const unread = [...prefixesBySetting(site.settings)].filter(([, prefixes]) => settingRead(readers, prefixes) === "unread");
  if (unread.length === 0) return;
  const how = describeReaders(readers);
  const optOut = unread.filter(
    ([name, prefixes]) => name === "controller" && prefixes.some((prefix) => optedOut(site.settings[prefix + name])),
  );
  for (const [name, prefixes] of optOut)
    out.add({
      class: "route.added",
      summary: `${site.where}${prefixes.map((prefix) => prefix + name).join(", ")}, which no external-dns controller reading it reads (${how}), does not opt it out: external-dns publishes its names all the same`,
      side: "head",
      path: [...site.at, prefixes[0]! + name],
      after: settingsNamed(site.settings, [name]),
    });
  const ignored = unread.filter(([name]) => name !== "controller").map(([name]) => name);
  if (ignored.length === 0) return;
  out.add({
    class: "resource.changed",
    summary: `${site.where}external-dns ${ignored.join(", ")} added under ${sortedSet(unread.flatMap(([, prefixes]) => prefixes)).join(" and ")}, which no external-dns controller reading it reads (${how}): it is published without them (no record for a hostname, its own address for a target) — a new object serves no one yet, but what it was written to publish never appears`,
    side: "head",
    path: [...site.at, Object.keys(settingsNamed(site.settings, ignored))[0]!],
    after: settingsNamed(site.settings, ignored),
    riskFloor: "medium",
  });
}

/** What an opt-out gained does where the object's records outlive it (kept-records.ts); undefined: they go. */
export type OptOutJudge = () => OptOutVerdict | undefined;

/** A setting whose value moved between the prefixes unchanged; `leftBehind`: a prefix that held it no longer does. */
interface Moved {
  readonly name: string;
  readonly leftBehind: boolean;
}

const isDefined = (value: string | undefined): value is string => value !== undefined;

/** The external-dns annotations of these settings, under whichever prefix. */
const settingsNamed = (annotations: Readonly<Record<string, string>>, names: readonly string[]): Record<string, string> =>
  Object.fromEntries(Object.entries(annotations).filter(([key]) => names.includes(externalDnsSetting(key)!)));

/**
 * One external-dns annotation of a map changed: what it does to the names the object publishes.
 * `unread`: the annotation stays but a controller reading the object no longer reads its prefix
 * (describeLoss: which, and how they read), so it is judged as removed from its records.
 */
export function judgeSetting(
  out: DraftSink,
  key: string,
  name: string,
  was: string | undefined,
  now: string | undefined,
  site: Pick<AnnotationSite, "at" | "where" | "annotations">,
  { unread, optOut }: { readonly unread?: string; readonly optOut?: OptOutJudge } = {},
): void {
  if (was === now) return;
  const label = `${site.where}${unread ? `${key}, ${unread},` : key}`;
  const path = [...site.at, key];
  if (NAMING_SETTINGS.has(name)) {
    const hosts = setChange(hostnames(was), hostnames(now));
    if (hosts.removed.length > 0) {
      out.add({
        class: "route.removed",
        summary: `${label} no longer publishes ${hosts.removed.join(", ")}: external-dns deletes the record (sync policy) or stops updating it`,
        side: "head",
        path,
        before: hostnames(was),
        after: hostnames(now),
      });
    }
    if (hosts.added.length > 0) {
      out.add({
        class: "route.added",
        summary: `${label} publishes ${hosts.added.join(", ")}: clients resolving ${hosts.added.length === 1 ? "it" : "them"} reach this resource`,
        side: "head",
        path,
        before: hostnames(was),
        after: hostnames(now),
      });
    }
    return;
  }
  const gained = name === "controller" && !optedOut(was) && optedOut(now);
  const verdict = (gained && optOut?.()) || annotationVerdict(name, was, now, site.annotations);
  out.add({
    class: verdict.class,
    summary: `${label} ${show(was)} → ${show(now)}: ${verdict.effect}`,
    side: "head",
    path,
    before: was,
    after: now,
    ...(verdict.riskFloor ? { riskFloor: verdict.riskFloor } : {}),
  });
}
