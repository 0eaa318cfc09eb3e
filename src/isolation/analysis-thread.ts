import { parentPort } from "node:worker_threads";
import { analyzeRendered, type AnalysisRequest } from "../rendered-analysis.js";
import { THREAD_READY, THREAD_RENDERED } from "./thread-ready.js";
import { shareUnchangedTexts } from "../sources/shared-texts.js";

/**
 * The entry of a thread the App renders and analyses changes in, one at a time (isolated-analysis.ts):
 * it starts ahead of the evaluation that takes it, so each change comes as a message, and its outcome
 * goes back as one. An error thrown here reaches the App as the thread's error, and the thread is not reused.
 */
parentPort?.on("message", (input: AnalysisRequest) => {
  // The copy across threads gave each tree strings of its own. A rejection is this thread's
  // uncaught error, which the App reports.
  void analyzeRendered({ ...input, head: shareUnchangedTexts(input.base, input.head) }, () =>
    parentPort?.postMessage(THREAD_RENDERED),
  ).then((outcome) => parentPort?.postMessage(outcome));
});
// Loaded: a change's time counts from here (its analysis's limit from its renders' end:
// isolated-analysis.ts), so a slow start on a busy machine is not charged to the PR.
parentPort?.postMessage(THREAD_READY);
