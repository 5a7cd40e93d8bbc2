import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { hangup, type DecisionEvent } from '../../src/index.js';
import { TLS_OPTIONS, tlsRequest } from '../helpers/tls.js';

const request = (host: string): string => `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;

async function withServer(
  kind: 'https' | 'http2',
  hostMustMatchServerName: boolean | undefined,
  body: (port: number, events: DecisionEvent[]) => Promise<void>,
): Promise<void> {
  const events: DecisionEvent[] = [];
  const guard = hangup({
    hosts: ['localhost', 'a.localhost'],
    routes: ['GET /'],
    onDecision: (e) => events.push(e),
    ...(hostMustMatchServerName === undefined ? {} : { hostMustMatchServerName }),
  });
  const handler = (_req: unknown, res: { end(body: string): void }): void => res.end('hello');
  const server = kind === 'https' ? https.createServer(TLS_OPTIONS, handler) : http2.createSecureServer({ ...TLS_OPTIONS, allowHTTP1: true }, handler);
  guard.protect(server as https.Server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await body((server.address() as AddressInfo).port, events);
  } finally {
    (server as https.Server).closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
  }
}

test('hostMustMatchServerName off (the default): a Host the certificate and hosts cover is served whatever the SNI', async () => {
  await withServer('https', undefined, async (port) => {
    const r = await tlsRequest(port, { servername: 'localhost' }, request('a.localhost'));
    assert.match(r.response, /^HTTP\/1\.1 200 OK\r\n[\s\S]*hello$/);
  });
});

test('hostMustMatchServerName: HTTP/1.1 over TLS, a Host other than the SNI is dropped with no byte; the same name (any port) is served', async () => {
  await withServer('https', true, async (port, events) => {
    const other = await tlsRequest(port, { servername: 'localhost' }, request('a.localhost'));
    assert.deepEqual([other.outcome, other.response], ['secure', '']);
    assert.equal(events.at(-1)?.reason, 'tls:host-not-server-name');
    const same = await tlsRequest(port, { servername: 'localhost' }, request(`LOCALHOST:${port}`));
    assert.match(same.response, /^HTTP\/1\.1 200 OK\r\n/);
  });
});

test('hostMustMatchServerName: HTTP/2, an :authority other than the SNI gets RST_STREAM; the same name is served', async () => {
  await withServer('http2', true, async (port, events) => {
    const session = http2.connect(`https://127.0.0.1:${port}`, { servername: 'localhost', rejectUnauthorized: false });
    session.on('error', () => {});
    const ask = (authority: string): Promise<string> =>
      new Promise((resolve) => {
        const stream = session.request({ ':path': '/', ':authority': authority });
        let data = '';
        let status = '';
        stream.on('response', (h) => (status = String(h[':status'])));
        stream.on('data', (d: Buffer) => (data += d.toString()));
        stream.on('close', () => resolve(status === '' ? `rst ${stream.rstCode}` : `${status} ${data}`));
        stream.on('error', () => {});
        stream.end();
      });
    try {
      assert.equal(await ask('a.localhost'), 'rst 1');
      assert.equal(events.at(-1)?.reason, 'tls:host-not-server-name');
      assert.equal(await ask('localhost'), '200 hello');
    } finally {
      session.close();
    }
  });
});
