import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { shared } from "../../scripts/bundle-options.mjs";

/**
 * The App's worker evaluates PRs and leaves the analysis to a thread of its own: what the worker
 * imports on a cold start should not include the analysis engine (review, model, graph,
 * detectors), which only that thread runs. Read from esbuild's own module graph, so type-only
 * imports (erased in the bundle) do not count.
 */
describe("the Lambda worker's bundle", () => {
  it("reaches governance and reports, not the analysis engine", async () => {
    const result = await build({
      ...shared,
      entryPoints: ["src/lambda-worker.ts"],
      external: ["@aws-sdk/*"],
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const modules = Object.keys(result.metafile.inputs);
    expect(modules).toContain("src/governance/review-decision.ts");
    for (const engine of ["src/review.ts", "src/model/build-model.ts", "src/graph/graph-review.ts", "src/detect/detectors.ts"])
      expect(modules).not.toContain(engine);
  });
});
