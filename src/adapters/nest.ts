/**
 * hangup for NestJS, on both of Nest's platforms: `await hangupNest(app, guard)` after
 * `NestFactory.create()` and before `app.init()` / `app.listen()`. Nothing of Nest is imported:
 * everything is reached through the app given.
 *
 * - Express platform (`@nestjs/platform-express`): protects `app.getHttpServer()`, and makes the
 *   not-found handler Nest installs at `init()` apply the policy's `unknownRoute` action first
 *   (fallback mode), so a path no controller routes never gets Nest's JSON 404, which echoes it.
 * - Fastify platform (`@nestjs/platform-fastify`): registers `hangupFastify` on Nest's Fastify
 *   instance, which protects the server and turns Fastify's 404 (Nest's not-found handler
 *   included) into the `unknownRoute` action.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Guard } from '../guard.js';
import type { HangupOptions } from '../types.js';
import { toGuard, type GuardOrOptions } from './guard-input.js';
import { continueWhenBodyIsRead } from './lazy-continue.js';
import { protectServer } from '../server.js';
import { HangupConfigError, show } from '../errors.js';
import { hangupFastify } from './fastify.js';

export type { GuardOrOptions } from './guard-input.js';

/** Nest's request handler as its Express adapter calls it. */
type NotFoundHandler = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => unknown;

/** The parts of Nest's HTTP adapter hangup uses (Express and Fastify adapters alike). */
interface NestHttpAdapterLike {
  getType(): string;
  use?(handler: NotFoundHandler): unknown;
  setNotFoundHandler(handler: NotFoundHandler, ...rest: unknown[]): unknown;
}

/**
 * A Nest application as `hangupNest()` needs it (`INestApplication`, `NestExpressApplication` or
 * `NestFastifyApplication`). Structural, so users need no particular Nest type package.
 */
export interface NestApplicationLike {
  getHttpAdapter(): object;
  getHttpServer(): unknown;
}

const INSTALLED = Symbol('hangup.nest');
type MarkedAdapter = NestHttpAdapterLike & { [INSTALLED]?: Guard };

/**
 * Applies `guard` (or `hangup(options)`) to a Nest application, on either platform: requests the
 * policy refuses never reach Nest, Node's own answers are taken over, and a path no controller
 * routes gets the policy's `unknownRoute` action instead of Nest's JSON 404 (fallback mode: leave
 * `routes` out and Nest's router is the allowlist). Call it before `app.init()` or `app.listen()`.
 * Resolves with the guard.
 */
export async function hangupNest(app: NestApplicationLike, guardOrOptions: GuardOrOptions): Promise<Guard> {
  const adapter = nestAdapter(app);
  const guard = toGuard(withRouterSettings(guardOrOptions, adapter), 'hangupNest(app, guard | options)');
  if (adapter[INSTALLED] === guard) return guard;
  if ((app as { isInitialized?: unknown }).isInitialized === true) {
    throw new HangupConfigError(
      'HANGUP_INVALID_SERVER',
      'hangupNest(app)',
      'the app is already initialized: Nest has installed its not-found handler. Call hangupNest(app, guard) right after NestFactory.create(), before app.init() and app.listen().',
    );
  }
  const type = adapter.getType();
  if (type === 'fastify') {
    const register = (app as { register?: (plugin: unknown, options: unknown) => unknown }).register;
    if (typeof register !== 'function') throw invalidApp(app);
    await register.call(app, hangupFastify, { guard });
  } else if (type === 'express') {
    const server = app.getHttpServer() as Server;
    protectServer(server, guard, 'express');
    continueWhenBodyIsRead(server, guard);
    unroutedFirst(adapter, guard);
  } else {
    throw new HangupConfigError(
      'HANGUP_INVALID_SERVER',
      'hangupNest(app)',
      `Nest's HTTP adapter is ${show(type)}; hangup/nest supports 'express' (@nestjs/platform-express) and 'fastify' (@nestjs/platform-fastify).`,
    );
  }
  adapter[INSTALLED] = guard;
  return guard;
}

/**
 * Nest installs its not-found handler (a `NotFoundException` whose message echoes the method and
 * path) through the adapter's `setNotFoundHandler` at `init()`, after every route. Wrapped, it
 * applies the policy's `unknownRoute` action first; Nest's handler runs only when that is `allow`.
 */
function unroutedFirst(adapter: MarkedAdapter, guard: Guard): void {
  const setNotFoundHandler = adapter.setNotFoundHandler;
  adapter.setNotFoundHandler = function hangupSetNotFoundHandler(this: unknown, handler: NotFoundHandler, ...rest: unknown[]): unknown {
    const unrouted: NotFoundHandler = function hangupUnrouted(req, res, next) {
      if (guard.handleUnrouted(req, res, 'express')) return handler(req, res, next);
      return undefined;
    };
    const installed = setNotFoundHandler.call(this, unrouted, ...rest);
    // With a global prefix, Nest's handler only covers paths under it: the others would reach
    // Express's finalhandler, whose "Cannot GET /path" page echoes the path. Mounted after it, at
    // the root, this gives them the same action; only what it allows goes on to Express.
    const use = (this as { use?: (handler: NotFoundHandler) => unknown }).use;
    if (typeof use === 'function') {
      use.call(this, function hangupUnroutedLast(req, res, next) {
        if (guard.handleUnrouted(req, res, 'express')) next?.();
      });
    }
    return installed;
  };
}

/**
 * Given the policy's options on the Fastify platform, routes match as Fastify's router does
 * (case-sensitive, a trailing slash another path, unless its settings say otherwise), as
 * `hangupFastify` does with options, unless the options set `caseSensitive`/`strictTrailingSlash`.
 * Express's defaults are hangup's own.
 */
function withRouterSettings(input: GuardOrOptions, adapter: MarkedAdapter): GuardOrOptions {
  if (input instanceof Guard || typeof input !== 'object' || input === null || adapter.getType() !== 'fastify') return input;
  const getInstance = (adapter as { getInstance?: () => unknown }).getInstance;
  const config = (typeof getInstance === 'function' ? (getInstance.call(adapter) as { initialConfig?: FastifyConfig } | null) : null)?.initialConfig;
  const router = config?.routerOptions;
  return {
    caseSensitive: router?.caseSensitive ?? config?.caseSensitive ?? true,
    strictTrailingSlash: !(router?.ignoreTrailingSlash ?? config?.ignoreTrailingSlash ?? false),
    ...(input as HangupOptions),
  };
}

/** The matching settings of a Fastify instance (Fastify 4 at the top, Fastify 5 also under routerOptions). */
interface FastifyConfig {
  readonly caseSensitive?: boolean;
  readonly ignoreTrailingSlash?: boolean;
  readonly routerOptions?: { readonly caseSensitive?: boolean; readonly ignoreTrailingSlash?: boolean };
}

function nestAdapter(app: NestApplicationLike): MarkedAdapter {
  const adapter = typeof app?.getHttpAdapter === 'function' ? (app.getHttpAdapter() as Partial<NestHttpAdapterLike> | null) : null;
  if (adapter == null || typeof adapter.getType !== 'function' || typeof adapter.setNotFoundHandler !== 'function') throw invalidApp(app);
  return adapter as MarkedAdapter;
}

function invalidApp(app: unknown): HangupConfigError {
  return new HangupConfigError(
    'HANGUP_INVALID_SERVER',
    'hangupNest(app)',
    `expected a Nest application from NestFactory.create() (Express or Fastify platform), got ${show(app)}.`,
  );
}

export default hangupNest;
