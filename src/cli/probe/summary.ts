/**
 * The verdict over a whole run: counts, the most common leaks, and the exit code, shared by the
 * table and the JSON so they can never disagree.
 */
import type { ProbeReport } from './runner.js';
import type { Finding } from './verdict.js';

/** `leaks`: something leaked (exit 1); `inconclusive`: some probes failed (exit 3); `silent`: exit 0. */
export type RunVerdict = 'silent' | 'leaks' | 'inconclusive';

/** Counts and verdict of a run. */
export interface RunSummary {
  readonly probes: number;
  /** Probes that are judged (all but the baseline). */
  readonly judged: number;
  readonly leaks: number;
  /** Judged probes that received no byte. */
  readonly nothing: number;
  /** Judged probes answered with the plain 404. */
  readonly plainNotFound: number;
  readonly errors: number;
  readonly verdict: RunVerdict;
  readonly exitCode: 0 | 1 | 3;
  /** What leaked most often, most frequent first: `[label, probes]`. */
  readonly topLeaks: readonly (readonly [string, number])[];
}

/** The label a leak is counted under in the summary: the header or page itself, or the kind of leak. */
function leakLabel(finding: Finding): string {
  switch (finding.kind) {
    case 'fingerprint-header':
    case 'framework-page':
      return finding.detail;
    case 'answered':
      return 'answers malformed or hostile requests';
    case 'served':
      return 'a status other than 404 for unknown paths or methods';
    case 'body':
      return 'a 404 with a body';
    case 'interim':
      return '100 Continue before deciding';
    case 'reflected':
      return 'echoes the input back';
    case 'held-open':
      return 'holds connections open';
  }
}

/** Summarises a report. */
export function summarise(report: ProbeReport): RunSummary {
  const outcomes = report.results.map((r) => r.judgement.outcome);
  const count = (outcome: string): number => outcomes.filter((o) => o === outcome).length;
  const tally = new Map<string, number>();
  for (const result of report.results) {
    const labels = new Set(result.judgement.findings.filter((f) => f.leak).map(leakLabel));
    for (const label of labels) tally.set(label, (tally.get(label) ?? 0) + 1);
  }
  const leaks = count('leak');
  const errors = count('error');
  const verdict: RunVerdict = leaks > 0 ? 'leaks' : errors > 0 ? 'inconclusive' : 'silent';
  return {
    probes: report.results.length,
    judged: report.results.filter((r) => r.probe.expect !== 'baseline').length,
    leaks,
    nothing: count('silent'),
    plainNotFound: count('plain-404'),
    errors,
    verdict,
    exitCode: verdict === 'leaks' ? 1 : verdict === 'inconclusive' ? 3 : 0,
    topLeaks: [...tally.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
  };
}

/** The one-line verdict. */
export function verdictLine(summary: RunSummary): string {
  if (summary.verdict === 'leaks') {
    const top = summary.topLeaks
      .slice(0, 4)
      .map(([label, n]) => `${label} (${n})`)
      .join(', ');
    return `LEAKS: ${summary.leaks} of ${summary.judged} probes told a scanner something: ${top}.`;
  }
  if (summary.verdict === 'inconclusive') {
    return `INCONCLUSIVE: nothing leaked, but ${summary.errors} of ${summary.probes} probes could not be made; run again.`;
  }
  return `SILENT: none of the ${summary.judged} probes got anything a scanner could use (${summary.nothing} got no byte, ${summary.plainNotFound} the plain 404).`;
}
