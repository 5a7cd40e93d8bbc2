import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hasUnderscoreName, scanHeaders } from '../../src/detectors/scan-headers.js';
import { parseHead } from '../../src/policy/policy.js';

// The header scan reads a strictly parsed request more lightly (names are known tokens, values hold
// no raw control character): on every head the strict parser can produce, both readings must agree.

const tchar = fc.constantFrom(...'!#$%&\'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'.split(''));
const tokenName = fc.oneof(
  fc.constantFrom('Host', 'host', 'HOST', 'hOsT', 'Content-Length', 'content-length', 'Transfer-Encoding', 'User-Agent', 'user-agent', 'USER-AGENT', 'Referer', 'Expect', 'From', 'Range', 'Origin', 'X_Api_Key', 'Hosts', 'Hots', 'Content-Type'),
  fc.array(tchar, { minLength: 1, maxLength: 20 }).map((c) => c.join('')),
);
// What llhttp lets through in a value: visible ASCII, space, tab and obs-text.
const valueChar = fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.constant(0x09), fc.integer({ min: 0x80, max: 0xff })).map((c) => String.fromCharCode(c));
const valuePiece = fc.oneof(valueChar, fc.constantFrom('%00', '%0', '%', '%000', '%20'));
const value = fc.oneof(
  fc.array(valuePiece, { maxLength: 12 }).map((p) => p.join('')),
  fc.tuple(fc.integer({ min: 0, max: 80 }), valuePiece).map(([n, p]) => `${'v'.repeat(n)}${p}`),
);
const rawHeaders = fc.array(fc.tuple(tokenName, value), { maxLength: 8 }).map((pairs) => pairs.flat());

function head(raw: string[], strict: boolean) {
  const parsed = parseHead({ method: 'GET', url: '/', httpVersion: '1.1', headers: {}, rawHeaders: raw });
  return { ...parsed, parsedStrictly: strict };
}

test('the header scan of a strictly parsed request agrees with the full scan', () => {
  fc.assert(
    fc.property(rawHeaders, (raw) => {
      const full = { ...scanHeaders(head(raw, false)) };
      const strict = { ...scanHeaders(head(raw, true)) };
      assert.deepEqual(strict, full);
      assert.equal(full.invalidName, false);
      assert.equal(hasUnderscoreName(head(raw, true)), raw.some((item, i) => i % 2 === 0 && item.includes('_')));
    }),
    { numRuns: 3000 },
  );
});

test('the header scan finds %00 in long and short values, and counts watched names in any case', () => {
  for (const strict of [true, false]) {
    const scan = (raw: string[]) => ({ ...scanHeaders(head(raw, strict)) });
    assert.equal(scan(['Referer', 'anything%00']).controlInValue, true);
    assert.equal(scan(['Referer', `${'x'.repeat(100)}%00`]).controlInValue, true);
    assert.equal(scan(['Referer', `%${'x'.repeat(100)}%00`]).controlInValue, true);
    assert.equal(scan(['X', '%00']).controlInValue, true);
    assert.equal(scan(['X', '%0']).controlInValue, false);
    assert.equal(scan(['Referer', `${'x'.repeat(100)}%0`]).controlInValue, false);
    assert.deepEqual(
      [scan(['Host', 'a', 'HOST', 'b']).host, scan(['host', 'a', 'Hots', 'b']).host, scan(['hoSt', 'a']).host],
      [2, 1, 1],
    );
    assert.equal(scan(['User-Agent', 'a', 'user-agent', 'b']).duplicateSingleton, true);
    assert.equal(scan(['User-Agent', 'a', 'Accept', 'b']).duplicateSingleton, false);
  }
  assert.equal(scanHeaders(head(['Bad Name', 'x'], false)).invalidName, true);
});
