import type { Resource } from "./resource.js";

/** One traffic resource at base and at head, matched by identity: added, removed, or on both sides. */
export type ResourceChange =
  | { readonly key: string; readonly base?: undefined; readonly head: Resource }
  | { readonly key: string; readonly base: Resource; readonly head?: undefined }
  | { readonly key: string; readonly base: Resource; readonly head: Resource };
