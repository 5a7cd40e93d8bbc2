/**
 * hangup on HTTPS: the site policy of the other examples over TLS, served by node:http2's
 * createSecureServer({ allowHTTP1: true }), so HTTP/2 and HTTP/1.1 are chosen by ALPN.
 * Run: npx tsx examples/https.ts   (PORT=3000 by default), then
 *   curl -k --resolve localhost:3000:127.0.0.1 https://localhost:3000/
 *
 * The certificate under examples/tls/ is self-signed for localhost and 127.0.0.1, committed with its
 * private key: for local use only, never for a real site.
 *
 * Besides every request decision of the other examples, the TLS layer refuses before any TLS byte
 * (no ServerHello, no certificate, no alert): a server name other than localhost, plain HTTP or
 * anything that is not TLS on this port, a malformed, endless or slow ClientHello, and an ALPN list
 * without h2 or http/1.1. A ClientHello without a server name is served, because `hosts` lists
 * 127.0.0.1 (clients that connect by address send none).
 */
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';
import { hangup, type Decision } from 'hangup';
import { sitePolicy, pageFor, port, orderBody, orderBodyProblem, writePage } from './site-policy.js';

type Request = http2.Http2ServerRequest;
type Response = http2.Http2ServerResponse;

const guard = hangup(sitePolicy);

/** Reads an order's body by the site's rules: resolves with what is wrong with it, or null. */
function readOrder(req: Request): Promise<string | null> {
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
        JSON.parse(new TextDecoder().decode(Buffer.concat(chunks)));
        resolve(null);
      } catch {
        resolve('entity.parse.failed');
      }
    });
  });
}

function sendPage(req: Request, res: Response): void {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  writePage(res as never, req.method ?? 'GET', pageFor(req.method ?? 'GET', path));
}

const server = http2.createSecureServer(
  {
    key: readFileSync(new URL('./tls/localhost-key.pem', import.meta.url)),
    cert: readFileSync(new URL('./tls/localhost-cert.pem', import.meta.url)),
    allowHTTP1: true,
  },
  (req, res) => {
    if (req.method !== 'POST') {
      sendPage(req, res);
      return;
    }
    void readOrder(req).then((problem) => {
      if (problem === null) sendPage(req, res);
      else guard.apply({ action: 'drop', reason: `order:${problem}` } satisfies Decision, req as never, res as never, 'http');
    });
  },
);
// protect() reads each ClientHello before Node's TLS layer and decides every request before the handler.
guard.protect(server as never);

server.listen(port, '127.0.0.1', () => {
  console.log(`listening on https://127.0.0.1:${port}`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    process.exit(0);
  });
}
