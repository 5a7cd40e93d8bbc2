/**
 * Framework error answers on allowed routes (issue 17, section 2): what Express's finalhandler and
 * Fastify's default error handler write by themselves for a body they refuse becomes the policy's
 * refusal, on Express 4 and 5 and Fastify 4 and 5, over real sockets. The app's own error handling
 * keeps answering its own errors.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express4 from 'express4';
import express5 from 'express5';
import fastify4, { type FastifyInstance } from 'fastify4';
import fastify5 from 'fastify5';
import { hangup, HangupConfigError, type DecisionEvent, type HangupOptions } from '../../src/index.js';
import { hangupExpress, type HangupExpressOptions } from '../../src/adapters/express.js';
import { hangupFastify, type HangupFastifyAdapterOptions } from '../../src/adapters/fastify.js';
import { rawRequest, type RawResult } from '../helpers/raw-client.js';
import { close } from '../helpers/servers.js';
import { NOT_FOUND, anyKeepAlive, dated, notFoundKeptAlive } from '../helpers/not-found.js';

const POLICY = { hosts: ['localhost'], routes: ['POST /orders', 'POST /fail'] } satisfies HangupOptions;

/** A POST with these header lines and body; Content-Length is added. */
function post(path: string, headers: readonly string[], body: string | Buffer = ''): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  const head = [`POST ${path} HTTP/1.1`, 'Host: localhost', ...headers, `Content-Length: ${bytes.length}`].join('\r\n');
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`), bytes]);
}

const LIMIT = 1024;
const cases = {
  charset: post('/orders', ['Content-Type: text/plain; charset=bogus'], 'tea'),
  encoding: post('/orders', ['Content-Type: text/plain', 'Content-Encoding: bogus'], 'tea'),
  gzipGarbage: post('/orders', ['Content-Type: text/plain', 'Content-Encoding: gzip'], 'not gzip at all'),
  tooLarge: post('/orders', ['Content-Type: text/plain'], 'x'.repeat(LIMIT + 1)),
  invalidJson: post('/orders', ['Content-Type: application/json'], '{bad'),
  emptyJson: post('/orders', ['Content-Type: application/json'], ''),
  mediaType: post('/orders', ['Content-Type: application/xml'], '<order/>'),
  json: post('/orders', ['Content-Type: application/json'], '{"item":"tea"}'),
  form: post('/orders', ['Content-Type: application/x-www-form-urlencoded'], 'item=tea&qty=2'),
  text: post('/orders', ['Content-Type: text/plain'], 'tea'),
  gzip: post('/orders', ['Content-Type: text/plain', 'Content-Encoding: gzip'], zlib.gzipSync('tea')),
};

/** Zero bytes, and the connection closed (FIN, or RST when the unread body was still queued). */
function assertDropped(r: RawResult, label: string): void {
  assert.equal(r.text, '', `${label}: expected zero bytes, got ${JSON.stringify(r.text.slice(0, 200))}`);
  assert.notEqual(r.ending, 'open', `${label}: the connection stayed open`);
}

function assertOrderCreated(r: RawResult, label: string): void {
  assert.match(r.text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\norder created\n$/, label);
}

async function portOf(server: Server): Promise<number> {
  if (!server.listening) await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return (server.address() as AddressInfo).port;
}

const expressVersions = [
  ['Express 4', express4],
  ['Express 5', express5],
] as const;

for (const [label, express] of expressVersions) {
  describe(`${label}: h.errors`, () => {
    /**
     * POST /orders reads JSON, form and text bodies (limit 1 KiB); POST /fail throws an error of
     * the app. `mountErrors` false is the app without h.errors, as before it existed.
     */
    async function start(opts: { adapter?: HangupExpressOptions; policy?: HangupOptions; appHandler?: boolean; mountErrors?: boolean; fail?: object } = {}) {
      const events: DecisionEvent[] = [];
      const guard = hangup({ ...POLICY, ...opts.policy, onDecision: (event) => void events.push(event) });
      const app = express();
      app.disable('x-powered-by');
      const h = hangupExpress(guard, opts.adapter);
      app.use(h);
      const limit = LIMIT;
      app.post('/orders', express.json({ limit }), express.urlencoded({ extended: false, limit }), express.text({ limit }), (_req, res) => {
        res.type('text/plain').send('order created\n');
      });
      app.post('/fail', () => {
        throw Object.assign(new Error('order refused by the app'), opts.fail ?? { status: 409, expose: true });
      });
      app.use(h.unrouted);
      if (opts.appHandler === true) {
        // The app's own error middleware, mounted before h.errors: it answers the errors it knows.
        app.use((error: { status?: number; type?: string }, _req: unknown, res: { status(n: number): { type(t: string): { send(b: string): void } } }, next: (e: unknown) => void) => {
          if (error.status === 409) res.status(409).type('text/plain').send('app: conflict\n');
          else if (error.type === 'entity.parse.failed') res.status(400).type('text/plain').send('app: bad json\n');
          else next(error);
        });
      }
      if (opts.mountErrors !== false) app.use(h.errors);
      const server = h.listen(app, 0, '127.0.0.1');
      return { port: await portOf(server), events, stop: () => close(server) };
    }

    test('body-parser failures get zero bytes instead of finalhandler: charset, Content-Encoding, gzip garbage, limit, invalid JSON', async () => {
      const s = await start();
      try {
        for (const name of ['charset', 'encoding', 'gzipGarbage', 'tooLarge', 'invalidJson'] as const) {
          assertDropped(await rawRequest(s.port, cases[name], { waitMs: 400 }), name);
        }
        const refusals = s.events.filter((e) => e.action !== 'allow').map((e) => [e.reason, e.enforced, e.wire, e.adapter]);
        assert.deepEqual(refusals, [
          ['framework:charset.unsupported', true, 'fin', 'express'],
          ['framework:encoding.unsupported', true, 'fin', 'express'],
          ['framework:Z_DATA_ERROR', true, 'fin', 'express'],
          ['framework:entity.too.large', true, 'fin', 'express'],
          ['framework:entity.parse.failed', true, 'fin', 'express'],
        ]);
      } finally {
        await s.stop();
      }
    });

    test('what the parsers accept is answered as usual: JSON, form, text, gzip', async () => {
      const s = await start();
      try {
        for (const name of ['json', 'form', 'text', 'gzip'] as const) {
          assertOrderCreated(await rawRequest(s.port, cases[name], { waitMs: 400 }), name);
        }
      } finally {
        await s.stop();
      }
    });

    test('without h.errors, finalhandler answers with its page (what h.errors replaces)', async () => {
      const s = await start({ mountErrors: false });
      try {
        const r = await rawRequest(s.port, cases.charset, { waitMs: 400 });
        assert.match(r.text, /^HTTP\/1\.1 415 Unsupported Media Type\r\n[\s\S]*<!DOCTYPE html>/);
      } finally {
        await s.stop();
      }
    });

    test("frameworkErrors: { action: 'notFound' } answers the fixed 404", async () => {
      const s = await start({ adapter: { frameworkErrors: { action: 'notFound' } } });
      try {
        for (const name of ['charset', 'invalidJson'] as const) {
          assert.equal(dated((await rawRequest(s.port, cases[name], { waitMs: 400 })).text), NOT_FOUND, name);
        }
      } finally {
        await s.stop();
      }
    });

    test("the app's own error middleware still answers its errors, and body-parser errors it chooses to", async () => {
      const s = await start({ appHandler: true });
      try {
        const own = await rawRequest(s.port, post('/fail', []), { waitMs: 400 });
        assert.match(own.text, /^HTTP\/1\.1 409 Conflict\r\n[\s\S]*\r\n\r\napp: conflict\n$/);
        const json = await rawRequest(s.port, cases.invalidJson, { waitMs: 400 });
        assert.match(json.text, /^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*\r\n\r\napp: bad json\n$/);
        // What the app's middleware passes on reaches h.errors.
        assertDropped(await rawRequest(s.port, cases.charset, { waitMs: 400 }), 'charset');
      } finally {
        await s.stop();
      }
    });

    test("a 4xx error of the app that no middleware answered is refused; a 5xx goes on to Express unless statuses: 'all'", async () => {
      const client = await start({ fail: { status: 422 } });
      try {
        assertDropped(await rawRequest(client.port, post('/fail', []), { waitMs: 400 }), '422');
        assert.equal(client.events.at(-1)?.reason, 'framework:422');
      } finally {
        await client.stop();
      }
      const server = await start({ fail: { status: 503 } });
      try {
        const r = await rawRequest(server.port, post('/fail', []), { waitMs: 400 });
        assert.match(r.text, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
      } finally {
        await server.stop();
      }
      const all = await start({ fail: { code: 'EAPP' }, adapter: { frameworkErrors: { statuses: 'all' } } });
      try {
        assertDropped(await rawRequest(all.port, post('/fail', []), { waitMs: 400 }), 'status-less');
        assert.equal(all.events.at(-1)?.reason, 'framework:EAPP');
      } finally {
        await all.stop();
      }
    });

    test("report mode: Express answers as without hangup, and the refusal is reported with enforced: false", async () => {
      const s = await start({ policy: { mode: 'report' } });
      try {
        const r = await rawRequest(s.port, cases.charset, { waitMs: 400 });
        assert.match(r.text, /^HTTP\/1\.1 415 /);
        const refusal = s.events.find((e) => e.reason.startsWith('framework:'));
        assert.deepEqual([refusal?.reason, refusal?.enforced, refusal?.wire], ['framework:charset.unsupported', false, 'none']);
      } finally {
        await s.stop();
      }
    });

    test("frameworkErrors: 'framework' leaves finalhandler's answer; bad options throw", async () => {
      const s = await start({ adapter: { frameworkErrors: 'framework' } });
      try {
        assert.match((await rawRequest(s.port, cases.charset, { waitMs: 400 })).text, /^HTTP\/1\.1 415 /);
      } finally {
        await s.stop();
      }
      const guard = hangup(POLICY);
      assert.throws(() => hangupExpress(guard, { frameworkErrors: 'drop' as never }), HangupConfigError);
      assert.throws(() => hangupExpress(guard, { frameworkErrors: { action: 'allow' as never } }), HangupConfigError);
      assert.throws(() => hangupExpress(guard, { errors: 'refuse' } as never), (e: unknown) => e instanceof HangupConfigError && e.code === 'HANGUP_UNKNOWN_OPTION');
      assert.equal(hangupExpress(guard).errors.length, 4); // Express calls only four-parameter middleware with errors
    });
  });
}

const fastifyVersions = [
  ['Fastify 4', (opts: object) => fastify4(opts)],
  ['Fastify 5', (opts: object) => fastify5(opts) as unknown as FastifyInstance],
] as const;

for (const [label, create] of fastifyVersions) {
  describe(`${label}: frameworkErrors`, () => {
    /** POST /orders reads Fastify's default types (JSON, text), body limit 1 KiB; POST /fail throws. */
    async function start(opts: { adapter?: HangupFastifyAdapterOptions; policy?: HangupOptions; appHandler?: boolean; fail?: object } = {}) {
      const events: DecisionEvent[] = [];
      const guard = hangup({ ...POLICY, ...opts.policy, onDecision: (event) => void events.push(event) });
      const app = create({ logger: false, bodyLimit: LIMIT });
      await app.register(hangupFastify, { guard, frameworkErrors: 'refuse', ...opts.adapter });
      if (opts.appHandler === true) {
        app.setErrorHandler((caught: Error, _req, reply) => {
          const error = caught as Error & { statusCode?: number; code?: string };
          if (error.statusCode === 409) return reply.code(409).type('text/plain').send('app: conflict\n');
          if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') return reply.code(400).type('text/plain').send('app: empty json\n');
          throw error; // not ours: to Fastify's default handler
        });
      }
      app.post('/orders', async (_req, reply) => reply.type('text/plain').send('order created\n'));
      app.post('/fail', async () => {
        throw Object.assign(new Error('order refused by the app'), opts.fail ?? { statusCode: 409 });
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const port = (app.server.address() as AddressInfo).port;
      return {
        port,
        events,
        stop: async () => {
          app.server.closeAllConnections();
          await app.close();
        },
      };
    }

    test("Fastify's own errors get zero bytes: media type, invalid JSON, empty JSON, body too large", async () => {
      const s = await start();
      try {
        for (const name of ['mediaType', 'invalidJson', 'emptyJson', 'tooLarge'] as const) {
          assertDropped(await rawRequest(s.port, cases[name], { waitMs: 400 }), name);
        }
        const reasons = s.events.filter((e) => e.action !== 'allow').map((e) => [e.reason, e.enforced, e.adapter]);
        assert.deepEqual(reasons, [
          ['framework:FST_ERR_CTP_INVALID_MEDIA_TYPE', true, 'fastify'],
          // Fastify 4's JSON parser raises a bare SyntaxError with statusCode 400.
          [label === 'Fastify 4' ? 'framework:400' : 'framework:FST_ERR_CTP_INVALID_JSON_BODY', true, 'fastify'],
          ['framework:FST_ERR_CTP_EMPTY_JSON_BODY', true, 'fastify'],
          ['framework:FST_ERR_CTP_BODY_TOO_LARGE', true, 'fastify'],
        ]);
      } finally {
        await s.stop();
      }
    });

    test('what the parsers accept is answered as usual', async () => {
      const s = await start();
      try {
        for (const name of ['json', 'text'] as const) {
          assertOrderCreated(await rawRequest(s.port, cases[name], { waitMs: 400 }), name);
        }
      } finally {
        await s.stop();
      }
    });

    test("without the option, Fastify answers with its JSON errors (the option is opt-in)", async () => {
      const s = await start({ adapter: { frameworkErrors: 'framework' } });
      try {
        const r = await rawRequest(s.port, cases.mediaType, { waitMs: 400 });
        assert.match(r.text, /^HTTP\/1\.1 415 Unsupported Media Type\r\n[\s\S]*"code":"FST_ERR_CTP_INVALID_MEDIA_TYPE"/);
      } finally {
        await s.stop();
      }
    });

    test("frameworkErrors: { action: 'notFound' } answers the fixed 404", async () => {
      const s = await start({ adapter: { frameworkErrors: { action: 'notFound' } } });
      try {
        for (const name of ['mediaType', 'invalidJson'] as const) {
          assert.equal(anyKeepAlive((await rawRequest(s.port, cases[name], { waitMs: 400 })).text), notFoundKeptAlive('<n>'), name);
        }
      } finally {
        await s.stop();
      }
    });

    test("the app's setErrorHandler still answers its errors and the framework errors it chooses to; what it rethrows is refused", async () => {
      const s = await start({ appHandler: true });
      try {
        const own = await rawRequest(s.port, post('/fail', []), { waitMs: 400 });
        assert.match(own.text, /^HTTP\/1\.1 409 Conflict\r\n[\s\S]*\r\n\r\napp: conflict\n$/);
        const empty = await rawRequest(s.port, cases.emptyJson, { waitMs: 400 });
        assert.match(empty.text, /^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*\r\n\r\napp: empty json\n$/);
        assertDropped(await rawRequest(s.port, cases.mediaType, { waitMs: 400 }), 'rethrown media type');
      } finally {
        await s.stop();
      }
    });

    test("an app error with a 5xx keeps Fastify's answer unless statuses: 'all'", async () => {
      const server = await start({ fail: { statusCode: 503 } });
      try {
        assert.match((await rawRequest(server.port, post('/fail', []), { waitMs: 400 })).text, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
      } finally {
        await server.stop();
      }
      const all = await start({ fail: {}, adapter: { frameworkErrors: { statuses: 'all' } } });
      try {
        assertDropped(await rawRequest(all.port, post('/fail', []), { waitMs: 400 }), 'status-less');
        assert.equal(all.events.at(-1)?.reason, 'framework:error');
      } finally {
        await all.stop();
      }
    });

    test('report mode: Fastify answers as without hangup, and the refusal is reported with enforced: false', async () => {
      const s = await start({ policy: { mode: 'report' } });
      try {
        assert.match((await rawRequest(s.port, cases.mediaType, { waitMs: 400 })).text, /^HTTP\/1\.1 415 /);
        const refusal = s.events.find((e) => e.reason.startsWith('framework:'));
        assert.deepEqual([refusal?.reason, refusal?.enforced], ['framework:FST_ERR_CTP_INVALID_MEDIA_TYPE', false]);
      } finally {
        await s.stop();
      }
    });

    test('a bad frameworkErrors value fails register()', async () => {
      const app = create({ logger: false });
      await assert.rejects(
        async () => {
          await app.register(hangupFastify, { guard: hangup(POLICY), frameworkErrors: 'drop' as never });
          await app.ready();
        },
        (e: unknown) => e instanceof HangupConfigError,
      );
      await app.close().catch(() => undefined);
    });
  });
}
