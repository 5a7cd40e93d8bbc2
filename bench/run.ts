/**
 * `npm run bench`: every benchmark of hangup, each as a ratio against a baseline measured in the
 * same run, interleaved and repeated (medians), on loopback. About 13 minutes here; `--quick` a few.
 *
 *   --quick           fewer and shorter rounds
 *   --only=a,b        run only these sections (match, drops, refusal, memory, allowed); the others keep
 *                     their results from the previous run (results/latest.json)
 *   --update-readme   also write the results into bench/README.md (between the results markers)
 *   --render          measure nothing: rewrite latest.md, chart.svg (and the README) from latest.json
 *
 * Writes bench/results/latest.json, latest.md and chart.svg. nginx is optional: without it the
 * nginx row is skipped with a message.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { DetectorCost, MatchResult } from './match.js';
import { formatDetectors, formatMatch } from './match.js';
import { startServer, type ServerProcess } from './lib/processes.js';
import { connectRun, keepAliveRun, rawRequest, type RunResult } from './lib/load.js';
import { interleave, type Subject } from './lib/compare.js';
import { startNginx } from './lib/nginx.js';
import { markdown, targets, type AllowedComparison, type BenchResults, type MemoryResult } from './lib/results.js';
import { chart } from './lib/chart.js';
import { fmt, ratio, sleep } from './lib/stats.js';
import { pinLoadSide } from './lib/affinity.js';
import type { Variant } from './server.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
const wants = (section: string): boolean => only === undefined || only.includes(section);
const ROUNDS = quick ? 3 : 5;
const DURATION_MS = quick ? 1_000 : 3_000;
const WARMUP_MS = quick ? 500 : 1_000;
const MEMORY_DROPS = quick ? 20_000 : 100_000;
const CONCURRENCY = 16;
const ALLOWED_PATH = '/r6/42';
const UNKNOWN_PATH = '/wp-login.php';
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const loadAverage = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

const environment: Record<string, string> = {
  date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
  node: process.versions.node,
  cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
  cores: String(os.cpus().length),
  os: `${os.type()} ${os.release()}`,
  loadBefore: loadAverage(),
  pinning: pinLoadSide(),
};

function section(title: string): void {
  console.log(`\n== ${title} (load average ${loadAverage()})`);
}

/** Server CPU clock for a node server process. */
const clockOf = (server: ServerProcess) => async () => (await server.stats()).cpuMicros;

function keepAlive(label: string, server: ServerProcess, path: string, status: '2xx' | '4xx'): Subject {
  return { label, run: (ms) => keepAliveRun(server.port, path, ms, clockOf(server), { status }) };
}

function connectPerRequest(label: string, port: number, clock: () => Promise<number>, request: string, silent: boolean): Subject {
  return { label, run: (ms) => connectRun({ port, request, concurrency: CONCURRENCY, durationMs: ms }, clock, { silent }) };
}

const started: ServerProcess[] = [];
async function server(variant: Variant, exposeGc = false): Promise<ServerProcess | null> {
  const s = await startServer(variant, { exposeGc });
  if (s !== null) started.push(s);
  return s;
}
async function stopAll(): Promise<void> {
  await Promise.all(started.splice(0).map((s) => s.stop()));
}

const options = { rounds: ROUNDS, durationMs: DURATION_MS, warmupMs: WARMUP_MS };

function runMatchInChild(): { match: MatchResult[]; detectors: DetectorCost[] } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', here('./match.ts'), '--json', ...(quick ? ['--quick'] : [])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return JSON.parse(out) as { match: MatchResult[]; detectors: DetectorCost[] };
}

function print(measured: readonly { label: string; perSecond: number; cpuMicrosPerRequest: number; bytesPerRequest: number; unexpected: number }[]): void {
  for (const m of measured) {
    console.log(
      `  ${m.label.padEnd(34)} ${fmt(m.perSecond).padStart(9)}/s   server CPU ${fmt(m.cpuMicrosPerRequest, 1).padStart(6)} µs/req` +
        `   ${fmt(m.bytesPerRequest)} B/req   unexpected ${fmt(m.unexpected)}`,
    );
  }
}

