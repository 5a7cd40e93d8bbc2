/**
 * `routesFrom(app)`: the routes an Express 4 or 5 app registered, as hangup route specs, so the
 * allowlist is not written twice. Reads `app._router.stack` (Express 4) or `app.router.stack`
 * (Express 5), descending into mounted routers; reports what it cannot translate.
 */
import { METHODS } from 'node:http';
import { HangupConfigError, show } from '../errors.js';
import { RouteCollector, translateSimplePath, type AppRoutes, type Translation } from './route-syntax.js';

export type { AppRoutes, UntranslatedRoute } from './route-syntax.js';

/** The parts of an Express router layer that are read. Express keeps them public but untyped. */
interface LayerLike {
  readonly name?: string;
  readonly handle?: { readonly stack?: unknown };
  readonly route?: { readonly path?: unknown; readonly methods?: Record<string, boolean> };
  /** Express 5 (router >= 2.3): the path the layer was mounted at, as written. */
  readonly rawPath?: unknown;
  /** Express 4: only the compiled mount path is kept. */
  readonly regexp?: RegExp & { readonly fast_slash?: boolean };
}

type Flavour = 'express4' | 'express5';

/** Middleware that hangup or Express itself installs and that never answers a request on its own. */
const SILENT_MIDDLEWARE = new Set(['query', 'expressInit', 'hangupMiddleware', 'hangupUnrouted']);

/** Express 4 keeps a mount path only compiled: `^\/api\/?(?=\/|$)` for `app.use('/api', ...)`. */
const EXPRESS4_MOUNT = /^\^((?:\\\/[A-Za-z0-9._~-]+)+)\\\/\?\(\?=\\\/\|\$\)$/;

/**
 * Reads the routes an Express 4 or 5 app, or an `express.Router()`, has registered so far (call it
 * after defining them). A router lets hangup be mounted first without ordering tricks: define the
 * routes on a router, read them, then `app.use(h)` and `app.use(router)`.
 * Returns route specs for `hangup({ routes })`, the routes it could not translate, and the
 * middleware that may answer requests no route names (e.g. `express.static`).
 */
export function routesFrom(app: object): AppRoutes {
  const root = routerOf(app);
  const collector = new RouteCollector();
  if (root !== undefined) walk(root.stack, '', root.flavour, collector);
  return collector.result();
}

function routerOf(app: object): { stack: readonly LayerLike[]; flavour: Flavour } | undefined {
  if (typeof app !== 'function' && (typeof app !== 'object' || app === null)) {
    throw new HangupConfigError('HANGUP_INVALID_OPTIONS', 'routesFrom(app)', `expected an Express app, got ${show(app)}.`);
  }
  const candidate = app as { _router?: { stack?: unknown }; lazyrouter?: unknown; router?: { stack?: unknown }; stack?: unknown; process_params?: unknown };
  // An express.Router() (its routes can be read before it is mounted): Express 4's has process_params.
  if (typeof app === 'function' && Array.isArray(candidate.stack)) {
    return { stack: candidate.stack as LayerLike[], flavour: typeof candidate.process_params === 'function' ? 'express4' : 'express5' };
  }
  // Express 4 creates `_router` lazily and throws from its `app.router` getter: never touch that one.
  if (typeof candidate.lazyrouter === 'function') {
    const stack = candidate._router?.stack;
    return Array.isArray(stack) ? { stack, flavour: 'express4' } : undefined;
  }
  const stack = candidate.router?.stack;
  if (Array.isArray(stack)) return { stack, flavour: 'express5' };
  throw new HangupConfigError(
    'HANGUP_INVALID_OPTIONS',
    'routesFrom(app)',
    'expected an Express 4 or 5 app (with app._router.stack or app.router.stack). For Fastify use collectRoutes(app) from hangup/fastify.',
  );
}

function walk(stack: readonly LayerLike[], prefix: string, flavour: Flavour, collector: RouteCollector): void {
  for (const layer of stack) {
    const route = layer.route;
    if (route !== undefined) {
      addRoute(route, prefix, flavour, collector);
      continue;
    }
    const name = layer.name ?? '<anonymous>';
    if (SILENT_MIDDLEWARE.has(name)) continue;
    const mount = mountPath(layer, flavour);
    const childStack = layer.handle?.stack;
    if (name === 'router' && Array.isArray(childStack) && mount !== undefined) {
      walk(childStack as LayerLike[], join(prefix, mount), flavour, collector);
    } else {
      collector.addMiddleware(mount === undefined ? `${prefix || '/'} (unknown mount path)` : join(prefix, mount) || '/', name);
    }
  }
}

function addRoute(route: NonNullable<LayerLike['route']>, prefix: string, flavour: Flavour, collector: RouteCollector): void {
  const flags = route.methods ?? {};
  const listed = Object.keys(flags).filter((m) => flags[m] === true).map((m) => m.toUpperCase());
  // app.all() sets `_all` (router 1.x) or registers every method Node knows one by one.
  const methods = flags._all === true || METHODS.every((m) => listed.includes(m)) ? null : listed;
  const paths = Array.isArray(route.path) ? (route.path as unknown[]).flat(Infinity) : [route.path];
  for (const path of paths) {
    const original = path instanceof RegExp ? String(path) : String(path);
    collector.add(methods, translate(path, prefix, flavour), join(prefix, original));
  }
}

function translate(path: unknown, prefix: string, flavour: Flavour): Translation {
  if (typeof path !== 'string') return { reason: 'a regular expression route has no path-to-regexp translation' };
  if (flavour === 'express5') return { path: join(prefix, path) || '/' };
  const translated = translateSimplePath(path, 'Express 4');
  return 'reason' in translated ? translated : { path: join(prefix, translated.path) || '/' };
}

/** The path a `use()` layer was mounted at, or undefined when it cannot be read back. */
function mountPath(layer: LayerLike, flavour: Flavour): string | undefined {
  if (flavour === 'express5') return typeof layer.rawPath === 'string' ? (layer.rawPath === '/' ? '' : layer.rawPath) : undefined;
  const regexp = layer.regexp;
  if (regexp === undefined) return undefined;
  if (regexp.fast_slash === true) return '';
  const found = EXPRESS4_MOUNT.exec(regexp.source);
  return found?.[1] === undefined ? undefined : found[1].replace(/\\\//g, '/');
}

function join(prefix: string, path: string): string {
  if (prefix === '') return path;
  return path === '/' ? prefix : `${prefix}${path}`;
}
