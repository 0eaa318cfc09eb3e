import { parentPort } from "node:worker_threads";
import { analyzeChange, outcomeOf, type ChangeInput } from "../review.js";
import { THREAD_READY } from "./thread-ready.js";

/**
 * The entry of a thread the App analyses changes in, one at a time (isolated-analysis.ts): it starts
 * ahead of the evaluation that takes it, so each change comes as a message, and its outcome goes back
 * as one. An error thrown here reaches the App as the thread's error, and the thread is not reused.
 */
parentPort?.on("message", (input: ChangeInput) => parentPort?.postMessage(outcomeOf(analyzeChange(input))));
// Loaded: a change's time limit counts from here, so a slow start on a busy machine is not charged to the PR.
parentPort?.postMessage(THREAD_READY);
