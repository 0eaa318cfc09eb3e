import { parentPort } from "node:worker_threads";
import { analyzeChange, outcomeOf, type ChangeInput } from "../review.js";

/**
 * The entry of a thread the App analyses one change in (isolated-analysis.ts): it starts ahead of
 * the evaluation that takes it, so the change comes as a message, and its Analysis goes back as one.
 * An error thrown here reaches the App as the thread's error.
 */
parentPort?.once("message", (input: ChangeInput) => parentPort?.postMessage(outcomeOf(analyzeChange(input))));
