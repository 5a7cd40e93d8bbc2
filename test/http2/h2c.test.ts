import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { Server } from 'node:http';
import { hangup, notFound, type DecisionEvent, type HangupOptions } from '../../src/index.js';
import { listen, close } from '../helpers/servers.js';
import { allFrames, closeSession, connect, get, rawH2, request, startTap, streamFrames, type Tap } from '../helpers/h2-frames.js';

/**
 * HTTP/2 over cleartext (prior knowledge), on the compat API (`http2.createServer(listener)`) and
 * the core API (`server.on('stream')`): every refusal asserted frame by frame as the client
 * received it, through a tap that decodes the server's bytes.
 */

const POLICY: HangupOptions = {
  hosts: ['127.0.0.1'],
  routes: ['GET /', 'GET /slow', 'POST /upload'],
  rules: [notFound('GET /favicon.ico')],
  hints: false,
};

type Api = 'compat' | 'core';

interface Fixture {
  readonly server: http2.Http2Server;
  readonly port: number;
  readonly tap: Tap;
  readonly events: DecisionEvent[];
  /** Paths the app saw. */
  readonly seen: string[];
  stop(): Promise<void>;
}

/** The app: `/slow` answers after 150 ms, `/upload` echoes the body's length, anything else `hello`. */
async function start(api: Api, options: HangupOptions = {}, protect = true): Promise<Fixture> {
  const events: DecisionEvent[] = [];
  const seen: string[] = [];
  const guard = hangup({ ...POLICY, ...options, onDecision: (e) => events.push(e) });
  let server: http2.Http2Server;
  if (api === 'compat') {
    server = http2.createServer(
      guard.wrap((req, res) => {
        seen.push(String(req.url));
        if (req.url === '/slow') setTimeout(() => res.end('slow'), 150);
        else if (req.url === '/upload') {
          let n = 0;
          req.on('data', (d: Buffer) => (n += d.length));
          req.on('end', () => res.end(`got ${n}`));
        } else res.end('hello');
      }) as unknown as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void,
    );
  } else {
    server = http2.createServer();
    // No 'error' listener on purpose: a refused stream must never make Node throw in the app.
    server.on('stream', (stream, headers) => {
      const path = String(headers[':path']);
      seen.push(path);
      stream.respond({ ':status': 200 });
      if (path === '/slow') setTimeout(() => stream.end('slow'), 150);
      else stream.end('hello');
    });
  }
  if (protect) guard.protect(server as unknown as Server);
  const port = await listen(server as unknown as Server);
  const tap = await startTap(port);
  return {
    server,
    port,
    tap,
    events,
    seen,
    stop: async () => {
      await tap.close();
      await close(server as unknown as Server);
    },
  };
}

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

