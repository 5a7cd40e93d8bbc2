/**
 * `hangup probe` against unprotected servers on 127.0.0.1: bare node:http, Express 4 and 5, Fastify
 * 4 and 5. Each must be found leaking, and the leaks named: Node's own 400/431/417, X-Powered-By,
 * Express's "Cannot GET" page, Fastify's JSON 404 that echoes the path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express4 from 'express4';
import express5 from 'express5';
import fastify4 from 'fastify4';
import fastify5 from 'fastify5';
import { runProbes, type ProbeReport } from '../../src/cli/probe/runner.js';
import { summarise } from '../../src/cli/probe/summary.js';
import { bodyOf, judged, leaksOf, probeServer, resultOf } from './probe-helpers.js';

const NODE_400 = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n';
const NODE_431 = 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n';

/** The part of a Fastify 4 or 5 instance these tests use (their full types do not unify). */
interface FastifyApp {
  get(path: string, handler: () => Promise<string>): unknown;
  listen(options: { port: number; host: string }): Promise<string>;
  readonly server: http.Server;
  close(): Promise<unknown>;
}

/** Probes a Fastify app (4 or 5) on an ephemeral loopback port and closes it. */
async function probeFastify(app: FastifyApp): Promise<ProbeReport> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    return await runProbes({ url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/` });
  } finally {
    await app.close();
  }
}

/** What every unprotected Node server leaks, whatever the framework on top. */
function assertNodeParserLeaks(report: ProbeReport): void {
  for (const id of ['request-line:FOO / (unknown method)', 'foreign:TLS ClientHello (SNI {marker}.invalid)', 'foreign:HTTP/2 connection preface']) {
    assert.equal(resultOf(report, id).judgement.outcome, 'leak', id);
  }
  const missingHost = resultOf(report, 'host:no Host, HTTP/1.1');
  assert.ok(leaksOf(missingHost).includes("Node's own 400 for a missing Host"), leaksOf(missingHost).join('; '));
  const expect = resultOf(report, 'expect:POST /{marker} Expect: 100-continue');
  assert.match(expect.exchange.bytes.toString('latin1'), /^HTTP\/1\.1 100 Continue\r\n\r\n/);
  assert.ok(leaksOf(expect).includes('HTTP/1.1 100 Continue before the server decided'));
  const bogusExpect = resultOf(report, 'expect:GET / Expect: {marker}');
  assert.ok(leaksOf(bogusExpect).includes("Node's own 417 Expectation Failed"), leaksOf(bogusExpect).join('; '));
  // CONNECT without a 'connect' listener: Node closes with zero bytes. The probe must not cry wolf.
  const connect = resultOf(report, 'proxy:CONNECT {marker}.invalid:443');
  assert.equal(connect.exchange.bytes.length, 0);
  assert.equal(connect.judgement.outcome, 'silent');
  const summary = summarise(report);
  assert.equal(summary.verdict, 'leaks');
  assert.equal(summary.exitCode, 1);
}

test('bare node:http: 200 for every scanner path, Node answers parse errors, oversize headers, Expect itself', async () => {
  const report = await probeServer(http.createServer((_req, res) => res.end('hello\n')));
  assertNodeParserLeaks(report);
  const env = resultOf(report, 'scanner:GET /.env');
  assert.match(env.exchange.bytes.toString('latin1'), /^HTTP\/1\.1 200 OK\r\n/);
  assert.deepEqual(leaksOf(env), ['200 OK to an unknown path or method']);
  // Node's own bodiless 400 and 431, byte for byte, named as such.
  const garbage = resultOf(report, 'request-line:binary garbage');
  assert.equal(garbage.exchange.bytes.toString('latin1'), NODE_400);
  assert.deepEqual(leaksOf(garbage), ['answered at all (a silent server sends nothing)', "Node's own 400 Bad Request (parser error)"]);
  assert.equal(garbage.exchange.ending, 'fin');
  const big = resultOf(report, 'oversize:GET / with a 20 KiB header');
  assert.equal(big.exchange.bytes.toString('latin1'), NODE_431);
  assert.ok(leaksOf(big).includes("Node's own 431 Request Header Fields Too Large"));
  // A server that answers everything answers the wrong Host too.
  assert.equal(resultOf(report, 'host:Host: {marker}.invalid (unknown name)').judgement.outcome, 'leak');
  // The slow-headers probe is bounded: nothing came back, the connection was held until the bound.
  const slow = resultOf(report, 'slow:GET /{marker}, one header line every 250 ms');
  assert.equal(slow.exchange.bytes.length, 0);
  assert.equal(slow.exchange.timedOut, true);
  assert.equal(slow.judgement.outcome, 'silent');
});

for (const [name, express] of [
  ['express4', express4],
  ['express5', express5],
] as const) {
  test(`${name}: X-Powered-By, the "Cannot GET" page echoing the path, 200 to OPTIONS`, async () => {
    const app = express();
    app.get('/', (_req, res) => {
      res.send('home\n');
    });
    const report = await probeServer(http.createServer(app));
    assertNodeParserLeaks(report);
    const env = resultOf(report, 'scanner:GET /.env');
    assert.match(env.exchange.bytes.toString('latin1'), /^HTTP\/1\.1 404 Not Found\r\nX-Powered-By: Express\r\n/);
    assert.match(bodyOf(env), /<pre>Cannot GET \/\.env<\/pre>/);
    assert.deepEqual(leaksOf(env), ['X-Powered-By: Express', 'Express "Cannot GET" page', 'echoes "/.env"']);
    // Every scanner path leaks the same way.
    for (const result of report.results.filter((r) => r.probe.class === 'scanner')) {
      assert.ok(leaksOf(result).includes('X-Powered-By: Express'), result.probe.id);
    }
    // Express answers OPTIONS for any route it has, listing the methods.
    const options = resultOf(report, 'method:OPTIONS /');
    assert.match(options.exchange.bytes.toString('latin1'), /^HTTP\/1\.1 200 OK\r\n/);
    assert.ok(leaksOf(options).includes('200 OK to an unknown path or method'));
    // The random marker in an unknown path comes back in the page.
    assert.ok(leaksOf(resultOf(report, 'scanner:GET /{marker}')).some((d) => /^echoes "hangup-probe-[0-9a-f]{8}"$/.test(d)));
    // The baseline is reported, never judged: its X-Powered-By is a note, not a leak.
    const baseline = resultOf(report, 'baseline:GET /');
    assert.equal(baseline.judgement.outcome, 'info');
    assert.deepEqual(baseline.judgement.findings.map((f) => [f.detail, f.leak]), [['X-Powered-By: Express', false]]);
    assert.ok(summarise(report).topLeaks.some(([label]) => label === 'X-Powered-By: Express'));
  });
}

const fastifies: [string, () => FastifyApp][] = [
  ['fastify4', () => fastify4()],
  ['fastify5', () => fastify5()],
];
for (const [name, create] of fastifies) {
  test(`${name}: the JSON 404 echoing "Route GET:/.env", JSON 400s for parse errors`, async () => {
    const app = create();
    app.get('/', async () => 'home\n');
    const report = await probeFastify(app);
    const env = resultOf(report, 'scanner:GET /.env');
    assert.deepEqual(JSON.parse(bodyOf(env)), { message: 'Route GET:/.env not found', error: 'Not Found', statusCode: 404 });
    assert.deepEqual(leaksOf(env), ['Fastify "Route ... not found" JSON', 'echoes "/.env"']);
    // Fastify answers parse errors itself with JSON, instead of Node's bare 400.
    const tls = resultOf(report, 'foreign:TLS ClientHello (SNI {marker}.invalid)');
    assert.match(tls.exchange.bytes.toString('latin1'), /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.deepEqual(JSON.parse(bodyOf(tls)), { error: 'Bad Request', message: 'Client Error', statusCode: 400 });
    assert.ok(leaksOf(tls).includes('Fastify JSON error'));
    // A method Fastify has no route for gets the same echoing 404.
    assert.ok(leaksOf(resultOf(report, 'method:PROPFIND /')).includes('Fastify "Route ... not found" JSON'));
    assert.equal(summarise(report).exitCode, 1);
    assert.ok(judged(report).filter((r) => r.judgement.outcome === 'leak').length > 40);
  });
}
