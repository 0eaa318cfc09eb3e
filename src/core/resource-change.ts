import type { Resource } from "./resource.js";

/** One traffic resource at base and at head, matched by identity (either side may be missing). */
export interface ResourceChange {
  readonly key: string;
  readonly base?: Resource;
  readonly head?: Resource;
}