for (const api of ['compat', 'core'] as const) {
  test(`${api}: allowed, notFound and drop on one connection; the drop is RST_STREAM(PROTOCOL_ERROR) only, siblings answered`, async () => {
    const f = await start(api);
    try {
      const session = await connect(f.tap.port);
      const slow = request(session, { ':path': '/slow' }); // stream 1, open while the others are refused
      await wait(20);
      const dropped = await request(session, { ':path': '/.env' }); // 3
      const nf = await request(session, { ':path': '/favicon.ico' }); // 5
      const ok = await request(session, { ':path': '/' }); // 7
      const slowResult = await slow;
      await closeSession(session);
      await wait(50);
      const conn = f.tap.connections[0]!;
      assert.deepEqual(streamFrames(conn, 3), ['RST_STREAM(s3,PROTOCOL_ERROR)']);
      assert.deepEqual(streamFrames(conn, 5), ['HEADERS(s5,END_STREAM|END_HEADERS)']);
      assert.deepEqual(streamFrames(conn, 0).slice(0, 2), ['SETTINGS(s0)', 'SETTINGS(s0,ACK)']);
      assert.equal(dropped.rstCode, http2.constants.NGHTTP2_PROTOCOL_ERROR);
      assert.equal(dropped.status, undefined);
      assert.equal(nf.status, 404);
      assert.deepEqual(Object.keys(nf.headers ?? {}).sort(), [':status', 'date']);
      assert.equal(nf.body, '');
      assert.equal(ok.status, 200);
      assert.equal(ok.body, 'hello');
      assert.equal(slowResult.body, 'slow');
      assert.deepEqual(f.seen.sort(), ['/', '/slow']);
      assert.deepEqual(
        f.events.map((e) => `${e.action} ${e.reason} ${e.path} ${e.adapter} ${e.wire}`).sort(),
        [
          'allow route:matched / http2 none',
          'allow route:matched /slow http2 none',
          'drop route:unknown /.env http2 rst-stream',
          'notFound rule:matched /favicon.ico http2 404',
        ],
      );
      assert.equal(f.events.find((e) => e.path === '/.env')?.host, `127.0.0.1:${f.tap.port}`);
    } finally {
      await f.stop();
    }
  });

  test(`${api}: a refused stream costs 31 bytes: SETTINGS, SETTINGS ACK, RST_STREAM; the connection stays open`, async () => {
    const f = await start(api);
    try {
      const r = await rawH2(f.port, [get('/wp-login.php')]);
      assert.deepEqual(r.shown, ['SETTINGS(s0)', 'SETTINGS(s0,ACK)', 'RST_STREAM(s1,PROTOCOL_ERROR)']);
      assert.equal(r.bytes, 31);
      assert.equal(r.ending, 'open');
    } finally {
      await f.stop();
    }
  });

  test(`${api}: stream-level cases with a raw client (host vs :authority, :path, method, Expect, CONNECT)`, async () => {
    const f = await start(api);
    try {
      const cases: [string, (readonly [string, string])[], string][] = [
        ['host header naming another site', get('/', '127.0.0.1', [['host', 'evil.test']]), 'host:authority-mismatch'],
        ['unlisted :authority', get('/', 'evil.test'), 'host:unlisted'],
        ['dot segments', get('/../etc/passwd'), 'malformed:dot-segment'],
        ['encoded dot segments', get('/%2e%2e/etc/passwd'), 'malformed:dot-segment'],
        ['unknown method', [[':method', 'FOO'], [':scheme', 'http'], [':authority', '127.0.0.1'], [':path', '/']], 'method:unknown'],
        ['Expect other than 100-continue (Node: 417)', get('/', '127.0.0.1', [['expect', 'foo']]), 'malformed:expect'],
        ['CONNECT (Node: 405)', [[':method', 'CONNECT'], [':authority', '127.0.0.1:22']], 'method:connect'],
        ['Expect: 100-continue on a refused path (Node: :status 100 first)', get('/.env', '127.0.0.1', [['expect', '100-continue']]), 'route:unknown'],
      ];
      for (const [name, fields, reason] of cases) {
        f.events.length = 0;
        const r = await rawH2(f.port, [fields]);
        assert.deepEqual(r.shown, ['SETTINGS(s0)', 'SETTINGS(s0,ACK)', 'RST_STREAM(s1,PROTOCOL_ERROR)'], name);
        assert.equal(f.events[0]?.reason, reason, name);
      }
      // The same host header as :authority is one Host, not two.
      const same = await rawH2(f.port, [get('/', '127.0.0.1', [['host', '127.0.0.1']])]);
      assert.deepEqual(same.shown.slice(2, 3), ['HEADERS(s1,END_HEADERS)']);
      assert.deepEqual(f.seen, ['/']);
    } finally {
      await f.stop();
    }
  });

  test(`${api}: Expect: 100-continue gets :status 100 only when allowed`, async () => {
    const f = await start(api, { routes: ['GET /', 'POST /upload'] });
    try {
      const session = await connect(f.tap.port);
      const allowed = await request(session, { ':method': 'POST', ':path': '/upload', expect: '100-continue' }, 'abc');
      const refused = await request(session, { ':method': 'POST', ':path': '/nope', expect: '100-continue' }, 'abc');
      await closeSession(session);
      await wait(50);
      const conn = f.tap.connections[0]!;
      assert.equal(allowed.status, 200);
      // Compat: Node's 100 is a HEADERS frame without END_STREAM before the 200's. The core API
      // sends no 100 by itself (the app's business).
      const headers = streamFrames(conn, 1).filter((x) => x.startsWith('HEADERS'));
      assert.deepEqual(headers, api === 'compat' ? ['HEADERS(s1,END_HEADERS)', 'HEADERS(s1,END_HEADERS)'] : ['HEADERS(s1,END_HEADERS)']);
      assert.deepEqual(streamFrames(conn, 3), ['RST_STREAM(s3,PROTOCOL_ERROR)']);
      assert.equal(refused.rstCode, http2.constants.NGHTTP2_PROTOCOL_ERROR);
    } finally {
      await f.stop();
    }
  });

  test(`${api}: report mode refuses nothing and reports every refusal with enforced false`, async () => {
    const f = await start(api, { mode: 'report' });
    try {
      const session = await connect(f.tap.port);
      const r = await request(session, { ':path': '/.env' });
      await closeSession(session);
      assert.equal(r.status, 200);
      assert.deepEqual(
        f.events.map((e) => `${e.action} ${e.enforced} ${e.reason} ${e.adapter} ${e.wire}`),
        ['drop false route:unknown http2 none'],
      );
    } finally {
      await f.stop();
    }
  });
}

