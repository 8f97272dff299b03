/** The value below which `fraction` of the samples fall (nearest rank). */
export function percentile(samples: number[], fraction: number): number {
  const sorted = [...samples].sort((first, second) => first - second);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] as number;
}

export const median = (samples: number[]) => percentile(samples, 0.5);

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

/** A figure measured over several rounds: the median, and the interquartile range as its spread. */
export interface Spread {
  median: number;
  low: number;
  high: number;
  rounds: number;
}

export function spreadOf(samples: number[], digits = 2): Spread {
  return {
    median: round(median(samples), digits),
    low: round(percentile(samples, 0.25), digits),
    high: round(percentile(samples, 0.75), digits),
    rounds: samples.length,
  };
}

/** `numerators[i] / denominators[i]` of each round: the ratio within a round, then its spread. */
export function ratioOf(numerators: number[], denominators: number[]): Spread {
  return spreadOf(numerators.map((value, index) => value / (denominators[index] as number)));
}

/**
 * Runs each measurement once to warm up (discarded), then `rounds` times in alternating order
 * (A B C, C B A, ...), so that a machine that drifts during the run hits every line alike and
 * the ratio within each round compares like with like. Returns each line's results by round.
 */
export async function interleave<Line extends string, Result>(
  lines: Record<Line, () => Promise<Result>>,
  rounds: number,
): Promise<Record<Line, Result[]>> {
  const names = Object.keys(lines) as Line[];
  for (const name of names) await lines[name]();
  const results = Object.fromEntries(names.map((name) => [name, [] as Result[]])) as Record<Line, Result[]>;
  for (let index = 0; index < rounds; index += 1) {
    for (const name of index % 2 === 0 ? names : [...names].reverse()) results[name].push(await lines[name]());
  }
  return results;
}
