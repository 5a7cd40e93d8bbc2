/**
 * hangup for Express 4 and 5. The middleware translates only: the guard decides, and refuses with
 * the same bytes as on node:http. Express never sees Node's own answers (parse errors, Expect,
 * a missing Host), so the server `app.listen()` returns must be protected too: `listen()` does both.
 */
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ListenOptions } from 'node:net';
import type { Guard } from '../guard.js';
import { toGuard, type GuardOrOptions } from './guard-input.js';
import { continueWhenBodyIsRead } from './lazy-continue.js';
import { ensureState, stateOf } from '../request-state.js';
import { protectServer } from '../server.js';
import { warnAboutPlacement } from './express-placement.js';
import { HangupConfigError, show } from '../errors.js';
import { closest, isRequest, optionNames, refuseMountedFactory } from '../policy/validate.js';
import { compileFrameworkErrors, refuseFrameworkError, type FrameworkErrorsOption } from './framework-errors.js';

export { routesFrom, type AppRoutes, type UntranslatedRoute } from './routes-from.js';
export type { GuardOrOptions } from './guard-input.js';
export type { FrameworkErrorOptions, FrameworkErrorsOption } from './framework-errors.js';

/** Options of the Express adapter itself (the policy's options go to `hangup()`). */
export interface HangupExpressOptions {
  /**
   * What `h.errors` does with an error that would reach Express's finalhandler: `'refuse'`
   * (default: 4xx errors get a drop), `{ action: 'notFound' }` (the fixed 404 instead),
   * `{ statuses: 'all' }` (5xx and status-less errors too), or `'framework'` (Express answers).
   */
  readonly frameworkErrors?: FrameworkErrorsOption;
}

/** An error-handling middleware as hangup declares it (four parameters, as Express requires). */
export type ExpressErrorMiddleware = (error: unknown, req: IncomingMessage, res: ServerResponse, next: NextFunction) => void;

/** Express's `next`, as hangup calls it: with no argument, to hand the request on. */
export type NextFunction = (error?: unknown) => void;

/** A middleware as hangup declares it. Structural, so users need no Express type package. */
export type ExpressMiddleware = (req: IncomingMessage, res: ServerResponse, next: NextFunction) => void;

/** An Express app as `listen()` needs it: a request listener (every Express app is one). */
export type RequestHandlerApp = (req: IncomingMessage, res: ServerResponse) => unknown;

/** The middleware `hangupExpress()` returns, with the fallback middleware and a protected `listen`. */
export interface HangupExpressMiddleware extends ExpressMiddleware {
  /** The guard this middleware applies. */
  readonly guard: Guard;
  /**
   * Fallback mode: mount last (`app.use(h.unrouted)`), after every route. What no route answered
   * gets the guard's `unknownRoute` action instead of Express's "Cannot GET" page.
   */
  readonly unrouted: ExpressMiddleware;
  /**
   * Mount after everything else, your own error middleware included (`app.use(h.errors)`). An
   * error no middleware of the app answered would get Express's finalhandler page (its status,
   * its HTML, the stack trace with the server's paths unless NODE_ENV=production): a 4xx error
   * (body-parser's 400/413/415, express.static's...) gets the policy's refusal instead, reason
   * `framework:<type or code>`. Other errors go on to Express (see `frameworkErrors`).
   */
  readonly errors: ExpressErrorMiddleware;
  /**
   * `app.listen()` with the server protected before the first connection: Node's own 400, 431,
   * 408, 100 Continue, 417 and missing-Host answers become the policy's. Takes what
   * `server.listen()` takes after the app (`port, host, callback`, `port, callback`, an options
   * object, a path...) and returns the server.
   */
  listen(app: RequestHandlerApp, port?: number, host?: string, backlog?: number, callback?: () => void): Server;
  listen(app: RequestHandlerApp, port?: number, host?: string, callback?: () => void): Server;
  listen(app: RequestHandlerApp, port?: number, callback?: () => void): Server;
  listen(app: RequestHandlerApp, path: string, callback?: () => void): Server;
  listen(app: RequestHandlerApp, options: ListenOptions, callback?: () => void): Server;
}

/**
 * Returns the Express middleware: allowed requests go on (`next()`), refused ones are dropped or
 * get the fixed 404 and never reach a route. Mount it first: `app.use(hangupExpress(guard))`.
 */
