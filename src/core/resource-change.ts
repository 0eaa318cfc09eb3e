import type { Resource } from "./resource.js";

/**
 * How base and head of a change are two versions of one object written in two files, where each
 * is its own resource (keyed by its file) and one of them has no counterpart in its own file:
 * `added`, a file now writes another version beside those the base already wrote (head is it,
 * base the version it is judged against); `removed`, a file no longer writes its version while
 * another file still writes the object (base is it, head the version that stays).
 */
export type VersionChange = "added" | "removed";

/** One traffic resource at base and at head, matched by identity: added, removed, or on both sides. */
export type ResourceChange =
  | { readonly key: string; readonly base?: undefined; readonly head: Resource }
  | { readonly key: string; readonly base: Resource; readonly head?: undefined }
  | { readonly key: string; readonly base: Resource; readonly head: Resource; readonly version?: VersionChange };
