/**
 * The server under test, run in its own process so the load generator never shares its CPU time.
 * `node --import tsx bench/server.ts <variant>`; it listens on an ephemeral loopback port, sends
 * `{ type: 'ready', port }` over IPC, and answers `{ type: 'stats', gc? }` with its CPU time (user
 * and system), memory, open connections and listener counts, `{ type: 'alloc-start' }` with
 * `{ type: 'alloc-started' }` and `{ type: 'alloc-stop' }` with `{ type: 'alloc', bytes }`: the
 * bytes allocated on the V8 heap between the two (bench/lib/heap-allocation.ts).
 *
 * Every variant serves the same 10-route table (bench/lib/routes.ts): allowed requests get a
 * short 200, and the hangup variants refuse everything else with the default detectors on, except
 * `http+hangup-1000-strict`: 1,000 routes and the strict detector preset.
 */
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
// The built package, as users run it (npm run bench builds first), not the sources through tsx.
import { hangup, type Guard, type HangupOptions } from '../dist/index.js';
import { hangupExpress } from '../dist/adapters/express.js';
import { hangupFastify } from '../dist/adapters/fastify.js';
import { benchRoutes, hangupSpecs } from './lib/routes.js';
import { startAllocationWindow, type AllocationWindow } from './lib/heap-allocation.js';

/** The server variants; a `+hangup` variant is its plain twin with hangup in front. */
export const VARIANTS = [
  'http',
  'http+hangup',
  'http+hangup-1000-strict',
  'http+hangup-404',
  'http+hangup-reset',
  'http+destroy',
  'express',
  'express+hangup',
  'express+noop',
  'express+hangup-wrap',
  'fastify',
  'fastify+hangup',
  'fastify+hook',
] as const;
export type Variant = (typeof VARIANTS)[number];

/** What the server reports about itself between runs. */
export interface ServerStats {
  /** CPU time so far (user + system), in microseconds. */
  readonly cpuMicros: number;
  readonly cpuUserMicros: number;
  readonly cpuSystemMicros: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly connections: number;
  readonly listeners: number;
  readonly activeResources: number;
}

const ROUTES = benchRoutes(10);
/** The large table of `http+hangup-1000-strict`; the benchmark's allowed path, `/r6/42`, is in it too. */
const ROUTES_1000 = benchRoutes(1_000);
const BODY = 'hello\n';

function reply(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': BODY.length });
  res.end(BODY);
}

function guardFor(variant: Variant): Guard {
  const options: HangupOptions = { routes: hangupSpecs(ROUTES) };
  if (variant === 'http+hangup-404') return hangup({ ...options, unknownRoute: 'notFound' });
  if (variant === 'http+hangup-reset') return hangup({ ...options, close: 'reset' });
  if (variant === 'http+hangup-1000-strict') return hangup({ routes: hangupSpecs(ROUTES_1000), detectors: 'strict' });
  return hangup(options);
}

/**
 * Express 5 with the 10 routes. `middleware`: hangup's Express adapter (`app.use`), an empty
 * middleware (what one more Express layer costs by itself), or none. `wrap`: hangup in front of
 * Express at the node:http level (`guard.createServer(app)`).
 */
async function expressServer(variant: 'express' | 'express+hangup' | 'express+noop' | 'express+hangup-wrap'): Promise<Server> {
  const { default: express } = await import('express5');
  const app = express();
  app.disable('x-powered-by');
  const guard = variant === 'express' || variant === 'express+noop' ? null : guardFor(variant);
  if (variant === 'express+hangup' && guard !== null) {
    app.use(hangupExpress(guard));
  }
  if (variant === 'express+noop') app.use((_req, _res, next) => next());
  for (const r of ROUTES) app[r.method.toLowerCase() as 'get'](r.path, (req, res) => reply(req, res));
  if (variant === 'express+hangup-wrap' && guard !== null) return listening(guard.createServer(app));
  const server = app.listen(0, '127.0.0.1');
  if (guard !== null) guard.protect(server);
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return server;
}

