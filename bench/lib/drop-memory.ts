/**
 * Memory of a dropping server over many drops: RSS (in service), heap used after a full GC, open
 * connections, listeners and active handles, sampled before and after each of four batches. One
 * server process for the whole section: what it measures is what accumulates in a process.
 */
import { connectRun, rawRequest, type RunResult } from './load.js';
import { CONNECT_CONCURRENCY, UNKNOWN_PATH, type Method } from './method.js';
import { startServer } from './processes.js';
import type { MemoryResult } from './results.js';
import { fmt, sleep } from './stats.js';

export async function memorySection(method: Method): Promise<MemoryResult> {
  const s = await startServer('http+hangup', { exposeGc: true });
  if (s === null) throw new Error('node:http server failed to start');
  try {
    const request = rawRequest(UNKNOWN_PATH);
    const clock = () => s.cpuTime();
    const batch = (connections: number): Promise<RunResult> =>
      connectRun({ port: s.port, request, concurrency: CONNECT_CONCURRENCY, connections }, clock, { silent: true });
    const sample = async (after: number) => {
      let stats = await s.stats(true);
      for (let i = 0; i < 50 && stats.connections > 0; i++) {
        await sleep(100);
        stats = await s.stats(true);
      }
      const row = { after, rss: stats.rss, heapUsed: stats.heapUsed, connections: stats.connections, listeners: stats.listeners, activeResources: stats.activeResources };
      console.log(`  after ${fmt(after).padStart(7)} drops: RSS ${fmt(row.rss / 2 ** 20, 1)} MB, heap ${fmt(row.heapUsed / 2 ** 20, 2)} MB, connections ${row.connections}, listeners ${row.listeners}, handles ${row.activeResources}`);
      return row;
    };
    // Warm up to a steady state (JIT, socket pools, V8's young generation regrowing after a full
    // GC) before the baseline: two batches with a full GC between them.
    const warmup = Math.min(5_000, method.memoryDrops / 4);
    await batch(warmup);
    await s.stats(true);
    await batch(warmup);
    const samples = [await sample(0)];
    let done = 0;
    let silent = 0;
    for (let i = 0; i < 4; i++) {
      const run = await batch(method.memoryDrops / 4);
      done += run.requests;
      silent += run.requests - run.unexpected;
      samples.push(await sample(done));
    }
    return { drops: done, silent, samples };
  } finally {
    await s.stop();
  }
}
