import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { hangup, drop, notFound, type HangupOptions } from '../../src/index.js';
import { rawRequest, head } from '../helpers/raw-client.js';
import { listen, close } from '../helpers/servers.js';
import { app, appBytes, EventLog, event } from './helpers.js';
import { NOT_FOUND, dated } from '../helpers/not-found.js';

const H = 'Host: localhost';
const policy: HangupOptions = {
  hosts: ['localhost'],
  routes: ['GET /', 'GET /users/:id'],
  rules: [notFound('GET /favicon.ico')],
};

describe('enforce mode: every applied decision is an event', () => {
  const events = new EventLog();
  let server: http.Server;
  let port: number;
  before(async () => {
    server = hangup({ ...policy, onDecision: events.onDecision }).createServer(app);
    port = await listen(server);
  });
  after(() => close(server));

  test('allowed request: the app answers; event says allow, wire none', async () => {
    const r = await rawRequest(port, head('GET /users/7?token=secret HTTP/1.1', H));
    assert.equal(r.text, appBytes('GET', '/users/7?token=secret'));
    assert.deepStrictEqual(events.take(), [
      event({ action: 'allow', reason: 'route:matched', rule: 'GET /users/:id', path: '/users/7', wire: 'none' }),
    ]);
  });

  test('unknown route: zero bytes, FIN; event says drop, wire fin', async () => {
    const r = await rawRequest(port, head('GET /wp-login.php HTTP/1.1', H));
    assert.equal(r.text, '');
    assert.equal(r.ending, 'fin');
    assert.deepStrictEqual(events.take(), [event({ action: 'drop', reason: 'route:unknown', path: '/wp-login.php', wire: 'fin' })]);
  });

  test('notFound rule: the fixed 404; event says notFound, wire 404', async () => {
    const r = await rawRequest(port, head('GET /favicon.ico HTTP/1.1', H));
    assert.equal(dated(r.text), NOT_FOUND);
    assert.deepStrictEqual(events.take(), [
      event({ action: 'notFound', reason: 'rule:matched', rule: 'notFound(GET /favicon.ico)', path: '/favicon.ico', wire: '404' }),
    ]);
  });

  test('unlisted Host: dropped, the Host is reported as received', async () => {
    const r = await rawRequest(port, head('GET / HTTP/1.1', 'Host: Evil.Example:8080'));
    assert.equal(r.text, '');
    assert.deepStrictEqual(events.take(), [
      event({ action: 'drop', reason: 'host:unlisted', host: 'Evil.Example:8080', wire: 'fin' }),
    ]);
  });

  test('parser error: zero bytes; server-level event with what was asked', async () => {
    const r = await rawRequest(port, 'GET /x HTTP/1.1\r\nBad Header: 1\r\n\r\n');
    assert.equal(r.text, '');
    assert.equal(r.ending, 'fin');
    assert.deepStrictEqual(events.take(), [
      event({ action: 'drop', reason: 'parser:HPE_INVALID_HEADER_TOKEN', path: '/x', host: null, adapter: 'server', wire: 'fin' }),
    ]);
  });

  test('Expect: 100-continue refused: one event, from the server-level listener', async () => {
    const r = await rawRequest(port, head('POST /upload HTTP/1.1', H, 'Content-Length: 3', 'Expect: 100-continue'));
    assert.equal(r.text, '');
    assert.deepStrictEqual(events.take(), [
      event({ action: 'drop', reason: 'method:not-allowed', method: 'POST', path: '/upload', adapter: 'server', wire: 'fin' }),
    ]);
  });

  test('non-ASCII bytes and over-long paths are escaped and truncated in events', async () => {
    const long = `/${'a'.repeat(300)}`;
    const r = await rawRequest(port, Buffer.from(`GET /caf\xe9\x01\\x HTTP/1.1\r\n${H}\r\n\r\n`, 'latin1'));
    assert.equal(r.text, '');
    // llhttp refuses the raw control character: a parser error, reported with the target it saw.
    assert.deepStrictEqual(events.take(), [
      event({ action: 'drop', reason: 'parser:HPE_INVALID_URL', path: '/caf\\xe9\\x01\\\\x', host: null, adapter: 'server', wire: 'fin' }),
    ]);
    const r2 = await rawRequest(port, head(`GET ${long} HTTP/1.1`, H));
    assert.equal(r2.text, '');
    assert.equal(events.take()[0]?.path, `${long.slice(0, 256)}...`);
  });
});

