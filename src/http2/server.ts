import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { Socket } from 'node:net';
import type { Guard } from '../guard.js';
import { decision } from '../policy/decisions.js';
import { streamHead } from './head.js';

/**
 * The HTTP/2 side of `protect(server)` for `http2.createServer()` and `http2.createSecureServer()`.
 * Every stream is decided on the server's own `emit('stream')`, before any listener: a refused
 * stream reaches neither the app's `'stream'` listener (core API) nor Node's compat layer, so
 * nothing emits `'request'`, `'checkContinue'`, `'checkExpectation'` or `'connect'` for it and
 * Node's own `:status 100`, 417 and 405 never go out for it. An allowed stream goes on as without
 * hangup (an allowed `Expect: 100-continue` gets its 100 from Node).
 *
 * HTTP/1.1 connections of an `allowHTTP1` server are Node's HTTP/1 server code running on this
 * server object: they keep every HTTP/1 listener `protectServer()` installs.
 */

const HTTP2_PROTECTED = Symbol('hangup.http2Protected');
type Http2ServerLike = {
  emit: (event: string | symbol, ...args: unknown[]) => boolean;
  [HTTP2_PROTECTED]?: true;
};

/** Whether `server` is an `Http2Server` or `Http2SecureServer` (both have `updateSettings`; node:http servers do not). */
export function isHttp2Server(server: object): boolean {
  return typeof (server as { updateSettings?: unknown }).updateSettings === 'function';
}

/** Installs the stream-level decision and the `'unknownProtocol'` takeover on an HTTP/2 server. */
export function protectHttp2Server(server: object, guard: Guard): void {
  const target = server as Http2ServerLike;
  if (target[HTTP2_PROTECTED] === true) return;
  target[HTTP2_PROTECTED] = true;
  const report = guard.mode === 'report';
  const emit = target.emit;
  target.emit = function hangupHttp2Emit(this: Http2ServerLike, event: string | symbol, a?: unknown, b?: unknown, c?: unknown, d?: unknown): boolean {
    if (event === 'stream') {
      const head = streamHead(a as ServerHttp2Stream, b as IncomingHttpHeaders, d as readonly string[] | undefined);
      if (guard.applyToStream(guard.decideStream(head), head)) return true;
      // Node emits 'stream' with (stream, headers, flags, rawHeaders): named, without `arguments`.
      return emit.call(this, event, a, b, c, d);
    } else if (event === 'unknownProtocol') {
      // A TLS client that negotiated no ALPN: Node answers an HTTP/1.0 403 naming the server's
      // protocol, unless a listener takes the socket. Enforced, it is closed with zero bytes.
      const socket = a as Socket;
      guard.applyToSocket(UNKNOWN_PROTOCOL, socket, false, { socket }, 'http2');
      if (!report) return true;
    }
    // eslint-disable-next-line prefer-rest-params -- passes every argument on as given
    return Reflect.apply(emit, this, arguments) as boolean;
  };
}

const UNKNOWN_PROTOCOL = decision('drop', 'http2:unknown-protocol');
