/**
 * hangup on bare node:http. Run: npx tsx examples/http.ts   (PORT=3000 by default)
 *
 * Allowed: GET /, GET /users, GET /users/:id, GET /orders, POST /orders on localhost or 127.0.0.1.
 * GET /favicon.ico gets the fixed 404; everything else is dropped with zero bytes.
 */
import { hangup } from 'hangup';
import { sitePolicy, pageFor, port } from './site-policy.js';

const guard = hangup(sitePolicy);

// guard.createServer() wraps the listener and protects the server (parse errors, Expect, missing Host...).
const server = guard.createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const body = pageFor(req.method ?? 'GET', path);
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
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
