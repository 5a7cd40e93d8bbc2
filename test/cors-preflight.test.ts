/**
 * CORS preflights (`preflight` option), over real sockets: a browser front end on another origin
 * sends `OPTIONS` with `Origin` and `Access-Control-Request-Method` before a cross-origin POST or
 * DELETE. Without the option the policy drops it (no route lists OPTIONS); with it, a preflight
 * for a method a route allows on that path reaches the app, whose CORS middleware (the `cors`
 * package on Express 5, @fastify/cors on Fastify 5) answers it. Everything else with OPTIONS is still dropped.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express5 from 'express5';
import cors from 'cors';
import Fastify from 'fastify';
import fastifyCors from '@fastify/cors';
import { hangup, HangupConfigError, type HangupOptions } from '../src/index.js';
import { hangupExpress } from '../src/adapters/express.js';
import { hangupFastify } from '../src/adapters/fastify.js';
import { rawRequest, head } from './helpers/raw-client.js';
import { close, listen } from './helpers/servers.js';
import { dated } from './helpers/not-found.js';

const H = 'Host: api.example.com';
const FRONT = 'https://app.example.com';
const routes = ['GET /api/items', 'POST /api/items', 'DELETE /api/items/:id'];

/** A preflight as Chromium sends it for `fetch(url, { method, headers: { 'Content-Type': 'application/json' } })`. */
function preflight(path: string, method: string, origin = FRONT, host = H): string {
  return head(
    `OPTIONS ${path} HTTP/1.1`,
    host,
    'Accept: */*',
    `Access-Control-Request-Method: ${method}`,
    'Access-Control-Request-Headers: content-type',
    `Origin: ${origin}`,
    'Sec-Fetch-Mode: cors',
    'Connection: close',
  );
}

/** What the `cors` package answers to an accepted preflight (Express 5, X-Powered-By off). */
const CORS_PREFLIGHT_ANSWER =
  'HTTP/1.1 204 No Content\r\n' +
  `Access-Control-Allow-Origin: ${FRONT}\r\n` +
  'Vary: Origin, Access-Control-Request-Headers\r\n' +
  'Access-Control-Allow-Methods: GET,POST,DELETE\r\n' +
  'Access-Control-Allow-Headers: content-type\r\n' +
  'Content-Length: 0\r\n' +
  'Date: <date>\r\n' +
  'Connection: close\r\n\r\n';