describe("report mode: refusals are reported, requests go through", () => {
  const events = new EventLog();
  let server: http.Server;
  let port: number;
  before(async () => {
    server = hangup({ ...policy, mode: 'report', onDecision: events.onDecision }).createServer(app);
    port = await listen(server);
  });
  after(() => close(server));

  test('unknown route reaches the app; event says drop, enforced false, wire none', async () => {
    const r = await rawRequest(port, head('GET /wp-login.php HTTP/1.1', H));
    assert.equal(r.text, appBytes('GET', '/wp-login.php'));
    assert.equal(r.ending, 'open');
    assert.deepStrictEqual(events.take(), [
      event({ action: 'drop', enforced: false, reason: 'route:unknown', path: '/wp-login.php', wire: 'none' }),
    ]);
  });

  test('notFound rule: the app answers instead of the 404', async () => {
    const r = await rawRequest(port, head('GET /favicon.ico HTTP/1.1', H));
    assert.equal(r.text, appBytes('GET', '/favicon.ico'));
    assert.deepStrictEqual(events.take(), [
      event({
        action: 'notFound',
        enforced: false,
        reason: 'rule:matched',
        rule: 'notFound(GET /favicon.ico)',
        path: '/favicon.ico',
        wire: 'none',
      }),
    ]);
  });

  test('allowed requests are reported with enforced false too', async () => {
    const r = await rawRequest(port, head('GET / HTTP/1.1', H));
    assert.equal(r.text, appBytes('GET', '/'));
    assert.deepStrictEqual(events.take(), [event({ action: 'allow', enforced: false, reason: 'route:matched', rule: 'GET /', wire: 'none' })]);
  });

  test('Expect: 100-continue on a refused route: Node sends 100 Continue and the app answers', async () => {
    const r = await rawRequest(port, head('GET /nope HTTP/1.1', H, 'Expect: 100-continue'));
    assert.equal(r.text, `HTTP/1.1 100 Continue\r\n\r\n${appBytes('GET', '/nope')}`);
    assert.deepStrictEqual(events.take(), [
      event({ action: 'drop', enforced: false, reason: 'route:unknown', path: '/nope', adapter: 'server', wire: 'none' }),
    ]);
  });
});

