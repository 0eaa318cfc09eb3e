/** `./apps/prod/` → `apps/prod`; `.` and `./` → "" (the whole repository). */
export const normalizeRepoPath = (path: string): string => {
  const trimmed = path
    .trim()
    .replace(/^(?:\.\/)+/, "")
    .replace(/^\/+/, "")
    .replace(/\/+$/, "");
  return trimmed === "." ? "" : trimmed;
};

const foldersOfTree = new WeakMap<readonly string[], ReadonlySet<string>>();

/** Every folder of a tree's files (`a/b` and `a` for `a/b/c.yaml`), gathered once a tree. */
export function treeFolders(files: readonly string[]): ReadonlySet<string> {
  let folders = foldersOfTree.get(files);
  if (folders) return folders;
  const found = new Set<string>();
  for (const file of files) {
    for (let at = file.lastIndexOf("/"); at > 0; at = file.lastIndexOf("/", at - 1)) {
      const folder = file.slice(0, at);
      // Its own folders were added with it.
      if (found.has(folder)) break;
      found.add(folder);
    }
  }
  foldersOfTree.set(files, (folders = found));
  return folders;
}
