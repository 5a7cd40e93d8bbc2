import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { format } from 'node:util';
import createDebug from 'debug';
import { hangup, drop, notFound, type Guard, type HangupOptions } from '../../src/index.js';
import { sanitize } from '../../src/log.js';
import { rawRequest, head } from '../helpers/raw-client.js';
import { listen, close } from '../helpers/servers.js';
import { app, appBytes } from './helpers.js';

const H = 'Host: localhost';
const policy: HangupOptions = {
  hosts: ['localhost'],
  routes: ['GET /', 'GET /users/:id'],
  rules: [notFound('GET /favicon.ico'), drop('/admin/*rest', { mode: 'report', name: 'admin-off' })],
};

// Capture every enabled hangup:* line in this process (each test file runs in its own process).
const lines: string[] = [];
createDebug.log = (...args: unknown[]) => {
  lines.push(format(...args));
};
createDebug.enable('hangup:*');

describe('guard.stats(): counts per action and reason since start', () => {
  let guard: Guard;
  let server: http.Server;
  let port: number;
  before(async () => {
    guard = hangup(policy);
    server = guard.createServer(app);
    port = await listen(server);
  });
  after(() => close(server));

  test('a fresh guard counts nothing', () => {
    const stats = hangup(policy).stats();
    assert.equal(stats.total, 0);
    assert.deepStrictEqual(stats.actions, { allow: 0, notFound: 0, drop: 0 });
    assert.deepStrictEqual(stats.reasons, {});
    assert.deepStrictEqual(stats.counts, []);
    assert.equal(typeof stats.since, 'number');
  });

  test('after real requests: exact counts', async () => {
    assert.equal((await rawRequest(port, head('GET / HTTP/1.1', H))).text, appBytes('GET', '/'));
    assert.equal((await rawRequest(port, head('GET /users/1 HTTP/1.1', H))).text, appBytes('GET', '/users/1'));
    assert.equal((await rawRequest(port, head('GET /x HTTP/1.1', H))).text, '');
    assert.equal((await rawRequest(port, head('GET /y HTTP/1.1', H))).text, '');
    assert.equal((await rawRequest(port, 'HELLO\r\n\r\n')).text, '');
    assert.notEqual((await rawRequest(port, head('GET /favicon.ico HTTP/1.1', H))).text, '');
    assert.equal((await rawRequest(port, head('GET /admin/users HTTP/1.1', H))).text, '');
    const stats = guard.stats();
    // 7 requests, plus the report-only rule's match on /admin/users.
    assert.equal(stats.total, 8);
    assert.deepStrictEqual(stats.actions, { allow: 2, notFound: 1, drop: 5 });
    assert.deepStrictEqual(stats.reasons, {
      'route:matched': 2,
      'route:unknown': 3,
      'parser:HPE_INVALID_METHOD': 1,
      'rule:matched': 2,
    });
    assert.equal(stats.reportOnly, 1);
    const sorted = [...stats.counts].sort((a, b) => `${a.reason}${a.action}${a.enforced}`.localeCompare(`${b.reason}${b.action}${b.enforced}`));
    assert.deepStrictEqual(sorted, [
      { action: 'drop', reason: 'parser:HPE_INVALID_METHOD', enforced: true, count: 1 },
      { action: 'allow', reason: 'route:matched', enforced: true, count: 2 },
      { action: 'drop', reason: 'route:unknown', enforced: true, count: 3 },
      { action: 'drop', reason: 'rule:matched', enforced: false, count: 1 },
      { action: 'notFound', reason: 'rule:matched', enforced: true, count: 1 },
    ]);
  });
});

describe('debug namespaces', () => {
  test('hangup:config says at start-up whether drops become 404s behind a proxy', () => {
    lines.length = 0;
    hangup({ ...policy, trustedProxies: ['10.0.0.0/8'] });
    hangup({ ...policy, mode: 'report' });
    const config = lines.filter((l) => l.includes('hangup:config'));
    assert.equal(config.length, 2);
    assert.match(config[0] ?? '', /proxy mode, trustedProxies: connections from 10\.0\.0\.0\/8 .*fixed 404 with Connection: close/);
    assert.match(config[1] ?? '', /mode report .*drops are silent closes/);
  });

  test('decide, drop and report lines are sanitized: no raw control or non-ASCII characters', async () => {
    const server = hangup(policy).createServer(app);
    const port = await listen(server);
    try {
      lines.length = 0;
      await rawRequest(port, Buffer.from(`GET /\xff\\x HTTP/1.1\r\n${H}\r\n\r\n`, 'latin1')); // a parser error
      await rawRequest(port, Buffer.from(`GET / HTTP/1.1\r\nHost: caf\xe9\r\n\r\n`, 'latin1')); // an unlisted host
      await rawRequest(port, head('GET /admin/x HTTP/1.1', H));
      const decide = lines.filter((l) => l.includes('hangup:decide'));
      const dropped = lines.filter((l) => l.includes('hangup:drop'));
      const reported = lines.filter((l) => l.includes('hangup:report'));
      assert.equal(decide.length, 4); // two bad requests, the report-only match, the final drop
      assert.equal(dropped.length, 3);
      assert.equal(reported.length, 1);
      for (const line of lines) assert.doesNotMatch(line, /[\x00-\x08\x0a-\x1a\x1c-\x1f\x7f-\uffff]/u, line);
      assert.ok(dropped[0]?.includes('/\\xff\\\\x'), dropped[0]);
      assert.ok(dropped[1]?.includes(' GET / host=caf\\xe9 from=127.0.0.1 via=http wire=fin'), dropped[1]);
      assert.ok(reported[0]?.includes('drop rule:matched rule=admin-off GET /admin/x'), reported[0]);
    } finally {
      await close(server);
    }
  });

  test('hangup:events reports a throwing onDecision once', async () => {
    const server = hangup({
      ...policy,
      onDecision: () => {
        throw new Error('logger\ndown');
      },
    }).createServer(app);
    const port = await listen(server);
    try {
      lines.length = 0;
      await rawRequest(port, head('GET / HTTP/1.1', H));
      await rawRequest(port, head('GET /x HTTP/1.1', H));
      const failures = lines.filter((l) => l.includes('hangup:events'));
      assert.equal(failures.length, 1);
      assert.ok(failures[0]?.includes('Error: logger\\x0adown'), failures[0]);
    } finally {
      await close(server);
    }
  });

  test('hangup:protect says a server was protected, and how in report mode', async () => {
    lines.length = 0;
    const server = hangup({ ...policy, mode: 'report' }).createServer(app);
    assert.equal(lines.filter((l) => l.includes('hangup:protect') && l.includes('report mode')).length, 1);
    server.close();
  });
});

describe('sanitize()', () => {
  test('escapes, truncates, and returns safe input unchanged', () => {
    assert.equal(sanitize('/plain/path?x=1', 256), '/plain/path?x=1');
    assert.equal(sanitize('a\u0000b\r\nc\\d\u00e9\u2028', 256), 'a\\x00b\\x0d\\x0ac\\\\d\\xe9\\u2028');
    assert.equal(sanitize('abcdef', 3), 'abc...');
    assert.equal(sanitize('\u0001'.repeat(10), 2), '\\x01\\x01...');
  });
});
