/**
 * The README's Koa 3 and Hono 4 recipes over real sockets: `guard.protect(server)` on the server
 * the framework creates (`app.listen()`, `serve()`) or on one created around its listener
 * (`app.callback()`, `getRequestListener()`), and nothing else.
 */
import { describe, before, after } from 'node:test';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import { Hono } from 'hono';
import { serve, getRequestListener } from '@hono/node-server';
import { hangup } from '../../src/index.js';
import { listen, close } from '../helpers/servers.js';
import { recipePolicy, recipeWireTests, readBody } from './recipe-checks.js';

function koaApp(seen: string[]): Koa {
  const app = new Koa();
  app.use(async (ctx) => {
    seen.push(`${ctx.method} ${ctx.url}`);
    if (ctx.method === 'GET' && ctx.path === '/') ctx.body = 'home';
    else if (ctx.method === 'POST' && ctx.path === '/echo') ctx.body = `echo ${await readBody(ctx.req)}`;
  });
  return app;
}

function honoApp(seen: string[]): Hono {
  const app = new Hono();
  app.use(async (c, next) => {
    seen.push(`${c.req.method} ${c.req.path}`);
    await next();
  });
  app.get('/', (c) => c.text('home'));
  app.post('/echo', async (c) => c.text(`echo ${await c.req.text()}`));
  return app;
}

async function listening(server: Server): Promise<number> {
  if (!server.listening) await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return (server.address() as AddressInfo).port;
}

/** Each recipe as the README writes it: returns the protected, listening server. */
const recipes: [string, (seen: string[]) => Server | Promise<Server>][] = [
  [
    'Koa 3: guard.protect(app.listen())',
    (seen) => {
      const guard = hangup(recipePolicy);
      return guard.protect(koaApp(seen).listen(0, '127.0.0.1'));
    },
  ],
  [
    'Koa 3: http.createServer(app.callback()) + protect',
    async (seen) => {
      const guard = hangup(recipePolicy);
      const server = guard.protect(http.createServer(koaApp(seen).callback()));
      await listen(server);
      return server;
    },
  ],
  [
    'Hono 4: guard.protect(serve({ fetch: app.fetch }))',
    (seen) => {
      const guard = hangup(recipePolicy);
      return guard.protect(serve({ fetch: honoApp(seen).fetch, port: 0, hostname: '127.0.0.1' }) as Server);
    },
  ],
  [
    'Hono 4: http.createServer(getRequestListener(app.fetch)) + protect',
    async (seen) => {
      const guard = hangup(recipePolicy);
      const server = guard.protect(http.createServer(getRequestListener(honoApp(seen).fetch)));
      await listen(server);
      return server;
    },
  ],
];

for (const [name, start] of recipes) {
  describe(name, () => {
    let server: Server;
    let port = 0;
    const seen: string[] = [];
    before(async () => {
      server = await start(seen);
      port = await listening(server);
    });
    after(() => close(server));
    recipeWireTests(() => port, seen);
  });
}
