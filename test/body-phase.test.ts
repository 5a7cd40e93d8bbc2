/**
 * The body phase: a request whose head was allowed and whose body then fails (the client stops
 * and closes, a malformed chunk, the request timeout) must not leave its socket open. Node alone
 * answers 400/408 and closes; behind hangup the connection is closed at once with zero bytes, on
 * node:http, Express 4/5 and Fastify 4/5, and the server's connection count and the process's file
 * descriptors return to where they were.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http, { type Server, type ServerOptions } from 'node:http';
import net from 'node:net';
import { readdirSync } from 'node:fs';
import express4 from 'express4';
import express5 from 'express5';
import fastify4, { type FastifyInstance } from 'fastify4';
import fastify5 from 'fastify5';
import { hangup, type Guard } from '../src/index.js';
import { hangupExpress } from '../src/adapters/express.js';
import { hangupFastify } from '../src/adapters/fastify.js';
import { rawRequest, head, type RawResult } from './helpers/raw-client.js';
import { close } from './helpers/servers.js';

type Framework = 'node:http' | 'express4' | 'express5' | 'fastify4' | 'fastify5';
const frameworks: readonly Framework[] = ['node:http', 'express4', 'express5', 'fastify4', 'fastify5'];

/** Short timeouts so that the request-timeout case ends within a test: Node checks every 100 ms. */
const TIMEOUTS: ServerOptions = { headersTimeout: 500, requestTimeout: 1000, connectionsCheckingInterval: 100 };
const policy = { hosts: ['localhost'], routes: ['GET /', 'POST /orders'] };

interface Site {
  readonly server: Server;
  readonly guard: Guard;
  readonly port: number;
  close(): Promise<void>;
}

/** A site whose POST /orders reads its whole body before answering, as real handlers do. */
async function startSite(framework: Framework, options: ServerOptions = TIMEOUTS): Promise<Site> {
  const guard = hangup(policy);
  let server: Server;
  let stop: () => Promise<void>;
  if (framework === 'node:http') {
    server = guard.createServer((req, res) => {
      if (req.method === 'GET') return void res.end('home\n');
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => res.end(`order of ${Buffer.concat(chunks).length} bytes\n`));
      req.on('error', () => {});
    }, options);
    stop = () => close(server);
  } else if (framework === 'express4' || framework === 'express5') {
    const express = framework === 'express4' ? express4 : express5;
    const app = express();
    app.set('env', 'test'); // finalhandler logs the aborted body's error otherwise
    const h = hangupExpress(guard);
    app.use(h);
    app.get('/', (_req, res) => void res.send('home\n'));
    app.post('/orders', express.text(), (req, res) => void res.send(`order of ${String(req.body).length} bytes\n`));
    server = guard.protect(http.createServer(options, app));
    stop = () => close(server);
  } else {
    const create = framework === 'fastify4' ? fastify4 : (fastify5 as unknown as typeof fastify4);
    const app: FastifyInstance = create({
      logger: false,
      requestTimeout: options.requestTimeout ?? 0,
      serverFactory: (handler) => http.createServer(options, handler),
    });
    await app.register(hangupFastify, { guard });
    app.get('/', async () => 'home\n');
    app.post('/orders', async (req) => `order of ${String(req.body).length} bytes\n`);
    await app.listen({ port: 0, host: '127.0.0.1' });
    server = app.server;
    stop = async () => {
      app.server.closeAllConnections();
      await app.close();
    };
  }
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, guard, port: (server.address() as net.AddressInfo).port, close: stop };
}

