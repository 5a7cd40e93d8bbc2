/**
 * hangup on Fastify (4 or 5). Run: npx tsx examples/fastify.ts   (PORT=3000 by default)
 *
 * The same site as examples/http.ts: GET /, GET /users, GET /users/:id, GET /orders, POST /orders
 * on localhost or 127.0.0.1; GET /favicon.ico gets the fixed 404; everything else is dropped.
 * POST /orders reads JSON, form and text bodies; a body Fastify cannot read is dropped too, never
 * answered with Fastify's JSON error (`frameworkErrors: 'refuse'`).
 */
import Fastify from 'fastify';
import { hangupFastify } from 'hangup/fastify';
import { sitePolicy, pageFor, port, orderBody, orderBodyProblem, orderBodyError } from './site-policy.js';

// Node's own keep-alive timeout (Fastify 5 would announce its own 72 s); Express's body limit; a
// JSON body with a __proto__ key is read as Express and JSON.parse read it (the key is removed).
const app = Fastify({
  logger: false,
  keepAliveTimeout: 5000,
  bodyLimit: orderBody.limit,
  onProtoPoisoning: 'remove',
  onConstructorPoisoning: 'remove',
});

// Register first (and await it) so the hook runs before any other and sees every route. Given the
// policy's options (not a guard), the plugin matches routes as Fastify's router does (case-sensitive,
// a trailing slash is another path), so hangup and Fastify agree on every path.
// frameworkErrors: a body Fastify refuses (415, 413, 400) is dropped, not answered with its JSON.
await app.register(hangupFastify, { ...sitePolicy, frameworkErrors: 'refuse' });

// HTML forms and `curl -d` post application/x-www-form-urlencoded, which Fastify does not read by itself.
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
  done(null, Object.fromEntries(new URLSearchParams(body as string)));
});

const text = 'text/plain; charset=utf-8';
app.get('/', async (req, reply) => reply.type(text).send(pageFor(req.method, '/')));
app.get('/users', async (req, reply) => reply.type(text).send(pageFor(req.method, '/users')));
app.get<{ Params: { id: string } }>('/users/:id', async (req, reply) =>
  reply.type(text).send(pageFor(req.method, req.url, { id: req.params.id })),
);
app.get('/orders', async (req, reply) => reply.type(text).send(pageFor(req.method, '/orders')));
app.post(
  '/orders',
  {
    // The site's rules for the body, checked before Fastify reads it (as on the other examples).
    onRequest: async (req) => {
      const problem = orderBodyProblem(req.headers);
      if (problem !== null) throw orderBodyError(problem);
    },
  },
  async (req, reply) => reply.type(text).send(pageFor(req.method, '/orders')),
);

await app.listen({ port, host: '127.0.0.1' });
console.log(`listening on http://127.0.0.1:${port}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    app.server.closeAllConnections();
    void app.close();
  });
}
