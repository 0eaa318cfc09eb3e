import { declares } from "../core/declared-identities.js";
import { equalData } from "../core/canonical-values.js";
import type { Detection } from "../core/finding.js";
import { targetName, type PolicyTarget } from "../core/policy-targets.js";
import { displayName, resourceKey, type ManifestSet, type Resource } from "../core/resource.js";
import type { Flow, TrafficModel } from "../core/traffic-model.js";
import { hostsOverlap } from "../core/host-match.js";
import type { ResourceChange } from "../core/resource-change.js";
import { byFamilyKind } from "../families/index.js";
import type { DetectorContext } from "../core/detector.js";
import { answers } from "../core/declared-services.js";
import { isRecord, spec } from "../core/json-access.js";
import { routesSending } from "../core/service-routes.js";
import type { RenderFailure } from "../render/render-result.js";
import { posix } from "node:path";
import { buildFolder } from "../core/copies-apart.js";
import { documentTexts } from "../core/document-texts.js";

/**
 * Policies that attach to other objects by name (Gateway API policy attachment: Envoy Gateway's
 * traffic and security policies, GKE's backend and health check policies, BackendTLSPolicy) are
 * judged as what they attach to. One added with targets the same PR adds, or removed with targets
 * it removes, changes no traffic that flowed before (envoyproxy/ai-gateway 68653e71 added a route
 * with its retry and health check policy: a route no request reached yet gained "more retries"):
 * the route or Gateway added or removed is the finding to review; so is a Service added with the
 * route to it and its BackendTLSPolicy (Kong 537590971f: no connection to it existed to be trusted
 * otherwise). A backend the other side's routes already sent to is live traffic, whether or not the
 * repository declared it then (a Service first written into the repository while a route reached
 * it): its policy is judged. A route served on an entry and
 * host the other side served is not alone there (one added takes some of those requests, one
 * removed hands its own to the routes that stay): its policy decides what happens to traffic that
 * flowed before, and is judged. (A policy renamed is renamed-resources.ts's.)
 */

/** Each such change: the one low finding that says what it is. */
export type SettledPolicies = ReadonlyMap<string, Omit<Detection, "resourceKey">>;

const policyTargetsOf = byFamilyKind((family) => family.policyTargets);

/** One tree as this stage reads it. */
export interface PolicyTree {
  readonly manifests: ManifestSet;
  readonly model: TrafficModel;
}

/**
 * A tree's flows by the identity of their route, the hosts served on each entry, and the backends
 * routes send to (`group/kind/namespace/name`, as a Gateway API backendRef keys them, port left
 * out): made once a side, when a policy first asks.
 */
interface FlowIndex {
  readonly byRoute: ReadonlyMap<string, readonly Flow[]>;
  readonly hostsByEntry: ReadonlyMap<string, readonly string[]>;
  readonly sentTo: ReadonlySet<string>;
}

function flowIndex(model: TrafficModel): FlowIndex {
  const byRoute = new Map<string, Flow[]>();
  const hostsByEntry = new Map<string, string[]>();
  const sentTo = new Set<string>();
  const push = <V>(map: Map<string, V[]>, key: string, value: V) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  model.flows.forEach((flow) => {
    push(byRoute, resourceKey(flow.resource), flow);
    push(hostsByEntry, flow.entry, flow.host);
    flow.backends.forEach(({ key }) => sentTo.add(key.slice(0, key.lastIndexOf(":"))));
  });
  return { byRoute, hostsByEntry, sentTo };
}

/**
 * Whether the routes of `targets` carry only requests `other` did not serve: every entry and host
 * they are served on is one no flow of `other` is on (a host a wildcard served, `*` or
 * `*.example.com`, is traffic that flowed too). A target with no flows (a Gateway, a backend)
 * carries what routes send it, which their own findings say.
 */
const carriesNoOtherTraffic = (targets: readonly PolicyTarget[], own: FlowIndex, other: FlowIndex): boolean =>
  targets.every((target) =>
    (own.byRoute.get(resourceKey(target)) ?? []).every(
      (flow) => !(other.hostsByEntry.get(flow.entry) ?? []).some((host) => hostsOverlap(host, flow.host)),
    ),
  );

