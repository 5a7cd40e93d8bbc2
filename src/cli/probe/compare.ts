/**
 * Two probe reports side by side, one row per probe class: how many probes leaked on each server.
 * `npm run demo` uses it to show the same site without and with hangup.
 */
import { CLASS_TITLES, PROBE_CLASSES } from './corpus.js';
import { printable } from './report.js';
import type { ProbeReport } from './runner.js';
import { summarise } from './summary.js';

/** Formats `reports` (label, report) as one table with a column per report. */
export function formatComparison(reports: readonly (readonly [string, ProbeReport])[]): string {
  const rows: string[][] = [['probe class', ...reports.map(([label]) => label)]];
  for (const cls of PROBE_CLASSES) {
    if (cls === 'baseline') continue;
    // A class no run probed (TLS probes on plain HTTP, HTTP/2 without --http2) would be an empty row.
    if (reports.every(([, report]) => !report.results.some((r) => r.probe.class === cls))) continue;
    const cells = reports.map(([, report]) => {
      const results = report.results.filter((r) => r.probe.class === cls);
      const leaks = results.filter((r) => r.judgement.outcome === 'leak').length;
      return `${leaks} of ${results.length} leaked`;
    });
    rows.push([CLASS_TITLES[cls].replace(/ \(.*\)$/, ''), ...cells]);
  }
  rows.push([
    'verdict (exit code)',
    ...reports.map(([, report]) => {
      const summary = summarise(report);
      return `${summary.verdict.toUpperCase()} (${summary.exitCode})`;
    }),
  ]);
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length))) ?? [];
  const lines = rows.map((row) => `  ${row.map((cell, col) => cell.padEnd(widths[col] ?? 0)).join('   ')}`.trimEnd());
  for (const [label, report] of reports) {
    const top = summarise(report).topLeaks.slice(0, 4);
    if (top.length > 0) lines.push('', `  ${label}: ${printable(top.map(([leak, n]) => `${leak} (${n})`).join(', '))}`);
  }
  return `${lines.join('\n')}\n`;
}
