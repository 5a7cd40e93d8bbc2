import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pathToRegexp } from 'path-to-regexp';
import { compileRoute, type PathSettings } from '../src/policy/routes.js';
import { RouteTable, type RouteLookup } from '../src/policy/route-table.js';
import { hangup, HangupConfigError } from '../src/index.js';

const EXPRESS: PathSettings = { caseSensitive: false, strictTrailingSlash: false };
const STRICT: PathSettings = { caseSensitive: true, strictTrailingSlash: true };

function table(specs: readonly string[], settings: PathSettings = EXPRESS): RouteTable {
  return new RouteTable(
    specs.map((spec, i) => compileRoute(spec, `routes[${i}]`, settings)),
    settings,
  );
}

/** The lookup as a comparable value: the matched spec, or the kind of miss. */
function outcome(found: RouteLookup): string {
  return found.kind === 'matched' ? found.route.spec : found.kind;
}

describe('RouteTable lookup', () => {
  it('finds static routes whatever the case, with or without one trailing slash', () => {
    const t = table(['GET /', 'GET /users', 'POST /orders']);
    assert.equal(outcome(t.lookup('GET', '/')), 'GET /');
    assert.equal(outcome(t.lookup('GET', '/USERS')), 'GET /users');
    assert.equal(outcome(t.lookup('GET', '/users/')), 'GET /users');
    assert.equal(outcome(t.lookup('HEAD', '/users')), 'GET /users');
    assert.equal(outcome(t.lookup('GET', '/users//')), 'path-unknown');
    assert.equal(outcome(t.lookup('GET', '/orders')), 'method-not-allowed');
    assert.equal(outcome(t.lookup('GET', '/nope')), 'path-unknown');
  });

  it('matches "//" to the root route, as path-to-regexp does with an optional trailing slash', () => {
    assert.equal(outcome(table(['GET /']).lookup('GET', '//')), 'GET /');
    assert.equal(outcome(table(['GET /'], STRICT).lookup('GET', '//')), 'path-unknown');
  });

  it('folds ASCII case only, as a case-insensitive RegExp does (no Kelvin sign, no dotted I)', () => {
    const t = table(['GET /k', 'GET /i']);
    assert.equal(outcome(t.lookup('GET', '/K')), 'GET /k');
    assert.equal(outcome(t.lookup('GET', '/\u212a')), 'path-unknown');
    assert.equal(outcome(t.lookup('GET', '/\u0130')), 'path-unknown');
  });

  it('respects caseSensitive and strictTrailingSlash', () => {
    const t = table(['GET /Users', 'GET /a/:id'], STRICT);
    assert.equal(outcome(t.lookup('GET', '/Users')), 'GET /Users');
    assert.equal(outcome(t.lookup('GET', '/users')), 'path-unknown');
    assert.equal(outcome(t.lookup('GET', '/Users/')), 'path-unknown');
    assert.equal(outcome(t.lookup('GET', '/a/1/')), 'path-unknown');
  });

  it('matches parameters, wildcards, optional groups and mixed segments with path-to-regexp 8 semantics', () => {
    const t = table([
      'GET /users/:id',
      'GET /files/*path',
      'GET /docs{/:page}',
      'GET /img/:name.png',
      'GET /v{:major}/status',
      'GET /:lang/about',
    ]);
    assert.equal(outcome(t.lookup('GET', '/users/42')), 'GET /users/:id');
    assert.equal(outcome(t.lookup('GET', '/users/')), 'path-unknown');
    assert.equal(outcome(t.lookup('GET', '/users/1/2')), 'path-unknown');
    assert.equal(outcome(t.lookup('GET', '/files/a/b/c.txt')), 'GET /files/*path');
    assert.equal(outcome(t.lookup('GET', '/files')), 'path-unknown');
    assert.equal(outcome(t.lookup('GET', '/docs')), 'GET /docs{/:page}');
    assert.equal(outcome(t.lookup('GET', '/docs/intro/')), 'GET /docs{/:page}');
    assert.equal(outcome(t.lookup('GET', '/IMG/logo.PNG')), 'GET /img/:name.png');
    assert.equal(outcome(t.lookup('GET', '/img/logo.gif')), 'path-unknown');
    assert.equal(outcome(t.lookup('GET', '/v/status')), 'GET /v{:major}/status');
    assert.equal(outcome(t.lookup('GET', '/v2/status')), 'GET /v{:major}/status');
    assert.equal(outcome(t.lookup('GET', '/fr/about')), 'GET /:lang/about');
  });

  it('reports the first route written that matches, static or not', () => {
    const t = table(['GET /users/:id', 'GET /users/me']);
    assert.equal(outcome(t.lookup('GET', '/users/me')), 'GET /users/:id');
    const u = table(['POST /users/:id', 'GET /users/me', '/users/*rest']);
    assert.equal(outcome(u.lookup('GET', '/users/me')), 'GET /users/me');
    assert.equal(outcome(u.lookup('POST', '/users/me')), 'POST /users/:id');
    assert.equal(outcome(u.lookup('DELETE', '/users/me')), '/users/*rest');
  });

  it('matches the encoded path and never decodes it, so broken escapes cannot throw', () => {
    const t = table(['GET /caf\u00e9', 'GET /f/:name', 'GET /s/*rest']);
    assert.equal(outcome(t.lookup('GET', '/caf%C3%A9')), 'GET /caf\u00e9');
    assert.equal(outcome(t.lookup('GET', '/caf%c3%a9')), 'GET /caf\u00e9');
    assert.equal(outcome(t.lookup('GET', '/caf\u00e9')), 'path-unknown');
    assert.equal(outcome(t.lookup('GET', '/f/%E0%A4%A')), 'GET /f/:name');
    assert.equal(outcome(t.lookup('GET', '/s/%E0%A4%A/%')), 'GET /s/*rest');
  });

  it('answers paths that do not start with "/" and very long paths without throwing', () => {
    const t = table(['GET /a/:id', 'GET /*all']);
    assert.equal(outcome(t.lookup('GET', '*')), 'path-unknown');
    assert.equal(outcome(t.lookup('GET', '')), 'path-unknown');
    assert.equal(outcome(t.lookup('GET', 'http://x/a/1')), 'path-unknown');
    assert.equal(outcome(t.lookup('GET', '/a/'.repeat(20_000))), 'GET /*all');
    assert.equal(outcome(table(['GET /a/:id']).lookup('GET', '/a/'.repeat(20_000))), 'path-unknown');
  });

  it('keeps the 256-alternative cap: 8 optional groups compile, 9 throw HangupConfigError naming the route', () => {
    const groups = (n: number): string => `GET /x${'{/o}'.repeat(n)}`;
    const t = table([groups(8)]);
    assert.equal(outcome(t.lookup('GET', '/x/o/o/o')), groups(8));
    assert.throws(
      () => hangup({ routes: ['GET /', groups(9)] }),
      (error: unknown) =>
        error instanceof HangupConfigError &&
        error.code === 'HANGUP_INVALID_ROUTE' &&
        error.option === 'routes[1]' &&
        error.message.includes('Too many path combinations'),
    );
  });

  it('looks up the same way through decide() with 10,000 routes', () => {
    const routes = Array.from({ length: 10_000 }, (_, i) => (i % 2 === 0 ? `GET /r${i}/:id` : `GET /r${i}`));
    const guard = hangup({ routes, detectors: {} });
    const head = (url: string) => ({ method: 'GET', url, httpVersion: '1.1', headers: { host: 'h' }, rawHeaders: ['Host', 'h'] });
    assert.deepEqual(guard.decide(head('/r9998/7')), { action: 'allow', reason: 'route:matched', rule: 'GET /r9998/:id' });
    assert.deepEqual(guard.decide(head('/r9999')), { action: 'allow', reason: 'route:matched', rule: 'GET /r9999' });
    assert.equal(guard.decide(head('/r9999/7')).reason, 'route:unknown');
  });
});

