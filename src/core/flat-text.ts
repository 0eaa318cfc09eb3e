/**
 * A string built by concatenation (`${entry}|${host}|${match}`) is a rope: a node per `+`, each
 * holding its two parts, until something reads it whole. A key or label kept for the whole review
 * is made flat once, its characters in one piece: a flow key's rope is a dozen nodes, its text
 * one. Converting to a number is what flattens a string in V8 (the rope then only points at its
 * flat text, and the collector drops it).
 */
export function flatText(text: string): string {
  Number(text);
  return text;
}
