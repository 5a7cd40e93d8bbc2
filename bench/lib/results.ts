/**
 * The results of one `npm run bench`, the issue's targets evaluated on them, and their rendering
 * as Markdown tables (bench/results/latest.md, and bench/README.md with `--update-readme`).
 */
import type { DetectorCost, MatchResult } from '../match.js';
import { nsOf } from '../match.js';
import type { Measured } from './compare.js';
import { cpuRatio, roundRatio } from './compare.js';
import { fmt, median, ratio } from './stats.js';

/** One framework's allowed-request comparison, or why it was skipped. */
export interface AllowedComparison {
  readonly framework: string;
  readonly base?: Measured;
  readonly hangup?: Measured;
  /** Other setups measured in the same rounds against the same baseline. */
  readonly extras?: readonly Measured[];
  readonly skipped?: string;
}

/** RSS, heap, connections and listeners of the dropping server, before and after the drops. */
export interface MemoryResult {
  readonly drops: number;
  readonly silent: number;
  readonly samples: readonly { readonly after: number; readonly rss: number; readonly heapUsed: number; readonly connections: number; readonly listeners: number; readonly activeResources: number }[];
}

/** Heap bytes one subject allocated per allowed request, in every round (see bench/lib/alloc.ts). */
export interface AllocMeasured {
  readonly label: string;
  /** Median over rounds. */
  readonly bytesPerRequest: number;
  readonly rounds: readonly { readonly bytes: number; readonly requests: number; readonly unexpected: number }[];
}

/** One framework's allocation comparison: its baseline and the same server with hangup (and extras). */
export interface AllocComparison {
  readonly framework: string;
  readonly base?: AllocMeasured;
  readonly subjects?: readonly AllocMeasured[];
  readonly skipped?: string;
}

/** The load average (1, 5 and 15 minutes) when a section began and when it ended. */
export interface SectionLoad {
  readonly before: string;
  readonly after: string;
}

export interface BenchResults {
  readonly environment: Record<string, string>;
  readonly mode: 'quick' | 'full' | 'smoke';
  readonly rounds: number;
  readonly durationMs: number;
  /** Warm-up of every fresh server before its measured run; absent in older results. */
  readonly warmupMs?: number;
  readonly match: readonly MatchResult[];
  readonly detectors: readonly DetectorCost[];
  readonly allowed: readonly AllowedComparison[];
  readonly drops: readonly Measured[];
  readonly nginx: string;
  readonly refusalCost: readonly Measured[];
  readonly memory: MemoryResult | null;
  /** Absent in results written before the allocation section existed. */
  readonly alloc?: readonly AllocComparison[];
  /** Per section (match, drops, ...); absent in older results. */
  readonly loads?: Readonly<Record<string, SectionLoad>>;
}

/** A target of the issue, evaluated. */
export interface Target {
  readonly what: string;
  readonly baseline: string;
  readonly target: string;
  readonly value: number;
  readonly met: boolean;
  /** `min`: the value must be at least the limit; `max`: at most. */
  readonly kind: 'min' | 'max';
  readonly limit: number;
  /** For a CPU target: the req/s ratio of the same runs, to show how far the two agree. */
  readonly perSecondRatio?: number;
}

/** The label of the allowed-request subject with 1,000 routes and the strict detector preset. */
export const STRICT_1000_LABEL = 'node:http + hangup, 1,000 routes, strict detectors';
/** The label of the drop baseline and of hangup's drop in the drops section. */
export const DESTROY_LABEL = 'node:http socket.destroy()';
export const DROP_LABEL = 'hangup drop';

/**
 * The issue's server-CPU targets for allowed requests: the minimum CPU ratio (baseline CPU per
 * request ÷ the subject's, median of per-round ratios) of each subject against its group's baseline.
 */
const ALLOWED_CPU_TARGETS: ReadonlyMap<string, number> = new Map([
  ['node:http + hangup', 0.97],
  [STRICT_1000_LABEL, 0.95],
  ['Express 5 + hangup', 0.98],
  ['Fastify 5 + hangup', 0.98],
]);
/** The same for hangup's drop against node:http destroying the socket. */
const DROP_CPU_TARGET = 0.97;

function find(list: readonly Measured[], label: string): Measured | undefined {
  return list.find((m) => m.label === label);
}