function connections(server: Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Polls until the server holds `expected` connections, or gives up after `withinMs`; returns the last count. */
async function settleConnections(server: Server, expected: number, withinMs = 1000): Promise<number> {
  const deadline = Date.now() + withinMs;
  let count = await connections(server);
  while (count !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    count = await connections(server);
  }
  return count;
}

const H = 'Host: localhost';
const postHead = (...lines: string[]): string => head('POST /orders HTTP/1.1', H, 'Content-Type: text/plain', ...lines);
const chunked = postHead('Transfer-Encoding: chunked');

interface Trigger {
  readonly name: string;
  readonly send: (port: number) => Promise<RawResult>;
}

const triggers: readonly Trigger[] = [
  {
    name: 'EOF in the middle of a Content-Length body',
    send: (port) => rawRequest(port, '', { chunks: [postHead('Content-Length: 10') + 'abc'], endAfterWrite: true, waitMs: 1500 }),
  },
  { name: 'a malformed chunk size', send: (port) => rawRequest(port, chunked + '5x\r\nhello\r\n', { waitMs: 1500 }) },
  { name: 'an endless chunk size', send: (port) => rawRequest(port, chunked + 'f'.repeat(64), { waitMs: 1500 }) },
  {
    name: 'a chunk extension over the limit',
    send: (port) => rawRequest(port, chunked + `5;ext=${'x'.repeat(20_000)}\r\nhello\r\n`, { waitMs: 1500 }),
  },
  { name: 'a bad trailer', send: (port) => rawRequest(port, chunked + '5\r\nhello\r\n0\r\nBad Trailer: x\r\n\r\n', { waitMs: 1500 }) },
  {
    name: 'EOF in the middle of a chunked body',
    send: (port) => rawRequest(port, '', { chunks: [chunked + '5\r\nhel'], endAfterWrite: true, waitMs: 1500 }),
  },
  {
    // One byte every 200 ms: past the 1 s requestTimeout, Node alone answers 408 and closes.
    name: 'a slow body past requestTimeout',
    send: (port) =>
      rawRequest(port, '', { chunks: [postHead('Content-Length: 100'), ...Array.from({ length: 15 }, () => 'a')], gapMs: 200, waitMs: 1500 }),
  },
];

for (const framework of frameworks) {
  describe(`body phase on ${framework}`, () => {
    let site: Site;
    before(async () => {
      site = await startSite(framework);
      // Warm up: the first request loads lazily required modules (and their fds) in the frameworks.
      await rawRequest(site.port, postHead('Content-Length: 5') + 'hello', { waitMs: 100 });
    });
    after(() => site.close());

    test('a complete body is answered (the routes read bodies)', async () => {
      const result = await rawRequest(site.port, postHead('Content-Length: 5') + 'hello', { waitMs: 300 });
      assert.match(result.text, /^HTTP\/1\.1 200 OK\r\n/);
      assert.match(result.text, /order of 5 bytes\n$/);
    });

    for (const trigger of triggers) {
      test(`${trigger.name}: closed with zero bytes, no connection or fd left`, async () => {
        assert.equal(await settleConnections(site.server, 0), 0, 'no connection before the test');
        const fds = openFds();
        const started = Date.now();
        const result = await trigger.send(site.port);
        assert.equal(result.text, '', 'zero bytes');
        assert.notEqual(result.ending, 'open', `closed by the server (after ${Date.now() - started} ms)`);
        assert.equal(await settleConnections(site.server, 0), 0, 'the server holds no connection within a second');
        assert.equal(openFds(), fds, 'no file descriptor left');
      });
    }

    test('pipelined: the complete response before the cut body still goes out first', async () => {
      const result = await rawRequest(site.port, '', {
        chunks: [head('GET / HTTP/1.1', H) + postHead('Content-Length: 10') + 'abc'],
        endAfterWrite: true,
        waitMs: 1500,
      });
      assert.match(result.text, /^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nhome\n$/);
      assert.equal(result.text.match(/HTTP\/1\.1/g)?.length, 1, 'one response, nothing for the cut request');
      assert.notEqual(result.ending, 'open');
      assert.equal(await settleConnections(site.server, 0), 0);
    });
  });
}

describe('a server with a low connection cap stays available under cut bodies', () => {
  for (const framework of ['node:http', 'express5', 'fastify5'] as const) {
    test(framework, async () => {
      const site = await startSite(framework);
      site.server.maxConnections = 10;
      try {
        // Thirty clients that send a third of a body and leave: three times the cap.
        for (let round = 0; round < 3; round++) {
          await Promise.all(
            Array.from({ length: 10 }, () =>
              rawRequest(site.port, '', { chunks: [postHead('Content-Length: 10') + 'abc'], endAfterWrite: true, waitMs: 1500 }),
            ),
          );
          await settleConnections(site.server, 0);
        }
        assert.equal(await connections(site.server), 0);
        const result = await rawRequest(site.port, head('GET / HTTP/1.1', H), { waitMs: 300 });
        assert.match(result.text, /^HTTP\/1\.1 200 OK\r\n[^]*home\n$/, 'a real visitor still gets the page');
      } finally {
        await site.close();
      }
    });
  }
});
