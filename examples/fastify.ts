/**
 * hangup on Fastify (4 or 5). Run: npx tsx examples/fastify.ts   (PORT=3000 by default)
 *
 * The same site as examples/http.ts: GET /, GET /users, GET /users/:id, GET /orders, POST /orders
 * on localhost or 127.0.0.1; GET /favicon.ico gets the fixed 404; everything else is dropped.
 */
import Fastify from 'fastify';
import { hangup } from 'hangup';
import { hangupFastify } from 'hangup/fastify';
import { sitePolicy, pageFor, port } from './site-policy.js';

// Node's own keep-alive timeout (Fastify 5 would announce its own 72 s).
const app = Fastify({ logger: false, keepAliveTimeout: 5000 });

// Register first (and await it) so the hook runs before any other and sees every route.
await app.register(hangupFastify, { guard: hangup(sitePolicy) });

const text = 'text/plain; charset=utf-8';
app.get('/', async (req, reply) => reply.type(text).send(pageFor(req.method, '/')));
app.get('/users', async (req, reply) => reply.type(text).send(pageFor(req.method, '/users')));
app.get<{ Params: { id: string } }>('/users/:id', async (req, reply) =>
  reply.type(text).send(pageFor(req.method, req.url, { id: req.params.id })),
);
app.get('/orders', async (req, reply) => reply.type(text).send(pageFor(req.method, '/orders')));
app.post('/orders', async (req, reply) => reply.type(text).send(pageFor(req.method, '/orders')));

await app.listen({ port, host: '127.0.0.1' });
console.log(`listening on http://127.0.0.1:${port}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    app.server.closeAllConnections();
    void app.close();
  });
}
