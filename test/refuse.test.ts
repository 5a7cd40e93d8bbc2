/**
 * guard.refuse(): the app refuses a request hangup allowed (a body it will not read), with the
 * same bytes as hangup's own refusals, counted and reported under the app's reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hangup, type DecisionEvent } from '../src/index.js';
import { rawRequest, head } from './helpers/raw-client.js';
import { listen, close } from './helpers/servers.js';
import { NOT_FOUND, dated } from './helpers/not-found.js';

test('refuse(req, res, reason): zero bytes, or the fixed 404; reported under the reason', async () => {
  const events: DecisionEvent[] = [];
  const guard = hangup({ hosts: ['localhost'], onDecision: (e) => events.push(e), events: 'refusals' });
  const server = guard.createServer((req, res) => {
    if (req.url === '/drop') guard.refuse(req, res, 'app:bad-order');
    else if (req.url === '/404') guard.refuse(req, res, 'app:gone', 'notFound');
    else {
      res.end('started');
      assert.equal(guard.refuse(req, res, 'app:too-late'), false, 'a started response is not cut');
    }
  });
  const port = await listen(server);
  try {
    const dropped = await rawRequest(port, head('GET /drop HTTP/1.1', 'Host: localhost'));
    assert.deepEqual([dropped.text, dropped.ending], ['', 'fin']);
    assert.equal(dated((await rawRequest(port, head('GET /404 HTTP/1.1', 'Host: localhost'))).text), NOT_FOUND);
    assert.match((await rawRequest(port, head('GET /ok HTTP/1.1', 'Host: localhost'))).text, /started$/);
    assert.deepEqual(events.map((e) => [e.action, e.reason, e.wire]), [['drop', 'app:bad-order', 'fin'], ['notFound', 'app:gone', '404']]);
    assert.equal(guard.stats().reasons['app:bad-order'], 1);
  } finally {
    await close(server);
  }
});

test('refuse() with no reason or an unknown action is a TypeError naming both', () => {
  const guard = hangup({});
  const req = {} as never;
  assert.throws(() => guard.refuse(req, req, ''), /expected a non-empty reason and 'drop' or 'notFound'/);
  assert.throws(() => guard.refuse(req, req, 'x', 'allow' as never), /got "x" and "allow"/);
});
