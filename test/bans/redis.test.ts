/**
 * Bans shared by several "machines" (server processes) through a real redis-server, started here
 * on a free port: a ban made on one is enforced by the other within a second; Redis stopped
 * mid-test: both keep serving and keep their bans, no request waits; Redis back: shared bans
 * resume. No Redis command is ever issued while a connection or request is handled (counted).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { freePort, startExample, stop } from '../helpers/processes.js';
import { from, get, sleep } from './helpers.js';
import { haveRedisServer, killRedis, startRedis } from './redis-server.js';

const FIXTURE = new URL('./fixtures/redis-node.ts', import.meta.url).pathname;
const skip = haveRedisServer() ? false : 'redis-server is not installed (apt-get install redis-server; CI installs it)';

interface NodeStats {
  commands: number;
  onHotPath: number;
  list: string[];
  bans: { connectionsRefused: number; store: { up: boolean; errors: number } };
}

async function statsOf(port: number): Promise<NodeStats> {
  const r = await from('127.0.0.1', port, get('/stats'));
  return JSON.parse(r.text.slice(r.text.indexOf('\r\n\r\n') + 4)) as NodeStats;
}

async function strikeOut(port: number, address: string): Promise<void> {
  for (let i = 0; i < 3; i++) assert.equal((await from(address, port, get('/wp-login.php'))).bytes.length, 0);
}

/** Waits until `address` gets zero bytes from `port`; returns how long it took. */
async function waitBanned(port: number, address: string, limitMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const r = await from(address, port, get('/'), 300);
    if (r.bytes.length === 0) return Date.now() - started;
    if (Date.now() - started > limitMs) assert.fail(`${address} still served by :${port} after ${limitMs} ms: ${JSON.stringify(r.text.slice(0, 40))}`);
    await sleep(50);
  }
}

async function assertServedQuickly(port: number, address: string): Promise<number> {
  const r = await from(address, port, get('/'));
  assert.match(r.text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*hello$/);
  return r.ms;
}

test('two server processes share bans through Redis (node-redis and ioredis); Redis down: both keep serving and banning; Redis back: sharing resumes', { skip, timeout: 90_000 }, async () => {
  const redisPort = await freePort();
  let redis = await startRedis(redisPort);
  const url = `redis://127.0.0.1:${redisPort}`;
  const [portA, portB] = [await freePort(), await freePort()];
  const nodes: ChildProcess[] = [];
  try {
    nodes.push(await startExample(FIXTURE, portA, { REDIS_URL: url, CLIENT: 'node-redis' }));
    nodes.push(await startExample(FIXTURE, portB, { REDIS_URL: url, CLIENT: 'ioredis' }));
    await sleep(300);

    // 1. a ban made on A (its own strikes) is enforced by B within one second
    await strikeOut(portA, '127.0.0.2');
    const propagation = await waitBanned(portB, '127.0.0.2', 1_000);
    assert.ok(propagation < 1_000);
    // ... and the other way round, B's ban reaches A
    await strikeOut(portB, '127.0.0.4');
    await waitBanned(portA, '127.0.0.4', 1_000);

    // 2. Redis stopped: both keep serving and keep their bans, and no request waits
    await killRedis(redis);
    await sleep(200);
    const slowest = Math.max(
      ...(await Promise.all([assertServedQuickly(portA, '127.0.0.3'), assertServedQuickly(portB, '127.0.0.3')])),
    );
    for (const port of [portA, portB]) {
      assert.equal((await from('127.0.0.2', port, get('/'))).bytes.length, 0);
      assert.equal((await from('127.0.0.4', port, get('/'))).bytes.length, 0);
    }
    // a new offender is banned locally while Redis is down
    await strikeOut(portA, '127.0.0.5');
    assert.equal((await from('127.0.0.5', portA, get('/'))).bytes.length, 0);
    for (let i = 0; i < 10; i++) {
      const ms = Math.max(await assertServedQuickly(portA, '127.0.0.3'), await assertServedQuickly(portB, '127.0.0.3'));
      assert.ok(ms < 200, `a request took ${ms} ms while Redis was down`);
    }
    assert.ok(slowest < 200, `a request took ${slowest} ms right after Redis went down`);
    await sleep(1_500);
    assert.equal((await statsOf(portA)).bans.store.up, false);

    // 3. Redis back (empty: it kept nothing): A gives it its bans again, B receives them; new bans are shared again
    redis = await startRedis(redisPort);
    await waitBanned(portB, '127.0.0.5', 8_000);
    await strikeOut(portB, '127.0.0.6');
    await waitBanned(portA, '127.0.0.6', 3_000);
    const [a, b] = [await statsOf(portA), await statsOf(portB)];
    assert.equal(a.bans.store.up, true);
    assert.ok(a.commands > 0 && b.commands > 0, 'the store was used');
    assert.equal(a.onHotPath, 0, 'no Redis command while a connection or request was handled (A)');
    assert.equal(b.onHotPath, 0, 'no Redis command while a connection or request was handled (B)');
    for (const key of ['127.0.0.2', '127.0.0.4', '127.0.0.5', '127.0.0.6']) {
      assert.ok(a.list.includes(key) && b.list.includes(key), `${key} banned on both`);
    }
  } finally {
    for (const node of nodes) await stop(node);
    await killRedis(redis);
  }
});

test('examples/bans.ts with REDIS_URL: two instances share a ban within one second', { skip, timeout: 60_000 }, async () => {
  const redisPort = await freePort();
  const redis = await startRedis(redisPort);
  const example = new URL('../../examples/bans.ts', import.meta.url).pathname;
  const [portA, portB] = [await freePort(), await freePort()];
  const nodes: ChildProcess[] = [];
  try {
    for (const port of [portA, portB]) nodes.push(await startExample(example, port, { REDIS_URL: `redis://127.0.0.1:${redisPort}`, WORKERS: '1' }));
    await sleep(300);
    for (let i = 0; i < 5; i++) assert.equal((await from('127.0.0.2', portA, get('/.env'))).bytes.length, 0);
    assert.ok((await waitBanned(portB, '127.0.0.2', 1_000)) < 1_000);
    assert.match((await from('127.0.0.3', portB, get('/'))).text, /^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nhome\n$/);
  } finally {
    for (const node of nodes) await stop(node);
    await killRedis(redis);
  }
});
