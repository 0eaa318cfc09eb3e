import { list, record, spec, text } from "../../core/json-access.js";
import type { Resource } from "../../core/resource.js";
import { sameValue, setChange, sortedSet } from "../../core/canonical-values.js";
import type { DetectionList } from "../../core/detection-list.js";
import type { DetectorContext } from "../../core/detector.js";
import type { ResourceChange } from "../../core/resource-change.js";
import { listedNames } from "../../core/removed-while-named.js";
import {
  describeDestinations,
  describeSelector,
  destinationSelectors,
  destinationsCover,
  destinationsIn,
  selectsDestination,
} from "./gloo-selectors.js";

/**
 * Gloo Platform's AccessPolicy (security.policy.gloo.solo.io/v2), which Gloo turns into Istio
 * PeerAuthentication and AuthorizationPolicy for the workloads it selects: `config.authn.tlsMode`
 * is their mTLS mode, `config.authz` (or its successor `authzList`) the allow-list of client
 * identities. Judged as Istio's own: STRICT given up is mtls.weakened; clients added to an
 * allow-list, a single empty selector (every identity), or an allow-list gone is access.widened;
 * destinations its `applyToDestinations` no longer selects lose both, as if it were removed.
 * Allowed methods, paths and IP blocks are left to the field diff.
 */

/** What the policy applies to: `applyToWorkloads` wins over `applyToDestinations` (the CRD's rule). */
function scopeOf(resource: Resource): string {
  const workloads = list(spec(resource).applyToWorkloads).map((item) => describeSelector(record(item).selector));
  if (workloads.length > 0) return `workloads ${sortedSet(workloads).join(", ")}`;
  return describeDestinations(spec(resource).applyToDestinations);
}

/** The allow-lists in force: `authzList` when set, else the deprecated `authz`. */
const allowLists = (resource: Resource | undefined): Record<string, unknown>[] => {
  const config = record(spec(resource).config);
  if (config.authzList !== undefined) return list(config.authzList).map(record);
  return config.authz === undefined ? [] : [record(config.authz)];
};

/** Every client identity an allow-list names, readable; `every identity` for the single empty selector the CRD documents. */
const clientsOf = (lists: readonly Record<string, unknown>[]): string[] =>
  sortedSet(
    lists.flatMap((entry) =>
      list(entry.allowedClients).map((client) => {
        const selector = record(client);
        const kinds = Object.keys(selector).filter((key) => selector[key] !== undefined);
        if (kinds.length === 0) return "every identity";
        return kinds
          .map((kind) => {
            if (kind === "requestIdentityMatcher") return `request principals ${list(record(selector[kind]).requestPrincipals).join(", ")}`;
            return `${kind === "serviceAccountSelector" ? "service accounts" : kind} ${describeSelector(selector[kind])}`;
          })
          .join(" and ");
      }),
    ),
  );

const tlsModeOf = (resource: Resource | undefined): string | undefined => text(record(record(spec(resource).config).authn).tlsMode);

/**
 * Where the policy no longer applies (removed, or its destinations no longer selected), what it
 * enforced goes with it: STRICT mTLS and the allow-list fall back to whatever else applies.
 */
const reportLoss = (
  policy: Resource,
  scope: string,
  reason: string,
  where: { readonly side: "base" | "head"; readonly path?: readonly string[] },
  out: DetectionList,
): void => {
  if (tlsModeOf(policy) === "STRICT") {
    out.add({
      class: "mtls.weakened",
      summary: `for ${scope}: tlsMode STRICT → (${reason}): clients may connect without mTLS`,
      side: where.side,
      path: [...(where.path ?? ["spec", "config", "authn", "tlsMode"])],
      before: "STRICT",
      after: null,
    });
  }
  const lists = allowLists(policy);
  if (lists.length === 0) return;
  out.add({
    class: "access.widened",
    summary: `for ${scope}: its allow-list no longer applies (${reason}): every client can call unless another policy limits them`,
    side: where.side,
    path: [...(where.path ?? ["spec", "config"])],
    before: clientsOf(lists),
    after: null,
  });
};

