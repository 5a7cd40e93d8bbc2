/**
 * The Fastify plugin follows Fastify's own matching (caseSensitive, ignoreTrailingSlash) when it
 * builds the guard from options, so hangup and Fastify's router agree: one decision, one event and
 * one count per request. A guard built elsewhere with other settings is warned about once, and a
 * request it allowed that Fastify then refuses still counts once in stats().
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import fastify4, { type FastifyInstance } from 'fastify4';
import fastify5 from 'fastify5';
import { hangup, type DecisionEvent, type HangupOptions } from '../../src/index.js';
import { hangupFastify } from '../../src/adapters/fastify.js';
import { rawRequest, head } from '../helpers/raw-client.js';

const H = 'Host: localhost';
const versions = [
  ['Fastify 4', fastify4],
  ['Fastify 5', fastify5 as unknown as typeof fastify4],
] as const;

async function start(create: typeof fastify4, fastifyOptions: object, register: object): Promise<{ app: FastifyInstance; port: number }> {
  const app = create({ logger: false, ...fastifyOptions });
  await app.register(hangupFastify, register as HangupOptions);
  app.get('/api/items/:id', async (req) => `item ${(req.params as { id: string }).id}\n`);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, port: (app.server.address() as AddressInfo).port };
}

async function outcome(port: number, target: string): Promise<string> {
  const r = await rawRequest(port, head(`GET ${target} HTTP/1.1`, H));
  return r.text === '' ? `dropped (${r.ending})` : (r.text.split('\r\n')[0] ?? '');
}

for (const [name, create] of versions) {
  test(`${name}, options given to the plugin: Fastify's default strict matching, one event per request`, async () => {
    const events: DecisionEvent[] = [];
    const { app, port } = await start(create, {}, { hosts: ['localhost'], routes: ['GET /api/items/:id'], onDecision: (e: DecisionEvent) => events.push(e) });
    try {
      assert.equal(await outcome(port, '/api/items/1'), 'HTTP/1.1 200 OK');
      assert.equal(await outcome(port, '/API/ITEMS/1'), 'dropped (fin)');
      assert.equal(await outcome(port, '/api/items/1/'), 'dropped (fin)');
      assert.deepEqual(
        events.map((e) => [e.action, e.reason]),
        [['allow', 'route:matched'], ['drop', 'route:unknown'], ['drop', 'route:unknown']],
      );
    } finally {
      await app.close();
    }
  });

  test(`${name}, options given to the plugin: a lenient Fastify router makes hangup lenient too`, async () => {
    const router = { caseSensitive: false, ignoreTrailingSlash: true };
    const fastifyOptions = name === 'Fastify 5' ? { routerOptions: router } : router;
    const { app, port } = await start(create, fastifyOptions, { hosts: ['localhost'], routes: ['GET /api/items/:id'] });
    try {
      assert.equal(await outcome(port, '/API/ITEMS/1'), 'HTTP/1.1 200 OK');
      assert.equal(await outcome(port, '/api/items/1/'), 'HTTP/1.1 200 OK');
    } finally {
      await app.close();
    }
  });
}

test('a guard whose matching differs from Fastify\'s: warned once, and each request counts once in stats()', async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error & { code?: string }): void => void warnings.push(w.code ?? '');
  process.on('warning', onWarning);
  const guard = hangup({ hosts: ['localhost'], routes: ['GET /api/items/:id'] });
  const { app, port } = await start(fastify5 as unknown as typeof fastify4, {}, { guard });
  try {
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(warnings.filter((c) => c === 'HANGUP_FASTIFY_MATCHING'), ['HANGUP_FASTIFY_MATCHING']);
    assert.equal(await outcome(port, '/API/ITEMS/1'), 'dropped (fin)');
    assert.equal(await outcome(port, '/api/items/1'), 'HTTP/1.1 200 OK');
    const stats = guard.stats();
    assert.deepEqual([stats.total, stats.actions.allow, stats.actions.drop], [2, 1, 1]);
    assert.deepEqual(stats.reasons, { 'route:matched': 1, 'route:unrouted': 1 });
  } finally {
    process.off('warning', onWarning);
    await app.close();
  }
});