describe("report mode keeps Node's own answers to what it cannot parse, and reports them", () => {
  const events = new EventLog();
  let reporting: http.Server;
  let plain: http.Server;
  let reportPort: number;
  let plainPort: number;
  before(async () => {
    reporting = hangup({ ...policy, mode: 'report', onDecision: events.onDecision }).createServer(app);
    plain = http.createServer(app);
    reportPort = await listen(reporting);
    plainPort = await listen(plain);
  });
  after(async () => {
    await close(reporting);
    await close(plain);
  });

  const cases: [string, string, string, string][] = [
    ['garbage', 'HELLO\r\n\r\n', 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n', 'parser:HPE_INVALID_METHOD'],
    [
      'headers over 16 KiB',
      `GET / HTTP/1.1\r\n${H}\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`,
      'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n',
      'parser:HPE_HEADER_OVERFLOW',
    ],
    ['HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n', 'parser:HPE_PAUSED_H2_UPGRADE'],
  ];
  for (const [name, payload, expected, reason] of cases) {
    test(`${name}: the same bytes as an unprotected server, and an event`, async () => {
      const withHangup = await rawRequest(reportPort, payload);
      const withoutHangup = await rawRequest(plainPort, payload);
      assert.equal(withoutHangup.text, expected);
      assert.equal(withHangup.text, expected);
      assert.equal(withHangup.ending, withoutHangup.ending);
      const [reported, ...rest] = events.take();
      assert.deepStrictEqual(rest, []);
      assert.equal(reported?.reason, reason);
      assert.equal(reported?.enforced, false);
      assert.equal(reported?.wire, 'none');
      assert.equal(reported?.adapter, 'server');
    });
  }

  test("missing Host on HTTP/1.1: Node's own 400, and an event", async () => {
    const payload = 'GET /users/1 HTTP/1.1\r\n\r\n';
    const withHangup = await rawRequest(reportPort, payload);
    const withoutHangup = await rawRequest(plainPort, payload);
    const undated = (text: string): string => text.replace(/\r\nDate: [^\r]*/, '');
    assert.equal(undated(withHangup.text), 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    assert.equal(undated(withHangup.text), undated(withoutHangup.text));
    assert.deepStrictEqual(events.take(), [
      event({ action: 'drop', enforced: false, reason: 'host:missing', rule: 'hostHeader', path: '/users/1', host: null, adapter: 'server', wire: 'none' }),
    ]);
  });
});

test("report mode keeps Node's 503 for maxRequestsPerSocket, and reports it", async () => {
  const events = new EventLog();
  const reporting = hangup({ ...policy, mode: 'report', onDecision: events.onDecision }).createServer(app);
  const plain = http.createServer(app);
  const undated = (text: string): string => text.replace(/\r\nDate: [^\r]*/g, '');
  const two = head('GET / HTTP/1.1', H) + head('GET /users/1 HTTP/1.1', H);
  try {
    const answers: string[] = [];
    for (const server of [reporting, plain]) {
      server.maxRequestsPerSocket = 1;
      answers.push(undated((await rawRequest(await listen(server), two)).text));
    }
    assert.match(answers[0] ?? '', /HTTP\/1\.1 503 Service Unavailable\r\n/);
    assert.equal(answers[0], answers[1]);
    assert.deepStrictEqual(
      events.take().map((e) => [e.reason, e.enforced, e.wire]),
      [
        ['route:matched', false, 'none'],
        ['server:max-requests-per-socket', false, 'none'],
      ],
    );
  } finally {
    await close(reporting);
    await close(plain);
  }
});

describe('report-only rules: reported, never deciding', () => {
  const events = new EventLog();
  let server: http.Server;
  let port: number;
  before(async () => {
    const guard = hangup({
      ...policy,
      rules: [drop('GET /users/:id', { name: 'users-off', mode: 'report' }), ...(policy.rules ?? [])],
      onDecision: events.onDecision,
    });
    server = guard.createServer(app);
    port = await listen(server);
  });
  after(() => close(server));

  test('a matching report-only drop rule lets the route allow the request, and both are events', async () => {
    const r = await rawRequest(port, head('GET /users/3 HTTP/1.1', H));
    assert.equal(r.text, appBytes('GET', '/users/3'));
    assert.deepStrictEqual(events.take(), [
      event({ action: 'drop', enforced: false, reason: 'rule:matched', rule: 'users-off', path: '/users/3', wire: 'none' }),
      event({ action: 'allow', reason: 'route:matched', rule: 'GET /users/:id', path: '/users/3', wire: 'none' }),
    ]);
  });

  test('the rest of the policy is still enforced', async () => {
    const r = await rawRequest(port, head('GET /admin HTTP/1.1', H));
    assert.equal(r.text, '');
    assert.equal(r.ending, 'fin');
    assert.deepStrictEqual(events.take(), [event({ action: 'drop', reason: 'route:unknown', path: '/admin', wire: 'fin' })]);
  });
});

describe('onDecision: filters and failures', () => {
  test("events: 'refusals' skips allowed requests", async () => {
    const events = new EventLog();
    const server = hangup({ ...policy, onDecision: events.onDecision, events: 'refusals' }).createServer(app);
    const port = await listen(server);
    try {
      assert.equal((await rawRequest(port, head('GET / HTTP/1.1', H))).text, appBytes('GET', '/'));
      assert.equal((await rawRequest(port, head('GET /x HTTP/1.1', H))).text, '');
      assert.deepStrictEqual(events.take(), [event({ action: 'drop', reason: 'route:unknown', path: '/x', wire: 'fin' })]);
    } finally {
      await close(server);
    }
  });

  test('a throwing or rejecting callback never reaches the request', async () => {
    let calls = 0;
    const throwing = hangup({
      ...policy,
      onDecision: () => {
        calls++;
        throw new Error('logger down');
      },
    }).createServer(app);
    const rejecting = hangup({
      ...policy,
      onDecision: async () => {
        calls++;
        throw new Error('logger down');
      },
    }).createServer(app);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      for (const server of [throwing, rejecting]) {
        const port = await listen(server);
        assert.equal((await rawRequest(port, head('GET / HTTP/1.1', H))).text, appBytes('GET', '/'));
        const dropped = await rawRequest(port, head('GET /x HTTP/1.1', H));
        assert.equal(dropped.text, '');
        assert.equal(dropped.ending, 'fin');
      }
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(calls, 4);
      assert.deepStrictEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await close(throwing);
      await close(rejecting);
    }
  });
});
