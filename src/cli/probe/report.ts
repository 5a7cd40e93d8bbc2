/**
 * The human-readable report: one table per probe class, one row per probe, then the verdict. Every
 * string that came from the server is made printable first, so a hostile answer cannot drive the
 * terminal.
 */
import { CLASS_TITLES, PROBE_CLASSES } from './corpus.js';
import type { ProbeReport, ProbeResult } from './runner.js';
import { summarise, verdictLine } from './summary.js';
import type { Outcome } from './verdict.js';

/** Replaces control and non-ASCII characters with `\xNN`, so the text is safe on any terminal. */
export function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** Cuts `text` to `width` characters (with an ellipsis) and pads it to exactly that width. */
function fit(text: string, width: number): string {
  return (text.length > width ? `${text.slice(0, width - 1)}…` : text).padEnd(width);
}

const OUTCOME_LABELS: Readonly<Record<Outcome, string>> = {
  silent: 'ok',
  'plain-404': 'ok',
  leak: 'LEAK',
  info: 'info',
  error: 'ERROR',
};

/** One table row: what was sent, what came back, how and when it ended, the verdict and why. */
function row(result: ProbeResult): string {
  const { exchange, judgement } = result;
  const answer = printable(judgement.answer.replace(/^HTTP\/\S+ /, ''));
  const ending = exchange.timedOut ? 'wait' : exchange.ending;
  const details = judgement.findings.map((f) => printable(f.detail)).join('; ');
  return [
    '  ',
    fit(printable(result.probe.title), 44),
    ' ',
    fit(answer, 24),
    ' ',
    `${exchange.bytes.length} B`.padStart(8),
    ' ',
    ending.padEnd(4),
    ' ',
    `${exchange.elapsedMs} ms`.padStart(8),
    '  ',
    OUTCOME_LABELS[judgement.outcome].padEnd(5),
    details === '' ? '' : ` ${details}`,
  ]
    .join('')
    .trimEnd();
}

/** Formats the whole report as text, ending with the verdict line. */
export function formatReport(report: ProbeReport): string {
  const summary = summarise(report);
  const { target, endpoint } = report;
  const out: string[] = [
    `hangup probe ${printable(target.url)}`,
    `  ${endpoint.address}:${endpoint.port}, Host: ${target.host}, ${summary.probes} probes, ` +
      `${report.concurrency} at a time, ${report.timeoutMs} ms bound each, ${(report.durationMs / 1000).toFixed(1)} s`,
    '  ending: fin = closed, rst = reset, open = kept open after answering, wait = nothing until the bound',
  ];
  for (const cls of PROBE_CLASSES) {
    const results = report.results.filter((r) => r.probe.class === cls);
    if (results.length === 0) continue;
    const leaks = results.filter((r) => r.judgement.outcome === 'leak').length;
    const probes = results.length === 1 ? '1 probe' : `${results.length} probes`;
    const tally = cls === 'baseline' ? '' : `: ${probes}, ${leaks === 0 ? 'no leak' : `${leaks} leaked`}`;
    out.push('', `${CLASS_TITLES[cls]}${tally}`, ...results.map(row));
  }
  out.push('', `verdict: ${printable(verdictLine(summary))}`, '');
  return out.join('\n');
}
