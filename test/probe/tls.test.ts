import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { hangup } from '../../src/index.js';
import { runProbes, type ProbeReport } from '../../src/cli/probe/runner.js';
import { TLS_OPTIONS } from '../helpers/tls.js';

async function probe(hosts: string[] | null, url: (port: number) => string): Promise<ProbeReport> {
  const server = https.createServer(TLS_OPTIONS, (_req, res) => res.end('hello'));
  if (hosts !== null) hangup({ hosts, routes: ['GET /'] }).protect(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await runProbes({ url: url((server.address() as AddressInfo).port), timeoutMs: 1000 });
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

const tlsRows = (report: ProbeReport): string[] =>
  report.results.filter((r) => r.probe.class === 'tls').map((r) => `${r.probe.id} ${r.judgement.outcome} ${r.judgement.answer}`);

test('hangup probe https://: a protected site is silent to every TLS probe and every HTTP probe over TLS', async () => {
  const report = await probe(['localhost'], (port) => `https://localhost:${port}/`);
  assert.equal(report.target.tls, true);
  assert.equal(report.results[0]?.judgement.answer, 'HTTP/1.1 200 OK'); // the baseline, over TLS
  assert.deepEqual(tlsRows(report), [
    'tls:unknown-sni silent nothing',
    'tls:no-sni silent nothing',
    'tls:unknown-alpn silent nothing',
    'tls:plain-http silent nothing',
    'tls:truncated silent nothing',
  ]);
  assert.equal(report.leaks, 0);
  assert.equal(report.errors, 0);
});

test('hangup probe https://: an unprotected site leaks its certificate names and an ALPN alert', async () => {
  const report = await probe(null, (port) => `https://localhost:${port}/`);
  const byId = new Map(report.results.map((r) => [r.probe.id, r]));
  const unknown = byId.get('tls:unknown-sni');
  assert.equal(unknown?.judgement.outcome, 'leak');
  assert.match(unknown?.judgement.findings[0]?.detail ?? '', /^certificate shown for hangup-probe-[0-9a-f]{8}\.invalid, a name the site does not serve: exposes localhost, 127\.0\.0\.1$/);
  assert.equal(byId.get('tls:no-sni')?.judgement.findings[0]?.detail, 'certificate shown without a server name: exposes localhost, 127.0.0.1');
  assert.equal(byId.get('tls:unknown-alpn')?.judgement.answer, 'TLS alert no_application_protocol (7 bytes)');
  assert.ok(report.leaks > 5);
});

test('hangup probe https://127.0.0.1: the no-SNI probe is how the site is reached, reported and not judged', async () => {
  const report = await probe(['localhost', '127.0.0.1'], (port) => `https://127.0.0.1:${port}/`);
  const noSni = report.results.find((r) => r.probe.id === 'tls:no-sni');
  assert.equal(noSni?.judgement.outcome, 'info');
  assert.equal(noSni?.judgement.answer, 'certificate for localhost, 127.0.0.1');
  assert.equal(report.leaks, 0);
});
