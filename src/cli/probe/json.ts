/**
 * The machine-readable report (`--json`). Its shape is versioned by `schema`; fields are only ever
 * added. Received bytes are included as latin1 text, cut to a bounded length.
 */
import type { ProbeReport, ProbeResult } from './runner.js';
import { finalMessage, parseResponses } from './response.js';
import { summarise } from './summary.js';

/** How much of a received body or a sent payload the JSON carries. */
const EXCERPT_BYTES = 1024;

/** The JSON for one probe. */
function probeJson(result: ProbeResult): Record<string, unknown> {
  const { probe, exchange, judgement } = result;
  const final = exchange.bytes.length > 0 ? finalMessage(parseResponses(exchange.bytes)) : undefined;
  return {
    id: probe.id,
    class: probe.class,
    title: probe.title,
    expect: probe.expect,
    outcome: judgement.outcome,
    leak: judgement.outcome === 'leak',
    answer: judgement.answer,
    findings: judgement.findings,
    sent: probe.payload.subarray(0, EXCERPT_BYTES).toString('latin1'),
    received: {
      bytes: exchange.bytes.length,
      text: exchange.bytes.subarray(0, EXCERPT_BYTES).toString('latin1'),
      ending: exchange.ending,
      timedOut: exchange.timedOut,
      firstByteMs: exchange.firstByteMs ?? null,
      elapsedMs: exchange.elapsedMs,
      error: exchange.error ?? null,
      status: final?.status ?? null,
      statusLine: final?.statusLine ?? null,
      headers: final?.headers ?? [],
    },
  };
}

/** Renders the report as JSON text (one document, newline-terminated). */
export function formatJson(report: ProbeReport): string {
  const summary = summarise(report);
  const document = {
    tool: 'hangup probe',
    schema: 1,
    target: {
      url: report.target.url,
      host: report.target.host,
      address: report.endpoint.address,
      port: report.endpoint.port,
    },
    settings: { timeoutMs: report.timeoutMs, concurrency: report.concurrency },
    summary: {
      verdict: summary.verdict,
      exitCode: summary.exitCode,
      probes: summary.probes,
      judged: summary.judged,
      leaks: summary.leaks,
      nothing: summary.nothing,
      plainNotFound: summary.plainNotFound,
      errors: summary.errors,
      durationMs: report.durationMs,
      topLeaks: summary.topLeaks.map(([label, probes]) => ({ label, probes })),
      /** Why the verdict is `inconclusive` (null otherwise). */
      inconclusive: summary.inconclusive ?? null,
      /** The URL given: whether it got an answer (a run whose baseline got none cannot pass). */
      baseline: summary.baseline ?? null,
    },
    probes: report.results.map(probeJson),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
