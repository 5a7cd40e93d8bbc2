/**
 * Bans at accept time, over real sockets from several loopback addresses: the banned address gets
 * zero bytes on a new connection (no status line, no ServerHello, no SETTINGS frame) on every
 * server kind, the others are served.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { hangup, type Guard } from '../../src/index.js';
import { hangupExpress } from '../../src/adapters/express.js';
import { hangupFastify } from '../../src/adapters/fastify.js';
import { from, get, tlsFrom, sleep } from './helpers.js';

const TLS = {
  key: readFileSync(new URL('../../examples/tls/localhost-key.pem', import.meta.url)),
  cert: readFileSync(new URL('../../examples/tls/localhost-cert.pem', import.meta.url)),
};
const BANNED = '127.0.0.2';
const OTHER = '127.0.0.3';
const H2_PREFACE = Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]);

const policy = (extra: Record<string, unknown> = {}) =>
  hangup({ hosts: ['localhost'], routes: ['GET /'], hints: false, ban: { after: 3, window: '1m', duration: '10s', ...extra } });

async function listenOn(server: { listen: (port: number, host: string, cb: () => void) => unknown; address: () => unknown }): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function closeServer(server: http.Server | http2.Http2Server | http2.Http2SecureServer): Promise<void> {
  (server as http.Server).closeAllConnections?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** Three refused requests from BANNED over HTTP/1.1: each dropped with zero bytes, the third bans. */
async function strikeOut(port: number): Promise<void> {
  for (let i = 0; i < 3; i++) {
    const r = await from(BANNED, port, get('/wp-login.php'));
    assert.equal(r.bytes.length, 0, `refused probe ${i + 1} got bytes: ${JSON.stringify(r.text)}`);
  }
}

async function assertServedOverHttp1(port: number, address: string): Promise<void> {
  const r = await from(address, port, get('/'));
  assert.match(r.text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nhello$/);
}

async function assertBannedOverHttp1(port: number, guard: Guard, handled: () => number): Promise<void> {
  const before = handled();
  const r = await from(BANNED, port, get('/'));
  assert.equal(r.bytes.length, 0, `banned address got ${JSON.stringify(r.text)}`);
  assert.notEqual(r.ending, 'open');
  assert.equal(handled(), before, 'the app never saw the banned request');
  assert.equal(guard.stats().bans?.connectionsRefused, 1);
}

test('node:http: an address refused 3 times gets zero bytes on its next connection; other addresses are served', async () => {
  const guard = policy();
  let handled = 0;
  const server = guard.createServer((_req, res) => {
    handled++;
    res.end('hello');
  });
  const port = await listenOn(server);
  try {
    await assertServedOverHttp1(port, BANNED);
    await strikeOut(port);
    assert.equal(guard.bans?.check(BANNED)?.key, BANNED);
    await assertBannedOverHttp1(port, guard, () => handled);
    await assertServedOverHttp1(port, OTHER);
    const stats = guard.stats();
    assert.equal(stats.bans?.banned, 1);
    // the drop caused by the ban is not a strike: 3 strikes, all before the ban
    assert.equal(stats.bans?.strikes, 3);
    assert.equal(stats.reasons['ban:address'], undefined, 'refused at accept time, before any request');
  } finally {
    await closeServer(server);
  }
});

test('https: the banned address gets no ServerHello (zero bytes); others complete the handshake', async () => {
  const guard = policy();
  let handled = 0;
  const server = https.createServer(TLS, (_req, res) => {
    handled++;
    res.end('hello');
  });
  guard.protect(server);
  const port = await listenOn(server);
  try {
    assert.ok(guard.bans?.ban(BANNED));
    const banned = await tlsFrom(BANNED, port);
    assert.equal(banned.bytes.length, 0, 'no TLS record at all');
    assert.equal(banned.handshake, false);
    const other = await tlsFrom(OTHER, port);
    assert.equal(other.handshake, true);
    assert.ok(other.bytes.length > 100, 'the ServerHello and certificate');
    assert.equal(handled, 0);
    assert.equal(guard.stats().bans?.connectionsRefused, 1);
  } finally {
    await closeServer(server);
  }
});

