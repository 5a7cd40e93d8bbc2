import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import http2 from 'node:http2';
import tls from 'node:tls';
import net, { type AddressInfo } from 'node:net';
import express5 from 'express5';
import fastify5 from 'fastify5';
import { hangup, type DecisionEvent } from '../../src/index.js';
import { hangupFastify } from '../../src/adapters/fastify.js';
import { tlsClientHello } from '../../src/cli/probe/tls-hello.js';
import { rawRequest } from '../helpers/raw-client.js';
import { captureClientHello, run, sClient, TLS_OPTIONS, tlsRequest } from '../helpers/tls.js';

/** A TLS server of one kind, protected, listening on 127.0.0.1; `events` gets every decision. */
interface Running {
  readonly port: number;
  readonly events: DecisionEvent[];
  readonly http1: boolean;
  close(): Promise<void>;
}

type Kind = { readonly name: string; readonly http1: boolean; start(events: DecisionEvent[]): Promise<Running> };

const POLICY = { hosts: ['localhost'], routes: ['GET /'] } as const;

function guardFor(events: DecisionEvent[]) {
  return hangup({ ...POLICY, onDecision: (e) => events.push(e) });
}

const hello = (_req: http.IncomingMessage | http2.Http2ServerRequest, res: http.ServerResponse | http2.Http2ServerResponse): void => {
  (res as http.ServerResponse).end('hello');
};

async function listening(server: { listen: (...a: never[]) => unknown; address(): unknown; close(cb?: () => void): unknown; once(e: string, l: () => void): unknown }, events: DecisionEvent[], http1: boolean, extraClose?: () => Promise<void>): Promise<Running> {
  await new Promise<void>((resolve) => (server.listen as (p: number, h: string, cb: () => void) => void)(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    events,
    http1,
    close: async () => {
      (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await extraClose?.();
    },
  };
}

const kinds: Kind[] = [
  {
    name: 'https.createServer',
    http1: true,
    async start(events) {
      const server = https.createServer(TLS_OPTIONS, hello);
      guardFor(events).protect(server);
      return listening(server as never, events, true);
    },
  },
  {
    name: 'http2.createSecureServer({ allowHTTP1: true })',
    http1: true,
    async start(events) {
      const server = http2.createSecureServer({ ...TLS_OPTIONS, allowHTTP1: true }, hello);
      guardFor(events).protect(server as never);
      return listening(server as never, events, true);
    },
  },
  {
    name: 'http2.createSecureServer()',
    http1: false,
    async start(events) {
      const server = http2.createSecureServer(TLS_OPTIONS, hello);
      guardFor(events).protect(server as never);
      return listening(server as never, events, false);
    },
  },
  {
    name: 'tls.createServer behind http.createServer',
    http1: true,
    async start(events) {
      const guard = guardFor(events);
      const httpServer = guard.protect(http.createServer(hello));
      const server = tls.createServer(TLS_OPTIONS, (socket) => httpServer.emit('connection', socket));
      guard.protect(server as never);
      return listening(server as never, events, true);
    },
  },
  {
    name: 'Express 5 on https',
    http1: true,
    async start(events) {
      const app = express5();
      app.get('/', (_req, res) => {
        res.send('hello');
      });
      const server = https.createServer(TLS_OPTIONS, app);
      guardFor(events).protect(server);
      return listening(server as never, events, true);
    },
  },
  {
    name: 'Fastify 5 with https',
    http1: true,
    async start(events) {
      const app = fastify5({ https: TLS_OPTIONS });
      await app.register(hangupFastify, { guard: guardFor(events) });
      app.get('/', async () => 'hello');
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as AddressInfo;
      return { port, events, http1: true, close: () => app.close() };
    },
  },
  {
    name: 'Fastify 5 with https and http2 (allowHTTP1)',
    http1: true,
    async start(events) {
      const app = fastify5({ http2: true, https: { ...TLS_OPTIONS, allowHTTP1: true } });
      await app.register(hangupFastify, { guard: guardFor(events) });
      app.get('/', async () => 'hello');
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as AddressInfo;
      return { port, events, http1: true, close: () => app.close() };
    },
  },
  {
    name: 'Fastify 5 with https and http2 (h2 only)',
    http1: false,
    async start(events) {
      const app = fastify5({ http2: true, https: TLS_OPTIONS });
      await app.register(hangupFastify, { guard: guardFor(events) });
      app.get('/', async () => 'hello');
      await app.listen({ port: 0, host: '127.0.0.1' });
      const { port } = app.server.address() as AddressInfo;
      return { port, events, http1: false, close: () => app.close() };
    },
  },
];

/** Writes `flight` one byte per TCP segment (Nagle off, a timer tick apart); what came back. */
function byteByByte(port: number, flight: Buffer): Promise<{ bytes: Buffer; ending: string; chunks: number }> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    const received: Buffer[] = [];
    let chunks = 0;
    let ending = 'open';
    let idle: NodeJS.Timeout | undefined;
    const finish = (): void => {
      clearTimeout(idle);
      socket.destroy();
      resolve({ bytes: Buffer.concat(received), ending, chunks });
    };
    socket.on('data', (d: Buffer) => received.push(d));
    socket.on('end', () => {
      ending = 'fin';
      finish();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      ending = e.code === 'ECONNRESET' ? 'rst' : 'error';
      finish();
    });
    socket.on('connect', async () => {
      for (const byte of flight) {
        if (socket.destroyed) return;
        socket.write(Buffer.from([byte]));
        chunks += 1;
        await new Promise((r) => setImmediate(r));
      }
      idle = setTimeout(finish, 400);
    });
  });
}

