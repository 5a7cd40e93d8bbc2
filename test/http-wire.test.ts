import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { hangup, notFound, NOT_FOUND_PATTERN, type HangupOptions } from '../src/index.js';
import { rawRequest, head } from './helpers/raw-client.js';
import { listen, close } from './helpers/servers.js';
import { NOT_FOUND, NOT_FOUND_CLOSE, dated } from './helpers/not-found.js';

const H = 'Host: localhost';
const policy: HangupOptions = {
  hosts: ['localhost'],
  routes: ['GET /', 'GET /slow', 'GET /users/:id', 'POST /orders'],
  rules: [notFound('GET /favicon.ico')],
};

/** The app behind hangup: fixed headers (no Date) so responses can be compared byte for byte. */
function app(req: http.IncomingMessage, res: http.ServerResponse): void {
  res.sendDate = false;
  const reply = (body: string): void => {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  if (req.url === '/slow') {
    setTimeout(() => reply('slow\n'), 150);
    return;
  }
  if (req.method === 'POST') {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => reply(`got ${body}\n`));
    return;
  }
  reply(`ok ${req.url}\n`);
}

function okBytes(body: string, keepAlive = true): string {
  const connection = keepAlive ? 'Connection: keep-alive\r\nKeep-Alive: timeout=5\r\n' : 'Connection: close\r\n';
  return `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${connection}\r\n${body}`;
}

