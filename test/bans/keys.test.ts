/**
 * Address keys, trusted proxies and bounded memory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hangup, HangupConfigError } from '../../src/index.js';
import { addressKey, forwardedClient } from '../../src/bans/address.js';
import { BanTable, StrikeTable } from '../../src/bans/tables.js';
import { from, get } from './helpers.js';
import { listen } from '../helpers/servers.js';

const CLOSE_404 = /^HTTP\/1\.1 404 Not Found\r\nDate: [^\r]+ GMT\r\nConnection: close\r\nContent-Length: 0\r\n\r\n$/;

test('keys: IPv4-mapped IPv6 is IPv4; IPv6 is keyed by its /64 (configurable); what is not an address has no key', () => {
  assert.equal(addressKey('::ffff:203.0.113.7', 64), '203.0.113.7');
  assert.equal(addressKey('::FFFF:203.0.113.7', 64), '203.0.113.7');
  assert.equal(addressKey('::ffff:cb00:7107', 64), '203.0.113.7', 'the hex spelling of a mapped address too');
  assert.equal(addressKey('2001:db8:1:2:3:4:5:6', 64), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:0db8:0001:0002::9', 64), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:db8:1:2::9%eth0', 64), '2001:db8:1:2::/64');
  assert.equal(addressKey('2001:db8:1:2:3:4:5:6', 48), '2001:db8:1::/48');
  assert.equal(addressKey('2001:db8:1:2:3:4:5:6', 56), '2001:db8:1:0::/56');
  assert.equal(addressKey('2001:db8:1:2ff:3:4:5:6', 56), '2001:db8:1:200::/56');
  assert.equal(addressKey('2001:db8::1', 128), '2001:db8:0:0:0:0:0:1');
  assert.equal(addressKey('2001:db8:1:2::/64', 64), '2001:db8:1:2::/64', 'a key is its own key');
  for (const bad of ['', 'localhost', '1.2.3', '999.1.1.1', 'unknown', '_hidden', 'x'.repeat(200), '1.2.3.4/33', ':::']) {
    assert.equal(addressKey(bad, 64), null, bad);
  }
});

test('forwarded client: the rightmost entry that is not a trusted proxy; forged entries to its left are ignored', () => {
  const trusted = (a: string): boolean => a === '10.0.0.1' || a === '10.0.0.2';
  assert.equal(forwardedClient({ 'x-forwarded-for': '6.6.6.6, 203.0.113.7' }, trusted), '203.0.113.7');
  assert.equal(forwardedClient({ 'x-forwarded-for': '6.6.6.6, 203.0.113.7, 10.0.0.2' }, trusted), '203.0.113.7');
  assert.equal(forwardedClient({ 'x-forwarded-for': '203.0.113.7:4711' }, trusted), '203.0.113.7');
  assert.equal(forwardedClient({ forwarded: 'for=6.6.6.6, for="[2001:db8::5]:80";proto=https' }, trusted), '2001:db8::5');
  assert.equal(forwardedClient({ forwarded: 'for=203.0.113.7;by=10.0.0.1', 'x-forwarded-for': '9.9.9.9' }, trusted), '203.0.113.7');
  assert.equal(forwardedClient({ 'x-forwarded-for': 'unknown' }, trusted), null);
  assert.equal(forwardedClient({ forwarded: 'for=_hidden' }, trusted), null);
  assert.equal(forwardedClient({ 'x-forwarded-for': '10.0.0.1' }, trusted), null, 'only proxies: nobody to ban');
  assert.equal(forwardedClient({}, trusted), null);
  assert.equal(forwardedClient({ 'x-forwarded-for': ['1.1.1.1', '203.0.113.8'] }, trusted), '203.0.113.8');
});

test('behind a trusted proxy: the forwarded client is banned, checked per request and refused with the fixed 404 + close; the proxy never is', async () => {
  const guard = hangup({ hosts: ['localhost'], routes: ['GET /'], hints: false, trustedProxies: ['127.0.0.1'], ban: { after: 3 } });
  let handled = 0;
  const server = guard.createServer((_req, res) => {
    handled++;
    res.end('hello');
  });
  const port = await listen(server);
  const via = (client: string, path: string) => from('127.0.0.1', port, get(path, 'localhost', [`X-Forwarded-For: 6.6.6.6, ${client}`]));
  try {
    for (let i = 0; i < 3; i++) assert.match((await via('203.0.113.7', '/wp-login.php')).text, CLOSE_404);
    assert.equal(guard.bans?.check('203.0.113.7')?.key, '203.0.113.7');
    assert.equal(guard.bans?.check('127.0.0.1'), null, 'the proxy is not banned');
    assert.equal(guard.bans?.check('6.6.6.6'), null, 'a forged entry is not banned');
    const before = handled;
    const banned = await via('203.0.113.7', '/');
    assert.match(banned.text, CLOSE_404);
    assert.equal(handled, before);
    assert.equal(guard.stats().reasons['ban:address'], 1);
    assert.match((await via('203.0.113.8', '/')).text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*hello$/);
    // IPv6 clients forwarded by the proxy are banned by /64
    for (let i = 0; i < 3; i++) await from('127.0.0.1', port, get('/x', 'localhost', ['Forwarded: for="[2001:db8:1:2::5]:443"']));
    assert.equal(guard.bans?.check('2001:db8:1:2::ffff')?.key, '2001:db8:1:2::/64');
    assert.equal(guard.bans?.check('2001:db8:1:3::5'), null);
    assert.match((await from('127.0.0.1', port, get('/', 'localhost', ['Forwarded: for="[2001:db8:1:2::77]"']))).text, CLOSE_404);
    // a direct connection is still refused at accept time
    assert.equal(guard.bans?.ban('127.0.0.2'), true);
    assert.equal((await from('127.0.0.2', port, get('/'))).bytes.length, 0);
    // the proxy cannot be banned by hand either
    assert.equal(guard.bans?.ban('127.0.0.1'), false);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test('1,000,000 distinct addresses: the strike and ban tables stay within their bounds, and bans are never evicted by strikes', () => {
  const now = Date.now();
  const strikes = new StrikeTable(60_000, 10_000, now);
  const bans = new BanTable(5_000);
  for (let i = 0; i < 5_000; i++) bans.set(`198.51.${i >> 8}.${i & 255}`, { until: now + 600_000, origin: 'strikes', enforced: true }, now);
  if (global.gc) global.gc();
  const heapBefore = process.memoryUsage().heapUsed;
  let maxSize = 0;
  for (let i = 0; i < 1_000_000; i++) {
    strikes.add(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, 1, now + (i >> 4));
    if (strikes.size > maxSize) maxSize = strikes.size;
  }
  assert.ok(maxSize <= 10_000, `strike table peaked at ${maxSize}`);
  assert.equal(bans.size, 5_000, 'no ban evicted by strikes');
  assert.ok(strikes.evicted >= 990_000);
  if (global.gc) {
    // with --expose-gc: what stays after a collection is the bounded tables
    global.gc();
    const grown = process.memoryUsage().heapUsed - heapBefore;
    assert.ok(grown < 20 * 1024 * 1024, `heap grew by ${grown} bytes`);
  }
  // the ban table: a flood of bans evicts the oldest, stays at its bound
  for (let i = 0; i < 1_000_000; i++) bans.set(`172.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, { until: now + 600_000, origin: 'strikes', enforced: true }, now);
  assert.equal(bans.size, 5_000);
  assert.equal(bans.evicted, 1_000_000);
});

test('a guard driven with 1,000,000 distinct refusing addresses stays within maxTracked and maxBans', () => {
  const guard = hangup({ routes: ['GET /'], hints: false, ban: { after: 2, maxTracked: 20_000, maxBans: 10_000 } });
  const engine = (guard as unknown as { banEngine: { strike: (d: unknown, s: unknown) => void } }).banEngine;
  const decided = { action: 'drop', reason: 'route:unknown' };
  for (let i = 0; i < 1_000_000; i++) {
    const source = { socket: { remoteAddress: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` } };
    engine.strike(decided, source);
    if (i % 3 === 0) engine.strike(decided, source);
  }
  const stats = guard.stats().bans;
  assert.ok(stats !== undefined);
  assert.ok(stats.tracked <= 20_000, `tracked ${stats.tracked}`);
  assert.ok(stats.active <= 10_000, `active ${stats.active}`);
  assert.equal(stats.banned, 333_334);
  assert.equal(stats.evicted, 333_334 - 10_000);
});

test('the ban option is validated at construction, naming the option and the fix', () => {
  const cases: [unknown, RegExp][] = [
    [{ after: 0 }, /ban\.after: expected a whole number from 1/],
    [{ window: '5 minutes' }, /ban\.window: expected a duration such as 30000/],
    [{ allow: ['10.0.0.0/33'] }, /ban\.allow\[0\]: expected an IP address or a CIDR range/],
    [{ ipv6Prefix: 8 }, /ban\.ipv6Prefix: expected a whole number from 16 to 128/],
    [{ action: { tarpit: { hold: '1h' } } }, /ban\.action\.tarpit\.hold: at most '5m'/],
    [{ store: {} }, /ban\.store: expected a store such as memoryStore\(\)/],
    [{ strikes: { drops: 1 } }, /ban\.strikes\.drops: unknown option/],
    [{ mode: 'dry' }, /ban\.mode: expected 'enforce' or 'report'/],
    ['yes', /ban: expected an object/],
  ];
  for (const [ban, message] of cases) {
    assert.throws(() => hangup({ ban: ban as never }), (error: unknown) => error instanceof HangupConfigError && message.test(error.message));
  }
  assert.equal(hangup({}).bans, null, 'off by default');
  assert.notEqual(hangup({ ban: true }).bans, null);
});
