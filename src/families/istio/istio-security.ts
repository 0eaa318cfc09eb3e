import { displayName, mayShareCluster, type ManifestSet, type Resource } from "../../core/resource.js";
import { canonical, show, showLabels, sortedByCanonical, sortedSet } from "../../core/canonical-values.js";
import type { DetectionDraft, DetectionList } from "../../core/detection-list.js";
import type { DetectorContext } from "../../core/detector.js";
import type { ResourceChange } from "../../core/resource-change.js";
import { resourcesOfKind } from "../../core/resources-of-kind.js";
import { mayApplyTogether, placedTogether, selectionCounterparts, type Selection, type Together } from "./selection.js";
import { issuerChanges, keySource, type TrustedIssuer } from "../../core/jwt-trust.js";
import { rootNamespaceIn } from "./mesh-scope.js";
import { covers as coversRule } from "./authorization-rules.js";
import { ztunnelEffect, ztunnelReading } from "../../core/ztunnel-policy.js";
import { DRY_RUN, inDryRun } from "../../core/authorization-dry-run.js";
import { isRecord, list, record, spec, stringMap, text, texts } from "../../core/json-access.js";

/**
 * Istio security policies (research §1.3): PeerAuthentication decides whether plaintext is
 * accepted, AuthorizationPolicy who may call whom. Both inherit or combine across policies, so
 * their effect is judged against the rest of the tree, not the one document alone.
 */

const workloadLabels = (resource: Resource): Record<string, string> => stringMap(record(spec(resource).selector).matchLabels);

const isNamespaceWide = (resource: Resource): boolean =>
  Object.keys(workloadLabels(resource)).length === 0 &&
  list(spec(resource).targetRefs).length === 0 &&
  spec(resource).targetRef === undefined;

const scopeOf = (resource: Resource, root: string): string => {
  if (!isNamespaceWide(resource)) {
    const labels = workloadLabels(resource);
    // In the root namespace an AuthorizationPolicy's selector matches workloads of every namespace
    // (Istio's reference; a PeerAuthentication's there is ignored, which is not this).
    const where =
      resource.id.namespace === root && resource.id.kind === "AuthorizationPolicy"
        ? `every namespace (root namespace ${root})`
        : resource.id.namespace;
    return Object.keys(labels).length > 0 ? `workloads matching ${showLabels(labels)} in ${where}` : `its targetRefs in ${where}`;
  }
  return resource.id.namespace === root ? `mesh-wide (root namespace ${root})` : `namespace-wide in ${resource.id.namespace}`;
};

/** The Gateways or Services a policy names instead of selecting workloads by label (`targetRefs`, or the older single `targetRef`). */
const targetsOf = (resource: Resource): string[] => {
  const refs =
    spec(resource).targetRefs === undefined
      ? [spec(resource).targetRef].filter((ref) => ref !== undefined)
      : list(spec(resource).targetRefs);
  return sortedSet(refs.map((ref) => canonical(ref)));
};

/** Every label `inner` requires, `outer` requires alike: what `outer` selects, `inner` selects too. */
const requiresNoMore = (inner: Readonly<Record<string, string>>, outer: Readonly<Record<string, string>>): boolean =>
  Object.entries(inner).every(([key, value]) => outer[key] === value);

/**
 * How a policy kept by name moved what it selects (AuthorizationPolicy selector narrowing passed as
 * a low field change): whether workloads it selected may now fall outside it (`loses`), and others
 * fall in (`gains`). Labels are compared as requirements, since the tree does not say which
 * workloads carry which labels: a label added narrows, one dropped widens, one changed does both.
 */
interface SelectionMove {
  readonly loses: boolean;
  readonly gains: boolean;
  /** What it selected and selects, as the finding shows them. */
  readonly before: string;
  readonly after: string;
  readonly summary: string;
  readonly path: readonly string[];
}

function selectionMove(base: Resource, head: Resource): SelectionMove | undefined {
  const [labelsBefore, labelsAfter] = [workloadLabels(base), workloadLabels(head)];
  const [targetsBefore, targetsAfter] = [targetsOf(base), targetsOf(head)];
  const sameLabels = requiresNoMore(labelsBefore, labelsAfter) && requiresNoMore(labelsAfter, labelsBefore);
  if (sameLabels && targetsBefore.join("\n") === targetsAfter.join("\n")) return undefined;
  const shown = (resource: Resource) =>
    isNamespaceWide(resource)
      ? "the whole namespace"
      : targetsOf(resource).length > 0
        ? `targetRefs ${targetsOf(resource).join(", ")}`
        : `selector ${showLabels(workloadLabels(resource))}`;
  const [before, after] = [shown(base), shown(head)];
  const said = { before, after, summary: `${before} → ${after}` };
  const path = spec(head).selector !== undefined ? ["spec", "selector"] : targetsAfter.length > 0 ? ["spec", "targetRefs"] : ["spec"];
  if (targetsBefore.length === 0 && targetsAfter.length === 0)
    return { loses: !requiresNoMore(labelsAfter, labelsBefore), gains: !requiresNoMore(labelsBefore, labelsAfter), ...said, path };
  if (targetsBefore.length > 0 && targetsAfter.length > 0 && sameLabels)
    return {
      loses: targetsBefore.some((target) => !targetsAfter.includes(target)),
      gains: targetsAfter.some((target) => !targetsBefore.includes(target)),
      ...said,
      path,
    };
  return { loses: true, gains: true, ...said, path };
}

/** Two versions of one object, as two files may write it (its kind and group aside). */
const sameObject = (a: Resource, b: Resource): boolean =>
  a.id.name === b.id.name && a.id.namespace === b.id.namespace && a.cluster === b.cluster;

