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
  /** Medians of the user and system parts; absent in results written before they were measured apart. */
  readonly userMicrosPerRequest?: number;
  readonly systemMicrosPerRequest?: number;
  readonly bytesPerRequest: number;
  readonly unexpected: number;
  readonly rounds: readonly RunResult[];
}

/**
 * Runs `run(i)` for every subject index `i`, `rounds` times, interleaved: forward in even rounds,
 * backward in odd ones, so no subject always runs first or right after the same neighbour.
 */
export async function interleaveRuns<T>(count: number, rounds: number, run: (index: number) => Promise<T>): Promise<T[][]> {
  const runs = Array.from({ length: count }, () => [] as T[]);
  for (let round = 0; round < rounds; round++) {
    const order = Array.from({ length: count }, (_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) (runs[i] as T[]).push(await run(i));
  }
  return runs;
}

/** Runs every subject `rounds` times, interleaved (forward, then backward, ...), after one warm-up run each. */
export async function interleave(
  subjects: readonly Subject[],
  options: { rounds: number; durationMs: number; warmupMs: number },
): Promise<Measured[]> {
  if (options.warmupMs > 0) for (const subject of subjects) await subject.run(options.warmupMs);
  const runs = await interleaveRuns(subjects.length, options.rounds, (i) => (subjects[i] as Subject).run(options.durationMs));
  return subjects.map((subject, i) => {
    const rounds = runs[i] as RunResult[];
    return {
      label: subject.label,
      perSecond: median(rounds.map((r) => r.perSecond)),
      cpuMicrosPerRequest: median(rounds.map((r) => r.cpuMicrosPerRequest)),
      userMicrosPerRequest: median(rounds.map((r) => r.userMicrosPerRequest)),
      systemMicrosPerRequest: median(rounds.map((r) => r.systemMicrosPerRequest)),
      bytesPerRequest: median(rounds.map((r) => r.bytesPerRequest)),
      unexpected: rounds.reduce((sum, r) => sum + r.unexpected, 0),
      rounds,
    };
  });
}

/** The median over rounds of `subject`'s figure divided by `base`'s in the same round. */
export function roundRatio(subject: Measured, base: Measured, figure: 'perSecond' | 'cpuMicrosPerRequest'): number {
  return median(subject.rounds.map((r, i) => r[figure] / (base.rounds[i] as RunResult)[figure]));
}

/**
 * The CPU ratio of the targets: the median over rounds of `base`'s server CPU per request divided
 * by `subject`'s in the same round. 1.0 is no overhead; below 1, the subject costs more CPU.
 * Same direction as the req/s ratio (`roundRatio(subject, base, 'perSecond')`), so the two compare.
 */
export function cpuRatio(subject: Measured, base: Measured): number {
  return median(subject.rounds.map((r, i) => (base.rounds[i] as RunResult).cpuMicrosPerRequest / r.cpuMicrosPerRequest));
}
