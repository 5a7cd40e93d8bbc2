/**
 * hangup on cleartext HTTP/2 (h2c, prior knowledge) with node:http2's compat API.
 * Run: npx tsx examples/h2c.ts   (PORT=3000 by default), then e.g.
 *   curl --http2-prior-knowledge http://127.0.0.1:3000/users/1
 *   nghttp -v http://127.0.0.1:3000/.env
 *
 * The same site as the other examples (examples/site-policy.ts): GET /, GET /users, GET /users/:id,
 * GET /orders, POST /orders on localhost or 127.0.0.1; GET /favicon.ico gets the fixed 404 (Node's
 * own empty HTTP/2 404: `:status 404` and `date`). Everything else is dropped: RST_STREAM with
 * PROTOCOL_ERROR on that stream only, the connection and its other streams go on. A connection
 * that keeps sending refused streams (more than 100) gets GOAWAY and is closed.
 */
import http2 from 'node:http2';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { hangup, type Decision } from 'hangup';
import { sitePolicy, pageFor, port, orderBody, orderBodyProblem, writePage } from './site-policy.js';

const guard = hangup(sitePolicy);

/** Reads an order's body by the site's rules: resolves with what is wrong with it, or null. */
function readOrder(req: http2.Http2ServerRequest): Promise<string | null> {
  // HTTP/2 frames a body without Content-Length: a stream that did not end with its headers has one.
  const bodyFollows = !req.stream.endAfterHeaders && req.headers['content-length'] === undefined;
  const problem = orderBodyProblem(bodyFollows ? { ...req.headers, 'transfer-encoding': 'chunked' } : req.headers);
  if (problem !== null) return Promise.resolve(problem);
  if (Number(req.headers['content-length'] ?? 0) > orderBody.limit) return Promise.resolve('entity.too.large');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > orderBody.limit) {
        req.removeAllListeners('data');
        resolve('entity.too.large');
      } else chunks.push(chunk);
    });
    req.on('error', () => resolve('request.aborted'));
    req.on('end', () => {
      if (size > orderBody.limit) return;
      if (!String(req.headers['content-type']).toLowerCase().startsWith('application/json')) return resolve(null);
      try {
        JSON.parse(new TextDecoder().decode(Buffer.concat(chunks)));
        resolve(null);
      } catch {
        resolve('entity.parse.failed');
      }
    });
  });
}

function app(req: http2.Http2ServerRequest, res: http2.Http2ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const page = (): void => writePage(res as unknown as ServerResponse, req.method, pageFor(req.method, path));
  if (req.method !== 'POST') {
    page();
    return;
  }
  void readOrder(req).then((problem) => {
    if (problem === null) page();
    // Refused like any other drop: RST_STREAM(PROTOCOL_ERROR), counted and reported.
    else guard.apply({ action: 'drop', reason: `order:${problem}` } satisfies Decision, req as unknown as IncomingMessage, res as unknown as ServerResponse, 'http');
  });
}

// wrap() applies the policy to the compat 'request' listener; protect() decides every stream
// before any listener (the core 'stream' API included) and takes over Node's own HTTP/2 answers.
const server = http2.createServer(guard.wrap(app as never) as never);
guard.protect(server as unknown as Server);

server.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${port}`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
  });
}
