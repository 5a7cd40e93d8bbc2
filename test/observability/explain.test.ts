import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hangup, drop, HangupConfigError, type HangupOptions } from '../../src/index.js';
import { rawRequest, head } from '../helpers/raw-client.js';
import { listen, close } from '../helpers/servers.js';
import { runHangup, type CliResult } from '../helpers/cli.js';
import { app, appBytes } from './helpers.js';
import { NOT_FOUND, dated } from '../helpers/not-found.js';

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const jsonPolicy = JSON.parse(readFileSync(fixture('policy.json'), 'utf8')) as HangupOptions;

describe('guard.explain()', () => {
  const guard = hangup(jsonPolicy);

  test('an unknown route: drop, FIN, and why', () => {
    const e = guard.explain('GET /wp-login.php', { host: 'example.com' });
    assert.deepStrictEqual(e.decision, { action: 'drop', reason: 'route:unknown' });
    assert.equal(e.enforced, true);
    assert.equal(e.wire, 'fin');
    assert.deepStrictEqual(e.reportOnly, []);
    assert.equal(
      e.text,
      'GET /wp-login.php (Host: example.com): dropped: zero bytes written, then the connection is closed (FIN).\n' +
        "Why: no route matches this path, and unknownRoute is 'drop' (drop, route:unknown).",
    );
  });

  test('an allowed route names the route', () => {
    const e = guard.explain('/users/7', { host: 'example.com' });
    assert.deepStrictEqual(e.decision, { action: 'allow', reason: 'route:matched', rule: 'GET /users/:id' });
    assert.equal(e.wire, 'none');
    assert.equal(
      e.text,
      'GET /users/7 (Host: example.com): allowed: it reaches the application.\n' +
        'Why: the route "GET /users/:id" allows it (allow, route:matched).',
    );
  });

  test('a JSON notFound rule, and a report-only rule that matched', () => {
    assert.equal(guard.explain('GET /favicon.ico', { host: 'example.com' }).wire, '404');
    const e = guard.explain('GET /admin/users', { host: 'example.com' });
    assert.deepStrictEqual(e.reportOnly, [{ action: 'drop', reason: 'rule:matched', rule: 'admin-off' }]);
    assert.match(e.text, /Report-only rule "admin-off" also matched: it would drop, but it is only reported\./);
  });

  test('a detector names itself; a missing Host gets a hint', () => {
    const e = guard.explain('GET /');
    assert.equal(e.decision.reason, 'host:missing');
    assert.match(e.text, /no Host header.*by hostHeader\)\.\nNo Host was given: pass one with \{ host \} \(or --host\)\./s);
    const framed = guard.explain('GET /', { host: 'example.com', headers: { 'Transfer-Encoding': 'chunked' } });
    assert.equal(framed.decision.action, 'drop');
    assert.match(framed.decision.reason, /^smuggling:/);
    assert.match(framed.text, /detector found it malformed/);
    // HTTP/1.0 may lack a Host: only a hosts list refuses it then.
    assert.equal(hangup({ routes: ['GET /'] }).explain('GET / HTTP/1.0').decision.action, 'allow');
    assert.deepStrictEqual(guard.explain('GET / HTTP/1.0').decision, { action: 'drop', reason: 'host:missing' });
  });

  test('report mode: the decision, not enforced, nothing on the wire', () => {
    const e = hangup({ ...jsonPolicy, mode: 'report' }).explain('GET /x', { host: 'example.com' });
    assert.equal(e.decision.action, 'drop');
    assert.equal(e.enforced, false);
    assert.equal(e.wire, 'none');
    assert.match(e.text, /would be dropped, but report mode only reports it: it reaches the application\./);
  });

  test('proxy mode: a drop through a trusted proxy is the 404', () => {
    const proxied = hangup({ ...jsonPolicy, trustedProxies: ['10.0.0.0/8'] });
    assert.equal(proxied.explain('GET /x', { host: 'example.com', remoteAddress: '10.1.1.1' }).wire, '404');
    assert.equal(proxied.explain('GET /x', { host: 'example.com', remoteAddress: '192.0.2.1' }).wire, 'fin');
    assert.equal(hangup({ ...jsonPolicy, close: 'reset' }).explain('GET /x', { host: 'example.com' }).wire, 'rst');
  });

  test('a request line that is not one throws a TypeError saying what to write', () => {
    for (const bad of ['', 'GET /x HTTP/9', 'GET /x HTTP/1.1 extra', 42 as unknown as string]) {
      assert.throws(() => guard.explain(bad), /expected a request line such as 'GET \/wp-login.php'/);
    }
  });
});