const isCoreService = (target: PolicyTarget): boolean => target.group === "" && target.kind === "Service";

/**
 * Whether a tree declares a policy's target. The loader keeps no core Service but an ExternalName
 * one: the others are read from the files that name them. An unreadable Service document may
 * declare it (`answers`), a readable one does.
 */
const declaredIn = (
  tree: ManifestSet,
  side: "base" | "head",
  target: PolicyTarget,
  readable: boolean,
  context: Pick<DetectorContext, "servicesNamed">,
): boolean =>
  declares(tree, target) ||
  (isCoreService(target) &&
    context.servicesNamed(side, target.name).some((service) => (!readable || !service.unreadable) && answers(service, target)));

/** The policy as written but the objects it names. */
const withoutTargets = (policy: Resource): unknown => {
  const { targetRef: _targetRef, targetRefs: _targetRefs, ...rest } = spec(policy);
  return { ...policy.body, metadata: null, spec: rest };
};

/** The flows of routes, by their key (entry, host and match). */
const flowKeysOf = (targets: readonly PolicyTarget[], index: FlowIndex): Set<string> =>
  new Set(targets.flatMap((target) => (index.byRoute.get(resourceKey(target)) ?? []).map((flow) => flow.key)));

/**
 * A policy whose targets the PR renames with it, settings unchanged: every route it stops naming
 * is one the PR removes, every one it starts naming one the PR adds, serving the very requests
 * (entries, hosts and matches) the others served (HTTPRoute `toystore` renamed `toystore-v2`, its
 * AuthPolicy's targetRef following): the same requests pass the same guards. One low finding.
 */
function followsRenamedRoutes(
  before: Resource,
  after: Resource,
  targetsOf: (resource: Resource) => readonly PolicyTarget[] | undefined,
  baseTree: PolicyTree,
  headTree: PolicyTree,
  indexOf: (tree: PolicyTree) => FlowIndex,
): Omit<Detection, "resourceKey"> | undefined {
  const [was, now] = [targetsOf(before), targetsOf(after)];
  if (!was || !now || !equalData(withoutTargets(before), withoutTargets(after))) return undefined;
  const named = (targets: readonly PolicyTarget[], target: PolicyTarget) =>
    targets.some((other) => resourceKey(other) === resourceKey(target) && other.section === target.section);
  const [left, taken] = [was.filter((target) => !named(now, target)), now.filter((target) => !named(was, target))];
  if (left.length === 0 || taken.length === 0) return undefined;
  const [base, head] = [baseTree.manifests, headTree.manifests];
  if (!left.every((target) => declares(base, target) && !declares(head, target))) return undefined;
  if (!taken.every((target) => declares(head, target) && !declares(base, target))) return undefined;
  const [served, serving] = [flowKeysOf(left, indexOf(baseTree)), flowKeysOf(taken, indexOf(headTree))];
  if (served.size === 0 || served.size !== serving.size || [...served].some((key) => !serving.has(key))) return undefined;
  const [from, to] = [left.map(targetName).join(", "), taken.map(targetName).join(", ")];
  return {
    class: "resource.changed",
    summary: `${displayName(after.id)}: follows ${from}, renamed ${to} by this PR and serving the same requests, with the same settings`,
    resource: after.id,
    side: "head",
    path: ["spec"],
    before: from,
    after: to,
  };
}

