import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { AdapterName } from '../../src/index.js';
import { rawRequest, head } from '../helpers/raw-client.js';
import { startSite, type Framework, type Mode } from '../adapters/site-servers.js';
import { EventLog, event } from './helpers.js';

const H = 'Host: localhost';
const frameworks: [Framework, AdapterName][] = [
  ['node:http', 'http'],
  ['express4', 'express'],
  ['express5', 'express'],
  ['fastify4', 'fastify'],
  ['fastify5', 'fastify'],
];
const modes: Mode[] = ['pre-routing', 'fallback'];

describe('report mode on every adapter: the framework answers, hangup reports', () => {
  for (const [framework, adapter] of frameworks) {
    for (const mode of modes) {
      if (framework === 'node:http' && mode === 'fallback') continue; // node:http has no router of its own
      test(`${framework} (${mode})`, async () => {
        const events = new EventLog();
        const site = await startSite(framework, mode, { mode: 'report', events: 'refusals', onDecision: events.onDecision });
        try {
          // The same request is dropped when enforced: here it reaches the app or the framework's 404.
          const r = await rawRequest(site.port, head('GET /wp-login.php HTTP/1.1', H));
          assert.match(r.text, framework === 'node:http' ? /^HTTP\/1\.1 200 OK\r\n/ : /^HTTP\/1\.1 404 Not Found\r\n/);
          assert.deepStrictEqual(events.take(), [
            event({
              action: 'drop',
              enforced: false,
              reason: mode === 'pre-routing' ? 'route:unknown' : 'route:unrouted',
              path: '/wp-login.php',
              adapter,
              wire: 'none',
            }),
          ]);
          // Expect: 100-continue on a refused route still gets an answer (no hang waiting for a 100).
          const expect = await rawRequest(site.port, `${head('POST /nope HTTP/1.1', H, 'Content-Length: 3', 'Expect: 100-continue')}abc`);
          assert.match(expect.text, /^HTTP\/1\.1 (100 Continue\r\n\r\nHTTP\/1\.1 )?(200|404) /, expect.text);
          assert.equal(events.take()[0]?.enforced, false);
        } finally {
          await site.close();
        }
      });
    }
  }
});
