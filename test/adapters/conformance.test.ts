/**
 * One table of cases (request bytes -> what the client receives) run against node:http, Express 4,
 * Express 5, Fastify 4 and Fastify 5, each in pre-routing and fallback mode (node:http has no
 * router: pre-routing only). Every variant must give exactly the table's outcome: refusals byte for
 * byte with the same ending, allowed responses by status line and body (headers differ by framework).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rawRequest, head, type Ending, type RawOptions } from '../helpers/raw-client.js';
import { startSite, type Framework, type Mode, type RunningSite } from './site-servers.js';
import { statusesAndBodies } from './responses.js';
import { anyKeepAlive, notFoundKeptAlive } from '../helpers/not-found.js';

const H = 'Host: localhost';
const TEXT = 'Content-Type: text/plain';
const ok = (body: string): string => `HTTP/1.1 200 OK | ${body}`;

type Expected =
  | { readonly refused: string; readonly ending: Ending }
  | { readonly responses: readonly string[]; readonly ending: Ending; readonly headRequest?: boolean; readonly startsWith?: string };

interface Case {
  readonly name: string;
  readonly bytes: string | Buffer;
  readonly expect: Expected;
  readonly options?: RawOptions;
}

const DROP: Expected = { refused: '', ending: 'fin' };
// The fixed 404 is Node's own empty 404: Date aside, it differs only by the server's keep-alive timeout.
const NOT_FOUND: Expected = { refused: notFoundKeptAlive('<n>'), ending: 'open' };
const NOT_FOUND_TO_HEAD: Expected = { refused: notFoundKeptAlive('<n>', 'HEAD'), ending: 'open' };
const allowed = (...responses: string[]): Expected => ({ responses, ending: 'open' });

// The first bytes of a TLS 1.2 ClientHello, as a scanner probing TLS on a plain port sends them.
const TLS_HELLO = Buffer.from('16030100a5010000a10303' + '00'.repeat(32) + '000020c02bc02fc02cc030', 'hex');

const cases: readonly Case[] = [
  { name: 'allowed GET /', bytes: head('GET / HTTP/1.1', H), expect: allowed(ok('home\n')) },
  { name: 'allowed with parameter, query and host port', bytes: head('GET /users/42?tab=1 HTTP/1.1', 'Host: 127.0.0.1:8080'), expect: allowed(ok('user 42\n')) },
  { name: 'allowed HEAD', bytes: head('HEAD /users HTTP/1.1', H), expect: { responses: [ok('')], ending: 'open', headRequest: true } },
  { name: 'allowed POST with a body', bytes: head('POST /orders HTTP/1.1', H, TEXT, 'Content-Length: 5') + 'hello', expect: allowed(ok('order created\n')) },
  { name: 'allowed HTTP/1.0 (closed after)', bytes: head('GET / HTTP/1.0', H), expect: { responses: [ok('home\n')], ending: 'fin' } },
  { name: 'unknown path /.env', bytes: head('GET /.env HTTP/1.1', H), expect: DROP },
  { name: 'unknown path /wp-login.php (POST)', bytes: head('POST /wp-login.php HTTP/1.1', H, TEXT, 'Content-Length: 3') + 'a=b', expect: DROP },
  { name: '<script> in the path (Fastify would echo it in its 404)', bytes: head('GET /<script>alert(1)</script> HTTP/1.1', H), expect: DROP },
  { name: 'unknown path below a route', bytes: head('GET /users/1/edit HTTP/1.1', H), expect: DROP },
  { name: 'wrong host', bytes: head('GET / HTTP/1.1', 'Host: evil.example'), expect: DROP },
  { name: 'missing host, HTTP/1.1 (Node answers 400 by itself)', bytes: head('GET / HTTP/1.1'), expect: DROP },
  { name: 'missing host, HTTP/1.0', bytes: head('GET / HTTP/1.0'), expect: DROP },
  { name: 'duplicate host', bytes: head('GET / HTTP/1.1', H, 'Host: evil.example'), expect: DROP },
  { name: 'empty host', bytes: head('GET / HTTP/1.1', 'Host: '), expect: DROP },
  { name: 'favicon: the fixed 404', bytes: head('GET /favicon.ico HTTP/1.1', H), expect: NOT_FOUND },
  { name: 'favicon HEAD: the fixed 404', bytes: head('HEAD /favicon.ico HTTP/1.1', H), expect: NOT_FOUND_TO_HEAD },
  { name: 'method no route allows (DELETE)', bytes: head('DELETE / HTTP/1.1', H), expect: DROP },
  { name: 'method not allowed on a known path (PUT /orders)', bytes: head('PUT /orders HTTP/1.1', H, 'Content-Length: 0'), expect: DROP },
  { name: 'OPTIONS *', bytes: head('OPTIONS * HTTP/1.1', H), expect: DROP },
  { name: 'bad method token (parser error)', bytes: head('FOO / HTTP/1.1', H), expect: DROP },
  { name: 'garbage', bytes: 'GARBAGE\r\n\r\n', expect: DROP },
  { name: 'TLS ClientHello on the plain port', bytes: TLS_HELLO, expect: DROP },
  { name: 'HTTP/2 preface', bytes: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', expect: DROP },
  { name: 'header overflow (20 KiB header)', bytes: head('GET / HTTP/1.1', H, `X-Big: ${'a'.repeat(20_000)}`), expect: DROP },
  {
    name: 'Expect: 100-continue, allowed: 100 Continue, then the answer',
    bytes: '',
    options: { chunks: [head('POST /orders HTTP/1.1', H, TEXT, 'Content-Length: 5', 'Expect: 100-continue'), 'hello'], gapMs: 150 },
    expect: allowed('HTTP/1.1 100 Continue | ', ok('order created\n')),
  },
  { name: 'Expect: 100-continue, refused: no 100 Continue', bytes: head('POST /nope HTTP/1.1', H, TEXT, 'Content-Length: 5', 'Expect: 100-continue'), expect: DROP },
  { name: 'Expect with another value (Node answers 417)', bytes: head('GET / HTTP/1.1', H, 'Expect: teapot'), expect: DROP },
  { name: 'bad percent-encoding in a parameter (Fastify FST_ERR_BAD_URL)', bytes: head('GET /users/%E0%A4%A HTTP/1.1', H), expect: DROP },
  { name: 'bad percent-encoding %zz', bytes: head('GET /users/%zz HTTP/1.1', H), expect: DROP },
  { name: 'dot segments', bytes: head('GET /users/../.env HTTP/1.1', H), expect: DROP },
  { name: 'encoded dot segments', bytes: head('GET /users/%2e%2e/%2e%2e/etc/passwd HTTP/1.1', H), expect: DROP },
  { name: 'absolute-form target', bytes: head('GET http://localhost/ HTTP/1.1', H), expect: DROP },
  { name: 'Content-Length with Transfer-Encoding', bytes: head('POST /orders HTTP/1.1', H, TEXT, 'Content-Length: 3', 'Transfer-Encoding: chunked') + '0\r\n\r\n', expect: DROP },
  { name: 'pipelined: two allowed', bytes: head('GET / HTTP/1.1', H) + head('GET /users HTTP/1.1', H), expect: allowed(ok('home\n'), ok('users\n')) },
  { name: 'pipelined: allowed, then refused: the first answer, then FIN', bytes: head('GET / HTTP/1.1', H) + head('GET /.env HTTP/1.1', H), expect: { responses: [ok('home\n')], ending: 'fin' } },
  { name: 'pipelined: allowed, then garbage: the first answer, then FIN', bytes: head('GET /users HTTP/1.1', H) + 'GARBAGE\r\n\r\n', expect: { responses: [ok('users\n')], ending: 'fin' } },
  {
    name: 'pipelined: favicon 404, then allowed',
    bytes: head('GET /favicon.ico HTTP/1.1', H) + head('GET / HTTP/1.1', H),
    expect: { responses: ['HTTP/1.1 404 Not Found | ', ok('home\n')], ending: 'open', startsWith: notFoundKeptAlive('<n>') },
  },
  {
    name: 'keep-alive: two requests on one connection',
    bytes: '',
    options: { chunks: [head('GET / HTTP/1.1', H), head('GET /users/7 HTTP/1.1', H)], gapMs: 100 },
    expect: allowed(ok('home\n'), ok('user 7\n')),
  },
  {
    name: 'keep-alive: allowed, then refused on the same connection',
    bytes: '',
    options: { chunks: [head('GET /orders HTTP/1.1', H), head('GET /admin HTTP/1.1', H)], gapMs: 100 },
    expect: { responses: [ok('orders\n')], ending: 'fin' },
  },
];

const variants: readonly [Framework, Mode][] = [
  ['node:http', 'pre-routing'],
  ['express4', 'pre-routing'],
  ['express5', 'pre-routing'],
  ['fastify4', 'pre-routing'],
  ['fastify5', 'pre-routing'],
  ['express4', 'fallback'],
  ['express5', 'fallback'],
  ['fastify4', 'fallback'],
  ['fastify5', 'fallback'],
];

/** What a client received, in the form the expectation is written in. */
function observed(expect: Expected, text: string, ending: Ending): unknown {
  if ('refused' in expect) return { refused: anyKeepAlive(text), ending };
  return {
    responses: statusesAndBodies(text, expect.headRequest === true),
    ending,
    ...(expect.headRequest === undefined ? {} : { headRequest: expect.headRequest }),
    ...(expect.startsWith === undefined ? {} : { startsWith: anyKeepAlive(text).startsWith(expect.startsWith) ? expect.startsWith : text }),
  };
}

describe('the same outcome on node:http, Express 4/5 and Fastify 4/5, both modes', () => {
  const sites: RunningSite[] = [];
  before(async () => {
    for (const [framework, mode] of variants) sites.push(await startSite(framework, mode));
  });
  after(async () => {
    await Promise.all(sites.map((site) => site.close()));
  });

  for (const c of cases) {
    test(c.name, async () => {
      // Generous silence window: on a loaded machine a slow answer must not look like an open connection.
      const results = await Promise.all(
        sites.map((site) => rawRequest(site.port, c.bytes, { waitMs: 1000, ...c.options })),
      );
      for (const [index, site] of sites.entries()) {
        const r = results[index];
        assert.ok(r !== undefined);
        assert.deepEqual(observed(c.expect, r.text, r.ending), c.expect, `${site.name}: ${JSON.stringify(r.text.slice(0, 300))}`);
      }
    });
  }
});
