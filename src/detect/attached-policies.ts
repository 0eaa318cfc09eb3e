import { equalData } from "../core/canonical-values.js";
import { declares } from "../core/declared-identities.js";
import type { Detection } from "../core/finding.js";
import { targetIdentity, targetName, type PolicyTarget } from "../core/policy-targets.js";
import { displayName, resourceKey, type ManifestSet, type Resource } from "../core/resource.js";
import type { TrafficModel } from "../core/traffic-model.js";
import { hostsOverlap } from "../core/host-match.js";
import type { ResourceChange } from "../core/resource-change.js";
import { byFamilyKind } from "../families/index.js";

/**
 * Policies that attach to other objects by name (Gateway API policy attachment: Envoy Gateway's
 * traffic and security policies, GKE's backend and health check policies, BackendTLSPolicy) judged
 * as what they attach to, not as objects of their own. Two edits change no traffic that flowed
 * before, and were read as every setting of the policy added or removed:
 * - a policy renamed, with the same targets and settings (envoyproxy/ai-gateway 2c00d500 renamed a
 *   BackendTrafficPolicy: its retries were read as 0 → 5 and blocked);
 * - a policy added with targets the same PR adds, or removed with targets it removes (68653e71 added
 *   a route with its retry and health check policy: a route no request reached yet gained
 *   "more retries"). The route or Gateway added or removed is the finding to review. A route
 *   served on an entry and host the other side served is not alone there (one added takes some
 *   of those requests, one removed hands its own to the routes that stay): its policy decides what
 *   happens to traffic that flowed before, and is judged.
 * A rename is a new object to the controller, which ranks policies of one target oldest first: it
 * is read as one only while no other policy of its kind names any of its targets.
 */

/** Each such change: the one low finding that says what it is, or undefined where nothing is to be said (the old name of a renamed policy). */
export type SettledPolicies = ReadonlyMap<string, Omit<Detection, "resourceKey"> | undefined>;

const policyTargetsOf = byFamilyKind((family) => family.policyTargets);

/** The body as the controller reads it whatever the policy is called. */
const unnamed = (resource: Resource): unknown => {
  const { metadata, ...rest } = resource.body;
  const { name: _name, ...kept } = (metadata ?? {}) as Record<string, unknown>;
  return { ...rest, metadata: kept };
};

const overlaps = (a: readonly PolicyTarget[], b: readonly PolicyTarget[]): boolean =>
  a.some((target) => b.some((other) => targetIdentity(other) === targetIdentity(target)));

/** One tree as this stage reads it. */
export interface PolicyTree {
  readonly manifests: ManifestSet;
  readonly model: TrafficModel;
}

/**
 * Whether the routes of `targets` in `tree` carry only requests `other` did not serve: every entry
 * and host they are served on is one no flow of `other` is on. A target with no flows (a Gateway,
 * a backend) carries what routes send it, which their own findings say.
 */
function carriesNoOtherTraffic(targets: readonly PolicyTarget[], tree: PolicyTree, other: PolicyTree): boolean {
  const identities = new Set(targets.map(targetIdentity));
  const own = [...tree.model.flows.values()].filter((flow) => identities.has(resourceKey(flow.resource)));
  if (own.length === 0) return true;
  // A host a wildcard served (`*`, `*.example.com`) is traffic that flowed too.
  const hostsByEntry = new Map<string, string[]>();
  other.model.flows.forEach((flow) => {
    const hosts = hostsByEntry.get(flow.entry);
    if (hosts) hosts.push(flow.host);
    else hostsByEntry.set(flow.entry, [flow.host]);
  });
  return own.every((flow) => !(hostsByEntry.get(flow.entry) ?? []).some((host) => hostsOverlap(host, flow.host)));
}

export function settledPolicies(changes: readonly ResourceChange[], baseTree: PolicyTree, headTree: PolicyTree): SettledPolicies {
  const settled = new Map<string, Omit<Detection, "resourceKey"> | undefined>();
  const policies = changes.filter((change) => policyTargetsOf((change.head ?? change.base)!) !== undefined);
  if (policies.length === 0) return settled;
  const [base, head] = [baseTree.manifests, headTree.manifests];
  const targetsOf = (resource: Resource) => policyTargetsOf(resource)?.(resource);
  const finding = (
    resource: Resource,
    side: Detection["side"],
    path: Detection["path"],
    summary: string,
    before: unknown,
    after: unknown,
  ) => ({
    class: "resource.changed" as const,
    summary: `${displayName(resource.id)}: ${summary}`,
    resource: resource.id,
    side,
    path,
    before,
    after,
  });

  // Renamed: the same kind, namespace and cluster, the same body but for the name, and no other
  // policy of its kind in the head tree naming one of its targets.
  const removed = policies.filter((change) => change.base && !change.head);
  const place = (resource: Resource) => `${resource.id.group}/${resource.id.kind}/${resource.id.namespace}@${resource.cluster ?? ""}`;
  for (const change of policies) {
    const policy = change.head;
    if (!policy || change.base) continue;
    const targets = targetsOf(policy);
    if (!targets) continue;
    const previous = removed.find(
      ({ base, key }) => !settled.has(key) && place(base!) === place(policy) && equalData(unnamed(base!), unnamed(policy)),
    );
    if (!previous) continue;
    const before = previous.base!;
    const contested = [...head.resources.values()].some(
      (other) =>
        other !== policy &&
        other.id.group === policy.id.group &&
        other.id.kind === policy.id.kind &&
        overlaps(targetsOf(other) ?? [], targets),
    );
    if (contested) continue;
    settled.set(previous.key, undefined);
    settled.set(
      change.key,
      finding(
        policy,
        "head",
        ["metadata", "name"],
        `renamed from ${before.id.name}, with the same targets (${targets.map(targetName).join(", ")}) and settings`,
        before.id.name,
        policy.id.name,
      ),
    );
  }

  // Added with targets the PR adds, or removed with targets it removes.
  for (const change of policies) {
    if (settled.has(change.key) || (change.base && change.head)) continue;
    const policy = (change.head ?? change.base)!;
    const targets = targetsOf(policy);
    if (!targets) continue;
    const [own, other] = change.head ? [head, base] : [base, head];
    if (!targets.every((target) => declares(own, target) && !declares(other, target))) continue;
    if (!(change.head ? carriesNoOtherTraffic(targets, headTree, baseTree) : carriesNoOtherTraffic(targets, baseTree, headTree))) continue;
    const names = targets.map(targetName).join(", ");
    settled.set(
      change.key,
      change.head
        ? finding(policy, "head", ["spec"], `added with ${names}, which this PR adds: they start with these settings`, null, names)
        : finding(policy, "base", ["spec"], `removed with ${names}, which this PR removes`, names, null),
    );
  }
  return settled;
}
