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
import { hangup } from 'hangup';
import { sitePolicy, pageFor, port, readOrder, writePage } from './site-policy.js';

const guard = hangup(sitePolicy);

/** HTTP/2 frames a body without Content-Length: a stream that did not end with its headers has one. */
function orderHeaders(req: http2.Http2ServerRequest): http2.IncomingHttpHeaders {
  const bodyFollows = !req.stream.endAfterHeaders && req.headers['content-length'] === undefined;
  return bodyFollows ? { ...req.headers, 'transfer-encoding': 'chunked' } : req.headers;
}

function app(req: http2.Http2ServerRequest, res: http2.Http2ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const page = (): void => writePage(res as unknown as ServerResponse, req.method, pageFor(req.method, path));
  if (req.method !== 'POST') {
    page();
    return;
  }
  void readOrder(req, orderHeaders(req)).then((problem) => {
    if (problem === null) page();
    // Refused like any other drop: RST_STREAM(PROTOCOL_ERROR), counted and reported.
    else guard.refuse(req as unknown as IncomingMessage, res as unknown as ServerResponse, `order:${problem}`);
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
