import * as z from "zod";

/**
 * The part of the workflow's event payload (`GITHUB_EVENT_PATH`) the Action needs: which PR.
 * The rest (heads, body, comments) is read from the API at run time, so a re-run or a run on a
 * later comment sees the PR as it is now, not as it was when the event fired.
 */
const Repository = z.object({ name: z.string().min(1), owner: z.object({ login: z.string().min(1) }) });

const PullRequestPayload = z.object({ pull_request: z.object({ number: z.number().int().positive() }), repository: Repository });

/** An issue comment carries `issue.pull_request` only when the issue is a pull request. */
const IssueCommentPayload = z.object({
  issue: z.object({ number: z.number().int().positive(), pull_request: z.looseObject({}).optional() }),
  repository: Repository,
});

export const PULL_REQUEST_EVENTS = ["pull_request", "pull_request_target", "pull_request_review", "issue_comment"] as const;

export type EventTarget =
  | { readonly kind: "pull-request"; readonly owner: string; readonly repo: string; readonly number: number }
  | { readonly kind: "ignored"; readonly why: string };

export function targetOf(eventName: string, payload: unknown): EventTarget {
  if (eventName === "issue_comment") {
    const { issue, repository } = IssueCommentPayload.parse(payload);
    if (!issue.pull_request) return { kind: "ignored", why: `#${issue.number} is an issue, not a pull request` };
    return { kind: "pull-request", owner: repository.owner.login, repo: repository.name, number: issue.number };
  }
  if ((PULL_REQUEST_EVENTS as readonly string[]).includes(eventName)) {
    const { pull_request, repository } = PullRequestPayload.parse(payload);
    return { kind: "pull-request", owner: repository.owner.login, repo: repository.name, number: pull_request.number };
  }
  throw new Error(`Route Governor reviews pull requests: run it on ${PULL_REQUEST_EVENTS.join(", ")}, not on ${eventName}`);
}
