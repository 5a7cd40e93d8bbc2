import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hangup, allow, notFound, drop, route, host, all, any, not, type RequestHead } from '../src/index.js';

/** A request head as Node would build it for `METHOD target` with the given headers. */
function req(line: string, headers: Record<string, string> = { host: 'example.com' }, httpVersion = '1.1'): RequestHead {
  const [method, url] = line.split(' ') as [string, string];
  const rawHeaders = Object.entries(headers).flat();
  return { method, url, httpVersion, headers, rawHeaders };
}

test('routes: method and path allowlist, HEAD wherever GET, query ignored', () => {
  const guard = hangup({ routes: ['GET /', 'GET /users/:id', 'GET|POST /orders', '/health'] });
  assert.deepEqual(guard.decide(req('GET /')), { action: 'allow', reason: 'route:matched', rule: 'GET /' });
  assert.equal(guard.decide(req('HEAD /users/7')).action, 'allow');
  assert.equal(guard.decide(req('GET /users/7?x=1&y=%2e%2e')).action, 'allow');
  assert.equal(guard.decide(req('POST /orders')).action, 'allow');
  assert.equal(guard.decide(req('DELETE /health')).action, 'allow');
  assert.deepEqual(guard.decide(req('GET /users')), { action: 'drop', reason: 'route:unknown' });
  assert.deepEqual(guard.decide(req('GET /users/7/edit')), { action: 'drop', reason: 'route:unknown' });
  assert.deepEqual(guard.decide(req('POST /users/7')), { action: 'drop', reason: 'route:method-mismatch' });
});

test('routes: methods no route uses are dropped, even on an allowed path', () => {
  const guard = hangup({ routes: ['GET /', 'POST /orders'] });
  assert.deepEqual(guard.decide(req('PUT /')), { action: 'drop', reason: 'method:not-allowed' });
  assert.deepEqual(guard.decide(req('OPTIONS /orders')), { action: 'drop', reason: 'method:not-allowed' });
  assert.equal(guard.decide(req('HEAD /')).action, 'allow');
});

test('routes: Express defaults, case-insensitive with an optional trailing slash, both configurable', () => {
  const loose = hangup({ routes: ['GET /Users', 'GET /files/:name'] });
  for (const path of ['/users', '/USERS', '/users/', '/Files/a.txt', '/files/a.txt/']) {
    assert.equal(loose.decide(req(`GET ${path}`)).action, 'allow', path);
  }
  assert.equal(loose.decide(req('GET /users//')).action, 'drop');
  const strict = hangup({ routes: ['GET /Users', 'GET /files/:name'], caseSensitive: true, strictTrailingSlash: true });
  assert.equal(strict.decide(req('GET /Users')).action, 'allow');
  assert.equal(strict.decide(req('GET /users')).action, 'drop');
  assert.equal(strict.decide(req('GET /Users/')).action, 'drop');
  assert.equal(strict.decide(req('GET /files/a.txt/')).action, 'drop');
});

test('routes: path-to-regexp 8 syntax (params, wildcards, optional groups) on the encoded path', () => {
  const guard = hangup({ routes: ['GET /files/*path', 'GET /docs{/:page}', 'GET /café'] });
  assert.equal(guard.decide(req('GET /files/a/b/c.txt')).action, 'allow');
  assert.equal(guard.decide(req('GET /files')).action, 'drop');
  assert.equal(guard.decide(req('GET /docs')).action, 'allow');
  assert.equal(guard.decide(req('GET /docs/intro')).action, 'allow');
  // Node hands over the target as received: a browser sends /café as /caf%C3%A9.
  assert.equal(guard.decide(req('GET /caf%C3%A9')).action, 'allow');
  assert.equal(guard.decide(req('GET /users/%41')).action, 'drop');
});

test('routes omitted: every path and method passes the route layer', () => {
  const guard = hangup();
  assert.deepEqual(guard.decide(req('PATCH /anything/at/all?x')), { action: 'allow', reason: 'route:any' });
});

