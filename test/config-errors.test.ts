import { test } from 'node:test';
import assert from 'node:assert/strict';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express4 from 'express4';
import express5 from 'express5';
import fastify5 from 'fastify5';
import { hangup, notFound, HangupConfigError, type HangupOptions } from '../src/index.js';
import { hangupExpress } from '../src/adapters/express.js';
import { hangupFastify } from '../src/adapters/fastify.js';
import { rawRequest, head } from './helpers/raw-client.js';
import { listen, close } from './helpers/servers.js';

/** Asserts that `options` throws a HangupConfigError with `code`, naming `option` and matching `hint`. */
function rejects(options: unknown, code: string, option: string, hint: RegExp): void {
  assert.throws(
    () => hangup(options as HangupOptions),
    (error: unknown) => {
      assert.ok(error instanceof HangupConfigError, `not a HangupConfigError: ${String(error)}`);
      assert.equal(error.code, code);
      assert.equal(error.option, option);
      assert.match(error.message, new RegExp(`^hangup: ${option.replace(/[[\]().]/g, '\\$&')}: `));
      assert.match(error.message, hint);
      return true;
    },
  );
}

test('unknown options name the typo and suggest the fix', () => {
  rejects({ route: ['GET /'] }, 'HANGUP_UNKNOWN_OPTION', 'route', /did you mean 'routes'\?/);
  rejects({ host: ['a'] }, 'HANGUP_UNKNOWN_OPTION', 'host', /did you mean 'hosts'\?/);
  rejects({ unknownRoutes: 'drop' }, 'HANGUP_UNKNOWN_OPTION', 'unknownRoutes', /did you mean 'unknownRoute'\?/);
  rejects({ zzzzzz: 1 }, 'HANGUP_UNKNOWN_OPTION', 'zzzzzz', /Known options: routes, hosts/);
  rejects({ detectors: { dotSegment: false } }, 'HANGUP_UNKNOWN_OPTION', 'detectors.dotSegment', /did you mean 'dotSegments'\?/);
});

test('options must be an object', () => {
  rejects('GET /', 'HANGUP_INVALID_OPTIONS', 'options', /expected an object/);
  rejects([], 'HANGUP_INVALID_OPTIONS', 'options', /expected an object/);
});

test('bad routes name the index, the value and the syntax to use', () => {
  rejects({ routes: 'GET /' }, 'HANGUP_INVALID_ROUTE', 'routes', /expected an array of strings/);
  rejects({ routes: ['GET /', 42] }, 'HANGUP_INVALID_ROUTE', 'routes[1]', /got 42/);
  rejects({ routes: ['users'] }, 'HANGUP_INVALID_ROUTE', 'routes[0]', /no path starting with '\/'/);
  rejects({ routes: ['GET /files/*'] }, 'HANGUP_INVALID_ROUTE', 'routes[0]', /not a valid path-to-regexp 8 pattern.*'\*name'/);
  rejects({ routes: ['GET /users/:'] }, 'HANGUP_INVALID_ROUTE', 'routes[0]', /path-to-regexp/);
  rejects({ routes: ['GET /a/:id?'] }, 'HANGUP_INVALID_ROUTE', 'routes[0]', /optional parts/);
  rejects({ routes: ['FETCH /x'] }, 'HANGUP_INVALID_METHOD', 'routes[0]', /"FETCH".*not an HTTP method/);
  rejects({ routes: ['GET,POST /x'] }, 'HANGUP_INVALID_METHOD', 'routes[0]', /Separate methods with '\|'/);
});

test('bad hosts explain the accepted forms', () => {
  rejects({ hosts: [] }, 'HANGUP_INVALID_HOST', 'hosts', /omit 'hosts'/);
  rejects({ hosts: ['*'] }, 'HANGUP_INVALID_HOST', 'hosts[0]', /Omit the 'hosts' option/);
  rejects({ hosts: ['https://example.com'] }, 'HANGUP_INVALID_HOST', 'hosts[0]', /without scheme, port or path/);
  rejects({ hosts: ['example.com:8080'] }, 'HANGUP_INVALID_HOST', 'hosts[0]', /without scheme, port or path/);
  rejects({ hosts: ['a', 'bad host'] }, 'HANGUP_INVALID_HOST', 'hosts[1]', /not a host name/);
  rejects({ hosts: [null] }, 'HANGUP_INVALID_HOST', 'hosts[0]', /got null/);
});