test('http2 (h2c): the banned address gets no SETTINGS frame; others get the server preface', async () => {
  const guard = policy();
  const server = http2.createServer();
  server.on('stream', (stream) => stream.respond({ ':status': 200 }, { endStream: true }));
  guard.protect(server as unknown as http.Server);
  const port = await listenOn(server);
  try {
    guard.bans?.ban(BANNED);
    const banned = await from(BANNED, port, H2_PREFACE);
    assert.equal(banned.bytes.length, 0);
    const other = await from(OTHER, port, H2_PREFACE, 300);
    assert.ok(other.bytes.length >= 9, 'a SETTINGS frame');
    assert.equal(other.bytes[3], 0x04, 'frame type SETTINGS');
  } finally {
    await closeServer(server);
  }
});

test('http2 (secure): the banned address gets no ServerHello; others negotiate h2', async () => {
  const guard = policy();
  const server = http2.createSecureServer({ ...TLS, allowHTTP1: true });
  server.on('stream', (stream) => stream.respond({ ':status': 200 }, { endStream: true }));
  guard.protect(server as unknown as http.Server);
  const port = await listenOn(server);
  try {
    guard.bans?.ban(BANNED);
    const banned = await tlsFrom(BANNED, port, ['h2']);
    assert.equal(banned.bytes.length, 0);
    assert.equal(banned.handshake, false);
    const other = await tlsFrom(OTHER, port, ['h2']);
    assert.equal(other.handshake, true);
  } finally {
    await closeServer(server);
  }
});

test('Express: strikes from refused requests ban the address; its next connection gets zero bytes', async () => {
  const guard = policy();
  let handled = 0;
  const app = express();
  app.use(hangupExpress(guard));
  app.get('/', (_req, res) => {
    handled++;
    res.end('hello');
  });
  const server = guard.protect(http.createServer(app));
  const port = await listenOn(server);
  try {
    await strikeOut(port);
    await assertBannedOverHttp1(port, guard, () => handled);
    await assertServedOverHttp1(port, OTHER);
  } finally {
    await closeServer(server);
  }
});

