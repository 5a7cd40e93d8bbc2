/**
 * Translation of framework route patterns into hangup's (path-to-regexp 8) syntax, and the
 * collector that merges them into route specs. Only forms with one sure meaning are translated:
 * literal segments, `:name` parameters, an optional last parameter and a trailing wildcard.
 * Everything else (regular expressions, custom parameter patterns) is reported, never guessed.
 */

/** A route the app registered that hangup could not translate, and why. */
export interface UntranslatedRoute {
  /** Upper-case methods, or `['*']` for any method. */
  readonly methods: readonly string[];
  /** The pattern as the framework holds it (a RegExp is shown as its source). */
  readonly path: string;
  readonly reason: string;
}

/** What `routesFrom()` and `collectRoutes()` report. */
export interface AppRoutes {
  /** Route specs for `hangup({ routes })`, e.g. `'GET|POST /orders'`, in registration order. */
  readonly routes: readonly string[];
  /** Routes that could not be translated: add them by hand, or rely on fallback mode. */
  readonly untranslated: readonly UntranslatedRoute[];
  /** Middleware that may answer requests on paths no route names (static files, sub-apps). */
  readonly middleware: readonly { readonly path: string; readonly name: string }[];
}

/** A translated path, or the reason there is none. */
export type Translation = { readonly path: string } | { readonly reason: string };

const LITERAL = /^[A-Za-z0-9._~\-@$&',;=%]+$/;
const PARAM = /^:[A-Za-z_][A-Za-z0-9_]*$/;
const OPTIONAL_PARAM = /^:[A-Za-z_][A-Za-z0-9_]*\?$/;

/**
 * Translates the simple shared subset of Express 4 (path-to-regexp 0.1) and Fastify
 * (find-my-way) patterns: `/users/:id`, `/files/*` (rest of the path), `/posts/:slug?` (optional
 * last parameter). `syntax` names the framework in the reason when the path is outside the subset.
 */
export function translateSimplePath(path: string, syntax: string): Translation {
  if (path === '' || path === '/') return { path: '/' };
  if (!path.startsWith('/')) return { reason: `${syntax} path does not start with '/'` };
  const segments = path.slice(1).split('/');
  const out: string[] = [];
  let splats = 0;
  for (const [index, segment] of segments.entries()) {
    const last = index === segments.length - 1;
    if (segment === '' && last) out.push('/');
    else if (LITERAL.test(segment)) out.push(`/${segment}`);
    else if (PARAM.test(segment)) out.push(`/${segment}`);
    else if (OPTIONAL_PARAM.test(segment) && last) out.push(`{/${segment.slice(0, -1)}}`);
    else if (segment === '*' && last) out.push(`/{*splat${splats++ || ''}}`);
    else {
      return {
        reason: `${syntax} pattern ${JSON.stringify(segment)} has no sure translation (regular expression, custom parameter pattern or wildcard in the middle)`,
      };
    }
  }
  return { path: out.join('') };
}

/** Collects (methods, path) pairs and merges them by path into route specs. */
export class RouteCollector {
  private readonly byPath = new Map<string, Set<string> | null>();
  private readonly skipped: UntranslatedRoute[] = [];
  private readonly others: { path: string; name: string }[] = [];

  /** Records a route: `methods` upper-case, or `null` for any method. */
  add(methods: readonly string[] | null, translation: Translation, original: string): void {
    if ('reason' in translation) {
      const index = this.skipped.findIndex((u) => u.path === original);
      const earlier = this.skipped[index];
      // Fastify registers a HEAD twin of every GET route: one entry per pattern is enough.
      const merged = earlier === undefined ? (methods ?? ['*']) : [...new Set([...earlier.methods, ...(methods ?? ['*'])])];
      const entry = { methods: merged, path: original, reason: translation.reason };
      if (earlier === undefined) this.skipped.push(entry);
      else this.skipped[index] = entry;
      return;
    }
    const known = this.byPath.get(translation.path);
    if (methods === null || known === null) {
      this.byPath.set(translation.path, null);
      return;
    }
    const merged = known ?? new Set<string>();
    for (const method of methods) merged.add(method);
    this.byPath.set(translation.path, merged);
  }

  /** Records middleware that may answer requests by itself. */
  addMiddleware(path: string, name: string): void {
    this.others.push({ path, name });
  }

  /** The report so far. */
  result(): AppRoutes {
    const routes: string[] = [];
    for (const [path, methods] of this.byPath) {
      if (methods === null) {
        routes.push(path);
        continue;
      }
      // HEAD is implied by GET in hangup, as in both frameworks.
      const listed = [...methods].filter((m) => m !== 'HEAD' || !methods.has('GET'));
      routes.push(`${listed.join('|')} ${path}`);
    }
    return { routes, untranslated: [...this.skipped], middleware: [...this.others] };
  }
}
