/**
 * Matching cost: nanoseconds per `decide()` and per route lookup for tables of 10, 1,000 and
 * 10,000 routes, hit and miss, against find-my-way's radix tree and a plain loop over
 * path-to-regexp regexps (hangup before the route index) on the same table. Every case is
 * measured in several interleaved rounds and the median reported, because the machine is shared.
 *
 * The requests are real: `IncomingMessage` objects a node:http server on loopback parsed from
 * the wire, so `decide()` and find-my-way read exactly what they read in service (fresh strings
 * per request, Node's own header map and raw headers, the strict parser's guarantees).
 *
 * Run alone: `tsx bench/match.ts [--quick] [--json]`.
 */
import http, { type IncomingMessage } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import FindMyWay from 'find-my-way';
import { pathToRegexp } from 'path-to-regexp';
import { hangup, type Guard } from '../dist/index.js';
import { enabledDetectors } from '../dist/detectors/index.js';
import { defaultPreset, limitNames } from '../dist/detectors/settings.js';
import { parseHead, type Policy } from '../dist/policy/policy.js';
import { benchPaths, benchRoutes, hangupSpecs, type BenchRoute } from './lib/routes.js';
import { fmt, median } from './lib/stats.js';

/** One measured case: what ran, on how many routes, hit or miss, and its median cost. */
export interface MatchResult {
  readonly subject: 'decide' | 'decide-no-detectors' | 'lookup' | 'find-my-way' | 'regexp-loop';
  readonly routes: number;
  readonly kind: 'hit' | 'miss';
  readonly nsPerOp: number;
}

interface Case {
  readonly subject: MatchResult['subject'];
  readonly routes: number;
  readonly kind: MatchResult['kind'];
  readonly run: () => unknown;
  readonly samples: number[];
}

const SIZES = [10, 1_000, 10_000];
/** Distinct requests cycled through per case (a power of two). */
const POOL = 256;

/**
 * `POOL` requests for `path` (`GET path?i=N`, with Host, User-Agent and Accept as curl sends
 * them), parsed by a real node:http server and kept. Their header maps are built before timing,
 * as the framework or app behind hangup builds them for every request anyway.
 */
