/**
 * One string for many equal ones. A parsed document holds a string of its own for every value (a
 * slice of its file's text): across a large tree that is tens of thousands of copies of
 * `PathPrefix`, `https` or `multicluster.x-k8s.io`, each with its own header, all kept to the end of
 * the review. Values shared through one table are held once.
 */
export type ShareString = (text: string) => string;

export function stringTable(): ShareString {
  const known = new Map<string, string>();
  return (text) => {
    const shared = known.get(text);
    if (shared !== undefined) return shared;
    known.set(text, text);
    return text;
  };
}

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