// ---------------------------------------------------------------------------------------------
// Differential property test: the indexed lookup against a plain loop over path-to-regexp.

/** Route text outside `!`..`~` is matched percent-encoded, as compileRoute does. */
const encodePath = (text: string): string => text.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));

/**
 * The reference: every route compiled straight with path-to-regexp 8 (one trailing slash of the
 * written path dropped unless strict, as Express does) and tried in the order written.
 */
function naiveLookup(specs: readonly string[], settings: PathSettings): (method: string, path: string) => string {
  const routes = specs.map((spec) => {
    const space = spec.indexOf(' ');
    const methods = space === -1 ? null : new Set(spec.slice(0, space).split('|'));
    if (methods?.has('GET')) methods.add('HEAD');
    let path = space === -1 ? spec : spec.slice(space + 1);
    if (!settings.strictTrailingSlash && path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
    const { regexp } = pathToRegexp(path, {
      sensitive: settings.caseSensitive,
      trailing: !settings.strictTrailingSlash,
      encodePath,
    });
    return { spec, methods, regexp };
  });
  return (method, path) => {
    let pathMatched = false;
    for (const route of routes) {
      if (!route.regexp.test(path)) continue;
      if (route.methods === null || route.methods.has(method)) return route.spec;
      pathMatched = true;
    }
    return pathMatched ? 'method-not-allowed' : 'path-unknown';
  };
}

const words = ['a', 'b', 'A', 'users', 'Users', 'v1', 'x.json', 'caf\u00e9', '%41', 'k'];
const pathWords = [
  ...words,
  '',
  'B',
  'USERS',
  'X.JSON',
  'caf%C3%A9',
  'caf%c3%a9',
  '\u212a',
  '\u0130',
  'file-1',
  'f.png',
  '42',
  '%E0%A4%A',
  '%',
  'v',
];

/** One route segment: static text, a parameter, a wildcard, text and parameter mixed, or an optional group. */
const segmentArb: fc.Arbitrary<(n: number) => string> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...words).map((w) => () => w) },
  { weight: 3, arbitrary: fc.constant((n: number) => `:p${n}`) },
  { weight: 1, arbitrary: fc.constant((n: number) => `*w${n}`) },
  { weight: 1, arbitrary: fc.constantFrom('file-:p', ':p.png', 'v{:p}').map((s) => (n: number) => s.replace(':p', `:p${n}`)) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(fc.constantFrom(...words), fc.constantFrom('{/%s}', '{/:o%n}', '%s{/:o%n}', '{/%s/:o%n}', '{.:o%n}'))
      .map(([w, form]) => (n: number) => form.replace('%s', w).replace('%n', String(n))),
  },
);

