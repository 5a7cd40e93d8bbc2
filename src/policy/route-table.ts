import type { CompiledRoute, PathSettings } from './routes.js';
import { RouteTrie } from './route-trie.js';

/** What a lookup found: the route that allows this method and path, or why none did. */
export type RouteLookup =
  | { readonly kind: 'matched'; readonly route: CompiledRoute }
  | { readonly kind: 'method-not-allowed' }
  | { readonly kind: 'path-unknown' };

const METHOD_NOT_ALLOWED: RouteLookup = { kind: 'method-not-allowed' };
const PATH_UNKNOWN: RouteLookup = { kind: 'path-unknown' };

/**
 * The route allowlist. A segment trie narrows the table to the few routes the path can match, and
 * each candidate's own path-to-regexp regexp decides, so a lookup costs the same with 10 routes as
 * with 10,000. The result is what a loop over every route in the order written would give: the
 * first route that matches both path and method wins.
 */
export class RouteTable {
  /** Union of every route's methods, or `null` when some route allows any method. */
  readonly methods: ReadonlySet<string> | null;
  private readonly trie: RouteTrie;
  private readonly matched: readonly RouteLookup[];
  /** Reused by every lookup; a lookup runs to completion synchronously, so it is never shared. */
  private readonly candidates: (readonly number[])[] = [];

  constructor(
    readonly routes: readonly CompiledRoute[],
    settings: PathSettings,
  ) {
    let methods: Set<string> | null = new Set();
    this.trie = new RouteTrie(settings.caseSensitive);
    routes.forEach((route, index) => {
      if (route.methods === null) methods = null;
      else if (methods !== null) for (const m of route.methods) methods.add(m);
      this.trie.add(index, route.shapes);
    });
    this.methods = methods;
    this.matched = routes.map((route) => ({ kind: 'matched', route }));
  }

  /** Finds the route for `method` and the encoded `path`. Never throws. */
  lookup(method: string, path: string): RouteLookup {
    const lists = this.candidates;
    lists.length = 0;
    this.trie.collect(path, lists);
    if (lists.length === 0) return PATH_UNKNOWN;

    let best = this.routes.length;
    for (const list of lists) {
      for (const index of list) {
        if (index >= best) break;
        const route = this.routes[index] as CompiledRoute;
        if (allowsMethod(route, method) && route.test(path)) {
          best = index;
          break;
        }
      }
    }
    if (best < this.routes.length) return this.matched[best] as RouteLookup;

    // No route allows this method: tell a known path with the wrong method from an unknown path.
    for (const list of lists) {
      for (const index of list) {
        const route = this.routes[index] as CompiledRoute;
        if (!allowsMethod(route, method) && route.test(path)) return METHOD_NOT_ALLOWED;
      }
    }
    return PATH_UNKNOWN;
  }
}

function allowsMethod(route: CompiledRoute, method: string): boolean {
  return route.methods === null || route.methods.has(method);
}
