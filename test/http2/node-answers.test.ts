import { test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import tls from 'node:tls';
import type { Server } from 'node:http';
import { hangup, type DecisionEvent } from '../../src/index.js';
import { listen, close } from '../helpers/servers.js';
import { get, rawH2 } from '../helpers/h2-frames.js';
import { CERT, KEY } from '../helpers/tls.js';

/**
 * What Node and nghttp2 answer by themselves on HTTP/2, with hangup in front: the 403 to a TLS
 * client without ALPN is taken over (zero bytes); what nghttp2 resets or strips before any
 * JavaScript runs is documented in the README and pinned here, so a Node upgrade that changes it
 * is noticed.
 */

test("'unknownProtocol' (TLS client without ALPN): zero bytes and a close instead of Node's HTTP/1.0 403", async () => {
  const events: DecisionEvent[] = [];
  const guard = hangup({ hosts: ['localhost'], routes: ['GET /'], hints: false, onDecision: (e) => events.push(e) });
  const server = http2.createSecureServer({ key: KEY, cert: CERT }, guard.wrap((_req, res) => res.end('hi')) as never);
  guard.protect(server as unknown as Server);
  const port = await listen(server as unknown as Server);
  try {
    const result = await new Promise<{ alpn: string | false; bytes: number }>((resolve) => {
      let bytes = 0;
      let alpn: string | false = false;
      const socket = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: CERT }, () => {
        alpn = socket.alpnProtocol ?? false;
        socket.write('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
      });
      socket.on('data', (d: Buffer) => (bytes += d.length));
      socket.on('close', () => resolve({ alpn, bytes }));
      socket.on('error', () => {});
    });
    assert.deepEqual(result, { alpn: false, bytes: 0 });
    assert.deepEqual(
      events.map((e) => `${e.action} ${e.reason} ${e.adapter} ${e.wire}`),
      ['drop http2:unknown-protocol http2 fin'],
    );
  } finally {
    await close(server as unknown as Server);
  }
});

test('nghttp2 resets or strips these before JavaScript: no event, the frames as the README says', async () => {
  const events: DecisionEvent[] = [];
  const guard = hangup({ hosts: ['127.0.0.1'], routes: ['GET /'], hints: false, onDecision: (e) => events.push(e) });
  const server = http2.createServer(guard.wrap((_req, res) => res.end('hello')) as never);
  guard.protect(server as unknown as Server);
  const port = await listen(server as unknown as Server);
  try {
    const many = Array.from({ length: 200 }, (_, i) => [`x-h${i}`, 'v'] as const);
    const reset: [string, (readonly [string, string])[], string][] = [
      ['upper-case name', get('/', '127.0.0.1', [['X-Up', 'a']]), 'RST_STREAM(s1,PROTOCOL_ERROR)'],
      ['connection header', get('/', '127.0.0.1', [['connection', 'keep-alive']]), 'RST_STREAM(s1,PROTOCOL_ERROR)'],
      [':path without a leading slash', [[':method', 'GET'], [':scheme', 'http'], [':authority', '127.0.0.1'], [':path', 'foo']], 'RST_STREAM(s1,PROTOCOL_ERROR)'],
      ['200 header fields', get('/', '127.0.0.1', many), 'RST_STREAM(s1,ENHANCE_YOUR_CALM)'],
    ];
    for (const [name, fields, frame] of reset) {
      events.length = 0;
      const r = await rawH2(port, [fields]);
      assert.deepEqual(r.shown.slice(2), [frame], name);
      assert.equal(events.length, 0, name);
    }
    // A value with a raw LF is removed from the header list and the request is served.
    events.length = 0;
    const stripped = await rawH2(port, [get('/', '127.0.0.1', [['x-a', 'a\nb']])]);
    assert.equal(stripped.shown[2], 'HEADERS(s1,END_HEADERS)');
    assert.equal(events[0]?.action, 'allow');
  } finally {
    await close(server as unknown as Server);
  }
});