export function hangupExpress(guardOrOptions: GuardOrOptions, options: HangupExpressOptions = {}): HangupExpressMiddleware {
  // `app.use(hangupExpress)`: Express calls the factory itself with (req, res, next).
  if (isRequest(guardOrOptions)) refuseMountedFactory(guardOrOptions, 'hangupExpress', 'app.use(hangupExpress)', 'app.use(hangupExpress(guard))');
  const guard = toGuard(guardOrOptions, 'hangupExpress(guard | options)', { guardKey: false });
  const errorSettings = compileFrameworkErrors(adapterOptions(options).frameworkErrors, 'hangupExpress(guard, { frameworkErrors })');

  // Checked at the first request any of hangup's layers sees (Express says nothing when a layer is mounted).
  let placementChecked = false;
  const checkPlacement = (req: IncomingMessage): void => {
    placementChecked = true;
    warnAboutPlacement((req as { app?: unknown }).app, guard, (req.socket as { server?: Server | null } | null)?.server);
  };
  const middleware = function hangupMiddleware(req: IncomingMessage, res: ServerResponse, next: NextFunction): void {
    if (!placementChecked) checkPlacement(req);
    if (stateOf(req) === undefined) giveStateBeforeExpress((req.socket as { server?: Server | null } | null)?.server);
    // A refused request is answered or dropped here and `next` is never called: no route runs.
    if (guard.handle(req, res, 'express')) next();
  };

  const unrouted: ExpressMiddleware = function hangupUnrouted(req, res, next): void {
    if (!placementChecked) checkPlacement(req);
    if (guard.handleUnrouted(req, res, 'express')) next();
  };

  // Four parameters: Express calls a middleware with an error only when it declares four.
  const errors: ExpressErrorMiddleware = function hangupErrors(error, req, res, next): void {
    if (errorSettings !== null && refuseFrameworkError(guard, errorSettings, error, req, res, 'express')) return;
    next(error);
  };

  // As Express's app.listen(): everything after the app goes to server.listen() as given, so
  // `listen(app, 3000, callback)` keeps its callback and `listen(app, 3000, '127.0.0.1')` its address.
  const listen = (app: RequestHandlerApp, ...args: unknown[]): Server => {
    if (typeof app !== 'function') {
      throw new TypeError(`hangup: listen(app, ...): expected an Express app (a function) first, got ${show(app)}. Write h.listen(app, 3000).`);
    }
    const server = http.createServer(app);
    protectServer(server, guard, 'express');
    continueWhenBodyIsRead(server, guard);
    giveStateBeforeExpress(server);
    (server.listen as (...listenArgs: unknown[]) => Server)(...args);
    return server;
  };

  return Object.assign(middleware, { guard, unrouted, errors, listen: listen as HangupExpressMiddleware['listen'] });
}

function adapterOptions(options: unknown): HangupExpressOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new HangupConfigError('HANGUP_INVALID_OPTIONS', 'hangupExpress(guard, options)', `expected an object, got ${show(options)}.`);
  }
  const unknown = Object.keys(options).filter((key) => key !== 'frameworkErrors');
  if (unknown.length > 0) {
    const hint = closest(unknown[0] as string, ['frameworkErrors', ...optionNames]);
    const where =
      hint === 'frameworkErrors'
        ? " Did you mean 'frameworkErrors'?"
        : hint !== undefined
          ? ` '${hint}' is an option of the policy: it goes to hangup(), hangupExpress(hangup({ ${hint}: ... })).`
          : '';
    throw new HangupConfigError(
      'HANGUP_UNKNOWN_OPTION',
      'hangupExpress(guard, options)',
      `unknown option ${show(unknown[0])}; the adapter knows frameworkErrors (the policy's options go to hangup()).${where}`,
    );
  }
  return options as HangupExpressOptions;
}

/** Servers whose requests get their hangup state before Express sees them. */
const stateGiven = new WeakSet<object>();

function giveState(req: IncomingMessage): void {
  ensureState(req);
}

/**
 * hangup keeps its per-request state in a property of the request. Added in the middleware, after
 * Express has swapped the request's prototype and added its own properties, it cost about 3 µs per
 * request on Express 5 (every later property access of Express got slower; measured in interleaved
 * load runs); added by a 'request' listener that runs before Express, nothing measurable. So
 * `listen()`, or else the first request of a server, installs that listener once, and later
 * requests arrive with their state.
 */
function giveStateBeforeExpress(server: Server | null | undefined): void {
  if (server == null || typeof server.prependListener !== 'function' || stateGiven.has(server)) return;
  stateGiven.add(server);
  server.prependListener('request', giveState);
}

export default hangupExpress;
