/**
 * The example site (the same routes and bodies as examples/site-policy.ts) served by node:http,
 * Express 4 and 5 and Fastify 4 and 5, in both modes, for the cross-adapter tests.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express4 from 'express4';
import express5 from 'express5';
import fastify4, { type FastifyInstance } from 'fastify4';
import fastify5 from 'fastify5';

type Fastify4 = FastifyInstance;
import { hangup, notFound, type Guard, type HangupOptions } from '../../src/index.js';
import { hangupExpress } from '../../src/adapters/express.js';
import { hangupFastify } from '../../src/adapters/fastify.js';
import { listen, close } from '../helpers/servers.js';

/** Pre-routing: hangup's allowlist decides. Fallback: the framework's router does, hangup refuses the rest. */
export type Mode = 'pre-routing' | 'fallback';
export type Framework = 'node:http' | 'express4' | 'express5' | 'fastify4' | 'fastify5';

export const siteRoutes = ['GET /', 'GET /users', 'GET /users/:id', 'GET /orders', 'POST /orders'];
const sharedPolicy = { hosts: ['localhost', '127.0.0.1'], rules: [notFound('GET /favicon.ico')], unknownRoute: 'drop' } satisfies HangupOptions;

/** The hangup options of each mode: fallback has no route list, the app's router is the allowlist. */
export function policyFor(mode: Mode, extra: HangupOptions = {}): HangupOptions {
  return mode === 'pre-routing' ? { ...sharedPolicy, routes: siteRoutes, ...extra } : { ...sharedPolicy, ...extra };
}

/** The body of each page, as in examples/site-policy.ts. */
export function page(method: string, path: string, id?: string): string {
  if (path === '/') return 'home\n';
  if (path === '/users') return 'users\n';
  if (id !== undefined) return `user ${id}\n`;
  return method === 'POST' ? 'order created\n' : 'orders\n';
}

export interface RunningSite {
  readonly name: string;
  readonly port: number;
  readonly guard: Guard;
  close(): Promise<void>;
}

/** Starts the site on `framework` in `mode`, listening on an ephemeral loopback port. */
export async function startSite(framework: Framework, mode: Mode, extra: HangupOptions = {}): Promise<RunningSite> {
  const guard = hangup(policyFor(mode, extra));
  const name = `${framework} (${mode})`;
  if (framework === 'node:http') {
    const server = guard.createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const id = /^\/users\/([^/]+)$/.exec(path)?.[1];
      const body = page(req.method ?? 'GET', path, id);
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    });
    return { name, guard, port: await listen(server), close: () => close(server) };
  }
  if (framework === 'express4' || framework === 'express5') {
    const app = framework === 'express4' ? express4() : express5();
    app.disable('x-powered-by');
    const h = hangupExpress(guard);
    app.use(h);
    app.get('/', (req, res) => res.type('text/plain').send(page(req.method, '/')));
    app.get('/users', (req, res) => res.type('text/plain').send(page(req.method, '/users')));
    app.get('/users/:id', (req, res) => res.type('text/plain').send(page(req.method, '/users/x', req.params.id)));
    app.get('/orders', (req, res) => res.type('text/plain').send(page(req.method, '/orders')));
    // An order endpoint reads its body (which is also when an allowed Expect: 100-continue gets its 100).
    app.post('/orders', framework === 'express4' ? express4.text() : express5.text(), (req, res) => res.type('text/plain').send(page(req.method, '/orders')));
    app.use(h.unrouted);
    const server: Server = h.listen(app, 0, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    return { name, guard, port: (server.address() as AddressInfo).port, close: () => close(server) };
  }
  // The two versions' instance types do not unify; both are driven through Fastify 4's type here
  // (test/adapters/types.test.ts checks each version's own types).
  const app = framework === 'fastify4' ? fastify4({ logger: false }) : (fastify5({ logger: false }) as unknown as Fastify4);
  await app.register(hangupFastify, { guard });
  const text = 'text/plain; charset=utf-8';
  app.get('/', async (req, reply) => reply.type(text).send(page(req.method, '/')));
  app.get('/users', async (req, reply) => reply.type(text).send(page(req.method, '/users')));
  app.get<{ Params: { id: string } }>('/users/:id', async (req, reply) =>
    reply.type(text).send(page(req.method, '/users/x', req.params.id)),
  );
  app.get('/orders', async (req, reply) => reply.type(text).send(page(req.method, '/orders')));
  app.post('/orders', async (req, reply) => reply.type(text).send(page(req.method, '/orders')));
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  return {
    name,
    guard,
    port,
    close: async () => {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}
