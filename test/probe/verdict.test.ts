/**
 * The leak definition, on exact received bytes (pure: no socket). What came back over the wire is
 * covered by the server tests; here each rule of the definition is pinned down on its own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Expectation, Probe } from '../../src/cli/probe/corpus.js';
import type { Exchange } from '../../src/cli/probe/exchange.js';
import { parseResponses } from '../../src/cli/probe/response.js';
import { judge } from '../../src/cli/probe/verdict.js';

const NOT_FOUND = 'HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n';

function probe(expect: Expectation, reflects: string[] = []): Probe {
  return { id: `test:${expect}`, class: 'scanner', title: 'test', expect, payload: Buffer.alloc(0), reflects };
}

function received(text: string, extra: Partial<Exchange> = {}): Exchange {
  const bytes = Buffer.from(text, 'latin1');
  return { bytes, ending: 'fin', timedOut: false, firstByteMs: bytes.length > 0 ? 1 : undefined, elapsedMs: 2, error: undefined, ...extra };
}

/** `[kind, detail, leak]` of each finding. */
function findings(expect: Expectation, text: string, reflects: string[] = [], extra: Partial<Exchange> = {}): [string, string, boolean][] {
  return judge(probe(expect, reflects), received(text, extra)).findings.map((f) => [f.kind, f.detail, f.leak]);
}

test('no byte at all is silent, however the connection ended; held open is a note, not a leak', () => {
  for (const ending of ['fin', 'rst'] as const) {
    assert.deepEqual(judge(probe('silent'), received('', { ending })), { outcome: 'silent', findings: [], answer: 'nothing' });
  }
  const held = judge(probe('silent'), received('', { ending: 'open', timedOut: true, elapsedMs: 2000 }));
  assert.equal(held.outcome, 'silent');
  assert.deepEqual(held.findings, [{ kind: 'held-open', detail: 'no byte, connection held open until the 2000 ms bound', leak: false }]);
});

test('for an unknown path the plain 404 is fine; any byte to a malformed request is a leak', () => {
  assert.equal(judge(probe('refusable'), received(NOT_FOUND)).outcome, 'plain-404');
  assert.deepEqual(findings('refusable', NOT_FOUND), []);
  assert.deepEqual(findings('silent', NOT_FOUND), [['answered', 'answered at all (a silent server sends nothing)', true]]);
});

test('a 404 with a body, a fingerprint header, or another status is a leak for an unknown path', () => {
  assert.deepEqual(findings('refusable', 'HTTP/1.1 404 Not Found\r\nContent-Length: 9\r\n\r\nNot found'), [['body', '404 with a 9-byte body', true]]);
  assert.deepEqual(findings('refusable', 'HTTP/1.1 404 Not Found\r\nServer: nginx/1.25.3\r\nContent-Length: 0\r\n\r\n'), [
    ['fingerprint-header', 'Server: nginx/1.25.3', true],
  ]);
  assert.deepEqual(findings('refusable', 'HTTP/1.1 301 Moved Permanently\r\nLocation: /phpmyadmin/\r\nContent-Length: 0\r\n\r\n', ['/phpmyadmin']), [
    ['served', '301 Moved Permanently to an unknown path or method', true],
    ['reflected', 'echoes "/phpmyadmin"', true],
  ]);
  assert.deepEqual(findings('refusable', 'HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n'), [['served', '403 Forbidden to an unknown path or method', true]]);
});

test('reflected input is found raw, HTML-escaped, percent-encoded and JSON-escaped', () => {
  const sent = '/<script>hangup-probe-0123abcd</script>';
  const bodies = [
    'Cannot GET /&lt;script&gt;hangup-probe-0123abcd&lt;/script&gt;',
    'Cannot GET /%3Cscript%3Ehangup-probe-0123abcd%3C/script%3E',
    '{"message":"Route GET:/<script>hangup-probe-0123abcd</script> not found"}',
  ];
  for (const body of bodies) {
    const text = `HTTP/1.1 404 Not Found\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    const details = findings('refusable', text, [sent, 'hangup-probe-0123abcd']).filter(([kind]) => kind === 'reflected');
    assert.ok(details.length > 0, body);
  }
  assert.deepEqual(findings('refusable', NOT_FOUND, ['hangup-probe-0123abcd']), []);
});

test('bytes that are not HTTP, 1xx before the final answer, and framework pages are named', () => {
  assert.deepEqual(findings('silent', 'SSH-2.0-OpenSSH_9.6\r\n'), [['answered', '21 bytes that are not HTTP', true]]);
  assert.deepEqual(findings('silent', 'HTTP/1.1 40'), [['answered', '11 bytes of an incomplete response', true]]);
  const continued = 'HTTP/1.1 100 Continue\r\n\r\n' + NOT_FOUND;
  assert.deepEqual(findings('refusable', continued), [['interim', 'HTTP/1.1 100 Continue before the server decided', true]]);
  const page = '<pre>Cannot GET /.env</pre>';
  const express = `HTTP/1.1 404 Not Found\r\nX-Powered-By: Express\r\nContent-Length: ${page.length}\r\n\r\n${page}`;
  assert.deepEqual(findings('refusable', express, ['/.env']), [
    ['fingerprint-header', 'X-Powered-By: Express', true],
    ['framework-page', 'Express "Cannot GET" page', true],
    ['reflected', 'echoes "/.env"', true],
  ]);
  const stack = 'Error: boom\n    at handler (/srv/app/server.js:12:7)\n';
  const trace = findings('refusable', `HTTP/1.1 500 Internal Server Error\r\nContent-Length: ${stack.length}\r\n\r\n${stack}`);
  assert.ok(trace.some(([kind, detail]) => kind === 'framework-page' && detail === 'stack trace'), JSON.stringify(trace));
});

test('the baseline is reported, never judged; a failed connection is an error, not silence', () => {
  const baseline = judge(probe('baseline'), received('HTTP/1.1 200 OK\r\nServer: x\r\nContent-Length: 0\r\n\r\n'));
  assert.equal(baseline.outcome, 'info');
  assert.deepEqual(baseline.findings, [{ kind: 'fingerprint-header', detail: 'Server: x', leak: false }]);
  const failed = judge(probe('silent'), received('', { error: 'ECONNREFUSED' }));
  assert.deepEqual(failed, { outcome: 'error', findings: [], answer: 'error: ECONNREFUSED' });
});

test('responses are parsed as far as they arrived: chunked bodies, Content-Length, no framing', () => {
  const chunked = parseResponses(Buffer.from('HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n', 'latin1'));
  assert.equal(chunked.complete, true);
  assert.equal(chunked.messages[0]?.body.toString(), 'hello');
  const partialChunk = parseResponses(Buffer.from('HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel', 'latin1'));
  assert.equal(partialChunk.complete, false);
  assert.equal(partialChunk.messages[0]?.body.toString(), 'hel');
  const short = parseResponses(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc', 'latin1'));
  assert.equal(short.complete, false);
  const unframed = parseResponses(Buffer.from('HTTP/1.0 200 OK\r\n\r\nuntil close', 'latin1'));
  assert.equal(unframed.complete, false);
  assert.equal(unframed.messages[0]?.body.toString(), 'until close');
  const interim = parseResponses(Buffer.from('HTTP/1.1 100 Continue\r\n\r\n', 'latin1'));
  assert.deepEqual([interim.messages.length, interim.complete], [1, false]);
});
