import { kustomizeRenderOrigin } from "./kustomize-inclusion.js";
import { listedNames } from "./removed-while-named.js";
import { displayName, type Resource } from "./resource.js";

/**
 * Objects as a summary names them: each identity once, however many copies of it the tree holds
 * (one per cluster a file lands on, one per example folder: gateway-api-inference-extension writes
 * HTTPRoute default/llm-route once for each of five implementations, named five times in a row),
 * with the files where the copies are written in more than one, since those may differ. A render's
 * copy is shown at the kustomization it builds, the file a reviewer opens. In the order first met.
 */
export function copiesNamed(resources: Iterable<Resource>): string[] {
  const files = new Map<string, Set<string>>();
  for (const resource of resources) {
    const name = displayName(resource.id);
    const file = kustomizeRenderOrigin(resource.source.file) ?? resource.source.file;
    const known = files.get(name);
    if (known) known.add(file);
    else files.set(name, new Set([file]));
  }
  return [...files].map(([name, written]) =>
    written.size < 2 ? name : `${name} (in ${written.size} files: ${listedNames([...written].sort())})`,
  );
}