test('bad actions, close modes, flags, detectors and rules', () => {
  rejects({ unknownRoute: '404' }, 'HANGUP_INVALID_ACTION', 'unknownRoute', /'drop', 'notFound' or 'allow'/);
  rejects({ close: 'rst' }, 'HANGUP_INVALID_OPTIONS', 'close', /'fin' or 'reset'/);
  rejects({ caseSensitive: 'yes' }, 'HANGUP_INVALID_OPTIONS', 'caseSensitive', /true or false/);
  rejects({ detectors: true }, 'HANGUP_INVALID_DETECTOR', 'detectors', /object of switches/);
  rejects({ detectors: { dotSegments: 'off' } }, 'HANGUP_INVALID_OPTIONS', 'detectors.dotSegments', /true or false/);
  rejects({ rules: notFound('GET /x') }, 'HANGUP_INVALID_RULE', 'rules', /expected an array/);
  rejects({ rules: ['GET /x'] }, 'HANGUP_INVALID_RULE', 'rules[0]', /built with allow\(\), notFound\(\) or drop\(\)/);
  rejects({ rules: [notFound('GET /ok'), notFound('favicon.ico')] }, 'HANGUP_INVALID_ROUTE', 'rules[1]', /no path starting with/);
  rejects({ rules: [notFound([])] }, 'HANGUP_INVALID_RULE', 'rules[0]', /empty list/);
  rejects({ rules: [notFound(42 as unknown as string)] }, 'HANGUP_INVALID_RULE', 'rules[0]', /got 42/);
});

test('every error has a stable code and the fix in the message, and valid options do not throw', () => {
  assert.doesNotThrow(() => hangup());
  assert.doesNotThrow(() => hangup({}));
  assert.doesNotThrow(() =>
    hangup({ hosts: ['example.com', '*.example.com', '[::1]', '127.0.0.1', 'EXAMPLE.org.'], routes: ['get /x', '* /y', 'GET|post /z/:id'] }),
  );
});

/** Asserts that `make()` throws a HangupConfigError naming `option` whose message matches `hint`. */
function throwsConfig(make: () => unknown, option: string, hint: RegExp): void {
  assert.throws(make, (error: unknown) => {
    assert.ok(error instanceof HangupConfigError, `not a HangupConfigError: ${String(error)}`);
    assert.equal(error.option, option);
    assert.match(error.message, hint);
    return true;
  });
}

