/**
 * Heap allocated per allowed request, with hangup and without: for each allowed-request group
 * (bench/lib/cpu-sections.ts), every run starts a fresh server, warms it up with keep-alive load,
 * then has it count the bytes it allocates on the V8 heap (bench/lib/heap-allocation.ts, in the
 * server) over a fixed number of keep-alive requests; bytes ÷ the requests autocannon completed.
 * Interleaved rounds, medians; the difference is the median of per-round differences.
 */
import { interleaveRuns } from './compare.js';
import { ALLOWED_GROUPS } from './cpu-sections.js';
import { keepAliveRun } from './load.js';
import { ALLOWED_PATH, type Method } from './method.js';
import { startServer } from './processes.js';
import { allocDifference, type AllocComparison, type AllocMeasured } from './results.js';
import { fmt, median } from './stats.js';
import type { Variant } from '../server.js';

type AllocRound = AllocMeasured['rounds'][number];

/** One run: a fresh server, warmed up, then `method.allocRequests` requests inside an allocation window. */
async function allocRun(variant: Variant, method: Method): Promise<AllocRound> {
  const server = await startServer(variant);
  if (server === null) throw new Error(`${variant} could not start`);
  const clock = () => server.cpuTime();
  try {
    await keepAliveRun(server.port, ALLOWED_PATH, method.warmupMs, clock, { status: '2xx' });
    await server.allocationStart();
    const run = await keepAliveRun(server.port, ALLOWED_PATH, 0, clock, { status: '2xx', amount: method.allocRequests });
    const bytes = await server.allocationStop();
    return { bytes, requests: run.requests, unexpected: run.unexpected };
  } finally {
    await server.stop();
  }
}

/** Every allowed-request group: its baseline against hangup (the extras with no hangup in them are left out). */
export async function allocSection(method: Method, onGroup: (title: string) => void): Promise<AllocComparison[]> {
  const out: AllocComparison[] = [];
  for (const group of ALLOWED_GROUPS) {
    onGroup(`heap allocated per allowed request: ${group.framework} with and without hangup`);
    const subjects: (readonly [Variant, string])[] = [
      [group.base, group.framework],
      [group.hangup, `${group.framework} + hangup`],
      ...group.extras.filter(([variant]) => variant.includes('+hangup')),
    ];
    try {
      const runs = await interleaveRuns(subjects.length, method.allocRounds, (i) => allocRun((subjects[i] as readonly [Variant, string])[0], method));
      const measured: AllocMeasured[] = subjects.map(([, label], i) => {
        const rounds = runs[i] as AllocRound[];
        return { label, bytesPerRequest: median(rounds.map((r) => r.bytes / r.requests)), rounds };
      });
      const [base, ...withHangup] = measured as [AllocMeasured, ...AllocMeasured[]];
      for (const m of measured) {
        const difference = m === base ? '' : `   difference ${fmt(allocDifference(m, base))} B/req`;
        console.log(`  ${m.label.padEnd(50)} ${fmt(m.bytesPerRequest).padStart(7)} heap bytes/req${difference}`);
      }
      out.push({ framework: group.framework, base, subjects: withHangup });
    } catch (error) {
      out.push({ framework: group.framework, skipped: (error as Error).message });
    }
  }
  return out;
}
