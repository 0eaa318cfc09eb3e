import { canonical, durationMs, sameValue, setChange, show, sortedSet } from "../../core/canonical-values.js";
import type { Check } from "../../core/by-kind.js";
import { flag, isRecord, list, numeric, record, spec, text, texts, type JsonRecord } from "../../core/json-access.js";
import type { Resource } from "../../core/resource.js";
import type { DetectionList, Side } from "../../core/detection-list.js";
import type { DetectorContext } from "../../core/detector.js";
import { copiesIn, whereApplied } from "../../core/cluster-copies.js";
import { describeTarget, KUADRANT_GROUP, sameTarget, targetOf } from "./targets.js";

/**
 * Kuadrant's DNSPolicy: the DNS records of a Gateway's listener hostnames, published by the
 * dns-operator in the zone of its provider. With `loadBalancing` each cluster's copy of the policy
 * says which geo its Gateway answers (`geo`), whether it answers clients of geos no cluster claims
 * (`defaultGeo`), and its share within its geo (`weight`): multi-cluster DNS load balancing, judged
 * as k8gb's Gslb strategy is (DESIGN §5: a GSLB strategy is failover.changed; shares are weights).
 */

/**
 * How the policy balances, in both shapes teams wrote: v1 (and v1alpha1 since Kuadrant 1.0)
 * `weight`/`geo`/`defaultGeo`; before, `routingStrategy` with `weighted.defaultWeight`/`custom` and
 * `geo.defaultGeo` (a geo code, picked per cluster by labels).
 */
interface Balancing {
  readonly written: boolean;
  readonly legacy: boolean;
  readonly weight?: number;
  readonly geo?: string;
  readonly defaultGeo?: boolean;
  /** The retired shape's per-cluster weights by label selector (its `legacy` form: no v1 spelling). */
  readonly custom?: string;
}

/** The CRD's default weight (`+kubebuilder:default=120`), and the retired `defaultWeight` alike. */
const DEFAULT_WEIGHT = 120;

/**
 * The retired shape without custom weights is the v1 shape: `defaultWeight` each cluster's weight,
 * `geo.defaultGeo` the geo of every cluster no label places elsewhere and the catch-all geo
 * (kuadrant-operator 893fd2cdfd rewrote its examples so: weighted.defaultWeight 120 and geo.defaultGeo
 * EU became weight 120, geo EU, defaultGeo true). Custom weights by cluster label have no v1 spelling.
 */
function balancingOf(policy: Resource): Balancing {
  const fields = spec(policy);
  const lb = record(fields.loadBalancing);
  // The retired shape's `routingStrategy: simple` publishes one record set, whatever loadBalancing says.
  if (!isRecord(fields.loadBalancing) || text(fields.routingStrategy) === "simple") return { written: false, legacy: false };
  if (isRecord(lb.weighted) || isRecord(lb.geo)) {
    const weighted = record(lb.weighted);
    const custom = list(weighted.custom);
    const geo = text(record(lb.geo).defaultGeo);
    return {
      written: true,
      legacy: custom.length > 0,
      weight: numeric(weighted.defaultWeight) ?? DEFAULT_WEIGHT,
      ...(geo ? { geo, defaultGeo: true } : { defaultGeo: false }),
      ...(custom.length > 0 ? { custom: canonical(custom) } : {}),
    };
  }
  return {
    written: true,
    legacy: false,
    weight: numeric(lb.weight) ?? DEFAULT_WEIGHT,
    ...(text(lb.geo) ? { geo: text(lb.geo)! } : {}),
    defaultGeo: flag(lb.defaultGeo) ?? false,
  };
}

/** How findings name a policy's balancing: `geo GEO-EU (the default geo), weight 120`. */
const describeBalancing = (balancing: Balancing): string =>
  [
    ...(balancing.geo ? [`geo ${balancing.geo}${balancing.defaultGeo ? " (the default geo)" : ""}`] : []),
    `weight ${balancing.weight ?? DEFAULT_WEIGHT}`,
    ...(balancing.custom ? [`custom weights by cluster label ${balancing.custom}`] : []),
  ].join(", ");

const balancingShown = ({ written: _written, legacy: _legacy, ...shown }: Balancing) => shown;

