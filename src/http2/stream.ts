import { constants, type ServerHttp2Stream } from 'node:http2';
import type { Wire } from '../types.js';

/**
 * The two refusals on an HTTP/2 stream. Only the stream is touched, never the connection: the
 * compat API's `req.socket` is a proxy whose `destroySoon()`/`resetAndDestroy()` act on the whole
 * TCP connection and would take every sibling stream with it, so the HTTP/1 socket helpers are
 * never used here.
 *
 * - drop: `RST_STREAM` with `PROTOCOL_ERROR` for that stream and nothing else (no HEADERS, no
 *   DATA), which is what nginx's `return 444` sends on HTTP/2. Never `REFUSED_STREAM` (clients
 *   retry it: curl sent the request 6 times) and never `NO_ERROR` (a clean end to the client).
 * - notFound: Node's own empty 404 on HTTP/2, one HEADERS frame with END_STREAM holding `:status
 *   404` and Node's `date`, exactly what `res.statusCode = 404; res.end()` or
 *   `stream.respond({ ':status': 404 }, { endStream: true })` writes for any other empty 404 of the
 *   server (see the README for why it keeps `date`).
 */

function noop(): void {}

/** Whether a byte of this stream's response may already be out (a refusal would then do nothing). */
export function streamStarted(stream: ServerHttp2Stream): boolean {
  return stream.headersSent;
}

/**
 * Refuses `stream`: the fixed 404 when `notFound`, else a drop. Returns what went on the wire;
 * `'none'` when the stream is already closed or its response has started (a 404 cannot follow
 * headers, and a reset would truncate an answer the app has begun).
 */
export function refuseStream(stream: ServerHttp2Stream, notFound: boolean): Wire {
  if (stream.destroyed || stream.closed || streamStarted(stream)) return 'none';
  // stream.close(code) re-emits ERR_HTTP2_STREAM_ERROR on the server stream for any code but
  // NO_ERROR and CANCEL; without a listener that kills the process (core API; compat has its own).
  stream.on('error', noop);
  if (notFound) {
    try {
      stream.respond({ ':status': 404 }, { endStream: true });
      return '404';
    } catch {
      // The session went away between the checks and here: nothing can be sent any more.
      return 'none';
    }
  }
  stream.close(constants.NGHTTP2_PROTOCOL_ERROR);
  return 'rst-stream';
}

/**
 * Makes every write method of the compat API's response a no-op once its stream is refused, so a
 * framework that still writes (Fastify after its own 404 was refused) adds nothing and throws nothing.
 */
export function neuterCompatResponse(res: object): void {
  const r = res as Record<string, unknown>;
  r.writeHead = () => res;
  r.write = () => false;
  r.end = () => res;
  r.writeContinue = noop;
  r.writeEarlyHints = noop;
  r.flushHeaders = noop;
  r.setHeader = () => res;
}
