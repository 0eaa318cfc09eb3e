import type { ManifestSet, Resource } from "../../core/resource.js";
import { copiesNamed } from "../../core/copies-named.js";
import { canonical, sameValue, show, showLabels, sortedSet } from "../../core/canonical-values.js";
import type { DetectionList } from "../../core/detection-list.js";
import type { DetectorContext } from "../../core/detector.js";
import type { ResourceChange } from "../../core/resource-change.js";
import type { FieldPath } from "../../core/finding.js";
import { flag, list, optionalRecord, record, spec, stringMap, text, texts } from "../../core/json-access.js";
import { qualifyHost } from "../../core/service-host.js";
import { pairEntries } from "../../core/pair-entries.js";
import { selectionCounterparts, type Selection } from "./selection.js";
import { isVirtualService } from "./delegation.js";
import { virtualServiceDestinations, virtualServicesSending } from "./graph-nodes.js";
import {
  ENDPOINT_CHECKS,
  comparePolicies,
  effective,
  own,
  policyScopes,
  scopeOn,
  type Findings,
  type PolicyScope,
} from "../../core/istio-traffic-policy.js";

/**
 * DestinationRule traffic policies (research §1.3): locality failover, outlier detection and
 * connection pools as Istio's TrafficPolicy is judged wherever it is written (istio-traffic-policy.ts),
 * upstream TLS, at every level Istio merges them, plus the subsets themselves.
 */

/**
 * Without a tls block Istio uses auto mTLS (mTLS to workloads with a sidecar, plaintext to the
 * rest); a block without mode means DISABLE (the proto default).
 */
const AUTO = "(auto mTLS)";
const TLS_STRENGTH: Readonly<Record<string, number>> = { DISABLE: 0, [AUTO]: 1, SIMPLE: 2, MUTUAL: 3, ISTIO_MUTUAL: 3 };
const ORIGINATES_OWN_TLS = new Set(["SIMPLE", "MUTUAL"]);
/** What says which upstream certificate is accepted: `sni` too, the name the upstream is asked for and, where no SAN is listed, verified against. */
const TRUST_FIELDS = ["credentialName", "caCertificates", "subjectAltNames", "clientCertificate", "caCrl", "sni"] as const;

const tlsView = (value: unknown) => {
  const tls = optionalRecord(value);
  return {
    mode: tls ? (text(tls.mode) ?? "DISABLE") : AUTO,
    insecureSkipVerify: flag(tls?.insecureSkipVerify) ?? false,
    credentialName: text(tls?.credentialName),
    caCertificates: text(tls?.caCertificates),
    subjectAltNames: sortedSet(texts(tls?.subjectAltNames)),
    clientCertificate: text(tls?.clientCertificate),
    caCrl: text(tls?.caCrl),
    sni: text(tls?.sni),
  };
};

const weakeningEffect = (mode: string): string =>
  mode === "DISABLE"
    ? "upstream traffic is sent in plaintext"
    : mode === AUTO
      ? "falls back to auto mTLS, which sends plaintext to workloads without a sidecar"
      : "the client certificate is no longer presented";

const strengtheningEffect = (mode: string): string =>
  mode === AUTO
    ? "auto mTLS: Istio mTLS to upstream workloads with a sidecar, plaintext to the rest"
    : "Istio mTLS required to the upstream, with the mesh's own certificates: calls fail where the upstream has no sidecar";

/**
 * Toward a host outside the mesh no sidecar answers: without TLS settings the mesh sends what the
 * application sends, and SIMPLE or MUTUAL is TLS origination (Istio's egress TLS origination
 * pattern, kiali/demos 03a32ce3), a strengthening whose risk is the upstream not speaking TLS on
 * that port, not a change of trust anchors.
 */
const NO_ORIGINATION = "(no TLS origination)";

const towardExternalHost = (view: TlsView): TlsView =>
  view.mode === AUTO || view.mode === "DISABLE" ? { ...view, mode: NO_ORIGINATION } : view;

