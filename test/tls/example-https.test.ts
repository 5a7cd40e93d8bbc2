import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { freePort, startExample, stop } from '../helpers/processes.js';
import { rawRequest } from '../helpers/raw-client.js';
import { run, sClient, tlsRequest } from '../helpers/tls.js';
import { tlsClientHello } from '../../src/cli/probe/tls-hello.js';

let child: ChildProcess;
let port: number;
before(async () => {
  port = await freePort();
  child = await startExample('examples/https.ts', port);
});
after(() => stop(child));

const curl = (args: string[]) =>
  run('curl', ['-sk', '--max-time', '5', '--resolve', `localhost:${port}:127.0.0.1`, ...args, '-w', ' %{http_code} %{http_version}']);

test('examples/https.ts serves the site over HTTP/1.1 by ALPN and refuses the rest', async () => {
  assert.equal((await curl(['--http1.1', `https://localhost:${port}/`])).output, 'home\n 200 1.1');
  assert.equal((await curl(['--http1.1', `https://localhost:${port}/users/42`])).output, 'user 42\n 200 1.1');
  const dropped = await sClient(port, ['-servername', 'localhost', '-alpn', 'http/1.1'], 'GET /.env HTTP/1.1\r\nHost: localhost\r\n\r\n');
  assert.match(dropped.output, /Server certificate/);
  assert.doesNotMatch(dropped.output, /close_notify|HTTP\/1\.1/);
  // By address: no server name, served because hosts lists 127.0.0.1.
  assert.equal((await tlsRequest(port, { servername: '', ALPNProtocols: ['http/1.1'] }, 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n')).response.split('\r\n\r\n')[1], 'home\n');
});

test('examples/https.ts serves the site over HTTP/2 by ALPN: pages, the favicon 404, RST_STREAM for the rest', async () => {
  assert.equal((await curl(['--http2', `https://localhost:${port}/users/7`])).output, 'user 7\n 200 2');
  assert.equal((await curl(['--http2', `https://localhost:${port}/favicon.ico`])).output, ' 404 2');
  const dropped = await curl(['--http2', `https://localhost:${port}/.env`]);
  assert.deepEqual([dropped.output, dropped.code], [' 000 0', 92]); // CURLE_HTTP2_STREAM: the stream was reset
});

test('examples/https.ts: an unknown name, plain HTTP and an unknown ALPN get zero bytes', async () => {
  for (const payload of [tlsClientHello('evil.example'), Buffer.from('GET / HTTP/1.1\r\nHost: localhost\r\n\r\n')]) {
    const r = await rawRequest(port, payload);
    assert.deepEqual([r.bytes.length, r.ending], [0, 'fin']);
  }
  const alpn = await sClient(port, ['-servername', 'localhost', '-alpn', 'foo']);
  assert.match(alpn.output, /SSL handshake has read 0 bytes/);
});
