/**
 * The policy of the example site, shared by every example (node:http, Express, Fastify): two hosts,
 * five routes, a fixed 404 for the favicon, and a drop for everything else.
 */
import type { ServerResponse } from 'node:http';
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

/**
 * Writes a page with the header names as Fastify's `reply.send()` writes them (lower case), so the
 * three examples answer byte for byte alike (Express's `res.send()` would write `Content-Type`).
 */
export function writePage(res: ServerResponse, method: string, body: string): void {
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(method === 'HEAD' ? undefined : body);
}

/** The port every example listens on: `$PORT`, default 3000. */
export const port = Number(process.env.PORT ?? 3000);

/**
 * The body POST /orders accepts, the same on every example: JSON, an HTML form or plain text, in
 * UTF-8, without Content-Encoding, up to 100 kB (Express's default limit). The framework reads it
 * (Express's body parsers, Fastify's content-type parsers, a short reader on node:http); whatever
 * it cannot read is refused by the policy, with zero bytes, never answered with an error page.
 */
export const orderBody = {
  limit: 100 * 1024,
  types: ['application/json', 'application/x-www-form-urlencoded', 'text/plain'],
} as const;

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/**
 * What the site refuses about an order's body from its headers alone, or null. Each framework has
 * its own idea of these (Express decodes gzip and any charset iconv knows and ignores other media
 * types; Fastify ignores Content-Encoding and charsets and refuses other types), so every example
 * asks this first and the three answer alike.
 */
export function orderBodyProblem(headers: Headers): string | null {
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && String(encoding).trim().toLowerCase() !== 'identity') return 'encoding.unsupported';
  const hasBody = headers['transfer-encoding'] !== undefined || Number(headers['content-length'] ?? 0) > 0;
  const contentType = headers['content-type'];
  if (contentType === undefined) return hasBody ? 'media-type.unsupported' : null;
  const [type = '', ...params] = String(contentType).split(';').map((part) => part.trim().toLowerCase());
  if (!(orderBody.types as readonly string[]).includes(type)) return 'media-type.unsupported';
  for (const param of params) {
    const [name, value = ''] = param.split('=', 2).map((part) => part.trim());
    if (name === 'charset' && value.replace(/^"(.*)"$/, '$1') !== 'utf-8') return 'charset.unsupported';
  }
  if (type === 'application/json' && !hasBody) return 'json.empty';
  return null;
}

/** What reading an order needs of a request: node:http's IncomingMessage or node:http2's compat request. */
export interface OrderRequest {
  readonly headers: Headers;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'error' | 'end', listener: () => void): unknown;
  removeAllListeners(event: 'data'): unknown;
}

/**
 * Reads an order's body by the site's rules, on the servers that read bodies themselves (node:http,
 * node:http2): resolves with what is wrong with it, or null. Express and Fastify read it with their
 * parsers. `headers` are the ones the rules judge (HTTP/2 frames a body without Content-Length).
 */
export function readOrder(req: OrderRequest, headers: Headers = req.headers): Promise<string | null> {
  const problem = orderBodyProblem(headers);
  if (problem !== null) return Promise.resolve(problem);
  if (Number(headers['content-length'] ?? 0) > orderBody.limit) return Promise.resolve('entity.too.large');
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
      if (!String(headers['content-type']).toLowerCase().startsWith('application/json')) return resolve(null);
      try {
        JSON.parse(new TextDecoder().decode(Buffer.concat(chunks))); // TextDecoder drops a BOM, as the frameworks do
        resolve(null);
      } catch {
        resolve('entity.parse.failed');
      }
    });
  });
}

/** An order refused by the site: `status` 415 lets the adapters' framework-error option refuse it. */
export function orderBodyError(problem: string): Error & { status: number; statusCode: number; type: string } {
  return Object.assign(new Error(`order body refused: ${problem}`), { status: 415, statusCode: 415, type: `order.${problem}` });
}
