import type { CompiledRoute, PathSettings } from './routes.js';
import type { Decision } from '../types.js';
import { Candidates, RouteTrie } from './route-trie.js';
import { decision } from './decisions.js';

/** What a lookup found: the route that allows this method and path, or why none did. */
export type RouteLookup =
  | {
      readonly kind: 'matched';
      readonly route: CompiledRoute;
      /** The shared `allow` decision for this route, built once rather than per request. */
      readonly decision: Decision;
    }
  | { readonly kind: 'method-not-allowed' }
  | { readonly kind: 'path-unknown' };

const METHOD_NOT_ALLOWED: RouteLookup = { kind: 'method-not-allowed' };
const PATH_UNKNOWN: RouteLookup = { kind: 'path-unknown' };

/**
 * The route allowlist. A segment trie finds the few routes the path can match (see `RouteTrie`),
 * so a lookup costs about the same with 10 routes as with 10,000. The result is what a loop over
 * every route's path-to-regexp regexp in the order written would give: the first route that
 * matches both path and method wins.
 */
export class RouteTable {
  /** Union of every route's methods, or `null` when some route allows any method. */
  readonly methods: ReadonlySet<string> | null;
  private readonly trie: RouteTrie;
  private readonly matched: readonly RouteLookup[];
  /** Reused by every lookup: a lookup runs to completion synchronously, so it is never shared. */
  private readonly candidates = new Candidates();

  constructor(
    readonly routes: readonly CompiledRoute[],
    settings: PathSettings,
  ) {
    let methods: Set<string> | null = new Set();
    this.trie = new RouteTrie(settings);
    routes.forEach((route, index) => {
      if (route.methods === null) methods = null;
      else if (methods !== null) for (const m of route.methods) methods.add(m);
      this.trie.add(index, route.shapes);
    });
    this.methods = methods;
    this.matched = routes.map((route) => ({ kind: 'matched', route, decision: decision('allow', 'route:matched', route.spec) }));
  }

  /** Finds the route for `method` and the encoded `path`. Never throws. */
  lookup(method: string, path: string): RouteLookup {
    return this.lookupIn(method, path, 0, path.length);
  }

  /**
   * Finds the route for `method` and the encoded path `text[start, end)`, e.g. the path part of a
   * request target. The path string is sliced only when a route's own regexp must test it.
   */
  lookupIn(method: string, text: string, start: number, end: number): RouteLookup {
    const found = this.candidates;
    found.reset();
    this.trie.collect(text, start, end, found);
    let path: string | undefined;

    let best = this.routes.length;
    for (let i = 0; i < found.sureCount; i++) {
      for (const index of found.sure[i] as readonly number[]) {
        if (index >= best) break;
        if (allowsMethod(this.routes[index] as CompiledRoute, method)) {
          best = index;
          break;
        }
      }
    }
    for (let i = 0; i < found.maybeCount; i++) {
      for (const index of found.maybe[i] as readonly number[]) {
        if (index >= best) break;
        const route = this.routes[index] as CompiledRoute;
        if (allowsMethod(route, method) && route.test((path ??= text.slice(start, end)))) {
          best = index;
          break;
        }
      }
    }
    if (best < this.routes.length) return this.matched[best] as RouteLookup;

    // No route allows this method: tell a known path with the wrong method from an unknown path.
    if (found.sureCount > 0) return METHOD_NOT_ALLOWED;
    for (let i = 0; i < found.maybeCount; i++) {
      for (const index of found.maybe[i] as readonly number[]) {
        const route = this.routes[index] as CompiledRoute;
        if (!allowsMethod(route, method) && route.test((path ??= text.slice(start, end)))) return METHOD_NOT_ALLOWED;
      }
    }
    return PATH_UNKNOWN;
  }
}

function allowsMethod(route: CompiledRoute, method: string): boolean {
  return route.methods === null || route.methods.has(method);
}
