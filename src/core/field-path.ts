import type { FieldPath } from "./finding.js";

/**
 * Field paths repeat across resources (`spec.rules[0].backendRefs[1]` is in every route with two
 * backends), and a large review holds one per flow, backend, parent and destination: each distinct
 * path is one frozen array, shared by all. The table is bounded, so a tree of odd paths costs no
 * more than a fresh array each once it is full.
 */
const MAX_PATHS = 16_384;
const paths = new Map<string, FieldPath>();

/** The shared, frozen copy of a path (the same steps give the same array). */
export function sharedPath(path: FieldPath): FieldPath {
  // JSON tells a number step from a string one and cannot run two steps together.
  const key = JSON.stringify(path);
  const known = paths.get(key);
  if (known) return known;
  const frozen = Object.freeze([...path]);
  if (paths.size < MAX_PATHS) paths.set(key, frozen);
  return frozen;
}
