/**
 * Type tests for hangup/express and hangup/fastify, checked by `tsc --noEmit` (part of `npm test`):
 * the adapters fit each framework's own types, and misuse is a compile error (`@ts-expect-error`
 * fails the type-check if the line below it ever compiles).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import express5 from 'express5';
import fastify4 from 'fastify4';
import fastify5 from 'fastify5';
import { hangup } from '../../src/index.js';
import { hangupExpress, routesFrom, type HangupExpressMiddleware, type AppRoutes } from '../../src/adapters/express.js';
import { hangupFastify, collectRoutes, type HangupFastifyOptions } from '../../src/adapters/fastify.js';

/** Compile-time only: never called. */
function typeChecks(): void {
  const guard = hangup({ routes: ['GET /'] });

  // Express: the middleware, the fallback and listen() fit @types/express.
  const app = express5();
  const h: HangupExpressMiddleware = hangupExpress(guard);
  app.use(h);
  app.use(hangupExpress({ routes: ['GET /'], unknownRoute: 'notFound' }));
  app.use(h.unrouted);
  app.use(h.errors);
  app.use(hangupExpress(guard, { frameworkErrors: { action: 'notFound', statuses: 'all' } }).errors);
  // @ts-expect-error frameworkErrors is 'refuse' | 'framework' | { action, statuses }
  hangupExpress(guard, { frameworkErrors: 'drop' });
  const server: Server = h.listen(app, 3000, '127.0.0.1', () => undefined);
  void server;
  const found: AppRoutes = routesFrom(app);
  const routes: readonly string[] = found.routes;
  void routes;
  // @ts-expect-error a guard or options object, not a string
  hangupExpress('GET /');
  // @ts-expect-error a typo in the options is caught by the type too
  hangupExpress({ route: ['GET /'] });
  // @ts-expect-error unknownRoute is 'allow' | 'notFound' | 'drop'
  hangupExpress({ unknownRoute: 'reject' });
  // @ts-expect-error listen() needs the app, not a port
  h.listen(3000);

  // Fastify 4 and 5: register() accepts the plugin with { guard } or the options.
  const f4 = fastify4();
  void f4.register(hangupFastify, { guard });
  void f4.register(hangupFastify, { routes: ['GET /'], hosts: ['example.com'] });
  const f5 = fastify5();
  void f5.register(hangupFastify, { guard });
  void f5.register(hangupFastify, { unknownRoute: 'notFound' });
  void f5.register(hangupFastify, { guard, frameworkErrors: 'refuse' });
  void f4.register(hangupFastify, { routes: ['GET /'], frameworkErrors: { action: 'notFound' } });
  // @ts-expect-error frameworkErrors is 'refuse' | 'framework' | { action, statuses }
  void f4.register(hangupFastify, { guard, frameworkErrors: 'drop' });
  const options: HangupFastifyOptions = { guard };
  void options;
  const collected: AppRoutes = collectRoutes(f5);
  void collected;
  // @ts-expect-error guard must be a Guard from hangup()
  void f5.register(hangupFastify, { guard: 'yes' });
  // @ts-expect-error unknownRoute is 'allow' | 'notFound' | 'drop'
  void f4.register(hangupFastify, { unknownRoute: 'reject' });
}

test('the type checks above compile (tsc runs them as part of npm test)', () => {
  assert.equal(typeof typeChecks, 'function');
});