test('words people write for drop, allow and notFound get a "did you mean", in rule objects and actions', () => {
  for (const word of ['deny', 'block', 'reject', 'refuse', 'Deny', '444']) {
    rejects({ rules: [{ [word]: '/x' }] }, 'HANGUP_INVALID_RULE', `rules[0].${word}`, /unknown key; did you mean 'drop'\?/);
  }
  rejects({ rules: [{ notFound: '/a' }, { permit: 'GET /b' }] }, 'HANGUP_INVALID_RULE', 'rules[1].permit', /did you mean 'allow'\?/);
  rejects({ rules: [{ accept: 'GET /b' }] }, 'HANGUP_INVALID_RULE', 'rules[0].accept', /did you mean 'allow'\?/);
  rejects({ rules: [{ '404': 'GET /favicon.ico' }] }, 'HANGUP_INVALID_RULE', 'rules[0].404', /did you mean 'notFound'\?/);
  rejects({ rules: [{ not_found: 'GET /favicon.ico' }] }, 'HANGUP_INVALID_RULE', 'rules[0].not_found', /did you mean 'notFound'\?/);
  rejects({ unknownRoute: 'deny' }, 'HANGUP_INVALID_ACTION', 'unknownRoute', /got "deny"\. Did you mean 'drop'\?/);
  rejects({ unknownRoute: '404' }, 'HANGUP_INVALID_ACTION', 'unknownRoute', /got "404"\. Did you mean 'notFound'\?/);
  rejects({ unknownRoute: 'notfound' }, 'HANGUP_INVALID_ACTION', 'unknownRoute', /Did you mean 'notFound'\?/);
  rejects({ unknownRoute: 'permit' }, 'HANGUP_INVALID_ACTION', 'unknownRoute', /Did you mean 'allow'\?/);
  rejects({ close: 'rst' }, 'HANGUP_INVALID_OPTIONS', 'close', /Did you mean 'reset'\?/);
  rejects({ domains: ['example.com'] }, 'HANGUP_UNKNOWN_OPTION', 'domains', /did you mean 'hosts'\?/);
  rejects({ paths: ['GET /'] }, 'HANGUP_UNKNOWN_OPTION', 'paths', /did you mean 'routes'\?/);
  // A name with neither a synonym nor a near spelling still gets the list, and no wrong guess.
  rejects({ rules: [{ zzzz: '/x' }] }, 'HANGUP_INVALID_RULE', 'rules[0].zzzz', /^hangup: rules\[0\]\.zzzz: unknown key A rule object has one of allow, notFound, drop/);
});

test('{ gaurd: guard } gets "did you mean \'guard\'", said the way each adapter takes a guard', async () => {
  const guard = hangup({ routes: ['GET /'] });
  // hangup() itself: a guard goes to an adapter.
  rejects({ gaurd: guard }, 'HANGUP_UNKNOWN_OPTION', 'gaurd', /did you mean 'guard'\? A guard goes to an adapter \(hangupExpress\(guard\), or register\(hangupFastify, \{ guard \}\)\), not to hangup\(\)\./);
  rejects({ guard }, 'HANGUP_UNKNOWN_OPTION', 'guard', /A guard goes to an adapter/);
  // Express takes the guard itself.
  throwsConfig(() => hangupExpress({ gaurd: guard } as HangupOptions), 'hangupExpress(guard | options)', /unknown option "gaurd": hangupExpress takes the guard itself, not an object holding it\. Write hangupExpress\(guard\)/);
  throwsConfig(() => hangupExpress({ guard } as HangupOptions), 'hangupExpress(guard | options)', /unknown option "guard": hangupExpress takes the guard itself/);
  throwsConfig(() => hangupExpress(guard, { frameworkError: 'refuse' } as object), 'hangupExpress(guard, options)', /Did you mean 'frameworkErrors'\?/);
  throwsConfig(() => hangupExpress(guard, { routes: ['GET /'] } as object), 'hangupExpress(guard, options)', /'routes' is an option of the policy: it goes to hangup\(\)/);
  // Fastify takes { guard }: register() fails at ready() with the hint.
  for (const [options, key] of [[{ gaurd: guard }, 'gaurd'], [{ guadr: guard }, 'guadr'], [{ hangup: guard }, 'hangup']] as const) {
    const app = fastify5();
    await app.register(hangupFastify, options as never).then(
      () => assert.fail(`register(hangupFastify, { ${key} }) did not fail`),
      (error: unknown) => {
        assert.ok(error instanceof HangupConfigError, String(error));
        assert.match(error.message, new RegExp(`^hangup: register\\(hangupFastify, options\\): unknown option "${key}"; did you mean 'guard'\\? Write register\\(hangupFastify, \\{ guard: hangup\\(options\\) \\}\\)`));
      },
    );
    await app.close();
  }
});

/** Collects the process warnings with `code` emitted while `run` runs. */
async function warningsDuring(code: string, run: () => Promise<void>): Promise<Error[]> {
  const seen: Error[] = [];
  const onWarning = (warning: Error & { code?: string }): void => {
    if (warning.code === code) seen.push(warning);
  };
  process.on('warning', onWarning);
  try {
    await run();
    await new Promise((resolve) => setImmediate(resolve)); // warnings are emitted on the next tick
  } finally {
    process.off('warning', onWarning);
  }
  return seen;
}