async function corsApp(options: HangupOptions): Promise<{ server: Server; port: number; seen: string[] }> {
  const seen: string[] = [];
  const app = express5();
  app.disable('x-powered-by');
  const h = hangupExpress(hangup({ hosts: ['api.example.com'], routes, ...options }));
  app.use(h);
  app.use((req, _res, next) => {
    seen.push(`${req.method} ${req.url}`);
    next();
  });
  app.use(cors({ origin: [FRONT], methods: ['GET', 'POST', 'DELETE'] }));
  app.get('/api/items', (_req, res) => void res.send('items'));
  app.post('/api/items', (_req, res) => void res.send('created'));
  app.delete('/api/items/:id', (req, res) => void res.send(`deleted ${req.params.id}`));
  const server = h.listen(app, 0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return { server, port: (server.address() as AddressInfo).port, seen };
}

describe('preflight: { origins } on Express 5 with the cors package', () => {
  let server: Server;
  let port = 0;
  let seen: string[] = [];
  before(async () => ({ server, port, seen } = await corsApp({ preflight: { origins: [FRONT] } })));
  after(() => close(server));

  test('a preflight for a routed method reaches the app; its CORS middleware answers', async () => {
    for (const [path, method] of [['/api/items', 'POST'], ['/api/items/7', 'DELETE'], ['/api/items', 'GET']] as const) {
      seen.length = 0;
      const r = await rawRequest(port, preflight(path, method));
      assert.equal(dated(r.text), CORS_PREFLIGHT_ANSWER, `${method} ${path}`);
      assert.deepEqual(seen, [`OPTIONS ${path}`]);
    }
  });

  test('then the request itself is allowed, with the CORS headers', async () => {
    const r = await rawRequest(port, head('POST /api/items HTTP/1.1', H, `Origin: ${FRONT}`, 'Content-Length: 0', 'Connection: close'));
    assert.match(r.text, /^HTTP\/1\.1 200 OK\r\nAccess-Control-Allow-Origin: https:\/\/app\.example\.com\r\n/);
    assert.ok(r.text.endsWith('created'));
  });

  const dropped: [string, string][] = [
    ['a method no route allows on that path', preflight('/api/items', 'PUT')],
    ['a method the path does not have (DELETE on the collection)', preflight('/api/items', 'DELETE')],
    ['an unknown path', preflight('/.env', 'GET')],
    ['another origin', preflight('/api/items', 'POST', 'https://evil.example')],
    ['a Host the policy does not serve', preflight('/api/items', 'POST', FRONT, 'Host: evil.example')],
    ['OPTIONS without Access-Control-Request-Method', head('OPTIONS /api/items HTTP/1.1', H, `Origin: ${FRONT}`)],
    ['OPTIONS without Origin', head('OPTIONS /api/items HTTP/1.1', H, 'Access-Control-Request-Method: POST')],
    ['a preflight asking for OPTIONS itself', preflight('/api/items', 'OPTIONS')],
    ['a lower-case requested method', preflight('/api/items', 'post')],
  ];
  for (const [name, bytes] of dropped) {
    test(`dropped with zero bytes: ${name}`, async () => {
      seen.length = 0;
      const r = await rawRequest(port, bytes);
      assert.deepEqual([r.text, r.ending], ['', 'fin']);
      assert.deepEqual(seen, []);
    });
  }
});

test('preflight: true accepts any origin, still only for routed methods', async () => {
  const { server, port } = await corsApp({ preflight: true });
  try {
    // The cors middleware refuses the origin itself (no Access-Control-Allow-Origin): the app decides.
    const r = await rawRequest(port, preflight('/api/items', 'POST', 'https://other.example'));
    assert.match(r.text, /^HTTP\/1\.1 204 No Content\r\n/);
    assert.doesNotMatch(r.text, /Access-Control-Allow-Origin/);
    assert.deepEqual((await rawRequest(port, preflight('/api/items', 'PUT', 'https://other.example'))).text, '');
  } finally {
    await close(server);
  }
});

test('without the option (the default), a preflight is dropped like any OPTIONS request', async () => {
  const { server, port, seen } = await corsApp({});
  try {
    const r = await rawRequest(port, preflight('/api/items', 'POST'));
    assert.deepEqual([r.text, r.ending], ['', 'fin']);
    assert.deepEqual(seen, []);
  } finally {
    await close(server);
  }
});

test('decide() and explain(): reason route:preflight, rule the route that allows the requested method', () => {
  const guard = hangup({ routes, preflight: true });
  const headers = { origin: FRONT, 'access-control-request-method': 'DELETE' };
  const d = guard.decide({ method: 'OPTIONS', url: '/api/items/3?x=1', httpVersion: '1.1', headers: { host: 'a', ...headers }, rawHeaders: ['Host', 'a'] });
  assert.deepEqual(d, { action: 'allow', reason: 'route:preflight', rule: 'DELETE /api/items/:id' });
  const text = guard.explain('OPTIONS /api/items/3', { host: 'a', headers }).text;
  assert.match(text, /CORS preflight .* the route "DELETE \/api\/items\/:id" allows, and preflight is on/);
});

test('a route that lists OPTIONS or any method keeps deciding as before', () => {
  const guard = hangup({ routes: ['/health', 'OPTIONS|POST /upload'], preflight: true });
  const req = (url: string, method?: string) => ({
    method: 'OPTIONS',
    url,
    httpVersion: '1.1',
    headers: { host: 'a', ...(method === undefined ? {} : { origin: FRONT, 'access-control-request-method': method }) },
    rawHeaders: ['Host', 'a'],
  });
  assert.equal(guard.decide(req('/health')).reason, 'route:matched');
  assert.equal(guard.decide(req('/upload')).reason, 'route:matched');
  assert.equal(guard.decide(req('/upload', 'POST')).reason, 'route:preflight');
});

test('configuration mistakes throw with the option named', () => {
  const cases: [unknown, string, RegExp][] = [
    ['yes', 'preflight', /expected true, false or \{ origins/],
    [{ origin: [FRONT] }, 'preflight', /expected true, false or \{ origins/],
    [{ origins: ['https://app.example.com/'] }, 'preflight.origins[0]', /scheme:\/\/host\[:port\] without a path/],
    [{ origins: ['app.example.com'] }, 'preflight.origins[0]', /scheme:\/\/host/],
    [{ origins: [] }, 'preflight.origins', /empty list/],
  ];
  for (const [value, option, message] of cases) {
    assert.throws(
      () => hangup({ routes, preflight: value as never }),
      (e: unknown) => e instanceof HangupConfigError && e.code === 'HANGUP_INVALID_OPTIONS' && e.option === option && message.test(e.message),
      JSON.stringify(value),
    );
  }
  assert.throws(() => hangup({ preflgiht: true } as never), /did you mean 'preflight'\?/);
});

test('the first dropped OPTIONS request names the preflight option (hints)', async () => {
  const guard = hangup({ hosts: ['api.example.com'], routes, hints: true });
  const server = guard.createServer((_req, res) => res.end('ok'));
  const port = await listen(server);
  const lines: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => lines.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    assert.equal((await rawRequest(port, preflight('/api/items', 'POST'))).text, '');
  } finally {
    process.stderr.write = write;
    await close(server);
  }
  const hint = lines.filter((line) => line.startsWith('hangup: '));
  assert.equal(hint.length, 1, lines.join(''));
  assert.match(hint[0] ?? '', /^hangup: dropped OPTIONS \/api\/items \(Host: api\.example\.com\): .*\(method:not-allowed\)\. A browser's CORS preflight\? Set preflight: true \(or \{ origins: \[\.\.\.\] \}\)/);
});

test('Fastify 5 with @fastify/cors: a preflight for a routed method is answered by the plugin, others dropped', async () => {
  const app = Fastify();
  await app.register(hangupFastify, { hosts: ['api.example.com'], routes, preflight: { origins: [FRONT] } });
  await app.register(fastifyCors, { origin: [FRONT], methods: ['GET', 'POST', 'DELETE'] });
  app.get('/api/items', async () => 'items');
  app.post('/api/items', async () => 'created');
  app.delete('/api/items/:id', async () => 'deleted');
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    const port = (app.server.address() as AddressInfo).port;
    const r = await rawRequest(port, preflight('/api/items/7', 'DELETE'));
    assert.equal(
      dated(r.text),
      'HTTP/1.1 204 No Content\r\n' +
        'vary: Origin, Access-Control-Request-Headers\r\n' +
        `access-control-allow-origin: ${FRONT}\r\n` +
        'access-control-allow-methods: GET, POST, DELETE\r\n' +
        'access-control-allow-headers: content-type\r\n' +
        'content-length: 0\r\n' +
        'Date: <date>\r\n' +
        'Connection: close\r\n\r\n',
    );
    for (const bytes of [preflight('/api/items', 'PUT'), preflight('/.env', 'GET'), preflight('/api/items', 'POST', 'https://evil.example')]) {
      const dropped = await rawRequest(port, bytes);
      assert.deepEqual([dropped.text, dropped.ending], ['', 'fin'], bytes);
    }
  } finally {
    await app.close();
  }
});