describe('rules written as data (the JSON form)', () => {
  test('the JSON policy file drives a real server exactly like built rules', async () => {
    const server = hangup(jsonPolicy).createServer(app);
    const port = await listen(server);
    try {
      const H = 'Host: localhost';
      assert.equal(dated((await rawRequest(port, head('GET /favicon.ico HTTP/1.1', H))).text), NOT_FOUND);
      assert.equal((await rawRequest(port, head('GET /admin/x HTTP/1.1', H))).text, '');
      assert.equal((await rawRequest(port, head('GET /users/1 HTTP/1.1', H))).text, appBytes('GET', '/users/1'));
    } finally {
      await close(server);
    }
  });

  test('the JSON form and the builder make the same rule', () => {
    const a = hangup({ routes: ['GET /'], rules: [{ drop: '/x', name: 'x', mode: 'report' }] });
    const b = hangup({ routes: ['GET /'], rules: [drop('/x', { name: 'x', mode: 'report' })] });
    for (const line of ['GET /x', 'GET /', 'POST /x']) {
      assert.deepStrictEqual(a.explain(line, { host: 'h' }), b.explain(line, { host: 'h' }));
    }
  });

  test('mistakes throw HangupConfigError naming the rule, the value and the fix', () => {
    const cases: [unknown, string, RegExp][] = [
      [{ drop: '/x', notFound: '/y' }, 'rules[0]', /exactly one of allow, notFound or drop.*got notFound and drop/],
      [{ name: 'x' }, 'rules[0]', /exactly one of allow, notFound or drop.*got none/],
      [{ dorp: '/x' }, 'rules[0].dorp', /did you mean 'drop'\?/],
      [{ drop: 42 }, 'rules[0].drop', /a route spec or a list of them.*got 42/],
      [{ drop: '/x', mode: 'dry-run' }, 'rules[0].mode', /expected 'enforce' or 'report', got "dry-run"/],
      [{ drop: '/x', name: 3 }, 'rules[0].name', /expected a string, got 3/],
      [{ drop: 'GET x' }, 'rules[0]', /no path starting with '\/'/],
    ];
    for (const [rule, option, message] of cases) {
      assert.throws(
        () => hangup({ rules: [rule as never] }),
        (error: unknown) => error instanceof HangupConfigError && error.option === option && message.test(error.message),
        JSON.stringify(rule),
      );
    }
  });

  test('mode, onDecision and events are validated', () => {
    const cases: [HangupOptions, string][] = [
      [{ mode: 'dry' as never }, 'mode'],
      [{ onDecision: 'log' as never }, 'onDecision'],
      [{ onDecision: () => {}, events: 'some' as never }, 'events'],
      [{ events: 'all' }, 'events'],
      [{ mdoe: 'report' } as never, 'mdoe'],
    ];
    for (const [options, option] of cases) {
      assert.throws(
        () => hangup(options),
        (error: unknown) => error instanceof HangupConfigError && error.option === option,
        option,
      );
    }
  });
});

/** Runs `hangup explain <args>` as a real process. */
function cli(...args: string[]): Promise<CliResult> {
  return runHangup(['explain', ...args]);
}

/** Runs `hangup explain <args>` with a 20 s bound: a command that hangs exits with code null. */
function bounded(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return runHangup(['explain', ...args], 'dist', { env, timeoutMs: 20_000 });
}