/**
 * The other policies of its kind that may apply where it does: not another file's version of the
 * same object, which replaces it rather than combining with it (istio-demos 80d7d60:
 * AuthorizationPolicy istio-system/authpolicy copied into a second folder read as an ALLOW policy
 * added beside itself), nor, by `together` (placedTogether unless told), one put elsewhere (of
 * another cluster; where placement does not say, another folder), whose istiod may never read it (a
 * staging namespace's ALLOW policy read as allow-listing prod's workloads, so prod's deny-all added
 * there passed as changing nothing; gke-2/'s STRICT PeerAuthentication read as holding gke-1's
 * workloads once gke-1's was removed). `self` is of tree `selfIn`.
 */
const othersOfKind = (
  tree: ManifestSet,
  self: Resource,
  selfIn: ManifestSet,
  context: DetectorContext,
  together: Together = placedTogether,
): Resource[] =>
  resourcesOfKind(tree, self.id.kind).filter(
    (candidate) =>
      candidate.id.group === self.id.group &&
      candidate.key !== self.key &&
      !sameObject(candidate, self) &&
      mayShareCluster(candidate, self) &&
      together(context, self, selfIn, candidate, tree),
  );

// ---------------------------------------------------------------------------------------------
// PeerAuthentication

const MTLS_STRENGTH: Readonly<Record<string, number>> = { DISABLE: 0, PERMISSIVE: 1, STRICT: 2 };

const ownMode = (resource: Resource | undefined): string | undefined => {
  const mode = text(record(spec(resource).mtls).mode);
  return mode === undefined || mode === "UNSET" ? undefined : mode;
};

interface Inherited {
  readonly mode: string;
  readonly from: string;
}

/**
 * The mode workloads have: the one in force counting only the policies put with theirs (`sure`), and
 * the strongest and weakest that policies which may apply there leave them (mayApplyTogether). A
 * weakening is judged from the strongest they may have had to the weakest they may have now (a
 * PERMISSIVE policy added in apps/shop/ under istio-system/'s mesh-wide STRICT); STRICT refusing
 * callers, from what surely held.
 */
interface Held {
  readonly sure: Inherited;
  readonly strongest: Inherited;
  readonly weakest: Inherited;
}

const strength = (mode: string): number => MTLS_STRENGTH[mode] ?? 0;

/** A mode a policy sets itself: nothing else decides it. */
const setMode = (mode: string): Held => {
  const own = { mode, from: "its own mtls.mode" };
  return { sure: own, strongest: own, weakest: own };
};

const ISTIO_DEFAULT: Inherited = { mode: "PERMISSIVE", from: "Istio's default" };

/**
 * What a policy (of tree `selfIn`) inherits in `tree`: the namespace policy for a workload policy,
 * else the mesh policy, else PERMISSIVE. A level counts the policies that may apply there, and the
 * next level counts only where none of them surely does.
 */
const inheritedMode = (tree: ManifestSet, self: Resource, selfIn: ManifestSet, root: string, context: DetectorContext): Held => {
  const parents = othersOfKind(tree, self, selfIn, context, mayApplyTogether)
    .filter((parent) => isNamespaceWide(parent) && ownMode(parent) !== undefined)
    .map((parent) => ({ parent, sure: placedTogether(context, self, selfIn, parent, tree) }));
  // Another file's version of a parent put with it is not applied there beside it: that one is
  // (anthos-service-mesh-samples 57e68f26e3: the docs' PERMISSIVE istio-system/default read as
  // what a lab's workloads may fall back to, beside the lab's own STRICT one).
  const applying = parents.filter(({ parent, sure }) => sure || !parents.some((other) => other.sure && sameObject(other.parent, parent)));
  const level = (namespace: string, what: string) =>
    applying
      .filter(({ parent }) => parent.id.namespace === namespace)
      .map(({ parent, sure }) => ({ inherited: { mode: ownMode(parent) as string, from: `${what} ${parent.id.name}` }, sure }));
  const mesh = self.id.namespace === root && isNamespaceWide(self) ? [] : level(root, "mesh policy");
  const namespace = isNamespaceWide(self) ? [] : level(self.id.namespace, "namespace policy");
  const fallback = [...mesh, ...(mesh.some((candidate) => candidate.sure) ? [] : [{ inherited: ISTIO_DEFAULT, sure: true }])];
  const candidates = [...namespace, ...(namespace.some((candidate) => candidate.sure) ? [] : fallback)];
  const sure = candidates.find((candidate) => candidate.sure)!.inherited;
  const pick = (better: (a: string, b: string) => boolean) =>
    candidates.reduce((best, { inherited }) => (better(inherited.mode, best.mode) ? inherited : best), sure);
  return {
    sure,
    strongest: pick((a, b) => strength(a) > strength(b)),
    weakest: pick((a, b) => strength(a) < strength(b)),
  };
};

/** A PeerAuthentication selects workloads of its namespace by labels (none: the whole namespace). */
const selection: Selection = (resource) => canonical([resource.id.namespace, workloadLabels(resource)]);

/** What workloads (`whom`) left with `mode` now do with plaintext. */
const modeEffect = (mode: string, whom: string): string =>
  mode === "DISABLE"
    ? "mTLS is off, traffic is plaintext"
    : mode === "STRICT"
      ? `plaintext callers are refused: clients outside the mesh (no sidecar, or no ztunnel in ambient mode) stop reaching ${whom}`
      : "plaintext is accepted";

