/**
 * Bans: what a banned scanner costs the server, and what bans cost everyone else.
 *
 *   npm run build && npx tsx bench/bans.ts [--quick]
 *
 * 1. Connections from a banned address, one request each (a scanner): dropped connections per
 *    second and server CPU per connection, for hangup's accept-time ban, today's drop in the request
 *    handler (hangup without bans), a bare 'connection' listener that destroys every socket, and
 *    nginx `return 444` (one worker), all pinned to one core with the load on the other.
 * 2. Allowed keep-alive requests with bans on (10,000 other addresses banned) against bans off:
 *    requests per second and server CPU per request.
 *
 * Interleaved rounds, medians and per-round ratios (bench/lib/compare.ts). The machine is shared,
 * so figures move between runs: compare within one run only.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pinLoadSide, pinServer } from './lib/affinity.js';
import { connectRun, keepAliveRun, rawRequest, type CpuClock } from './lib/load.js';
import { interleave, roundRatio, type Measured, type Subject } from './lib/compare.js';
import { startNginx } from './lib/nginx.js';
import { nextMessage, stopChild } from './lib/processes.js';
import { fmt } from './lib/stats.js';
import { benchPaths } from './lib/routes.js';
import type { BanVariant } from './bans-server.js';
import type { Bans } from '../dist/bans/bans.js';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 5;
const DURATION_MS = quick ? 1_500 : 3_000;
const CONCURRENCY = 16;
const SERVER = fileURLToPath(new URL('./bans-server.ts', import.meta.url));
const ALLOWED = benchPaths(10).hitStatic;

interface Running {
  port: number;
  cpu: CpuClock;
  stop(): Promise<void>;
}

async function startVariant(variant: BanVariant): Promise<Running> {
  const child = fork(SERVER, [variant], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  if (child.pid !== undefined) pinServer(child.pid);
  const ready = await nextMessage(child, 30_000);
  if (ready.type !== 'ready') throw new Error(`${variant}: ${String(ready.reason)}`);
  return {
    port: ready.port as number,
    cpu: async () => {
      const reply = nextMessage(child, 10_000);
      child.send({ type: 'stats' });
      return ((await reply).stats as { cpuMicros: number }).cpuMicros;
    },
    stop: () => stopChild(child),
  };
}

function connectSubject(label: string, server: Running, path: string): Subject {
  return {
    label,
    run: (durationMs) => connectRun({ port: server.port, request: rawRequest(path), concurrency: CONCURRENCY, durationMs }, server.cpu, { silent: true }),
  };
}

console.log(`bans benchmark (${quick ? 'quick' : 'full'}): ${ROUNDS} rounds of ${DURATION_MS} ms, ${pinLoadSide()}, Node ${process.version}`);

// 1. dropped connections
const servers: Running[] = [];
try {
  const banAccept = await startVariant('ban-accept');
  const handlerDrop = await startVariant('handler-drop');
  const destroy = await startVariant('destroy-connection');
  servers.push(banAccept, handlerDrop, destroy);
  const subjects: Subject[] = [
    connectSubject('hangup ban, refused at accept', banAccept, '/'),
    connectSubject('hangup drop in the request handler (no ban)', handlerDrop, '/wp-login.php'),
    connectSubject("bare 'connection' listener destroying every socket", destroy, '/'),
  ];
  const nginx = await startNginx();
  if (typeof nginx === 'string') console.log(`  nginx: skipped (${nginx})`);
  else {
    subjects.push({
      label: `nginx ${nginx.version} return 444, 1 worker`,
      run: (durationMs) => connectRun({ port: nginx.port, request: rawRequest('/'), concurrency: CONCURRENCY, durationMs }, () => nginx.cpuMicros(), { silent: true }),
    });
    servers.push({ port: nginx.port, cpu: () => nginx.cpuMicros(), stop: () => nginx.stop() });
  }
  const measured = await interleave(subjects, { rounds: ROUNDS, durationMs: DURATION_MS, warmupMs: 500 });
  const ban = measured[0] as (typeof measured)[number];
  console.log('\nconnections from a scanner, one request each, dropped with zero bytes:');
  console.log('| server | dropped conn/s | server CPU µs/conn | bytes/conn | not silent | hangup ban ÷ this (conn/s, per-round median) |');
  console.log('|---|---|---|---|---|---|');
  for (const m of measured) {
    console.log(`| ${m.label} | ${fmt(m.perSecond)} | ${fmt(m.cpuMicrosPerRequest, 1)} | ${fmt(m.bytesPerRequest, 1)} | ${m.unexpected} | ${m === ban ? '1.00' : roundRatio(ban, m, 'perSecond').toFixed(2)} |`);
  }
} finally {
  for (const s of servers) await s.stop();
}

// 2. allowed requests, bans on (nobody of the load banned) vs off
const allowed: Running[] = [];
try {
  const off = await startVariant('allowed-bans-off');
  const on = await startVariant('allowed-bans-on');
  allowed.push(off, on);
  const subjects: Subject[] = [
    { label: 'bans off', run: (d) => keepAliveRun(off.port, ALLOWED, d, off.cpu, { status: '2xx' }) },
    { label: 'bans on, 10,000 others banned', run: (d) => keepAliveRun(on.port, ALLOWED, d, on.cpu, { status: '2xx' }) },
  ];
  const [a, b] = (await interleave(subjects, { rounds: ROUNDS, durationMs: DURATION_MS, warmupMs: 500 })) as [Measured, Measured];
  console.log('\nallowed keep-alive requests (autocannon, 32 connections):');
  console.log('| server | req/s | server CPU µs/req | on ÷ off (req/s) | off CPU ÷ on CPU |');
  console.log('|---|---|---|---|---|');
  console.log(`| ${a.label} | ${fmt(a.perSecond)} | ${fmt(a.cpuMicrosPerRequest, 2)} | 1.00 | 1.00 |`);
  console.log(`| ${b.label} | ${fmt(b.perSecond)} | ${fmt(b.cpuMicrosPerRequest, 2)} | ${roundRatio(b, a, 'perSecond').toFixed(3)} | ${(1 / roundRatio(b, a, 'cpuMicrosPerRequest')).toFixed(3)} |`);
} finally {
  for (const s of allowed) await s.stop();
}

// 3. the checks themselves, in this process: what bans add to an allowed request and connection
{
  const { hangup } = await import('../dist/index.js');
  const guard = hangup({ routes: ['GET /'], hints: false, ban: true });
  for (let i = 0; i < 10_000; i++) guard.bans?.ban(`10.9.${i >> 8}.${i & 255}`, '1h');
  // The ban engine is internal (not in the published types): the benchmark times its checks directly.
  const engine = (guard as unknown as { banEngine: Bans }).banEngine;
  const requests = Array.from({ length: 1024 }, (_, i) => ({ socket: { remoteAddress: `192.0.${i >> 8}.${i & 255}` }, headers: {} }));
  const time = (label: string, f: (i: number) => unknown): void => {
    const n = 2_000_000;
    for (let i = 0; i < 200_000; i++) f(i & 1023);
    const best: number[] = [];
    for (let round = 0; round < 5; round++) {
      const start = process.hrtime.bigint();
      for (let i = 0; i < n; i++) f(i & 1023);
      best.push(Number(process.hrtime.bigint() - start) / n);
    }
    console.log(`| ${label} | ${Math.min(...best).toFixed(1)} ns |`);
  };
  console.log('\nthe checks alone (10,000 bans, the peer not banned; best of 5 rounds of 2,000,000):');
  console.log('| check | per call |');
  console.log('|---|---|');
  time('request: decisionFor() (a kept-alive connection, or a proxied client)', (i) => engine.decisionFor(requests[i] as never));
  time('accept: refusesPeer() (the address read with getpeername by the caller)', (i) => engine.refusesPeer(requests[i]?.socket.remoteAddress));
}
