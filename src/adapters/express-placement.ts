/**
 * Where hangup's layers sit in an Express app, checked once at the first request: the misplaced
 * layers that would switch protection off quietly are each warned about once, with a code.
 */
import type { Guard } from '../guard.js';
import { isProtected } from '../server.js';

interface LayerLike {
  readonly name?: string;
  readonly route?: unknown;
}

/** The names Express gives the layers that can answer a request by themselves. */
const ANSWERING = new Set(['router', 'serveStatic', 'bound dispatch']);

/** The app's top-level layers (Express 4 `_router.stack`, Express 5 `router.stack`), or undefined. */
function layersOf(app: unknown): readonly LayerLike[] | undefined {
  if (typeof app !== 'function') return undefined;
  const candidate = app as { lazyrouter?: unknown; _router?: { stack?: unknown }; router?: { stack?: unknown } };
  // Express 4 throws from its `app.router` getter: read `_router` there.
  const stack = typeof candidate.lazyrouter === 'function' ? candidate._router?.stack : candidate.router?.stack;
  return Array.isArray(stack) ? (stack as LayerLike[]) : undefined;
}

const answers = (layer: LayerLike): boolean => layer.route !== undefined || ANSWERING.has(layer.name ?? '');

/** What is wrong with the placement of hangup's layers in `app`, as warnings (code, message). */
export function placementProblems(app: unknown, guard: Guard, serverProtected: boolean): [code: string, message: string][] {
  const layers = layersOf(app);
  if (layers === undefined) return [];
  const problems: [string, string][] = [];
  const middleware = layers.findIndex((l) => l.name === 'hangupMiddleware');
  const unrouted = layers.findIndex((l) => l.name === 'hangupUnrouted');
  if (!serverProtected && middleware > 0 && layers.slice(0, middleware).some(answers)) {
    problems.push([
      'HANGUP_MIDDLEWARE_AFTER_ROUTES',
      'hangup: app.use(hangupExpress(...)) is mounted after routes or routers, which answer their requests before it runs, ' +
        'unchecked. Mount it first, or protect the server (h.listen(app, ...) or guard.protect(server)): the server-level ' +
        'decision covers every route whatever the order.',
    ]);
  }
  if (unrouted === -1 && guard.policy.routeTable === null && guard.policy.settings.unknownRoute !== 'allow') {
    problems.push([
      'HANGUP_NO_UNROUTED',
      "hangup: no routes option and no h.unrouted: a path no route of the app answers gets Express's 404 page, which echoes " +
        'the path. Mount app.use(h.unrouted) after every route and static middleware (fallback mode), or give hangup the routes.',
    ]);
  }
  if (unrouted !== -1 && layers.slice(unrouted + 1).some(answers)) {
    problems.push([
      'HANGUP_UNROUTED_MISPLACED',
      'hangup: h.unrouted is mounted before routes or static middleware: it refuses their requests before they are answered. ' +
        'Mount it after every route, router and static middleware.',
    ]);
  }
  return problems;
}

const warned = new Set<string>();

/** Emits each placement problem once per process. */
export function warnAboutPlacement(app: unknown, guard: Guard, server: object | null | undefined): void {
  const serverProtected = server != null && isProtected(server as Parameters<typeof isProtected>[0], guard);
  for (const [code, message] of placementProblems(app, guard, serverProtected)) {
    if (warned.has(code)) continue;
    warned.add(code);
    process.emitWarning(message, { code });
  }
}