describe('node:http, protected', () => {
  let server: http.Server;
  let port: number;
  before(async () => {
    server = hangup(policy).createServer(app);
    port = await listen(server);
  });
  after(() => close(server));

  test('allowed: the app answers, keep-alive stays open', async () => {
    const r = await rawRequest(port, head('GET /users/7 HTTP/1.1', H));
    assert.equal(r.text, okBytes('ok /users/7\n'));
    assert.equal(r.ending, 'open');
  });

  test('allowed: two requests on one keep-alive connection', async () => {
    const r = await rawRequest(port, '', { chunks: [head('GET / HTTP/1.1', H), head('GET /users/1 HTTP/1.1', H)], gapMs: 50 });
    assert.equal(r.text, okBytes('ok /\n') + okBytes('ok /users/1\n'));
  });

  test('allowed HEAD: headers only', async () => {
    const r = await rawRequest(port, head('HEAD /users/7 HTTP/1.1', H));
    assert.equal(r.text, okBytes(''.padEnd(0)).replace('Content-Length: 0', 'Content-Length: 12'));
  });

  test('allowed POST with a body', async () => {
    const r = await rawRequest(port, head('POST /orders HTTP/1.1', H, 'Content-Length: 5') + 'hello');
    assert.equal(r.text, okBytes('got hello\n'));
  });

  test('drop: zero bytes, then FIN', async () => {
    for (const bytes of [
      head('GET /.env HTTP/1.1', H),
      head('HEAD /.env HTTP/1.1', H),
      head('GET / HTTP/1.1', 'Host: evil.example'),
      head('DELETE /users/1 HTTP/1.1', H),
      head('POST /nope HTTP/1.1', H, 'Content-Length: 5') + 'hello',
      head('GET /users/%2e%2e/x HTTP/1.1', H),
      head('GET http://localhost/ HTTP/1.1', H),
    ]) {
      const r = await rawRequest(port, bytes);
      assert.deepEqual([r.text, r.ending], ['', 'fin'], bytes);
    }
  });

  test('drop after an allowed request on the same connection: the first response, then FIN', async () => {
    const r = await rawRequest(port, '', { chunks: [head('GET / HTTP/1.1', H), head('GET /.env HTTP/1.1', H)], gapMs: 80 });
    assert.equal(r.text, okBytes('ok /\n'));
    assert.equal(r.ending, 'fin');
  });

  test('pipelined: a slow allowed response is delivered whole before the drop closes', async () => {
    const r = await rawRequest(port, head('GET /slow HTTP/1.1', H) + head('GET /.env HTTP/1.1', H) + head('GET / HTTP/1.1', H));
    assert.equal(r.text, okBytes('slow\n'));
    assert.equal(r.ending, 'fin');
  });

  test('pipelined: a parse error after a slow allowed request keeps its response', async () => {
    const r = await rawRequest(port, head('GET /slow HTTP/1.1', H) + 'GARBAGE\r\n\r\n');
    assert.equal(r.text, okBytes('slow\n'));
    assert.equal(r.ending, 'fin');
  });

  test('pipelined: two allowed (slow, fast) then garbage: both responses, then FIN', async () => {
    const r = await rawRequest(port, head('GET /slow HTTP/1.1', H) + head('GET /users/2 HTTP/1.1', H) + '\x00\x01garbage\r\n\r\n');
    assert.equal(r.text, okBytes('slow\n') + okBytes('ok /users/2\n'));
    assert.equal(r.ending, 'fin');
  });

  test("notFound: exactly Node's own empty 404 for the same request, whatever the request", async () => {
    // What a scanner compares it with: the same server answering an empty 404 by itself.
    const plain = http.createServer((_req, res) => {
      res.statusCode = 404;
      res.end();
    });
    const plainPort = await listen(plain);
    try {
      const variants = [
        head('GET /favicon.ico HTTP/1.1', H),
        head('GET /favicon.ico?v=2 HTTP/1.1', H, 'Accept: image/*', 'Cookie: a=b'),
        head('HEAD /favicon.ico HTTP/1.1', H),
        head('GET /favicon.ico HTTP/1.1', H, 'Connection: close'),
        head('GET /favicon.ico HTTP/1.0', H),
        head('GET /favicon.ico HTTP/1.0', H, 'Connection: keep-alive'),
      ];
      for (const bytes of variants) {
        const [ours, node] = await Promise.all([rawRequest(port, bytes), rawRequest(plainPort, bytes)]);
        assert.equal(dated(ours.text), dated(node.text), bytes);
        assert.equal(ours.ending, node.ending, bytes);
        assert.match(ours.text, NOT_FOUND_PATTERN, bytes);
      }
      assert.equal(dated((await rawRequest(port, variants[0] ?? '')).text), NOT_FOUND);
      assert.equal(NOT_FOUND, 'HTTP/1.1 404 Not Found\r\nDate: <date>\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\nContent-Length: 0\r\n\r\n');
    } finally {
      await close(plain);
    }
  });

  test('notFound keeps a 1.1 keep-alive connection usable, and closes for Connection: close and HTTP/1.0', async () => {
    const kept = await rawRequest(port, '', { chunks: [head('GET /favicon.ico HTTP/1.1', H), head('GET / HTTP/1.1', H)], gapMs: 50 });
    assert.equal(dated(kept.text), NOT_FOUND + okBytes('ok /\n'));
    assert.equal(kept.ending, 'open');
    const closed = await rawRequest(port, head('GET /favicon.ico HTTP/1.1', H, 'Connection: close'));
    assert.equal(closed.ending, 'fin');
    const old = await rawRequest(port, head('GET /favicon.ico HTTP/1.0', H));
    assert.equal(old.ending, 'fin');
  });

  test('missing Host on HTTP/1.1: zero bytes (Node would answer 400)', async () => {
    const r = await rawRequest(port, head('GET / HTTP/1.1'));
    assert.deepEqual([r.text, r.ending], ['', 'fin']);
  });

  test('duplicate and empty Host: zero bytes', async () => {
    for (const bytes of [head('GET / HTTP/1.1', H, 'Host: evil.example'), head('GET / HTTP/1.1', 'Host:')]) {
      const r = await rawRequest(port, bytes);
      assert.deepEqual([r.text, r.ending], ['', 'fin'], bytes);
    }
  });

  test('parser errors: garbage, bad method, TLS bytes, HTTP/2 preface, bad header, CL+TE: zero bytes (Node would answer 400)', async () => {
    const tlsClientHello = Buffer.from('160301006a0100006603035f0a8b2a0000000000000000000000000000000000000000000000000000000000002c00', 'hex');
    for (const bytes of [
      'HELLO\r\n\r\n',
      head('G@T / HTTP/1.1', H),
      tlsClientHello,
      'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n',
      head('GET / HTTP/1.1', H, 'Bad Header: x'),
      head('GET /\x01 HTTP/1.1', H),
      head('POST /orders HTTP/1.1', H, 'Content-Length: 3', 'Transfer-Encoding: chunked') + '0\r\n\r\n',
      head('GET / HTTP/9.9', H),
    ]) {
      const r = await rawRequest(port, bytes);
      assert.deepEqual([r.text, r.ending], ['', 'fin'], JSON.stringify(bytes.toString()));
    }
  });

  test('empty lines before a request line are tolerated (RFC 9112 §2.2): nothing is sent, the connection waits', async () => {
    const r = await rawRequest(port, '\r\n\r\n\r\n\r\n', { waitMs: 200 });
    assert.deepEqual([r.text, r.ending], ['', 'open']);
  });

  test('header overflow: zero bytes (Node would answer 431)', async () => {
    const r = await rawRequest(port, `GET / HTTP/1.1\r\n${H}\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    assert.deepEqual([r.text, r.ending], ['', 'fin']);
  });

  test('Expect: 100-continue: 100 Continue only for allowed requests', async () => {
    const allowed = await rawRequest(port, '', {
      chunks: [head('POST /orders HTTP/1.1', H, 'Expect: 100-continue', 'Content-Length: 2'), 'hi'],
      gapMs: 100,
    });
    assert.equal(allowed.text, 'HTTP/1.1 100 Continue\r\n\r\n' + okBytes('got hi\n'));
    const refused = await rawRequest(port, head('POST /upload HTTP/1.1', H, 'Expect: 100-continue', 'Content-Length: 2'));
    assert.deepEqual([refused.text, refused.ending], ['', 'fin']);
    const notFoundOne = await rawRequest(port, head('GET /favicon.ico HTTP/1.1', H, 'Expect: 100-continue', 'Content-Length: 0'));
    // Node closes after answering an Expect request without 100 Continue (the body may still come).
    assert.equal(dated(notFoundOne.text), NOT_FOUND_CLOSE);
  });

  test('other Expect values: zero bytes (Node would answer 417)', async () => {
    const r = await rawRequest(port, head('POST /orders HTTP/1.1', H, 'Expect: 200-ok', 'Content-Length: 0'));
    assert.deepEqual([r.text, r.ending], ['', 'fin']);
  });

  test('CONNECT with no connect listener: zero bytes', async () => {
    const r = await rawRequest(port, head('CONNECT localhost:443 HTTP/1.1', 'Host: localhost:443'));
    assert.deepEqual([r.text, r.ending], ['', 'fin']);
  });

  test('a request body sent slowly to a dropped path gets nothing', async () => {
    const r = await rawRequest(port, '', { chunks: [head('POST /nope HTTP/1.1', H, 'Content-Length: 10'), 'abc', 'defghij'], gapMs: 50 });
    assert.deepEqual([r.text, r.ending], ['', 'fin']);
  });

  test('no socket or listener is left behind after many refusals', async () => {
    const before = { sockets: await connections(server), clientError: server.listenerCount('clientError') };
    const bad = [head('GET /.env HTTP/1.1', H), 'GARBAGE\r\n\r\n', head('GET / HTTP/1.1')];
    await Promise.all(Array.from({ length: 60 }, (_, i) => rawRequest(port, bad[i % bad.length] as string, { waitMs: 200 })));
    // The server closes each one at once; on a loaded machine its last 'close' may come a little later.
    for (let waited = 0; waited < 2000 && (await connections(server)) !== before.sockets; waited += 50) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(await connections(server), before.sockets);
    assert.equal(server.listenerCount('clientError'), before.clientError);
  });
});

function connections(server: http.Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((e, n) => (e ? reject(e) : resolve(n))));
}

describe('close: reset', () => {
  test('a drop sends RST and zero bytes', async () => {
    const server = hangup({ ...policy, close: 'reset' }).createServer(app);
    const port = await listen(server);
    try {
      const r = await rawRequest(port, head('GET /.env HTTP/1.1', H));
      assert.deepEqual([r.text, r.ending], ['', 'rst']);
      const garbage = await rawRequest(port, 'GARBAGE\r\n\r\n');
      assert.deepEqual([garbage.text, garbage.ending], ['', 'rst']);
      // After an allowed response on the connection, its bytes still arrive first.
      const after = await rawRequest(port, '', { chunks: [head('GET / HTTP/1.1', H), head('GET /.env HTTP/1.1', H)], gapMs: 80 });
      assert.equal(after.text, okBytes('ok /\n'));
    } finally {
      await close(server);
    }
  });
});

describe('server-level traps', () => {
  test('headers timeout (slowloris): zero bytes instead of 408', async () => {
    const guard = hangup(policy);
    const server = guard.protect(
      http.createServer({ headersTimeout: 300, requestTimeout: 600, connectionsCheckingInterval: 50 }, guard.wrap(app)),
    );
    const port = await listen(server);
    try {
      const r = await rawRequest(port, 'GET / HTTP/1.1\r\nHost: localhost\r\n', { waitMs: 3000 });
      assert.deepEqual([r.text, r.ending], ['', 'fin']);
    } finally {
      await close(server);
    }
  });

  test('maxRequestsPerSocket exceeded: earlier responses, then zero bytes instead of 503', async () => {
    const guard = hangup(policy);
    const server = guard.protect(http.createServer(guard.wrap(app)));
    server.maxRequestsPerSocket = 1;
    const port = await listen(server);
    try {
      const r = await rawRequest(port, head('GET / HTTP/1.1', H) + head('GET /users/1 HTTP/1.1', H));
      assert.equal(r.text, okBytes('ok /\n', false));
      assert.equal(r.ending, 'fin');
    } finally {
      await close(server);
    }
  });

  test('Upgrade and CONNECT are decided before the app listeners see them', async () => {
    const guard = hangup({ hosts: ['localhost'], routes: ['GET /ws'] });
    const server = guard.createServer(app);
    const upgrades: string[] = [];
    server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => {
      upgrades.push(req.url ?? '');
      if (!socket.destroyed) socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: demo\r\nConnection: Upgrade\r\n\r\n');
    });
    server.on('connect', (_req: http.IncomingMessage, socket: net.Socket) => {
      if (!socket.destroyed) socket.end('HTTP/1.1 200 Connection Established\r\n\r\n');
    });
    const port = await listen(server);
    try {
      const ok = await rawRequest(port, head('GET /ws HTTP/1.1', H, 'Connection: Upgrade', 'Upgrade: demo'));
      assert.equal(ok.text, 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: demo\r\nConnection: Upgrade\r\n\r\n');
      const refused = await rawRequest(port, head('GET /admin HTTP/1.1', H, 'Connection: Upgrade', 'Upgrade: demo'));
      assert.deepEqual([refused.text, refused.ending], ['', 'fin']);
      const connect = await rawRequest(port, head('CONNECT evil.example:443 HTTP/1.1', 'Host: evil.example:443'));
      assert.deepEqual([connect.text, connect.ending], ['', 'fin']);
    } finally {
      await close(server);
    }
  });

  test("protect() is idempotent and the app's own listeners keep working", async () => {
    const guard = hangup(policy);
    const server = http.createServer(guard.wrap(app));
    const seen: string[] = [];
    server.on('clientError', (error: NodeJS.ErrnoException, socket: net.Socket) => {
      seen.push(`${error.code}:${socket.destroyed}`);
      socket.destroy();
    });
    guard.protect(server);
    const counts = ['clientError', 'checkContinue', 'checkExpectation', 'dropRequest', 'newListener'].map((e) => server.listenerCount(e));
    guard.protect(server);
    assert.deepEqual(
      ['clientError', 'checkContinue', 'checkExpectation', 'dropRequest', 'newListener'].map((e) => server.listenerCount(e)),
      counts,
    );
    assert.throws(() => hangup(policy).protect(server), { code: 'HANGUP_INVALID_SERVER' });
    const port = await listen(server);
    try {
      const r = await rawRequest(port, 'GARBAGE\r\n\r\n');
      assert.deepEqual([r.text, r.ending], ['', 'fin']);
      assert.deepEqual(seen, ['HPE_INVALID_METHOD:true']);
    } finally {
      await close(server);
    }
  });

  test('wrap() without protect() works but warns once (HANGUP_UNPROTECTED_SERVER)', async () => {
    const guard = hangup(policy);
    const server = http.createServer(guard.wrap(app));
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }): void => {
      if (w.code !== undefined) warnings.push(w.code);
    };
    process.on('warning', onWarning);
    const port = await listen(server);
    try {
      assert.equal((await rawRequest(port, head('GET / HTTP/1.1', H))).text, okBytes('ok /\n'));
      const dropped = await rawRequest(port, head('GET /.env HTTP/1.1', H));
      assert.deepEqual([dropped.text, dropped.ending], ['', 'fin']);
      // Unprotected, Node itself still answers a parse error: the warning is about exactly this.
      const garbage = await rawRequest(port, 'GARBAGE\r\n\r\n');
      assert.match(garbage.text, /^HTTP\/1\.1 400 Bad Request\r\n/);
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(warnings, ['HANGUP_UNPROTECTED_SERVER']);
    } finally {
      process.off('warning', onWarning);
      await close(server);
    }
  });
});