/** What the records of every cluster's copy must agree on: one record set, or geo and weighted records (the retired custom weights another spelling of them). */
const recordsOf = (balancing: Balancing): string =>
  !balancing.written
    ? "simple records"
    : balancing.custom
      ? `custom weights by cluster label ${balancing.custom}`
      : "geo and weighted records";

/** The geos the copies name as the one answering clients of geos no cluster claims. */
const defaultGeos = (copies: readonly Resource[]): string[] =>
  sortedSet(copies.map(balancingOf).flatMap((balancing) => (balancing.defaultGeo && balancing.geo ? [balancing.geo] : [])));

const isDnsPolicy = ({ id }: Resource): boolean => id.group === KUADRANT_GROUP && id.kind === "DNSPolicy";

/**
 * The same policy in a tree (core/cluster-copies copiesIn), alike where it publishes the same kind
 * of records; copies elsewhere count only where this copy or one of them balances (the clusters
 * answering the name together).
 */
const policyCopiesIn = (policy: Resource, context: DetectorContext, tree: Side): { elsewhere: Resource[]; alike: boolean } => {
  const { elsewhere, alike } = copiesIn(
    policy,
    context,
    tree,
    isDnsPolicy,
    (a, b) => recordsOf(balancingOf(a)) === recordsOf(balancingOf(b)),
  );
  return { elsewhere: balancingOf(policy).written || elsewhere.some((copy) => balancingOf(copy).written) ? elsewhere : [], alike };
};

/**
 * One cluster's copy added beside the others' (the dns-operator of each cluster publishes its own
 * Gateway's addresses under the geo and weight its copy names) is that cluster joining the answers;
 * what the copies must agree on, compared with theirs, is still the strategy: simple records beside
 * load-balanced ones, or a default geo the others do not name, moves clients between clusters.
 */
function joins(head: Resource, copies: readonly Resource[], out: DetectionList, context: DetectorContext): void {
  const balancing = balancingOf(head);
  const reach = describeTarget(context.head, targetOf(head));
  out.add({
    class: "backend.region-added",
    summary: `added in ${whereApplied([head], context, "head")}: its cluster joins ${whereApplied(copies, context, "base")} in the DNS answers for ${reach}${balancing.written ? `, ${describeBalancing(balancing)}` : ""}`,
    side: "head",
    path: ["spec", "targetRef"],
    after: { target: reach, loadBalancing: balancingShown(balancing) },
  });
  const records = sortedSet(copies.map((copy) => recordsOf(balancingOf(copy))));
  if (!records.includes(recordsOf(balancing)))
    out.add({
      class: "failover.changed",
      summary: `${recordsOf(balancing)} for ${reach} beside copies publishing ${records.join(", ")}: the clusters' records of one name contend, and DNS answers pick clusters another way`,
      side: "head",
      path: ["spec", balancing.written ? "loadBalancing" : "targetRef"],
      after: balancingShown(balancing),
    });
  const defaults = defaultGeos(copies);
  if (balancing.defaultGeo && balancing.geo && !defaults.includes(balancing.geo))
    out.add({
      class: "failover.changed",
      summary: `loadBalancing.defaultGeo for geo ${balancing.geo}, where ${defaults.length > 0 ? `the other clusters name ${defaults.join(", ")}` : "no other cluster names a default geo"}: clients of geos no cluster claims are now answered with this cluster`,
      side: "head",
      path: ["spec", "loadBalancing", "defaultGeo"],
      before: defaults,
      after: balancing.geo,
    });
}

/** One cluster's copy removed while others stay: that cluster leaves the answers; the last to claim the default geo takes the catch-all with it. */
function leaves(base: Resource, copies: readonly Resource[], out: DetectionList, context: DetectorContext): void {
  const balancing = balancingOf(base);
  const reach = describeTarget(context.base, targetOf(base));
  const lastOfGeo = balancing.geo !== undefined && !copies.some((copy) => balancingOf(copy).geo === balancing.geo);
  out.add({
    class: "backend.region-removed",
    summary: `removed from ${whereApplied([base], context, "base")}: its cluster leaves the DNS answers for ${reach}; ${whereApplied(copies, context, "head")} still answer${copies.length === 1 ? "s" : ""}${
      balancing.written ? `, ${describeBalancing(balancing)}` : ""
    }${lastOfGeo ? `: the last cluster of geo ${balancing.geo}, whose clients are answered with the default geo's clusters` : ""}`,
    side: "base",
    path: ["spec", "targetRef"],
    before: { target: reach, loadBalancing: balancingShown(balancing) },
  });
  const defaults = defaultGeos(copies);
  if (balancing.defaultGeo && balancing.geo && !defaults.includes(balancing.geo))
    out.add({
      class: "failover.changed",
      summary: `the default geo ${balancing.geo} leaves with it (${defaults.length > 0 ? `the clusters left name ${defaults.join(", ")}` : "no cluster left names one"}): clients of geos no cluster claims are no longer answered with geo ${balancing.geo}'s clusters${defaults.length > 0 ? "" : ", and get no answer"}`,
      side: "base",
      path: ["spec", "loadBalancing", "defaultGeo"],
      before: balancing.geo,
      after: defaults,
    });
}

