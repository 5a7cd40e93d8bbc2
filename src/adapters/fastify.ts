/**
 * hangup for Fastify 4 and 5: `await app.register(hangupFastify, { guard })`. The plugin
 * translates only; the guard decides. It takes over every place Fastify or Node answers by itself:
 * - refused requests are refused before Fastify sees them (no log line, no hook, no route lookup),
 *   which also covers Fastify's bad-URL 400 and over-long-parameter 414 pages;
 * - Node's own answers (parse errors, Expect, missing Host) through `guard.protect(fastify.server)`,
 *   and Fastify's JSON `clientError` answers are removed;
 * - Fastify's 404 (which echoes method and path) becomes the policy's `unknownRoute` action;
 * - with `frameworkErrors: 'refuse'`, the JSON error Fastify's default error handler would write
 *   for a 4xx error no handler of the app answered (FST_ERR_CTP_*, ...) becomes the refusal.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Guard } from '../guard.js';
import type { HangupOptions } from '../types.js';
import type { PathSettings } from '../policy/routes.js';
import { HangupConfigError, show } from '../errors.js';
import { toGuard } from './guard-input.js';
import { continueWhenBodyIsRead } from './lazy-continue.js';
import { protectServer } from '../server.js';
import { RouteCollector, translateSimplePath, type AppRoutes } from './route-syntax.js';
import {
  compileFrameworkErrors,
  frameworkErrorDecision,
  refuseFrameworkError,
  type FrameworkErrorSettings,
  type FrameworkErrorsOption,
} from './framework-errors.js';

export type { AppRoutes, UntranslatedRoute } from './route-syntax.js';
export type { FrameworkErrorOptions, FrameworkErrorsOption } from './framework-errors.js';

/** Options of the plugin itself, next to the guard or the policy's options. */
export interface HangupFastifyAdapterOptions {
  /**
   * Fastify's own error answers. `'framework'` (default): Fastify's default error handler answers
   * as without hangup. `'refuse'`: an error with a 4xx status that reaches Fastify's default error
   * handler (no `setErrorHandler` of the app answered it: FST_ERR_CTP_INVALID_MEDIA_TYPE,
   * FST_ERR_CTP_INVALID_JSON_BODY, FST_ERR_CTP_EMPTY_JSON_BODY, FST_ERR_CTP_BODY_TOO_LARGE,
   * FST_ERR_VALIDATION...) gets a drop, reason `framework:<code>`. `{ action: 'notFound' }` gives
   * the fixed 404 instead; `{ statuses: 'all' }` refuses 5xx and status-less errors too.
   */
  readonly frameworkErrors?: FrameworkErrorsOption;
}

/** Plugin options: a guard from `hangup()`, or the options to build one, and the plugin's own. */
export type HangupFastifyOptions = ({ readonly guard: Guard } | HangupOptions) & HangupFastifyAdapterOptions;

/**
 * The plugin's type, structural so users need no particular Fastify type package: any Fastify 4
 * or 5 instance is accepted by `app.register()`.
 */
export type HangupFastifyPlugin = (
  instance: object,
  options: HangupFastifyOptions,
  done: (error?: Error) => void,
) => void;

/** The parts of a Fastify request and reply the hook uses. */
interface RequestLike {
  readonly raw: IncomingMessage;
  readonly is404?: boolean;
}
interface ReplyLike {
  readonly raw: ServerResponse;
  hijack(): unknown;
  send(payload?: unknown): unknown;
}
interface RouteLike {
  readonly method?: string | readonly string[];
  readonly url?: string;
}
/** The parts of a Fastify instance the plugin uses (Fastify 4 and 5 alike). */
interface FastifyLike {
  readonly server: Server;
  readonly initialConfig?: {
    readonly http2?: boolean;
    readonly caseSensitive?: boolean;
    readonly ignoreTrailingSlash?: boolean;
    readonly maxParamLength?: number;
    readonly routerOptions?: { readonly caseSensitive?: boolean; readonly ignoreTrailingSlash?: boolean; readonly maxParamLength?: number } | null;
  };
  addHook(name: 'onRequest', hook: (request: RequestLike, reply: ReplyLike, done: () => void) => void): unknown;
  addHook(name: 'onRoute', hook: (route: RouteLike) => void): unknown;
  addHook(name: 'onError', hook: (request: RequestLike, reply: ReplyLike, error: unknown, done: () => void) => void): unknown;
}

