import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { hangup, HangupConfigError, NOT_FOUND_PATTERN, type HangupOptions } from '../../src/index.js';
import { rawRequest, head } from '../helpers/raw-client.js';
import { listen, close } from '../helpers/servers.js';
import { app, appBytes, EventLog, event } from './helpers.js';
import { NOT_FOUND, NOT_FOUND_CLOSE, dated } from '../helpers/not-found.js';

const H = 'Host: localhost';
const policy: HangupOptions = { hosts: ['localhost'], routes: ['GET /'], unknownRoute: 'drop' };

async function withServer(options: HangupOptions, body: (port: number, events: EventLog) => Promise<void>): Promise<void> {
  const events = new EventLog();
  const server: http.Server = hangup({ ...options, onDecision: events.onDecision }).createServer(app);
  const port = await listen(server);
  try {
    await body(port, events);
  } finally {
    await close(server);
  }
}

describe('proxy-aware mode', () => {
  test('the fixed 404 bytes with Connection: close', () => {
    assert.match(dated(NOT_FOUND_CLOSE).replace('<date>', new Date().toUTCString()), NOT_FOUND_PATTERN);
  });

  test('behindProxy: a drop becomes the fixed 404 with Connection: close, then FIN', () =>
    withServer({ ...policy, behindProxy: true }, async (port, events) => {
      const r = await rawRequest(port, head('GET /wp-login.php HTTP/1.1', H));
      assert.equal(dated(r.text), 'HTTP/1.1 404 Not Found\r\nDate: <date>\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      assert.equal(r.ending, 'fin');
      assert.deepStrictEqual(events.take(), [event({ action: 'drop', reason: 'route:unknown', path: '/wp-login.php', wire: '404' })]);
    }));

  test('behindProxy: allowed requests and keep-alive are untouched', () =>
    withServer({ ...policy, behindProxy: true }, async (port) => {
      const r = await rawRequest(port, head('GET / HTTP/1.1', H));
      assert.equal(r.text, appBytes('GET', '/'));
      assert.equal(r.ending, 'open');
    }));

  test("behindProxy: a notFound decision keeps the plain 404 (connection stays open)", () =>
    withServer({ ...policy, unknownRoute: 'notFound', behindProxy: true }, async (port) => {
      const r = await rawRequest(port, head('GET /nope HTTP/1.1', H));
      assert.equal(dated(r.text), NOT_FOUND);
      assert.equal(r.ending, 'open');
    }));

  test('behindProxy: a parser error gets the 404 with Connection: close too', () =>
    withServer({ ...policy, behindProxy: true }, async (port, events) => {
      const r = await rawRequest(port, 'HELLO\r\n\r\n');
      assert.equal(dated(r.text), NOT_FOUND_CLOSE);
      assert.equal(r.ending, 'fin');
      assert.deepStrictEqual(events.take(), [
        event({ action: 'drop', reason: 'parser:HPE_INVALID_METHOD', method: 'HELLO', path: '', host: null, adapter: 'server', wire: '404' }),
      ]);
    }));

  test('behindProxy: pipelined, the earlier response is delivered, then the 404 and FIN', () =>
    withServer({ ...policy, behindProxy: true }, async (port) => {
      const r = await rawRequest(port, head('GET / HTTP/1.1', H) + head('GET /nope HTTP/1.1', H));
      assert.equal(dated(r.text), dated(appBytes('GET', '/')) + NOT_FOUND_CLOSE);
      assert.equal(r.ending, 'fin');
    }));

  test('trustedProxies including the peer (127.0.0.1): the 404 with Connection: close', () =>
    withServer({ ...policy, trustedProxies: ['10.0.0.0/8', '127.0.0.1'] }, async (port, events) => {
      const r = await rawRequest(port, head('GET /.env HTTP/1.1', H));
      assert.equal(dated(r.text), NOT_FOUND_CLOSE);
      assert.equal(r.ending, 'fin');
      assert.equal(events.take()[0]?.wire, '404');
    }));

  test('trustedProxies as a range (127.0.0.0/8) matches too', () =>
    withServer({ ...policy, trustedProxies: ['127.0.0.0/8'] }, async (port) => {
      assert.equal(dated((await rawRequest(port, head('GET /.env HTTP/1.1', H))).text), NOT_FOUND_CLOSE);
    }));

  test('trustedProxies not including the peer: a direct connection is still dropped with zero bytes', () =>
    withServer({ ...policy, trustedProxies: ['10.0.0.0/8', '::1'] }, async (port, events) => {
      const r = await rawRequest(port, head('GET /.env HTTP/1.1', H));
      assert.equal(r.text, '');
      assert.equal(r.ending, 'fin');
      assert.equal(events.take()[0]?.wire, 'fin');
      const garbage = await rawRequest(port, 'HELLO\r\n\r\n');
      assert.equal(garbage.text, '');
    }));

  test('an IPv4-mapped peer address matches an IPv4 entry', () => {
    const guard = hangup({ ...policy, trustedProxies: ['10.0.0.0/8'] });
    assert.equal(guard.isProxied('::ffff:10.1.2.3'), true);
    assert.equal(guard.isProxied('10.1.2.3'), true);
    assert.equal(guard.isProxied('11.1.2.3'), false);
    assert.equal(guard.isProxied(undefined), false);
    assert.equal(guard.isProxied('not an address'), false);
  });

  test('bad proxy settings throw HangupConfigError naming the option and the fix', () => {
    const cases: [HangupOptions, string, RegExp][] = [
      [{ trustedProxies: ['10.0.0.0/33'] }, 'trustedProxies[0]', /CIDR range such as '10.0.0.0\/8'/],
      [{ trustedProxies: ['example.com'] }, 'trustedProxies[0]', /"example.com"/],
      [{ trustedProxies: [] }, 'trustedProxies', /non-empty array/],
      [{ trustedProxies: '10.0.0.1' as never }, 'trustedProxies', /non-empty array/],
      [{ behindProxy: 'yes' as never }, 'behindProxy', /true or false/],
      [{ behindProxy: true, trustedProxies: ['10.0.0.1'] }, 'trustedProxies', /Give one of them/],
    ];
    for (const [options, option, message] of cases) {
      assert.throws(
        () => hangup(options),
        (error: unknown) => error instanceof HangupConfigError && error.option === option && message.test(error.message),
        option,
      );
    }
  });
});
