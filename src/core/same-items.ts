/** The same items in the same order, compared by identity (`===`): what two trees share, not what equals. */
export const sameItems = <T>(a: readonly T[], b: readonly T[]): boolean =>
  a.length === b.length && a.every((item, index) => item === b[index]);

/**
 * What two builds of a stage were built from, field by field: the same objects, lists item by
 * item. A tree whose inputs to a stage are the other tree's takes that tree's result.
 */
export const sameInputs = <T extends object>(a: T, b: T): boolean =>
  (Object.keys(a) as (keyof T)[]).every((key) => {
    const [x, y] = [a[key], b[key]];
    return Array.isArray(x) && Array.isArray(y) ? sameItems(x, y) : x === y;
  });
