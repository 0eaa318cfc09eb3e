import { Worker } from "node:worker_threads";
import type { AnalysisOutcome, ChangeInput } from "../review.js";
import { analysisSlots } from "./analysis-slots.js";

/**
 * Runs each analysis in a worker thread of its own, with a heap and a time limit (issue 12). A
 * PR whose YAML makes the analysis run away — huge generated files, anchors expanding within the
 * loader's cap, a pathological graph — exhausts its thread, not the process: the thread is
 * stopped, that PR's evaluation fails with the limit it hit, and every other evaluation goes on.
 */
export interface AnalysisLimits {
  /** The thread's heap (V8 old generation), MB. */
  readonly memoryMb: number;
  /** Analyses running at once in this process (others wait for a slot): bounds memory to this × memoryMb. */
  readonly concurrent?: number;
  /** Wall-clock time for one analysis, from handing the change over to the result, ms. */
  readonly timeoutMs: number;
}

/** The script the thread runs, and the Node options it needs. */
export interface AnalysisThread {
  readonly url: URL;
  readonly execArgv?: readonly string[];
}

/**
 * scripts/build.mjs writes the thread's entry beside every bundle that runs the App: in a bundle
 * `import.meta.url` is the bundle's own file. Run from the TypeScript sources, pass another.
 */
export const BUNDLED_ANALYSIS_THREAD: AnalysisThread = { url: new URL("./analysis-thread.mjs", import.meta.url) };

/** The analysis ran past a limit: deterministic for the PR's trees, so only a smaller PR or a higher limit passes it. */
export class AnalysisLimitError extends Error {
  override readonly name = "AnalysisLimitError";
}

export type IsolatedAnalysis = (input: Omit<ChangeInput, "cache">) => Promise<AnalysisOutcome>;

// V8 allots the young generation and the stack on top of the old generation's limit.
const YOUNG_GENERATION_SHARE = 1 / 16;
const STACK_MB = 4;
const ADVICE = "split the pull request into smaller ones, or raise the limit";

interface StartedThread {
  /** Hands the change over; the thread is stopped once it answers, fails or runs out of time. */
  readonly run: (input: Omit<ChangeInput, "cache">, timeoutMs: number) => Promise<AnalysisOutcome>;
  readonly stop: () => void;
}

function startThread(thread: AnalysisThread, memoryMb: number): StartedThread {
  const worker = new Worker(thread.url, {
    execArgv: [...(thread.execArgv ?? [])],
    resourceLimits: {
      maxOldGenerationSizeMb: memoryMb,
      maxYoungGenerationSizeMb: Math.max(1, Math.round(memoryMb * YOUNG_GENERATION_SHARE)),
      stackSizeMb: STACK_MB,
    },
  });
  const outcome = new Promise<AnalysisOutcome>((resolve, reject) => {
    worker.once("message", resolve);
    worker.on("error", (error: Error & { code?: string }) => {
      if (error.code === "ERR_WORKER_OUT_OF_MEMORY")
        reject(
          new AnalysisLimitError(
            `the analysis of this pull request needed more than its memory limit of ${memoryMb} MB (ANALYSIS_MEMORY_MB) and was stopped: ${ADVICE}`,
          ),
        );
      else if (error instanceof RangeError && /call stack/i.test(error.message))
        reject(new AnalysisLimitError(`the analysis of this pull request nested deeper than its ${STACK_MB} MB stack allows: ${ADVICE}`));
      else reject(error);
    });
    worker.once("messageerror", reject);
    worker.once("exit", (code) => reject(new Error(`the analysis thread stopped (exit code ${code}) without a result: re-run the check`)));
  });
  // A thread that fails while it waits reports it to the evaluation that takes it.
  outcome.catch(() => undefined);
  // Waiting for work, the thread must not keep the process alive (a Lambda invocation ends when
  // its loop is empty). After the listeners: adding a message listener refs the thread again.
  worker.unref();
  const stop = () => void worker.terminate();
  return {
    stop,
    run: (input, timeoutMs) => {
      worker.ref();
      worker.postMessage(input);
      let timer: NodeJS.Timeout | undefined;
      const overtime = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new AnalysisLimitError(
                `the analysis of this pull request ran past its time limit of ${timeoutMs / 1000} s (ANALYSIS_TIMEOUT_MS) and was stopped: ${ADVICE}`,
              ),
            ),
          timeoutMs,
        );
      });
      return Promise.race([outcome, overtime]).finally(() => {
        clearTimeout(timer);
        stop();
      });
    },
  };
}

/**
 * The next evaluation's thread, started when the previous one takes its own: a thread takes about
 * as long to start as a small analysis takes. One per process, for the limits last used.
 */
let spare: (StartedThread & { readonly key: string }) | undefined;

export function isolatedAnalysis(limits: AnalysisLimits, thread: AnalysisThread = BUNDLED_ANALYSIS_THREAD): IsolatedAnalysis {
  const key = JSON.stringify([thread.url.href, thread.execArgv ?? [], limits.memoryMb]);
  const slot = analysisSlots(limits.concurrent ?? 1);
  return (input) =>
    slot(() => {
      const taken = spare?.key === key ? spare : startThread(thread, limits.memoryMb);
      if (spare !== taken) spare?.stop();
      spare = { key, ...startThread(thread, limits.memoryMb) };
      return taken.run(input, limits.timeoutMs);
    });
}
