/**
 * Subjects whose every run starts its own server process, warms it up with the same load, measures
 * it, and stops it. A server process kept for all rounds keeps whatever its JIT settled on in its
 * first seconds, and that luck showed as a steady 10-20 % between two processes of the same code
 * (Fastify 5 with hangup read 1.08× its baseline, then 0.88×); a fresh process per run turns it into
 * noise the median over rounds absorbs. nginx gets a fresh process too, so every row is measured alike.
 */
import type { Subject } from './compare.js';
import { connectRun, keepAliveRun, type CpuClock, type RunResult } from './load.js';
import { startNginx } from './nginx.js';
import { startServer } from './processes.js';
import type { Variant } from '../server.js';

/** A load of one kind, run against a server for `durationMs`. */
export type Load = (port: number, clock: CpuClock, durationMs: number) => Promise<RunResult>;

/** Keep-alive requests for `path` (autocannon), expecting `status`. */
export function keepAliveLoad(path: string, status: '2xx' | '4xx'): Load {
  return (port, clock, durationMs) => keepAliveRun(port, path, durationMs, clock, { status });
}

/** A new connection per request sending `request`, `concurrency` at a time; `silent`: expect no byte back. */
export function connectionPerRequestLoad(request: string, concurrency: number, silent: boolean): Load {
  return (port, clock, durationMs) => connectRun({ port, request, concurrency, durationMs }, clock, { silent });
}

interface Started {
  readonly port: number;
  readonly clock: CpuClock;
  stop(): Promise<void>;
}

/** The servers started and not yet stopped, for `stopRunning()` on Ctrl-C (nginx would outlive the bench). */
const running = new Set<Started>();

/** Stops every server a fresh subject started and has not stopped yet. */
export async function stopRunning(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop()));
  running.clear();
}

function fresh(label: string, start: () => Promise<Started>, load: Load, warmupMs: number): Subject {
  return {
    label,
    run: async (durationMs) => {
      const server = await start();
      running.add(server);
      try {
        if (warmupMs > 0) await load(server.port, server.clock, warmupMs);
        return await load(server.port, server.clock, durationMs);
      } finally {
        running.delete(server);
        await server.stop();
      }
    },
  };
}

/** A fresh `bench/server.ts <variant>` for every run. */
export function freshServer(label: string, variant: Variant, load: Load, warmupMs: number): Subject {
  return fresh(
    label,
    async () => {
      const server = await startServer(variant);
      if (server === null) throw new Error(`${variant} could not start`);
      return { port: server.port, clock: () => server.cpuTime(), stop: () => server.stop() };
    },
    load,
    warmupMs,
  );
}

/** A fresh nginx (`return 444`, one process) for every run. */
export function freshNginx(label: string, load: Load, warmupMs: number): Subject {
  return fresh(
    label,
    async () => {
      const nginx = await startNginx();
      if (typeof nginx === 'string') throw new Error(nginx);
      return { port: nginx.port, clock: () => nginx.cpuTime(), stop: () => nginx.stop() };
    },
    load,
    warmupMs,
  );
}
