import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import http2 from 'node:http2';
import net, { type AddressInfo } from 'node:net';
import { readdirSync } from 'node:fs';
import { hangup, type DecisionEvent, type HangupOptions } from '../../src/index.js';
import { clientHelloLimits } from '../../src/tls/sni-gate.js';
import { readClientHello } from '../../src/tls/client-hello.js';
import { tlsClientHello } from '../../src/cli/probe/tls-hello.js';
import { rawRequest } from '../helpers/raw-client.js';
import { captureClientHello, sClient, TLS_OPTIONS, tlsRequest } from '../helpers/tls.js';

interface Started {
  readonly server: https.Server;
  readonly port: number;
  readonly events: DecisionEvent[];
  readonly guard: ReturnType<typeof hangup>;
}

async function start(options: HangupOptions = { hosts: ['localhost'], routes: ['GET /', 'GET /end'] }): Promise<Started> {
  const events: DecisionEvent[] = [];
  const guard = hangup({ ...options, onDecision: (e) => events.push(e) });
  const server = https.createServer(TLS_OPTIONS, (req, res) => {
    if (req.url === '/end') {
      req.socket.end(); // writes close_notify: the control for the detector below
      return;
    }
    res.end('hello');
  });
  guard.protect(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, events, guard };
}

async function stop(started: Started): Promise<void> {
  started.server.closeAllConnections();
  await new Promise<void>((resolve) => started.server.close(() => resolve()));
}

const connections = (server: net.Server): Promise<number> =>
  new Promise((resolve) => server.getConnections((_e, n) => resolve(n)));

/** Polls until `check` holds or `ms` passed. */
async function eventually(check: () => boolean | Promise<boolean>, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check()) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

/** Deterministic pseudo-random numbers (a failing case can be replayed). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Malformed first flights built from a real ClientHello: bad lengths, truncations, junk. */
function malformedFlights(base: Buffer, count: number): Buffer[] {
  const next = random(12);
  const flights: Buffer[] = [];
  while (flights.length < count) {
    const b = Buffer.from(base);
    const kind = flights.length % 5;
    if (kind === 0) b.writeUInt16BE(Math.floor(next() * 65536), 5 + 4 + 2 + 32 + 1 + 0); // cipher suites length
    else if (kind === 1) b[5 + 1 + Math.floor(next() * 3)] = Math.floor(next() * 256); // handshake length
    else if (kind === 2) b[5] = 2 + Math.floor(next() * 200); // not a ClientHello
    else if (kind === 3) b.writeUInt16BE(0, 3); // empty record
    else {
      const junk = Buffer.alloc(5 + Math.floor(next() * 300));
      for (let i = 0; i < junk.length; i++) junk[i] = Math.floor(next() * 256);
      junk[0] = 0x16;
      junk[1] = 0x03;
      junk.writeUInt16BE(junk.length - 5, 3);
      flights.push(junk);
      continue;
    }
    flights.push(b);
  }
  return flights.filter((f) => readClientHello(f).kind === 'malformed');
}

const fdCount = (): number => readdirSync('/proc/self/fd').length;

