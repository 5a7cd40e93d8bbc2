/**
 * hangup on bare node:http. Run: npx tsx examples/http.ts   (PORT=3000 by default)
 *
 * Allowed: GET /, GET /users, GET /users/:id, GET /orders, POST /orders on localhost or 127.0.0.1.
 * GET /favicon.ico gets the fixed 404; everything else is dropped with zero bytes.
 * POST /orders reads JSON, form and text bodies; a body it cannot read is dropped too.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hangup } from 'hangup';
import { sitePolicy, pageFor, port, readOrder, writePage } from './site-policy.js';

const guard = hangup(sitePolicy);

function sendPage(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  writePage(res, req.method ?? 'GET', pageFor(req.method ?? 'GET', path));
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
    else guard.refuse(req, res, `order:${problem}`);
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
