/** Fastify-specific behaviour of hangup/fastify, on Fastify 4 and 5, over real sockets. */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import fastify4, { type FastifyInstance } from 'fastify4';
import fastify5 from 'fastify5';
import { hangup, HangupConfigError, type HangupOptions } from '../../src/index.js';
import { hangupFastify, collectRoutes } from '../../src/adapters/fastify.js';
import { rawRequest, head } from '../helpers/raw-client.js';
import { anyKeepAlive, notFoundKeptAlive } from '../helpers/not-found.js';

// Fastify's keep-alive timeout (72 s) shows in the fixed 404 as in its other answers.
const NOT_FOUND = notFoundKeptAlive('<n>');

const H = 'Host: localhost';
const DROPPED = ['', 'fin'];
// Both versions are driven through Fastify 4's instance type (types.test.ts checks each version's own).
const versions = [
  ['Fastify 4', (opts: object) => fastify4(opts)],
  ['Fastify 5', (opts: object) => fastify5(opts) as unknown as FastifyInstance],
] as const;

for (const [label, create] of versions) {
  describe(label, () => {
    /** An app with hangup registered first, two routes (one slow) and counters of what Fastify ran. */
    async function start(options: HangupOptions, fastifyOptions: object = {}) {
      const app = create({ logger: false, ...fastifyOptions });
      const seen = { hooks: 0, handlers: 0 };
      await app.register(hangupFastify, options);
      app.addHook('onRequest', (_req, _reply, done) => {
        seen.hooks += 1;
        done();
      });
      app.get('/users/:id', async (req) => {
        seen.handlers += 1;
        return `user ${(req.params as { id: string }).id}\n`;
      });
      app.get('/slow', async () => {
        await new Promise((resolve) => setTimeout(resolve, 150));
        return 'slow\n';
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const port = (app.server.address() as AddressInfo).port;
      const stop = async (): Promise<void> => {
        app.server.closeAllConnections();
        await app.close();
      };
      return { app, port, seen, stop };
    }

    test('refused before Fastify: no hook and no handler runs, zero bytes', async () => {
      const s = await start({ hosts: ['localhost'], routes: ['GET /users/:id'] });
      try {
        const r = await rawRequest(s.port, head('GET /users/1 HTTP/1.1', 'Host: evil.example'));
        assert.deepEqual([r.text, r.ending], DROPPED);
        assert.deepEqual(s.seen, { hooks: 0, handlers: 0 });
      } finally {
        await s.stop();
      }
    });

    test("over-long parameter: Fastify's own 414 becomes the unknownRoute action", async () => {
      for (const [unknownRoute, expected] of [['drop', ''], ['notFound', NOT_FOUND]] as const) {
        const s = await start({ routes: ['GET /users/:id'], unknownRoute });
        try {
          const r = await rawRequest(s.port, head(`GET /users/${'x'.repeat(150)} HTTP/1.1`, H));
          assert.equal(anyKeepAlive(r.text), expected, unknownRoute);
          assert.equal(s.seen.handlers, 0);
        } finally {
          await s.stop();
        }
      }
    });

    test("a short URL over a lowered maxParamLength: Fastify's own 414 becomes the unknownRoute action", async () => {
      // Fastify 5 also reads it from routerOptions; Fastify 4 only at the top level.
      const lowered = label === 'Fastify 5' ? [{ maxParamLength: 10 }, { routerOptions: { maxParamLength: 10 } }] : [{ maxParamLength: 10 }];
      for (const fastifyOptions of lowered) {
        const s = await start({ routes: ['GET /users/:id'], unknownRoute: 'notFound' }, fastifyOptions);
        try {
          const r = await rawRequest(s.port, head(`GET /users/${'x'.repeat(20)} HTTP/1.1`, H));
          assert.equal(anyKeepAlive(r.text), NOT_FOUND, JSON.stringify(fastifyOptions));
          assert.equal(s.seen.handlers, 0);
          // Within the limit, the route answers.
          assert.match((await rawRequest(s.port, head('GET /users/xyz HTTP/1.1', H))).text, /^HTTP\/1\.1 200 /);
        } finally {
          await s.stop();
        }
      }
    });

    test('bad URL with the encoding detector off: FST_ERR_BAD_URL never reaches the client', async () => {
      const s = await start({ detectors: { encoding: false } });
      try {
        const r = await rawRequest(s.port, head('GET /users/%E0%A4%A HTTP/1.1', H));
        assert.deepEqual([r.text, r.ending], DROPPED);
      } finally {
        await s.stop();
      }
    });

    test("trailing slash on default Fastify: allowed by hangup, unrouted by Fastify, so the unknownRoute action", async () => {
      const s = await start({ routes: ['GET /users/:id'], unknownRoute: 'notFound' });
      try {
        assert.equal(anyKeepAlive((await rawRequest(s.port, head('GET /users/1/ HTTP/1.1', H))).text), NOT_FOUND);
        assert.equal(anyKeepAlive((await rawRequest(s.port, head('GET /<script> HTTP/1.1', H))).text), NOT_FOUND);
      } finally {
        await s.stop();
      }
    });

    test("unknownRoute 'allow': Fastify's own 404 answers, as without hangup", async () => {
      const s = await start({ unknownRoute: 'allow' });
      try {
        const r = await rawRequest(s.port, head('GET /nope HTTP/1.1', H));
        assert.match(r.text, /^HTTP\/1\.1 404 Not Found\r\n[\s\S]*Route GET:\/nope not found/);
      } finally {
        await s.stop();
      }
    });

    test("garbage pipelined behind a slow allowed request: the answer, then FIN, no Fastify JSON 400", async () => {
      const s = await start({ routes: ['GET /slow'] });
      try {
        const r = await rawRequest(s.port, head('GET /slow HTTP/1.1', H) + 'GARBAGE\r\n\r\n', { waitMs: 1000 });
        assert.match(r.text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nslow\n$/);
        assert.equal(r.ending, 'fin');
      } finally {
        await s.stop();
      }
    });

    test('routes in an encapsulated child plugin are guarded too', async () => {
      const app = create({ logger: false });
      await app.register(hangupFastify, { guard: hangup({ hosts: ['localhost'] }) });
      await app.register(async (child) => {
        child.get('/child', async () => 'child\n');
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const port = (app.server.address() as AddressInfo).port;
      try {
        assert.match((await rawRequest(port, head('GET /child HTTP/1.1', H))).text, /\r\n\r\nchild\n$/);
        assert.equal((await rawRequest(port, head('GET /child HTTP/1.1', 'Host: x'))).text, '');
        assert.equal((await rawRequest(port, head('GET /nope HTTP/1.1', H))).text, '');
      } finally {
        app.server.closeAllConnections();
        await app.close();
      }
    });

    test('Fastify checks the plugin-meta version range: a mismatch is rejected', async () => {
      const app = create({ logger: false });
      const tooOld = Object.assign((_i: object, _o: object, done: () => void) => done(), {
        [Symbol.for('skip-override')]: true,
        [Symbol.for('plugin-meta')]: { name: 'hangup-meta-probe', fastify: '3.x' },
      });
      await assert.rejects(async () => {
        await app.register(tooOld);
      }, (e: { code?: string }) => e.code === 'FST_ERR_PLUGIN_VERSION_MISMATCH');
      const ok = create({ logger: false });
      await ok.register(hangupFastify, {});
      assert.match(ok.printPlugins(), /hangup/);
      await ok.close();
    });

    test('bad options reject registration with HangupConfigError', async () => {
      const cases: object[] = [{ route: ['GET /'] }, { guard: 'not a guard' }, { guard: hangup(), routes: ['GET /'] }];
      for (const options of cases) {
        const app = create({ logger: false });
        await assert.rejects(async () => {
          await app.register(hangupFastify, options as HangupOptions);
        }, HangupConfigError);
        await app.close().catch(() => undefined);
      }
      // Fastify({ http2: true }) is supported (test/http2/fastify.test.ts): registering works.
      const http2 = create({ logger: false, http2: true });
      await http2.register(hangupFastify, {});
      await http2.close();
    });

    test('collectRoutes(app): routes registered after it, regular-expression parameters reported', async () => {
      const app = create({ logger: false });
      const found = collectRoutes(app);
      await app.register(hangupFastify, {});
      app.get('/', async () => '');
      app.route({ method: ['GET', 'POST'], url: '/orders', handler: async () => '' });
      app.get('/files/*', async () => '');
      app.get('/n/:id(^\\d+$)', async () => '');
      await app.register(async (child) => child.get('/users/:id', async () => ''), { prefix: '/api' });
      await app.ready();
      assert.deepEqual(found.routes, ['GET /', 'GET|POST /orders', 'GET /files/{*splat}', 'GET /api/users/:id']);
      assert.deepEqual(found.untranslated.map((u) => [u.path, u.methods.join('|')]), [['/n/:id(^\\d+$)', 'GET|HEAD']]);
      await app.close();
    });
  });
}
