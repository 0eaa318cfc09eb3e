import { Worker } from "node:worker_threads";
import type { AnalysisOutcome } from "../review.js";
import type { AnalysisRequest } from "../rendered-analysis.js";
import { analysisSlots } from "./analysis-slots.js";
import { THREAD_READY, THREAD_RENDERED } from "./thread-ready.js";

/**
 * Runs each analysis (its renders first) in a worker thread of its own, with a heap and a time
 * limit (issue 12). A PR whose YAML makes the analysis run away — huge generated files, anchors
 * expanding within the loader's cap, a pathological graph — exhausts its thread, not the process:
 * the thread is stopped, that PR's evaluation fails with the limit it hit, and every other
 * evaluation goes on.
 */
export interface AnalysisLimits {
  /** The thread's heap (V8 old generation), MB. */
  readonly memoryMb: number;
  /** Analyses running at once in this process (others wait for a slot): bounds memory to this × memoryMb. */
  readonly concurrent?: number;
  /** Wall-clock time for one analysis, ms: from a loaded thread's renders' end (they have their own budget) to the result. */
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

/** Renders (when asked) and analyses a change in a thread: src/rendered-analysis.ts analyzeRendered. */
export type IsolatedAnalysis = (input: AnalysisRequest) => Promise<AnalysisOutcome>;

// V8 allots the young generation and the stack on top of the old generation's limit.
const YOUNG_GENERATION_SHARE = 1 / 16;
const STACK_MB = 4;
// What a thread may take to load before it counts as stuck, even on a busy machine.
const LOAD_ALLOWANCE_MS = 5_000;
// Renders stop their tools when their budget runs out; planning them takes a fraction of a second.
const RENDER_ALLOWANCE_MS = 5_000;
const ADVICE = "split the pull request into smaller ones, or raise the limit";

/**
 * A change's time in its thread: its renders' budget (0 when it renders nothing), then the
 * analysis's limit from when they are done.
 */
interface TimeLimit {
  readonly renderMs: number;
  readonly analysisMs: number;
}

interface StartedThread {
  /** Hands a change over; the thread is stopped if it fails or runs out of time, and kept for the next change if it answers. */
  readonly run: (input: AnalysisRequest, limit: TimeLimit) => Promise<AnalysisOutcome>;
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
  let loaded = false;
  // The clock of the change handed over before the thread loaded (a thread takes one at a time).
  let onLoaded: (() => void) | undefined;
  // The analysis's clock, started when the change's renders are done.
  let onRendered: (() => void) | undefined;
  let pending: { resolve: (outcome: AnalysisOutcome) => void; reject: (error: Error) => void } | undefined;
  // Why the thread can take no more work; a thread that fails while it waits tells the evaluation that takes it.
  let failure: Error | undefined;
  const fail = (error: Error) => {
    failure ??= error;
    pending?.reject(error);
    pending = undefined;
  };
  worker.on("message", (message: AnalysisOutcome | typeof THREAD_READY | typeof THREAD_RENDERED) => {
    if (message === THREAD_READY) {
      loaded = true;
      onLoaded?.();
      onLoaded = undefined;
      return;
    }
    if (message === THREAD_RENDERED) {
      onRendered?.();
      onRendered = undefined;
      return;
    }
    pending?.resolve(message);
    pending = undefined;
  });
  worker.on("error", (error: Error & { code?: string }) => {
    if (error.code === "ERR_WORKER_OUT_OF_MEMORY")
      fail(
        new AnalysisLimitError(
          `the analysis of this pull request needed more than its memory limit of ${memoryMb} MB (ANALYSIS_MEMORY_MB) and was stopped: ${ADVICE}`,
        ),
      );
    else if (error instanceof RangeError && /call stack/i.test(error.message))
      fail(new AnalysisLimitError(`the analysis of this pull request nested deeper than its ${STACK_MB} MB stack allows: ${ADVICE}`));
    else fail(error);
  });
  worker.on("messageerror", fail);
  worker.on("exit", (code) => fail(new Error(`the analysis thread stopped (exit code ${code}) without a result: re-run the check`)));
  // Waiting for work, the thread must not keep the process alive (a Lambda invocation ends when
  // its loop is empty). After the listeners: adding a message listener refs the thread again.
  worker.unref();
  const stop = () => {
    failure ??= new Error("the analysis thread was stopped");
    void worker.terminate();
  };
  return {
    stop,
    run: (input, { renderMs, analysisMs }) => {
      if (failure) return Promise.reject(failure);
      worker.ref();
      let timer: NodeJS.Timeout | undefined;
      const answer = new Promise<AnalysisOutcome>((resolve, reject) => {
        pending = { resolve, reject };
        const stopAfter = (error: Error, ms: number) =>
          setTimeout(() => {
            fail(error);
            stop();
          }, ms);
        const startAnalysisClock = () => {
          clearTimeout(timer);
          timer = stopAfter(
            new AnalysisLimitError(
              `the analysis of this pull request ran past its time limit of ${analysisMs / 1000} s (ANALYSIS_TIMEOUT_MS) and was stopped: ${ADVICE}`,
            ),
            analysisMs,
          );
        };
        const startClock = () => {
          if (renderMs === 0) return startAnalysisClock();
          // Past its budget and more, a render is stuck rather than slow: the thread is stopped, and a retry may pass.
          const allowance = renderMs + RENDER_ALLOWANCE_MS;
          clearTimeout(timer);
          timer = stopAfter(new Error(`rendering this pull request did not end within ${allowance / 1000} s: re-run the check`), allowance);
          onRendered = startAnalysisClock;
        };
        if (loaded) startClock();
        else {
          // Loading is the same code for every PR and takes a fraction of a second: a thread that
          // has not loaded in far longer is stuck, and is stopped so that it frees its slot.
          const allowance = Math.max(analysisMs, LOAD_ALLOWANCE_MS);
          timer = stopAfter(new Error(`the analysis thread did not load within ${allowance / 1000} s: re-run the check`), allowance);
          onLoaded = startClock;
        }
      });
      worker.postMessage(input);
      return answer.then(
        (outcome) => {
          clearTimeout(timer);
          worker.unref();
          return outcome;
        },
        (error: unknown) => {
          clearTimeout(timer);
          stop();
          throw error;
        },
      );
    },
  };
}

/**
 * Threads waiting for work, by script and heap limit. A thread takes about as long to start as a
 * small analysis takes, so one starts loading when the App does, while the first evaluation still
 * waits for GitHub. A thread that answered is kept for the next evaluation (its compiled code makes
 * that one faster; a PR over a limit stops its thread, so it never reaches another). With one slot
 * the next analysis can only start once this one is done, so that thread takes it, and no other is
 * started meanwhile to take the CPU from the analysis; with more slots, one is started ahead when
 * none waits, for the analysis that may come beside this one. At most as many wait as may run at once.
 */
const waiting = new Map<string, StartedThread[]>();

export function isolatedAnalysis(limits: AnalysisLimits, thread: AnalysisThread = BUNDLED_ANALYSIS_THREAD): IsolatedAnalysis {
  const key = JSON.stringify([thread.url.href, thread.execArgv ?? [], limits.memoryMb]);
  const concurrent = limits.concurrent ?? 1;
  const slot = analysisSlots(concurrent);
  for (const [other, threads] of waiting) if (other !== key) for (const idle of threads.splice(0)) idle.stop();
  const idle = waiting.get(key) ?? [];
  waiting.set(key, idle);
  const startAhead = () => {
    if (idle.length === 0) idle.push(startThread(thread, limits.memoryMb));
  };
  // After the App's own loading, which the caller is in the middle of.
  setImmediate(startAhead);
  return (input) =>
    slot(async () => {
      const taken = idle.pop() ?? startThread(thread, limits.memoryMb);
      if (concurrent > 1) startAhead();
      try {
        const renderMs = input.render && input.render.off === undefined ? input.render.budgetMs : 0;
        const outcome = await taken.run(input, { renderMs, analysisMs: limits.timeoutMs });
        if (idle.length < concurrent) idle.push(taken);
        else taken.stop();
        return outcome;
      } catch (error) {
        // The thread was stopped: its successor loads now, while the CPU is free, for the next evaluation.
        startAhead();
        throw error;
      }
    });
}
