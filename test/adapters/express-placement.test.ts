/**
 * Misplaced Express layers that would switch protection off quietly are warned about once, with a
 * code; routes can be read from an express.Router() so hangup is mounted first without tricks; and
 * calling the Fastify plugin like the Express factory says what to do instead.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express4 from 'express4';
import express5 from 'express5';
import { hangup, HangupConfigError } from '../../src/index.js';
import { hangupExpress, routesFrom } from '../../src/adapters/express.js';
import { hangupFastify } from '../../src/adapters/fastify.js';
import { placementProblems } from '../../src/adapters/express-placement.js';
import { rawRequest, head } from '../helpers/raw-client.js';
import { close } from '../helpers/servers.js';

const H = 'Host: localhost';

async function warningsDuring(body: () => Promise<void>): Promise<string[]> {
  const codes: string[] = [];
  const onWarning = (w: Error & { code?: string }): void => void codes.push(w.code ?? '');
  process.on('warning', onWarning);
  try {
    await body();
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  return codes.filter((c) => c.startsWith('HANGUP_') && c !== 'HANGUP_UNPROTECTED_SERVER');
}

async function started(server: Server): Promise<number> {
  if (!server.listening) await new Promise((resolve) => server.once('listening', resolve));
  return (server.address() as AddressInfo).port;
}

test('the middleware after the routes, on an unprotected server: HANGUP_MIDDLEWARE_AFTER_ROUTES, once', async () => {
  const app = express5();
  app.get('/', (_req, res) => void res.send('home'));
  app.use(hangupExpress(hangup({ hosts: ['localhost'], routes: ['GET /'] })));
  const server = app.listen(0, '127.0.0.1');
  try {
    const port = await started(server);
    const codes = await warningsDuring(async () => {
      await rawRequest(port, head('GET /.env HTTP/1.1', H));
      await rawRequest(port, head('GET /wp-login.php HTTP/1.1', H));
    });
    assert.deepEqual(codes, ['HANGUP_MIDDLEWARE_AFTER_ROUTES']);
  } finally {
    await close(server);
  }
});

test('fallback mode without h.unrouted: HANGUP_NO_UNROUTED', async () => {
  const app = express4();
  const h = hangupExpress(hangup({ hosts: ['localhost'] }));
  app.use(h);
  app.get('/', (_req, res) => void res.send('home'));
  const server = h.listen(app, 0, '127.0.0.1');
  try {
    const port = await started(server);
    const codes = await warningsDuring(async () => void (await rawRequest(port, head('GET / HTTP/1.1', H))));
    assert.deepEqual(codes, ['HANGUP_NO_UNROUTED']);
  } finally {
    await close(server);
  }
});

test('h.unrouted before the routes: HANGUP_UNROUTED_MISPLACED', async () => {
  const app = express5();
  const h = hangupExpress(hangup({ hosts: ['localhost'] }));
  app.use(h);
  app.use(h.unrouted);
  app.get('/', (_req, res) => void res.send('home'));
  const server = h.listen(app, 0, '127.0.0.1');
  try {
    const port = await started(server);
    const codes = await warningsDuring(async () => void (await rawRequest(port, head('GET / HTTP/1.1', H))));
    assert.deepEqual(codes, ['HANGUP_UNROUTED_MISPLACED']);
  } finally {
    await close(server);
  }
});

test('layers in their places: no problem found (pre-routing, fallback, protected server with the middleware last)', () => {
  for (const express of [express4, express5]) {
    const guard = hangup({ hosts: ['localhost'] });
    const h = hangupExpress(guard);
    const app = express();
    app.use(h);
    app.get('/', () => {});
    app.use(express.static('/nonexistent'));
    app.use(h.unrouted);
    app.get('/x', () => {}); // registering a route needs the router: read it after
    const routed = express();
    routed.get('/', () => {});
    routed.use(hangupExpress(hangup({ routes: ['GET /'] })));
    // express.static after h.unrouted in `app` is the one misplacement here.
    assert.deepEqual(placementProblems(app, guard, true).map(([code]) => code), ['HANGUP_UNROUTED_MISPLACED']);
    assert.deepEqual(placementProblems(routed, hangup({ routes: ['GET /'] }), true), []);
  }
});

for (const [name, express] of [['Express 4', express4], ['Express 5', express5]] as const) {
  test(`${name}: routesFrom(router) lets hangup be mounted first, with the router's routes as the allowlist`, async () => {
    const router = express.Router();
    router.get('/', (_req, res) => void res.send('home'));
    router.get('/users/:id', (req, res) => void res.send(`user ${req.params.id}`));
    const { routes, untranslated } = routesFrom(router);
    assert.deepEqual([routes, untranslated], [['GET /', 'GET /users/:id'], []]);
    const app = express();
    const h = hangupExpress(hangup({ hosts: ['localhost'], routes }));
    app.use(h);
    app.use(router);
    const server = h.listen(app, 0, '127.0.0.1');
    try {
      const port = await started(server);
      assert.match((await rawRequest(port, head('GET /users/7 HTTP/1.1', H))).text, /^HTTP\/1\.1 200 OK\r\n[^]*user 7$/);
      assert.deepEqual((await rawRequest(port, head('GET /users/7/edit HTTP/1.1', H))).text, '');
    } finally {
      await close(server);
    }
  });
}

test('hangupFastify(guard), called like the Express factory: a configuration error that says how to register it', () => {
  const call = hangupFastify as unknown as (guard: unknown) => void;
  assert.throws(() => call(hangup({})), (error: unknown) => {
    assert.ok(error instanceof HangupConfigError);
    assert.match(error.message, /register it without calling it, app\.register\(hangupFastify, \{ guard \}\)/);
    return true;
  });
});
