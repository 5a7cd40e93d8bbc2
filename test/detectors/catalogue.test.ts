import test from 'node:test';
import assert from 'node:assert/strict';
import { hangup, HangupConfigError, type HangupOptions, type RequestHead } from '../../src/index.js';
import { scanTarget, Target } from '../../src/detectors/scan-target.js';
import { parserErrorReason, parserErrors } from '../../src/detectors/parser-errors.js';

/** A request head from a request line and header lines, as Node would parse it. */
function req(line: string, headerLines: string[] = ['Host: example.com'], httpVersion = '1.1'): RequestHead {
  const [method = '', url = ''] = line.split(' ');
  const rawHeaders = headerLines.flatMap((h) => {
    const colon = h.indexOf(':');
    return [h.slice(0, colon), h.slice(colon + 1).trim()];
  });
  const headers: Record<string, string | string[]> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const key = (rawHeaders[i] as string).toLowerCase();
    const value = rawHeaders[i + 1] as string;
    const previous = headers[key];
    headers[key] = previous === undefined ? value : Array.isArray(previous) ? [...previous, value] : [previous, value];
  }
  return { method, url, httpVersion, headers, rawHeaders };
}

const reasonOf = (options: HangupOptions, head: RequestHead): string => hangup(options).decide(head).reason;