/**
 * How moving workloads from `was` to `now` is reported, if at all, with the modes it is judged
 * between. A weaker mode accepts plaintext that was refused. STRICT where plaintext was accepted
 * refuses every caller outside the mesh (a workload not yet injected, an ingress controller or a job
 * outside it): the classic mTLS migration outage, medium, and medium-high mesh-wide, where it
 * reaches every namespace at once. In ambient mode STRICT refuses the same callers (ztunnel ignores
 * DISABLE, not STRICT). DISABLE → PERMISSIVE only accepts more.
 */
const modeShift = (
  was: Held,
  now: Held,
  meshWide: boolean,
): { readonly judged: Pick<DetectionDraft, "class" | "riskFloor">; readonly was: Inherited; readonly now: Inherited } | undefined =>
  strength(now.weakest.mode) < strength(was.strongest.mode)
    ? { judged: { class: "mtls.weakened" }, was: was.strongest, now: now.weakest }
    : now.sure.mode === "STRICT" && was.sure.mode !== "STRICT"
      ? { judged: { class: "resource.changed", riskFloor: meshWide ? "medium-high" : "medium" }, was: was.sure, now: now.sure }
      : undefined;

/**
 * Judged by what it selects (DESIGN §4): an added policy is compared with the one that selected the
 * same workloads before it (a rename or a move is no change) — unless that one stays, older, and so
 * still applies — a removed one with the one that still selects them; only when none does do its
 * workloads fall back to what they inherit.
 */
const peerAuthentication = (resourceChange: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  const change = selectionCounterparts(resourceChange, context, selection);
  const subject = change && (change.head ?? change.base);
  if (!change || !subject) return;
  // Of two policies of one scope istiod applies the oldest (pilot's policy_applier): one added
  // beside a policy that selects the same workloads and stays changes nothing while that one does.
  // Another version of the same object (here only where placement applies the two to different
  // clusters: diff/resource-diff.ts) is no older policy beside it that istiod would keep: it is
  // judged against it rather than passed as ignored.
  if (!resourceChange.base && change.base && !sameObject(change.base, subject) && context.head.resources.has(change.base.key)) {
    out.add({
      class: "resource.changed",
      summary: `added beside ${displayName(change.base.id)}, which selects the same workloads and stays: istiod applies the older of the two, so this one takes effect only once that one is gone`,
      side: "head",
      path: ["spec"],
      after: ownMode(subject) ?? null,
    });
    return;
  }
  const before = ownMode(change.base);
  const after = ownMode(change.head);
  const baseRoot = rootNamespaceIn(context.base, context);
  const headRoot = rootNamespaceIn(context.head, context);
  const was =
    before === undefined
      ? inheritedMode(context.base, change.base ?? subject, change.base ? context.base : context.head, baseRoot, context)
      : setMode(before);
  const now =
    after === undefined
      ? inheritedMode(context.head, change.head ?? subject, change.head ? context.head : context.base, headRoot, context)
      : setMode(after);
  const root = change.head ? headRoot : baseRoot;
  const scope = scopeOf(subject, root);
  const meshWide = isNamespaceWide(subject) && subject.id.namespace === root;
  const whom = meshWide ? "any workload of the mesh" : isNamespaceWide(subject) ? `the workloads of ${subject.id.namespace}` : "them";
  const shift = before !== after || !change.base || !change.head ? modeShift(was, now, meshWide) : undefined;
  // A version removed beside another version of the same object that the base already wrote is one
  // of two alternatives applied one at a time (examples' folders): the one kept refuses no caller it
  // did not refuse before. A weakening is still reported there, as the one kept may be what is applied.
  const alternativeKept = !resourceChange.head && change.head !== undefined && sameObject(change.head, subject);
  if (shift && !(alternativeKept && shift.judged.class !== "mtls.weakened")) {
    const inherits = after === undefined ? ` (inherits ${shift.now.mode} from ${shift.now.from})` : "";
    out.add({
      ...shift.judged,
      summary: !resourceChange.head
        ? `removed (was ${shift.was.mode}, ${scope}): its workloads ${change.head ? `keep ${displayName(change.head.id)} with ${shift.now.mode}` : `inherit ${shift.now.mode} from ${shift.now.from}`}, so ${modeEffect(shift.now.mode, whom)}`
        : change.base
          ? `mtls.mode ${show(before ?? "UNSET")} → ${show(after ?? "UNSET")}${inherits}, ${scope}: ${modeEffect(shift.now.mode, whom)}`
          : `added with mtls.mode ${show(after ?? "UNSET")}${inherits}, ${scope}: its workloads had ${shift.was.mode}${before === undefined ? ` from ${shift.was.from}` : ""}, so ${modeEffect(shift.now.mode, whom)}`,
      side: resourceChange.head ? "head" : "base",
      path: ["spec", "mtls", "mode"],
      before: shift.was.mode,
      after: shift.now.mode,
    });
  }
  if (!change.base && change.head) {
    // A port of its own set apart from what its workloads inherited: weaker, that port accepts what the rest refuses; STRICT, it refuses what they accepted.
    for (const [port, entry] of Object.entries(record(spec(change.head).portLevelMtls))) {
      const mode = text(record(entry).mode);
      const portShift = mode === undefined || mode === "UNSET" ? undefined : modeShift(was, setMode(mode), false);
      if (!mode || !portShift) continue;
      out.add({
        ...portShift.judged,
        summary: `added with portLevelMtls ${port} ${mode} (its workloads had ${portShift.was.mode}), ${scope}: on port ${port} ${modeEffect(mode, "that port")}`,
        side: "head",
        path: ["spec", "portLevelMtls", port, "mode"],
        before: portShift.was.mode,
        after: mode,
      });
    }
  }
  if (!change.base || !change.head) return;
  const move = selectionMove(change.base, change.head);
  // Workloads it no longer selects fall back to what they inherit; those it now selects leave what they inherited.
  const fallback = move?.loses ? inheritedMode(context.head, change.base, context.base, headRoot, context) : undefined;
  const fallbackShift = fallback && modeShift(was, fallback, false);
  if (move && fallbackShift) {
    out.add({
      ...fallbackShift.judged,
      summary: `${move.summary}: workloads it selected and no longer does fall back to ${fallbackShift.now.mode} from ${fallbackShift.now.from}, so ${modeEffect(fallbackShift.now.mode, "them")}`,
      side: "head",
      path: move.path,
      before: fallbackShift.was.mode,
      after: fallbackShift.now.mode,
    });
  }
  const left = move?.gains ? inheritedMode(context.base, change.head, context.head, baseRoot, context) : undefined;
  const leftShift = left && modeShift(left, now, false);
  if (move && leftShift) {
    out.add({
      ...leftShift.judged,
      summary: `${move.summary}: workloads it now selects had ${leftShift.was.mode} from ${leftShift.was.from} and now ${leftShift.now.mode}, so ${modeEffect(leftShift.now.mode, "them")}`,
      side: "head",
      path: move.path,
      before: leftShift.was.mode,
      after: leftShift.now.mode,
    });
  }
  const ports = (resource: Resource) => record(spec(resource).portLevelMtls);
  const portsBefore = ports(change.base);
  const portsAfter = ports(change.head);
  for (const port of sortedSet([...Object.keys(portsBefore), ...Object.keys(portsAfter)])) {
    const portMode = (entry: unknown) => {
      const mode = text(record(entry).mode);
      return mode === undefined || mode === "UNSET" ? undefined : mode;
    };
    const ownBefore = portMode(portsBefore[port]);
    const ownAfter = portMode(portsAfter[port]);
    if (ownBefore === ownAfter) continue;
    const portShift = modeShift(ownBefore ? setMode(ownBefore) : was, ownAfter ? setMode(ownAfter) : now, false);
    if (!portShift) continue;
    out.add({
      ...portShift.judged,
      summary: `portLevelMtls ${port} ${show(ownBefore ?? "UNSET")} → ${show(ownAfter ?? "UNSET")}${ownAfter === undefined ? ` (inherits ${portShift.now.mode})` : ""}, ${scope}: on port ${port} ${modeEffect(portShift.now.mode, "that port")}`,
      side: "head",
      path: ["spec", "portLevelMtls", port, "mode"],
      before: portShift.was.mode,
      after: portShift.now.mode,
    });
  }
};