test('unknownRoute: drop (default), notFound or allow', () => {
  const routes = ['GET /'];
  assert.equal(hangup({ routes }).decide(req('GET /x')).action, 'drop');
  assert.deepEqual(hangup({ routes, unknownRoute: 'notFound' }).decide(req('GET /x')), { action: 'notFound', reason: 'route:unknown' });
  assert.equal(hangup({ routes, unknownRoute: 'allow' }).decide(req('GET /x')).action, 'allow');
});

test('hosts: exact, wildcard, case, port, trailing dot, IPv6; missing, empty, duplicate, unlisted dropped', () => {
  const guard = hangup({ hosts: ['example.com', '*.example.org', '127.0.0.1', '::1'] });
  const allowed = ['example.com', 'EXAMPLE.com:8080', 'example.com.', 'a.example.org', 'a.b.example.org', '127.0.0.1:3000', '[::1]', '[::1]:80'];
  for (const value of allowed) assert.equal(guard.decide(req('GET /', { host: value })).action, 'allow', value);
  const refused: [Record<string, string>, string][] = [
    [{ host: 'example.org' }, 'host:unlisted'],
    [{ host: 'evil.com' }, 'host:unlisted'],
    [{ host: 'example.com.evil.com' }, 'host:unlisted'],
    [{ host: 'xexample.org' }, 'host:unlisted'],
    [{ host: '[::2]' }, 'host:unlisted'],
  ];
  for (const [headers, reason] of refused) assert.deepEqual(guard.decide(req('GET /', headers)), { action: 'drop', reason }, headers.host);
  assert.equal(guard.decide(req('GET /', {})).reason, 'host:missing');
  assert.equal(guard.decide(req('GET /', { host: '' })).reason, 'host:empty');
  const duplicate: RequestHead = { method: 'GET', url: '/', httpVersion: '1.1', headers: { host: 'example.com' }, rawHeaders: ['Host', 'example.com', 'host', 'evil.com'] };
  assert.equal(guard.decide(duplicate).reason, 'host:duplicate');
  // HTTP/1.0 may omit Host; with a host allowlist it is still dropped (nginx's default server).
  assert.equal(guard.decide(req('GET /', {}, '1.0')).reason, 'host:missing');
  assert.equal(hangup().decide(req('GET /', {}, '1.0')).action, 'allow');
});

test('malformed requests are dropped, and a path that cannot be decoded never throws', () => {
  const guard = hangup({ routes: ['GET /files/:name'] });
  const cases: [string, string][] = [
    ['GET /files/%E0%A4%A', 'malformed:bad-percent-encoding'],
    ['GET /files/%E0%A4', 'malformed:bad-utf8'],
    ['GET /files/%C0%AF', 'malformed:bad-utf8'],
    ['GET /files/%ED%A0%80', 'malformed:bad-utf8'],
    ['GET /files/%zz', 'malformed:bad-percent-encoding'],
    ['GET /files/%4', 'malformed:bad-percent-encoding'],
    ['GET /files/%00', 'malformed:control-char'],
    ['GET /files/a?x=%0d%0aSet-Cookie:1', 'malformed:control-char'],
    ['GET /files/../etc', 'malformed:dot-segment'],
    ['GET /files/%2e%2E/etc', 'malformed:dot-segment'],
    ['GET /files/.%2e', 'malformed:dot-segment'],
    ['GET /files/./a', 'malformed:dot-segment'],
    ['GET /files/..', 'malformed:dot-segment'],
    ['GET http://example.com/files/a', 'malformed:not-origin-form'],
    ['GET example.com:443', 'malformed:not-origin-form'],
    ['OPTIONS *', 'malformed:not-origin-form'],
  ];
  for (const [line, reason] of cases) assert.equal(guard.decide(req(line)).reason, reason, line);
  for (const path of ['/files/a.b', '/files/...', '/files/.well', '/files/caf%C3%A9', '/files/%F0%9F%98%80']) {
    assert.equal(guard.decide(req(`GET ${path}`)).action, 'allow', path);
  }
  assert.equal(guard.decide(req('GET /files/a?q=100%')).action, 'allow', 'a stray % in the query is tolerated');
});