/**
 * Whether the tree's MeshConfig leaves auto mTLS on (Istio's default): unknown, and so not
 * assumed, where the mesh is configured outside the repository.
 */
const autoMtlsOn = (context: DetectorContext): boolean => {
  const configs = context.meshConfigs(context.head);
  return configs.length > 0 && configs.map((config) => flag(config.enableAutoMtls)).find((value) => value !== undefined) !== false;
};

const upstreamTls =
  (external: boolean, autoMtls: boolean) =>
  (out: Findings, before: PolicyScope, after: PolicyScope): void => {
    if (sameValue(own(before, "tls"), own(after, "tls"))) return;
    const viewed = (scope: PolicyScope) => {
      const view = tlsView(effective(scope, "tls"));
      return external ? towardExternalHost(view) : view;
    };
    const [was, now] = [viewed(before), viewed(after)];
    const path: FieldPath = [...after.path, "tls"];
    if (external && was.mode !== now.mode && (was.mode === NO_ORIGINATION || now.mode === NO_ORIGINATION)) {
      const starts = was.mode === NO_ORIGINATION;
      out.add({
        class: starts ? "resource.changed" : "mtls.weakened",
        summary: starts
          ? `${after.label} tls.mode ${now.mode}: the sidecar now originates TLS to this host outside the mesh (calls fail if it does not speak TLS on the port)`
          : `${after.label} tls.mode ${was.mode} → ${NO_ORIGINATION}: requests to this host outside the mesh leave unencrypted unless the application encrypts them`,
        side: "head",
        path: [...path, "mode"],
        before: was.mode,
        after: now.mode,
        ...(starts ? { riskFloor: "medium" as const } : {}),
      });
    } else tlsMode(out, was, now, path, after.label, autoMtls);
    tlsTrust(out, was, now, path, after.label);
  };

type TlsView = ReturnType<typeof tlsView>;

const tlsMode = (out: Findings, was: TlsView, now: TlsView, path: FieldPath, label: string, autoMtls: boolean): void => {
  // Istio mTLS left to auto mTLS where the mesh has it on: sidecars still get mTLS; only upstreams
  // without one, which refused these calls, now take them in plaintext.
  if (was.mode === "ISTIO_MUTUAL" && now.mode === AUTO && autoMtls) {
    out.add({
      class: "resource.changed",
      summary: `${label} tls.mode ISTIO_MUTUAL → ${AUTO}: auto mTLS is on in this mesh, so upstreams with a sidecar still get mTLS; those without one, which refused these calls, now take them in plaintext`,
      side: "head",
      path: [...path, "mode"],
      before: was.mode,
      after: now.mode,
      riskFloor: "medium",
    });
    return;
  }
  if (was.mode !== now.mode) {
    const weakened = (TLS_STRENGTH[now.mode] ?? 0) < (TLS_STRENGTH[was.mode] ?? 0);
    // Stronger within the mesh's own identity (plaintext or auto → Istio mTLS) keeps the trust
    // anchors: the risk is availability (an upstream without a sidecar refuses), not trust.
    const meshOnly = !ORIGINATES_OWN_TLS.has(was.mode) && !ORIGINATES_OWN_TLS.has(now.mode);
    out.add({
      class: weakened ? "mtls.weakened" : meshOnly ? "resource.changed" : "trust.changed",
      summary: `${label} tls.mode ${was.mode} → ${now.mode}: ${weakened ? weakeningEffect(now.mode) : meshOnly ? strengtheningEffect(now.mode) : "upstream TLS identity and trust change (callers fail if the upstream cannot do it)"}`,
      side: "head",
      path: [...path, "mode"],
      before: was.mode,
      after: now.mode,
      ...(!weakened && meshOnly ? { riskFloor: "medium" as const } : {}),
    });
  }
};

