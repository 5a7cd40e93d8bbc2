/**
 * The wire checks every framework recipe passes (Koa, Hono, NestJS): an allowed request reaches the
 * app, a notFound rule gets the fixed 404, an unknown path is dropped, and Node's own answers (parse
 * error, missing Host, Expect) are taken over. Each recipe's app answers `GET /` with `home` and
 * echoes the body of `POST /echo`, under the policy `recipePolicy`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { notFound, type HangupOptions } from '../../src/index.js';
import { rawRequest, head } from '../helpers/raw-client.js';
import { anyKeepAlive, notFoundKeptAlive } from '../helpers/not-found.js';

export const H = 'Host: localhost';

/** The policy of every recipe: two routes, a favicon rule, the rest dropped. */
export const recipePolicy: HangupOptions = {
  hosts: ['localhost'],
  routes: ['GET /', 'POST /echo'],
  rules: [notFound('GET /favicon.ico')],
};

/**
 * Registers the wire tests for a recipe; `port()` is read when each test runs (after `before`).
 * `seen` holds what reached the app's handlers, so a refused request is shown not to reach them.
 */
export function recipeWireTests(port: () => number, seen: string[]): void {
  test('allowed: GET / reaches the app', async () => {
    const r = await rawRequest(port(), head('GET / HTTP/1.1', H, 'Connection: close'));
    assert.match(r.text, /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(r.text.endsWith('home'), r.text);
  });

  test('notFound rule: the fixed 404, byte for byte', async () => {
    seen.length = 0;
    const r = await rawRequest(port(), head('GET /favicon.ico HTTP/1.1', H));
    assert.equal(anyKeepAlive(r.text), notFoundKeptAlive('<n>'));
    assert.deepEqual(seen, []);
  });

  const dropped: [string, string][] = [
    ['an unknown path', head('GET /.env HTTP/1.1', H)],
    ['a wrong Host', head('GET / HTTP/1.1', 'Host: evil.example')],
    ['encoded dot segments', head('GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1', H)],
    ['a parse error (Node: 400)', 'GARBAGE\r\n\r\n'],
    ['no Host on HTTP/1.1 (Node: 400)', head('GET / HTTP/1.1')],
    ['Expect: teapot on a routed path (Node: 417)', head('GET / HTTP/1.1', H, 'Expect: teapot')],
    ['Expect: 100-continue on an unknown path (Node: 100 Continue)', head('POST /upload HTTP/1.1', H, 'Content-Length: 5', 'Expect: 100-continue')],
  ];
  for (const [name, bytes] of dropped) {
    test(`dropped with zero bytes: ${name}`, async () => {
      seen.length = 0;
      const r = await rawRequest(port(), bytes);
      assert.deepEqual([r.text, r.ending], ['', 'fin']);
      assert.deepEqual(seen, []);
    });
  }

  test('Expect: 100-continue on an allowed route: 100 Continue, then the app reads the body', async () => {
    const r = await rawRequest(port(), '', {
      chunks: [head('POST /echo HTTP/1.1', H, 'Content-Type: text/plain', 'Content-Length: 5', 'Expect: 100-continue', 'Connection: close'), 'hello'],
      gapMs: 150,
    });
    assert.ok(r.text.startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n'), r.text);
    assert.ok(r.text.endsWith('echo hello'), r.text);
  });
}

/** Reads a Node request body as text. */
export async function readBody(req: AsyncIterable<Buffer | string>): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk.toString();
  return body;
}
