/**
 * The three examples answer GET /favicon.ico with the fixed 404 (a notFound rule), but only for the
 * hosts they serve: for any other Host, an address as Host or no Host at all, a scanner that sweeps
 * addresses for favicon hashes gets zero bytes, like every other request for those hosts.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { rawRequest, head } from './helpers/raw-client.js';
import { freePort, startExample, stop } from './helpers/processes.js';

const unserved: readonly [string, string][] = [
  ['another Host', head('GET /favicon.ico HTTP/1.1', 'Host: evil.example')],
  ['an unlisted address as Host', head('GET /favicon.ico HTTP/1.1', 'Host: 203.0.113.7')],
  ['an IPv6 literal as Host', head('GET /favicon.ico HTTP/1.1', 'Host: [::1]:3000')],
  ['HTTP/1.0 without Host', head('GET /favicon.ico HTTP/1.0')],
  ['an empty Host', head('GET /favicon.ico HTTP/1.1', 'Host: ')],
  ['two Hosts', head('GET /favicon.ico HTTP/1.1', 'Host: localhost', 'Host: evil.example')],
];

for (const file of ['examples/http.ts', 'examples/express.ts', 'examples/fastify.ts']) {
  describe(`${file}: the favicon rule answers only for served hosts`, () => {
    let child: ChildProcess;
    let port: number;
    before(async () => {
      port = await freePort();
      child = await startExample(file, port);
    });
    after(() => stop(child));

    test('a served Host gets the fixed 404', async () => {
      const result = await rawRequest(port, head('GET /favicon.ico HTTP/1.1', 'Host: localhost'));
      assert.match(result.text, /^HTTP\/1\.1 404 Not Found\r\n/);
    });

    for (const [name, bytes] of unserved) {
      test(`${name}: zero bytes, closed`, async () => {
        const result = await rawRequest(port, bytes);
        assert.equal(result.text, '');
        assert.notEqual(result.ending, 'open');
      });
    }
  });
}