const tlsTrust = (out: Findings, was: TlsView, now: TlsView, path: FieldPath, label: string): void => {
  if (now.insecureSkipVerify && !was.insecureSkipVerify && ORIGINATES_OWN_TLS.has(now.mode)) {
    out.add({
      class: "mtls.weakened",
      summary: `${label} tls.insecureSkipVerify true: the upstream's certificate is no longer verified`,
      side: "head",
      path: [...path, "insecureSkipVerify"],
      before: false,
      after: true,
    });
  }
  if (!ORIGINATES_OWN_TLS.has(was.mode) || !ORIGINATES_OWN_TLS.has(now.mode)) return;
  for (const field of TRUST_FIELDS) {
    if (sameValue(was[field], now[field])) continue;
    out.add({
      class: "trust.changed",
      summary: `${label} tls.${field} ${show(was[field])} → ${show(now[field])}: upstream certificates or trust anchors change`,
      side: "head",
      path: [...path, field],
      before: was[field],
      after: now[field],
    });
  }
};

// ---------------------------------------------------------------------------------------------

/** A subset without labels is every endpoint of its host, not none. */
const subsetPods = (labels: Readonly<Record<string, string>> | undefined): string =>
  labels && Object.keys(labels).length > 0 ? `pods ${showLabels(labels)}` : "every endpoint of its host (no labels)";

/** `host|subset` of every destination a VirtualService of the tree sends or mirrors to by subset, hosts qualified. */
const routedSubsetsOf = new WeakMap<ManifestSet, ReadonlySet<string>>();
function routedSubsets(tree: ManifestSet): ReadonlySet<string> {
  let routed = routedSubsetsOf.get(tree);
  if (!routed) {
    const found = new Set<string>();
    for (const resource of tree.resources.values())
      if (isVirtualService(resource))
        for (const { host, subset } of virtualServiceDestinations(resource)) if (subset !== undefined) found.add(`${host}|${subset}`);
    routedSubsetsOf.set(tree, (routed = found));
  }
  return routed;
}

/**
 * A subset's pods take requests only once a route names it (Istio: a subset's policies apply to
 * traffic a route sends to it): adding one ahead of the route that will use it, as Istio's
 * make-before-break guidance has it, or dropping one nothing names, moves no request (low); with
 * a route naming it, it is medium-high.
 */
const subsets = (change: ResourceChange, out: Findings, routed: (subset: string | undefined) => boolean): void => {
  // A whole DestinationRule coming or going defines no new pod groups by itself; routes that
  // name its subsets are checked against the tree as references.
  if (!change.base || !change.head) return;
  const floor = (subset: string | undefined, unrouted: string) =>
    routed(subset) ? { riskFloor: "medium-high" as const, note: "" } : { note: `; ${unrouted}` };
  const subsetsOf = (resource: Resource) => list(record(resource.body.spec).subsets);
  const name = (subset: unknown) => text(record(subset).name);
  for (const pair of pairEntries(subsetsOf(change.base), subsetsOf(change.head), [name])) {
    const was = pair.base && stringMap(record(pair.base.value).labels);
    const now = pair.head && stringMap(record(pair.head.value).labels);
    if (pair.head && !pair.base) {
      const { note, ...risk } = floor(name(pair.head.value), "no route sends to it yet");
      out.add({
        class: "resource.changed",
        summary: `subset ${name(pair.head.value)} added: selects ${subsetPods(now)}${note}`,
        side: "head",
        path: ["spec", "subsets", pair.head.index],
        after: now,
        ...risk,
      });
    } else if (pair.base && !pair.head) {
      const { note, ...risk } = floor(name(pair.base.value), "no route names it");
      out.add({
        class: "resource.changed",
        summary: `subset ${name(pair.base.value)} removed${note || ": routes that name it no longer resolve"}`,
        side: "base",
        path: ["spec", "subsets", pair.base.index],
        before: was,
        ...risk,
      });
    } else if (pair.head && !sameValue(was, now)) {
      const { note, ...risk } = floor(name(pair.head.value), "no route sends to it");
      out.add({
        class: "resource.changed",
        summary: `subset ${name(pair.head.value)} labels ${showLabels(was ?? {})} → ${showLabels(now ?? {})}: the subset re-targets pods${Object.keys(now ?? {}).length === 0 ? " (every endpoint of its host)" : ""}${note}`,
        side: "head",
        path: ["spec", "subsets", pair.head.index, "labels"],
        before: was,
        after: now,
        ...risk,
      });
    }
  }
};

