/**
 * Helpers for the probe tests: find a probe's result by id and list what it was judged to reveal.
 */
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { finalMessage, parseResponses } from '../../src/cli/probe/response.js';
import { runProbes, type ProbeReport, type ProbeResult } from '../../src/cli/probe/runner.js';
import { listen, close } from '../helpers/servers.js';

/** Probes an http.Server on an ephemeral loopback port with the default bounds, then closes it. */
export async function probeServer(server: Server): Promise<ProbeReport> {
  const port = await listen(server);
  try {
    return await runProbes({ url: `http://127.0.0.1:${port}/` });
  } finally {
    await close(server);
  }
}

/** The result of the probe with this id (ids are stable: the marker appears as `{marker}`). */
export function resultOf(report: ProbeReport, id: string): ProbeResult {
  const found = report.results.find((r) => r.probe.id === id);
  assert.ok(found, `no probe ${id}; ids: ${report.results.map((r) => r.probe.id).join(', ')}`);
  return found;
}

/** The leak details of a result (`X-Powered-By: Express`, `echoes "/.env"`...). */
export function leaksOf(result: ProbeResult): string[] {
  return result.judgement.findings.filter((f) => f.leak).map((f) => f.detail);
}

/** The body of the final response a probe received, as text. */
export function bodyOf(result: ProbeResult): string {
  return finalMessage(parseResponses(result.exchange.bytes))?.body.toString('latin1') ?? '';
}

/** Results of judged probes (everything but the baseline). */
export function judged(report: ProbeReport): ProbeResult[] {
  return report.results.filter((r) => r.probe.expect !== 'baseline');
}
