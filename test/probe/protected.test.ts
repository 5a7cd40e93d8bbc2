/**
 * `hangup probe` against the protected example site: the in-process `guard.createServer()` with the
 * shared policy, and examples/http.ts, express.ts and fastify.ts as real child processes. Every judged probe must get zero
 * bytes, and the run must exit 0. In notFound mode, scanner paths get the plain fixed 404.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { hangup, type HangupOptions } from 'hangup';
import { sitePolicy, pageFor } from '../../examples/site-policy.js';
import { runProbes, type ProbeReport } from '../../src/cli/probe/runner.js';
import { summarise } from '../../src/cli/probe/summary.js';
import { formatComparison } from '../../src/cli/probe/compare.js';
import { freePort, startExample, stop } from '../helpers/processes.js';
import { judged, probeServer, resultOf } from './probe-helpers.js';
import { NOT_FOUND_CLOSE, dated } from '../helpers/not-found.js';

/** Serves the example site with `options` in this process and probes it. */
async function probeSite(options: HangupOptions): Promise<ProbeReport> {
  const server = hangup(options).createServer((req, res) => {
    const body = pageFor(req.method ?? 'GET', (req.url ?? '/').split('?')[0] ?? '/');
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
  return probeServer(server);
}

/** Every judged probe received zero bytes, and the run's verdict is silent with exit code 0. */
function assertSilent(report: ProbeReport): void {
  for (const result of judged(report)) {
    assert.equal(result.exchange.error, undefined, result.probe.id);
    assert.equal(result.exchange.bytes.toString('latin1'), '', `${result.probe.id} received bytes`);
    assert.equal(result.judgement.outcome, 'silent', result.probe.id);
  }
  const summary = summarise(report);
  assert.equal(summary.verdict, 'silent');
  assert.equal(summary.exitCode, 0);
  assert.equal(summary.nothing, summary.judged);
}

test('the protected example site (guard.createServer, drop mode) tells scanners nothing', async () => {
  const report = await probeSite(sitePolicy);
  assertSilent(report);
  // The baseline shows the site is up and serving the page the URL names.
  const baseline = resultOf(report, 'baseline:GET /');
  assert.match(baseline.exchange.bytes.toString('latin1'), /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nhome\n$/);
  // Dropped connections end with FIN (the policy's default close mode), not by our timeout.
  assert.equal(resultOf(report, 'scanner:GET /.env').exchange.ending, 'fin');
  assert.equal(resultOf(report, 'scanner:GET /.env').exchange.timedOut, false);
});

test('in notFound mode, scanner paths get the plain fixed 404, which is not a leak', async () => {
  const report = await probeSite({ ...sitePolicy, unknownRoute: 'notFound' });
  const scanners = report.results.filter((r) => r.probe.class === 'scanner');
  assert.ok(scanners.length >= 20);
  for (const result of scanners) {
    // The probes send Connection: close, so Node's own 404 says so too.
    assert.equal(dated(result.exchange.bytes.toString('latin1')), NOT_FOUND_CLOSE, result.probe.id);
    assert.equal(result.judgement.outcome, 'plain-404', result.probe.id);
    assert.deepEqual(result.judgement.findings, [], result.probe.id);
  }
  // Malformed requests are still dropped whatever unknownRoute says, so the run passes.
  for (const id of ['host:no Host, HTTP/1.1', 'request-line:binary garbage', 'target:GET /%2e%2e/%2e%2e/etc/passwd']) {
    assert.equal(resultOf(report, id).exchange.bytes.length, 0, id);
  }
  const summary = summarise(report);
  assert.deepEqual([summary.verdict, summary.exitCode, summary.leaks], ['silent', 0, 0]);
  assert.ok(summary.plainNotFound >= scanners.length);
});

test('the comparison table (npm run demo) puts a leaky and the protected run side by side', async () => {
  const plain = await probeServer(http.createServer((_req, res) => res.end('home\n')));
  const table = formatComparison([['node:http', plain], ['hangup', await probeSite(sitePolicy)]]);
  assert.match(table, /^ {2}probe class +node:http +hangup\n/);
  assert.match(table, /\n {2}scanner paths +24 of 24 leaked +0 of 24 leaked\n/);
  assert.match(table, /\n {2}verdict \(exit code\) +LEAKS \(1\) +SILENT \(0\)\n/);
  assert.match(table, /\n {2}node:http: .*answers malformed or hostile requests \(\d+\)/);
});

for (const example of ['examples/http.ts', 'examples/express.ts', 'examples/fastify.ts']) {
  test(`${example} as a real process tells scanners nothing`, async () => {
    const port = await freePort();
    const child = await startExample(example, port);
    try {
      assertSilent(await runProbes({ url: `http://127.0.0.1:${port}/` }));
    } finally {
      await stop(child);
    }
  });
}