/**
 * What a DestinationRule applies to: its host, from which namespace, to whom it is visible and for
 * which workloads. Two rules with the same selection are the same policy whatever their names.
 */
const selection: Selection = (resource) => {
  const fields = spec(resource);
  const namespace = resource.id.namespace;
  return canonical([
    qualifiedHost(resource),
    namespace,
    sortedSet(texts(fields.exportTo).map((value) => (value === "." ? namespace : value))),
    stringMap(record(fields.workloadSelector).matchLabels),
  ]);
};

const qualifiedHost = (resource: Resource): string => qualifyHost(text(spec(resource).host) ?? "", resource.id.namespace);

/** `scopes` with what `under` sets at the same level as their fallback: one rule merged over another for the same host. */
const mergedOver = (scopes: Map<string, PolicyScope>, under: Map<string, PolicyScope>): Map<string, PolicyScope> =>
  new Map([...scopes].map(([key, scope]) => [key, { ...scope, chain: [...scope.chain, ...(scopeOn(under, key)?.chain ?? [])] }]));

/** Whether a ServiceEntry of the tree declares the host outside the mesh (MESH_EXTERNAL is its default location). */
const externalHosts = new WeakMap<ManifestSet, readonly string[]>();

function isExternalHost(host: string, tree: ManifestSet): boolean {
  let hosts = externalHosts.get(tree);
  if (!hosts) {
    hosts = [...tree.resources.values()].flatMap((resource) => {
      if (resource.id.kind !== "ServiceEntry" || !resource.id.group.endsWith("istio.io")) return [];
      const fields = spec(resource);
      return text(fields.location) === "MESH_INTERNAL" ? [] : texts(fields.hosts);
    });
    externalHosts.set(tree, hosts);
  }
  return hosts.some((declared) => declared === host || (declared.startsWith("*.") && host.endsWith(declared.slice(1))));
}

/**
 * Judged per host, not per name (DESIGN §4): a rule added for a host another rule governed is
 * compared with that one (a rename or a move is no change), or, while that one stays, with the
 * two merged as Istio merges them (mergedInto). A rule removed while another that was
 * already there keeps governing its host leaves that one's TLS in force, merged with whatever the
 * removed rule did not set; its health and failover settings are simply gone, and the whole-tree
 * checks see what the remaining rules lack.
 */
export const destinationRule = (resourceChange: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  const { base: was, head: now } = resourceChange;
  // A rule kept by name that now applies to another host leaves the one it applied to and takes
  // another: judged as one rule removed and one added, each finding saying which (a DestinationRule's
  // host change passed as a low field change).
  if (was && now && qualifiedHost(was) !== qualifiedHost(now)) {
    const saying = (role: string): Findings => ({ add: (draft) => out.add({ ...draft, summary: `${role}: ${draft.summary}` }) });
    judged({ ...resourceChange, head: undefined }, saying(`no longer applies to host ${qualifiedHost(was)}`), context);
    judged({ ...resourceChange, base: undefined }, saying(`now applies to host ${qualifiedHost(now)}`), context);
    return;
  }
  judged(resourceChange, out, context);
  if (was && now) narrowedToWorkloads(was, now, out, context);
};

/** A DestinationRule's `workloadSelector` labels: the client workloads it applies to (none: every client). */
const clientSelector = (resource: Resource): Record<string, string> => stringMap(record(spec(resource).workloadSelector).matchLabels);

/**
 * A rule given a `workloadSelector` (or another one) applies only to the clients it selects: the
 * others — gateways, other services — lose its subsets and traffic policy. Where a route of the
 * tree still sends to one of its subsets, their requests find no subset (503 NR): reference.broken.
 */
