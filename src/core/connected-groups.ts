/**
 * Items split into groups where any two that meet share a group, transitively (copies of one
 * object that are one text or applied together, meeting the next): for each item, the first item
 * of its group. Quadratic in the items: asked of the few definitions one name has.
 */
export function connectedGroups<T>(items: readonly T[], meet: (a: T, b: T) => boolean): T[] {
  // Each index's parent toward its group's smallest index.
  const root = items.map((_, index) => index);
  const find = (index: number): number => (root[index] === index ? index : (root[index] = find(root[index]!)));
  for (let i = 0; i < items.length; i++)
    for (let j = i + 1; j < items.length; j++) {
      const [a, b] = [find(i), find(j)];
      if (a !== b && meet(items[i]!, items[j]!)) root[Math.max(a, b)] = Math.min(a, b);
    }
  return items.map((_, index) => items[find(index)]!);
}
