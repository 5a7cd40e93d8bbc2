/**
 * The tarpit: banned connections held open with zero bytes for a bounded time, at most `max` at
 * once (above it a plain drop), released when the server closes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hangup } from '../../src/index.js';
import { from, get, sleep } from './helpers.js';
import { listen } from '../helpers/servers.js';

test('tarpit: held with zero bytes for `hold`, then closed; above `max` dropped at once; the app never sees them', async () => {
  const guard = hangup({ routes: ['GET /'], hints: false, ban: { action: { tarpit: { hold: 400, max: 2 } } } });
  let handled = 0;
  const server = guard.createServer((_req, res) => {
    handled++;
    res.end('hello');
  });
  const port = await listen(server);
  try {
    guard.bans?.ban('127.0.0.2');
    const held = [from('127.0.0.2', port, get('/'), 2_000), from('127.0.0.2', port, get('/'), 2_000)];
    await sleep(100);
    const shed = await from('127.0.0.2', port, get('/'), 2_000);
    assert.equal(shed.bytes.length, 0);
    assert.ok(shed.ms < 300, `the third was dropped at once (${shed.ms} ms)`);
    assert.equal(guard.stats().bans?.tarpitHeld, 2);
    for (const r of await Promise.all(held)) {
      assert.equal(r.bytes.length, 0);
      assert.notEqual(r.ending, 'open');
      assert.ok(r.ms >= 380 && r.ms < 1_500, `held ${r.ms} ms`);
    }
    const stats = guard.stats().bans;
    assert.equal(stats?.tarpitTotal, 2);
    assert.equal(stats?.tarpitShed, 1);
    assert.equal(stats?.tarpitHeld, 0);
    assert.equal(stats?.connectionsRefused, 3);
    assert.equal(handled, 0);
    assert.match((await from('127.0.0.3', port, get('/'))).text, /hello$/);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test('tarpit: server.close() does not wait for held connections', async () => {
  const guard = hangup({ routes: ['GET /'], hints: false, ban: { action: { tarpit: { hold: '1m' } } } });
  const server = guard.createServer((_req, res) => res.end('hello'));
  const port = await listen(server);
  guard.bans?.ban('127.0.0.2');
  const held = from('127.0.0.2', port, get('/'), 5_000);
  await sleep(150);
  assert.equal(guard.stats().bans?.tarpitHeld, 1);
  const started = Date.now();
  await new Promise((r) => server.close(r));
  assert.ok(Date.now() - started < 1_000);
  const r = await held;
  assert.equal(r.bytes.length, 0);
  assert.notEqual(r.ending, 'open');
});