for (const [name, makeApp] of [['Express 4', express4], ['Express 5', express5]] as const) {
  test(`${name}: app.use(hangupExpress) without calling it drops every request with zero bytes, throws "call it", warns once`, async () => {
    const app = makeApp();
    app.set('env', 'test'); // finalhandler would print the error; the test reads it instead
    app.use(hangupExpress as never);
    app.get('/', (_req: unknown, res: { end(text: string): void }) => res.end('home\n'));
    const errors: unknown[] = [];
    app.use((error: unknown, _req: unknown, _res: unknown, next: (error: unknown) => void) => {
      errors.push(error);
      next(error);
    });
    const server = http.createServer(app as unknown as http.RequestListener);
    const port = await listen(server);
    try {
      const warnings = await warningsDuring('HANGUP_FACTORY_NOT_CALLED', async () => {
        for (const path of ['/', '/.env', '/']) {
          const result = await rawRequest(port, head(`GET ${path} HTTP/1.1`, 'Host: localhost'));
          assert.equal(result.text, '', `${path}: bytes on the wire`);
          assert.equal(result.ending, 'fin', path);
        }
      });
      assert.equal(warnings.length <= 1, true, 'one warning per process');
      assert.equal(errors.length, 3);
      for (const error of errors) {
        assert.ok(error instanceof HangupConfigError);
        assert.equal(error.option, 'app.use(hangupExpress)');
        assert.match(error.message, /^hangup: app\.use\(hangupExpress\): hangupExpress was called with a request: it was mounted as a middleware without being called, so nothing is protected\. Call it: app\.use\(hangupExpress\(guard\)\)\. Until then every request is dropped\.$/);
      }
    } finally {
      await close(server);
    }
  });
}

