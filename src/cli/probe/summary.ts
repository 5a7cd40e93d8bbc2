/**
 * The verdict over a whole run: counts, the most common leaks, and the exit code, shared by the
 * table and the JSON so they can never disagree.
 */
import type { ProbeReport } from './runner.js';
import type { Finding } from './verdict.js';

/**
 * `leaks`: something leaked (exit 1); `inconclusive`: the run cannot vouch for the server, because
 * some probes failed or the URL given got no answer at all (exit 3); `silent`: exit 0.
 */
export type RunVerdict = 'silent' | 'leaks' | 'inconclusive';

/** What the URL given (the baseline request) received: it is what proves the probes reached a server that answers. */
export interface BaselineSummary {
  /** The request line sent, e.g. `GET /`. */
  readonly request: string;
  /** The Host header it carried. */
  readonly host: string;
  /** Whether any byte came back. */
  readonly answered: boolean;
  /** The status line, `nothing`, or the connection error. */
  readonly answer: string;
}

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
  /** Why the run is inconclusive, in one sentence; undefined for the other verdicts. */
  readonly inconclusive: string | undefined;
  /** The baseline request and what it got; undefined when the run has none. */
  readonly baseline: BaselineSummary | undefined;
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

/** The baseline request of a report and whether it got any answer. */
function baselineOf(report: ProbeReport): BaselineSummary | undefined {
  const result = report.results.find((r) => r.probe.expect === 'baseline');
  if (result === undefined) return undefined;
  const { exchange, judgement } = result;
  const answered = exchange.error === undefined && exchange.bytes.length > 0;
  const ending = exchange.timedOut ? `held open for ${exchange.elapsedMs} ms` : exchange.ending === 'rst' ? 'reset' : 'closed';
  return {
    request: result.probe.title,
    host: report.target.host,
    answered,
    answer: answered ? judgement.answer : exchange.error !== undefined ? `error: ${exchange.error}` : `no byte, connection ${ending}`,
  };
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
  const baseline = baselineOf(report);
  // A leak is a leak whatever else happened. Silence only counts once the URL given got an answer:
  // a wrong --host or URL, or a server that refuses everything, is silent to every probe too.
  const inconclusive =
    leaks > 0
      ? undefined
      : baseline !== undefined && !baseline.answered
        ? `the URL you gave (${baseline.request}, Host: ${baseline.host}) got no answer (${baseline.answer}), so the silence of the other probes proves nothing: ` +
          'a wrong URL or --host, or a server that refuses everything, is silent to every probe too. ' +
          'Probe a URL the server answers, with a Host it serves (--host)'
        : errors > 0
          ? `${errors} of ${report.results.length} probes could not be made; run again`
          : undefined;
  const verdict: RunVerdict = leaks > 0 ? 'leaks' : inconclusive !== undefined ? 'inconclusive' : 'silent';
  return {
    probes: report.results.length,
    judged: report.results.filter((r) => r.probe.expect !== 'baseline').length,
    leaks,
    nothing: count('silent'),
    plainNotFound: count('plain-404'),
    errors,
    verdict,
    exitCode: verdict === 'leaks' ? 1 : verdict === 'inconclusive' ? 3 : 0,
    inconclusive,
    baseline,
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
    return `INCONCLUSIVE: nothing leaked, but ${summary.inconclusive ?? 'the run proves nothing'}.`;
  }
  return `SILENT: none of the ${summary.judged} probes got anything a scanner could use (${summary.nothing} got no byte, ${summary.plainNotFound} the plain 404).`;
}
