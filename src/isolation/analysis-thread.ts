import { parentPort } from "node:worker_threads";
import { analyzeChange, outcomeOf, type ChangeInput } from "../review.js";
import { THREAD_READY } from "./thread-ready.js";
import { shareUnchangedTexts } from "../sources/shared-texts.js";

/**
 * The entry of a thread the App analyses changes in, one at a time (isolated-analysis.ts): it starts
 * ahead of the evaluation that takes it, so each change comes as a message, and its outcome goes back
 * as one. An error thrown here reaches the App as the thread's error, and the thread is not reused.
 */
parentPort?.on("message", (input: ChangeInput) =>
  // The copy across threads gave each tree strings of its own.
  parentPort?.postMessage(outcomeOf(analyzeChange({ ...input, head: shareUnchangedTexts(input.base, input.head) }))),
);
// Loaded: a change's time limit counts from here, so a slow start on a busy machine is not charged to the PR.
parentPort?.postMessage(THREAD_READY);
