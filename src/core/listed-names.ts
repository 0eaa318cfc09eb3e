/** `A, B, C and 2 more`: the first `shown` items of a list a summary names, and how many more there are. */
export const listed = (items: readonly string[], shown: number, separator = ", "): string =>
  items.length <= shown ? items.join(separator) : `${items.slice(0, shown).join(separator)} and ${items.length - shown} more`;