/** [request, reason under the default preset, reason under strict]; 'route:any' means allowed. */
const cases: [string, RequestHead, string, string][] = [
  ['HTTP/2.0 line', req('GET /', undefined, '2.0'), 'malformed:http-version', 'malformed:http-version'],
  ['unknown method', req('BREW /'), 'method:unknown', 'method:unknown'],
  ['lower-case method', req('get /'), 'method:unknown', 'method:unknown'],
  ['CONNECT', req('CONNECT example.com:443'), 'method:connect', 'method:connect'],
  ['TRACE', req('TRACE /'), 'method:trace', 'method:trace'],
  ['absolute-form', req('GET http://example.com/'), 'malformed:not-origin-form', 'malformed:not-origin-form'],
  ['authority-form', req('GET example.com:80'), 'malformed:not-origin-form', 'malformed:not-origin-form'],
  ['OPTIONS *', req('OPTIONS *'), 'malformed:not-origin-form', 'malformed:not-origin-form'],
  ['GET *', req('GET *'), 'malformed:not-origin-form', 'malformed:not-origin-form'],
  ['fragment', req('GET /a#b'), 'malformed:fragment', 'malformed:fragment'],
  ['target of 5000 bytes', req(`GET /${'a'.repeat(5000)}`), 'route:any', 'malformed:target-too-long'],
  ['target of 9000 bytes', req(`GET /?q=${'a'.repeat(9000)}`), 'malformed:target-too-long', 'malformed:target-too-long'],
  ['encoded NUL in path', req('GET /a%00.php'), 'malformed:control-char', 'malformed:control-char'],
  ['encoded NUL in query', req('GET /?a=%00'), 'malformed:control-char', 'malformed:control-char'],
  ['encoded CRLF in query', req('GET /?a=%0d%0aSet-Cookie:x'), 'malformed:control-char', 'malformed:control-char'],
  ['encoded DEL in path', req('GET /a%7f'), 'malformed:control-char', 'malformed:control-char'],
  ['encoded tab in query', req('GET /?q=a%09b'), 'route:any', 'malformed:control-char'],
  ['encoded NUL in a header value', req('GET /', ['Host: example.com', 'Referer: x%00']), 'malformed:control-char', 'malformed:control-char'],
  ['raw control in a header value (lenient parser)', req('GET /', ['Host: example.com', 'X: a\u0001b']), 'malformed:control-char', 'malformed:control-char'],
  ['bad percent in path', req('GET /a%zz'), 'malformed:bad-percent-encoding', 'malformed:bad-percent-encoding'],
  ['%u escape in path', req('GET /%u002e'), 'malformed:bad-percent-encoding', 'malformed:bad-percent-encoding'],
  ['stray % in query', req('GET /?discount=50%'), 'route:any', 'malformed:bad-percent-encoding'],
  ['overlong UTF-8 in path', req('GET /%c0%af'), 'malformed:bad-utf8', 'malformed:bad-utf8'],
  ['invalid UTF-8 in query', req('GET /?q=%e9t%e9'), 'route:any', 'malformed:bad-utf8'],
  ['backslash raw in path', req('GET /a\\..\\b'), 'malformed:backslash', 'malformed:backslash'],
  ['backslash encoded in path', req('GET /a%5cb'), 'malformed:backslash', 'malformed:backslash'],
  ['backslash raw in query', req('GET /?f=a\\b'), 'route:any', 'malformed:backslash'],
  ['dot segment', req('GET /a/../b'), 'malformed:dot-segment', 'malformed:dot-segment'],
  ['encoded dot segment', req('GET /a/%2e%2E/b'), 'malformed:dot-segment', 'malformed:dot-segment'],
  ['dot segment before encoded slash', req('GET /a/..%2fb'), 'malformed:dot-segment', 'malformed:dot-segment'],
  ['single dot segment', req('GET /./a'), 'malformed:dot-segment', 'malformed:dot-segment'],
  ['encoded slash', req('GET /a%2Fb'), 'malformed:encoded-slash', 'malformed:encoded-slash'],
  ['double encoding in path', req('GET /a/%252e%252e/b'), 'malformed:double-encoding', 'malformed:double-encoding'],
  ['double encoding in query', req('GET /?next=%2Fa%3Fq%3D%2520'), 'route:any', 'malformed:double-encoding'],
  ['empty segment', req('GET /a//b'), 'route:any', 'malformed:empty-segment'],
  ['missing Host on 1.1', req('GET /', []), 'host:missing', 'host:missing'],
  ['missing Host on 1.0', req('GET /', [], '1.0'), 'route:any', 'host:missing'],
  ['empty Host', req('GET /', ['Host: ']), 'host:empty', 'host:empty'],
  ['two Host headers', req('GET /', ['Host: a.com', 'Host: b.com']), 'host:duplicate', 'host:duplicate'],
  ['Host with userinfo', req('GET /', ['Host: user@example.com']), 'host:userinfo', 'host:userinfo'],
  ['Host with a space', req('GET /', ['Host: exa mple.com']), 'host:invalid', 'host:invalid'],
  ['Host with %00', req('GET /', ['Host: localhost%00']), 'malformed:control-char', 'malformed:control-char'],
  ['Host with an escape', req('GET /', ['Host: exa%6dple.com']), 'host:invalid', 'host:invalid'],
  ['Host with ..', req('GET /', ['Host: a..b']), 'host:invalid', 'host:invalid'],
  ['Host port 0', req('GET /', ['Host: example.com:0']), 'host:bad-port', 'host:bad-port'],
  ['Host port 65536', req('GET /', ['Host: example.com:65536']), 'host:bad-port', 'host:bad-port'],
  ['Host port not a number', req('GET /', ['Host: example.com:80a']), 'host:bad-port', 'host:bad-port'],
  ['Host unbracketed IPv6', req('GET /', ['Host: ::1']), 'host:invalid', 'host:invalid'],
  ['Host IPv4', req('GET /', ['Host: 10.0.0.1:8080']), 'route:any', 'host:numeric-ip'],
  ['Host IPv6', req('GET /', ['Host: [::1]:3000']), 'route:any', 'host:numeric-ip'],
  ['CL with TE', req('POST /', ['Host: a', 'Content-Length: 3', 'Transfer-Encoding: chunked']), 'smuggling:content-length-with-transfer-encoding', 'smuggling:content-length-with-transfer-encoding'],
  ['two Content-Length', req('POST /', ['Host: a', 'Content-Length: 3', 'Content-Length: 3']), 'smuggling:duplicate-content-length', 'smuggling:duplicate-content-length'],
  ['Content-Length not a number', req('POST /', ['Host: a', 'Content-Length: 3;']), 'smuggling:bad-content-length', 'smuggling:bad-content-length'],
  ['TE gzip', req('POST /', ['Host: a', 'Transfer-Encoding: gzip']), 'smuggling:bad-transfer-encoding', 'smuggling:bad-transfer-encoding'],
  ['TE chunked, gzip', req('POST /', ['Host: a', 'Transfer-Encoding: chunked, gzip']), 'smuggling:bad-transfer-encoding', 'smuggling:bad-transfer-encoding'],
  ['TE chunked twice', req('POST /', ['Host: a', 'Transfer-Encoding: chunked', 'Transfer-Encoding: chunked']), 'smuggling:bad-transfer-encoding', 'smuggling:bad-transfer-encoding'],
  ['TE on HTTP/1.0', req('POST /', ['Host: a', 'Transfer-Encoding: chunked'], '1.0'), 'smuggling:transfer-encoding-on-http10', 'smuggling:transfer-encoding-on-http10'],
  ['TE on GET', req('GET /', ['Host: a', 'Transfer-Encoding: chunked']), 'smuggling:transfer-encoding-on-get', 'smuggling:transfer-encoding-on-get'],
  ['body on GET', req('GET /', ['Host: a', 'Content-Length: 7']), 'route:any', 'malformed:body-on-get'],
  ['60 headers', req('GET /', ['Host: a', ...Array.from({ length: 59 }, (_, i) => `X-H${i}: v`)]), 'route:any', 'malformed:too-many-headers'],
  ['101 headers', req('GET /', ['Host: a', ...Array.from({ length: 100 }, (_, i) => `X-H${i}: v`)]), 'malformed:too-many-headers', 'malformed:too-many-headers'],
  ['10 KB cookie', req('GET /', ['Host: a', `Cookie: a=${'x'.repeat(10_000)}`]), 'route:any', 'malformed:headers-too-large'],
  ['13 KB cookie', req('GET /', ['Host: a', `Cookie: a=${'x'.repeat(13_000)}`]), 'malformed:headers-too-large', 'malformed:headers-too-large'],
  ['two Authorization', req('GET /', ['Host: a', 'Authorization: Basic a', 'authorization: Basic b']), 'malformed:duplicate-header', 'malformed:duplicate-header'],
  ['two Content-Type', req('POST /', ['Host: a', 'Content-Type: a/b', 'Content-Type: c/d']), 'malformed:duplicate-header', 'malformed:duplicate-header'],
  ['two Cookie lines', req('GET /', ['Host: a', 'Cookie: a=1', 'Cookie: b=2']), 'route:any', 'route:any'],
  ['underscore in a header name', req('GET /', ['Host: a', 'X_Api_Key: k']), 'route:any', 'malformed:header-underscore'],
  ['Expect other than 100-continue', req('POST /', ['Host: a', 'Expect: 200-ok']), 'malformed:expect', 'malformed:expect'],
  ['Expect 100-continue', req('POST /', ['Host: a', 'Expect: 100-Continue']), 'route:any', 'route:any'],
];

