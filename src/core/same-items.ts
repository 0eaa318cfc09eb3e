/** The same items in the same order, compared by identity (`===`): what two trees share, not what equals. */
export const sameItems = <T>(a: readonly T[], b: readonly T[]): boolean =>
  a.length === b.length && a.every((item, index) => item === b[index]);