describe('TLS ClientHello gate: bounds and malformed input', () => {
  let s: Started;
  before(async () => {
    s = await start();
  });
  after(() => stop(s));

  it('1,000 malformed ClientHellos: zero bytes each, no exception, no socket or descriptor left', async () => {
    const base = await captureClientHello({ servername: 'localhost' });
    let flights = malformedFlights(base, 2000);
    assert.ok(flights.length >= 1000, `${flights.length} malformed`);
    flights = flights.slice(0, 1000);
    const errors: unknown[] = [];
    const onError = (e: unknown): void => {
      errors.push(e);
    };
    process.on('uncaughtException', onError);
    const fdsBefore = fdCount();
    const before = s.guard.stats().reasons['tls:malformed-client-hello'] ?? 0;
    let received = 0;
    for (let i = 0; i < flights.length; i += 25) {
      const results = await Promise.all(flights.slice(i, i + 25).map((f) => rawRequest(s.port, f, { waitMs: 2000 })));
      for (const r of results) {
        received += r.bytes.length;
        assert.equal(r.ending, 'fin');
      }
    }
    process.off('uncaughtException', onError);
    assert.equal(received, 0);
    assert.deepEqual(errors, []);
    assert.equal((s.guard.stats().reasons['tls:malformed-client-hello'] ?? 0) - before, 1000);
    await eventually(async () => (await connections(s.server)) === 0 && fdCount() <= fdsBefore);
    assert.equal(await connections(s.server), 0);
    assert.ok(fdCount() <= fdsBefore, `${fdCount()} descriptors, ${fdsBefore} before`);
    assert.equal(s.server.listenerCount('connection'), 1);
  });

  it('a ClientHello that never completes is cut at the time limit with zero bytes', async () => {
    const saved = clientHelloLimits.timeoutMs;
    const s2 = await start();
    clientHelloLimits.timeoutMs = 300;
    try {
      const flight = tlsClientHello('localhost');
      const started = Date.now();
      const result = await rawRequest(s2.port, flight.subarray(0, 40), { waitMs: 2000 });
      assert.equal(result.bytes.length, 0);
      assert.equal(result.ending, 'fin');
      assert.ok(Date.now() - started >= 250);
      assert.equal(s2.events.at(-1)?.reason, 'tls:client-hello-timeout');
    } finally {
      clientHelloLimits.timeoutMs = saved;
      await stop(s2);
    }
  });

  it('an endless or oversized ClientHello is cut at the size limit with zero bytes', async () => {
    // A handshake message that claims 16 MiB, sent as full records until the server closes.
    const header = Buffer.from([0x16, 0x03, 0x01, 0x40, 0x00, 0x01, 0xff, 0xff, 0xff]);
    const body = Buffer.alloc(16384 - 4, 0x41);
    const records = [Buffer.concat([header, body]), ...Array.from({ length: 4 }, () => Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x40, 0x00]), Buffer.alloc(16384, 0x41)]))];
    const result = await rawRequest(s.port, Buffer.concat(records), { waitMs: 2000 });
    assert.equal(result.bytes.length, 0);
    assert.notEqual(result.ending, 'open');
    assert.equal(s.events.at(-1)?.reason, 'tls:malformed-client-hello');
  });

  it('a connection closed before its ClientHello is complete is closed, reported once if it sent anything', async () => {
    const flight = tlsClientHello('localhost');
    const before = s.events.length;
    const result = await rawRequest(s.port, flight.subarray(0, 20), { endAfterWrite: true, waitMs: 1000 });
    assert.equal(result.bytes.length, 0);
    await eventually(() => s.events.length > before);
    assert.equal(s.events.at(-1)?.reason, 'tls:malformed-client-hello');
    await eventually(async () => (await connections(s.server)) === 0);
    assert.equal(await connections(s.server), 0);
  });

  it('a socket destroyed by an earlier connection listener (a ban) is skipped by the gate', async () => {
    const s3 = await start();
    try {
      s3.server.prependListener('connection', (socket: net.Socket) => socket.destroy());
      const result = await rawRequest(s3.port, tlsClientHello('localhost'));
      assert.equal(result.bytes.length, 0);
      assert.equal(s3.events.length, 0);
    } finally {
      await stop(s3);
    }
  });
});

describe('TLS: drops after the handshake write no TLS record', () => {
  for (const version of ['-tls1_2', '-tls1_3']) {
    it(`${version}: a dropped request ends with no close_notify and no record (the control, socket.end(), shows one)`, async () => {
      const s = await start();
      try {
        const dropped = await sClient(s.port, ['-servername', 'localhost', version], 'GET /.env HTTP/1.1\r\nHost: localhost\r\n\r\n');
        assert.match(dropped.output, /Server certificate/);
        assert.doesNotMatch(dropped.output, /close_notify/);
        assert.doesNotMatch(dropped.output, /HTTP\/1\.1/);
        assert.equal(s.events.at(-1)?.reason, 'route:unknown');
        const control = await sClient(s.port, ['-servername', 'localhost', version], 'GET /end HTTP/1.1\r\nHost: localhost\r\n\r\n');
        assert.match(control.output, /close_notify/);
      } finally {
        await stop(s);
      }
    });

    it(`${version}: close: 'reset' resets the TCP connection beneath, no TLS byte`, async () => {
      const s = await start({ hosts: ['localhost'], routes: ['GET /'], close: 'reset' });
      try {
        const result = await tlsRequest(s.port, { servername: 'localhost', maxVersion: version === '-tls1_2' ? 'TLSv1.2' : 'TLSv1.3' }, 'GET /.env HTTP/1.1\r\nHost: localhost\r\n\r\n');
        assert.equal(result.outcome, 'secure+ECONNRESET');
        assert.equal(result.response, '');
        const refused = await rawRequest(s.port, tlsClientHello('evil.example'));
        assert.equal(refused.bytes.length, 0);
        assert.equal(refused.ending, 'rst');
      } finally {
        await stop(s);
      }
    });
  }
});