function narrowedToWorkloads(was: Resource, now: Resource, out: DetectionList, context: DetectorContext): void {
  const [before, after] = [clientSelector(was), clientSelector(now)];
  if (Object.keys(after).length === 0 || sameValue(before, after)) return;
  const host = qualifiedHost(now);
  const subsets = new Set(list(spec(now).subsets).flatMap((subset) => text(record(subset).name) ?? []));
  const routing = copiesNamed(
    virtualServicesSending(context.head, (destination, subset) => subset !== undefined && subsets.has(subset) && destination === host),
  );
  const selector = Object.entries(after)
    .map(([key, value]) => `${key}=${value}`)
    .join(", ");
  out.add({
    class: routing.length > 0 ? "reference.broken" : "resource.changed",
    summary:
      routing.length > 0
        ? `workloadSelector ${selector}: the rule now applies only to those clients, so ${routing.join(", ")} ${routing.length === 1 ? "sends" : "send"} to subsets other clients (gateways, other services) no longer have: their requests fail (503)`
        : `workloadSelector ${selector}: the rule now applies only to those clients: the others lose its traffic policy (TLS, load balancing, outlier detection)`,
    side: "head",
    path: ["spec", "workloadSelector"],
    before,
    after,
    ...(routing.length > 0 ? {} : { riskFloor: "medium-high" as const }),
  });
}

/**
 * A rule added for a host another rule keeps governing is merged into that one, not put in its
 * place (pilot's mergeDestinationRule): the older rule's subsets and top-level trafficPolicy stay,
 * the newer adds the subsets of names the older lacks, and its trafficPolicy only where the older
 * sets none. The older rule as it was at base: its own edits are its own change's. The newer
 * rule's subsets keep their places (an older one of the same name in its stead), so a finding on
 * one points at the newer rule's own line; subsets are paired by name, not by place.
 */
const mergedInto = (older: Resource, newer: Resource): Resource => {
  const [kept, added] = [spec(older), spec(newer)];
  const nameOf = (subset: unknown) => text(record(subset).name);
  const keptByName = new Map(list(kept.subsets).map((subset) => [nameOf(subset), subset]));
  const addedNames = new Set(list(added.subsets).map(nameOf));
  const subsets = [
    ...list(added.subsets).map((subset) => keptByName.get(nameOf(subset)) ?? subset),
    ...list(kept.subsets).filter((subset) => !addedNames.has(nameOf(subset))),
  ];
  const trafficPolicy = kept.trafficPolicy ?? added.trafficPolicy;
  return { ...older, body: { ...older.body, spec: { ...kept, subsets, ...(trafficPolicy === undefined ? {} : { trafficPolicy }) } } };
};

function judged(resourceChange: ResourceChange, out: Findings, context: DetectorContext): void {
  const counterparts = selectionCounterparts(resourceChange, context, selection);
  if (!counterparts) return;
  const stays = !resourceChange.base && counterparts.base !== undefined && context.head.resources.has(counterparts.base.key);
  const change = stays ? { ...counterparts, head: mergedInto(counterparts.base!, counterparts.head!) } : counterparts;
  const host = text(spec((change.head ?? change.base)!).host) ?? "";
  const tls = upstreamTls(isExternalHost(host, context.head) || isExternalHost(host, context.base), autoMtlsOn(context));
  const scopes = (resource: Resource | undefined) => policyScopes(resource?.body.spec, ["spec"], "trafficPolicy");
  const base = scopes(change.base);
  const head = scopes(change.head);
  if (resourceChange.base && !resourceChange.head && change.head) {
    comparePolicies(out, base, scopes(undefined), ENDPOINT_CHECKS);
    comparePolicies(out, mergedOver(base, head), head, [tls]);
    return;
  }
  comparePolicies(out, base, head, [...ENDPOINT_CHECKS, tls]);
  // A rule for a wildcard host serves hosts no route names as written: its subsets count as routed.
  const ruleHost = qualifiedHost((change.head ?? change.base)!);
  subsets(
    change,
    out,
    (subset) => ruleHost.startsWith("*") || (subset !== undefined && routedSubsets(context.head).has(`${ruleHost}|${subset}`)),
  );
}