/** Register options Fastify itself reads, and the plugin's own: they are not the policy's options. */
const REGISTER_OPTIONS = new Set(['prefix', 'logLevel', 'logSerializers', 'frameworkErrors']);
/**
 * Marks hangup's own `writeHead` functions. A response Fastify is routing but no onRequest hook
 * has seen yet has one of them as its own `writeHead`: that is the whole mark, so watching a
 * response costs one property per request.
 */
const WATCHING = Symbol('hangup.fastify.watching');
const WRAPPED = Symbol('hangup.fastify.wrapped');

type WriteHead = ServerResponse['writeHead'] & { [WATCHING]?: true };
type WrappedServer = Server & { [WRAPPED]?: Guard };

/** How Fastify's router matches paths, from its options (Fastify 5 keeps them in `routerOptions`). */
function fastifyPathSettings(fastify: FastifyLike): PathSettings {
  const config = fastify.initialConfig;
  const router = config?.routerOptions;
  return {
    caseSensitive: router?.caseSensitive ?? config?.caseSensitive ?? true,
    strictTrailingSlash: !(router?.ignoreTrailingSlash ?? config?.ignoreTrailingSlash ?? false),
  };
}

let warnedMatching = false;

/**
 * A guard built elsewhere keeps its own path settings. If they differ from Fastify's, hangup
 * allows paths Fastify's router does not match (or the reverse): `explain` and the events then
 * disagree with what the server does. Said once per process.
 */
function warnIfMatchingDiffers(guard: Guard, fastify: FastifyLike): void {
  if (warnedMatching || guard.policy.routeTable === null) return;
  const ours = guard.policy.settings;
  const theirs = fastifyPathSettings(fastify);
  if (ours.caseSensitive === theirs.caseSensitive && ours.strictTrailingSlash === theirs.strictTrailingSlash) return;
  warnedMatching = true;
  process.emitWarning(
    `hangup: the guard matches routes with caseSensitive: ${ours.caseSensitive}, strictTrailingSlash: ${ours.strictTrailingSlash}, ` +
      `but this Fastify router with caseSensitive: ${theirs.caseSensitive}, strictTrailingSlash: ${theirs.strictTrailingSlash}, so ` +
      'hangup allows paths Fastify then answers as unrouted (or the reverse). Build the guard with the same settings, or pass ' +
      "the policy's options to the plugin instead of a guard: it then follows Fastify's settings.",
    { code: 'HANGUP_FASTIFY_MATCHING' },
  );
}

function pluginGuard(options: HangupFastifyOptions | undefined, fastify: FastifyLike): Guard {
  const given = (options ?? {}) as Record<string, unknown>;
  const own = Object.fromEntries(Object.entries(given).filter(([key]) => !REGISTER_OPTIONS.has(key)));
  if (!('guard' in own)) {
    // The policy's options: routes match as Fastify's router does, unless the options say otherwise.
    return toGuard({ ...fastifyPathSettings(fastify), ...(own as HangupOptions) }, 'register(hangupFastify, options)');
  }
  if (!(own.guard instanceof Guard) || Object.keys(own).length > 1) {
    throw new HangupConfigError(
      'HANGUP_INVALID_OPTIONS',
      'register(hangupFastify, { guard })',
      `expected { guard } alone with a guard from hangup(), got guard ${show(own.guard)} and keys ${Object.keys(own).join(', ')}. ` +
        'Pass either { guard: hangup(options) } or the options themselves.',
    );
  }
  warnIfMatchingDiffers(own.guard, fastify);
  return own.guard;
}

function pluginErrorSettings(options: HangupFastifyOptions | undefined): FrameworkErrorSettings | null {
  const value = (options as { frameworkErrors?: unknown } | undefined)?.frameworkErrors;
  // Opt-in: without the option, Fastify's error handling is left as it is.
  if (value === undefined) return null;
  return compileFrameworkErrors(value, 'register(hangupFastify, { frameworkErrors })');
}