test('every detector: its reason under the default and the strict preset', () => {
  const strict = hangup({ detectors: 'strict' });
  const plain = hangup();
  for (const [name, head, defaultReason, strictReason] of cases) {
    assert.equal(plain.decide(head).reason, defaultReason, `default: ${name}`);
    assert.equal(strict.decide(head).reason, strictReason, `strict: ${name}`);
  }
});

test('ordinary targets pass both presets', () => {
  const targets = [
    '/', '/users/42/', '/search?q=caf%C3%A9+au+lait&page=2', '/caf%C3%A9/men%C3%BC', '/a%20b', '/?q=a%26b%3Dc%3F',
    '/files/report.final.v2.pdf', '/.well-known/acme-challenge/abc', '/...', '/a..b/', '/~user/', `/?q=${'x'.repeat(3000)}`,
    '/api/v1/items?ids[]=1&ids[]=2&sort=-created_at', '/p?redirect=https%3A%2F%2Fexample.com%2Fcb%3Fx%3D1',
  ];
  for (const preset of ['default', 'strict'] as const) {
    const guard = hangup({ detectors: preset });
    for (const target of targets) assert.equal(guard.decide(req(`GET ${target}`)).reason, 'route:any', `${preset}: ${target}`);
  }
});

test('switches and limits override the preset, and every detector can be turned off', () => {
  assert.equal(reasonOf({ detectors: { dotSegments: false } }, req('GET /a/../b')), 'route:any');
  assert.equal(reasonOf({ detectors: { preset: 'strict', emptySegments: false } }, req('GET /a//b')), 'route:any');
  assert.equal(reasonOf({ detectors: { emptySegments: true } }, req('GET /a//b')), 'malformed:empty-segment');
  assert.equal(reasonOf({ detectors: { maxTargetLength: 10 } }, req('GET /0123456789')), 'malformed:target-too-long');
  assert.equal(reasonOf({ detectors: { maxTargetLength: Infinity } }, req(`GET /${'a'.repeat(20_000)}`)), 'route:any');
  assert.equal(reasonOf({ detectors: { maxHeaders: 1 } }, req('GET /', ['Host: a', 'Accept: */*'])), 'malformed:too-many-headers');
  assert.equal(reasonOf({ detectors: { connect: false } }, req('CONNECT example.com:443')), 'malformed:not-origin-form');
  assert.equal(reasonOf({ detectors: { trace: false } }, req('TRACE /')), 'route:any');
  assert.equal(reasonOf({ detectors: { allowOptionsAsterisk: true } }, req('OPTIONS *')), 'route:any');
  assert.equal(reasonOf({ detectors: { allowOptionsAsterisk: true } }, req('GET *')), 'malformed:not-origin-form');
  assert.equal(reasonOf({ detectors: { allowAbsoluteForm: true } }, req('GET http://example.com/a', ['Host: example.com'])), 'route:any');
  assert.equal(reasonOf({ detectors: { allowAbsoluteForm: true } }, req('GET http://evil.com/a', ['Host: example.com'])), 'malformed:absolute-form-host');
  assert.equal(reasonOf({ detectors: { numericHost: true } }, req('GET /', ['Host: 127.0.0.1'])), 'host:numeric-ip');
  const off = Object.fromEntries(
    ['httpVersion', 'method', 'trace', 'originForm', 'fragment', 'controlChars', 'encoding', 'backslash', 'dotSegments', 'encodedSlash', 'doubleEncoding', 'hostHeader', 'framing', 'duplicateHeaders', 'expect'].map((k) => [k, false]),
  );
  for (const [name, head, defaultReason] of cases) {
    if (defaultReason.startsWith('malformed:') || defaultReason.startsWith('smuggling:') || defaultReason === 'method:trace') {
      const reason = reasonOf({ detectors: { ...off, maxTargetLength: Infinity, maxHeaders: Infinity, maxHeaderBytes: Infinity } }, head);
      assert.ok(!reason.startsWith('malformed:') && !reason.startsWith('smuggling:'), `${name} still caught with every detector off: ${reason}`);
    }
  }
});

