import picomatch from "picomatch";
import type { Paths } from "./policy-schema.js";

/** Whether the policy's `paths` review a file: it matches an include glob and no exclude glob. */
export function compilePathScope(paths: Paths): (path: string) => boolean {
  const included = picomatch([...paths.include], { dot: true });
  const excluded = paths.exclude.length > 0 ? picomatch([...paths.exclude], { dot: true }) : () => false;
  return (path) => included(path) && !excluded(path);
}