// ---------------------------------------------------------------------------------------------
// AuthorizationPolicy

const actionOf = (resource: Resource): string => text(spec(resource).action) ?? "ALLOW";

/** Rules with their lists in one order, so reordering is no change and a rule's identity is its content. */
const normalRule = (value: unknown): unknown => {
  if (Array.isArray(value)) {
    const items = value.map(normalRule);
    return items.every((item) => typeof item === "string") ? sortedSet(items as string[]) : sortedByCanonical(items);
  }
  if (!isRecord(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, normalRule(value[key])]),
  );
};

const rulesOf = (resource: Resource): { canonical: string; rule: unknown; index: number }[] =>
  list(spec(resource).rules).map((rule, index) => ({ canonical: canonical(normalRule(rule)), rule: normalRule(rule), index }));

/** An empty rule `{}` matches every request: an ALLOW policy holding one allow-lists nothing away. */
const allowsEveryRequest = (resource: Resource): boolean =>
  rulesOf(resource).some(({ rule }) => isRecord(rule) && Object.keys(rule).length === 0);

const WILDCARD_SOURCES = ["principals", "namespaces", "requestPrincipals", "ipBlocks", "remoteIpBlocks"];

const describeAllowRule = (rule: unknown): string => {
  if (isRecord(rule) && Object.keys(rule).length === 0) return "an empty rule {}: the policy now allows every request";
  const wildcards = list(record(rule).from).flatMap((from) => {
    const source = record(record(from).source);
    return WILDCARD_SOURCES.filter((field) => list(source[field]).includes("*"));
  });
  if (wildcards.length > 0) return `a rule allowing any ${sortedSet(wildcards).join(", any ")} ("*"): ${show(rule)}`;
  return `an added or changed rule ${show(rule)}`;
};

/**
 * The other ALLOW policies that allow-list every workload `self` selects (`covering`), or, with
 * `overlapping`, any of them: a namespace-wide policy overlaps one selecting some of its namespace's
 * workloads, as a selector of fewer labels overlaps one of more. ALLOW policies combine (a request
 * passes when any allows it) only where both are enforced: not one in dry-run mode (it allow-lists
 * nothing), and, for one attached by `targetRefs` (a waypoint, a gateway), only another attached
 * to those targets covers it: a namespace-wide or selector policy is not applied at a waypoint
 * (Istio applies only targetRefs policies there; a waypoint's `spec: {}` deny-all beside the
 * namespace's L4 ALLOW for ztunnel read as covered, so removing it passed as nothing). Covering
 * makes a change harmless, so it counts only policies put with `self` (placedTogether); overlapping
 * makes one worse (ALLOW policies combine, so a rule added widens theirs), so it counts any that may
 * apply with it (mayApplyTogether: a policy kustomize moves into shop beside shop/'s own).
 */