/** The issue's targets, evaluated on `r` (a target whose subject was skipped is left out). */
export function targets(r: BenchResults): Target[] {
  const out: Target[] = [];
  const add = (what: string, baseline: string, kind: 'min' | 'max', limit: number, value: number, perSecondRatio?: number) => {
    if (Number.isNaN(value)) return;
    out.push({
      what,
      baseline,
      target: `${kind === 'min' ? '≥' : '≤'} ${limit}`,
      value,
      kind,
      limit,
      met: kind === 'min' ? value >= limit : value <= limit,
      ...(perSecondRatio === undefined ? {} : { perSecondRatio }),
    });
  };
  for (const a of r.allowed) {
    if (a.base === undefined || a.hangup === undefined) continue;
    for (const m of [a.hangup, ...(a.extras ?? [])]) {
      const limit = ALLOWED_CPU_TARGETS.get(m.label);
      if (limit === undefined) continue;
      add(`allowed, server CPU/req, ${m.label}`, `${a.framework} without hangup`, 'min', limit, cpuRatio(m, a.base), roundRatio(m, a.base, 'perSecond'));
    }
  }
  const destroy = find(r.drops, DESTROY_LABEL);
  const drop = find(r.drops, DROP_LABEL);
  if (destroy !== undefined && drop !== undefined) {
    add('dropped, server CPU/connection, hangup drop', 'node:http calling socket.destroy()', 'min', DROP_CPU_TARGET, cpuRatio(drop, destroy), roundRatio(drop, destroy, 'perSecond'));
  }
  const fmw = 'find-my-way find(), same table and requests';
  for (const kind of ['hit', 'miss'] as const) {
    add(`decide() ns, 1,000 routes, ${kind}`, fmw, 'max', 2, nsOf(r.match, 'decide', 1_000, kind) / nsOf(r.match, 'find-my-way', 1_000, kind));
  }
  for (const kind of ['hit', 'miss'] as const) {
    add(`decide() ns, detectors off, 1,000 routes, ${kind}`, fmw, 'max', 2, nsOf(r.match, 'decide-no-detectors', 1_000, kind) / nsOf(r.match, 'find-my-way', 1_000, kind));
  }
  for (const kind of ['hit', 'miss'] as const) {
    add(`route lookup ns, 1,000 routes, ${kind}`, fmw, 'max', 2, nsOf(r.match, 'lookup', 1_000, kind) / nsOf(r.match, 'find-my-way', 1_000, kind));
  }
  for (const kind of ['hit', 'miss'] as const) {
    add(`decide() ns, 1,000 routes, ${kind}`, 'decide(), 10 routes', 'max', 1.5, nsOf(r.match, 'decide', 1_000, kind) / nsOf(r.match, 'decide', 10, kind));
    add(`decide() ns, 10,000 routes, ${kind}`, 'decide(), 10 routes', 'max', 2, nsOf(r.match, 'decide', 10_000, kind) / nsOf(r.match, 'decide', 10, kind));
  }
  if (r.memory !== null && r.memory.samples.length >= 2) {
    const first = r.memory.samples[0] as MemoryResult['samples'][number];
    const last = r.memory.samples[r.memory.samples.length - 1] as MemoryResult['samples'][number];
    add(`RSS after ${fmt(r.memory.drops)} drops`, 'RSS before', 'max', 1.1, last.rss / first.rss);
  }
  return out;
}

