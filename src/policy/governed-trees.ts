import { isPolicyPath } from "./load-policy.js";
import type { SourceFile } from "../core/source-file.js";

/**
 * The trees a PR is governed on when the review's base is not the base branch's tip (the merge
 * base, before GitHub has a test-merge commit, or the Action's clone): the policy is still the
 * tip's (DESIGN §8), so a PR branched before the base tightened its policy is governed by the
 * tightened one (probe-app policy-from-merge-base: it was judged by the merge base's looser
 * policy). The tip's policy files (or their absence), under either spelling, stand in for the merge
 * base's, and for the head's when the PR leaves the policy alone, so the PR does not appear to
 * change it; a PR that edits it still shows its edit, against the tip's.
 */
export function governedTrees(
  mergeBase: readonly SourceFile[],
  head: readonly SourceFile[],
  tipPolicy: readonly SourceFile[],
): { base: SourceFile[]; head: SourceFile[] } {
  const policyOf = (files: readonly SourceFile[]) => JSON.stringify(files.filter((file) => isPolicyPath(file.path)));
  const withPolicy = (files: readonly SourceFile[]) => [...files.filter((file) => !isPolicyPath(file.path)), ...tipPolicy];
  const untouched = policyOf(mergeBase) === policyOf(head);
  return { base: withPolicy(mergeBase), head: untouched ? withPolicy(head) : [...head] };
}
