import type { FieldPath } from "./finding.js";

/**
 * Field paths repeat across resources (`spec.rules[0].backendRefs[1]` is in every route with two
 * backends), and a large review holds one per flow, backend, parent and destination: each distinct
 * path is one frozen array, shared by all. So are other short lists of the model's vocabulary that
 * repeat as often (a flow's methods, the entries a route lands on). Lists are looked up step by step
 * in a trie, whose maps tell a number step from a string one (`0` from `"0"`) without building a key
 * string per lookup.
 * The trie is bounded, so a tree of odd paths costs no more than a fresh array each once it is full.
 */
const MAX_STEPS = 16_384;

interface Step {
  shared?: readonly (string | number)[];
  readonly next: Map<string | number, Step>;
}

const root: Step = { next: new Map() };
let steps = 0;

/** The shared, frozen copy of a path (the same steps give the same array). */
export const sharedPath = (path: FieldPath): FieldPath => sharedList(path);

/** The shared, frozen copy of a list of strings or numbers (the same items give the same array). */
export function sharedList<T extends string | number>(items: readonly T[]): readonly T[] {
  let step = root;
  // Indexed: `for…of` over a frozen path (most paths asked for are shared ones again) allocates an
  // iterator result per step in Node 20 and 22 (measured: ~40 MB at 2,000 files).
  for (let index = 0; index < items.length; index++) {
    const key = items[index]!;
    let next = step.next.get(key);
    if (!next) {
      if (steps >= MAX_STEPS) return Object.freeze([...items]);
      next = { next: new Map() };
      step.next.set(key, next);
      steps++;
    }
    step = next;
  }
  return (step.shared ??= Object.freeze([...items])) as readonly T[];
}
