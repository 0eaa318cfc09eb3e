import { describe, expect, it } from "vitest";
import { analysisSlots } from "../../src/isolation/analysis-slots.js";

describe("analysis slots", () => {
  it("runs at most as many at once as there are slots, the rest in the order they came, and frees a slot on failure", async () => {
    const slot = analysisSlots(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const work = (n: number) =>
      slot(async () => {
        started.push(n);
        most = Math.max(most, ++running);
        await new Promise((resolve) => setTimeout(resolve, 10));
        running--;
        if (n === 1) throw new Error("over the limit");
        return n;
      });
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map(work));
    expect(most).toBe(2);
    expect(started).toEqual([1, 2, 3, 4, 5]);
    expect(results.map((result) => result.status)).toEqual(["rejected", "fulfilled", "fulfilled", "fulfilled", "fulfilled"]);
    expect(await work(6)).toBe(6);
  });
});
