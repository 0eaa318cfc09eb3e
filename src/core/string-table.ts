import { flatText } from "./flat-text.js";

/**
 * One string for many equal ones. A parsed document holds a string of its own for every value (a
 * slice of its file's text): across a large tree that is tens of thousands of copies of
 * `PathPrefix`, `https` or `multicluster.x-k8s.io`, each with its own header, all kept to the end of
 * the review. Values shared through one table are held once.
 *
 * The table is a fixed array of slots, each holding the last string seen of its length and first,
 * middle and last characters: a repeated value finds its copy in a few character reads, where a
 * Map hashed every string whole and grew with the unique ones (names, hosts), which cost more than
 * the copies saved (a fifth of a second at 2,000 files on Node 22). A string whose slot another took
 * is only held twice.
 */
export type ShareString = (text: string) => string;

const SLOTS = 1 << 14;

export function stringTable(): ShareString {
  const slots: (string | undefined)[] = new Array<string | undefined>(SLOTS).fill(undefined);
  return (text) => {
    const length = text.length;
    if (length === 0) return text;
    const slot =
      (length * 31 + text.charCodeAt(0) * 7 + text.charCodeAt(length >> 1) * 131 + text.charCodeAt(length - 1) * 1021) & (SLOTS - 1);
    const known = slots[slot];
    if (known === text) return known;
    slots[slot] = text;
    return text;
  };
}

/**
 * The model's vocabulary: a flow's entry (`Gateway infra/public:https [cluster]`), its match and its
 * path match, and a parentRef's entry. Each is built per rule by concatenation, so a tree of 20,000
 * routes on one Gateway held 20,000 ropes of each, their flattened copies and the nodes of the ropes
 * inside them (issue 13: 11 MB of a 2,000-file review's 219 MB at its peak, where a few hundred
 * distinct strings say it all). One table for every review a process makes: its slots bound what it
 * keeps, and a value is flattened before a slot holds it.
 */
const vocabulary = stringTable();
export const sharedText: ShareString = (text) => vocabulary(flatText(text));

/** Replaces, in place, every string of plain data (parsed YAML or JSON) by its shared copy. */
export function shareStrings<T>(value: T, share: ShareString): T {
  if (typeof value === "string") return share(value) as T;
  if (value !== null && typeof value === "object") shareWithin(value as Record<string, unknown>, share);
  return value;
}

// Only strings are written back: a collection is changed in place, never replaced.
function shareWithin(data: Record<string, unknown> | unknown[], share: ShareString): void {
  if (Array.isArray(data)) {
    for (let i = 0; i < data.length; i++) {
      const item = data[i];
      if (typeof item === "string") data[i] = share(item);
      else if (item !== null && typeof item === "object") shareWithin(item as Record<string, unknown>, share);
    }
    return;
  }
  for (const key of Object.keys(data)) {
    const item = data[key];
    if (typeof item === "string") data[key] = share(item);
    else if (item !== null && typeof item === "object") shareWithin(item as Record<string, unknown>, share);
  }
}
