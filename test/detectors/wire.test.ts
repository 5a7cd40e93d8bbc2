import test from 'node:test';
import assert from 'node:assert/strict';
import { APP_RESPONSE, isDropped, replay, type ReplayCase, type ReplayResult } from '../conformance/crs-replay.js';

const ANSWER = `${APP_RESPONSE}Connection: close\r\n\r\nok\n`;

function request(id: string, lines: string[], body = ''): ReplayCase {
  return { id, bytes: Buffer.from(`${lines.join('\r\n')}\r\nConnection: close\r\n\r\n${body}`, 'latin1') };
}

const chromeAccept = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7';
const cookie = `_ga=GA1.1.123456789.1700000000; session=eyJhbGciOiJIUzI1NiJ9.${'e30'.repeat(300)}.sig; prefs=%7B%22theme%22%3A%22dark%22%7D; _fbp=fb.1.1700000000000.123456789`;

/** Requests as real clients send them: browsers, curl, fetch, HTTP libraries, mobile apps. */
const ordinary: ReplayCase[] = [
  request('chrome navigation', [
    'GET /search?q=caf%C3%A9+au+lait&lang=fr&page=2 HTTP/1.1', 'Host: localhost:3000',
    'sec-ch-ua: "Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99"', 'sec-ch-ua-mobile: ?0', 'sec-ch-ua-platform: "macOS"',
    'Upgrade-Insecure-Requests: 1', 'User-Agent: Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    `Accept: ${chromeAccept}`, 'Sec-Fetch-Site: none', 'Sec-Fetch-Mode: navigate', 'Sec-Fetch-User: ?1', 'Sec-Fetch-Dest: document',
    'Accept-Encoding: gzip, deflate, br, zstd', 'Accept-Language: fr-FR,fr;q=0.9,en-US;q=0.8,en;q=0.7', `Cookie: ${cookie}`,
  ]),
  request('chrome form POST', [
    'POST /orders/ HTTP/1.1', 'Host: localhost', 'Content-Length: 37', 'Cache-Control: max-age=0', 'Origin: http://localhost',
    'Content-Type: application/x-www-form-urlencoded', 'User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
    `Accept: ${chromeAccept}`, 'Referer: http://localhost/orders/new?from=%2Fcart%3Fid%3D7', 'Accept-Encoding: gzip, deflate, br', 'Accept-Language: en-US,en;q=0.9',
  ], 'item=caf%C3%A9&qty=2&note=a+b%26c%3Dd'),
  request('firefox UTF-8 path', [
    'GET /caf%C3%A9/men%C3%BC/%E6%97%A5%E6%9C%AC%E8%AA%9E/ HTTP/1.1', 'Host: localhost', 'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
    'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'Accept-Language: en-US,en;q=0.5', 'Accept-Encoding: gzip, deflate, br',
    'DNT: 1', 'Sec-GPC: 1', 'Upgrade-Insecure-Requests: 1', 'Sec-Fetch-Dest: document', 'Sec-Fetch-Mode: navigate', 'Sec-Fetch-Site: same-origin', 'Priority: u=0, i', 'TE: trailers',
  ]),
  request('safari XHR with long query', [
    `GET /api/items?ids=${Array.from({ length: 200 }, (_, i) => i).join('%2C')}&filter=name%3D%22a%26b%22&q=a%20b&sort=-created_at&cursor=eyJpZCI6MTIzfQ%3D%3D HTTP/1.1`,
    'Host: localhost', 'Accept: application/json', 'X-Requested-With: XMLHttpRequest', 'Accept-Language: en-GB,en;q=0.9',
    'User-Agent: Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
    'Referer: http://localhost/', 'Accept-Encoding: gzip, deflate', `Cookie: ${cookie}`,
  ]),
  request('curl', ['GET /users/42 HTTP/1.1', 'Host: 127.0.0.1:3000', 'User-Agent: curl/8.5.0', 'Accept: */*']),
  request('curl HTTP/1.0', ['GET / HTTP/1.0', 'Host: localhost', 'User-Agent: curl/8.5.0', 'Accept: */*']),
  request('curl -d with Expect', ['POST /orders HTTP/1.1', 'Host: localhost', 'User-Agent: curl/8.5.0', 'Accept: */*', 'Content-Length: 9', 'Content-Type: application/x-www-form-urlencoded'], 'a=1&b=%2B'),
  request('node fetch (undici) JSON POST', [
    'POST /orders HTTP/1.1', 'host: localhost:3000', 'content-type: application/json', 'authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln',
    'accept: */*', 'accept-language: *', 'sec-fetch-mode: cors', 'user-agent: node', 'accept-encoding: gzip, deflate', 'content-length: 26',
  ], '{"item":"café","qty":2}'.replace('é', 'e') + '   '),
  request('node fetch chunked upload', ['PUT /files/report.pdf HTTP/1.1', 'host: localhost', 'transfer-encoding: chunked', 'user-agent: node', 'accept: */*'], '5\r\nhello\r\n0\r\n\r\n'),
  request('python requests', [
    'GET /users/?name=O%27Brien&tags=a&tags=b&next=%2Fa%2Fb%3Fc%3D%2520 HTTP/1.1', 'Host: localhost', 'User-Agent: python-requests/2.31.0',
    'Accept-Encoding: gzip, deflate', 'Accept: */*', 'Authorization: Basic dXNlcjpwYXNz',
  ]),
  request('android okhttp', [
    'GET /api/v2/feed?since=2024-05-01T12%3A00%3A00Z&limit=50 HTTP/1.1', 'Host: localhost', 'Accept: application/json', 'X-App-Version: 5.12.0 (4211)',
    'X-Device-Id: 9f6c1e2a-5b7d-4e3f-8a9b-0c1d2e3f4a5b', 'Authorization: Bearer abc.def.ghi', 'Accept-Encoding: gzip', 'User-Agent: okhttp/4.12.0',
  ]),
  request('iOS app (CFNetwork)', [
    'GET /api/profile/me/ HTTP/1.1', 'Host: localhost', 'Accept: */*', 'Accept-Language: de-DE;q=1.0, en-DE;q=0.9', 'Accept-Encoding: br;q=1.0, gzip;q=0.9, deflate;q=0.8',
    'User-Agent: MyApp/3.4.1 (com.example.app; build:812; iOS 17.4.1) Alamofire/5.9.1', 'If-None-Match: W/"5e-abc"', 'If-Modified-Since: Wed, 21 Oct 2015 07:28:00 GMT',
  ]),
  request('CORS preflight', [
    'OPTIONS /api/items HTTP/1.1', 'Host: localhost', 'Origin: http://localhost:5173', 'Access-Control-Request-Method: PATCH',
    'Access-Control-Request-Headers: content-type,x-csrf-token', 'Sec-Fetch-Mode: cors',
  ]),
  request('range request from a video player', ['GET /media/clip.mp4 HTTP/1.1', 'Host: localhost', 'Range: bytes=1048576-', 'Accept: */*', 'User-Agent: AppleCoreMedia/1.0.0.21E236']),
];