const table = (head: string[], rows: string[][]): string =>
  [`| ${head.join(' | ')} |`, `|${head.map((h, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');

const micros = (value: number | undefined): string => (value === undefined || Number.isNaN(value) ? 'n/a' : fmt(value, 1));

/** User, system and total server CPU per request of `m`. */
const cpuCells = (m: Measured): string[] => [micros(m.userMicrosPerRequest), micros(m.systemMicrosPerRequest), micros(m.cpuMicrosPerRequest)];

/** req/s ratio, CPU ratio and their difference against `base` ('—' three times for the baseline itself). */
function ratioCells(m: Measured, base: Measured | undefined): string[] {
  if (base === undefined || m === base) return ['—', '—', '—'];
  const perSecond = roundRatio(m, base, 'perSecond');
  const cpu = cpuRatio(m, base);
  return [ratio(perSecond), ratio(cpu), signed(perSecond - cpu)];
}

/** A difference of ratios with its sign, `0.00` when it rounds to nothing. */
function signed(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  const digits = Math.abs(value).toFixed(2);
  return digits === '0.00' ? digits : `${value > 0 ? '+' : '−'}${digits}`;
}

/**
 * How far the req/s ratio and the CPU ratio of the same runs disagree over the CPU targets, as a
 * sentence: req/s counts what the load generator got through, CPU what the server spent on it.
 */
function disagreement(list: readonly Target[]): string {
  const gaps = list.flatMap((t) => (t.perSecondRatio === undefined ? [] : [{ what: t.what, gap: t.perSecondRatio - t.value }]));
  if (gaps.length === 0) return '';
  const widest = gaps.reduce((a, b) => (Math.abs(b.gap) > Math.abs(a.gap) ? b : a));
  const min = Math.min(...gaps.map((g) => g.gap));
  const max = Math.max(...gaps.map((g) => g.gap));
  return `\n\nreq/s ratio − CPU ratio over the CPU targets: from ${signed(min)} to ${signed(max)}; widest apart: ${widest.what} (${signed(widest.gap)}).`;
}

/** "Load average a b c before, d e f after." for a section, when recorded. */
function loadLine(r: BenchResults, section: string): string {
  const load = r.loads?.[section];
  return load === undefined ? '' : `\n\nLoad average ${load.before} before, ${load.after} after.`;
}

const CPU_HEAD = ['user µs', 'system µs', 'CPU µs'];
const RATIO_HEAD = ['req/s ratio', 'CPU ratio', 'req/s − CPU'];

/** The results as Markdown: targets first, then each table. */
export function markdown(r: BenchResults): string {
  const parts: string[] = [];
  parts.push(
    `Run: ${r.environment.date} · ${r.mode} mode (server CPU per request: a fresh server process per run, ` +
      `${r.warmupMs === undefined ? '' : `warmed up ${fmt(r.warmupMs / 1000, 1)} s, `}measured ${fmt(r.durationMs / 1000, 1)} s, ${r.rounds} interleaved rounds, medians of per-round ratios) · ` +
      `Node ${r.environment.node} · ${r.environment.cpu} × ${r.environment.cores} · ${r.environment.pinning} · ` +
      `load average ${r.environment.loadBefore} before, ${r.environment.loadAfter} after`,
  );
  const evaluated = targets(r);
  parts.push(
    '### Targets\n\n' +
      'CPU ratio: the baseline\'s server CPU per request ÷ the subject\'s, median of per-round ratios (1.00× = no overhead, lower = hangup costs more). ' +
      'req/s ratio: the subject\'s requests per second ÷ the baseline\'s, same runs.\n\n' +
      table(
        ['what', 'baseline (same run)', 'target', 'measured', '', 'req/s ratio, same runs'],
        evaluated.map((t) => [t.what, t.baseline, t.target, ratio(t.value), t.met ? 'met' : '**missed**', t.perSecondRatio === undefined ? '' : ratio(t.perSecondRatio)]),
      ) +
      disagreement(evaluated),
  );

  const allowedRows: string[][] = [];
  for (const a of r.allowed) {
    if (a.base === undefined || a.hangup === undefined) {
      allowedRows.push([a.framework, ...Array<string>(7).fill('—'), `skipped: ${a.skipped ?? ''}`]);
      continue;
    }
    for (const m of [a.base, a.hangup, ...(a.extras ?? [])]) {
      allowedRows.push([m === a.base ? `${m.label} (baseline)` : m.label, fmt(m.perSecond), ...cpuCells(m), ...ratioCells(m, a.base), fmt(m.unexpected)]);
    }
  }
  parts.push(
    '### Allowed requests (keep-alive, autocannon, 32 connections, `GET /r6/42` with `Host: localhost`; 10-route table, default detectors unless named)\n\n' +
      'Server CPU per request in µs (user, system, total), medians over rounds; ratios against the group\'s baseline.\n\n' +
      table(['server', 'req/s', ...CPU_HEAD, ...RATIO_HEAD, 'unexpected'], allowedRows) +
      loadLine(r, 'allowed'),
  );

  const destroy = find(r.drops, DESTROY_LABEL);
  parts.push(
    '### Dropped connections (a new connection per request, 16 at a time, `GET /wp-login.php`)\n\n' +
      'Server CPU per connection in µs (user, system, total), medians over rounds; ratios against node:http calling `socket.destroy()`.\n\n' +
      table(
        ['server', 'connections/s', ...CPU_HEAD, ...RATIO_HEAD, 'bytes received', 'not silent'],
        r.drops.map((m) => [m === destroy ? `${m.label} (baseline)` : m.label, fmt(m.perSecond), ...cpuCells(m), ...ratioCells(m, destroy), fmt(m.bytesPerRequest, 0), fmt(m.unexpected)]),
      ) +
      (r.nginx === '' ? '' : `\n\nnginx: ${r.nginx}`) +
      loadLine(r, 'drops'),
  );

  const reference = r.refusalCost.find((m) => m.label === 'drop (FIN)');
  parts.push(
    '### Server CPU per refused request\n\n' +
      'CPU ratio: the drop\'s server CPU per request ÷ this refusal\'s (above 1.00× = cheaper than the drop).\n\n' +
      table(
        ['refusal', 'client', 'requests/s', ...CPU_HEAD, 'CPU ratio vs drop', 'bytes sent per request'],
        r.refusalCost.map((m) => [
          m.label,
          m.label.includes('keep-alive') ? 'autocannon, 32 kept-alive connections' : 'new connection per request, 16 at a time',
          fmt(m.perSecond),
          ...cpuCells(m),
          reference === undefined || m === reference ? '—' : ratio(cpuRatio(m, reference)),
          fmt(m.bytesPerRequest, 0),
        ]),
      ) +
      loadLine(r, 'refusal'),
  );

  if (r.alloc !== undefined && r.alloc.length > 0) parts.push(allocMarkdown(r));

  const sizes = [10, 1_000, 10_000];
  const subjects: [MatchResult['subject'], string][] = [
    ['decide', 'hangup `decide()` (default detectors)'],
    ['decide-no-detectors', 'hangup `decide()`, every detector and limit off'],
    ['lookup', 'hangup route lookup alone'],
    ['find-my-way', 'find-my-way `find()`'],
    ['regexp-loop', 'loop over path-to-regexp regexps (hangup before the index)'],
  ];
  parts.push(
    '### Matching cost (ns per call, median)\n\n' +
      table(
        ['', ...sizes.flatMap((n) => [`${fmt(n)} routes hit`, `${fmt(n)} miss`])],
        subjects.map(([subject, label]) => [label, ...sizes.flatMap((n) => [fmt(nsOf(r.match, subject, n, 'hit')), fmt(nsOf(r.match, subject, n, 'miss'))])]),
      ) +
      loadLine(r, 'match'),
  );

  if (r.detectors.length > 0) {
    const total = r.detectors.reduce((sum, d) => sum + d.nsPerOp, 0);
    const top = [...r.detectors].sort((a, b) => b.nsPerOp - a.nsPerOp);
    parts.push(
      `### Detector cost, one by one (ns per check on an ordinary allowed request; ${r.detectors.length} default detectors, sum ${fmt(total)} ns). ` +
        'Only a request the screen (`src/detectors/screen.ts`) does not pass runs them one by one; a clean one costs the screen alone, ' +
        'included in `decide()` above.\n\n' +
        table(['detector', 'ns'], top.map((d) => [`\`${d.name}\``, fmt(d.nsPerOp, 1)])),
    );
  }

  if (r.memory !== null) {
    parts.push(
      `### Memory over ${fmt(r.memory.drops)} drops (RSS in service; heap used after a full GC)\n\n` +
        table(
          ['after drops', 'RSS MB', 'heap used MB', 'open connections', 'server listeners', 'active handles'],
          r.memory.samples.map((s) => [fmt(s.after), fmt(s.rss / 2 ** 20, 1), fmt(s.heapUsed / 2 ** 20, 2), fmt(s.connections), fmt(s.listeners), fmt(s.activeResources)]),
        ) +
        `\n\n${fmt(r.memory.silent)} of ${fmt(r.memory.drops)} connections closed without a byte.` +
        loadLine(r, 'memory'),
    );
  }
  return parts.join('\n\n');
}

