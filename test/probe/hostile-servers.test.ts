/**
 * Servers that misbehave on purpose: terminal escapes in the answer, an endless stream, a reset on
 * every connection, a server that never answers. The probe must finish within its bounds, never
 * throw, leave no connection open, and print nothing that drives the terminal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { runProbes, type ProbeReport } from '../../src/cli/probe/runner.js';
import { formatReport } from '../../src/cli/probe/report.js';
import { summarise } from '../../src/cli/probe/summary.js';
import { judged, resultOf } from './probe-helpers.js';

/** Runs a raw TCP server with `onConnection`, probes it, and checks no connection is left open. */
async function probeRaw(onConnection: (socket: net.Socket) => void, timeoutMs = 1000): Promise<ProbeReport> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const report = await runProbes({ url: `http://127.0.0.1:${port}/`, timeoutMs, concurrency: 8 });
    // Every probe connection is closed by the client side once the probe ends.
    for (let waited = 0; sockets.size > 0 && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    assert.equal(sockets.size, 0, 'connections left open by the probe');
    return report;
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

test('escape sequences in a status line and headers are printed as \\xNN, never raw', async () => {
  const answer = 'HTTP/1.1 404 \x1b[31mGone\x1b[0m\r\nServer: \x1b]0;pwned\x07evil\r\nContent-Length: 0\r\n\r\n';
  const report = await probeRaw((socket) => socket.once('data', () => socket.end(answer, 'latin1')));
  const text = formatReport(report);
  assert.doesNotMatch(text, /[\x00-\x09\x0b-\x1f\x7f]/);
  assert.match(text, /404 \\x1b\[31mGone\\x1b\[0m/);
  assert.match(text, /Server: \\x1b\]0;pwned\\x07evil/);
  assert.equal(summarise(report).verdict, 'leaks');
});

test('a server that streams without end: each probe stops reading at its cap, the run completes', async () => {
  const block = Buffer.alloc(64 * 1024, 'A');
  const report = await probeRaw((socket) => {
    const pump = (): void => {
      while (!socket.destroyed && socket.write(block));
      if (!socket.destroyed) socket.once('drain', pump);
    };
    pump();
  });
  for (const result of judged(report)) {
    assert.ok(result.exchange.bytes.length >= 256 * 1024 && result.exchange.bytes.length < 1024 * 1024, `${result.probe.id}: ${result.exchange.bytes.length}`);
    assert.equal(result.judgement.outcome, 'leak');
  }
});

test('a server that resets every connection: no byte, every probe ends with RST, and the run cannot pass', async () => {
  const report = await probeRaw((socket) => socket.resetAndDestroy());
  for (const result of report.results) {
    assert.equal(result.exchange.bytes.length, 0, result.probe.id);
    assert.equal(result.exchange.ending, 'rst', result.probe.id);
  }
  // The URL given got nothing either, so the silence proves nothing: inconclusive, exit 3.
  const summary = summarise(report);
  assert.deepEqual([summary.verdict, summary.exitCode, summary.leaks], ['inconclusive', 3, 0]);
  assert.deepEqual(summary.baseline, { request: 'GET /', host: report.target.host, answered: false, answer: 'no byte, connection reset' });
  // The baseline says the URL itself got nothing, so a misconfigured run is visible.
  assert.deepEqual(resultOf(report, 'baseline:GET /').judgement.findings.map((f) => f.detail), [
    'no answer to the URL you gave: check the URL and --host',
  ]);
});

test('a server that never answers nor closes: every probe ends at its bound, the run stays bounded and cannot pass', async () => {
  const started = Date.now();
  const report = await probeRaw((socket) => socket.resume(), 300); // reads, never writes
  for (const result of report.results) {
    assert.equal(result.exchange.timedOut, true, result.probe.id);
    assert.equal(result.exchange.ending, 'open', result.probe.id);
  }
  // Nothing answered the URL given either: inconclusive, not silent.
  assert.equal(summarise(report).verdict, 'inconclusive');
  assert.match(summarise(report).inconclusive ?? '', /^the URL you gave \(GET \/, Host: 127\.0\.0\.1:\d+\) got no answer \(no byte, connection held open for \d+ ms\)/);
  // 70 probes, 8 at a time, 300 ms each: about 3 s. The bound here only catches a probe that hangs.
  assert.ok(Date.now() - started < 60_000);
});
