/**
 * hangup on Express (4 or 5). Run: npx tsx examples/express.ts   (PORT=3000 by default)
 *
 * The same site as examples/http.ts: GET /, GET /users, GET /users/:id, GET /orders, POST /orders
 * on localhost or 127.0.0.1; GET /favicon.ico gets the fixed 404; everything else is dropped.
 */
import express from 'express';
import { hangup } from 'hangup';
import { hangupExpress } from 'hangup/express';
import { sitePolicy, pageFor, port } from './site-policy.js';

const app = express();
// Production-like: no fingerprint on allowed responses either.
app.disable('x-powered-by');
app.set('etag', false);

const guard = hangupExpress(hangup(sitePolicy));
app.use(guard); // first: refused requests never reach a route, a log or Express's 404 page

const send = (res: express.Response, body: string): void => {
  res.type('text/plain').send(body);
};
app.get('/', (req, res) => send(res, pageFor(req.method, '/')));
app.get('/users', (req, res) => send(res, pageFor(req.method, '/users')));
app.get('/users/:id', (req, res) => send(res, pageFor(req.method, req.path, { id: req.params.id ?? '' })));
app.get('/orders', (req, res) => send(res, pageFor(req.method, '/orders')));
app.post('/orders', express.text(), (req, res) => send(res, pageFor(req.method, '/orders')));

// Last: whatever no route answered gets the policy's unknownRoute action, not "Cannot GET".
app.use(guard.unrouted);

// guard.listen() is app.listen() with the server protected (parse errors, Expect, missing Host...).
const server = guard.listen(app, port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${port}`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
  });
}