const otherAllowPolicies = (
  tree: ManifestSet,
  self: Resource,
  selfIn: ManifestSet,
  root: string,
  context: DetectorContext,
  overlapping = false,
): Resource[] => {
  const meshWide = self.id.namespace === root && isNamespaceWide(self);
  const attached = targetsOf(self);
  return othersOfKind(tree, self, selfIn, context, overlapping ? mayApplyTogether : placedTogether).filter((other) => {
    if (actionOf(other) !== "ALLOW" || inDryRun(other)) return false;
    if (attached.length > 0 && !overlapping)
      return other.id.namespace === self.id.namespace && attached.every((target) => targetsOf(other).includes(target));
    if (other.id.namespace === root && isNamespaceWide(other)) return true;
    if (overlapping && meshWide) return true;
    if (other.id.namespace !== self.id.namespace) {
      // A root-namespace selector matches workloads of every namespace: it meets another
      // namespace's policy where their selectors meet, never through a namespace-wide one.
      if ((other.id.namespace !== root && self.id.namespace !== root) || isNamespaceWide(other) || isNamespaceWide(self)) return false;
      const [mine, theirs] = [workloadLabels(self), workloadLabels(other)];
      return canonical(mine) === canonical(theirs) || (overlapping && labelsNested(mine, theirs));
    }
    if (isNamespaceWide(other) || (overlapping && isNamespaceWide(self))) return true;
    const theirs = targetsOf(other);
    if (canonical(workloadLabels(other)) === canonical(workloadLabels(self)) && theirs.join("\n") === attached.join("\n")) return true;
    return overlapping && (labelsNested(workloadLabels(self), workloadLabels(other)) || theirs.some((target) => attached.includes(target)));
  });
};

/** The policies' names, each once: one policy written in several files (an overlay each) is one name. */
const policyNames = (policies: readonly Resource[]): string => sortedSet(policies.map((policy) => policy.id.name)).join(", ");

/** Whether one selector's labels are all in the other's: every workload the larger selects, the smaller selects too. */
const labelsNested = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean => {
  const within = (small: Readonly<Record<string, string>>, large: Readonly<Record<string, string>>) =>
    Object.keys(small).length > 0 && Object.entries(small).every(([key, value]) => large[key] === value);
  return within(a, b) || within(b, a);
};

const ACTION_CHANGE_EFFECT: Readonly<Record<string, string>> = {
  DENY: "requests its rules denied are no longer denied",
  CUSTOM: "the external authorizer no longer decides these requests",
  ALLOW: "it no longer allow-lists: requests outside its rules may be allowed",
};

/**
 * How a policy starts or stops being enforced, as a finding opens: added or removed, or taken out of
 * or put in dry-run mode (core/authorization-dry-run.ts), which enforces nothing.
 */
const ADDED = "added";
const REMOVED = "removed";
const ENFORCED = `out of dry-run (${DRY_RUN}), so now enforced:`;
const UNENFORCED = `put in dry-run (${DRY_RUN}), so no longer enforced:`;

/** The opening of a finding on a policy that starts being enforced: `added:`, or how it left dry-run mode. */
const arrival = (arrived: string): string => (arrived === ADDED ? "added:" : arrived);

const removedPolicy = (base: Resource, out: DetectionList, context: DetectorContext, gone = REMOVED): void => {
  const action = actionOf(base);
  const scope = scopeOf(base, rootNamespaceIn(context.base, context));
  if (action === "DENY" || action === "CUSTOM") {
    out.add({
      class: "access.widened",
      summary: `${gone} ${action} policy (${scope}): ${ACTION_CHANGE_EFFECT[action]}`,
      side: "base",
      path: ["spec"],
      before: { action },
    });
    return;
  }
  if (action !== "ALLOW") return;
  const others = otherAllowPolicies(context.head, base, context.base, rootNamespaceIn(context.head, context), context);
  const before = { action, rules: rulesOf(base).map((rule) => rule.rule) };
  if (others.length === 0) {
    // One without rules denied every request there, so these workloads go from denied to open.
    const denied = rulesOf(base).length === 0 ? "it allowed nothing, so every request was denied; " : "";
    out.add({
      class: "access.widened",
      summary: `${gone} ALLOW policy (${scope}): ${denied}no other ALLOW policy for these workloads remains in this repository, and workloads without any ALLOW policy accept every request that is not denied`,
      side: "base",
      path: ["spec"],
      before,
    });
  } else
    out.add({
      class: "resource.changed",
      ...stillAllowListed(base, others, `${gone} ALLOW policy (${scope})`, "these workloads"),
      side: "base",
      path: ["spec"],
      before,
    });
};

/**
 * An ALLOW policy's allow-list gone from workloads other ALLOW policies still allow-list: requests
 * only it allowed are denied now (an outage risk, medium). One without rules allowed nothing (Istio's
 * allow-nothing), so nothing more is denied: anthos-service-mesh-samples 696e89a834 dropped a
 * namespace's `deny-all` (`spec: {}`) beside the mesh-wide one, which denies all the same.
 */
const stillAllowListed = (
  policy: Resource,
  others: readonly Resource[],
  what: string,
  workloads: string,
): { readonly summary: string; readonly riskFloor?: "medium" } =>
  rulesOf(policy).length === 0
    ? {
        summary: `${what}: it allowed nothing (an ALLOW policy without rules), and ${policyNames(others)} still allow-list ${workloads}: what they accept is unchanged`,
      }
    : {
        summary: `${what}: ${policyNames(others)} still allow-list ${workloads}, so requests only this policy allowed are now denied for them`,
        riskFloor: "medium",
      };

