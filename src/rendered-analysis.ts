import { analyzeChange, outcomeOf, type AnalysisOutcome, type ChangeInput } from "./review.js";
import { renderForReview } from "./render/render-change.js";

/** How the App and the Action have a change rendered before it is analysed (render/render-change.ts renderForReview). */
export interface RenderRequest {
  /** Wall-clock budget for each side's renders (they run side by side), ms. */
  readonly budgetMs: number;
  /** Why rendering is off for this caller, if it is: the report says so. */
  readonly off?: string;
}

/** A change as the App and the Action hand it to the analysis: its trees as read, and how to render them. */
export type AnalysisRequest = Omit<ChangeInput, "cache" | "rendered" | "collect"> & { readonly render?: RenderRequest };

/**
 * Renders the change (kustomize, Helm) and analyses it: the step after reading a pull request.
 * The App runs it in its analysis thread, so the thread that takes webhooks never loads the
 * families the render plan reads manifests with (the worker Lambda's cold start, issue 4), and a
 * merge group's analyses render as a pull request's do.
 */
export async function analyzeRendered({ render, ...change }: AnalysisRequest, onRendered?: () => void): Promise<AnalysisOutcome> {
  const rendered = render
    ? await renderForReview(change.base, change.head, change.policy, { ...render, ...(change.links ? { links: change.links } : {}) })
    : undefined;
  onRendered?.();
  return outcomeOf(analyzeChange({ ...change, ...(rendered ? { rendered } : {}) }));
}
