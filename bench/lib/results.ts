/**
 * The results of one `npm run bench`, the targets evaluated on them, and their rendering
 * as Markdown tables (bench/results/latest.md, and bench/README.md with `--update-readme`).
 */
import type { DetectorCost, MatchResult } from '../match.js';
import { nsOf } from '../match.js';
import type { Measured } from './compare.js';
import { roundRatio } from './compare.js';
import { fmt, ratio } from './stats.js';

/** One framework's allowed-request comparison, or why it was skipped. */
export interface AllowedComparison {
  readonly framework: string;
  readonly base?: Measured;
  readonly hangup?: Measured;
  /** Other setups measured in the same rounds, for explanation (no target). */
  readonly extras?: readonly Measured[];
  readonly skipped?: string;
}

/** RSS, heap, connections and listeners of the dropping server, before and after the drops. */
export interface MemoryResult {
  readonly drops: number;
  readonly silent: number;
  readonly samples: readonly { readonly after: number; readonly rss: number; readonly heapUsed: number; readonly connections: number; readonly listeners: number; readonly activeResources: number }[];
}

export interface BenchResults {
  readonly environment: Record<string, string>;
  readonly mode: 'quick' | 'full';
  readonly rounds: number;
  readonly durationMs: number;
  readonly match: readonly MatchResult[];
  readonly detectors: readonly DetectorCost[];
  readonly allowed: readonly AllowedComparison[];
  readonly drops: readonly Measured[];
  readonly nginx: string;
  readonly refusalCost: readonly Measured[];
  readonly memory: MemoryResult | null;
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
}

function find(list: readonly Measured[], label: string): Measured | undefined {
  return list.find((m) => m.label === label);
}

/** The targets, evaluated on `r` (a target whose subject was skipped is left out). */
export function targets(r: BenchResults): Target[] {
  const out: Target[] = [];
  const add = (what: string, baseline: string, kind: 'min' | 'max', limit: number, value: number) => {
    if (Number.isNaN(value)) return;
    out.push({ what, baseline, target: `${kind === 'min' ? '≥' : '≤'} ${limit}`, value, kind, limit, met: kind === 'min' ? value >= limit : value <= limit });
  };
  for (const a of r.allowed) {
    if (a.base !== undefined && a.hangup !== undefined) {
      add(`allowed req/s, ${a.framework} + hangup`, `${a.framework} without hangup`, 'min', 0.95, roundRatio(a.hangup, a.base, 'perSecond'));
    }
  }
  const destroy = find(r.drops, 'node:http socket.destroy()');
  const drop = find(r.drops, 'hangup drop');
  if (destroy !== undefined && drop !== undefined) {
    add('dropped connections/s, hangup', 'node:http calling socket.destroy()', 'min', 0.95, roundRatio(drop, destroy, 'perSecond'));
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

const cpu = (m: Measured): string => (Number.isNaN(m.cpuMicrosPerRequest) ? 'n/a' : fmt(m.cpuMicrosPerRequest, 1));

/** The results as Markdown: targets first, then each table. */
export function markdown(r: BenchResults): string {
  const parts: string[] = [];
  parts.push(
    `Run: ${r.environment.date} · ${r.mode} mode (${r.rounds} interleaved rounds of ${r.durationMs / 1000} s per subject, medians; ` +
    `allowed requests: ${r.allowed[0]?.base?.rounds.length ?? r.rounds} rounds, a fresh server process per run) · ` +
      `Node ${r.environment.node} · ${r.environment.cpu} × ${r.environment.cores} · ${r.environment.pinning} · ` +
      `load average ${r.environment.loadBefore} before, ${r.environment.loadAfter} after`,
  );
  parts.push(
    '### Targets\n\n' +
      table(
        ['what', 'baseline (same run)', 'target', 'measured', ''],
        targets(r).map((t) => [t.what, t.baseline, t.target, ratio(t.value), t.met ? 'met' : '**missed**']),
      ),
  );

  const allowedRows: string[][] = [];
  for (const a of r.allowed) {
    if (a.base === undefined || a.hangup === undefined) {
      allowedRows.push([a.framework, '—', '—', '—', '—', '—', `skipped: ${a.skipped ?? ''}`]);
      continue;
    }
    for (const m of [a.hangup, ...(a.extras ?? [])]) {
      allowedRows.push([
        m.label,
        fmt(a.base.perSecond),
        fmt(m.perSecond),
        ratio(roundRatio(m, a.base, 'perSecond')),
        cpu(a.base),
        cpu(m),
        ratio(roundRatio(m, a.base, 'cpuMicrosPerRequest')),
      ]);
    }
  }
  parts.push(
    '### Allowed requests (keep-alive, autocannon, 32 connections, `GET /r6/42` on a 10-route table, default detectors)\n\n' +
      table(['server', 'req/s without hangup', 'req/s', 'ratio', 'server CPU µs/req without', 'µs/req', 'CPU ratio'], allowedRows),
  );

  const destroy = find(r.drops, 'node:http socket.destroy()');
  parts.push(
    '### Dropped connections (a new connection per request, 16 at a time, `GET /wp-login.php`)\n\n' +
      table(
        ['server', 'connections/s', 'vs socket.destroy()', 'server CPU µs/connection', 'bytes received', 'not silent'],
        r.drops.map((m) => [
          m.label,
          fmt(m.perSecond),
          destroy === undefined || m === destroy ? '—' : ratio(roundRatio(m, destroy, 'perSecond')),
          cpu(m),
          fmt(m.bytesPerRequest, 0),
          fmt(m.unexpected),
        ]),
      ) +
      (r.nginx === '' ? '' : `\n\nnginx: ${r.nginx}`),
  );

  const reference = find(r.refusalCost, 'drop (FIN)');
  parts.push(
    '### Server CPU per refused request\n\n' +
      table(
        ['refusal', 'client', 'requests/s', 'server CPU µs/request', 'CPU vs drop', 'bytes sent per request'],
        r.refusalCost.map((m) => [
          m.label,
          m.label.includes('keep-alive') ? 'autocannon, 32 kept-alive connections' : 'new connection per request, 16 at a time',
          fmt(m.perSecond),
          cpu(m),
          reference === undefined || m === reference ? '—' : ratio(roundRatio(m, reference, 'cpuMicrosPerRequest')),
          fmt(m.bytesPerRequest, 0),
        ]),
      ),
  );

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
      ),
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
        `\n\n${fmt(r.memory.silent)} of ${fmt(r.memory.drops)} connections closed without a byte.`,
    );
  }
  return parts.join('\n\n');
}
