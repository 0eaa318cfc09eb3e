import { describe, expect, it } from "vitest";
import { sharePlace } from "../../src/core/shared-place.js";

const placed = (file: string, sites: Record<string, readonly string[]> = {}) => ({ file, sites: (path: string) => sites[path] ?? [] });

describe("sharePlace", () => {
  it("where placement does not say, only files of one folder meet", () => {
    expect(sharePlace(placed("gke-1/a.yaml"), placed("gke-1/b.yaml"))).toBe(true);
    expect(sharePlace(placed("gke-1/a.yaml"), placed("gke-2/a.yaml"))).toBe(false);
    expect(sharePlace(placed("a.yaml"), placed("b.yaml"))).toBe(true);
  });

  it("where it says, files meet on a cluster they share, whatever their folders", () => {
    const sites = { "a/x.yaml": ["prod"], "b/x.yaml": ["prod", "staging"], "c/x.yaml": ["staging"] };
    expect(sharePlace(placed("a/x.yaml", sites), placed("b/x.yaml", sites))).toBe(true);
    expect(sharePlace(placed("a/x.yaml", sites), placed("c/x.yaml", sites))).toBe(false);
    // One placed, the other not: only the same folder.
    expect(sharePlace(placed("a/x.yaml", sites), placed("d/x.yaml", sites))).toBe(false);
    expect(sharePlace(placed("a/x.yaml", sites), placed("a/y.yaml", sites))).toBe(true);
  });
});
