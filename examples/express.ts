/**
 * hangup on Express (4 or 5). Run: npx tsx examples/express.ts   (PORT=3000 by default)
 *
 * The same site as examples/http.ts: GET /, GET /users, GET /users/:id, GET /orders, POST /orders
 * on localhost or 127.0.0.1; GET /favicon.ico gets the fixed 404; everything else is dropped.
 * POST /orders reads JSON, form and text bodies; a body Express cannot read is dropped too, never
 * answered with Express's error page (`h.errors`).
 */
import express from 'express';
import { hangup } from 'hangup';
import { hangupExpress } from 'hangup/express';
import { sitePolicy, pageFor, port, orderBody, orderBodyProblem, orderBodyError, writePage } from './site-policy.js';

const app = express();
// Production-like: no fingerprint on allowed responses either.
app.disable('x-powered-by');
app.set('etag', false);

const guard = hangupExpress(hangup(sitePolicy));
app.use(guard); // first: refused requests never reach a route, a log or Express's 404 page

// The same bytes as the other examples: writePage() writes the header names as Fastify does.
const send = (res: express.Response, body: string): void => writePage(res, res.req.method, body);
app.get('/', (req, res) => send(res, pageFor(req.method, '/')));
app.get('/users', (req, res) => send(res, pageFor(req.method, '/users')));
app.get('/users/:id', (req, res) => send(res, pageFor(req.method, req.path, { id: req.params.id ?? '' })));
app.get('/orders', (req, res) => send(res, pageFor(req.method, '/orders')));

// The order body: JSON, an HTML form or text, read by Express's parsers within the site's rules.
const { limit } = orderBody;
// An empty JSON body is refused, as Fastify refuses it (body-parser would read it as {}).
const refuseEmptyJson = (_req: unknown, _res: unknown, buf: Buffer): void => {
  if (buf.length === 0) throw orderBodyError('json.empty');
};
const readOrder = [
  (req: express.Request, _res: express.Response, next: express.NextFunction) => {
    const problem = orderBodyProblem(req.headers);
    next(problem === null ? undefined : orderBodyError(problem));
  },
  express.json({ limit, strict: false, verify: refuseEmptyJson }),
  express.urlencoded({ limit, extended: false, parameterLimit: Infinity }),
  express.text({ limit }),
];
app.post('/orders', readOrder, (req: express.Request, res: express.Response) => send(res, pageFor(req.method, '/orders')));

// Last: whatever no route answered gets the policy's unknownRoute action, not "Cannot GET".
app.use(guard.unrouted);
// After everything, the app's own error middleware included: an error Express would answer with
// its own page (a body the parsers refuse: 400, 413, 415) is dropped instead.
app.use(guard.errors);

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