export function settledPolicies(
  changes: readonly ResourceChange[],
  baseTree: PolicyTree,
  headTree: PolicyTree,
  context: Pick<DetectorContext, "servicesNamed" | "routeRules" | "fileText" | "readYaml">,
  failures: readonly RenderFailure[] = [],
): SettledPolicies {
  const settled = new Map<string, Omit<Detection, "resourceKey">>();
  const policies = changes.filter((change) => policyTargetsOf((change.head ?? change.base)!) !== undefined);
  if (policies.length === 0) return settled;
  const [base, head] = [baseTree.manifests, headTree.manifests];
  const targetsOf = (resource: Resource) => policyTargetsOf(resource)?.(resource);
  const indexes = new Map<PolicyTree, FlowIndex>();
  const indexOf = (tree: PolicyTree): FlowIndex => {
    let index = indexes.get(tree);
    if (!index) indexes.set(tree, (index = flowIndex(tree.model)));
    return index;
  };
  const declaredOn = (side: "base" | "head", target: PolicyTarget, readable: boolean) =>
    declaredIn(side === "head" ? head : base, side, target, readable, context);
  // Sent to by the other side's routes: as a Gateway API backendRef, or a core Service by any family's reference or host.
  const receives = (tree: PolicyTree, target: PolicyTarget) =>
    isCoreService(target)
      ? routesSending(tree.manifests, context.routeRules, [target], false).length > 0
      : indexOf(tree).sentTo.has(`${target.group}/${target.kind}/${target.namespace}/${target.name}`);
  for (const change of policies) {
    if (change.base && change.head) {
      const follows = followsRenamedRoutes(change.base, change.head, targetsOf, baseTree, headTree, indexOf);
      if (follows) settled.set(change.key, follows);
      continue;
    }
    const policy = (change.head ?? change.base)!;
    const targets = targetsOf(policy);
    if (!targets) continue;
    const withRelease = change.base && removedWithRelease(change.base, targets, baseTree.manifests, headTree.manifests, context, failures);
    if (withRelease && !targets.some((target) => receives(headTree, target))) {
      settled.set(change.key, withRelease);
      continue;
    }
    const [own, other] = change.head ? (["head", "base"] as const) : (["base", "head"] as const);
    if (!targets.every((target) => declaredOn(own, target, true) && !declaredOn(other, target, false))) continue;
    const [ownTree, otherTree] = change.head ? [headTree, baseTree] : [baseTree, headTree];
    if (targets.some((target) => receives(otherTree, target))) continue;
    if (!carriesNoOtherTraffic(targets, indexOf(ownTree), indexOf(otherTree))) continue;
    const names = targets.map(targetName).join(", ");
    settled.set(change.key, {
      class: "resource.changed",
      summary: `${displayName(policy.id)}: ${change.head ? `added with ${names}, which this PR adds: they start with these settings` : `removed with ${names}, which this PR removes`}`,
      resource: policy.id,
      side: change.head ? "head" : "base",
      path: ["spec"],
      before: change.head ? null : names,
      after: change.head ? names : null,
    });
  }
  return settled;
}

/**
 * The roots that could not be rendered (`failures`, as the render stage reports them) that read the
 * folder a removed policy is applied from, and the policy's targets no file of either tree declares:
 * each may be one of those roots' objects (a release's Service or route).
 */
function unreadBeside(
  policy: Resource,
  base: ManifestSet,
  head: ManifestSet,
  context: Pick<DetectorContext, "servicesNamed">,
  failures: readonly RenderFailure[],
): { readonly roots: readonly RenderFailure[]; readonly unread: readonly PolicyTarget[] } {
  const folder = buildFolder(policy.source.file);
  const roots = failures.filter(({ origin, inputs }) => [origin, ...inputs].some((file) => posix.dirname(file) === folder));
  const targets = roots.length === 0 ? [] : (policyTargetsOf(policy)?.(policy) ?? []);
  const unread = targets.filter(
    (target) => !declaredIn(base, "base", target, false, context) && !declaredIn(head, "head", target, false, context),
  );
  return { roots, unread };
}

