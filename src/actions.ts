import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { CloseMode } from './types.js';

/**
 * The two refusals, applied to Node's own request and response objects. Every adapter ends up
 * here, so the bytes on the wire are the same whatever framework is in front.
 */

/**
 * The fixed 404 is exactly what Node itself writes for an empty 404 (`res.statusCode = 404;
 * res.end()`) on the same connection: `Date`, then `Connection` (and `Keep-Alive` with the server's
 * timeout), then `Content-Length: 0` where Node writes one (not for HEAD, nor on an HTTP/1.0
 * connection it closes). So a scanner cannot tell it from any other minimal answer of the server.
 * No header a framework set (X-Powered-By, Server, ETag...) and no body. This pattern matches every
 * form of it, and nothing else.
 */
export const NOT_FOUND_PATTERN =
  /^HTTP\/1\.1 404 Not Found\r\nDate: (?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT\r\nConnection: (?:keep-alive\r\nKeep-Alive: timeout=\d+|close)\r\n(?:Content-Length: 0\r\n)?\r\n$/;

/** The fixed 404 written on a bare socket that is closed after it, as Node writes it with `Connection: close`. */
export function notFoundCloseBytes(): string {
  return `HTTP/1.1 404 Not Found\r\nDate: ${new Date().toUTCString()}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`;
}

/** Closes a socket with zero further bytes: FIN, or RST where the socket supports it. */
export function closeSocket(socket: Socket, mode: CloseMode): void {
  if (socket.destroyed) return;
  if (mode === 'reset') {
    // resetAndDestroy() throws on TLS sockets (nodejs/node#49484): reset the TCP socket beneath.
    const tcp = (socket as Socket & { _parent?: Socket })._parent ?? socket;
    if (typeof tcp.resetAndDestroy === 'function' && !tcp.destroyed) {
      try {
        tcp.resetAndDestroy();
        // The TLS socket on top closes with it. Destroying it in the same tick as well leaves its
        // parser in the HTTP server's connection list with a null socket (closeAllConnections()
        // then throws, Node 20-24): only clean up later, if it is still open.
        if (tcp !== socket) setImmediate(() => socket.destroyed || socket.destroy());
        return;
      } catch {
        // Fall through to a plain close: RST is best effort.
      }
    }
  }
  socket.destroy();
}

/**
 * Closes once everything already queued on the socket (earlier pipelined responses) is flushed,
 * writing nothing more. `end()` first, so any later write is refused rather than sent.
 */
export function closeAfterFlush(socket: Socket, mode: CloseMode): void {
  if (socket.destroyed) return;
  if (socket.writableLength === 0) {
    closeSocket(socket, mode);
    return;
  }
  endWithin(socket);
}

/**
 * How long a closing connection may take to flush what is already queued (earlier pipelined
 * responses, the fixed 404) before it is destroyed anyway: a client that stops reading must not
 * hold a socket that hangup is closing.
 */
export const FLUSH_LIMIT_MS = 5_000;

/** Ends the socket after `last` (if given) and what is queued, and destroys it once flushed or after `FLUSH_LIMIT_MS`. */
export function endWithin(socket: Socket, last?: string): void {
  if (socket.destroyed) return;
  const timer = setTimeout(() => socket.destroy(), FLUSH_LIMIT_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  socket.once('finish', () => socket.destroy());
  if (last === undefined) socket.end();
  else socket.end(last);
}

/** Whether any byte of this response may already be on the wire, so a drop would truncate it. */
export function responseStarted(res: ServerResponse): boolean {
  // HTTP/1: `_header` is the head once built (a string), null before. The HTTP/2 compat response
  // has a `_header` getter that returns `headersSent` (false before): not a head.
  const header = (res as ServerResponse & { _header?: unknown })._header;
  return res.headersSent || (header != null && header !== false);
}

/**
 * Drops the request: zero bytes of ours, then close. Pipeline-safe: when earlier responses on the
 * connection are still pending, waits for them to be flushed, then closes. Returns false (and does
 * nothing) when the response has already started, because closing then would truncate it.
 */
export function dropRequest(req: IncomingMessage, res: ServerResponse, mode: CloseMode): boolean {
  if (responseStarted(res)) return false;
  neuter(res);
  const socket = res.socket ?? null;
  if (socket !== null) {
    // This response is the one at the head of the connection: nothing earlier is pending.
    closeAfterFlush(socket, mode);
  } else {
    // An earlier response on this connection is still being written: Node assigns the socket to
    // this response once that one finishes. Close then, after the earlier bytes are flushed.
    res.once('socket', (s: Socket) => closeAfterFlush(s, mode));
  }
  req.socket?.on('error', noop);
  return true;
}

function noop(): void {}

/**
 * Makes every write method of a dropped response a no-op, so nothing the application or a
 * framework still does with it (a late `next()`, a listener that runs after ours) reaches the wire.
 */
function neuter(res: ServerResponse): void {
  const r = res as unknown as Record<string, unknown>;
  r.writeHead = () => res;
  r.write = () => false;
  r.end = () => res;
  r.writeContinue = noop;
  r.writeProcessing = noop;
  r.writeEarlyHints = noop;
  r.flushHeaders = noop;
}

/**
 * Answers with the fixed 404: headers a framework set before (X-Powered-By, ...) are cleared and
 * Node writes the rest itself, as for any empty 404 of the server (see `NOT_FOUND_PATTERN`). With
 * `close`, Node closes the connection after it. Falls back to a drop if the response has started.
 */
export function sendNotFound(req: IncomingMessage, res: ServerResponse, mode: CloseMode, close = false): boolean {
  if (responseStarted(res)) return dropRequest(req, res, mode);
  for (const name of res.getHeaderNames()) res.removeHeader(name);
  // removeHeader() of Connection, Content-Length or Transfer-Encoding also stops Node from writing
  // its own: undo that, so the answer is Node's ordinary one whatever a framework had set.
  const flags = res as ServerResponse & { _removedConnection?: boolean; _removedContLen?: boolean; _removedTE?: boolean };
  flags._removedConnection = false;
  flags._removedContLen = false;
  flags._removedTE = false;
  res.sendDate = true;
  res.statusCode = 404;
  res.statusMessage = 'Not Found';
  if (close) res.shouldKeepAlive = false;
  res.end();
  // Whatever still holds this response (a framework, a listener after ours) must not add to it.
  neuter(res);
  return true;
}
