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
import { hangup } from 'hangup';
import { sitePolicy, pageFor, port, readOrder, writePage } from './site-policy.js';

type Request = http2.Http2ServerRequest;
type Response = http2.Http2ServerResponse;

const guard = hangup(sitePolicy);

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
      else guard.refuse(req as never, res as never, `order:${problem}`);
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
