import { pairByIdentity } from "./pair-by-identity.js";

/** A list item with its position, which field paths need. */
export interface Entry<T> {
  readonly value: T;
  readonly index: number;
}

export interface EntryPair<T> {
  readonly key: string;
  readonly base?: Entry<T>;
  readonly head?: Entry<T>;
}

/** An identity for one pairing phase; undefined when the item has none in that phase. */
export type Identity<T> = (item: T) => string | undefined;

/**
 * Pairs list items by identity in phases, strongest first (a rule's `name`, then its match
 * signature): what a phase leaves unpaired is offered to the next one. Never pairs by position.
 * Unpaired items come back alone (added or removed).
 */
export function pairEntries<T>(base: readonly T[], head: readonly T[], identities: readonly Identity<T>[]): EntryPair<T>[] {
  let baseLeft: Entry<T>[] = base.map((value, index) => ({ value, index }));
  let headLeft: Entry<T>[] = head.map((value, index) => ({ value, index }));
  const paired: EntryPair<T>[] = [];
  identities.forEach((identity, phase) => {
    const ids = new Map<Entry<T>, string>();
    for (const entry of [...baseLeft, ...headLeft]) {
      const id = identity(entry.value);
      if (id !== undefined) ids.set(entry, id);
    }
    const candidates = (entries: Entry<T>[]) => entries.filter((entry) => ids.has(entry));
    for (const pair of pairByIdentity(candidates(baseLeft), candidates(headLeft), (entry) => ids.get(entry) ?? "")) {
      if (!pair.base || !pair.head) continue;
      paired.push({ key: `${phase}:${pair.key}`, base: pair.base, head: pair.head });
      baseLeft = baseLeft.filter((entry) => entry !== pair.base);
      headLeft = headLeft.filter((entry) => entry !== pair.head);
    }
  });
  return [
    ...paired,
    ...baseLeft.map((entry) => ({ key: `removed:${entry.index}`, base: entry })),
    ...headLeft.map((entry) => ({ key: `added:${entry.index}`, head: entry })),
  ];
}
