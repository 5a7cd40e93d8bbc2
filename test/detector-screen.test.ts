import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { DetectorOptions, RequestHead } from '../src/index.js';
import { enabledDetectors } from '../src/detectors/index.js';
import { DetectorScreen } from '../src/detectors/screen.js';
import { defaultPreset, resolveDetectorSettings } from '../src/detectors/settings.js';
import { parseHead } from '../src/policy/policy.js';

// The screen may send a clean request to the detectors, but must never let through one that some
// enabled detector refuses: then decide() would allow what the detectors drop.

const switches = Object.keys(defaultPreset).filter((k) => typeof defaultPreset[k as keyof typeof defaultPreset] === 'boolean');

const settingsArb: fc.Arbitrary<DetectorOptions> = fc.oneof(
  fc.constant({}),
  fc.constant({ preset: 'strict' as const }),
  fc.record(Object.fromEntries(switches.map((k) => [k, fc.boolean()])), { requiredKeys: [] }),
  fc.record({ preset: fc.constantFrom('default' as const, 'strict' as const), maxHeaders: fc.integer({ min: 1, max: 4 }), maxHeaderBytes: fc.integer({ min: 1, max: 60 }), maxTargetLength: fc.integer({ min: 1, max: 20 }) }),
);

const piece = fc.constantFrom('/', 'a', 'B', '.', '..', '%2e', '%2F', '%25', '%32', '%5C', '\\', '?', '#', '%00', '\t', '%', '%zz', '%c0%af', 'é', '%e2%82%ac', '_', ' ', '//');
const target = fc.oneof(
  fc.array(piece, { maxLength: 8 }).map((p) => `/${p.join('')}`),
  fc.constantFrom('*', 'http://example.com/a', 'https://x.test/', 'example.com:443', ''),
);
const hostValue = fc.constantFrom('example.com', 'Example.COM:8080', 'a..b', '.a', '[::1]', '[::1]:99999', '127.0.0.1', 'x:0', 'x:', 'u@x', ' x ', '', 'ex ample', 'x:65536', 'x.y_z-1');
const headerName = fc.constantFrom('Host', 'host', 'HOST', 'Content-Length', 'transfer-encoding', 'Transfer-Encoding', 'Expect', 'User-Agent', 'user-agent', 'Accept', 'X_Api_Key', 'Bad Name', '', 'Content-Type', 'From', 'Origin', 'Range');
const value = fc.oneof(hostValue, fc.constantFrom('0', '10', '1x', ' 5 ', 'chunked', 'gzip, chunked', 'chunked, gzip', '100-continue', '100-Continue ', 'x%00y', 'a\x01b', 'ok', '123456789012345678'));
const rawHeaders = fc.array(fc.tuple(headerName, value), { maxLength: 6 }).map((pairs) => pairs.flat());

const head: fc.Arbitrary<RequestHead> = fc.record({
  method: fc.constantFrom('GET', 'HEAD', 'POST', 'CONNECT', 'TRACE', 'OPTIONS', 'get', 'BREW', 'DELETE'),
  url: target,
  httpVersion: fc.constantFrom('1.1', '1.0', '2.0', ''),
  rawHeaders,
}).map((h) => {
  // The header map as Node builds it from the raw lines: lower-case names, first value kept.
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < h.rawHeaders.length; i += 2) headers[(h.rawHeaders[i] as string).toLowerCase()] ??= h.rawHeaders[i + 1] as string;
  return { ...h, headers };
});

test('the detector screen never passes a request that an enabled detector refuses', () => {
  fc.assert(
    fc.property(settingsArb, fc.array(head, { minLength: 1, maxLength: 8 }), (options, heads) => {
      const screen = new DetectorScreen(resolveDetectorSettings(options));
      const detectors = enabledDetectors(options);
      for (const request of heads) {
        const parsed = parseHead(request);
        if (!screen.passes(parsed)) continue;
        for (const detector of detectors) {
          assert.equal(detector.check(parsed), undefined, `${detector.name} refuses ${JSON.stringify(request)} that the screen passed`);
        }
      }
    }),
    { numRuns: 2000 },
  );
});

test('the detector screen passes an ordinary request', () => {
  const screen = new DetectorScreen(resolveDetectorSettings(undefined));
  const ordinary = { method: 'GET', url: '/users/42?page=2', httpVersion: '1.1', headers: { host: 'example.com' }, rawHeaders: ['Host', 'example.com', 'Accept', '*/*'] };
  assert.equal(screen.passes(parseHead(ordinary)), true);
  assert.equal(screen.passes(parseHead({ ...ordinary, url: '/a/../b' })), false);
});