test('version and framing checks', () => {
  const guard = hangup();
  assert.equal(guard.decide(req('GET /', { host: 'a' }, '2.0')).reason, 'malformed:http-version');
  assert.equal(guard.decide(req('GET /', { host: 'a' }, '0.9')).reason, 'malformed:http-version');
  assert.equal(
    guard.decide(req('POST /', { host: 'a', 'content-length': '3', 'transfer-encoding': 'chunked' })).reason,
    'smuggling:content-length-with-transfer-encoding',
  );
  assert.equal(guard.decide(req('GET /', { host: 'a', 'transfer-encoding': 'chunked' })).reason, 'smuggling:transfer-encoding-on-get');
  assert.equal(guard.decide(req('POST /', { host: 'a', 'transfer-encoding': 'chunked' })).action, 'allow');
  assert.equal(guard.decide(req('POST /', { host: 'a', expect: 'something' })).reason, 'malformed:expect');
  assert.equal(guard.decide(req('POST /', { host: 'a', expect: '100-continue' })).action, 'allow');
});

test('detectors can be switched off one by one', () => {
  const guard = hangup({ detectors: { dotSegments: false } });
  assert.equal(guard.decide(req('GET /a/../b')).action, 'allow');
  assert.equal(guard.decide(req('GET /a/%00')).action, 'drop');
});

test('custom rules: checked after detectors and hosts, first match wins, all the matcher forms', () => {
  const guard = hangup({
    hosts: ['example.com'],
    routes: ['GET /', 'GET /admin/*rest'],
    rules: [
      notFound('GET /favicon.ico'),
      drop(['/wp-login.php', '/.env']),
      allow(all('GET /healthz', (r) => r.socket?.remoteAddress === '10.0.0.2'), { name: 'lb-health' }),
      drop(any(route('GET /admin/*rest'), host('evil.com')), { name: 'no-admin' }),
      notFound(all(host('*.old.example.com'), not('GET /'))),
      drop((_r, info) => info.query.length > 20),
      notFound(() => {
        throw new Error('a broken predicate does not match');
      }),
    ],
  });
  assert.deepEqual(guard.decide(req('GET /favicon.ico')), { action: 'notFound', reason: 'rule:matched', rule: 'notFound(GET /favicon.ico)' });
  assert.deepEqual(guard.decide(req('POST /.env')), { action: 'drop', reason: 'rule:matched', rule: 'drop(/wp-login.php, /.env)' });
  const lb: RequestHead = { ...req('GET /healthz', { host: '10.0.0.1' }), socket: { remoteAddress: '10.0.0.2' } };
  assert.deepEqual(guard.decide(lb), { action: 'allow', reason: 'rule:matched', rule: 'lb-health' });
  assert.equal(guard.decide({ ...lb, socket: { remoteAddress: '10.0.0.3' } }).reason, 'host:unlisted');
  assert.equal(guard.decide(req('GET /admin/users')).rule, 'no-admin');
  // A notFound or drop rule never answers for a Host the policy does not serve.
  assert.equal(guard.decide(req('GET /x', { host: 'a.old.example.com' })).reason, 'host:unlisted');
  assert.equal(guard.decide(req('GET /', { host: 'a.old.example.com' })).reason, 'host:unlisted');
  assert.equal(guard.decide(req('GET /?aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')).reason, 'rule:matched');
  assert.deepEqual(guard.decide(req('GET /')), { action: 'allow', reason: 'route:matched', rule: 'GET /' });
  // A rule never bypasses the detectors.
  assert.equal(guard.decide(req('GET /favicon.ico/../x')).reason, 'malformed:dot-segment');
});

