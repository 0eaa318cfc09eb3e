import { pathToFileURL } from "node:url";
import { inject } from "vitest";
import type { AnalysisThread } from "../../src/isolation/isolated-analysis.js";

/** The App's analysis thread built from the sources for this test run (build-analysis-thread.ts). */
export const SOURCE_ANALYSIS_THREAD: AnalysisThread = { url: pathToFileURL(inject("analysisThread")) };
