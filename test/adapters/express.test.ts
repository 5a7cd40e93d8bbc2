/** Express-specific behaviour of hangup/express, on Express 4 and 5, over real sockets. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express4 from 'express4';
import express5 from 'express5';
import { hangup, notFound, HangupConfigError, type HangupOptions } from '../../src/index.js';
import { hangupExpress, routesFrom } from '../../src/adapters/express.js';
import { rawRequest, head } from '../helpers/raw-client.js';
import { close } from '../helpers/servers.js';
import { NOT_FOUND, dated } from '../helpers/not-found.js';

const H = 'Host: localhost';
/** A request head for decide(): GET `url` with a Host header. */
const get = (url: string) => ({ method: 'GET', url, httpVersion: '1.1', headers: { host: 'localhost' }, rawHeaders: ['Host', 'localhost'] });
const versions = [
  ['Express 4', express4],
  ['Express 5', express5],
] as const;

async function started(server: Server): Promise<number> {
  if (!server.listening) await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return (server.address() as AddressInfo).port;
}

for (const [label, express] of versions) {
  describe(label, () => {
    /** An app with Express's defaults (X-Powered-By on), one route, and a counter of handler runs. */
    function appWith(options: HangupOptions, fallback: boolean) {
      const app = express();
      const h = hangupExpress(options);
      const runs = { count: 0 };
      app.use(h);
      app.get('/', (_req, res) => {
        runs.count += 1;
        res.send('home');
      });
      if (fallback) app.use(h.unrouted);
      return { app, h, runs };
    }

    test('notFound clears the headers Express already set (X-Powered-By)', async () => {
      const { app, h } = appWith({ routes: ['GET /'], rules: [notFound('/favicon.ico')] }, false);
      const server = h.listen(app, 0, '127.0.0.1');
      try {
        const r = await rawRequest(await started(server), head('GET /favicon.ico HTTP/1.1', H));
        assert.equal(dated(r.text), NOT_FOUND);
      } finally {
        await close(server);
      }
    });

    test('drop never calls next(): the route handler does not run', async () => {
      const { app, h, runs } = appWith({ routes: ['GET /'], hosts: ['localhost'] }, false);
      const server = h.listen(app, 0, '127.0.0.1');
      try {
        const port = await started(server);
        const r = await rawRequest(port, head('GET / HTTP/1.1', 'Host: evil.example'));
        assert.deepEqual([r.text, r.ending], ['', 'fin']);
        assert.equal(runs.count, 0);
        await rawRequest(port, head('GET / HTTP/1.1', H), { waitMs: 200 });
        assert.equal(runs.count, 1);
      } finally {
        await close(server);
      }
    });

    test('fallback with unknownRoute notFound: the fixed 404 instead of "Cannot GET"', async () => {
      const { app, h } = appWith({ unknownRoute: 'notFound' }, true);
      const server = h.listen(app, 0, '127.0.0.1');
      try {
        const port = await started(server);
        assert.equal(dated((await rawRequest(port, head('GET /nope HTTP/1.1', H))).text), NOT_FOUND);
        assert.equal(dated((await rawRequest(port, head('POST / HTTP/1.1', H, 'Content-Length: 0'))).text), NOT_FOUND);
      } finally {
        await close(server);
      }
    });

    test('fallback with unknownRoute allow: Express answers as it would without hangup', async () => {
      const { app, h } = appWith({ unknownRoute: 'allow' }, true);
      const server = h.listen(app, 0, '127.0.0.1');
      try {
        const r = await rawRequest(await started(server), head('GET /nope HTTP/1.1', H));
        assert.match(r.text, /^HTTP\/1\.1 404 Not Found\r\n[\s\S]*Cannot GET \/nope/);
      } finally {
        await close(server);
      }
    });

    test('app.listen() without protection: one HANGUP_UNPROTECTED_SERVER warning', async () => {
      const { app } = appWith({ routes: ['GET /'] }, false);
      const warnings: string[] = [];
      const onWarning = (w: Error & { code?: string }): void => void warnings.push(w.code ?? '');
      process.on('warning', onWarning);
      const server = app.listen(0, '127.0.0.1');
      try {
        const port = await started(server);
        await rawRequest(port, head('GET / HTTP/1.1', H), { waitMs: 200 });
        await rawRequest(port, head('GET / HTTP/1.1', H), { waitMs: 200 });
        await new Promise((resolve) => setImmediate(resolve));
        assert.deepEqual(warnings.filter((c) => c === 'HANGUP_UNPROTECTED_SERVER'), ['HANGUP_UNPROTECTED_SERVER']);
      } finally {
        process.off('warning', onWarning);
        await close(server);
      }
    });

    test('listen() protects before the first connection: missing Host and garbage get zero bytes', async () => {
      const { app, h } = appWith({ routes: ['GET /'] }, true);
      const server = h.listen(app, 0, '127.0.0.1');
      try {
        const port = await started(server);
        for (const bytes of [head('GET / HTTP/1.1'), 'GARBAGE\r\n\r\n', head('GET / HTTP/1.1', H, 'Expect: teapot')]) {
          const r = await rawRequest(port, bytes);
          assert.deepEqual([r.text, r.ending], ['', 'fin'], bytes);
        }
      } finally {
        await close(server);
      }
    });

    test('app.listen() + protect: one state listener per server however many requests, every decision counted once', async () => {
      const guard = hangup({ routes: ['GET /'] });
      const app = express();
      app.use(hangupExpress(guard));
      app.get('/', (_req, res) => res.send('home'));
      const server = guard.protect(app.listen(0, '127.0.0.1'));
      try {
        const port = await started(server);
        const before = server.listenerCount('request');
        // Twenty pipelined requests on one connection, then ten more on another, the last one refused.
        const twenty = Array.from({ length: 20 }, () => head('GET / HTTP/1.1', H)).join('');
        const first = await rawRequest(port, twenty, { waitMs: 300 });
        assert.equal(first.text.split('HTTP/1.1 200 OK').length - 1, 20);
        const ten = [...Array.from({ length: 9 }, () => head('GET / HTTP/1.1', H)), head('GET /nope HTTP/1.1', H)].join('');
        const second = await rawRequest(port, ten, { waitMs: 300 });
        assert.equal(second.text.split('HTTP/1.1 200 OK').length - 1, 9);
        assert.equal(second.ending, 'fin');
        // protect() decides (and gives each request its state) before Express: the adapter adds no listener.
        assert.equal(server.listenerCount('request'), before);
        const stats = guard.stats();
        assert.deepEqual([stats.actions.allow, stats.actions.drop, stats.total], [29, 1, 30]);
      } finally {
        await close(server);
      }
    });

    test('hangupExpress(guard) and hangupExpress(options) apply the same guard semantics', () => {
      const guard = hangup({ routes: ['GET /'] });
      assert.equal(hangupExpress(guard).guard, guard);
      const fromOptions = hangupExpress({ routes: ['GET /'] }).guard;
      assert.deepEqual([fromOptions.decide(get('/')).action, fromOptions.decide(get('/x')).action], ['allow', 'drop']);
    });

    test('routesFrom(app): routes, mounted routers, untranslatable patterns and middleware', () => {
      const app = express();
      app.use(hangupExpress({}));
      app.use(express.json());
      app.get('/', (_req, res) => res.end());
      app.route('/orders').get((_req, res) => res.end()).post((_req, res) => res.end());
      app.all('/health', (_req, res) => res.end());
      app.get(/^\/legacy-(\d+)$/, (_req, res) => res.end());
      const api = express.Router();
      api.get('/users/:id', (_req, res) => res.end());
      app.use('/api', api);
      const found = routesFrom(app);
      assert.deepEqual(found.routes, ['GET /', 'GET|POST /orders', '/health', 'GET /api/users/:id']);
      assert.equal(found.untranslated.length, 1);
      assert.equal(found.untranslated[0]?.methods[0], 'GET');
      assert.match(found.untranslated[0]?.reason ?? '', /regular expression/);
      assert.deepEqual(found.middleware.map((m) => m.name), ['jsonParser']);
      // The result is a valid allowlist.
      const guard = hangup({ routes: found.routes });
      assert.equal(guard.decide(get('/api/users/7')).action, 'allow');
    });

    test('bad input throws HangupConfigError naming the call', () => {
      assert.throws(() => hangupExpress(42 as never), (e: unknown) => e instanceof HangupConfigError && /hangupExpress/.test(e.message));
      assert.throws(() => hangupExpress({ route: ['GET /'] } as never), (e: unknown) => e instanceof HangupConfigError && e.code === 'HANGUP_UNKNOWN_OPTION');
      assert.throws(() => routesFrom({}), (e: unknown) => e instanceof HangupConfigError && /routesFrom/.test(e.message));
    });
  });
}

test('Express 4 patterns: optional parameter and wildcard are translated, custom patterns reported', () => {
  const app = express4();
  app.get('/posts/:slug?', (_req, res) => res.end());
  app.get('/files/*', (_req, res) => res.end());
  app.get('/n/:id(\\d+)', (_req, res) => res.end());
  const found = routesFrom(app);
  assert.deepEqual(found.routes, ['GET /posts{/:slug}', 'GET /files/{*splat}']);
  assert.deepEqual(found.untranslated.map((u) => u.path), ['/n/:id(\\d+)']);
  const guard = hangup({ routes: found.routes });
  for (const url of ['/posts', '/posts/hello', '/files/a/b.txt']) {
    assert.equal(guard.decide(get(url)).action, 'allow', url);
  }
});

test('Express 5 patterns are passed on as written (same path-to-regexp 8 syntax)', () => {
  const app = express5();
  app.get('/files/*path', (_req, res) => res.end());
  app.get('/posts{/:slug}', (_req, res) => res.end());
  assert.deepEqual(routesFrom(app).routes, ['GET /files/*path', 'GET /posts{/:slug}']);
});

