/**
 * hangup on bare node:http. Run: npx tsx examples/http.ts   (PORT=3000 by default)
 *
 * Allowed: GET /, GET /users, GET /users/:id, GET /orders, POST /orders on localhost or 127.0.0.1.
 * GET /favicon.ico gets the fixed 404; everything else is dropped with zero bytes.
 * POST /orders reads JSON, form and text bodies; a body it cannot read is dropped too.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hangup, type Decision } from 'hangup';
import { sitePolicy, pageFor, port, orderBody, orderBodyProblem, writePage } from './site-policy.js';

const guard = hangup(sitePolicy);

function sendPage(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  writePage(res, req.method ?? 'GET', pageFor(req.method ?? 'GET', path));
}

/**
 * Reads an order's body by the site's rules (examples/site-policy.ts): resolves with what is wrong
 * with it, or null. On node:http the body is the app's own business; Express and Fastify read it
 * with their parsers.
 */
function readOrder(req: IncomingMessage): Promise<string | null> {
  const problem = orderBodyProblem(req.headers);
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
        JSON.parse(new TextDecoder().decode(Buffer.concat(chunks))); // TextDecoder drops a BOM, as the frameworks do
        resolve(null);
      } catch {
        resolve('entity.parse.failed');
      }
    });
  });
}

// guard.createServer() wraps the listener and protects the server (parse errors, Expect, missing Host...).
const server = guard.createServer((req, res) => {
  if (req.method !== 'POST') {
    sendPage(req, res);
    return;
  }
  void readOrder(req).then((problem) => {
    if (problem === null) sendPage(req, res);
    // Refused as the adapters refuse what their framework cannot read: a drop, counted and reported.
    else guard.apply({ action: 'drop', reason: `order:${problem}` } satisfies Decision, req, res, 'http');
  });
});

server.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${port}`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
  });
}