/**
 * What makes a policy deny every request in its scope: ALLOW without rules matches nothing (Istio's
 * "allow-nothing"), and a request no ALLOW policy matches is denied; DENY with an empty rule
 * matches everything. Undefined when it does not.
 */
const deniesAll = (resource: Resource): string | undefined => {
  const action = actionOf(resource);
  const rules = rulesOf(resource);
  if (action === "ALLOW" && rules.length === 0) return "an ALLOW policy without rules allows nothing";
  if (action === "DENY" && rules.some(({ rule }) => isRecord(rule) && Object.keys(rule).length === 0))
    return "a DENY policy with an empty rule {} matches every request";
  return undefined;
};

/**
 * A policy that now denies every request in its scope: an outage of everything in it (acm e476489
 * adds one mesh-wide). An ALLOW one over workloads other ALLOW policies still allow-list denies only
 * what it alone allowed (ALLOW policies combine): nothing when added (a namespace's `deny-all` beside
 * the mesh-wide one), its own rules' requests when they are dropped.
 */
const denyingAll = (
  change: ResourceChange & { readonly head: Resource },
  out: DetectionList,
  scope: string,
  context: DetectorContext,
  arrived: string,
): boolean => {
  const why = deniesAll(change.head);
  if (why === undefined || (change.base && deniesAll(change.base) !== undefined)) return false;
  const after = { action: actionOf(change.head), rules: rulesOf(change.head).map((rule) => rule.rule) };
  const allowList = after.action === "ALLOW" && (!change.base || actionOf(change.base) === "ALLOW");
  const others = allowList
    ? otherAllowPolicies(context.head, change.head, context.head, rootNamespaceIn(context.head, context), context)
    : [];
  if (others.length > 0) {
    if (change.base)
      out.add({
        class: "resource.changed",
        ...stillAllowListed(change.base, others, `now allows nothing (${scope})`, "these workloads"),
        side: "head",
        path: ["spec"],
        after,
      });
    return true;
  }
  out.add({
    class: "resource.changed",
    summary: `${change.base ? "now" : arrival(arrived)} denies every request (${scope}): ${why}`,
    side: "head",
    path: ["spec"],
    after,
    riskFloor: "high",
  });
  return true;
};

/**
 * A policy ztunnel now enforces with rules that match HTTP attributes (core/ztunnel-policy.ts):
 * an ALLOW rule of that kind never matches, a DENY rule is enforced on what else it matches, or not
 * at all. A sidecar-era ALLOW policy with `methods: [GET]` refuses every caller once its namespace
 * is in ambient mode; a DENY on `paths: [/admin*]` denies nothing there.
 */
const readByZtunnel = (
  change: ResourceChange & { readonly head: Resource },
  out: DetectionList,
  scope: string,
  context: DetectorContext,
  arrived: string,
): boolean => {
  const reading = ztunnelReading(change.head, context.head, rootNamespaceIn(context.head, context));
  if (!reading) return false;
  const earlier = change.base && ztunnelReading(change.base, context.base, rootNamespaceIn(context.base, context));
  if (earlier && canonical(earlier) === canonical(reading)) return false;
  const widened = reading.unenforced > 0;
  out.add({
    class: widened ? "access.widened" : "resource.changed",
    summary: `${change.base ? "now" : arrival(arrived)} enforced by ztunnel (${scope}: namespace ${change.head.id.namespace} is in ambient mode, and no targetRefs attach the policy to a waypoint), which cannot evaluate ${reading.attributes.join(", ")}: ${ztunnelEffect(reading)}`,
    side: "head",
    path: ["spec", "rules"],
    after: reading.attributes,
    ...(widened ? {} : { riskFloor: "high" as const }),
  });
  return true;
};

/**
 * A kept policy that selects other workloads: those it no longer selects lose what it did for them
 * (a DENY's denial; an ALLOW's allow-list, so with no other ALLOW policy they accept every request),
 * and those it now selects gain it (denied, or allow-listed: an outage risk, medium).
 */
