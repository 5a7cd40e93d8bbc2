/**
 * `npx tsx bench/h2.ts [--rounds=5] [--requests=20000]`: the cost of hangup on HTTP/2 (h2c, prior
 * knowledge), in server CPU per stream, against baselines measured in the same run (interleaved
 * rounds, medians), with h2load (Debian's nghttp2-client) as the client:
 *
 * - allowed streams: `http2.createServer(guard.wrap(app))` + `guard.protect()` with a table of 10
 *   routes vs the same server without hangup, h2load cycling over the 10 routes (target ≥ 0.97 as
 *   requests per server CPU second);
 * - refused streams: hangup's drop (RST_STREAM(PROTOCOL_ERROR), `maxRefusedStreams` raised so the
 *   connection is never closed) vs a hand-written `'stream'` listener doing
 *   `stream.close(NGHTTP2_PROTOCOL_ERROR)` (target: no more than the hand-written one).
 *
 * Each server runs in a child process that reports its own process.cpuUsage() (user + system); hangup
 * is the built package (`npm run build` first).
 */
import { fork, execFile, type ChildProcess } from 'node:child_process';
import http2 from 'node:http2';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { benchRoutes, hangupSpecs } from './lib/routes.js';

const file = fileURLToPath(import.meta.url);
type Variant = 'plain' | 'hangup' | 'hand-reset' | 'hangup-reset';
const ROUTES = benchRoutes(10);

async function serve(variant: Variant): Promise<void> {
  const app = (_req: http2.Http2ServerRequest, res: http2.Http2ServerResponse): void => {
    res.end('ok');
  };
  let server: http2.Http2Server;
  if (variant === 'plain') server = http2.createServer(app);
  else if (variant === 'hand-reset') {
    server = http2.createServer();
    const noop = (): void => {};
    server.on('stream', (stream) => {
      stream.on('error', noop);
      stream.close(http2.constants.NGHTTP2_PROTOCOL_ERROR);
    });
  } else {
    const { hangup } = await import('../dist/index.js');
    const guard = hangup({ routes: hangupSpecs(ROUTES), hosts: ['127.0.0.1'], hints: false, maxRefusedStreams: 1e9 });
    server = http2.createServer(guard.wrap(app as never) as never);
    guard.protect(server as unknown as Server);
  }
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
  });
  let base = process.cpuUsage();
  process.on('message', (m: string) => {
    if (m === 'reset') {
      base = process.cpuUsage();
      process.send?.({ reset: true });
    } else if (m === 'cpu') {
      const used = process.cpuUsage(base);
      process.send?.({ cpu: used.user + used.system });
    } else if (m === 'exit') process.exit(0);
  });
}

interface Child {
  readonly child: ChildProcess;
  readonly port: number;
  ask(m: string): Promise<Record<string, number | boolean>>;
}

async function start(variant: Variant): Promise<Child> {
  const profile = process.env.H2_BENCH_PROFILE === variant ? ['--cpu-prof', '--cpu-prof-dir=.cache/h2x/prof'] : [];
  const child = fork(file, ['server', variant], { execArgv: ['--import', 'tsx', ...profile] });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  return {
    child,
    port,
    ask: (m) =>
      new Promise((resolve) => {
        child.once('message', (reply: Record<string, number | boolean>) => resolve(reply));
        child.send(m);
      }),
  };
}

interface Load {
  readonly done: number;
  readonly succeeded: number;
  readonly errored: number;
  readonly failed: number;
}

function h2load(port: number, paths: readonly string[], requests: number): Promise<Load> {
  const uris = paths.map((p) => `http://127.0.0.1:${port}${p}`);
  return new Promise((resolve, reject) => {
    execFile('h2load', ['-n', String(requests), '-c', '4', '-m', '16', ...uris], { timeout: 120_000 }, (error, stdout) => {
      const m = /requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored/.exec(stdout);
      if (m === null) return reject(error ?? new Error(`h2load: ${stdout}`));
      resolve({ done: Number(m[3]), succeeded: Number(m[4]), failed: Number(m[5]), errored: Number(m[6]) });
    });
  });
}

async function measure(child: Child, paths: readonly string[], requests: number): Promise<{ cpuPerStream: number; load: Load }> {
  await child.ask('reset');
  const load = await h2load(child.port, paths, requests);
  const { cpu } = (await child.ask('cpu')) as { cpu: number };
  return { cpuPerStream: cpu / load.done, load };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
};

async function compare(name: string, a: Variant, b: Variant, paths: readonly string[], rounds: number, requests: number): Promise<void> {
  const ca = await start(a);
  const cb = await start(b);
  // Warm-up (JIT, sessions) for both.
  await measure(ca, paths, Math.min(requests, 5000));
  await measure(cb, paths, Math.min(requests, 5000));
  const costsA: number[] = [];
  const costsB: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const order: [Child, number[]][] = round % 2 === 0 ? [[ca, costsA], [cb, costsB]] : [[cb, costsB], [ca, costsA]];
    for (const [child, into] of order) {
      const { cpuPerStream, load } = await measure(child, paths, requests);
      if (load.done < requests) console.log(`  ${child === ca ? a : b}: only ${load.done}/${requests} done`);
      into.push(cpuPerStream);
    }
    ratios.push((costsA[round] as number) / (costsB[round] as number));
    console.log(`  round ${round + 1}: ${a} ${(costsA[round] as number).toFixed(2)} µs/stream, ${b} ${(costsB[round] as number).toFixed(2)} µs/stream`);
  }
  console.log(
    `${name}: ${a} ${median(costsA).toFixed(2)} µs vs ${b} ${median(costsB).toFixed(2)} µs of server CPU per stream (medians); ` +
      `${b} serves ${(median(costsA) / median(costsB)).toFixed(3)}× the streams per server CPU second of ${a} (median of per-round ratios ${median(ratios).toFixed(3)})`,
  );
  for (const c of [ca, cb]) c.child.send('exit');
}

async function main(): Promise<void> {
  const arg = (name: string, fallback: number): number => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
  const rounds = arg('rounds', 5);
  const requests = arg('requests', 20000);
  const allowedPaths = ROUTES.filter((r) => r.method === 'GET').map((r) => r.path.replace(/:[a-z]+/g, '42'));
  console.log(`h2load -c 4 -m 16, ${requests} streams per run, ${rounds} interleaved rounds; load average ${(await import('node:os')).loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  console.log(`allowed paths: ${allowedPaths.join(' ')}`);
  await compare('allowed streams', 'plain', 'hangup', allowedPaths, rounds, requests);
  await compare('refused streams', 'hand-reset', 'hangup-reset', ['/wp-login.php'], rounds, requests);
}

if (process.argv[2] === 'server') void serve(process.argv[3] as Variant);
else void main();
