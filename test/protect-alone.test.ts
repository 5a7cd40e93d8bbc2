/**
 * `guard.protect(server)` on its own: what a Koa or Hono user writes after `listen()`/`serve()`.
 * The policy runs before every 'request' listener of the app, whenever it was added, so a refused
 * request never reaches the app, and a protected server is never laxer than Node without hangup.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import express5 from 'express5';
import { hangup, type DecisionEvent, type HangupOptions } from '../src/index.js';
import { hangupExpress } from '../src/adapters/express.js';
import { rawRequest, head } from './helpers/raw-client.js';
import { listen, close } from './helpers/servers.js';

const H = 'Host: localhost';
const policy: HangupOptions = { hosts: ['localhost'], routes: ['GET /', 'GET /users/:id'] };
const OK = 'HTTP/1.1 200 OK\r\n';

describe('protect(server) alone, on a server whose listener knows nothing of hangup', () => {
  let server: Server;
  let port: number;
  const seen: string[] = [];
  const events: DecisionEvent[] = [];
  before(async () => {
    const guard = hangup({ ...policy, onDecision: (e) => events.push(e) });
    // One listener added before protect(), one after: neither may see a refused request.
    server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
      seen.push(`first ${req.url}`);
      res.end(`app ${req.url}\n`);
    });
    guard.protect(server);
    server.on('request', (req: IncomingMessage) => seen.push(`second ${req.url}`));
    port = await listen(server);
  });
  after(() => close(server));

  test('an allowed request reaches every listener, once, and is reported once', async () => {
    seen.length = 0;
    events.length = 0;
    const r = await rawRequest(port, head('GET /users/7 HTTP/1.1', H));
    assert.ok(r.text.startsWith(OK));
    assert.ok(r.text.endsWith('app /users/7\n'));
    assert.deepEqual(seen, ['first /users/7', 'second /users/7']);
    assert.deepEqual(events.map((e) => [e.action, e.reason, e.adapter]), [['allow', 'route:matched', 'server']]);
  });

  const refused: [string, string][] = [
    ['an unknown path', head('GET /.env HTTP/1.1', H)],
    ['a wrong Host', head('GET / HTTP/1.1', 'Host: evil.example')],
    ['encoded dot segments', head('GET /users/%2e%2e/%2e%2e/etc/passwd HTTP/1.1', H)],
    ['an encoded NUL on a routed path', head('GET /users/a%00b HTTP/1.1', H)],
    ['no Host on HTTP/1.1 (plain Node answers 400)', head('GET / HTTP/1.1')],
    ['a method no route allows', head('DELETE / HTTP/1.1', H)],
  ];
  for (const [name, bytes] of refused) {
    test(`${name}: zero bytes, and no listener of the app runs`, async () => {
      seen.length = 0;
      const r = await rawRequest(port, bytes);
      assert.deepEqual([r.text, r.ending], ['', 'fin']);
      assert.deepEqual(seen, []);
    });
  }
});

test('never laxer than Node: a policy that would let a Host-less request through keeps Node\'s own 400', async () => {
  const guard = hangup({ routes: ['GET /'], detectors: { hostHeader: false } });
  const server = guard.protect(http.createServer((_req, res) => res.end('app\n')));
  const port = await listen(server);
  try {
    const r = await rawRequest(port, head('GET / HTTP/1.1'));
    assert.match(r.text, /^HTTP\/1\.1 400 Bad Request\r\n/);
  } finally {
    await close(server);
  }
});

test('wrap() behind protect(): one decision and one event per request', async () => {
  const events: DecisionEvent[] = [];
  const guard = hangup({ ...policy, onDecision: (e) => events.push(e) });
  const server = guard.createServer((_req, res) => res.end('app\n'));
  const port = await listen(server);
  try {
    await rawRequest(port, head('GET / HTTP/1.1', H) + head('GET /users/1 HTTP/1.1', H) + head('GET /nope HTTP/1.1', H));
    assert.deepEqual(
      events.map((e) => [e.action, e.reason, e.adapter]),
      [['allow', 'route:matched', 'http'], ['allow', 'route:matched', 'http'], ['drop', 'route:unknown', 'http']],
    );
    assert.equal(guard.stats().total, 3);
  } finally {
    await close(server);
  }
});

describe('Express: the middleware mounted after the routes no longer turns hangup off for routed paths', () => {
  let server: Server;
  let port: number;
  before(async () => {
    const guard = hangup(policy);
    const app = express5();
    app.disable('x-powered-by');
    app.get('/', (_req, res) => void res.send('home'));
    app.get('/users/:id', (req, res) => void res.send(`user ${req.params.id}`));
    app.use(hangupExpress(guard)); // too late for the routes above
    server = guard.protect(http.createServer(app));
    port = await listen(server);
  });
  after(() => close(server));

  test('a routed path with an encoded NUL or bad encoding is dropped before Express', async () => {
    for (const target of ['/users/a%00b', '/users/%zz']) {
      const r = await rawRequest(port, head(`GET ${target} HTTP/1.1`, H));
      assert.deepEqual([r.text, r.ending], ['', 'fin'], target);
    }
  });

  test('a routed path with a wrong Host is dropped; the right one is served', async () => {
    assert.deepEqual((await rawRequest(port, head('GET /users/1 HTTP/1.1', 'Host: evil.example'))).text, '');
    const r = await rawRequest(port, head('GET /users/1 HTTP/1.1', H));
    assert.ok(r.text.startsWith(OK) && r.text.endsWith('user 1'));
  });
});
