/**
 * The two kinds of load, each returning requests per second and the server CPU time spent per
 * request: keep-alive HTTP through autocannon, and one connection per request through
 * bench/connect-load.ts in its own process.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import type { ConnectLoadOptions, ConnectLoadResult } from '../connect-load.js';
import { nextMessage, stopChild } from './processes.js';

const CONNECT_LOAD = fileURLToPath(new URL('../connect-load.ts', import.meta.url));

/** One measured run. */
export interface RunResult {
  readonly perSecond: number;
  readonly requests: number;
  /** Server CPU time (user + system) per request, in microseconds; NaN when unknown. */
  readonly cpuMicrosPerRequest: number;
  /** Bytes the client received per request (0 for a drop). */
  readonly bytesPerRequest: number;
  /** Requests that did not get the expected outcome (errors, timeouts, unexpected status, bytes on a drop). */
  readonly unexpected: number;
}

/** Reads the server's total CPU time in microseconds. */
export type CpuClock = () => Promise<number>;

/** Keep-alive load with autocannon: `connections` connections for `durationMs`. */
export async function keepAliveRun(
  port: number,
  path: string,
  durationMs: number,
  cpu: CpuClock,
  expect: { status: '2xx' | '4xx' },
): Promise<RunResult> {
  const before = await cpu();
  const result = await autocannon({ url: `http://127.0.0.1:${port}${path}`, connections: 32, pipelining: 1, duration: durationMs / 1000 });
  const after = await cpu();
  const requests = result.requests.total;
  const good = expect.status === '2xx' ? result['2xx'] : result['4xx'];
  return {
    perSecond: requests / (durationMs / 1000),
    requests,
    cpuMicrosPerRequest: (after - before) / requests,
    bytesPerRequest: result.throughput.total / requests,
    unexpected: requests - good + result.errors + result.timeouts,
  };
}

/** One connection per request, `concurrency` at a time, for `durationMs` or `connections` connections. */
export async function connectRun(
  options: ConnectLoadOptions,
  cpu: CpuClock,
  expect: { silent: boolean },
): Promise<RunResult> {
  const before = await cpu();
  const child = fork(CONNECT_LOAD, [JSON.stringify(options)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const timeout = (options.durationMs ?? 600_000) + 60_000;
  const message = await nextMessage(child, timeout);
  await stopChild(child);
  if (message.type !== 'result') throw new Error(`connect-load failed: ${String(message.reason)}`);
  const result = message.result as ConnectLoadResult;
  const after = await cpu();
  return {
    perSecond: result.completed / (result.elapsedMs / 1000),
    requests: result.completed,
    cpuMicrosPerRequest: (after - before) / result.completed,
    bytesPerRequest: result.bytes / result.completed,
    unexpected: expect.silent ? result.completed - result.silent : result.silent,
  };
}

/** A raw HTTP/1.1 request for `path`, as a scanner would send it. */
export function rawRequest(path: string, extraHeaders = ''): string {
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\nAccept: */*\r\n${extraHeaders}\r\n`;
}
