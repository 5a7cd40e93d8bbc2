/**
 * `hangup bans`: list, lift and make bans in the Redis store the guards share; a change made
 * there reaches a running guard through the store's channel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createClient } from 'redis';
import { hangup, redisStore } from '../../src/index.js';
import { freePort } from '../helpers/processes.js';
import { runHangup } from '../helpers/cli.js';
import { from, get, sleep } from './helpers.js';
import { listen } from '../helpers/servers.js';
import { haveRedisServer, killRedis, startRedis } from './redis-server.js';

const skip = haveRedisServer() ? false : 'redis-server is not installed (apt-get install redis-server; CI installs it)';

async function until(check: () => Promise<boolean>, limitMs: number, what: string): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > limitMs) assert.fail(`${what} not within ${limitMs} ms`);
    await sleep(50);
  }
}

test('hangup bans: ban, list, unban in Redis reach a running guard; exit codes', { skip, timeout: 60_000 }, async () => {
  const redisPort = await freePort();
  const redis = await startRedis(redisPort);
  const url = `redis://127.0.0.1:${redisPort}`;
  const client = createClient({ url, disableOfflineQueue: true });
  client.on('error', () => {});
  await client.connect();
  const guard = hangup({ routes: ['GET /'], hints: false, ban: { store: redisStore({ client }) } });
  const server = guard.createServer((_req, res) => res.end('hello'));
  const port = await listen(server);
  const banned = async (): Promise<boolean> => (await from('127.0.0.2', port, get('/'), 300)).bytes.length === 0;
  try {
    await sleep(300);
    const made = await runHangup(['bans', 'ban', '127.0.0.2', '--for', '1h', '--redis', url], 'src');
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /^127\.0\.0\.2: banned until \d{4}-\d\d-\d\dT/);
    await until(banned, 1_000, 'the guard refusing 127.0.0.2');

    const list = await runHangup(['bans', 'list', '--json', '--redis', url], 'src');
    assert.equal(list.code, 0);
    const entries = JSON.parse(list.stdout) as { key: string; until: string }[];
    assert.deepEqual(entries.map((e) => e.key), ['127.0.0.2']);
    assert.ok(Date.parse(entries[0]?.until ?? '') - Date.now() > 59 * 60_000);

    const lifted = await runHangup(['bans', 'unban', '127.0.0.2', '--redis', url], 'src');
    assert.equal(lifted.code, 0);
    assert.equal(lifted.stdout, '127.0.0.2: unbanned (every guard sharing the store is told)\n');
    await until(async () => !(await banned()), 1_000, 'the guard serving 127.0.0.2 again');
    assert.match((await from('127.0.0.2', port, get('/'))).text, /hello$/);

    const again = await runHangup(['bans', 'unban', '::ffff:127.0.0.2', '--redis', url], 'src');
    assert.equal(again.code, 1, 'not banned');
    assert.equal((await runHangup(['bans', 'list', '--redis', url], 'src')).stdout, 'no active bans\n');
    assert.equal((await runHangup(['bans', 'ban', 'not-an-ip', '--redis', url], 'src')).code, 2);
    assert.equal((await runHangup(['bans', 'list'], 'src', { env: { REDIS_URL: '' } })).code, 2);
    const closedPort = await freePort();
    const unreachable = await runHangup(['bans', 'list', '--redis', `redis://127.0.0.1:${closedPort}`], 'src');
    assert.equal(unreachable.code, 3);
    assert.match(unreachable.stderr, /^hangup bans: Redis at 127\.0\.0\.1:\d+: /);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await guard.bans?.close();
    await client.close().catch(() => {});
    await killRedis(redis);
  }
});
