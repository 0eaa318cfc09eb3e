/**
 * The list of a thing that has none: most flows limit no methods and mirror nothing, and a large
 * tree holds tens of thousands of them, so they share this one frozen list instead of an empty one
 * each (as NO_LABELS does for labels).
 */
export const NO_ITEMS: readonly never[] = Object.freeze([]);

/** `items`, or the shared empty list when there are none. */
export const itemsOrNone = <T>(items: readonly T[]): readonly T[] => (items.length === 0 ? NO_ITEMS : items);