/** The advice every message about an app module ends with. */
const KEEP_APART = /keep the policy in a module of its own that starts nothing \(e\.g\. policy\.ts: export const policy = \{ \.\.\. \}\) and import it in the app/;

describe('hangup explain (the CLI, as a process)', () => {
  test('JSON policy, allowed request: exit 0 and the explanation', async () => {
    const r = await cli('--config', fixture('policy.json'), '--host', 'example.com', 'GET /users/1');
    assert.equal(r.code, 0);
    assert.equal(r.stderr, '');
    assert.equal(
      r.stdout,
      'GET /users/1 (Host: example.com): allowed: it reaches the application.\n' +
        'Why: the route "GET /users/:id" allows it (allow, route:matched).\n',
    );
  });

  test('a refused request among several: exit 1; --json gives one object per request', async () => {
    const r = await cli('--config', fixture('policy.json'), '--json', '--host', 'example.com', 'GET /', 'GET /.env', 'GET /admin/x');
    assert.equal(r.code, 1);
    const parsed = JSON.parse(r.stdout) as { request: string; decision: unknown; wire: string; reportOnly: unknown[] }[];
    assert.deepStrictEqual(
      parsed.map((e) => [e.request, e.decision, e.wire, e.reportOnly.length]),
      [
        ['GET /', { action: 'allow', reason: 'route:matched', rule: 'GET /' }, 'none', 0],
        ['GET /.env', { action: 'drop', reason: 'route:unknown' }, 'fin', 0],
        ['GET /admin/x', { action: 'drop', reason: 'route:unknown' }, 'fin', 1],
      ],
    );
  });

  test('a TypeScript module exporting `policy`, headers and a remote address', async () => {
    const r = await cli('--config', fixture('policy.ts'), '--host', 'example.com', '--header', 'Content-Length: 0', 'POST /orders', 'GET /x');
    assert.equal(r.stderr, '');
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^POST \/orders \(Host: example.com\): allowed/);
    assert.match(r.stdout, /\n\nGET \/x \(Host: example.com\): answered with the fixed 404\.\nWhy: no route matches this path, and unknownRoute is 'notFound'/);
  });

  test('without --host, the first name of the policy hosts is assumed, and said', async () => {
    const r = await cli('--config', fixture('policy.json'), 'GET /users/1');
    assert.equal(r.code, 0);
    assert.equal(
      r.stdout,
      '(no --host given: assuming Host: example.com)\n\n' +
        'GET /users/1 (Host: example.com): allowed: it reaches the application.\n' +
        'Why: the route "GET /users/:id" allows it (allow, route:matched).\n',
    );
  });

  test('a JS module with a default export in report mode', async () => {
    const r = await cli('--config', fixture('default-export.mjs'), '--host', 'a', 'GET /x');
    assert.equal(r.code, 1);
    assert.match(r.stdout, /would be dropped, but report mode only reports it/);
  });

  test('usage and policy errors: exit 2 with a message that says what to do', async () => {
    const cases: [string[], RegExp][] = [
      [['GET /'], /give the policy file with --config <file>/],
      [['--config', fixture('policy.json')], /give at least one request/],
      [['--config', fixture('policy.json'), '--bogus', 'GET /'], /Unknown option '--bogus'/],
      [['--config', fixture('policy.json'), '--header', 'nocolon', 'GET /'], /write it as 'Name: value'/],
      [['--config', fixture('policy.json'), 'GET /x HTTP/7'], /expected a request line/],
      [['--config', fixture('missing.json'), 'GET /'], /missing.json: cannot read it/],
      [['--config', fixture('policy.ts'), '--export', 'nope', 'GET /'], /no policy found in 'nope' \(it exports policy\)/],
      [['--config', fixture('../helpers.ts'), 'GET /'], /no policy found in 'policy' or 'default'/],
      [['--config', fixture('policy.json'), '--load-timeout', '5', 'GET /'], /--load-timeout: "5" is not a whole number of milliseconds from 100 to 600000/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    }
  });

  test('a bad policy: the HangupConfigError message, exit 2', async () => {
    const r = await cli('--config', fixture('bad-policy.json'), 'GET /');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /hangup explain: hangup: route: unknown option; did you mean 'routes'\?/);
  });

  test('an app module that starts a server and exports no policy: exit 2, the message, and the process ends', async () => {
    const r = await bounded(['--config', fixture('app-no-policy.ts'), 'GET /']);
    assert.equal(r.code, 2, `did not exit (${r.elapsedMs} ms): ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^hangup explain: \S+app-no-policy\.ts: no policy found in 'policy' or 'default' \(it exports app\)\. Export the options as 'policy' or as the default export, or name the export with --export\. Loading it also started a server \(listen\(0, "127\.0\.0\.1"\)\): /,
    );
    assert.match(r.stderr, KEEP_APART);
  });

  test('an app module that exports its policy and starts a server: the explanation, a note, and the process ends', async () => {
    const r = await bounded(['--config', fixture('app-listens.ts'), 'GET /', 'GET /.env']);
    assert.equal(r.code, 1, `did not exit (${r.elapsedMs} ms): ${r.stderr}`);
    assert.match(r.stdout, /^\(no --host given: assuming Host: example\.com\)\n\nGET \/ \(Host: example\.com\): allowed[^]*\n\nGET \/\.env \(Host: example\.com\): dropped/);
    assert.match(
      r.stderr,
      /^hangup explain: note: loading \S+app-listens\.ts started a server \(listen\(0, "127\.0\.0\.1"\)\); hangup explain does not need it and exits once done; /,
    );
    assert.match(r.stderr, KEEP_APART);
  });

  test('an app module whose server cannot listen (port in use, no error listener): noted, no crash, the explanation', async () => {
    const taken = http.createServer();
    const port = await listen(taken);
    try {
      const r = await bounded(['--config', fixture('app-port-taken.ts'), '--host', 'example.com', 'GET /'], { HANGUP_TEST_PORT: String(port) });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'GET / (Host: example.com): allowed: it reaches the application.\nWhy: the route "GET /" allows it (allow, route:matched).\n');
      assert.match(r.stderr, new RegExp(`^hangup explain: note: \\S+app-port-taken\\.ts: code started by loading it failed \\(listen EADDRINUSE: address already in use 127\\.0\\.0\\.1:${port}\\); ignored\\.\\n`));
      assert.doesNotMatch(r.stderr, /Unhandled 'error' event|\n {4}at /);
    } finally {
      await close(taken);
    }
  });

  test('an app module that waits at top level for ever: exit 2 at --load-timeout, saying why', async () => {
    const r = await bounded(['--config', fixture('app-waits.ts'), '--load-timeout', '1500', 'GET /']);
    assert.equal(r.code, 2, `did not exit (${r.elapsedMs} ms): ${r.stderr}`);
    assert.ok(r.elapsedMs >= 1500 && r.elapsedMs < 15_000, `${r.elapsedMs} ms`);
    assert.equal(r.stdout, '');
    assert.match(
      r.stderr,
      /^hangup explain: \S+app-waits\.ts: loading it did not finish within 1500 ms\. It started a server \(listen\(0, "127\.0\.0\.1"\)\) and is still waiting at top level\. [^]*, or raise --load-timeout\.\n$/,
    );
  });

  test('an app module that calls process.exit(0) while loading: said, and exit 2, never 0', async () => {
    const r = await bounded(['--config', fixture('app-exits.mjs'), 'GET /']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^hangup explain: \S+app-exits\.mjs: loading it ended the process \(exit code 0\) before its policy could be read: /);
  });

  test('a module that exports the guard instead of its options: exit 2, export the options', async () => {
    const r = await bounded(['--config', fixture('guard-export.ts'), 'GET /']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /'policy' is a guard \(the result of hangup\(\.\.\.\)\), not the options it was made from\. Export the options object/);
  });

  test('--help: exit 0, the options and the exit codes', async () => {
    const r = await cli('--help');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^usage: hangup explain --config <file>/);
    assert.match(r.stdout, /exit codes: 0 every request is allowed, 1 at least one is refused/);
  });
});