test('a Host the policy does not serve is refused before notFound and drop rules; an allow rule may still admit it', () => {
  const guard = hangup({
    hosts: ['localhost', 'old.example.com'],
    routes: ['GET /'],
    rules: [
      notFound('GET /favicon.ico'),
      drop('/.env', { name: 'env' }),
      notFound(all(host('old.example.com'), not('GET /')), { name: 'old-site' }),
      allow(all('GET /healthz', (r) => r.socket?.remoteAddress === '10.0.0.2'), { name: 'lb-health' }),
    ],
  });
  const favicon = (headers: Record<string, string>, version = '1.1'): string => guard.decide(req('GET /favicon.ico', headers, version)).reason;
  assert.equal(favicon({ host: 'localhost' }), 'rule:matched');
  assert.equal(favicon({ host: 'evil.example' }), 'host:unlisted');
  assert.equal(favicon({ host: '203.0.113.7' }), 'host:unlisted');
  assert.equal(favicon({ host: '[::1]:8080' }), 'host:unlisted');
  assert.equal(favicon({}, '1.0'), 'host:missing');
  assert.equal(favicon({ host: '' }), 'host:empty');
  assert.equal(guard.decide(req('GET /.env', { host: 'evil.example' })).reason, 'host:unlisted');
  assert.equal(guard.decide(req('GET /.env', { host: 'localhost' })).rule, 'env');
  assert.equal(guard.decide(req('GET /x', { host: 'old.example.com' })).rule, 'old-site');
  // The health check by address, on an address as Host, is still admitted by its allow rule.
  const lb: RequestHead = { ...req('GET /healthz', { host: '10.0.0.1' }), socket: { remoteAddress: '10.0.0.2' } };
  assert.deepEqual(guard.decide(lb), { action: 'allow', reason: 'rule:matched', rule: 'lb-health' });
  // Without a hosts option, rules answer for any Host.
  assert.equal(hangup({ rules: [notFound('GET /favicon.ico')] }).decide(req('GET /favicon.ico', { host: 'evil.example' })).action, 'notFound');
});

test('rule route specs follow the guard path settings', () => {
  const rules = [notFound('GET /Favicon.ico')];
  assert.equal(hangup({ rules }).decide(req('GET /favicon.ico')).action, 'notFound');
  assert.equal(hangup({ rules, caseSensitive: true }).decide(req('GET /favicon.ico')).action, 'allow');
});

test('decide() tolerates hand-made and hostile request objects', () => {
  const guard = hangup({ hosts: ['a'], routes: ['GET /'] });
  assert.equal(guard.decide({}).action, 'drop');
  assert.equal(guard.decide({ method: 'GET', url: '/', httpVersion: '1.1', headers: { host: 'a' } }).action, 'allow');
  const hostile = { method: 'GET', url: '/', httpVersion: '1.1', get headers(): never { throw new Error('boom'); } };
  assert.deepEqual(guard.decide(hostile), { action: 'drop', reason: 'internal:error' });
  assert.equal(guard.decide({ method: 'GET', url: '/', httpVersion: '1.1', headers: { host: 42 as unknown as string } }).action, 'drop');
});

test('decisions are frozen and shared', () => {
  const guard = hangup({ routes: ['GET /'] });
  const a = guard.decide(req('GET /x'));
  assert.equal(a, guard.decide(req('GET /y')));
  assert.ok(Object.isFrozen(a));
});

test('absolute-form, when allowed for the own host, is routed on its path', () => {
  const guard = hangup({ hosts: ['example.com'], routes: ['GET /users/:id'], detectors: { allowAbsoluteForm: true } });
  assert.equal(guard.decide(req('GET http://example.com/users/7?x=1')).action, 'allow');
  assert.equal(guard.decide(req('GET http://example.com/admin')).reason, 'route:unknown');
  assert.equal(guard.decide(req('GET http://evil.com/users/7')).reason, 'malformed:absolute-form-host');
  assert.equal(hangup({ routes: ['GET /users/:id'] }).decide(req('GET http://example.com/users/7')).reason, 'malformed:not-origin-form');
});