const destinationName = (destination: Resource): string => `${destination.id.kind} ${destination.id.namespace}/${destination.id.name}`;

/**
 * `applyToDestinations` edited: the destinations it no longer selects lose what it enforced (as if
 * it were removed), those it newly selects gain it. Judged by the destinations of the tree when it
 * holds any the policy selected; else, conservatively, by whether one selector covers the other.
 */
const selectionMoved = (base: Resource, head: Resource, context: DetectorContext, out: DetectionList): void => {
  const [was, now] = [spec(base).applyToDestinations, spec(head).applyToDestinations];
  const byWorkloads = (resource: Resource) => list(spec(resource).applyToWorkloads).length > 0;
  if (byWorkloads(base) || byWorkloads(head) || sameValue(destinationSelectors(was), destinationSelectors(now))) return;
  const moved = `applyToDestinations ${describeDestinations(was)} → ${describeDestinations(now)}`;
  const destinations = destinationsIn(context.head);
  const selected = destinations.filter((destination) =>
    selectsDestination(was, context.base.resources.get(destination.key) ?? destination),
  );
  const [lost, gained] =
    selected.length > 0
      ? [
          selected.filter((destination) => !selectsDestination(now, destination)).map(destinationName),
          destinations
            .filter((destination) => !selected.includes(destination) && selectsDestination(now, destination))
            .map(destinationName),
        ]
      : [destinationsCover(now, was) ? [] : [describeDestinations(was)], destinationsCover(was, now) ? [] : [describeDestinations(now)]];
  const where = { side: "head", path: ["spec", "applyToDestinations"] } as const;
  if (lost.length > 0) reportLoss(base, listedNames(sortedSet(lost)), `no longer selected: ${moved}`, where, out);
  const lists = allowLists(head);
  const enforced = [
    ...(tlsModeOf(head) === "STRICT" ? ["clients must use mTLS (STRICT)"] : []),
    ...(lists.length > 0 ? [`only ${clientsOf(lists).join("; ")} may call`] : []),
  ];
  if (gained.length === 0 || enforced.length === 0) return;
  out.add({
    class: "resource.changed",
    summary: `for ${listedNames(sortedSet(gained))}: now selected (${moved}): ${enforced.join(", and ")}`,
    ...where,
    before: destinationSelectors(was),
    after: destinationSelectors(now),
    riskFloor: "medium",
  });
};

export const accessPolicy = (change: ResourceChange, out: DetectionList, context: DetectorContext): void => {
  if (!change.head) {
    reportLoss(change.base, scopeOf(change.base), "policy removed", { side: "base" }, out);
    return;
  }
  const scope = scopeOf(change.head);
  const [was, now] = [tlsModeOf(change.base), tlsModeOf(change.head)];
  // The schema allows DISABLE, PERMISSIVE and STRICT: anything else than STRICT, or none, is weaker.
  if (was === "STRICT" && now !== "STRICT") {
    out.add({
      class: "mtls.weakened",
      summary: `for ${scope}: tlsMode STRICT → ${now ?? "(unset)"}: clients may connect without mTLS`,
      side: "head",
      path: ["spec", "config", "authn", "tlsMode"],
      before: was,
      after: now ?? null,
    });
  }
  if (change.base) selectionMoved(change.base, change.head, context, out);
  const before = allowLists(change.base);
  const after = allowLists(change.head);
  if (before.length > 0 && after.length === 0) {
    out.add({
      class: "access.widened",
      summary: `for ${scope}: its allow-list is gone: every client can call unless another policy limits them`,
      side: "head",
      path: ["spec", "config"],
      before: clientsOf(before),
      after: null,
    });
    return;
  }
  if (before.length === 0) return;
  const added = setChange(clientsOf(before), clientsOf(after)).added;
  if (added.length === 0) return;
  out.add({
    class: "access.widened",
    summary: `for ${scope}: allowed clients gain ${added.join("; ")}`,
    side: "head",
    path: ["spec", "config"],
    before: clientsOf(before),
    after: clientsOf(after),
  });
};
