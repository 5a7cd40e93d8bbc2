/**
 * How much `npm run bench` measures in each mode. Every CPU-per-request figure (allowed requests,
 * drops, refusals) uses the same method: a fresh server process per run, warmed up, then measured,
 * in `rounds` interleaved rounds. Full mode is the one the README quotes; `--quick` is for a look
 * during development; `--smoke` only checks that every section runs (its figures mean nothing).
 */

export type Mode = 'full' | 'quick' | 'smoke';

export interface Method {
  readonly mode: Mode;
  /** Interleaved rounds of every CPU comparison: every subject runs once per round. */
  readonly rounds: number;
  /** Length of one measured run. */
  readonly durationMs: number;
  /** Load against each fresh server before its measured run (Fastify's JIT needs more than a second). */
  readonly warmupMs: number;
  /** Drops of the RSS section. */
  readonly memoryDrops: number;
  /** Keep-alive requests in each allocation window, and rounds of the allocation comparison. */
  readonly allocRequests: number;
  readonly allocRounds: number;
}

export const METHODS: Readonly<Record<Mode, Method>> = {
  full: { mode: 'full', rounds: 9, durationMs: 3_000, warmupMs: 2_000, memoryDrops: 100_000, allocRequests: 50_000, allocRounds: 3 },
  quick: { mode: 'quick', rounds: 3, durationMs: 1_000, warmupMs: 500, memoryDrops: 20_000, allocRequests: 10_000, allocRounds: 3 },
  smoke: { mode: 'smoke', rounds: 2, durationMs: 300, warmupMs: 200, memoryDrops: 4_000, allocRequests: 2_000, allocRounds: 2 },
};

/** Connections in flight for the connection-per-request load. */
export const CONNECT_CONCURRENCY = 16;
/** The allowed request: a route of the 10-route table, and of the 1,000-route one. */
export const ALLOWED_PATH = '/r6/42';
/** The refused request: a path no table has, as scanners ask for it. */
export const UNKNOWN_PATH = '/wp-login.php';
