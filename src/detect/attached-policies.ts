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
import { spec } from "../core/json-access.js";
import { routesSending } from "../core/service-routes.js";
import type { RenderFailure } from "../render/render-result.js";
import { posix } from "node:path";

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
  context: Pick<DetectorContext, "servicesNamed" | "routeRules">,
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
 * What the findings of a policy removed say of targets no file of either tree declares, where a
 * root of the policy's folder could not be rendered (`failures`, as the render stage reports them):
 * the target may have been one of its objects, and whether it stays is unknown (rcdailey/home-ops
 * b49e3a440a deleted bentopdf's app-template release beside the oidc SecurityPolicy on its route,
 * and "HTTPRoute default/bentopdf no longer requires oidc" read as if the route kept serving;
 * wrmilling/k3s-gitops 0a4919d214 removed AppFlowy's release with the BackendTrafficPolicy on its
 * route). By the policy's change key.
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
  const unrendered = new Set(failures.flatMap(({ origin, inputs }) => [origin, ...inputs].map((file) => posix.dirname(file))));
  for (const change of changes) {
    if (!change.base || change.head || !unrendered.has(posix.dirname(change.base.source.file))) continue;
    const targets = policyTargetsOf(change.base)?.(change.base) ?? [];
    const unread = targets.filter(
      (target) => !declaredIn(base, "base", target, false, context) && !declaredIn(head, "head", target, false, context),
    );
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