function plugin(instance: object, options: HangupFastifyOptions, done: (error?: Error) => void): void {
  if (typeof done !== 'function') {
    // hangupFastify(guard) called the Express way: Fastify would only say "done is not a function".
    throw new HangupConfigError(
      'HANGUP_INVALID_OPTIONS',
      'hangupFastify',
      'hangupFastify is the plugin itself: register it without calling it, app.register(hangupFastify, { guard }).',
    );
  }
  try {
    install(instance as FastifyLike, pluginGuard(options, instance as FastifyLike), pluginErrorSettings(options));
  } catch (error) {
    done(error as Error);
    return;
  }
  done();
}

function install(fastify: FastifyLike, guard: Guard, errorSettings: FrameworkErrorSettings | null): void {
  // Fastify({ http2: true }) (h2c, or https with or without allowHTTP1): protectServer() decides
  // every HTTP/2 stream before Fastify's compat 'request' listener; the hooks below are the same.
  const server = fastify.server as WrappedServer;
  if (server[WRAPPED] === guard) return;

  // Fastify's own clientError listener writes a JSON 400/408/431 whenever the socket is still
  // writable, which it is while protect() lets an earlier pipelined response finish. Remove it:
  // with the server protected, every parser error is the policy's (a drop).
  const fastifyClientError = server.listeners('clientError');
  protectServer(server, guard, 'fastify');
  continueWhenBodyIsRead(server, guard);
  for (const listener of fastifyClientError) server.removeListener('clientError', listener as () => void);

  // Decide before Fastify routes: a refused request never reaches Fastify's router, logger or hooks.
  for (const listener of server.listeners('request')) {
    server.removeListener('request', listener as () => void);
    server.on('request', guardListener(guard, listener as (req: IncomingMessage, res: ServerResponse) => void, maxParamLengthOf(fastify)));
  }
  server[WRAPPED] = guard;

  fastify.addHook('onRequest', function hangupOnRequest(request, reply, next) {
    const req = request.raw;
    const res = reply.raw;
    // A request that came through the wrapped listener is allowed already: asking again cost about
    // 1-2 µs per request. Those that bypass the server ('inject', a second server Fastify listens
    // on) are decided here.
    const watched = (res.writeHead as WriteHead)[WATCHING] === true;
    if (watched) stopWatching(res);
    if (watched && request.is404 !== true) {
      next();
      return;
    }
    const allowed = request.is404 === true ? guard.handleUnrouted(req, res, 'fastify') : guard.handle(req, res, 'fastify');
    if (allowed) next();
    else reply.hijack(); // and never call next(): no other hook, handler or 404 page runs
  });

  if (errorSettings !== null) {
    // onError hooks run once per error, before any error handler, and only on the error path.
    fastify.addHook('onError', function hangupOnError(request, reply, error, next) {
      if (frameworkErrorDecision(error, errorSettings) !== null) refuseIfUnanswered(guard, errorSettings, request, reply, error);
      next();
    });
  }
}

/**
 * Fastify hands an error to the app's `setErrorHandler` first; what no handler answers reaches
 * its default handler, which sends the error object itself (`reply.send(error)`) to be written as
 * JSON. So the error is refused when it comes back to `reply.send` unanswered: the app's handlers
 * run as usual, and any answer of their own (anything but this error) goes out untouched.
 */
function refuseIfUnanswered(
  guard: Guard,
  settings: FrameworkErrorSettings,
  request: RequestLike,
  reply: ReplyLike,
  error: unknown,
): void {
  const send = reply.send;
  (reply as { send: ReplyLike['send'] }).send = function hangupSend(this: ReplyLike, payload?: unknown): unknown {
    if (payload === error && refuseFrameworkError(guard, settings, error, request.raw, reply.raw, 'fastify')) {
      reply.hijack(); // Fastify writes nothing more for this reply
      return reply;
    }
    return send.call(this, payload);
  };
}

/**
 * Wraps Fastify's request listener: refuses before Fastify sees the request, and watches for an
 * answer Fastify writes before any hook runs (bad URL 400, over-long parameter 414).
 */
