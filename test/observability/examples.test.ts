import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { rawRequest, head } from '../helpers/raw-client.js';
import { freePort, startExample, stop } from '../helpers/processes.js';

const H = 'Host: localhost';

/** GETs a loopback URL and resolves with the body. */
function get(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });
}

/** Resolves once `read()` satisfies `done`, polling for at most 10 s. */
async function eventually<T>(read: () => T, done: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const value = read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  return read();
}

describe('examples', () => {
  test('examples/prom-client.ts: hangup_decisions_total counts what the site decided', async () => {
    const port = await freePort();
    const metricsPort = await freePort();
    const child = await startExample('examples/prom-client.ts', port, { METRICS_PORT: String(metricsPort) });
    try {
      assert.match((await rawRequest(port, head('GET /users HTTP/1.1', H))).text, /^HTTP\/1\.1 200 OK/);
      assert.equal((await rawRequest(port, head('GET /.env HTTP/1.1', H))).text, '');
      assert.equal((await rawRequest(port, head('GET /wp-login.php HTTP/1.1', H))).text, '');
      const metrics = await get(metricsPort, '/metrics');
      assert.match(metrics, /^hangup_decisions_total\{action="allow",reason="route:matched",enforced="true"\} 1$/m);
      assert.match(metrics, /^hangup_decisions_total\{action="drop",reason="route:unknown",enforced="true"\} 2$/m);
    } finally {
      await stop(child);
    }
  });

  test('examples/pino.ts: report mode lets refused requests through and logs them as JSON', async () => {
    const port = await freePort();
    const child = await startExample('examples/pino.ts', port);
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      assert.match((await rawRequest(port, head('GET / HTTP/1.1', H))).text, /^HTTP\/1\.1 200 OK/);
      assert.match((await rawRequest(port, head('GET /.env?key=secret HTTP/1.1', H))).text, /^HTTP\/1\.1 200 OK/);
      const logged = await eventually(
        () => output.split('\n').filter((line) => line.startsWith('{')),
        (lines) => lines.length >= 1,
      );
      assert.equal(logged.length, 1, output);
      const entry = JSON.parse(logged[0] ?? '{}') as { level: number; msg: string; hangup: unknown };
      assert.equal(entry.level, 40);
      assert.equal(entry.msg, 'hangup would refuse a request');
      assert.deepStrictEqual(entry.hangup, {
        action: 'drop',
        enforced: false,
        reason: 'route:unknown',
        rule: null,
        method: 'GET',
        path: '/.env',
        host: 'localhost',
        remoteAddress: '127.0.0.1',
        adapter: 'http',
        wire: 'none',
      });
    } finally {
      await stop(child);
    }
  });
});
