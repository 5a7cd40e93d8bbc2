import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hangup } from '../../src/index.js';

test('explain() with a TLS server name says what the ClientHello gate does', () => {
  const guard = hangup({ hosts: ['example.com', '*.example.com'], routes: ['GET /'] });
  const unknown = guard.explain('GET /', { host: 'example.com', serverName: 'evil.example' });
  assert.equal(unknown.decision.reason, 'tls:unknown-server-name');
  assert.equal(unknown.wire, 'fin');
  assert.equal(
    unknown.text,
    'a ClientHello for "evil.example": refused at the TLS handshake, before any TLS byte: no ServerHello, no certificate, no alert, then FIN; no request is read.\n' +
      'Why: the server name is not in the hosts option (drop, tls:unknown-server-name).',
  );
  const none = guard.explain('GET /', { host: 'example.com', serverName: null });
  assert.equal(none.decision.reason, 'tls:no-server-name');
  assert.match(none.text, /^a ClientHello without a server name: .*\nWhy: the ClientHello names no server, and the hosts option lists no IP address/);
  // A served name: the request is explained as usual.
  assert.equal(guard.explain('GET /', { host: 'a.example.com', serverName: 'a.example.com' }).decision.reason, 'route:matched');
  const report = hangup({ hosts: ['example.com'], mode: 'report', close: 'reset' }).explain('GET /', { serverName: 'x.test' });
  assert.deepEqual([report.wire, report.enforced], ['none', false]);
  assert.equal(hangup({ hosts: ['example.com'], close: 'reset' }).explain('GET /', { serverName: 'x.test' }).wire, 'rst');
});