/** What the strict preset refuses among them, by design: a URL nested in a query value (`%2520`) looks double-encoded. */
const strictRefuses: Readonly<Record<string, string>> = { 'python requests': 'malformed:double-encoding' };

test('ordinary clients pass the default preset (and the strict one but for a nested URL), with the app\'s answer byte for byte', async () => {
  for (const detectors of ['default', 'strict'] as const) {
    const results = await replay(ordinary, { policy: { hosts: ['localhost', '127.0.0.1'], detectors: detectors === 'strict' ? { preset: 'strict', numericHost: false } : 'default' } });
    for (const r of results) {
      const refused = detectors === 'strict' ? strictRefuses[r.case.id] : undefined;
      if (refused !== undefined) {
        assert.ok(isDropped(r), `strict should drop ${r.case.id}`);
        assert.deepEqual(r.reasons, [refused]);
        continue;
      }
      assert.equal(r.received.toString('latin1'), ANSWER, `${detectors}: ${r.case.id}: ${r.reasons.join(' + ')}`);
    }
  }
});

/** [name, raw request, reason with Node's default parser, reason with insecureHTTPParser]. */
const hostile: [string, string, string, string][] = [
  ['unknown method', 'BREW / HTTP/1.1\r\nHost: localhost\r\n\r\n', 'parser:HPE_INVALID_METHOD', 'parser:HPE_INVALID_METHOD'],
  ['TRACE', 'TRACE / HTTP/1.1\r\nHost: localhost\r\n\r\n', 'method:trace', 'method:trace'],
  ['absolute-form', 'GET http://evil.com/ HTTP/1.1\r\nHost: localhost\r\n\r\n', 'malformed:not-origin-form', 'malformed:not-origin-form'],
  ['raw NUL in path', 'GET /a\u0000 HTTP/1.1\r\nHost: localhost\r\n\r\n', 'parser:HPE_INVALID_URL', 'parser:HPE_INVALID_URL'],
  ['encoded NUL', 'GET /a%00.php HTTP/1.1\r\nHost: localhost\r\n\r\n', 'malformed:control-char', 'malformed:control-char'],
  ['backslash first', 'GET \\a HTTP/1.1\r\nHost: localhost\r\n\r\n', 'parser:HPE_INVALID_URL', 'parser:HPE_INVALID_URL'],
  ['backslash inside', 'GET /a\\..\\b HTTP/1.1\r\nHost: localhost\r\n\r\n', 'malformed:backslash', 'malformed:backslash'],
  ['dot segment', 'GET /%2e%2e/etc/passwd HTTP/1.1\r\nHost: localhost\r\n\r\n', 'malformed:dot-segment', 'malformed:dot-segment'],
  ['encoded slash', 'GET /a%2f..%2fb HTTP/1.1\r\nHost: localhost\r\n\r\n', 'malformed:dot-segment', 'malformed:dot-segment'],
  ['double encoding', 'GET /%252e%252e/x HTTP/1.1\r\nHost: localhost\r\n\r\n', 'malformed:double-encoding', 'malformed:double-encoding'],
  ['HTTP/1.2', 'GET / HTTP/1.2\r\nHost: localhost\r\n\r\n', 'parser:HPE_INVALID_VERSION', 'malformed:http-version'],
  ['HTTP/2.0 line', 'GET / HTTP/2.0\r\nHost: localhost\r\n\r\n', 'malformed:http-version', 'malformed:http-version'],
  ['Host with userinfo', 'GET / HTTP/1.1\r\nHost: a@localhost\r\n\r\n', 'host:userinfo', 'host:userinfo'],
  ['Host port out of range', 'GET / HTTP/1.1\r\nHost: localhost:99999\r\n\r\n', 'host:bad-port', 'host:bad-port'],
  ['two Host headers', 'GET / HTTP/1.1\r\nHost: localhost\r\nHost: evil.com\r\n\r\n', 'host:duplicate', 'host:duplicate'],
  ['missing Host', 'GET / HTTP/1.1\r\nAccept: */*\r\n\r\n', 'host:missing', 'host:missing'],
  ['CL + TE', 'POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 'parser:HPE_INVALID_TRANSFER_ENCODING', 'smuggling:content-length-with-transfer-encoding'],
  ['two Content-Length', 'POST / HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab', 'parser:HPE_UNEXPECTED_CONTENT_LENGTH', 'parser:HPE_UNEXPECTED_CONTENT_LENGTH'],
  ['TE gzip', 'POST / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\n\r\n', 'smuggling:bad-transfer-encoding', 'smuggling:bad-transfer-encoding'],
  ['TE on HTTP/1.0', 'POST / HTTP/1.0\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 'smuggling:transfer-encoding-on-http10', 'smuggling:transfer-encoding-on-http10'],
  ['TE on GET', 'GET / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n', 'smuggling:transfer-encoding-on-get', 'smuggling:transfer-encoding-on-get'],
  ['NUL in a header value', 'GET / HTTP/1.1\r\nHost: localhost\r\nX: a\u0000b\r\n\r\n', 'parser:HPE_INVALID_HEADER_TOKEN', 'malformed:control-char'],
  ['space before colon', 'GET / HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding : chunked\r\n\r\n', 'parser:HPE_INVALID_HEADER_TOKEN', 'malformed:header-name'],
  ['obs-fold', 'GET / HTTP/1.1\r\nHost: localhost\r\nX: a\r\n b\r\n\r\n', 'parser:HPE_INVALID_HEADER_TOKEN', 'route:any'],
  ['duplicate Authorization', 'GET / HTTP/1.1\r\nHost: localhost\r\nAuthorization: a\r\nAuthorization: b\r\n\r\n', 'malformed:duplicate-header', 'malformed:duplicate-header'],
  ['Expect: 200-ok', 'GET / HTTP/1.1\r\nHost: localhost\r\nExpect: 200-ok\r\n\r\n', 'malformed:expect', 'malformed:expect'],
  ['HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'parser:HPE_PAUSED_H2_UPGRADE', 'parser:HPE_PAUSED_H2_UPGRADE'],
  ['TLS ClientHello', '\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003', 'parser:HPE_INVALID_METHOD', 'parser:HPE_INVALID_METHOD'],
  ['headers over 16 KiB', `GET / HTTP/1.1\r\nHost: localhost\r\nCookie: ${'a'.repeat(17_000)}\r\n\r\n`, 'parser:HPE_HEADER_OVERFLOW', 'parser:HPE_HEADER_OVERFLOW'],
];

function check(results: ReplayResult<ReplayCase>[], column: 2 | 3): void {
  for (const r of results) {
    const row = hostile.find((h) => h[0] === r.case.id) as (typeof hostile)[number];
    const expected = row[column];
    const detail = `${r.case.id}: ${JSON.stringify(r.received.toString('latin1').slice(0, 40))} ${r.ending} ${r.reasons.join(' + ')}`;
    if (expected === 'route:any') {
      assert.ok(r.received.toString('latin1').startsWith(APP_RESPONSE), detail);
      continue;
    }
    assert.ok(isDropped(r), detail);
    // The first reason decided; a parser error can follow on the same bytes (TE gzip) and changes nothing.
    assert.equal(r.reasons[0], expected, detail);
  }
}

test('hostile requests: which layer catches each, with zero bytes on the wire (Node\'s parser)', async () => {
  const cases = hostile.map(([id, bytes]) => ({ id, bytes: Buffer.from(bytes, 'latin1') }));
  check(await replay(cases, { policy: { hosts: ['localhost'] } }), 2);
});

test('hostile requests: the detectors still hold behind insecureHTTPParser', async () => {
  const cases = hostile.map(([id, bytes]) => ({ id, bytes: Buffer.from(bytes, 'latin1') }));
  check(await replay(cases, { policy: { hosts: ['localhost'] }, server: { insecureHTTPParser: true } }), 3);
});
