import { list, record, spec, text } from "../../core/json-access.js";
import type { Resource } from "../../core/resource.js";
import { setChange, sortedSet } from "../../core/canonical-values.js";
import type { DetectionList } from "../../core/detection-list.js";
import type { ResourceChange } from "../../core/resource-change.js";
import { describeDestinations, describeSelector } from "./gloo-selectors.js";

/**
 * Gloo Platform's AccessPolicy (security.policy.gloo.solo.io/v2), which Gloo turns into Istio
 * PeerAuthentication and AuthorizationPolicy for the workloads it selects: `config.authn.tlsMode`
 * is their mTLS mode, `config.authz` (or its successor `authzList`) the allow-list of client
 * identities. Judged as Istio's own: STRICT given up is mtls.weakened; clients added to an
 * allow-list, a single empty selector (every identity), or an allow-list gone is access.widened.
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

export const accessPolicy = (change: ResourceChange, out: DetectionList): void => {
  const subject = (change.head ?? change.base)!;
  const scope = scopeOf(subject);
  const [was, now] = [tlsModeOf(change.base), tlsModeOf(change.head)];
  // The schema allows DISABLE, PERMISSIVE and STRICT: anything else than STRICT, or none, is weaker.
  if (was === "STRICT" && now !== "STRICT") {
    out.add({
      class: "mtls.weakened",
      summary: `for ${scope}: tlsMode STRICT → ${now ?? (change.head ? "(unset)" : "(policy removed)")}: clients may connect without mTLS`,
      side: change.head ? "head" : "base",
      path: ["spec", "config", "authn", "tlsMode"],
      before: was,
      after: now ?? null,
    });
  }
  const before = allowLists(change.base);
  const after = allowLists(change.head);
  if (before.length > 0 && after.length === 0) {
    out.add({
      class: "access.widened",
      summary: `for ${scope}: ${change.head ? "its allow-list is gone" : "removed with its allow-list"}: every client can call unless another policy limits them`,
      side: change.head ? "head" : "base",
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
