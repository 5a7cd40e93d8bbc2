/**
 * examples/express.ts and examples/fastify.ts, run as real processes with tsx like a user would:
 * the same site policy as examples/http.ts, and no framework fingerprint on any response. Then the
 * three side by side: the same bytes for every request (the Date header aside), bodies included.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import zlib from 'node:zlib';
import { rawRequest, head } from '../helpers/raw-client.js';
import { freePort, startExample, stop } from '../helpers/processes.js';
import { statusesAndBodies } from './responses.js';
import { NOT_FOUND, dated } from '../helpers/not-found.js';

const H = 'Host: localhost';
const FINGERPRINT = /^(x-powered-by|server|etag|x-request-id):/im;

for (const file of ['examples/express.ts', 'examples/fastify.ts']) {
  describe(file, () => {
    let child: ChildProcess;
    let port: number;
    before(async () => {
      port = await freePort();
      child = await startExample(file, port);
    });
    after(() => stop(child));

    test('serves the five routes, with no framework fingerprint', async () => {
      const allowed: [string, string][] = [
        [head('GET / HTTP/1.1', H), 'home\n'],
        [head('GET /users HTTP/1.1', 'Host: 127.0.0.1:3000'), 'users\n'],
        [head('GET /users/42 HTTP/1.1', H), 'user 42\n'],
        [head('GET /orders HTTP/1.1', H), 'orders\n'],
        [head('POST /orders HTTP/1.1', H, 'Content-Type: text/plain', 'Content-Length: 2') + 'hi', 'order created\n'],
      ];
      for (const [bytes, body] of allowed) {
        const r = await rawRequest(port, bytes, { waitMs: 1000 });
        assert.deepEqual(statusesAndBodies(r.text), [`HTTP/1.1 200 OK | ${body}`], bytes);
        assert.doesNotMatch(r.text, FINGERPRINT, bytes);
      }
    });

    test('the fixed 404 for the favicon, zero bytes for the rest', async () => {
      const favicon = await rawRequest(port, head('GET /favicon.ico HTTP/1.1', H), { waitMs: 1000 });
      assert.equal(dated(favicon.text), NOT_FOUND);
      for (const bytes of [
        head('GET /.env HTTP/1.1', H),
        head('GET /users/1/edit HTTP/1.1', H),
        head('GET / HTTP/1.1', 'Host: example.com'),
        head('GET / HTTP/1.1'),
        head('PUT /orders HTTP/1.1', H),
        head('GET /<script>x</script> HTTP/1.1', H),
        head('GET /users/%E0%A4%A HTTP/1.1', H),
        head('POST /nope HTTP/1.1', H, 'Content-Length: 5', 'Expect: 100-continue'),
        'GARBAGE\r\n\r\n',
      ]) {
        const r = await rawRequest(port, bytes, { waitMs: 1000 });
        assert.deepEqual([r.text, r.ending], ['', 'fin'], bytes);
      }
    });
  });
}

/** A POST /orders with these header lines and body; Content-Length is added unless chunked. */
function order(headers: readonly string[], body: string | Buffer = ''): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const chunked = headers.some((h) => /^transfer-encoding:/i.test(h));
  const lines = ['POST /orders HTTP/1.1', H, ...headers, ...(chunked ? [] : [`Content-Length: ${bytes.length}`])];
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), bytes]);
}

const ORDER_CREATED = /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\norder created\n$/;
/** Requests every example must answer alike, and what they answer: a page, or zero bytes. */
const sameSite: [string, Buffer, RegExp | ''][] = [
  ['GET /', Buffer.from(head('GET / HTTP/1.1', H)), /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nhome\n$/],
  ['HEAD /users/42', Buffer.from(head('HEAD /users/42 HTTP/1.1', H)), /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\n$/],
  ['GET /orders over HTTP/1.0', Buffer.from(head('GET /orders HTTP/1.0', H)), /^HTTP\/1\.1 200 OK\r\n[\s\S]*Connection: close\r\n\r\norders\n$/],
  ['JSON order', order(['Content-Type: application/json'], '{"item":"tea"}'), ORDER_CREATED],
  ['HTML form order (curl -d)', order(['Content-Type: application/x-www-form-urlencoded'], 'item=tea&qty=2'), ORDER_CREATED],
  ['text order', order(['Content-Type: text/plain'], 'tea'), ORDER_CREATED],
  ['chunked JSON order', order(['Content-Type: application/json', 'Transfer-Encoding: chunked'], '7\r\n{"a":1}\r\n0\r\n\r\n'), ORDER_CREATED],
  ['order without a body', order([]), ORDER_CREATED],
  ['charset=bogus', order(['Content-Type: text/plain; charset=bogus'], 'tea'), ''],
  ['Content-Encoding: bogus', order(['Content-Type: text/plain', 'Content-Encoding: bogus'], 'tea'), ''],
  ['gzip garbage', order(['Content-Type: text/plain', 'Content-Encoding: gzip'], 'not gzip at all'), ''],
  ['valid gzip (no Content-Encoding is read)', order(['Content-Type: text/plain', 'Content-Encoding: gzip'], zlib.gzipSync('tea')), ''],
  ['body over 100 kB', order(['Content-Type: text/plain'], 'x'.repeat(100 * 1024 + 1)), ''],
  ['invalid JSON', order(['Content-Type: application/json'], '{bad'), ''],
  ['empty JSON', order(['Content-Type: application/json']), ''],
  ['empty chunked JSON', order(['Content-Type: application/json', 'Transfer-Encoding: chunked'], '0\r\n\r\n'), ''],
  ['unsupported media type', order(['Content-Type: application/xml'], '<order/>'), ''],
  ['multipart form', order(['Content-Type: multipart/form-data; boundary=x'], '--x\r\n\r\n1\r\n--x--\r\n'), ''],
  ['a body without Content-Type', order([], 'tea'), ''],
];

describe('the three examples serve the same site to the same bytes', () => {
  const files = ['examples/http.ts', 'examples/express.ts', 'examples/fastify.ts'];
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  before(async () => {
    for (const file of files) {
      const port = await freePort();
      ports.push(port);
      children.push(await startExample(file, port));
    }
  });
  after(async () => {
    for (const child of children) await stop(child);
  });

  test('pages, orders of each body type and every body a framework would refuse: identical bytes', async () => {
    for (const [label, bytes, expected] of sameSite) {
      const answers: string[] = [];
      for (const [index, port] of ports.entries()) {
        const r = await rawRequest(port, bytes, { waitMs: 300 });
        const text = r.text.replace(/\r\nDate: [^\r]*/, '');
        if (expected === '') {
          assert.deepEqual([r.text, r.ending === 'open'], ['', false], `${files[index]}: ${label}`);
        } else {
          assert.match(text, expected, `${files[index]}: ${label}`);
          assert.doesNotMatch(text, FINGERPRINT, `${files[index]}: ${label}`);
        }
        answers.push(text);
      }
      assert.deepEqual(answers, [answers[0], answers[0], answers[0]], label);
    }
  });
});
