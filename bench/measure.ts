/** Medians over repeated runs: one timing is noise on a shared 2-core machine. */
export const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export function report(label: string, samples: readonly number[], unit = "ms"): number {
  const result = median(samples);
  console.log(
    `${label.padEnd(48)} median ${result.toFixed(0).padStart(6)} ${unit}  (min ${Math.min(...samples).toFixed(0)}, max ${Math.max(...samples).toFixed(0)}, n=${samples.length})`,
  );
  return result;
}

export async function sample(runs: number, run: () => Promise<number> | number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) samples.push(await run());
  return samples;
}