describe('TLS: policy variants', () => {
  it('report mode: the handshake completes, the refusal is only reported', async () => {
    const s = await start({ hosts: ['localhost'], mode: 'report' });
    try {
      const result = await tlsRequest(s.port, { servername: 'evil.example' });
      assert.equal(result.outcome, 'secure');
      const event = s.events.find((e) => e.reason === 'tls:unknown-server-name');
      assert.equal(event?.enforced, false);
      assert.equal(event?.wire, 'none');
    } finally {
      await stop(s);
    }
  });

  it('hosts with an IP literal: no server name is served, an unknown one is not', async () => {
    const s = await start({ hosts: ['localhost', '127.0.0.1'] });
    try {
      assert.equal((await tlsRequest(s.port, { servername: '' })).outcome, 'secure');
      assert.notEqual((await tlsRequest(s.port, { servername: 'evil.example' })).outcome, 'secure');
    } finally {
      await stop(s);
    }
  });

  it('hosts omitted: any name and no name complete the handshake; what is not TLS is still refused', async () => {
    const s = await start({});
    try {
      assert.equal((await tlsRequest(s.port, { servername: '' })).outcome, 'secure');
      assert.equal((await tlsRequest(s.port, { servername: 'anything.example' })).outcome, 'secure');
      const plain = await rawRequest(s.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.equal(plain.bytes.length, 0);
      assert.equal(s.events.at(-1)?.reason, 'tls:plain-http');
    } finally {
      await stop(s);
    }
  });

  it('a client that resets mid-handshake is not a refusal: nothing reported, the socket closed', async () => {
    const s = await start();
    try {
      const hello = await captureClientHello({ servername: 'localhost' });
      await new Promise<void>((resolve) => {
        const socket = net.connect({ port: s.port, host: '127.0.0.1' }, () => socket.write(hello));
        socket.once('data', () => {
          socket.resetAndDestroy();
          resolve();
        });
      });
      await eventually(async () => (await connections(s.server)) === 0);
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(s.events, []);
      assert.equal(await connections(s.server), 0);
    } finally {
      await stop(s);
    }
  });

  it('wildcards: *.example.com serves a.example.com, not example.com', async () => {
    const s = await start({ hosts: ['*.example.com'] });
    try {
      assert.equal((await rawRequest(s.port, tlsClientHello('example.com'))).bytes.length, 0);
      assert.ok((await rawRequest(s.port, tlsClientHello('a.example.com'))).bytes.length > 0);
    } finally {
      await stop(s);
    }
  });

  for (const [kind, mode] of [['https', 'enforce'], ['http2', 'enforce'], ['https', 'report'], ['http2', 'report']] as const) {
    it(`${kind}, ${mode}: a TLS error after the ClientHello is tls:handshake-error, reported once, no unhandled error, no warning`, async () => {
      const events: DecisionEvent[] = [];
      const guard = hangup({ hosts: ['localhost'], mode, onDecision: (e) => events.push(e) });
      const server = kind === 'https' ? https.createServer(TLS_OPTIONS) : http2.createSecureServer(TLS_OPTIONS);
      guard.protect(server as https.Server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      const warnings: unknown[] = [];
      const onWarning = (w: unknown): void => {
        warnings.push(w);
      };
      process.on('warning', onWarning);
      try {
        // Only TLS 1.2 with a cipher the server's ECDSA key cannot use: Node's TLS layer fails it.
        const result = await tlsRequest(port, { servername: 'localhost', maxVersion: 'TLSv1.2', ciphers: 'AES128-SHA' });
        assert.notEqual(result.outcome, 'secure');
        await eventually(() => events.length > 0);
        await new Promise((r) => setTimeout(r, 100));
        assert.deepEqual(events.map((e) => [e.reason, e.enforced]), [['tls:handshake-error', mode === 'enforce']]);
        assert.deepEqual(warnings, []);
        assert.equal(await connections(server as unknown as net.Server), 0);
      } finally {
        process.off('warning', onWarning);
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });
  }
});
