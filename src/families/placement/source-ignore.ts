import picomatch from "picomatch";

/**
 * What Flux's source-controller leaves out of a GitRepository's artifact (fluxcd/pkg sourceignore,
 * source-controller's archive filter): the `.sourceignore` file of the root and of every folder
 * below it, each scoped to its folder and read root first then folder by folder in name order, then
 * the GitRepository's `spec.ignore` (scoped to the root) last, so it overrules them. Where none of
 * those gives a pattern, the defaults apply (VCS files, images and archives, CI files, `.sops.yaml`);
 * where one does, only the VCS ones do. A file left out is in no build of the source: Flux prunes
 * what it applied from there, as if the file were deleted.
 *
 * Matching is go-git v5's gitignore matcher, which source-controller uses (fluxcd/go-git,
 * plumbing/format/gitignore), file by file: the last pattern matching a file decides, a pattern
 * without a slash matches any path element below its folder, one with a slash matches from its
 * folder, and one matching a folder matches what it holds. Each path element is matched as Go's
 * filepath.Match does, here by picomatch on one segment (no braces or extglobs, which it lacks).
 */

const VCS = [".git/", ".gitignore", ".gitmodules", ".gitattributes"];
const DEFAULTS = [
  ...["*.jpg", "*.jpeg", "*.gif", "*.png", "*.wmv", "*.flv", "*.tar.gz", "*.zip"],
  ...[".github/", ".circleci/", ".travis.yml", ".gitlab-ci.yml", "appveyor.yml", ".drone.yml", "cloudbuild.yaml"],
  ...["codeship-services.yml", "codeship-steps.yml", "**/.goreleaser.yml", "**/.sops.yaml", "**/.flux.yaml"],
];

interface Pattern {
  readonly domain: readonly string[];
  readonly segments: readonly ((name: string) => boolean)[];
  /** `**` segments, by position. */
  readonly anyDepth: readonly boolean[];
  readonly empty: readonly boolean[];
  readonly inclusion: boolean;
  readonly dirOnly: boolean;
  readonly isGlob: boolean;
}

const segmentMatcher = (segment: string): ((name: string) => boolean) => {
  if (!/[*?[\\]/.test(segment)) return (name) => name === segment;
  const matcher = picomatch(segment, { dot: true, nobrace: true, noextglob: true, nonegate: true });
  return (name) => matcher(name);
};

/** One line of an ignore file as go-git parses it (ParsePattern). */
function parse(line: string, domain: readonly string[]): Pattern {
  let pattern = line;
  const inclusion = pattern.startsWith("!");
  if (inclusion) pattern = pattern.slice(1);
  if (!pattern.endsWith("\\ ")) pattern = pattern.replace(/ +$/, "");
  const dirOnly = pattern.endsWith("/");
  if (dirOnly) pattern = pattern.slice(0, -1);
  const parts = pattern.split("/");
  return {
    domain,
    segments: parts.map(segmentMatcher),
    anyDepth: parts.map((part) => part === "**"),
    empty: parts.map((part) => part === ""),
    inclusion,
    dirOnly,
    isGlob: pattern.includes("/"),
  };
}

/** The patterns of an ignore file's text (ReadPatterns): every line but blank ones and comments. */
const readPatterns = (text: string, domain: readonly string[]): Pattern[] =>
  text
    .split("\n")
    .map((line) => line.replace(/\r$/, ""))
    .filter((line) => !line.startsWith("#") && line.trim() !== "")
    .map((line) => parse(line, domain));

/** A pattern without a slash: any element of the path below its folder (simpleNameMatch), the file itself only if not a folder pattern. */
function simpleNameMatch(pattern: Pattern, path: readonly string[]): boolean {
  const at = path.findIndex((element) => pattern.segments[0]!(element));
  return at >= 0 && !(pattern.dirOnly && at === path.length - 1);
}

/**
 * A pattern with a slash: from its folder, element by element, `**` any number of them (globMatch);
 * what is left below is held by the match, so `!/kubernetes` after `/*` includes kubernetes/ again.
 */
function globMatch(pattern: Pattern, whole: readonly string[]): boolean {
  let path = whole;
  let matched = false;
  let canTraverse = false;
  const last = pattern.segments.length - 1;
  for (let i = 0; i <= last; i++) {
    if (pattern.empty[i]) {
      canTraverse = false;
      continue;
    }
    if (pattern.anyDepth[i]) {
      if (i === last) break;
      canTraverse = true;
      continue;
    }
    if (path.length === 0) return false;
    if (canTraverse) {
      canTraverse = false;
      while (path.length > 0) {
        const element = path[0]!;
        path = path.slice(1);
        if (pattern.segments[i]!(element)) {
          matched = true;
          break;
        }
        if (path.length === 0) matched = false;
      }
    } else {
      if (!pattern.segments[i]!(path[0]!)) return false;
      matched = true;
      path = path.slice(1);
      // A file does not match a pattern that goes on below it.
      if (path.length === 0 && i < last) matched = false;
    }
  }
  return matched && !(pattern.dirOnly && path.length === 0);
}

/** Whether the pattern excludes the file, includes it again, or says nothing (undefined). */
function verdict(pattern: Pattern, path: readonly string[]): boolean | undefined {
  if (path.length <= pattern.domain.length || pattern.domain.some((element, i) => path[i] !== element)) return undefined;
  const below = path.slice(pattern.domain.length);
  const matches = pattern.isGlob ? globMatch(pattern, below) : simpleNameMatch(pattern, below);
  return matches ? !pattern.inclusion : undefined;
}

const folderElements = (file: string): string[] => file.split("/").slice(0, -1);

/** Root first, then each folder's before those below it, siblings by name: LoadIgnorePatterns' walk. */
const walkOrder = (a: readonly string[], b: readonly string[]): number => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length - b.length;
};

/**
 * Whether source-controller leaves a file out of a GitRepository's artifact, given the tree's
 * `.sourceignore` files (path → text) and the GitRepository's `spec.ignore`.
 */
export function sourceIgnored(
  ignoreFiles: ReadonlyMap<string, string> | undefined,
  specIgnore: string | undefined,
): (file: string) => boolean {
  const files = [...(ignoreFiles ?? [])].map(([path, text]) => ({ domain: folderElements(path), text }));
  files.sort((a, b) => walkOrder(a.domain, b.domain));
  const given = [...files.flatMap(({ domain, text }) => readPatterns(text, domain)), ...readPatterns(specIgnore ?? "", [])];
  const patterns = [...VCS.map((line) => parse(line, [])), ...(given.length > 0 ? given : DEFAULTS.map((line) => parse(line, [])))];
  return (file) => {
    const path = file.split("/");
    for (let i = patterns.length - 1; i >= 0; i--) {
      const excluded = verdict(patterns[i]!, path);
      if (excluded !== undefined) return excluded;
    }
    return false;
  };
}