function selectionMoved(base: Resource, head: Resource, move: SelectionMove, out: DetectionList, context: DetectorContext): void {
  const action = actionOf(head);
  const headRoot = rootNamespaceIn(context.head, context);
  const at = { side: "head" as const, path: move.path, before: move.before, after: move.after };
  if (action === "DENY" || action === "CUSTOM") {
    if (move.loses)
      out.add({
        class: "access.widened",
        summary: `${action} policy ${move.summary}: for the workloads it selected and no longer does, ${ACTION_CHANGE_EFFECT[action]}`,
        ...at,
      });
    if (move.gains)
      out.add({
        class: "resource.changed",
        summary: `${action} policy ${move.summary}: the workloads it now selects are ${action === "DENY" ? "denied what its rules match" : "decided by the external authorizer"}`,
        ...at,
        riskFloor: "medium",
      });
    return;
  }
  if (action !== "ALLOW") return;
  if (move.loses && !allowsEveryRequest(base)) {
    const others = otherAllowPolicies(context.head, base, context.base, headRoot, context);
    out.add(
      others.length === 0
        ? {
            class: "access.widened",
            summary: `ALLOW policy ${move.summary}: the workloads it selected and no longer does have no other ALLOW policy in this repository, and workloads without any ALLOW policy accept every request that is not denied`,
            ...at,
          }
        : {
            class: "resource.changed",
            ...at,
            ...stillAllowListed(base, others, `ALLOW policy ${move.summary}`, "the workloads it no longer selects"),
          },
    );
  }
  if (!move.gains) return;
  if (rulesOf(head).length === 0) {
    // Allow-nothing adds nothing where other ALLOW policies still allow-list every workload it now
    // selects; elsewhere it refuses every request, an outage as denyingAll rates one.
    if (otherAllowPolicies(context.head, head, context.head, headRoot, context).length === 0)
      out.add({
        class: "resource.changed",
        summary: `ALLOW policy ${move.summary}: it allows nothing, so every request to the workloads it now selects is denied unless another ALLOW policy allows it`,
        ...at,
        riskFloor: "high",
      });
    return;
  }
  // Workloads it now selects that other ALLOW policies allow-listed at base: ALLOW policies combine,
  // so they now also admit its rules (one added in this PR allow-listed nothing there: see addedAllowPolicy).
  const beside = otherAllowPolicies(context.base, head, context.head, rootNamespaceIn(context.base, context), context, true).filter(
    (other) => other.key !== head.key && other.key !== base.key,
  );
  if (beside.length > 0)
    out.add({
      class: "access.widened",
      summary: `ALLOW policy ${move.summary}: workloads it now selects are allow-listed by ${policyNames(beside)} too, and ALLOW policies combine, so they now also admit ${rulesOf(
        head,
      )
        .map((rule) => describeAllowRule(rule.rule))
        .join("; ")}`,
      ...at,
    });
  else if (!allowsEveryRequest(head))
    out.add({
      class: "resource.changed",
      summary: `ALLOW policy ${move.summary}: the workloads it now selects are allow-listed by it, so requests its rules do not match are denied for them unless another ALLOW policy allows them`,
      ...at,
      riskFloor: "medium",
    });
}

/**
 * An ALLOW policy added. Against the base: where no ALLOW policy allow-listed its workloads there,
 * they accepted every request, and it narrows them to an allow-list, with any others added beside it
 * (istio-tutorial 5faa8a04: deny-all and customer-viewer added together read as customer-viewer
 * widening deny-all's allow-list, which the base never had); where one did, ALLOW policies combine,
 * so it widens theirs (a namespace-wide one beside a workload's own).
 */
function addedAllowPolicy(head: Resource, out: DetectionList, scope: string, context: DetectorContext, arrived: string): void {
  const baseRoot = rootNamespaceIn(context.base, context);
  const covering = otherAllowPolicies(context.base, head, context.head, baseRoot, context);
  const others = otherAllowPolicies(context.base, head, context.head, baseRoot, context, true);
  const after = { action: "ALLOW", rules: rulesOf(head).map((rule) => rule.rule) };
  if (covering.length === 0 && !allowsEveryRequest(head)) {
    const [whose, forThem] = others.length === 0 ? ["these workloads", ""] : ["the workloads no other ALLOW policy selects", " for them"];
    const alongside = otherAllowPolicies(context.head, head, context.head, rootNamespaceIn(context.head, context), context, true).filter(
      (other) => !context.base.resources.has(other.key),
    );
    const together = alongside.length === 0 ? "its rules do not" : "none of their rules";
    out.add({
      class: "resource.changed",
      summary: `${arrived} ALLOW policy (${scope}), the first for ${whose} in this repository${alongside.length === 0 ? "" : `, with ${policyNames(alongside)} added beside it`}: requests ${together} match are now denied${forThem}`,
      side: "head",
      path: ["spec"],
      after,
      riskFloor: "medium",
    });
  }
  if (others.length > 0)
    out.add({
      class: "access.widened",
      summary: `${arrived} ALLOW policy (${scope}) beside ${policyNames(others)}: ALLOW policies combine, so it admits ${
        rulesOf(head)
          .map((rule) => describeAllowRule(rule.rule))
          .join("; ") || "nothing more"
      }`,
      side: "head",
      path: ["spec"],
      after,
    });
}

/**
 * Judged by what is enforced on each side: a policy in dry-run mode enforces nothing, so one put in
 * dry-run is judged as removed and one taken out of it as added (a deny-all added beside an ALLOW
 * policy in dry-run denies every request: that one allow-lists nothing).
 */