const isHandshakeStart = (bytes: Buffer): boolean => bytes.length > 5 && bytes[0] === 0x16 && bytes[1] === 0x03;

for (const kind of kinds) {
  describe(`TLS ClientHello gate: ${kind.name}`, () => {
    let server: Running;
    before(async () => {
      server = await kind.start([]);
    });
    after(() => server.close());

    it('an unknown server name gets zero bytes and a FIN: no ServerHello, no certificate, no alert', async () => {
      const result = await rawRequest(server.port, tlsClientHello('evil.example'));
      assert.equal(result.bytes.length, 0);
      assert.equal(result.ending, 'fin');
      assert.equal(server.events.at(-1)?.reason, 'tls:unknown-server-name');
      assert.equal(server.events.at(-1)?.host, 'evil.example');
      assert.equal(server.events.at(-1)?.wire, 'fin');
    });

    it('a ClientHello without a server name gets zero bytes', async () => {
      const noSni = await captureClientHello({ ALPNProtocols: ['h2', 'http/1.1'] });
      const result = await rawRequest(server.port, noSni);
      assert.equal(result.bytes.length, 0);
      assert.equal(result.ending, 'fin');
      assert.equal(server.events.at(-1)?.reason, 'tls:no-server-name');
    });

    it('a served name gets the handshake (a ServerHello record first)', async () => {
      const result = await rawRequest(server.port, await captureClientHello({ servername: 'localhost' }), { waitMs: 300 });
      assert.ok(isHandshakeStart(result.bytes), `got ${result.bytes.subarray(0, 8).toString('hex')}`);
    });

    it('Node\'s tls.connect: unknown name never secure; localhost completes', async () => {
      const refused = await tlsRequest(server.port, { servername: 'evil.example' });
      assert.notEqual(refused.outcome, 'secure');
      const served = await tlsRequest(server.port, { servername: 'localhost', ALPNProtocols: kind.http1 ? ['http/1.1'] : ['h2'] });
      assert.equal(served.outcome, 'secure');
    });

    if (kind.http1) {
      it('HTTP/1.1 over TLS: an allowed request is answered, an unknown route gets no byte and no TLS record', async () => {
        const ok = await tlsRequest(server.port, { servername: 'localhost', ALPNProtocols: ['http/1.1'] }, 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
        assert.match(ok.response, /^HTTP\/1\.1 200 OK\r\n[\s\S]*hello$/);
        const dropped = await sClient(server.port, ['-servername', 'localhost', '-alpn', 'http/1.1'], 'GET /.env HTTP/1.1\r\nHost: localhost\r\n\r\n');
        assert.match(dropped.output, /Server certificate/);
        assert.doesNotMatch(dropped.output, /close_notify|HTTP\/1\.1/);
        assert.equal(server.events.at(-1)?.reason, 'route:unknown');
      });
    }
  });
}

describe('TLS ClientHello gate: bytes and limits (https.createServer)', () => {
  let server: Running;
  before(async () => {
    server = await kinds[0]!.start([]);
  });
  after(() => server.close());

  it('a real client\'s ClientHello in 1-byte TCP segments is read and handed to Node intact', async () => {
    const flight = await captureClientHello({ servername: 'localhost' });
    const result = await byteByByte(server.port, flight);
    assert.ok(result.chunks >= flight.length, `${result.chunks} segments`);
    assert.ok(isHandshakeStart(result.bytes), `got ${result.bytes.subarray(0, 8).toString('hex')}`);
  });

  it('an unknown name in 1-byte segments gets zero bytes', async () => {
    const flight = tlsClientHello('evil.example');
    const result = await byteByByte(server.port, flight);
    assert.equal(result.bytes.length, 0);
    assert.equal(result.ending, 'fin');
    assert.equal(server.events.at(-1)?.reason, 'tls:unknown-server-name');
  });

  it('plain HTTP, an HTTP/2 preface and garbage on the TLS port: zero bytes, each reported', async () => {
    const cases = [
      ['GET / HTTP/1.1\r\nHost: localhost\r\n\r\n', 'tls:plain-http'],
      ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'tls:http2-preface'],
      ['\x00\x01garbage\xff', 'tls:not-tls'],
    ] as const;
    for (const [payload, reason] of cases) {
      const result = await rawRequest(server.port, Buffer.from(payload, 'latin1'));
      assert.equal(result.bytes.length, 0, reason);
      assert.equal(result.ending, 'fin', reason);
      assert.equal(server.events.at(-1)?.reason, reason);
    }
  });

  it('an ALPN list with no protocol the server speaks is refused at the ClientHello with zero bytes (Node would send an alert)', async () => {
    const flight = await captureClientHello({ servername: 'localhost', ALPNProtocols: ['foo'] });
    const result = await rawRequest(server.port, flight);
    assert.equal(result.bytes.length, 0);
    assert.equal(server.events.at(-1)?.reason, 'tls:alpn-mismatch');
    assert.equal(server.events.at(-1)?.rule, 'offered foo');
  });

  it('openssl s_client: -servername unknown, -noservername and -alpn foo get no certificate and no alert', async () => {
    for (const args of [['-servername', 'evil.example'], ['-noservername'], ['-servername', 'localhost', '-alpn', 'foo']]) {
      const { output } = await sClient(server.port, args);
      assert.match(output, /no peer certificate available/, args.join(' '));
      assert.doesNotMatch(output, /<<< TLS 1\.\d+, (Alert|Handshake)/, args.join(' '));
      assert.match(output, /SSL handshake has read 0 bytes/, args.join(' '));
    }
    const served = await sClient(server.port, ['-servername', 'localhost']);
    assert.match(served.output, /Server certificate/);
  });

  it('curl: an unknown name fails the handshake, localhost is answered', async () => {
    const refused = await run('curl', ['-vsk', '--max-time', '5', '--resolve', `evil.example:${server.port}:127.0.0.1`, `https://evil.example:${server.port}/`]);
    assert.match(refused.output, /TLSv1\.3 \(OUT\), TLS handshake, Client hello/);
    assert.doesNotMatch(refused.output, /\(IN\)|Server certificate|SSL connection using/);
    assert.equal(refused.code, 35); // CURLE_SSL_CONNECT_ERROR
    const served = await run('curl', ['-sk', '--max-time', '5', '--resolve', `localhost:${server.port}:127.0.0.1`, `https://localhost:${server.port}/`, '-w', ' %{http_code}']);
    assert.equal(served.output, 'hello 200');
  });
});
