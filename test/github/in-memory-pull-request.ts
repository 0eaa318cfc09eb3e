import type { Permission, PullRequestFacts, PullRequestSource, CommentFacts, ReviewFacts } from "../../src/github/pull-request-source.js";
import { listedUser, permissionAtLeast } from "../../src/github/pull-request-source.js";
import type { SourceFile } from "../../src/review.js";

/** A pull request held as plain data: the in-memory PullRequestSource for tests. */
export interface InMemoryPullRequest {
  facts: PullRequestFacts;
  base: Record<string, string>;
  head: Record<string, string>;
  comments: CommentFacts[];
  reviews: ReviewFacts[];
  commitAuthors: string[];
  /** Commits GitHub links to no login. */
  unlinkedCommits?: number;
  truncated?: boolean;
  /** `org/team` → member logins. */
  teams: Record<string, string[]>;
  permissions: Record<string, Permission>;
}

const files = (tree: Record<string, string>): SourceFile[] => Object.entries(tree).map(([path, text]) => ({ path, text }));

export function inMemoryPullRequest(pr: InMemoryPullRequest): PullRequestSource {
  return {
    pullRequest: async () => pr.facts,
    tree: async (side) => files(side === "base" ? pr.base : pr.head),
    comments: async () => pr.comments,
    reviews: async () => pr.reviews,
    commitAuthors: async () => ({
      logins: pr.commitAuthors,
      shas: [pr.facts.headSha],
      unlinkedCommits: pr.unlinkedCommits ?? 0,
      truncated: pr.truncated ?? false,
    }),
    isMember: async (login, group) =>
      listedUser(login, group) ||
      group.teams.some((team) => (pr.teams[team] ?? []).includes(login)) ||
      (group.permission !== undefined && permissionAtLeast(pr.permissions[login] ?? "none", group.permission)),
  };
}