/**
 * A policy removed deletes its records. With loadBalancing it takes its cluster's geo and weighted
 * records out of the name's multi-cluster answers: removed from every cluster the tree holds, the
 * balancing between clusters goes (DESIGN §5: a GSLB strategy is failover.changed, as for k8gb's
 * Gslb); removed from one cluster while others keep it, that cluster leaves; removed beside an
 * alternative in its folder that balances alike, the balancing stays where it was applied.
 */
const removed: Check = (change, out, context) => {
  if (!change.base || change.head) return;
  const base = change.base;
  const { elsewhere, alike } = policyCopiesIn(base, context, "head");
  if (elsewhere.length > 0) {
    leaves(base, elsewhere, out, context);
    return;
  }
  const reach = describeTarget(context.base, targetOf(base));
  out.add({
    class: "route.removed",
    summary: `removed: the dns-operator deletes its DNS records, so ${reach} no longer resolves through it`,
    side: "base",
    path: ["spec"],
    before: { target: reach },
  });
  const balancing = balancingOf(base);
  if (balancing.written && !alike)
    out.add({
      class: "failover.changed",
      summary: `loadBalancing ${describeBalancing(balancing)} → (no DNSPolicy) for ${reach}: its geo and weighted records are deleted, so DNS no longer balances the name between clusters, and what else publishes it answers with one cluster's addresses`,
      side: "base",
      path: ["spec", "loadBalancing"],
      before: balancingShown(balancing),
    });
};

/**
 * A policy added: its records, and with loadBalancing a balancing between clusters from none,
 * unless the tree's other clusters already balance the name (it joins them) or an alternative in
 * its folder already balances it alike.
 */
const added: Check = (change, out, context) => {
  if (change.base || !change.head) return;
  const head = change.head;
  const { elsewhere, alike } = policyCopiesIn(head, context, "base");
  if (elsewhere.length > 0) {
    joins(head, elsewhere, out, context);
    return;
  }
  const reach = describeTarget(context.head, targetOf(head));
  const balancing = balancingOf(head);
  out.add({
    class: "route.added",
    summary: `added: publishes DNS records for ${reach}${balancing.written && alike ? `, load-balanced (${describeBalancing(balancing)}) as its folder's other definitions` : ""}`,
    side: "head",
    path: ["spec"],
    after: { target: reach },
  });
  if (balancing.written && !alike)
    out.add({
      class: "failover.changed",
      summary: `loadBalancing (no DNSPolicy) → ${describeBalancing(balancing)} for ${reach}: DNS answers pick among clusters by the client's geo${balancing.defaultGeo ? ", this cluster's geo answering clients of geos no cluster claims," : ""} and by weight within a geo`,
      side: "head",
      path: ["spec", "loadBalancing"],
      after: balancingShown(balancing),
    });
};

/** Another Gateway or listener: the records of the one it named are deleted, the other's published. */
const retargeted: Check = (change, out, context) => {
  if (!change.base || !change.head) return;
  const [was, now] = [targetOf(change.base), targetOf(change.head)];
  if (sameTarget(was, now)) return;
  out.add({
    class: "route.attachment-changed",
    summary: `targetRef ${describeTarget(context.base, was)} → ${describeTarget(context.head, now)}: the records of the first are deleted, so its hostnames stop resolving through this policy, and the other's are published`,
    side: "head",
    path: ["spec", "targetRef"],
    before: spec(change.base).targetRef,
    after: spec(change.head).targetRef,
  });
};

