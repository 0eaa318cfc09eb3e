import { atomizeChangeset, diff } from "json-diff-ts";
import { canonicalForm } from "../diff/canonical-form.js";
import { displayName } from "../manifests/resource.js";
import type { ResourceChange } from "./detector.js";
import type { Detection } from "./finding.js";

/**
 * resource.changed (low): the fallback for a traffic resource that was added, removed or changed
 * in a way no detector classified more specifically. The summary names the changed fields.
 */
const MAX_FIELDS = 3;

const show = (value: unknown): string => {
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return text === undefined ? "∅" : text.length > 40 ? `${text.slice(0, 37)}…` : text;
};

/** `$.spec.rules[0].timeouts.request` → path segments. */
const toPath = (jsonPath: string): (string | number)[] =>
  jsonPath
    .replace(/^\$\.?/, "")
    .split(/\.|\[|\]/)
    .filter(Boolean)
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));

export function resourceChangedDetection(change: ResourceChange): Detection {
  const resource = (change.head ?? change.base)!;
  const name = displayName(resource.id);
  if (!change.base) return { class: "resource.changed", summary: `${name} added`, resource: resource.id, side: "head", path: [], after: canonicalForm(resource.body) };
  if (!change.head) return { class: "resource.changed", summary: `${name} removed`, resource: resource.id, side: "base", path: [], before: canonicalForm(change.base.body) };
  const before = canonicalForm(change.base.body);
  const after = canonicalForm(change.head.body);
  const fields = atomizeChangeset(diff(before, after));
  const described = fields.slice(0, MAX_FIELDS).map((field) => {
    const path = field.path.replace(/^\$\.?/, "");
    if (field.type === "ADD") return `${path} added (${show(field.value)})`;
    if (field.type === "REMOVE") return `${path} removed`;
    return `${path}: ${show(field.oldValue)} → ${show(field.value)}`;
  });
  const more = fields.length > MAX_FIELDS ? ` and ${fields.length - MAX_FIELDS} more` : "";
  return {
    class: "resource.changed",
    summary: `${name}: ${described.join("; ")}${more}`,
    resource: resource.id,
    side: "head",
    path: fields[0] ? toPath(fields[0].path) : [],
    before,
    after,
  };
}
