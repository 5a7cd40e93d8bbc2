/**
 * Interleaved measurement: the machine is shared and noisy, so every subject of a comparison runs
 * once per round, in an order that alternates between rounds, and each figure is a median over
 * rounds. A ratio is the median of the per-round ratios, each taken between runs seconds apart.
 */
import type { RunResult } from './load.js';
import { median } from './stats.js';

/** Something to measure: one run of a load against one server. */
export interface Subject {
  readonly label: string;
  run(durationMs: number): Promise<RunResult>;
}

/** The medians of one subject over the rounds, and every round kept for the record. */
export interface Measured {
  readonly label: string;
  readonly perSecond: number;
  readonly cpuMicrosPerRequest: number;
  readonly bytesPerRequest: number;
  readonly unexpected: number;
  readonly rounds: readonly RunResult[];
}

/** Runs every subject `rounds` times, interleaved (forward, then backward, ...), after one warm-up run each. */
export async function interleave(
  subjects: readonly Subject[],
  options: { rounds: number; durationMs: number; warmupMs: number },
): Promise<Measured[]> {
  const runs = subjects.map(() => [] as RunResult[]);
  if (options.warmupMs > 0) for (const subject of subjects) await subject.run(options.warmupMs);
  for (let round = 0; round < options.rounds; round++) {
    const order = subjects.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) (runs[i] as RunResult[]).push(await (subjects[i] as Subject).run(options.durationMs));
  }
  return subjects.map((subject, i) => {
    const rounds = runs[i] as RunResult[];
    return {
      label: subject.label,
      perSecond: median(rounds.map((r) => r.perSecond)),
      cpuMicrosPerRequest: median(rounds.map((r) => r.cpuMicrosPerRequest)),
      bytesPerRequest: median(rounds.map((r) => r.bytesPerRequest)),
      unexpected: rounds.reduce((sum, r) => sum + r.unexpected, 0),
      rounds,
    };
  });
}

/** The median over rounds of `subject`'s figure divided by `base`'s in the same round. */
export function roundRatio(subject: Measured, base: Measured, figure: 'perSecond' | 'cpuMicrosPerRequest'): number {
  return median(subject.rounds.map((r, i) => r[figure] / ((base.rounds[i] as RunResult)[figure])));
}