async function dropsSection(): Promise<{ drops: BenchResults['drops']; nginx: string }> {
  section('dropped connections: hangup vs socket.destroy() vs nginx return 444');
  const destroy = await server('http+destroy');
  const hangup = await server('http+hangup');
  if (destroy === null || hangup === null) throw new Error('node:http servers failed to start');
  const request = rawRequest(UNKNOWN_PATH);
  const subjects: Subject[] = [
    connectPerRequest('node:http socket.destroy()', destroy.port, clockOf(destroy), request, true),
    connectPerRequest('hangup drop', hangup.port, clockOf(hangup), request, true),
  ];
  const nginx = await startNginx();
  let nginxNote = '';
  if (typeof nginx === 'string') {
    nginxNote = `skipped: ${nginx}`;
    console.log(`  nginx ${nginxNote}`);
  } else {
    nginxNote = `${nginx.version}, \`master_process off\` (one process), \`location / { return 444; }\``;
    subjects.push(connectPerRequest('nginx return 444 (1 worker)', nginx.port, () => nginx.cpuMicros(), request, true));
  }
  try {
    const measured = await interleave(subjects, options);
    print(measured);
    return { drops: measured, nginx: nginxNote };
  } finally {
    if (typeof nginx !== 'string') await nginx.stop();
    await stopAll();
  }
}

async function refusalSection(): Promise<BenchResults['refusalCost']> {
  section('server CPU per refused request: drop vs fixed 404');
  const drop = await server('http+hangup');
  const reset = await server('http+hangup-reset');
  const notFound = await server('http+hangup-404');
  if (drop === null || reset === null || notFound === null) throw new Error('node:http servers failed to start');
  try {
    const measured = await interleave(
      [
        connectPerRequest('drop (FIN)', drop.port, clockOf(drop), rawRequest(UNKNOWN_PATH), true),
        connectPerRequest("drop (RST, close: 'reset')", reset.port, clockOf(reset), rawRequest(UNKNOWN_PATH), true),
        keepAlive('fixed 404, keep-alive', notFound, UNKNOWN_PATH, '4xx'),
        connectPerRequest('fixed 404, Connection: close', notFound.port, clockOf(notFound), rawRequest(UNKNOWN_PATH, 'Connection: close\r\n'), false),
      ],
      options,
    );
    print(measured);
    return measured;
  } finally {
    await stopAll();
  }
}

async function memorySection(): Promise<MemoryResult> {
  section(`memory: RSS before and after ${fmt(MEMORY_DROPS)} drops`);
  const s = await server('http+hangup', true);
  if (s === null) throw new Error('node:http server failed to start');
  try {
    const request = rawRequest(UNKNOWN_PATH);
    const batch = (connections: number): Promise<RunResult> =>
      connectRun({ port: s.port, request, concurrency: CONCURRENCY, connections }, clockOf(s), { silent: true });
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
    await batch(5_000);
    await s.stats(true);
    await batch(5_000);
    const samples = [await sample(0)];
    let done = 0;
    let silent = 0;
    for (let i = 0; i < 4; i++) {
      const run = await batch(MEMORY_DROPS / 4);
      done += run.requests;
      silent += run.requests - run.unexpected;
      samples.push(await sample(done));
    }
    return { drops: done, silent, samples };
  } finally {
    await stopAll();
  }
}

/**
 * Keep-alive load against a server started afresh for every run (and warmed up first), then
 * stopped. A server process kept for all rounds keeps whatever its JIT settled on in the first
 * seconds, and that luck showed as a steady 10-20 % between two processes of the same code; a
 * fresh process per round turns it into noise the median absorbs.
 */
function keepAliveFresh(label: string, variant: Variant, path: string): Subject {
  return {
    label,
    run: async (ms) => {
      const s = await startServer(variant);
      if (s === null) throw new Error(`${variant} could not start`);
      try {
        await keepAliveRun(s.port, path, ALLOWED_WARMUP_MS, clockOf(s), { status: '2xx' });
        return await keepAliveRun(s.port, path, ms, clockOf(s), { status: '2xx' });
      } finally {
        await s.stop();
      }
    },
  };
}

/** Rounds for the allowed-request comparisons, whose differences are the smallest measured. */
const ALLOWED_ROUNDS = quick ? 3 : 9;
/** Warm-up of each fresh server before its measured run: Fastify's JIT needs more than a second. */
const ALLOWED_WARMUP_MS = quick ? 500 : 2_000;

