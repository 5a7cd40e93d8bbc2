/**
 * node:cluster workers share strikes and bans through the primary, and examples/bans.ts works as
 * documented: two workers (connections alternate between them), an address refused 5 times in
 * all is banned in both, every new connection from it gets zero bytes; other addresses are served.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, startExample, stop } from '../helpers/processes.js';
import { from, get, sleep } from './helpers.js';

const EXAMPLE = new URL('../../examples/bans.ts', import.meta.url).pathname;
const PAGE = /^HTTP\/1\.1 200 OK\r\ncontent-type: text\/plain; charset=utf-8\r\ncontent-length: 5\r\nDate: [^\r]+\r\nConnection: close\r\n\r\nhome\n$/;

async function run(workers: number): Promise<void> {
  const port = await freePort();
  const child = await startExample(EXAMPLE, port, { WORKERS: String(workers), REDIS_URL: '' });
  try {
    for (let i = 0; i < 2; i++) assert.match((await from('127.0.0.3', port, get('/'))).text, PAGE);
    // 5 refusals in all, spread over the workers: none of them counted 5 alone
    for (let i = 0; i < 5; i++) assert.equal((await from('127.0.0.2', port, get('/.env'))).bytes.length, 0);
    await sleep(workers > 1 ? 700 : 0);
    for (let i = 0; i < 8; i++) {
      const banned = await from('127.0.0.2', port, get('/'));
      assert.equal(banned.bytes.length, 0, `connection ${i + 1} from the banned address got ${JSON.stringify(banned.text.slice(0, 30))}`);
      assert.match((await from('127.0.0.3', port, get('/'))).text, PAGE);
    }
  } finally {
    await stop(child);
  }
}

test('examples/bans.ts, one process: banned after 5 refusals, zero bytes after; others served', { timeout: 60_000 }, () => run(1));
test('examples/bans.ts WORKERS=2: strikes counted across workers by the primary, the ban enforced by both', { timeout: 60_000 }, () => run(2));
