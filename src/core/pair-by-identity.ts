/**
 * Pairs the items of two lists by identity, never by position (dyff's lesson: positions turn a
 * weight change into "removed + added"). Items whose identity repeats within one list are paired
 * in order of appearance among that identity.
 */
export interface Pair<T> {
  readonly key: string;
  readonly base?: T;
  readonly head?: T;
}

export function pairByIdentity<T>(base: readonly T[], head: readonly T[], identity: (item: T) => string): Pair<T>[] {
  const keyed = (items: readonly T[]) => {
    const seen = new Map<string, number>();
    return items.map((item) => {
      const id = identity(item);
      const n = seen.get(id) ?? 0;
      seen.set(id, n + 1);
      return [n === 0 ? id : `${id}#${n + 1}`, item] as const;
    });
  };
  const headByKey = new Map(keyed(head));
  const pairs: Pair<T>[] = [];
  for (const [key, item] of keyed(base)) {
    pairs.push({ key, base: item, head: headByKey.get(key) });
    headByKey.delete(key);
  }
  for (const [key, item] of headByKey) pairs.push({ key, head: item });
  return pairs;
}