const authorizationPolicy = (written: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  const enforced = (resource: Resource | undefined) => (resource && !inDryRun(resource) ? resource : undefined);
  const [base, head] = [enforced(written.base), enforced(written.head)];
  if (base && !head) {
    removedPolicy(base, out, context, written.head ? UNENFORCED : REMOVED);
    return;
  }
  if (!head) return;
  const change: ResourceChange = base ? { ...written, base, head } : { key: written.key, head };
  const arrived = written.base ? ENFORCED : ADDED;
  const after = actionOf(head);
  const headRoot = rootNamespaceIn(context.head, context);
  const scope = scopeOf(head, headRoot);
  if (denyingAll({ ...change, head }, out, scope, context, arrived) || readByZtunnel({ ...change, head }, out, scope, context, arrived))
    return;
  if (!change.base) {
    if (after === "ALLOW") addedAllowPolicy(head, out, scope, context, arrived);
    return;
  }
  const before = actionOf(change.base);
  if (before !== after && before !== "AUDIT") {
    out.add({
      class: "access.widened",
      summary: `action ${before} → ${after} (${scope}): ${ACTION_CHANGE_EFFECT[before] ?? "the policy's meaning changes"}`,
      side: "head",
      path: ["spec", "action"],
      before,
      after,
    });
    return;
  }
  const provider = (resource: Resource) => text(record(spec(resource).provider).name);
  if (after === "CUSTOM" && provider(change.base) !== provider(head))
    out.add({
      class: "trust.changed",
      summary: `CUSTOM policy (${scope}) now asks extension provider ${show(provider(head))} (was ${show(provider(change.base))}): whatever it answers decides access to what its rules match`,
      side: "head",
      path: ["spec", "provider", "name"],
      before: provider(change.base),
      after: provider(head),
    });
  const move = selectionMove(change.base, head);
  if (move) selectionMoved(change.base, head, move, out, context);
  const rulesBefore = rulesOf(change.base);
  const rulesAfter = rulesOf(head);
  const had = new Set(rulesBefore.map((rule) => rule.canonical));
  const has = new Set(rulesAfter.map((rule) => rule.canonical));
  if (after === "ALLOW") {
    // A rule edited to match less (a principal or method fewer, a condition added) admits nothing new.
    const gained = rulesAfter.filter(
      (candidate) => !had.has(candidate.canonical) && !rulesBefore.some((rule) => coversRule(rule.rule, candidate.rule)),
    );
    for (const rule of gained) {
      out.add({
        class: "access.widened",
        summary: `ALLOW policy (${scope}) gains ${describeAllowRule(rule.rule)}`,
        side: "head",
        path: ["spec", "rules", rule.index],
        after: rule.rule,
      });
    }
  } else if (after === "DENY" || after === "CUSTOM") {
    // A rule edited to match more (a path added, an exemption dropped) still denies what it denied.
    const dropped = rulesBefore.filter(
      (candidate) => !has.has(candidate.canonical) && !rulesAfter.some((rule) => coversRule(rule.rule, candidate.rule)),
    );
    if (dropped.length > 0) {
      out.add({
        class: "access.widened",
        summary: `${after} policy (${scope}) loses ${dropped.length === 1 ? "a rule" : `${dropped.length} rules`} ${dropped.map((rule) => show(rule.rule)).join(", ")}: ${ACTION_CHANGE_EFFECT[after]} for what they matched`,
        side: "head",
        path: ["spec", "rules"],
        before: dropped.map((rule) => rule.rule),
      });
    }
  }
};

// ---------------------------------------------------------------------------------------------
// RequestAuthentication

const trustedIssuers = (resource: Resource | undefined): TrustedIssuer[] =>
  list(spec(resource).jwtRules).flatMap((value, index) => {
    const rule = record(value);
    const issuer = text(rule.issuer);
    if (issuer === undefined) return [];
    return [
      {
        issuer,
        ...keySource(issuer, text(rule.jwksUri), text(rule.jwks)),
        audiences: sortedSet(texts(rule.audiences)),
        path: ["spec", "jwtRules", index],
      },
    ];
  });

const authnSelection: Selection = (resource) => canonical([resource.id.namespace, workloadLabels(resource), targetsOf(resource)]);

/**
 * The RequestAuthentications whose rules combine on the workloads `self` selects: those selecting
 * the same, and the namespace-wide ones of its namespace and of the mesh's root namespace, in the
 * same cluster. (Other selectors may overlap; the tree does not say which workloads carry which labels.)
 */
function combinedWith(
  tree: ManifestSet,
  self: Resource,
  selfIn: ManifestSet,
  root: string,
  context: DetectorContext,
  together: Together = placedTogether,
): Resource[] {
  const selected = authnSelection(self);
  return [...tree.resources.values()].filter(
    (other) =>
      other.id.group === self.id.group &&
      other.id.kind === self.id.kind &&
      (authnSelection(other) === selected || (isNamespaceWide(other) && [self.id.namespace, root].includes(other.id.namespace))) &&
      together(context, self, selfIn, other, tree),
  );
}

/**
 * Judged by the issuers its workloads honour, across the policies that combine there (Istio merges
 * every RequestAuthentication that selects a workload): a rename, or a rule moved to a sibling
 * policy, trusts nothing new.
 */
const requestAuthentication = (resourceChange: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  const change = selectionCounterparts(resourceChange, context, authnSelection);
  const subject = change && (change.head ?? change.base);
  if (!change || !subject) return;
  const baseRoot = rootNamespaceIn(context.base, context);
  const headRoot = rootNamespaceIn(context.head, context);
  const subjectIn = change.base ? context.base : context.head;
  const before = combinedWith(context.base, subject, subjectIn, baseRoot, context).flatMap(trustedIssuers);
  // An issuer honoured before makes trusting it no news only where that policy surely combines with
  // this one; tokens validated there at all by a policy that may (mayApplyTogether) make a new issuer
  // a new trust anchor rather than a first requirement.
  const mayHaveValidated = combinedWith(context.base, subject, subjectIn, baseRoot, context, mayApplyTogether).some(
    (other) => trustedIssuers(other).length > 0,
  );
  const stillTrusted = new Set(
    change.base
      ? combinedWith(context.head, change.base, context.base, headRoot, context).flatMap((other) =>
          trustedIssuers(other).map((rule) => rule.issuer),
        )
      : [],
  );
  const dropped = trustedIssuers(change.base).filter((rule) => !stillTrusted.has(rule.issuer));
  const drafts = issuerChanges(before, trustedIssuers(change.head), dropped, {
    scope: scopeOf(subject, change.head ? headRoot : baseRoot),
    formerScope: scopeOf(change.base ?? subject, baseRoot),
    validatedBefore: mayHaveValidated,
  });
  for (const draft of drafts) out.add(draft);
};

export const istioSecurityChecks = {
  PeerAuthentication: peerAuthentication,
  AuthorizationPolicy: authorizationPolicy,
  RequestAuthentication: requestAuthentication,
} as const satisfies Readonly<Record<string, (change: ResourceChange, out: DetectionList, context: DetectorContext) => void>>;
