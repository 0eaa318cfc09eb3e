import { mergeLedgers, type LedgerReading, type MergedLedger } from "../governance/ledger.js";
import { carriesLedger, readLedger } from "./approval-ledger.js";
import type { CommentFacts, PullRequestSource } from "./pull-request-source.js";

/**
 * Where the App reads its approval ledger back from (ledger.ts says what it keeps and how copies
 * merge): its living comment, and the last check run it opened for the PR, whose text ends with
 * the same signed block and which no participant can write. The head's check runs are read on
 * every evaluation (one call). Without the App's comment or a report on the head, the PR's events
 * tell whether the App has reported on it before (it labels every PR it reports on): if not, this
 * is the first evaluation. If it has and no comment holds a valid copy, earlier commits of the PR
 * are read too, newest first and at most MAX_EARLIER of them (a push evaluated after the comment
 * was deleted has no report of its own yet); nothing there, and the record is lost.
 *
 * Only the newest run counts, whatever it holds. An evaluation writes the comment before it
 * concludes its run, so a run without a copy (its evaluation failed, or never finished) may follow
 * a comment write that recorded more than any older run holds (review: sam's `/hold` was written
 * to the comment, concluding the run failed, ana deleted the hold and the comment, and the older
 * run's copy, from before the hold, passed the PR). An older copy never stands in for it: without
 * a valid comment copy, the record is lost and the App holds the PR.
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
  /** The first check run this evaluation opened: it and later runs are not earlier reports. */
  readonly firstRun?: number;
}

/** Commits before the head whose check runs are read, when the comment holds no valid copy. */
const MAX_EARLIER = 10;

/** The newest earlier report on one commit, and whether any of that commit's reports carries a copy. */
interface CommitReports {
  readonly newest?: { readonly reading: LedgerReading; readonly sha: string };
  readonly carried: boolean;
}

export async function readKeptLedger(source: PullRequestSource, facts: KeptLedgerFacts): Promise<MergedLedger> {
  const { prKey, headSha, ownComments, keys, appId, now, firstRun } = facts;
  const comments = ownComments.map((comment) => readLedger(comment.body, keys, prKey, comment.updatedAt));
  const reportsOn = async (sha: string): Promise<CommitReports> => {
    const runs = ((await source.reports?.(sha, appId)) ?? []).filter((run) => firstRun === undefined || run.id < firstRun);
    // Only the newest run's copy is read (verified, decoded); the others only say whether one was kept.
    return {
      ...(runs[0] ? { newest: { reading: readLedger(runs[0].text, keys, prKey), sha } } : {}),
      carried: runs.some((run) => carriesLedger(run.text)),
    };
  };
  const head = await reportsOn(headSha);
  let report = head.newest;
  const reportedBefore = ownComments.length > 0 || head.carried || ((await source.labelledBy?.(appId)) ?? false);
  if (!report && reportedBefore && !comments.some((reading) => reading.status === "valid")) {
    const earlier = (await source.commitAuthors()).shas.filter((sha) => sha !== headSha).reverse();
    for (const sha of source.reports ? earlier.slice(0, MAX_EARLIER) : []) if ((report = (await reportsOn(sha)).newest)) break;
  }
  return mergeLedgers(prKey, { comments, ...(report ? { report } : {}), reportedBefore, now });
}