async function realRequests(path: string): Promise<IncomingMessage[]> {
  const captured: IncomingMessage[] = [];
  const server = http.createServer((req, res) => {
    captured.push(req);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const socket = net.connect((server.address() as AddressInfo).port, '127.0.0.1');
  let pipelined = '';
  for (let i = 0; i < POOL; i++) pipelined += `GET ${path}?i=${i} HTTP/1.1\r\nHost: example.com\r\nUser-Agent: bench/1.0\r\nAccept: */*\r\n\r\n`;
  socket.on('error', () => undefined);
  socket.write(pipelined);
  while (captured.length < POOL) await new Promise((resolve) => setTimeout(resolve, 5));
  socket.destroy();
  await new Promise((resolve) => server.close(resolve));
  for (const req of captured) void req.headers;
  return captured;
}

/** Every detector and limit switched off, to tell the detectors' cost from the routing cost. */
function noDetectors(): Record<string, boolean | number> {
  return Object.fromEntries(Object.keys(defaultPreset).map((name) => [name, limitNames.has(name as never) ? Infinity : false]));
}

function findMyWay(routes: readonly BenchRoute[]): (method: string, url: string) => unknown {
  const router = FindMyWay({ caseSensitive: false, ignoreTrailingSlash: true });
  for (const r of routes) router.on(r.method as 'GET', r.path, () => undefined);
  return (method, url) => router.find(method as 'GET', url);
}

/** hangup before the index: every route's regexp tried in the order written. */
function regexpLoop(routes: readonly BenchRoute[]): (method: string, path: string) => unknown {
  const compiled = routes.map((r) => ({ method: r.method, regexp: pathToRegexp(r.path, { sensitive: false }).regexp }));
  return (method, path) => {
    for (const route of compiled) if (route.method === method && route.regexp.test(path)) return route;
    return undefined;
  };
}

/** The end of the path in a request target: its first `?`, or its length. */
function pathEnd(url: string): number {
  const q = url.indexOf('?');
  return q === -1 ? url.length : q;
}

async function casesFor(n: number, includeLoop: boolean): Promise<Case[]> {
  const routes = benchRoutes(n);
  const specs = hangupSpecs(routes);
  const paths = benchPaths(n);
  const guard: Guard = hangup({ routes: specs });
  const bare: Guard = hangup({ routes: specs, detectors: noDetectors() });
  // The route table is internal (not in the published types): the benchmark reaches for it.
  // The policy is internal (not in the published types): the benchmark reaches for its route table.
  const table = (guard as unknown as { policy: Policy }).policy.routeTable;
  const fmw = findMyWay(routes);
  const loop = regexpLoop(routes);
  const out: Case[] = [];
  const add = (subject: Case['subject'], kind: Case['kind'], run: () => unknown) =>
    out.push({ subject, routes: n, kind, run, samples: [] });
  for (const [kind, path] of [['hit', paths.hitParam], ['miss', paths.miss]] as const) {
    // Distinct requests, as in service: one reused object would let the one-entry scan caches
    // answer every call, and one constant string would keep its hash and flattening across calls.
    const pool = await realRequests(path);
    let next = 0;
    const nextRequest = (): IncomingMessage => pool[next++ & (POOL - 1)] as IncomingMessage;
    add('decide', kind, () => guard.decide(nextRequest()));
    add('decide-no-detectors', kind, () => bare.decide(nextRequest()));
    if (table !== null) {
      add('lookup', kind, () => {
        const req = nextRequest();
        const url = req.url as string;
        return table.lookupIn(req.method as string, url, 0, pathEnd(url));
      });
    }
    add('find-my-way', kind, () => {
      const req = nextRequest();
      return fmw(req.method as string, req.url as string);
    });
    if (includeLoop) {
      add('regexp-loop', kind, () => {
        const req = nextRequest();
        const url = req.url as string;
        return loop(req.method as string, url.slice(0, pathEnd(url)));
      });
    }
  }
  return out;
}

let sink: unknown;

/** Runs `fn` in batches for about `budgetMs` and returns nanoseconds per call. */
function timePerOp(fn: () => unknown, budgetMs: number): number {
  const budget = BigInt(Math.round(budgetMs * 1e6));
  let ops = 0;
  let batch = 16;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  while (elapsed < budget) {
    for (let i = 0; i < batch; i++) sink = fn();
    ops += batch;
    elapsed = process.hrtime.bigint() - start;
    if (batch < 4096) batch *= 2;
  }
  return Number(elapsed) / ops;
}

/** Measures every case in `rounds` interleaved rounds; returns the medians. */
export async function runMatch(options: { quick: boolean }): Promise<MatchResult[]> {
  const rounds = options.quick ? 3 : 7;
  const budgetMs = options.quick ? 40 : 100;
  const cases: Case[] = [];
  for (const n of SIZES) cases.push(...(await casesFor(n, true)));
  for (const c of cases) timePerOp(c.run, 20); // warm up every case before any is measured
  for (let round = 0; round < rounds; round++) {
    for (const c of cases) c.samples.push(timePerOp(c.run, budgetMs));
  }
  if (sink === Symbol.for('never')) console.log(sink);
  return cases.map((c) => ({ subject: c.subject, routes: c.routes, kind: c.kind, nsPerOp: median(c.samples) }));
}

/** What one built-in detector costs on an ordinary allowed request. */
export interface DetectorCost {
  readonly name: string;
  readonly nsPerOp: number;
}

/**
 * Times each default detector's check on the head of an ordinary request (`GET` of the 1,000-route
 * hit path with three headers), in interleaved rounds: what a request costs that the detector
 * screen does not pass, so the detectors run one by one. Empty if the detector API has changed shape.
 */
export async function runDetectorCosts(options: { quick: boolean }): Promise<DetectorCost[]> {
  let detectors: { name: string; check: (head: ReturnType<typeof parseHead>) => unknown }[];
  try {
    detectors = enabledDetectors(undefined);
  } catch {
    return [];
  }
  const parsed = parseHead((await realRequests(benchPaths(1_000).hitParam))[0] as IncomingMessage);
  const samples = detectors.map(() => [] as number[]);
  const rounds = options.quick ? 3 : 7;
  for (const d of detectors) timePerOp(() => d.check(parsed), 10);
  for (let round = 0; round < rounds; round++) {
    detectors.forEach((d, i) => (samples[i] as number[]).push(timePerOp(() => d.check(parsed), options.quick ? 10 : 30)));
  }
  return detectors.map((d, i) => ({ name: d.name, nsPerOp: median(samples[i] as number[]) }));
}

/** The ns/op of one case in `results`, NaN when it was not measured. */
export function nsOf(results: readonly MatchResult[], subject: MatchResult['subject'], routes: number, kind: MatchResult['kind']): number {
  return results.find((r) => r.subject === subject && r.routes === routes && r.kind === kind)?.nsPerOp ?? Number.NaN;
}

/** A plain-text list of detector costs, most expensive first. */
export function formatDetectors(costs: readonly DetectorCost[]): string {
  const total = costs.reduce((sum, c) => sum + c.nsPerOp, 0);
  const lines = [`default detectors, ns per check on an ordinary request (sum ${fmt(total)} ns):`];
  for (const c of [...costs].sort((a, b) => b.nsPerOp - a.nsPerOp)) lines.push(`  ${c.name.padEnd(22)}${fmt(c.nsPerOp, 1).padStart(8)}`);
  return lines.join('\n');
}

/** A plain-text table of the results, one line per subject and size. */
export function formatMatch(results: readonly MatchResult[]): string {
  const subjects = [...new Set(results.map((r) => r.subject))];
  const lines = [`${'subject'.padEnd(22)}${'routes'.padStart(8)}${'hit ns'.padStart(12)}${'miss ns'.padStart(12)}`];
  for (const subject of subjects) {
    for (const n of SIZES) {
      const hit = nsOf(results, subject, n, 'hit');
      const miss = nsOf(results, subject, n, 'miss');
      if (Number.isNaN(hit) && Number.isNaN(miss)) continue;
      lines.push(`${subject.padEnd(22)}${fmt(n).padStart(8)}${fmt(hit).padStart(12)}${fmt(miss).padStart(12)}`);
    }
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  const match = await runMatch({ quick });
  const detectors = await runDetectorCosts({ quick });
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify({ match, detectors }));
  } else {
    console.log(formatMatch(match));
    console.log(formatDetectors(detectors));
  }
}
