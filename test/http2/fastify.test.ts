import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import fastify4 from 'fastify4';
import fastify5 from 'fastify5';
import { hangup, notFound, type DecisionEvent, type HangupOptions } from '../../src/index.js';
import { hangupFastify } from '../../src/adapters/fastify.js';
import { closeSession, connect, request, startTap, streamFrames, type Tap } from '../helpers/h2-frames.js';
import { CERT, KEY } from '../helpers/tls.js';

/**
 * Fastify 4 and 5 with `http2: true`: h2c, and https + http2 with and without `allowHTTP1`. The
 * server's frames are decoded through a tap (which speaks TLS to the server in the https modes),
 * so each refusal is asserted as the frames the client received.
 */

type Mode = 'h2c' | 'https' | 'https+allowHTTP1';
const FASTIFY = { 'fastify 4': fastify4, 'fastify 5': fastify5 } as const;

interface App {
  readonly tap: Tap;
  readonly port: number;
  readonly events: DecisionEvent[];
  readonly seen: string[];
  stop(): Promise<void>;
}

async function start(make: (typeof FASTIFY)[keyof typeof FASTIFY], mode: Mode, options: HangupOptions): Promise<App> {
  const events: DecisionEvent[] = [];
  const seen: string[] = [];
  const fastifyOptions =
    mode === 'h2c'
      ? { logger: false, http2: true as const }
      : { logger: false, http2: true as const, https: { key: KEY, cert: CERT, allowHTTP1: mode === 'https+allowHTTP1' } };
  const app = (make as unknown as (o: object) => ReturnType<typeof fastify5>)(fastifyOptions);
  await app.register(hangupFastify, { hosts: ['localhost', '127.0.0.1'], hints: false, ...options, onDecision: (e: DecisionEvent) => events.push(e) });
  app.get('/', async (request: { url: string; body?: unknown }) => {
    seen.push(request.url);
    return 'hello';
  });
  app.get('/slow', async (request: { url: string; body?: unknown }) => {
    seen.push(request.url);
    await new Promise((r) => setTimeout(r, 150));
    return 'slow';
  });
  app.post('/upload', async (request: { url: string; body?: unknown }) => {
    seen.push(request.url);
    return `got ${String(request.body).length}`;
  });
  app.get('/boom', async () => {
    throw new Error('secret internals');
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  const tap = await startTap(port, mode === 'h2c' ? {} : { tls: { servername: 'localhost', ca: CERT } });
  return {
    tap,
    port,
    events,
    seen,
    stop: async () => {
      await tap.close();
      await app.close();
    },
  };
}

const wait = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One HTTP/1.1 request over TLS (ALPN http/1.1) and everything that came back. */
function http1OverTls(port: number, text: string): Promise<{ text: string; ended: boolean }> {
  return new Promise((resolve) => {
    let data = '';
    const socket = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: CERT, ALPNProtocols: ['http/1.1'] }, () => socket.write(text));
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (data += d));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ text: data, ended: false });
    }, 800);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ text: data, ended: true });
    });
    socket.on('error', () => {});
  });
}