test('compat: wrap() without protect() refuses on the stream too (RST_STREAM, never the connection)', async () => {
  const f = await start('compat', {}, false);
  try {
    const session = await connect(f.tap.port);
    const slow = request(session, { ':path': '/slow' });
    await wait(20);
    const dropped = await request(session, { ':path': '/.env' });
    const ok = await slow;
    await closeSession(session);
    await wait(50);
    assert.deepEqual(streamFrames(f.tap.connections[0]!, 3), ['RST_STREAM(s3,PROTOCOL_ERROR)']);
    assert.equal(dropped.rstCode, http2.constants.NGHTTP2_PROTOCOL_ERROR);
    assert.equal(ok.body, 'slow');
  } finally {
    await f.stop();
  }
});

test('the fixed 404 on HTTP/2 is what Node writes for an empty 404 of the same server: :status 404 and date, END_STREAM', async () => {
  const f = await start('compat');
  const plain = http2.createServer((req, res) => {
    res.statusCode = 404;
    res.end();
  });
  const plainPort = await listen(plain as unknown as Server);
  const plainTap = await startTap(plainPort);
  try {
    const a = await connect(f.tap.port);
    const b = await connect(plainTap.port);
    const ours = await request(a, { ':path': '/favicon.ico' });
    const node = await request(b, { ':path': '/favicon.ico' });
    await closeSession(a);
    await closeSession(b);
    await wait(50);
    assert.deepEqual(Object.keys(ours.headers ?? {}), Object.keys(node.headers ?? {}));
    assert.equal(ours.status, node.status);
    const oursFrames = streamFrames(f.tap.connections[0]!, 1);
    const nodeFrames = streamFrames(plainTap.connections[0]!, 1);
    assert.deepEqual(oursFrames, nodeFrames);
    assert.deepEqual(oursFrames, ['HEADERS(s1,END_STREAM|END_HEADERS)']);
    // Same header block size (the date differs in value, never in length).
    const size = (tap: Tap): number => tap.connections[0]!.reader.frames.find((x) => x.type === 'HEADERS')!.length;
    assert.equal(size(f.tap), size(plainTap));
  } finally {
    await f.stop();
    await plainTap.close();
    await close(plain as unknown as Server);
  }
});

test('proxy-aware mode: a drop on a stream is the fixed 404 instead', async () => {
  const f = await start('compat', { trustedProxies: ['127.0.0.1'] });
  try {
    const r = await rawH2(f.port, [get('/.env')]);
    assert.deepEqual(r.shown, ['SETTINGS(s0)', 'SETTINGS(s0,ACK)', 'HEADERS(s1,END_STREAM|END_HEADERS)']);
    assert.equal(f.events[0]?.wire, '404');
  } finally {
    await f.stop();
  }
});

for (const api of ['compat', 'core'] as const) {
  test(`${api}: more than 100 refused streams on one connection: GOAWAY(ENHANCE_YOUR_CALM), then the connection is closed`, async () => {
    const f = await start(api);
    try {
      const requests = Array.from({ length: 101 }, (_, i) => get(`/probe-${i}`));
      const r = await rawH2(f.port, requests, 500);
      const resets = r.shown.filter((s) => s.startsWith('RST_STREAM'));
      assert.ok(resets.length >= 101 && resets.length <= requests.length, String(resets.length));
      assert.ok(resets.every((s) => s.endsWith(',PROTOCOL_ERROR)')));
      const goaways = r.shown.filter((s) => s.startsWith('GOAWAY'));
      assert.deepEqual(goaways[0], `GOAWAY(s0,last=${2 * resets.length - 1},ENHANCE_YOUR_CALM)`);
      assert.equal(r.ending, 'fin');
      assert.equal(f.seen.length, 0);
    } finally {
      await f.stop();
    }
  });
}

