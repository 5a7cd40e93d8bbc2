import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { rawRequest, head } from './helpers/raw-client.js';
import { freePort, startExample, stop } from './helpers/processes.js';
import { NOT_FOUND, dated } from './helpers/not-found.js';

let child: ChildProcess;
let port: number;
before(async () => {
  port = await freePort();
  child = await startExample('examples/http.ts', port);
});
after(() => stop(child));

/** Status line and body of a response, without the Date header that changes every second. */
function statusAndBody(text: string): [string, string] {
  const [headPart = '', body = ''] = text.split('\r\n\r\n');
  return [headPart.split('\r\n')[0] ?? '', body];
}

test('examples/http.ts serves the site policy: five routes, favicon 404, drop for the rest', async () => {
  const allowed: [string, string, string][] = [
    [head('GET / HTTP/1.1', 'Host: localhost'), 'HTTP/1.1 200 OK', 'home\n'],
    [head('GET /users HTTP/1.1', 'Host: 127.0.0.1:3000'), 'HTTP/1.1 200 OK', 'users\n'],
    [head('GET /users/42 HTTP/1.1', 'Host: localhost'), 'HTTP/1.1 200 OK', 'user 42\n'],
    [head('GET /orders HTTP/1.1', 'Host: localhost'), 'HTTP/1.1 200 OK', 'orders\n'],
    [head('POST /orders HTTP/1.1', 'Host: localhost', 'Content-Length: 0'), 'HTTP/1.1 200 OK', 'order created\n'],
  ];
  for (const [bytes, status, body] of allowed) {
    const r = await rawRequest(port, bytes);
    assert.deepEqual(statusAndBody(r.text), [status, body], bytes);
    assert.doesNotMatch(r.text, /X-Powered-By|Server:/i);
  }
  assert.equal(dated((await rawRequest(port, head('GET /favicon.ico HTTP/1.1', 'Host: localhost'))).text), NOT_FOUND);
  for (const bytes of [
    head('GET /.env HTTP/1.1', 'Host: localhost'),
    head('GET / HTTP/1.1', 'Host: example.com'),
    head('PUT /orders HTTP/1.1', 'Host: localhost'),
    head('GET /users/1/../../x HTTP/1.1', 'Host: localhost'),
    'GARBAGE\r\n\r\n',
  ]) {
    const r = await rawRequest(port, bytes);
    assert.deepEqual([r.text, r.ending], ['', 'fin'], bytes);
  }
});
