/**
 * A git repository's URL as one key however it is written (`git@github.com:o/r.git`,
 * `ssh://git@github.com/o/r`, `https://github.com/o/r/`): host and path, lower case, without
 * scheme, user, `.git` or trailing slashes.
 */
export const repositoryKey = (url: string): string =>
  url
    .trim()
    .toLowerCase()
    .replace(/^(?:[a-z+]+:\/\/)?(?:[^@/]+@)?/, "")
    .replace(/^([^/:]+):(?!\d)/, "$1/")
    .replace(/(?:\.git)?\/*$/, "");

/** Whether two repository URLs (Argo CD `repoURL`s, Flux GitRepository `url`s) name one repository. */
export const sameRepository = (a: string | undefined, b: string | undefined): boolean =>
  a !== undefined && b !== undefined && repositoryKey(a) === repositoryKey(b);