for (const [name, make] of Object.entries(FASTIFY)) {
  for (const mode of ['h2c', 'https', 'https+allowHTTP1'] as const) {
    test(`${name}, ${mode}: pre-routing policy; drop is RST_STREAM(PROTOCOL_ERROR) beside an open sibling, notFound Node's 404`, async () => {
      const app = await start(make, mode, { routes: ['GET /', 'GET /slow', 'POST /upload'], rules: [notFound('GET /favicon.ico')] });
      try {
        const session = await connect(app.tap.port);
        const slow = request(session, { ':path': '/slow' }); // 1
        await wait(20);
        const dropped = await request(session, { ':path': '/.env' }); // 3
        const nf = await request(session, { ':path': '/favicon.ico' }); // 5
        const ok = await request(session, { ':path': '/' }); // 7
        const expect = await request(session, { ':method': 'POST', ':path': '/nope', expect: '100-continue' }, 'x'); // 9
        const slowResult = await slow;
        await closeSession(session);
        await wait(50);
        const conn = app.tap.connections[0]!;
        assert.deepEqual(streamFrames(conn, 3), ['RST_STREAM(s3,PROTOCOL_ERROR)']);
        assert.deepEqual(streamFrames(conn, 5), ['HEADERS(s5,END_STREAM|END_HEADERS)']);
        assert.deepEqual(streamFrames(conn, 9), ['RST_STREAM(s9,PROTOCOL_ERROR)']);
        assert.equal(dropped.rstCode, http2.constants.NGHTTP2_PROTOCOL_ERROR);
        assert.equal(expect.rstCode, http2.constants.NGHTTP2_PROTOCOL_ERROR);
        assert.deepEqual(Object.keys(nf.headers ?? {}).sort(), [':status', 'date']);
        assert.equal(ok.body, 'hello');
        assert.equal(slowResult.body, 'slow');
        assert.deepEqual(app.seen.sort(), ['/', '/slow']);
        assert.ok(app.events.every((e) => e.adapter === 'http2'));
      } finally {
        await app.stop();
      }
    });

    test(`${name}, ${mode}: fallback mode: Fastify's JSON 404 becomes the unknownRoute action (RST_STREAM)`, async () => {
      const app = await start(make, mode, {});
      try {
        const session = await connect(app.tap.port);
        const unrouted = await request(session, { ':path': '/nope/<script>' });
        const ok = await request(session, { ':path': '/' });
        await closeSession(session);
        await wait(50);
        const conn = app.tap.connections[0]!;
        assert.deepEqual(streamFrames(conn, 1), ['RST_STREAM(s1,PROTOCOL_ERROR)']);
        assert.equal(unrouted.body, '');
        assert.equal(ok.body, 'hello');
        assert.ok(app.events.some((e) => e.reason === 'route:unrouted' && e.wire === 'rst-stream'));
      } finally {
        await app.stop();
      }
    });
  }

  test(`${name}, h2c: frameworkErrors { statuses: 'all' }: Fastify's JSON 500 (which leaks the error message) becomes a drop`, async () => {
    const app = await start(make, 'h2c', { frameworkErrors: { statuses: 'all' } } as HangupOptions);
    try {
      const session = await connect(app.tap.port);
      const boom = await request(session, { ':path': '/boom' });
      const ok = await request(session, { ':path': '/' });
      await closeSession(session);
      await wait(50);
      // The request was allowed (HEADERS were not sent yet); the error answer is refused on the stream.
      assert.deepEqual(streamFrames(app.tap.connections[0]!, 1), ['RST_STREAM(s1,PROTOCOL_ERROR)']);
      assert.equal(boom.body, '');
      assert.equal(ok.body, 'hello');
      assert.ok(app.events.some((e) => e.reason.startsWith('framework:') && e.wire === 'rst-stream'), JSON.stringify(app.events));
    } finally {
      await app.stop();
    }
  });

  test(`${name}, https+allowHTTP1: HTTP/1.1 connections on the same server keep HTTP/1 refusals (zero bytes, the fixed 404)`, async () => {
    const app = await start(make, 'https+allowHTTP1', { routes: ['GET /'], rules: [notFound('GET /favicon.ico')] });
    try {
      const dropped = await http1OverTls(app.port, 'GET /.env HTTP/1.1\r\nHost: localhost\r\n\r\n');
      assert.deepEqual(dropped, { text: '', ended: true });
      const nf = await http1OverTls(app.port, 'GET /favicon.ico HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      assert.match(nf.text, /^HTTP\/1\.1 404 Not Found\r\nDate: [^\r]+\r\nConnection: close\r\nContent-Length: 0\r\n\r\n$/);
      const ok = await http1OverTls(app.port, 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
      assert.match(ok.text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nhello$/);
    } finally {
      await app.stop();
    }
  });
}
