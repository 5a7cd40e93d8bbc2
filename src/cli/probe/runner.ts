/**
 * Runs the corpus against one target with bounded concurrency and a time bound per probe, and
 * judges each answer. The programmatic entry point: the CLI and the tests both call `runProbes`.
 */
import { randomBytes } from 'node:crypto';
import { buildCorpus, PROBE_CLASSES, type Probe } from './corpus.js';
import { ProbeUnreachableError, ProbeUsageError } from './errors.js';
import { exchange, type Endpoint, type Exchange } from './exchange.js';
import { parseTarget, resolveEndpoint, type Target } from './target.js';
import { judge, type Judgement } from './verdict.js';
import { runTlsProbes, serverNameOf } from './tls-probes.js';
import { runHttp2Probes } from './h2-probes.js';

/** Options of one probe run. */
export interface ProbeOptions {
  /** The one URL to probe, e.g. `http://127.0.0.1:3000/`. */
  readonly url: string;
  /** Host header for probes that need a valid one; default: the URL's host and port. */
  readonly host?: string | undefined;
  /** Time bound of each probe, in milliseconds. */
  readonly timeoutMs?: number;
  /** How many probes run at once. */
  readonly concurrency?: number;
  /** Probe HTTP/2 streams over h2c (prior knowledge) instead of HTTP/1.1 (`--http2`; h2-probes.ts). */
  readonly http2?: boolean;
  /** Called after each probe (for a progress indicator). */
  readonly onProgress?: (done: number, total: number, probe: Probe) => void;
}

/** One probe, what it received and the verdict. */
export interface ProbeResult {
  readonly probe: Probe;
  readonly exchange: Exchange;
  readonly judgement: Judgement;
}

/** Everything a run found. */
export interface ProbeReport {
  readonly target: Target;
  readonly endpoint: Endpoint;
  readonly timeoutMs: number;
  readonly concurrency: number;
  /** In the corpus order, grouped by class. */
  readonly results: readonly ProbeResult[];
  /** Probes that leaked. */
  readonly leaks: number;
  /** Probes that could not be made (connection errors). */
  readonly errors: number;
  readonly durationMs: number;
}

export const DEFAULT_TIMEOUT_MS = 2000;
export const DEFAULT_CONCURRENCY = 4;

/**
 * Probes the target and returns the judged results. Throws `ProbeUsageError` for a bad URL or
 * Host, `ProbeUnreachableError` when nothing accepts a connection; never for what the server sends.
 */
export async function runProbes(options: ProbeOptions): Promise<ProbeReport> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const target = parseTarget(options.url, options.host);
  const tcpEndpoint = await resolveEndpoint(target, timeoutMs);
  const endpoint = target.tls ? { ...tcpEndpoint, tls: { serverName: serverNameOf(target) } } : tcpEndpoint;
  const marker = `hangup-probe-${randomBytes(4).toString('hex')}`;
  const corpus = buildCorpus({ host: target.host, path: target.path, marker });
  const started = performance.now();

  const results = new Array<ProbeResult>(options.http2 === true ? 0 : corpus.length);
  if (options.http2 === true) {
    if (target.tls) throw new ProbeUsageError('--http2 speaks cleartext HTTP/2 (h2c): give an http:// URL');
    results.push(...(await runHttp2Probes(target, endpoint, timeoutMs, marker, options.onProgress)));
  }
  let next = options.http2 === true ? corpus.length : 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    for (let index = next++; index < corpus.length; index = next++) {
      const probe = corpus[index] as Probe;
      const received = await exchange(endpoint, probe, timeoutMs);
      results[index] = { probe, exchange: received, judgement: judge(probe, received) };
      options.onProgress?.(++done, corpus.length, probe);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, corpus.length) }, worker));
  if (target.tls) results.push(...(await runTlsProbes(target, tcpEndpoint, timeoutMs, marker)));

  const ordered = PROBE_CLASSES.flatMap((cls) => results.filter((r) => r.probe.class === cls));
  const errors = ordered.filter((r) => r.judgement.outcome === 'error').length;
  if (errors === ordered.length) {
    throw new ProbeUnreachableError(`every probe failed to connect to ${endpoint.address}:${endpoint.port}`);
  }
  return {
    target,
    endpoint,
    timeoutMs,
    concurrency,
    results: ordered,
    leaks: ordered.filter((r) => r.judgement.outcome === 'leak').length,
    errors,
    durationMs: Math.round(performance.now() - started),
  };
}