const routeArb: fc.Arbitrary<string> = fc
  .record({
    methods: fc.constantFrom('', 'GET ', 'POST ', 'GET|POST ', 'DELETE '),
    segments: fc.array(segmentArb, { minLength: 0, maxLength: 4 }),
    trailing: fc.boolean(),
  })
  .map(({ methods, segments, trailing }) => {
    // A group form that starts with '{' or '.' attaches to the previous segment rather than opening one.
    let path = '';
    segments.forEach((make, n) => {
      const text = make(n);
      path += text.startsWith('{/') || text.startsWith('{.') ? text : `/${text}`;
    });
    if (path === '' || !path.startsWith('/')) path = `/${path}`;
    return `${methods}${path}${trailing && path !== '/' ? '/' : ''}`;
  });

const pathArb: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .record({ parts: fc.array(fc.constantFrom(...pathWords), { minLength: 0, maxLength: 6 }), trailing: fc.boolean() })
      .map(({ parts, trailing }) => `/${parts.join('/')}${trailing ? '/' : ''}`),
  },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map((s) => `/${s}`) },
);

const settingsArb: fc.Arbitrary<PathSettings> = fc.record({ caseSensitive: fc.boolean(), strictTrailingSlash: fc.boolean() });

/** The specs that compile; path-to-regexp rejects a few generated ones (e.g. two parameters with no text between). */
function compilable(specs: readonly string[], settings: PathSettings): string[] {
  return specs.filter((spec) => {
    try {
      compileRoute(spec, 'routes', settings);
      return true;
    } catch {
      return false;
    }
  });
}

describe('RouteTable against a loop over path-to-regexp (fast-check)', () => {
  it('returns the same route, method mismatch or miss for random tables and paths', () => {
    let compared = 0;
    fc.assert(
      fc.property(
        fc.array(routeArb, { minLength: 1, maxLength: 25 }),
        fc.array(pathArb, { minLength: 1, maxLength: 20 }),
        fc.constantFrom('GET', 'HEAD', 'POST', 'DELETE'),
        settingsArb,
        (generated, paths, method, settings) => {
          const specs = compilable(generated, settings);
          const indexed = table(specs, settings);
          const naive = naiveLookup(specs, settings);
          for (const path of paths) {
            assert.equal(outcome(indexed.lookup(method, path)), naive(method, path), `${method} ${JSON.stringify(path)}`);
            compared++;
          }
        },
      ),
      { numRuns: 1500 },
    );
    assert.ok(compared > 5_000, `compared only ${compared} lookups`);
  });

  it('finds every path built from a route (hits, not only misses)', () => {
    let hits = 0;
    fc.assert(
      fc.property(fc.array(routeArb, { minLength: 1, maxLength: 25 }), settingsArb, (generated, settings) => {
        const specs = compilable(generated, settings);
        const indexed = table(specs, settings);
        const naive = naiveLookup(specs, settings);
        for (const spec of specs) {
          // Fill every parameter and wildcard with a value and keep every optional group.
          const path = spec
            .replace(/^[A-Z|]+ /, '')
            .replace(/[{}]/g, '')
            .replace(/[:*][a-z]\d+/g, 'val');
          for (const candidate of [path, path.toUpperCase(), `${path}/`]) {
            const expected = naive('GET', candidate);
            assert.equal(outcome(indexed.lookup('GET', candidate)), expected, `GET ${JSON.stringify(candidate)} in ${JSON.stringify(specs)}`);
            if (expected !== 'path-unknown') hits++;
          }
        }
      }),
      { numRuns: 500 },
    );
    assert.ok(hits > 1_000, `only ${hits} hits`);
  });
});
