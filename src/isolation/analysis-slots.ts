/**
 * At most `slots` pieces of work at once; the rest wait their turn, in order. Analyses beyond the
 * cores only share them, and each may take its whole heap limit: a burst of PRs on one server
 * waits instead of exhausting the machine.
 */
export function analysisSlots(slots: number): <T>(work: () => Promise<T>) => Promise<T> {
  let busy = 0;
  const waiting: (() => void)[] = [];
  return async (work) => {
    if (busy < slots) busy++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await work();
    } finally {
      // The slot passes straight to the next in line, or is freed.
      const next = waiting.shift();
      if (next) next();
      else busy--;
    }
  };
}