test('bad detector options throw HangupConfigError naming the option, the value and the fix', () => {
  const rejects = (detectors: unknown, option: string, message: RegExp): void => {
    assert.throws(
      () => hangup({ detectors } as HangupOptions),
      (error: unknown) => error instanceof HangupConfigError && error.option === option && message.test(error.message),
      `${JSON.stringify(detectors)} should name ${option}`,
    );
  };
  rejects('paranoid', 'detectors', /'default', 'strict' or an object of switches/);
  rejects({ preset: 'loose' }, 'detectors.preset', /expected 'default' or 'strict', got "loose"/);
  rejects({ maxTargetLength: 0 }, 'detectors.maxTargetLength', /positive whole number.*got 0/);
  rejects({ maxHeaders: 2.5 }, 'detectors.maxHeaders', /positive whole number.*got 2.5/);
  rejects({ maxHeaderBytes: '8k' }, 'detectors.maxHeaderBytes', /positive whole number.*got "8k"/);
  rejects({ emptySegment: true }, 'detectors.emptySegment', /did you mean 'emptySegments'\?/);
  rejects({ trace: 'no' }, 'detectors.trace', /true or false, got "no"/);
});

test('the target scan: flags are independent and never throw on any string', () => {
  assert.equal(scanTarget('/a/b?c=d'), 0);
  assert.equal(scanTarget('/a%2fb'), Target.encodedSlash);
  assert.equal(scanTarget('/a//b'), Target.emptySegment);
  assert.equal(scanTarget('/x?q=%09'), Target.queryTab);
  assert.equal(scanTarget('/%25%32%65'), Target.pathDoubleEncoding);
  assert.equal(scanTarget('/?a=%ff'), Target.queryBadUtf8);
  assert.equal(scanTarget('/%'), Target.pathBadPercent);
  assert.equal(scanTarget('/a#/../'), Target.fragment);
  for (const s of ['', '%', '%%', '?', '#', '\u{1F600}', '/\uD800', '%f0%9f%98', '/..?', '\\']) assert.equal(typeof scanTarget(s), 'number');
});

test('parser errors: every llhttp code has a reason, timeouts and socket errors too', () => {
  for (const code of Object.keys(parserErrors)) assert.equal(parserErrorReason({ code }), `parser:${code}`);
  assert.equal(parserErrorReason({ code: 'ERR_HTTP_REQUEST_TIMEOUT' }), 'parser:timeout');
  assert.equal(parserErrorReason({ code: 'ECONNRESET' }), 'socket:ECONNRESET');
  assert.equal(parserErrorReason({ code: 'weird code' }), 'parser:error');
  assert.equal(parserErrorReason(null), 'parser:error');
  assert.equal(parserErrorReason(new Error('no code')), 'parser:error');
});
