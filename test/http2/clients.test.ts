import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { execFile, execFileSync } from 'node:child_process';
import type { Server } from 'node:http';
import { hangup, notFound, type DecisionEvent } from '../../src/index.js';
import { listen, close } from '../helpers/servers.js';
import { allFrames, startTap, streamFrames } from '../helpers/h2-frames.js';

/**
 * Real HTTP/2 clients against an h2c server behind hangup: curl (`--http2-prior-knowledge`) and
 * nghttp (Debian's nghttp2-client, installed by .ci/run). The frames are decoded by the tap; the
 * clients' own verdicts are asserted too. A tool that is not installed skips its tests, saying so.
 */

function has(tool: string): boolean {
  try {
    execFileSync(tool, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const curl = has('curl');
const nghttp = has('nghttp');

function run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 10_000 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof (error as NodeJS.ErrnoException).code === 'number' ? Number((error as NodeJS.ErrnoException).code) : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

async function start(): Promise<{ port: number; tap: Awaited<ReturnType<typeof startTap>>; events: DecisionEvent[]; stop: () => Promise<void> }> {
  const events: DecisionEvent[] = [];
  const guard = hangup({ hosts: ['127.0.0.1'], routes: ['GET /'], rules: [notFound('GET /favicon.ico')], hints: false, onDecision: (e) => events.push(e) });
  const server = http2.createServer(guard.wrap((_req, res) => res.end('hello\n')) as never);
  guard.protect(server as unknown as Server);
  const port = await listen(server as unknown as Server);
  const tap = await startTap(port);
  return {
    port,
    tap,
    events,
    stop: async () => {
      await tap.close();
      await close(server as unknown as Server);
    },
  };
}

test('curl --http2-prior-knowledge: drop = exit 92 PROTOCOL_ERROR, one request (no retry); notFound = 404 with no body; allowed = 200', { skip: curl ? false : 'curl is not installed' }, async () => {
  const s = await start();
  try {
    const base = `http://127.0.0.1:${s.tap.port}`;
    const dropped = await run('curl', ['--http2-prior-knowledge', '-sS', '--max-time', '3', `${base}/.env`]);
    assert.equal(dropped.code, 92);
    assert.match(dropped.stderr, /HTTP\/2 stream 1 was not closed cleanly: PROTOCOL_ERROR \(err 1\)/);
    assert.equal(dropped.stdout, '');
    assert.deepEqual(streamFrames(s.tap.connections[0]!, 1), ['RST_STREAM(s1,PROTOCOL_ERROR)']);
    assert.equal(s.events.filter((e) => e.path === '/.env').length, 1, 'curl must not retry the stream');

    const nf = await run('curl', ['--http2-prior-knowledge', '-sS', '--max-time', '3', '-D', '-', `${base}/favicon.ico`]);
    assert.equal(nf.code, 0);
    assert.match(nf.stdout, /^HTTP\/2 404 \r\ndate: [^\r]+\r\n\r\n$/);
    assert.deepEqual(streamFrames(s.tap.connections[1]!, 1), ['HEADERS(s1,END_STREAM|END_HEADERS)']);

    const ok = await run('curl', ['--http2-prior-knowledge', '-sS', '--max-time', '3', `${base}/`]);
    assert.equal(ok.code, 0);
    assert.equal(ok.stdout, 'hello\n');
  } finally {
    await s.stop();
  }
});

test('nghttp -v: a drop is received as RST_STREAM PROTOCOL_ERROR and nothing else on the stream; two streams on one connection', { skip: nghttp ? false : 'nghttp (nghttp2-client) is not installed' }, async () => {
  const s = await start();
  try {
    const base = `http://127.0.0.1:${s.tap.port}`;
    const r = await run('nghttp', ['-v', '-t', '3', `${base}/.env`, `${base}/`]);
    // nghttp numbers its requests 13, 15 (streams 3-11 are its priority anchors, never opened).
    assert.match(r.stdout, /recv RST_STREAM frame <length=4, flags=0x00, stream_id=13>\n\s+\(error_code=PROTOCOL_ERROR\(0x01\)\)/);
    assert.match(r.stdout, /recv \(stream_id=15\) :status: 200/);
    assert.doesNotMatch(r.stdout, /recv \(stream_id=13\) :status/);
    assert.equal(s.tap.connections.length, 1);
    const conn = s.tap.connections[0]!;
    assert.deepEqual(streamFrames(conn, 13), ['RST_STREAM(s13,PROTOCOL_ERROR)']);
    assert.deepEqual(streamFrames(conn, 15).slice(0, 1), ['HEADERS(s15,END_HEADERS)']);
    assert.ok(allFrames(conn).every((f) => !f.startsWith('GOAWAY') || f.includes('NO_ERROR')));
  } finally {
    await s.stop();
  }
});