test('Fastify: strikes from refused requests ban the address; its next connection gets zero bytes', async () => {
  const guard = policy();
  let handled = 0;
  const app = Fastify();
  await app.register(hangupFastify, { guard });
  app.get('/', (_req, reply) => {
    handled++;
    reply.raw.end('hello');
    return reply;
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  try {
    await strikeOut(port);
    await assertBannedOverHttp1(port, guard, () => handled);
    const other = await from(OTHER, port, get('/'));
    assert.match(other.text, /^HTTP\/1\.1 200 OK\r\n/);
  } finally {
    await app.close();
  }
});

test('a ban ends after its duration; the next ban of the same address lasts longer (escalation, capped)', async () => {
  const guard = policy({ duration: 300, escalate: { factor: 3, max: 700 } });
  const server = guard.createServer((_req, res) => res.end('hello'));
  const port = await listenOn(server);
  try {
    const t0 = Date.now();
    await strikeOut(port);
    const first = guard.bans?.check(BANNED);
    assert.ok(first !== null && first !== undefined);
    assert.ok(first.until - t0 <= 300 + 200 && first.until - t0 >= 250, `first ban ~300 ms, got ${first.until - t0}`);
    assert.equal((await from(BANNED, port, get('/'))).bytes.length, 0);
    await sleep(first.until - Date.now() + 20);
    await assertServedOverHttp1(port, BANNED);
    const t1 = Date.now();
    await strikeOut(port);
    const second = guard.bans?.check(BANNED);
    assert.ok(second !== null && second !== undefined);
    // 300 × 3 = 900, capped at 700
    assert.ok(second.until - t1 >= 650 && second.until - t1 <= 700 + 200, `second ban capped at 700 ms, got ${second.until - t1}`);
  } finally {
    await closeServer(server);
  }
});

test('allowlisted addresses are never banned, by strikes or by hand', async () => {
  const guard = policy({ allow: ['127.0.0.2/32'] });
  const server = guard.createServer((_req, res) => res.end('hello'));
  const port = await listenOn(server);
  try {
    await strikeOut(port);
    await strikeOut(port);
    assert.equal(guard.bans?.check(BANNED), null);
    assert.equal(guard.bans?.ban(BANNED), false);
    await assertServedOverHttp1(port, BANNED);
    assert.equal(guard.stats().bans?.banned, 0);
  } finally {
    await closeServer(server);
  }
});

test('report mode: counts what would be banned and refused, bans nothing', async () => {
  const events: string[] = [];
  const guard = policy({ mode: 'report', onBan: (e: { type: string; key: string; enforced: boolean }) => events.push(`${e.type} ${e.key} ${e.enforced}`) });
  const server = guard.createServer((_req, res) => res.end('hello'));
  const port = await listenOn(server);
  try {
    await strikeOut(port);
    assert.deepEqual(events, [`ban ${BANNED} false`]);
    await assertServedOverHttp1(port, BANNED);
    const stats = guard.stats().bans;
    assert.equal(stats?.connectionsRefused, 0);
    assert.ok((stats?.wouldRefuse ?? 0) >= 1);
  } finally {
    await closeServer(server);
  }
});

test('unban lifts a ban at once; events and counts follow', async () => {
  const events: string[] = [];
  const guard = policy({ onBan: (e: { type: string; key: string; origin: string }) => events.push(`${e.type} ${e.key} ${e.origin}`) });
  const server = guard.createServer((_req, res) => res.end('hello'));
  const port = await listenOn(server);
  try {
    await strikeOut(port);
    assert.equal((await from(BANNED, port, get('/'))).bytes.length, 0);
    assert.equal(guard.bans?.unban(BANNED), true);
    await assertServedOverHttp1(port, BANNED);
    assert.deepEqual(events, [`ban ${BANNED} strikes`, `unban ${BANNED} manual`]);
    assert.equal(guard.bans?.list().length, 0);
  } finally {
    await closeServer(server);
  }
});

test('a connection kept alive from before the ban is refused at its next request (zero bytes)', async () => {
  const guard = policy();
  const server = guard.createServer((_req, res) => res.end('hello'));
  const port = await listenOn(server);
  try {
    const net = await import('node:net');
    const socket = net.connect({ port, host: '127.0.0.1', localAddress: BANNED });
    await new Promise((r) => socket.once('connect', r));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await sleep(150);
    const first = Buffer.concat(chunks).toString('latin1');
    assert.match(first, /hello$/);
    guard.bans?.ban(BANNED);
    const closed = new Promise((r) => socket.once('close', r));
    socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await closed;
    assert.equal(Buffer.concat(chunks).toString('latin1'), first, 'not one byte after the ban');
    assert.equal(guard.stats().reasons['ban:address'], 1);
    assert.equal(guard.stats().bans?.strikes, 0);
  } finally {
    await closeServer(server);
  }
});

test('https: TLS refusals (a server name the policy does not serve) count as strikes; the next handshake gets zero bytes', async () => {
  const guard = policy();
  const server = https.createServer(TLS, (_req, res) => res.end('hello'));
  guard.protect(server);
  const port = await listenOn(server);
  const tls = await import('node:tls');
  const net = await import('node:net');
  const handshake = (servername: string): Promise<{ bytes: number; ok: boolean }> =>
    new Promise((resolve) => {
      const raw = net.connect({ port, host: '127.0.0.1', localAddress: BANNED });
      const secure = tls.connect({ socket: raw, servername, rejectUnauthorized: false });
      let ok = false;
      const done = (): void => {
        secure.destroy();
        resolve({ bytes: raw.bytesRead, ok });
      };
      secure.once('secureConnect', () => {
        ok = true;
        done();
      });
      secure.once('error', done);
      secure.once('close', done);
    });
  try {
    for (let i = 0; i < 3; i++) assert.deepEqual(await handshake('scanner.invalid'), { bytes: 0, ok: false });
    assert.equal(guard.bans?.check(BANNED)?.key, BANNED);
    assert.deepEqual(await handshake('localhost'), { bytes: 0, ok: false }, 'a served name too, now that the address is banned');
    assert.equal(guard.stats().bans?.connectionsRefused, 1);
    assert.equal((await tlsFrom(OTHER, port)).handshake, true);
  } finally {
    await closeServer(server);
  }
});

test("action 'drop': a banned peer's accepted handle is closed before Node builds a socket (no 'connection' emitted); 'reset' and the tarpit refuse on the emit", async () => {
  for (const action of ['drop', 'reset'] as const) {
    const guard = policy({ action });
    const server = guard.createServer((_req, res) => res.end('hello'));
    let emitted = 0;
    const emit = server.emit;
    server.emit = function (this: http.Server, event: string | symbol, ...args: unknown[]) {
      if (event === 'connection') emitted++;
      return Reflect.apply(emit, this, [event, ...args]) as boolean;
    } as typeof server.emit;
    const port = await listenOn(server);
    try {
      guard.bans?.ban(BANNED);
      const r = await from(BANNED, port, get('/'));
      assert.equal(r.bytes.length, 0);
      assert.notEqual(r.ending, 'open');
      if (action === 'reset') assert.equal(r.ending, 'rst');
      assert.equal(emitted, action === 'drop' ? 0 : 1, `${action}: 'connection' emits for the banned peer`);
      assert.equal(guard.stats().bans?.connectionsRefused, 1);
      await assertServedOverHttp1(port, OTHER);
      assert.equal(emitted, action === 'drop' ? 1 : 2);
      const count = await new Promise<number>((resolve) => server.getConnections((_e, n) => resolve(n)));
      assert.equal(count, 0);
    } finally {
      await closeServer(server);
    }
  }
});

test('http2: refused streams count as strikes; an open session gets RST_STREAM for its next stream once banned, a new connection no SETTINGS', async () => {
  const guard = policy();
  const server = http2.createServer();
  server.on('stream', (stream) => stream.respond({ ':status': 200 }, { endStream: true }));
  guard.protect(server as unknown as http.Server);
  const port = await listenOn(server);
  const net = await import('node:net');
  const session = http2.connect(`http://localhost:${port}`, { createConnection: () => net.connect({ port, host: '127.0.0.1', localAddress: BANNED }) });
  session.on('error', () => {});
  const request = (path: string): Promise<string> =>
    new Promise((resolve) => {
      const stream = session.request({ ':path': path });
      stream.on('response', (headers) => resolve(String(headers[':status'])));
      stream.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      stream.on('close', () => resolve(`closed ${stream.rstCode}`));
      stream.end();
    });
  try {
    assert.equal(await request('/'), '200');
    for (let i = 0; i < 3; i++) assert.equal(await request('/wp-login.php'), 'ERR_HTTP2_STREAM_ERROR');
    assert.equal(guard.bans?.check(BANNED)?.key, BANNED);
    assert.equal(await request('/'), 'ERR_HTTP2_STREAM_ERROR', 'the open session: RST_STREAM, no response');
    assert.equal(guard.stats().reasons['ban:address'], 1);
    assert.equal((await from(BANNED, port, H2_PREFACE)).bytes.length, 0, 'a new connection: not even SETTINGS');
  } finally {
    session.destroy();
    await closeServer(server);
  }
});
