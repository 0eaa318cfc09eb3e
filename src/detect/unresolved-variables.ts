import { equalData } from "../core/canonical-values.js";
import type { Detection, FieldPath } from "../core/finding.js";
import { valueAt } from "../core/json-access.js";
import { displayName, type Resource } from "../core/resource.js";
import type { ResourceChange } from "../core/resource-change.js";
import { showPath } from "./resource-changes.js";

/**
 * A field written as a Flux variable the tree does not resolve (Resource.unresolved) on one side
 * and otherwise on the other — another variable, a literal, or unset — changes to or from a value
 * the review cannot know: `weight: ${CANARY_WEIGHT}` → `weight: 100` may move all of a route's
 * traffic or none, and a value only the cluster's Secret holds may drain a backend. High, as a
 * render that cannot be done is: what it does is unknown, not nothing. The families judge the rest
 * of the resource, reading the unresolved field as unset.
 */
export function unresolvedValueDetections(changes: readonly ResourceChange[]): Detection[] {
  const found: Detection[] = [];
  for (const { key, base, head } of changes) {
    if (!base || !head || (!base.unresolved && !head.unresolved)) continue;
    const paths = new Map<string, FieldPath>();
    for (const { path } of [...(base.unresolved ?? []), ...(head.unresolved ?? [])]) paths.set(JSON.stringify(path), path);
    for (const path of paths.values()) {
      const [before, after] = [written(base, path), written(head, path)];
      if (equalData(before, after)) continue;
      found.push({
        class: "resource.changed",
        summary: `${displayName(head.id)}: ${showPath(path)}: ${show(before)} → ${show(after)}: the value Flux substitutes for ${variablesOf(base, head, path)} is not in this tree, so what this changes is unknown`,
        resource: head.id,
        resourceKey: key,
        side: "head",
        path,
        before,
        after,
        riskFloor: "high",
      });
    }
  }
  return found;
}

/** A field as the document writes it: its variable, else its value. */
const written = (resource: Resource, path: FieldPath): unknown =>
  resource.unresolved?.find((field) => equalData(field.path, path))?.expression ?? valueAt(resource.body, path);

const variablesOf = (base: Resource, head: Resource, path: FieldPath): string =>
  [base, head]
    .flatMap((resource) => resource.unresolved?.filter((field) => equalData(field.path, path)).map((field) => field.expression) ?? [])
    .join(" and ");

const show = (value: unknown): string => (value === undefined ? "(unset)" : typeof value === "string" ? value : JSON.stringify(value));
