/**
 * The two kinds of load, each returning requests per second and the server CPU time spent per
 * request (user and system apart): keep-alive HTTP through autocannon, and one connection per
 * request through bench/connect-load.ts in its own process.
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
  /** The user-mode part of it (JavaScript, the HTTP parser); NaN when the clock gives only a total. */
  readonly userMicrosPerRequest: number;
  /** The kernel part of it (sockets, TCP); NaN when the clock gives only a total. */
  readonly systemMicrosPerRequest: number;
  /** Bytes the client received per request (0 for a drop). */
  readonly bytesPerRequest: number;
  /** Requests that did not get the expected outcome (errors, timeouts, unexpected status, bytes on a drop). */
  readonly unexpected: number;
}

/** A server's CPU time so far, in microseconds, user and system apart. */
export interface CpuTime {
  readonly user: number;
  readonly system: number;
}

/** Reads the server's CPU time: user and system apart, or only their total in microseconds. */
export type CpuClock = () => Promise<CpuTime | number>;

/** Keep-alive connections of every autocannon run. */
export const KEEP_ALIVE_CONNECTIONS = 32;

/**
 * The Host header of keep-alive runs: a name, as a browser that reached the site by name sends.
 * The strict detector preset drops an IP Host (`numericHost`), and every subject gets the same request.
 */
export const KEEP_ALIVE_HOST = 'localhost';

/** The CPU time spent between two readings, per request. */
function perRequest(before: CpuTime | number, after: CpuTime | number, requests: number) {
  if (typeof before === 'number' || typeof after === 'number') {
    const total = (typeof after === 'number' ? after : after.user + after.system) - (typeof before === 'number' ? before : before.user + before.system);
    return { cpuMicrosPerRequest: total / requests, userMicrosPerRequest: Number.NaN, systemMicrosPerRequest: Number.NaN };
  }
  const user = after.user - before.user;
  const system = after.system - before.system;
  return { cpuMicrosPerRequest: (user + system) / requests, userMicrosPerRequest: user / requests, systemMicrosPerRequest: system / requests };
}

/**
 * Keep-alive load with autocannon: 32 connections for `durationMs`, or until `amount` responses
 * when given (then `perSecond` is over the time autocannon took).
 */
export async function keepAliveRun(
  port: number,
  path: string,
  durationMs: number,
  cpu: CpuClock,
  expect: { status: '2xx' | '4xx'; amount?: number },
): Promise<RunResult> {
  const before = await cpu();
  const result = await autocannon({
    url: `http://127.0.0.1:${port}${path}`,
    connections: KEEP_ALIVE_CONNECTIONS,
    pipelining: 1,
    headers: { host: KEEP_ALIVE_HOST },
    ...(expect.amount === undefined ? { duration: durationMs / 1000 } : { amount: expect.amount }),
  });
  const after = await cpu();
  const requests = result.requests.total;
  const good = expect.status === '2xx' ? result['2xx'] : result['4xx'];
  const seconds = expect.amount === undefined ? durationMs / 1000 : result.duration;
  return {
    perSecond: requests / seconds,
    requests,
    ...perRequest(before, after, requests),
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
    ...perRequest(before, after, result.completed),
    bytesPerRequest: result.bytes / result.completed,
    unexpected: expect.silent ? result.completed - result.silent : result.silent,
  };
}

/** A raw HTTP/1.1 request for `path`, as a scanner would send it. */
export function rawRequest(path: string, extraHeaders = ''): string {
  return `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: bench\r\nAccept: */*\r\n${extraHeaders}\r\n`;
}