function guardListener(
  guard: Guard,
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  maxParamLength: number,
): (req: IncomingMessage, res: ServerResponse) => void {
  const writeHead = writeHeadBeforeHooks(guard);
  return function hangupFastifyListener(this: Server, req: IncomingMessage, res: ServerResponse): void {
    if (!guard.handle(req, res, 'fastify')) return;
    // Fastify answers before any hook only a path it cannot decode (FST_ERR_BAD_URL: a `%` in it)
    // or a parameter longer than maxParamLength (so a URL longer than that). Only such a request
    // is watched: the watch is a property added to the response, which every other request is spared.
    const url = req.url;
    if (typeof url !== 'string' || url.length > maxParamLength || url.indexOf('%') !== -1) res.writeHead = writeHead;
    listener.call(this, req, res);
  };
}

/** The shortest `maxParamLength` Fastify may apply (top level or `routerOptions`; 100 by default). */
function maxParamLengthOf(fastify: FastifyLike): number {
  const config = fastify.initialConfig;
  const values = [config?.maxParamLength, config?.routerOptions?.maxParamLength].filter(
    (value): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0,
  );
  return values.length === 0 ? 100 : Math.min(...values);
}

/** Node's own `writeHead` for `res` (its prototype's), put back once hooks run. */
function nodeWriteHead(res: ServerResponse): ServerResponse['writeHead'] {
  return (Object.getPrototypeOf(res) as ServerResponse).writeHead;
}

function stopWatching(res: ServerResponse): void {
  // Assigned rather than deleted: deleting an own property would turn the response into a slow
  // dictionary-mode object for the rest of its life.
  res.writeHead = nodeWriteHead(res);
}

/**
 * The `writeHead` every watched response gets: one function per server rather than a closure per
 * request (the closure and its rest-argument call measured about 0.9 µs per request on Fastify 5).
 * Called before any hook, a 4xx is Fastify refusing by itself (the app does not route the request),
 * so the policy's `unknownRoute` action applies instead.
 */
function writeHeadBeforeHooks(guard: Guard): WriteHead {
  const writeHead = function writeHead(this: ServerResponse, statusCode: number, reason?: unknown, headers?: unknown): ServerResponse {
    stopWatching(this);
    if (statusCode >= 400 && statusCode < 500 && !guard.handleUnrouted(this.req, this, 'fastify')) return this;
    return (this.writeHead as (this: ServerResponse, ...args: unknown[]) => ServerResponse).call(this, statusCode, reason, headers);
  } as WriteHead;
  writeHead[WATCHING] = true;
  return writeHead;
}

/**
 * The Fastify plugin (Fastify 4 and 5). Register it before routes and before other onRequest
 * hooks: `await app.register(hangupFastify, { guard })`. Carries what `fastify-plugin` would set
 * (no encapsulation, name `hangup`, `fastify: '4.x || 5.x'`), so Fastify checks the version range.
 */
export const hangupFastify: HangupFastifyPlugin = Object.assign(plugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: 'hangup',
  [Symbol.for('plugin-meta')]: { name: 'hangup', fastify: '4.x || 5.x' },
});

/**
 * Records the routes registered on a Fastify app from now on (Fastify's `onRoute` only sees later
 * routes), as hangup route specs. Read `.routes` once the app is ready; `.untranslated` lists
 * patterns (regular-expression parameters, ...) that could not be translated.
 */
export function collectRoutes(app: object): AppRoutes {
  const fastify = app as Partial<FastifyLike>;
  if (typeof fastify.addHook !== 'function') {
    throw new HangupConfigError('HANGUP_INVALID_OPTIONS', 'collectRoutes(app)', `expected a Fastify instance, got ${show(app)}.`);
  }
  const collector = new RouteCollector();
  fastify.addHook('onRoute', (route: RouteLike) => {
    const methods = (typeof route.method === 'string' ? [route.method] : [...(route.method ?? [])]).map((m) => m.toUpperCase());
    const url = route.url ?? '';
    collector.add(methods, translateSimplePath(url, 'Fastify (find-my-way)'), url);
  });
  return {
    get routes() {
      return collector.result().routes;
    },
    get untranslated() {
      return collector.result().untranslated;
    },
    get middleware() {
      return collector.result().middleware;
    },
  };
}

export default hangupFastify;