const loadBalancing: Check = (change, out, context) => {
  if (!change.base || !change.head) return;
  const [was, now] = [balancingOf(change.base), balancingOf(change.head)];
  const reach = describeTarget(context.head, targetOf(change.head));
  const at = (...field: string[]) => ["spec", "loadBalancing", ...field];
  if (was.written !== now.written || was.legacy !== now.legacy) {
    // Simple (one record set) against load-balanced (geo and weighted records), or the retired shape rewritten: another strategy.
    out.add({
      class: "failover.changed",
      summary: `loadBalancing ${!was.written ? "added" : !now.written ? "removed" : "rewritten from the retired weighted/geo shape"} for ${reach}: ${
        !now.written
          ? "its records are published without geo or weights, so this cluster no longer takes a geo's or a share's traffic as before"
          : "how DNS answers pick this cluster among the others changes"
      }`,
      side: now.written ? "head" : "base",
      path: at(),
      before: spec(change.base).loadBalancing ?? null,
      after: spec(change.head).loadBalancing ?? null,
    });
    return;
  }
  if (!now.written) return;
  if (was.geo !== now.geo)
    out.add({
      class: "failover.changed",
      summary: `loadBalancing.geo ${show(was.geo)} → ${show(now.geo)} for ${reach}: clients of ${show(was.geo)} are no longer answered with this cluster, those of ${show(now.geo)} are: a region's traffic moves between clusters`,
      side: "head",
      path: at("geo"),
      before: was.geo,
      after: now.geo,
    });
  if (was.defaultGeo !== now.defaultGeo)
    out.add({
      class: "failover.changed",
      summary: `loadBalancing.defaultGeo ${show(was.defaultGeo)} → ${show(now.defaultGeo)} for ${reach}: ${
        now.defaultGeo
          ? "clients of geos no cluster claims are now answered with this cluster"
          : "clients of geos no cluster claims are no longer answered with this cluster: they go to the default geo another cluster claims, or get no answer"
      }`,
      side: "head",
      path: at("defaultGeo"),
      before: was.defaultGeo,
      after: now.defaultGeo,
    });
  if (was.weight !== now.weight || was.custom !== now.custom) {
    const [before, after] = [was.weight ?? DEFAULT_WEIGHT, now.weight ?? DEFAULT_WEIGHT];
    out.add({
      class:
        after === 0 && before > 0
          ? "backend.region-removed"
          : before === 0 && after > 0
            ? "backend.region-added"
            : "backend.weight-changed",
      summary: `loadBalancing.weight ${before} → ${after}${was.custom === now.custom ? "" : ", custom weights changed"} for ${reach}: ${
        after === 0 && before > 0
          ? "this cluster is drained from its geo's DNS answers"
          : before === 0 && after > 0
            ? "this cluster is back in its geo's DNS answers"
            : "its share of its geo's DNS answers changes against the other clusters'"
      }`,
      side: "head",
      path: at(isRecord(record(spec(change.head).loadBalancing).weighted) ? "weighted" : "weight"),
      before: spec(change.base).loadBalancing,
      after: spec(change.head).loadBalancing,
    });
  }
};

/** The dns-operator's health check defaults (the CRD): written out, they are no change. */
const HEALTH_DEFAULTS: JsonRecord = { failureThreshold: 5, interval: "5m", port: 443, protocol: "HTTPS" };

const probeOf = (policy: Resource): JsonRecord | undefined => {
  const check = spec(policy).healthCheck;
  if (!isRecord(check)) return undefined;
  // multicluster-gateway-controller's v1alpha1 named the probe's path `endpoint`.
  const { endpoint, ...rest } = check;
  const probe: JsonRecord = { ...HEALTH_DEFAULTS, ...(endpoint === undefined ? {} : { path: endpoint }), ...rest };
  return {
    ...probe,
    protocol: text(probe.protocol)?.toUpperCase() ?? probe.protocol,
    interval: durationMs(probe.interval) ?? probe.interval,
  };
};

/**
 * The health checks that take a dead cluster's records out of the answers: removed, the others keep
 * answering with it; a higher failure threshold or a longer interval notices it later. Removed while
 * the policy balances between clusters, nothing fails over any more (DESIGN §5: as outlier
 * detection removed while failover is on).
 */