/** The median over rounds of `m`'s bytes per request minus `base`'s in the same round. */
export function allocDifference(m: AllocMeasured, base: AllocMeasured): number {
  const differences = m.rounds.map((round, i) => {
    const b = base.rounds[i];
    return b === undefined ? Number.NaN : round.bytes / round.requests - b.bytes / b.requests;
  });
  return median(differences.filter(Number.isFinite));
}

function allocMarkdown(r: BenchResults): string {
  const rows: string[][] = [];
  let requests = 0;
  for (const a of r.alloc ?? []) {
    if (a.base === undefined || a.subjects === undefined) {
      rows.push([a.framework, '—', '—', '—', `skipped: ${a.skipped ?? ''}`]);
      continue;
    }
    requests = a.base.rounds[0]?.requests ?? requests;
    for (const m of a.subjects) {
      const unexpected = [a.base, m].reduce((sum, s) => sum + s.rounds.reduce((n, round) => n + round.unexpected, 0), 0);
      rows.push([m.label, fmt(a.base.bytesPerRequest), fmt(m.bytesPerRequest), `${allocDifference(m, a.base) >= 0 ? '+' : '−'}${fmt(Math.abs(allocDifference(m, a.base)))}`, fmt(unexpected)]);
    }
  }
  return (
    `### Heap allocated per allowed request (V8 heap bytes over ${fmt(requests)} keep-alive requests, \`GET /r6/42\`; median of ${r.alloc?.[0]?.base?.rounds.length ?? 0} rounds)\n\n` +
    'Bytes the server process allocated on the V8 heap (`v8.GCProfiler`, see Method) divided by the requests the load generator completed; ' +
    'difference: median of per-round differences. A Buffer\'s bytes are outside the V8 heap and not counted.\n\n' +
    table(['server', 'bytes/req without hangup', 'bytes/req with', 'difference', 'unexpected'], rows) +
    loadLine(r, 'alloc')
  );
}