test('the HANGUP_FACTORY_NOT_CALLED warning: once per process per factory, with the fix', async () => {
  // A fresh process, so "once" is not hidden by an earlier test's warning.
  const { spawnSync } = await import('node:child_process');
  const script = `
    import http from 'node:http';
    import express from 'express5';
    import { hangup } from './src/index.ts';
    import { hangupExpress } from './src/adapters/express.ts';
    const codes = [];
    process.on('warning', (w) => codes.push(w.code + ': ' + w.message));
    const app = express();
    app.set('env', 'test');
    app.use(hangupExpress);
    const other = express();
    other.set('env', 'test');
    other.use(hangup);
    const servers = [http.createServer(app), http.createServer(other)];
    const net = await import('node:net');
    for (const server of servers) {
      await new Promise((r) => server.listen(0, '127.0.0.1', r));
      for (let i = 0; i < 3; i++) {
        await new Promise((resolve) => {
          const socket = net.connect(server.address().port, '127.0.0.1', () => socket.write('GET / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n'));
          let bytes = 0;
          socket.on('data', (d) => (bytes += d.length));
          socket.on('close', () => { if (bytes !== 0) codes.push('BYTES ' + bytes); resolve(); });
        });
      }
      server.close();
    }
    await new Promise((r) => setImmediate(r));
    console.log(JSON.stringify(codes));
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.status, 0, run.stderr);
  const codes = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '[]') as string[];
  assert.deepEqual(codes, [
    'HANGUP_FACTORY_NOT_CALLED: hangup: hangupExpress was called with a request: it was mounted as a middleware without being called, so nothing is protected. Call it: app.use(hangupExpress(guard)). Until then every request is dropped.',
    'HANGUP_FACTORY_NOT_CALLED: hangup: hangup() was called with a request: it was mounted as a middleware without being called, so nothing is protected. Call it: mount an adapter, app.use(hangupExpress(hangup(options))), or protect the server with guard.protect(server). Until then every request is dropped.',
  ]);
});

/** Resolves with the server once its listen callback ran, or rejects after 2 s (the callback was dropped). */
function listening(start: (callback: () => void) => Server): Promise<Server> {
  return new Promise((resolve, reject) => {
    let server: Server | undefined;
    const timer = setTimeout(() => {
      server?.close();
      reject(new Error('the listen callback was never called'));
    }, 2000);
    server = start(() => {
      clearTimeout(timer);
      resolve(server as Server);
    });
  });
}

test('h.listen(app, ...) takes what server.listen() takes: (port, callback), (port, host, callback), (options, callback)', async () => {
  const app = express5();
  app.get('/', (_req, res) => {
    res.end('home\n');
  });
  const h = hangupExpress(hangup({ routes: ['GET /'] }));
  app.use(h);
  const checks: [string, (callback: () => void) => Server, string][] = [
    ['(app, 0, callback)', (callback) => h.listen(app, 0, callback), '::'],
    ['(app, 0, host, callback)', (callback) => h.listen(app, 0, '127.0.0.1', callback), '127.0.0.1'],
    ['(app, 0, host, backlog, callback)', (callback) => h.listen(app, 0, '127.0.0.1', 16, callback), '127.0.0.1'],
    ['(app, options, callback)', (callback) => h.listen(app, { port: 0, host: '127.0.0.1' }, callback), '127.0.0.1'],
  ];
  for (const [form, start, address] of checks) {
    const server = await listening(start);
    try {
      const bound = server.address() as AddressInfo;
      // (port, callback) binds every interface, as app.listen(port, callback) does.
      assert.equal(bound.address, address, form);
      const home = await rawRequest(bound.port, head('GET / HTTP/1.1', 'Host: a'));
      assert.match(home.text, /^HTTP\/1\.1 200 OK\r\n[^]*home\n$/, form);
      // The server is protected: Node's own 400 for garbage becomes a drop.
      const garbage = await rawRequest(bound.port, 'NOT HTTP AT ALL\r\n\r\n');
      assert.equal(garbage.text, '', form);
      const unknown = await rawRequest(bound.port, head('GET /.env HTTP/1.1', 'Host: a'));
      assert.equal(unknown.text, '', form);
    } finally {
      await close(server);
    }
  }
  assert.throws(() => h.listen(3000 as never), /listen\(app, \.\.\.\): expected an Express app \(a function\) first, got 3000\. Write h\.listen\(app, 3000\)\./);
});

/** Compile-time only (tsc runs over test/): never called. */
function typeChecks(): void {
  const guard = hangup({ routes: ['GET /'] });
  // @ts-expect-error the factory, not the middleware: call it, app.use(hangupExpress(guard))
  express5().use(hangupExpress);
  // @ts-expect-error the same on Express 4
  express4().use(hangupExpress);
  express5().use(hangupExpress(guard));

  // Options kept in a const: a plain object widens 'drop' to string, which is not an Action.
  const widened = { unknownRoute: 'drop' };
  // @ts-expect-error Type 'string' is not assignable to type 'Action | undefined': say what the object is
  hangup(widened);
  // Each of these keeps the literal types, and reports a typo where it is written:
  const annotated: HangupOptions = { unknownRoute: 'drop', routes: ['GET /'] };
  const satisfying = { unknownRoute: 'notFound', hosts: ['example.com'] } satisfies HangupOptions;
  const constant = { unknownRoute: 'drop', rules: [{ notFound: 'GET /favicon.ico' }] } as const;
  hangup(annotated);
  hangup(satisfying);
  hangup(constant);
  // @ts-expect-error a typo is caught where the object is written
  const typo = { unknownRoute: 'dorp' } satisfies HangupOptions;
  void typo;

  // listen() overloads, as server.listen().
  const h = hangupExpress(guard);
  const app = express5();
  h.listen(app, 3000, () => undefined);
  h.listen(app, 3000, '127.0.0.1', () => undefined);
  h.listen(app, { port: 3000, host: '127.0.0.1' }, () => undefined);
  h.listen(app);
  // @ts-expect-error the app comes first
  h.listen(3000, app);
}

test('the type checks above compile (tsc runs them as part of npm test)', () => {
  assert.equal(typeof typeChecks, 'function');
});
