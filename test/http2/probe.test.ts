import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { Server } from 'node:http';
import { hangup, notFound } from '../../src/index.js';
import { runProbes } from '../../src/cli/probe/runner.js';
import { summarise } from '../../src/cli/probe/summary.js';
import { parseProbeArgs } from '../../src/cli/probe/args.js';
import { listen, close } from '../helpers/servers.js';

/** `hangup probe --http2`: stream-level probes over h2c, against a protected and an unprotected server. */

async function withServer(protect: boolean, run: (port: number) => Promise<void>): Promise<void> {
  const guard = hangup({ hosts: ['127.0.0.1'], routes: ['GET /'], rules: [notFound('GET /favicon.ico')], hints: false });
  const app = (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse): void => {
    if (req.url === '/') {
      res.end('home');
      return;
    }
    res.statusCode = 404;
    res.setHeader('x-powered-by', 'Express');
    res.end(`Cannot ${req.method} ${req.url}`);
  };
  const server = http2.createServer(protect ? (guard.wrap(app as never) as never) : app);
  if (protect) guard.protect(server as unknown as Server);
  const port = await listen(server as unknown as Server);
  try {
    await run(port);
  } finally {
    await close(server as unknown as Server);
  }
}

test('--http2 parses; a protected h2c server: every stream-level probe silent (RST_STREAM), exit 0', async () => {
  assert.equal(parseProbeArgs(['--http2', 'http://127.0.0.1:1/']).http2, true);
  assert.equal(parseProbeArgs(['http://127.0.0.1:1/']).http2, false);
  await withServer(true, async (port) => {
    const report = await runProbes({ url: `http://127.0.0.1:${port}/`, http2: true, timeoutMs: 1500 });
    const judged = report.results.filter((r) => r.probe.class === 'http2');
    assert.ok(judged.length >= 14);
    assert.deepEqual(judged.filter((r) => r.judgement.outcome !== 'silent').map((r) => `${r.probe.id} ${r.judgement.answer}`), []);
    assert.ok(judged.filter((r) => r.probe.id !== 'http2:many-refused').every((r) => r.judgement.answer === 'RST_STREAM(s1,PROTOCOL_ERROR)' && r.exchange.bytes.length === 31));
    const many = judged.find((r) => r.probe.id === 'http2:many-refused')!;
    assert.match(many.judgement.answer, /^0 of 120 streams answered, \d+ RST_STREAM, then GOAWAY\(s0,last=\d+,ENHANCE_YOUR_CALM\)$/);
    const summary = summarise(report);
    assert.equal(summary.exitCode, 0);
  });
});

test('an unprotected h2c server: the probes report what leaks (fingerprint, echoed path, :status 100, 405, 417), exit 1', async () => {
  await withServer(false, async (port) => {
    const report = await runProbes({ url: `http://127.0.0.1:${port}/`, http2: true, timeoutMs: 1500 });
    const byId = new Map(report.results.map((r) => [r.probe.id, r.judgement]));
    assert.equal(byId.get('http2:GET /.env')?.outcome, 'leak');
    assert.ok(byId.get('http2:GET /.env')?.findings.some((f) => f.kind === 'fingerprint-header'));
    assert.ok(byId.get('http2:GET /.env')?.findings.some((f) => f.kind === 'reflected'));
    assert.ok(byId.get('http2:expect-100')?.findings.some((f) => f.kind === 'interim'));
    assert.match(byId.get('http2:connect')?.answer ?? '', /:status 405/);
    assert.match(byId.get('http2:expect-other')?.answer ?? '', /:status 417/);
    assert.equal(summarise(report).exitCode, 1);
  });
});