test('header values: %00 always refused; raw control characters searched unless the strict parser already refused them', () => {
  const guard = hangup();
  const withValue = (value: string, server?: { insecureHTTPParser?: boolean }): RequestHead => ({
    ...req('GET /', { host: 'a', 'x-a': value }),
    ...(server === undefined ? {} : { socket: { server } as unknown as { remoteAddress?: string } }),
  });
  assert.equal(guard.decide(withValue('a%00b')).reason, 'malformed:control-char');
  assert.equal(guard.decide(withValue('a%00b', { insecureHTTPParser: false })).reason, 'malformed:control-char');
  assert.equal(guard.decide(withValue('a\u0001b')).reason, 'malformed:control-char', 'hand-made head: never assumed strict');
  assert.equal(guard.decide(withValue('a\u0001b', { insecureHTTPParser: true })).reason, 'malformed:control-char');
  // Node's strict parser never hands over such a value (it answers HPE_INVALID_HEADER_TOKEN first).
  assert.equal(guard.decide(withValue('a\u0001b', { insecureHTTPParser: false })).action, 'allow');
  assert.equal(guard.decide(withValue('a\u0001b', {})).action, 'allow');
});

test('a raw # ends the path: dropped by the fragment detector, or routed on what comes before it when that is off', () => {
  const on = hangup({ routes: ['GET /a'] });
  const off = hangup({ routes: ['GET /a'], detectors: { fragment: false } });
  assert.equal(on.decide(req('GET /a#x')).reason, 'malformed:fragment');
  assert.equal(on.decide(req('GET /a?q#x')).reason, 'malformed:fragment');
  assert.equal(off.decide(req('GET /a#x')).action, 'allow');
  assert.equal(off.decide(req('GET /a#x?q')).action, 'allow');
  assert.equal(off.decide(req('GET /a?q#x')).action, 'allow');
  assert.equal(off.decide(req('GET /b#/a')).reason, 'route:unknown');
});

test('decide() reuses one head per decision: a rule that decides another request mid-decision leaves both right', () => {
  const routes = ['GET /a/:id', 'GET /b'];
  const inner = hangup({ routes, hosts: ['example.com'] });
  let innerDecision: unknown;
  const guard = hangup({
    routes,
    hosts: ['example.com', 'other.example'],
    rules: [
      // Decides a different request on the same guard and on another while this one is decided.
      notFound(() => {
        innerDecision = inner.decide(req('GET /b', { host: 'example.com' }));
        return guard.decide(req('GET /nope/%2e%2e/x', { host: 'other.example' })).reason === 'never';
      }),
    ],
  });
  assert.deepEqual(guard.decide(req('GET /a/7?q=1', { host: 'other.example' })), { action: 'allow', reason: 'route:matched', rule: 'GET /a/:id' });
  assert.deepEqual(innerDecision, { action: 'allow', reason: 'route:matched', rule: 'GET /b' });
  // Consecutive decisions share the head object: nothing of the previous request's target,
  // headers or Host carries over to the next.
  assert.deepEqual(guard.decide(req('GET /a/%2e%2e/x')), { action: 'drop', reason: 'malformed:dot-segment', rule: 'dotSegments' });
  assert.equal(guard.decide(req('GET /a/8')).action, 'allow');
  assert.deepEqual(guard.decide(req('GET /a/8', { host: 'unknown.example' })), { action: 'drop', reason: 'host:unlisted' });
  assert.equal(guard.decide(req('GET /a/8', { host: 'EXAMPLE.com:443' })).action, 'allow');
  assert.deepEqual(guard.decide(req('GET /a/8', { host: 'a', Host: 'b' })), { action: 'drop', reason: 'host:duplicate', rule: 'hostHeader' });
  assert.equal(guard.decide(req('GET /a/8', { host: 'example.com' })).action, 'allow');
});
