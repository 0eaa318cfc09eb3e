import { isRecord, record, type JsonRecord } from "./json-access.js";

/**
 * `patch` laid over `target` as a JSON merge patch (RFC 7386): objects merge key by key, any other
 * value (a list too) replaces what was there, and null removes it. How a controller combines a
 * child's settings with its parent's (Envoy Gateway's `mergeType` on a route's policy).
 */
export function mergePatch(target: JsonRecord, patch: JsonRecord): JsonRecord {
  const merged: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else merged[key] = isRecord(value) ? mergePatch(record(merged[key]), value) : value;
  }
  return merged;
}