/**
 * A policy removed with the release beside it that made its targets, as far as the trees tell
 * (auricom/home-ops 813a255f2f deleted unifi: its app-template release, which cannot be rendered
 * offline, made Service default/unifi, and the BackendTLSPolicy on it read as critical "no longer
 * TLS-validated"; rcdailey/home-ops b49e3a440a, bentopdf's release and the oidc SecurityPolicy on
 * its route; wrmilling/k3s-gitops 0a4919d214, AppFlowy's and a BackendTrafficPolicy): every target
 * is in no file the review reads, every root that could not be rendered beside the policy is gone
 * at head (its file deleted), and no head document holds the target's name, nor a name it may be
 * made from (`unifi` of `unifi-https`: a chart names its objects after the release,
 * `<release>-<suffix>`), as a value: no release, values file or substitution at head could make
 * it. The release's removal is its own finding. A policy removed alone, or beside a release kept
 * or moved, is judged (with unreadTargetNotes' note); so is one on a Service a route at head still
 * sends to (settledPolicies).
 */
function removedWithRelease(
  policy: Resource,
  targets: readonly PolicyTarget[],
  base: ManifestSet,
  head: ManifestSet,
  context: Pick<DetectorContext, "servicesNamed" | "fileText" | "readYaml">,
  failures: readonly RenderFailure[],
): Omit<Detection, "resourceKey"> | undefined {
  const { roots, unread } = unreadBeside(policy, base, head, context, failures);
  if (roots.length === 0 || unread.length === 0 || unread.length !== targets.length) return undefined;
  if (roots.some(({ origin }) => context.fileText("head", origin) !== undefined)) return undefined;
  if (namedAtHead(unread, head, context)) return undefined;
  const names = unread.map(targetName).join(", ");
  const one = unread.length === 1;
  return {
    class: "resource.changed",
    summary:
      `${displayName(policy.id)}: removed with ${roots.map(({ id }) => id).join(", ")}, which this PR removes and which ` +
      `may have made ${names}: no file the review reads holds ${one ? "it" : "them"}, and nothing at head names ${one ? "it" : "them"}`,
    resource: policy.id,
    side: "base",
    path: ["spec"],
    before: names,
    after: null,
  };
}

/**
 * Whether a head document holds, as a value, one of the targets' names or a name each may be made
 * from (the parts before each `-`): a release's name, a values file's `fullnameOverride`, a Flux
 * substitution. A Gateway of that name counts too, which only keeps the policy judged.
 */
function namedAtHead(
  targets: readonly PolicyTarget[],
  head: ManifestSet,
  context: Pick<DetectorContext, "fileText" | "readYaml">,
): boolean {
  const names = new Set(targets.flatMap(({ name }) => name.split("-").map((_, index, parts) => parts.slice(0, index + 1).join("-"))));
  const holds = (value: unknown): boolean =>
    typeof value === "string"
      ? names.has(value)
      : Array.isArray(value)
        ? value.some(holds)
        : isRecord(value) && Object.values(value).some(holds);
  return head.files.some((file) => {
    const written = context.fileText("head", file);
    if (written === undefined || ![...names].some((name) => written.includes(name))) return false;
    return documentTexts(written).some((document) => holds(context.readYaml(document)));
  });
}

/**
 * What the findings of a policy removed say of targets no file of either tree declares, where a
 * root reading the policy's folder could not be rendered and is not gone with it (removedWithRelease):
 * the target may be one of its objects, and whether it stays is unknown (a policy deleted alone
 * beside the release that stays). By the policy's change key.
 */
export function unreadTargetNotes(
  changes: readonly ResourceChange[],
  base: ManifestSet,
  head: ManifestSet,
  context: Pick<DetectorContext, "servicesNamed">,
  failures: readonly RenderFailure[],
): ReadonlyMap<string, string> {
  const notes = new Map<string, string>();
  if (failures.length === 0) return notes;
  for (const change of changes) {
    if (!change.base || change.head) continue;
    const { unread } = unreadBeside(change.base, base, head, context, failures);
    if (unread.length === 0) continue;
    const one = unread.length === 1;
    notes.set(
      change.key,
      `${unread.map(targetName).join(", ")} ${one ? "is" : "are"} in no file the review reads: a release beside this policy that cannot ` +
        `be rendered may make ${one ? "it" : "them"}, and whether ${one ? "it stays" : "they stay"} after this PR is unknown`,
    );
  }
  return notes;
}
