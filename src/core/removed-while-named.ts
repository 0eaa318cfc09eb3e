import type { Check } from "./by-kind.js";
import { listed } from "./listed-names.js";
import { declares } from "./declared-identities.js";
import type { ManifestSet, Resource } from "./resource.js";

/**
 * An object removed while others of the head tree still name it (a parametersRef, a backendRef, a
 * binding): their references no longer resolve, `reference.broken`. `referrers` lists them as
 * reviewers read them, `says` words the finding. Stands down when an object of the same identity
 * is still declared in another file or cluster: that one answers the name. `restoredBy` names who
 * creates the object again once it is deleted (Istio its `istio` GatewayClass): the references
 * still resolve, and the removal is a low change saying so.
 */
export const removedWhileNamed =
  (
    referrers: (tree: ManifestSet, removed: Resource) => readonly string[],
    says: (referrers: readonly string[], removed: Resource) => string,
    restoredBy?: (removed: Resource) => string | undefined,
  ): Check =>
  (change, out, context) => {
    if (!change.base || change.head || declares(context.head, change.base.id)) return;
    const found = referrers(context.head, change.base);
    if (found.length === 0) return;
    const restorer = restoredBy?.(change.base);
    out.add(
      restorer
        ? {
            class: "resource.changed",
            summary: `removed while ${listedNames(found)} still ${found.length === 1 ? "names" : "name"} it: ${restorer} creates it itself and creates it again once it is deleted, so the ${found.length === 1 ? "reference still resolves" : "references still resolve"}`,
            side: "base",
            path: ["spec"],
            before: [...found],
          }
        : { class: "reference.broken", summary: says(found, change.base), side: "base", path: ["spec"], before: [...found] },
    );
  };

/** `A, B, C and 2 more`: a long list of referrers shortened for a summary. */
export const listedNames = (names: readonly string[]): string => listed(names, 3);

/** `A, B still name it`, `A still names it`. */
export const stillName = (referrers: readonly string[]): string =>
  `${referrers.join(", ")} still ${referrers.length === 1 ? "names" : "name"} it`;