for (const api of ['compat', 'core'] as const) {
  test(`${api}: 1,000 refused streams over 10 connections: no crash, no session or listener left behind`, async () => {
    const f = await start(api);
    const listenersBefore = f.server.eventNames().map((e) => `${String(e)}=${f.server.listenerCount(e)}`);
    const processBefore = process.listenerCount('uncaughtException') + process.listenerCount('warning');
    let sessions = 0;
    f.server.on('session', (s) => {
      sessions++;
      s.once('close', () => sessions--);
    });
    try {
      for (let c = 0; c < 10; c++) {
        const session = await connect(f.port);
        const results = await Promise.all(Array.from({ length: 100 }, (_, i) => request(session, { ':path': `/x/${c}/${i}` })));
        assert.ok(results.every((r) => r.rstCode === http2.constants.NGHTTP2_PROTOCOL_ERROR && r.status === undefined));
        const ok = await request(session, { ':path': '/' });
        assert.equal(ok.body, 'hello');
        await closeSession(session);
      }
      await wait(100);
      assert.equal(sessions, 0);
      const count = await new Promise<number>((resolve) => (f.server as unknown as Server).getConnections((_e, n) => resolve(n)));
      assert.equal(count, 0);
      f.server.removeAllListeners('session');
      const listenersAfter = f.server.eventNames().map((e) => `${String(e)}=${f.server.listenerCount(e)}`);
      assert.deepEqual(listenersAfter.filter((l) => !l.startsWith('session=')), listenersBefore.filter((l) => !l.startsWith('session=')));
      assert.equal(process.listenerCount('uncaughtException') + process.listenerCount('warning'), processBefore);
      assert.equal(f.events.filter((e) => e.action === 'drop').length, 1000);
    } finally {
      await f.stop();
    }
  });
}

test('events, counters and explain on HTTP/2', async () => {
  const guard = hangup({ ...POLICY });
  const server = http2.createServer(guard.wrap((_req, res) => res.end('ok')) as never);
  guard.protect(server as unknown as Server);
  const port = await listen(server as unknown as Server);
  try {
    await rawH2(port, [get('/'), get('/.env'), get('/favicon.ico')]);
    const stats = guard.stats();
    assert.equal(stats.total, 3);
    assert.equal(stats.actions.allow, 1);
    assert.equal(stats.actions.drop, 1);
    assert.equal(stats.actions.notFound, 1);
    const explained = guard.explain('GET /.env HTTP/2.0', { host: '127.0.0.1' });
    assert.equal(explained.wire, 'rst-stream');
    assert.match(explained.text, /RST_STREAM\(PROTOCOL_ERROR\)/);
    assert.equal(guard.explain('GET / HTTP/2.0', { host: '127.0.0.1' }).decision.action, 'allow');
    // An HTTP/1 request line claiming HTTP/2.0 stays malformed.
    assert.equal(guard.decide({ method: 'GET', url: '/', httpVersion: '2.0', headers: { host: '127.0.0.1' }, rawHeaders: ['Host', '127.0.0.1'] }).reason, 'malformed:http-version');
  } finally {
    await close(server as unknown as Server);
  }
});

test('an HTTP/1 request line claiming HTTP/2.0 on a node:http server is still dropped', async () => {
  const { rawRequest } = await import('../helpers/raw-client.js');
  const http = await import('node:http');
  const guard = hangup({ ...POLICY });
  const server = guard.createServer((_req, res) => res.end('ok'));
  const port = await listen(server);
  try {
    const r = await rawRequest(port, 'GET / HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n');
    assert.equal(r.text, '');
    assert.equal(r.ending, 'fin');
    void http;
  } finally {
    await close(server);
  }
});

void allFrames;

test('maxRefusedStreams: 2 closes the connection after the third refused stream; a bad value throws at construction', async () => {
  const f = await start('compat', { maxRefusedStreams: 2 });
  try {
    const r = await rawH2(f.port, [get('/a'), get('/b'), get('/c'), get('/d')], 400);
    // Streams already received with the third are refused too (their HEADERS came in the same
    // read); every RST_STREAM goes out before the GOAWAY, which names the last one.
    const resets = r.shown.filter((x) => x.startsWith('RST_STREAM'));
    assert.ok(resets.length >= 3, r.shown.join(' '));
    assert.deepEqual(r.shown.slice(0, 2 + resets.length), ['SETTINGS(s0)', 'SETTINGS(s0,ACK)', ...resets]);
    assert.ok(resets.every((x, i) => x === `RST_STREAM(s${2 * i + 1},PROTOCOL_ERROR)`));
    assert.equal(r.shown[2 + resets.length], `GOAWAY(s0,last=${2 * resets.length - 1},ENHANCE_YOUR_CALM)`);
    assert.ok(r.shown.every((x) => !x.startsWith('HEADERS') && !x.startsWith('DATA')));
    assert.equal(r.ending, 'fin');
    assert.equal(f.events.length, resets.length, 'a stream after the GOAWAY is never decided nor served');
  } finally {
    await f.stop();
  }
  assert.throws(() => hangup({ maxRefusedStreams: -1 }), /maxRefusedStreams/);
  assert.throws(() => hangup({ maxRefusedStreams: 1.5 }), /maxRefusedStreams/);
});
