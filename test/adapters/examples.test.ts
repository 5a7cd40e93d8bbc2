/**
 * examples/express.ts and examples/fastify.ts, run as real processes with tsx like a user would:
 * the same site policy as examples/http.ts, and no framework fingerprint on any response.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { NOT_FOUND_BYTES } from '../../src/index.js';
import { rawRequest, head } from '../helpers/raw-client.js';
import { freePort, startExample, stop } from '../helpers/processes.js';
import { statusesAndBodies } from './responses.js';

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
      assert.equal(favicon.text, NOT_FOUND_BYTES);
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
