import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hangup, notFound, drop, type RequestHead } from '../src/index.js';

const guards = [
  hangup(),
  hangup({
    hosts: ['example.com', '*.example.org', '[::1]'],
    routes: ['GET /', 'GET /users/:id', 'GET|POST /orders', '/files/*path', 'GET /docs{/:page}'],
    rules: [notFound('GET /favicon.ico'), drop((_req, info) => info.query.includes('x'))],
    unknownRoute: 'notFound',
  }),
  hangup({ routes: ['GET /a'], caseSensitive: true, strictTrailingSlash: true, detectors: { encoding: false, dotSegments: false } }),
];

const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: fc.constantFrom('/', '%', '.', 'a', '2', 'e', 'E', 'f', 'F', '?', '#', '\\', '\x00', '\r', '\n', 'é', '\uD800'), maxLength: 40 }),
  fc.constantFrom('/', '*', '/%', '/%E0%A4%A', '/%C0%AF', 'http://x/', '/..', '/%2e%2e/', '/?%00'),
);
const headerValue = fc.oneof(text, fc.array(text, { maxLength: 3 }), fc.constant(undefined), fc.integer() as fc.Arbitrary<unknown>);

test('decide() never throws and always returns a valid decision, whatever the request', () => {
  fc.assert(
    fc.property(
      fc.record(
        {
          method: fc.oneof(fc.constantFrom('GET', 'HEAD', 'POST', 'CONNECT', 'get', ''), text),
          url: fc.oneof(text, fc.constant(undefined)),
          httpVersion: fc.oneof(fc.constantFrom('1.1', '1.0', '2.0', '0.9'), text),
          headers: fc.dictionary(fc.oneof(fc.constantFrom('host', 'content-length', 'transfer-encoding', 'expect'), text), headerValue),
          rawHeaders: fc.oneof(fc.array(text, { maxLength: 8 }), fc.array(fc.anything(), { maxLength: 4 })),
          socket: fc.oneof(fc.constant(null), fc.record({ remoteAddress: fc.oneof(text, fc.constant(undefined)) })),
        },
        { requiredKeys: [] },
      ),
      (request) => {
        for (const guard of guards) {
          const d = guard.decide(request as RequestHead);
          assert.ok(['allow', 'notFound', 'drop'].includes(d.action));
          assert.equal(typeof d.reason, 'string');
        }
      },
    ),
    { numRuns: 3000 },
  );
});