async function allowedSection(): Promise<AllowedComparison[]> {
  const out: AllowedComparison[] = [];
  const groups: [string, Variant, Variant, [Variant, string][]][] = [
    ['node:http', 'http', 'http+hangup', []],
    [
      'Express 5',
      'express',
      'express+hangup',
      [
        ['express+noop', 'Express 5 + an empty middleware'],
        ['express+hangup-wrap', 'Express 5 behind guard.createServer(app)'],
      ],
    ],
    ['Fastify 5', 'fastify', 'fastify+hangup', [['fastify+hook', 'Fastify 5 + an empty onRequest hook']]],
  ];
  for (const [framework, plain, guarded, extras] of groups) {
    section(`allowed requests: ${framework} with and without hangup`);
    try {
      const subjects = [keepAliveFresh(framework, plain, ALLOWED_PATH), keepAliveFresh(`${framework} + hangup`, guarded, ALLOWED_PATH)];
      for (const [variant, label] of extras) subjects.push(keepAliveFresh(label, variant, ALLOWED_PATH));
      // Every run warms its own server up, so the interleaving needs no warm-up pass of its own.
      const [b, h, ...rest] = await interleave(subjects, { ...options, rounds: ALLOWED_ROUNDS, warmupMs: 0 });
      if (b === undefined || h === undefined) continue;
      print([b, h, ...rest]);
      out.push({ framework, base: b, hangup: h, extras: rest });
    } catch (error) {
      out.push({ framework, skipped: (error as Error).message });
    }
  }
  return out;
}

async function main(): Promise<void> {
  console.log(`hangup benchmarks: ${quick ? 'quick' : 'full'} mode, ${ROUNDS} rounds × ${DURATION_MS / 1000} s per subject, Node ${process.versions.node}, ${environment.cores} cores, ${environment.pinning}`);
  let match: MatchResult[] = [];
  let detectors: DetectorCost[] = [];
  if (wants('match')) {
    section('matching cost: decide() and route lookup vs find-my-way');
    ({ match, detectors } = runMatchInChild());
    console.log(formatMatch(match));
    console.log(formatDetectors(detectors));
  }
  const drops = wants('drops') ? await dropsSection() : { drops: [], nginx: '' };
  const refusalCost = wants('refusal') ? await refusalSection() : [];
  const memory = wants('memory') ? await memorySection() : null;
  const allowed = wants('allowed') ? await allowedSection() : [];

  environment.loadAfter = loadAverage();
  let results: BenchResults = { environment, mode: quick ? 'quick' : 'full', rounds: ROUNDS, durationMs: DURATION_MS, match, detectors, allowed, drops: drops.drops, nginx: drops.nginx, refusalCost, memory };
  results = keepPreviousSections(results);
  mkdirSync(here('./results/'), { recursive: true });
  writeFileSync(here('./results/latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  render(results);
}

/**
 * With `--only`, the sections not run keep the results of the previous run (latest.json), so
 * re-measuring one section does not wipe the others from the tables and the chart.
 */
function keepPreviousSections(results: BenchResults): BenchResults {
  const path = here('./results/latest.json');
  if (only === undefined || !existsSync(path)) return results;
  const previous = JSON.parse(readFileSync(path, 'utf8')) as BenchResults;
  return {
    ...results,
    match: wants('match') ? results.match : previous.match,
    detectors: wants('match') ? results.detectors : previous.detectors,
    drops: wants('drops') ? results.drops : previous.drops,
    nginx: wants('drops') ? results.nginx : previous.nginx,
    refusalCost: wants('refusal') ? results.refusalCost : previous.refusalCost,
    memory: wants('memory') ? results.memory : previous.memory,
    allowed: wants('allowed') ? results.allowed : previous.allowed,
  };
}

/** Writes latest.md and chart.svg (and the README block with --update-readme) and prints the targets. */
function render(results: BenchResults): void {
  const md = markdown(results);
  writeFileSync(here('./results/latest.md'), `${md}\n`);
  writeFileSync(here('./results/chart.svg'), chart(results));

  console.log('\n== targets');
  for (const t of targets(results)) {
    console.log(`  ${t.met ? 'met   ' : 'MISSED'} ${`${t.what} / ${t.baseline}`.padEnd(86)} ${ratio(t.value).padStart(7)} (${t.target})`);
  }
  if (args.includes('--update-readme')) {
    const path = here('./README.md');
    const readme = readFileSync(path, 'utf8');
    const start = '<!-- results:start -->';
    const end = '<!-- results:end -->';
    const from = readme.indexOf(start);
    const to = readme.indexOf(end);
    if (from === -1 || to < from) throw new Error(`bench/README.md has no ${start} ... ${end} block`);
    writeFileSync(path, `${readme.slice(0, from + start.length)}\n${md}\n${readme.slice(to)}`);
    console.log('bench/README.md updated');
  }
  console.log('wrote bench/results/latest.json, latest.md, chart.svg');
}

process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));
const run = args.includes('--render')
  ? async () => render(JSON.parse(readFileSync(here('./results/latest.json'), 'utf8')) as BenchResults)
  : main;
run().catch(async (error: unknown) => {
  console.error(error);
  await stopAll();
  process.exit(1);
});
