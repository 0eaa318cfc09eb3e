import { mergeLedgers, type LedgerReading, type MergedLedger } from "../governance/ledger.js";
import { readLedger } from "./approval-ledger.js";
import type { CommentFacts, PullRequestSource } from "./pull-request-source.js";

/**
 * Where the App reads its approval ledger back from (ledger.ts says what it keeps and how copies
 * merge): its living comment, and the last check run it completed for the PR, whose text ends with
 * the same signed block and which no participant can write. The head's check runs are read on
 * every evaluation (one call). Without the App's comment or a report on the head, the PR's events
 * tell whether the App has reported on it before (it labels every PR it reports on): if not, this
 * is the first evaluation. If it has and no comment holds a valid copy, earlier commits of the PR
 * are read too, newest first and at most MAX_EARLIER of them (a push evaluated after the comment
 * was deleted has no report of its own yet); nothing there, and the record is lost.
 */
export interface KeptLedgerFacts {
  /** `owner/repo#number`, which every copy must name. */
  readonly prKey: string;
  readonly headSha: string;
  /** The App's living comments, oldest first. */
  readonly ownComments: readonly CommentFacts[];
  /** The ledger key, then the ones still accepted during a rotation. */
  readonly keys: readonly string[];
  readonly appId: number;
  readonly now: Date;
}

/** Commits before the head whose check runs are read, when the comment holds no valid copy. */
const MAX_EARLIER = 10;

export async function readKeptLedger(source: PullRequestSource, facts: KeptLedgerFacts): Promise<MergedLedger> {
  const { prKey, headSha, ownComments, keys, appId, now } = facts;
  const comments = ownComments.map((comment) => readLedger(comment.body, keys, prKey, comment.updatedAt));
  const reportOn = async (sha: string): Promise<{ reading: LedgerReading; sha: string } | undefined> => {
    for (const run of (await source.reports?.(sha, appId)) ?? []) {
      const reading = readLedger(run.text, keys, prKey);
      if (reading.status !== "absent") return { reading, sha };
    }
    return undefined;
  };
  let report = await reportOn(headSha);
  const reportedBefore = ownComments.length > 0 || report !== undefined || ((await source.labelledBy?.(appId)) ?? false);
  if (!report && reportedBefore && !comments.some((reading) => reading.status === "valid")) {
    const earlier = (await source.commitAuthors()).shas.filter((sha) => sha !== headSha).reverse();
    for (const sha of source.reports ? earlier.slice(0, MAX_EARLIER) : []) if ((report = await reportOn(sha))) break;
  }
  return mergeLedgers(prKey, { comments, ...(report ? { report } : {}), reportedBefore, now });
}
