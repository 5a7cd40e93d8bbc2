import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { freePort, startExample, stop } from '../helpers/processes.js';
import { closeSession, connect, get, rawH2, request } from '../helpers/h2-frames.js';

/** examples/h2c.ts run as a real process (tsx), spoken to over h2c with prior knowledge. */

let child: ChildProcess;
let port: number;
before(async () => {
  port = await freePort();
  child = await startExample('examples/h2c.ts', port);
});
after(() => stop(child));

test('examples/h2c.ts serves the site policy over h2c: routes, the favicon 404, RST_STREAM for the rest', async () => {
  const session = await connect(port);
  try {
    const pages: [string, string, string][] = [
      ['GET', '/', 'home\n'],
      ['GET', '/users', 'users\n'],
      ['GET', '/users/42', 'user 42\n'],
      ['GET', '/orders', 'orders\n'],
    ];
    for (const [method, path, body] of pages) {
      const r = await request(session, { ':method': method, ':path': path });
      assert.equal(r.status, 200, path);
      assert.equal(r.body, body, path);
      assert.equal(r.headers?.['x-powered-by'], undefined);
    }
    const order = await request(session, { ':method': 'POST', ':path': '/orders', 'content-type': 'application/json' }, '{"a":1}');
    assert.equal(order.body, 'order created\n');
    const badOrder = await request(session, { ':method': 'POST', ':path': '/orders', 'content-type': 'application/json' }, '{"a":');
    assert.equal(badOrder.rstCode, 1);
    const nf = await request(session, { ':path': '/favicon.ico' });
    assert.equal(nf.status, 404);
    assert.deepEqual(Object.keys(nf.headers ?? {}).sort(), [':status', 'date']);
    for (const path of ['/.env', '/wp-login.php', '/users/1/../../x']) {
      const r = await request(session, { ':path': path });
      assert.equal(r.rstCode, 1, path);
      assert.equal(r.status, undefined, path);
    }
    // Still usable after the refusals.
    assert.equal((await request(session, { ':path': '/' })).body, 'home\n');
  } finally {
    await closeSession(session);
  }
  for (const fields of [get('/', 'example.com'), get('/.git/config', 'localhost'), get('/', 'localhost', [['host', 'example.com']])]) {
    const r = await rawH2(port, [fields]);
    assert.deepEqual(r.shown, ['SETTINGS(s0)', 'SETTINGS(s0,ACK)', 'RST_STREAM(s1,PROTOCOL_ERROR)']);
    assert.equal(r.bytes, 31);
  }
});