const healthCheck: Check = (change, out) => {
  if (!change.base || !change.head) return;
  const [was, now] = [probeOf(change.base), probeOf(change.head)];
  if (sameValue(was, now)) return;
  if (was && !now && balancingOf(change.base).written && balancingOf(change.head).written) {
    out.add({
      class: "failover.changed",
      summary: `healthCheck removed while loadBalancing is on: a dead cluster's records stay in its geo's DNS answers, so its clients keep being sent there and no other cluster takes over`,
      side: "base",
      path: ["spec", "healthCheck"],
      before: spec(change.base).healthCheck,
      after: null,
    });
    return;
  }
  const slower =
    was &&
    now &&
    ((numeric(now.failureThreshold) ?? 0) > (numeric(was.failureThreshold) ?? 0) ||
      (numeric(now.interval) ?? 0) > (numeric(was.interval) ?? 0));
  out.add({
    class: "health.changed",
    summary: `healthCheck ${
      !now
        ? "removed: a dead cluster's records stay in the DNS answers, so failover no longer notices it"
        : !was
          ? "added: records of endpoints failing the probe are taken out of the DNS answers"
          : slower
            ? "loosened: a dead cluster is noticed later, its clients keep being sent there meanwhile"
            : "changed: what takes a cluster's records out of the DNS answers changes"
    }`,
    side: now ? "head" : "base",
    path: ["spec", "healthCheck"],
    before: spec(change.base).healthCheck ?? null,
    after: spec(change.head).healthCheck ?? null,
  });
};

const providersOf = (policy: Resource): string[] =>
  sortedSet(list(spec(policy).providerRefs).flatMap((ref) => text(record(ref).name) ?? []));

/** Another provider secret is another DNS zone or account: the records move there, and resolve only where that zone is served. */
const providers: Check = (change, out, context) => {
  if (!change.base || !change.head) return;
  const [was, now] = [providersOf(change.base), providersOf(change.head)];
  if (sameValue(was, now)) return;
  const shown = (names: string[]) =>
    names.length > 0 ? names.join(", ") : "the default provider (the Secret labelled kuadrant.io/default-provider)";
  out.add({
    class: "route.attachment-changed",
    summary: `providerRefs ${shown(was)} → ${shown(now)}: the records of ${describeTarget(context.head, targetOf(change.head))} are published in another DNS zone or account, and resolve only if that zone serves them`,
    side: "head",
    path: ["spec", "providerRefs"],
    before: was,
    after: now,
  });
};

/** Addresses no longer excluded are published (a private range in a public zone); more excluded, fewer are answered, none left answers nothing. */
const excludedAddresses: Check = (change, out) => {
  if (!change.base || !change.head) return;
  const moved = setChange(texts(spec(change.base).excludeAddresses), texts(spec(change.head).excludeAddresses));
  if (moved.removed.length > 0)
    out.add({
      class: "listener.changed",
      summary: `excludeAddresses no longer excludes ${moved.removed.join(", ")}: the Gateway's addresses among them are now published in DNS`,
      side: "head",
      path: ["spec", "excludeAddresses"],
      before: texts(spec(change.base).excludeAddresses),
      after: texts(spec(change.head).excludeAddresses),
    });
  if (moved.added.length > 0)
    out.add({
      class: "resource.changed",
      summary: `excludeAddresses now excludes ${moved.added.join(", ")}: the Gateway's addresses among them are withdrawn from DNS (if none is left, its hostnames stop resolving)`,
      side: "head",
      path: ["spec", "excludeAddresses"],
      before: texts(spec(change.base).excludeAddresses),
      after: texts(spec(change.head).excludeAddresses),
      riskFloor: "medium-high",
    });
};

/** Delegated records are published by the primary cluster's dns-operator with the other clusters' (Kuadrant's DNS delegation). */
const delegation: Check = (change, out) => {
  if (!change.base || !change.head) return;
  const [was, now] = [flag(spec(change.base).delegate) ?? false, flag(spec(change.head).delegate) ?? false];
  if (was === now) return;
  out.add({
    class: "resource.changed",
    summary: `delegate ${was} → ${now}: ${now ? "its records are handed to the primary cluster to publish" : "this cluster publishes its records itself"}, another owner of the zone's records`,
    side: "head",
    path: ["spec", "delegate"],
    before: was,
    after: now,
    riskFloor: "medium-high",
  });
};

export const DNS_POLICY_CHECKS: readonly Check[] = [
  removed,
  added,
  retargeted,
  loadBalancing,
  healthCheck,
  providers,
  excludedAddresses,
  delegation,
];
