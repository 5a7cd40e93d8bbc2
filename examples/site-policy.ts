/**
 * The policy of the example site, shared by every example (node:http, Express, Fastify): two hosts,
 * five routes, a fixed 404 for the favicon, and a drop for everything else.
 */
import { notFound, type HangupOptions } from 'hangup';

export const sitePolicy = {
  hosts: ['localhost', '127.0.0.1'],
  routes: ['GET /', 'GET /users', 'GET /users/:id', 'GET /orders', 'POST /orders'],
  rules: [notFound('GET /favicon.ico')],
  unknownRoute: 'drop',
} satisfies HangupOptions;

/** The short body each route answers with, so every example serves the same site. */
export function pageFor(method: string, path: string, params: Record<string, string> = {}): string {
  if (path === '/') return 'home\n';
  if (path === '/users') return 'users\n';
  if (path.startsWith('/users/')) return `user ${params.id ?? path.slice('/users/'.length)}\n`;
  if (path === '/orders') return method === 'POST' ? 'order created\n' : 'orders\n';
  return 'ok\n';
}

/** The port every example listens on: `$PORT`, default 3000. */
export const port = Number(process.env.PORT ?? 3000);
