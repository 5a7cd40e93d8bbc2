import type { CompiledRoute, PathSettings } from './routes.js';
import { staticKey } from './routes.js';

/** What a lookup found: the route that allows this method and path, or why none did. */
export type RouteLookup =
  | { readonly kind: 'matched'; readonly route: CompiledRoute }
  | { readonly kind: 'method-not-allowed' }
  | { readonly kind: 'path-unknown' };

const METHOD_NOT_ALLOWED: RouteLookup = { kind: 'method-not-allowed' };
const PATH_UNKNOWN: RouteLookup = { kind: 'path-unknown' };

/**
 * The route allowlist. Static paths are found with one map lookup; patterns with parameters are
 * tested in the order they were written. The first route that matches both path and method wins.
 */
export class RouteTable {
  /** Union of every route's methods, or `null` when some route allows any method. */
  readonly methods: ReadonlySet<string> | null;
  private readonly staticRoutes = new Map<string, CompiledRoute[]>();
  private readonly dynamicRoutes: CompiledRoute[] = [];
  private readonly lookups = new Map<CompiledRoute, RouteLookup>();

  constructor(
    readonly routes: readonly CompiledRoute[],
    private readonly settings: PathSettings,
  ) {
    let methods: Set<string> | null = new Set();
    for (const route of routes) {
      this.lookups.set(route, { kind: 'matched', route });
      if (route.methods === null) methods = null;
      else if (methods !== null) for (const m of route.methods) methods.add(m);
      if (route.staticPath !== null) {
        const list = this.staticRoutes.get(route.staticPath) ?? [];
        list.push(route);
        this.staticRoutes.set(route.staticPath, list);
      } else {
        this.dynamicRoutes.push(route);
      }
    }
    this.methods = methods;
  }

  /** Finds the route for `method` and the encoded `path`. Never throws. */
  lookup(method: string, path: string): RouteLookup {
    let pathMatched = false;
    const statics = this.staticRoutes.get(staticKey(path, this.settings));
    if (statics !== undefined) {
      for (const route of statics) {
        if (route.methods === null || route.methods.has(method)) return this.lookups.get(route) as RouteLookup;
      }
      pathMatched = true;
    }
    for (const route of this.dynamicRoutes) {
      if (!route.test(path)) continue;
      if (route.methods === null || route.methods.has(method)) return this.lookups.get(route) as RouteLookup;
      pathMatched = true;
    }
    return pathMatched ? METHOD_NOT_ALLOWED : PATH_UNKNOWN;
  }
}
