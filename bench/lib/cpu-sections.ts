/**
 * The server-CPU-per-request sections of `npm run bench`: allowed requests, drops and refusals.
 * One method for all of them (bench/lib/method.ts): every run starts a fresh server process
 * (bench/lib/subjects.ts), warms it up, measures user and system CPU apart; interleaved rounds;
 * medians, and ratios as medians of per-round ratios.
 */
import { cpuRatio, interleave, roundRatio, type Measured, type Subject } from './compare.js';
import { rawRequest } from './load.js';
import { ALLOWED_PATH, CONNECT_CONCURRENCY, UNKNOWN_PATH, type Method } from './method.js';
import { startNginx } from './nginx.js';
import { DESTROY_LABEL, DROP_LABEL, STRICT_1000_LABEL, type AllowedComparison, type BenchResults } from './results.js';
import { fmt, ratio } from './stats.js';
import { connectionPerRequestLoad, freshNginx, freshServer, keepAliveLoad } from './subjects.js';
import type { Variant } from '../server.js';

/** Prints each subject's medians, and its ratios against `base` when given. */
export function printMeasured(measured: readonly Measured[], base?: Measured): void {
  for (const m of measured) {
    const ratios = base === undefined || m === base ? '' : `   req/s ratio ${ratio(roundRatio(m, base, 'perSecond'))}, CPU ratio ${ratio(cpuRatio(m, base))}`;
    console.log(
      `  ${m.label.padEnd(50)} ${fmt(m.perSecond).padStart(9)}/s   server CPU ${fmt(m.cpuMicrosPerRequest, 1).padStart(6)} µs/req ` +
        `(user ${fmt(m.userMicrosPerRequest ?? Number.NaN, 1)}, system ${fmt(m.systemMicrosPerRequest ?? Number.NaN, 1)})` +
        `   ${fmt(m.bytesPerRequest)} B/req   unexpected ${fmt(m.unexpected)}${ratios}`,
    );
  }
}

/** Every run has warmed its own server up, so the interleaving needs no warm-up pass of its own. */
const measure = (subjects: readonly Subject[], method: Method): Promise<Measured[]> =>
  interleave(subjects, { rounds: method.rounds, durationMs: method.durationMs, warmupMs: 0 });

/** A framework's baseline, the same server with hangup, and other setups measured in the same rounds. */
interface AllowedGroup {
  readonly framework: string;
  readonly base: Variant;
  readonly hangup: Variant;
  readonly extras: readonly (readonly [Variant, string])[];
}

/** The allowed-request groups; the allocation section (bench/lib/alloc.ts) measures the same ones. */
export const ALLOWED_GROUPS: readonly AllowedGroup[] = [
  { framework: 'node:http', base: 'http', hangup: 'http+hangup', extras: [['http+hangup-1000-strict', STRICT_1000_LABEL]] },
  {
    framework: 'Express 5',
    base: 'express',
    hangup: 'express+hangup',
    extras: [
      ['express+noop', 'Express 5 + an empty middleware'],
      ['express+hangup-wrap', 'Express 5 behind guard.createServer(app)'],
    ],
  },
  { framework: 'Fastify 5', base: 'fastify', hangup: 'fastify+hangup', extras: [['fastify+hook', 'Fastify 5 + an empty onRequest hook']] },
];

/** Allowed keep-alive requests, each group against its baseline; `onGroup` runs before each group. */
export async function allowedSection(method: Method, onGroup: (title: string) => void): Promise<AllowedComparison[]> {
  const out: AllowedComparison[] = [];
  const load = keepAliveLoad(ALLOWED_PATH, '2xx');
  for (const group of ALLOWED_GROUPS) {
    onGroup(`allowed requests: ${group.framework} with and without hangup`);
    try {
      const subjects = [
        freshServer(group.framework, group.base, load, method.warmupMs),
        freshServer(`${group.framework} + hangup`, group.hangup, load, method.warmupMs),
        ...group.extras.map(([variant, label]) => freshServer(label, variant, load, method.warmupMs)),
      ];
      const [base, hangup, ...extras] = await measure(subjects, method);
      if (base === undefined || hangup === undefined) continue;
      printMeasured([base, hangup, ...extras], base);
      out.push({ framework: group.framework, base, hangup, extras });
    } catch (error) {
      out.push({ framework: group.framework, skipped: (error as Error).message });
    }
  }
  return out;
}

/** Dropped connections: hangup's drop against node:http destroying the socket, and nginx `return 444`. */
export async function dropsSection(method: Method): Promise<{ drops: BenchResults['drops']; nginx: string }> {
  const load = connectionPerRequestLoad(rawRequest(UNKNOWN_PATH), CONNECT_CONCURRENCY, true);
  const subjects: Subject[] = [freshServer(DESTROY_LABEL, 'http+destroy', load, method.warmupMs), freshServer(DROP_LABEL, 'http+hangup', load, method.warmupMs)];
  // Started once here for its version, or for why it cannot run; each measured run starts its own.
  const nginx = await startNginx();
  let nginxNote: string;
  if (typeof nginx === 'string') {
    nginxNote = `skipped: ${nginx}`;
    console.log(`  nginx ${nginxNote}`);
  } else {
    nginxNote = `${nginx.version}, \`master_process off\` (one process), \`location / { return 444; }\``;
    await nginx.stop();
    subjects.push(freshNginx('nginx return 444 (1 worker)', load, method.warmupMs));
  }
  const measured = await measure(subjects, method);
  printMeasured(measured, measured[0]);
  return { drops: measured, nginx: nginxNote };
}

/** Server CPU per refused request: a drop (FIN, RST) against the fixed 404, kept alive or not. */
export async function refusalSection(method: Method): Promise<BenchResults['refusalCost']> {
  const drop = connectionPerRequestLoad(rawRequest(UNKNOWN_PATH), CONNECT_CONCURRENCY, true);
  const measured = await measure(
    [
      freshServer('drop (FIN)', 'http+hangup', drop, method.warmupMs),
      freshServer("drop (RST, close: 'reset')", 'http+hangup-reset', drop, method.warmupMs),
      freshServer('fixed 404, keep-alive', 'http+hangup-404', keepAliveLoad(UNKNOWN_PATH, '4xx'), method.warmupMs),
      freshServer(
        'fixed 404, Connection: close',
        'http+hangup-404',
        connectionPerRequestLoad(rawRequest(UNKNOWN_PATH, 'Connection: close\r\n'), CONNECT_CONCURRENCY, false),
        method.warmupMs,
      ),
    ],
    method,
  );
  printMeasured(measured, measured[0]);
  return measured;
}