/**
 * Fastify 5 with the 10 routes: without hangup, with its plugin, or with an empty root `onRequest`
 * hook (what Fastify's hook machinery costs by itself; hangup's plugin adds one such hook).
 */
async function fastifyServer(variant: 'fastify' | 'fastify+hangup' | 'fastify+hook'): Promise<Server> {
  const { default: fastify } = await import('fastify5');
  const app = fastify({ logger: false });
  if (variant === 'fastify+hangup') {
    // The policy's options, not a guard: the plugin matches routes as Fastify's router does.
    await app.register(hangupFastify, { routes: hangupSpecs(ROUTES) });
  }
  if (variant === 'fastify+hook') app.addHook('onRequest', (_request, _reply, done) => done());
  for (const r of ROUTES) {
    app.route({ method: r.method as 'GET', url: r.path, handler: async (_req, res) => res.type('text/plain').send(BODY) });
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  return app.server;
}

async function start(variant: Variant): Promise<Server> {
  switch (variant) {
    case 'http':
      return listening(http.createServer(reply));
    case 'http+destroy':
      // The drop baseline: a bare server that destroys every socket in its handler.
      return listening(http.createServer((req) => req.socket.destroy()));
    case 'http+hangup':
    case 'http+hangup-1000-strict':
    case 'http+hangup-404':
    case 'http+hangup-reset':
      return listening(guardFor(variant).createServer(reply));
    case 'express':
    case 'express+hangup':
    case 'express+noop':
    case 'express+hangup-wrap':
      return expressServer(variant);
    case 'fastify':
    case 'fastify+hangup':
    case 'fastify+hook':
      return fastifyServer(variant);
  }
}

async function listening(server: Server): Promise<Server> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return server;
}

function listenerCount(server: Server): number {
  return server.eventNames().reduce((sum, name) => sum + server.listenerCount(name), 0);
}

/**
 * The server's figures. With `collect` (and --expose-gc), heap used is read after a full GC. RSS
 * is read before it: a full GC shrinks V8's young generation, which regrows under load, so RSS
 * right after one is not comparable with RSS in service.
 */
async function stats(server: Server, collect: boolean): Promise<ServerStats> {
  const cpu = process.cpuUsage();
  const rss = process.memoryUsage.rss();
  const gc = (globalThis as { gc?: () => void }).gc;
  if (collect && gc !== undefined) {
    gc();
    gc();
  }
  const connections = await new Promise<number>((resolve) => server.getConnections((_e, n) => resolve(n ?? -1)));
  return {
    cpuMicros: cpu.user + cpu.system,
    cpuUserMicros: cpu.user,
    cpuSystemMicros: cpu.system,
    rss,
    heapUsed: process.memoryUsage().heapUsed,
    connections,
    listeners: listenerCount(server),
    activeResources: process.getActiveResourcesInfo().length,
  };
}

const variant = process.argv[2] as Variant;
if (process.send === undefined || !VARIANTS.includes(variant)) {
  console.error(`usage: (as a child with IPC) bench/server.ts <${VARIANTS.join('|')}>`);
  process.exit(2);
}
let allocation: AllocationWindow | null = null;

start(variant).then(
  (server) => {
    process.on('message', (message: { type?: string; gc?: boolean }) => {
      if (message.type === 'stats') void stats(server, message.gc === true).then((s) => process.send?.({ type: 'stats', stats: s }));
      if (message.type === 'alloc-start') {
        allocation = startAllocationWindow();
        process.send?.({ type: 'alloc-started' });
      }
      if (message.type === 'alloc-stop' && allocation !== null) {
        const bytes = allocation.stop();
        allocation = null;
        process.send?.({ type: 'alloc', bytes });
      }
    });
    process.on('disconnect', () => process.exit(0));
    process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port });
  },
  (error: unknown) => {
    process.send?.({ type: 'unavailable', reason: error instanceof Error ? error.message : String(error) });
    process.exit(0);
  },
);
