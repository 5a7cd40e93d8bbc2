import type { Socket } from 'node:net';
import type { Server as TlsServer } from 'node:tls';
import type { Guard } from '../guard.js';
import type { EventSource } from '../events.js';
import { decision } from '../policy/decisions.js';
import { log } from '../log.js';
import { MAX_CLIENT_HELLO_BYTES, readClientHello, type ClientHello, type ClientHelloRead } from './client-hello.js';

/**
 * The ClientHello gate of a protected TLS server (https, http2 secure, tls): every new TCP
 * connection is held until its ClientHello has arrived, and only then handed to Node's TLS layer,
 * with the bytes read so far put back. A connection refused here (a server name `hosts` does not
 * serve, no server name, no common ALPN protocol, not TLS at all, a malformed, endless or slow
 * ClientHello) is closed before Node's TLS layer has seen a byte of it, so the client receives
 * nothing: no ServerHello, no certificate, no alert.
 */

/** Bounds of the wait for a ClientHello. Mutable for tests only. */
export const clientHelloLimits = {
  /** A ClientHello not complete this long after the connection opened is refused. */
  timeoutMs: 10_000,
};

const GATED = Symbol('hangup.tlsGate');
type GatedServer = TlsServer & { [GATED]?: true; ALPNProtocols?: Buffer; ALPNCallback?: unknown };

/** Node's own 'connection' listener of a tls.Server (wrap.js `tlsConnectionListener`). */
type ConnectionListener = (this: TlsServer, socket: Socket) => void;

/**
 * Whether `server` is a TLS server hangup can gate: Node's `tlsConnectionListener` is among its
 * 'connection' listeners (https.Server, Http2SecureServer, tls.Server all have it).
 */
function nodeTlsListener(server: TlsServer): ConnectionListener | undefined {
  for (const listener of server.listeners('connection')) {
    if ((listener as { name?: string }).name === 'tlsConnectionListener') return listener as ConnectionListener;
  }
  return undefined;
}

/**
 * Takes over Node's TLS 'connection' listener of `server`, in its place among the listeners, so
 * that an accept-time check registered before it (bans) still runs first and a socket it destroyed
 * is skipped. Returns false (and changes nothing) when `server` is not a TLS server.
 */
export function installClientHelloGate(server: TlsServer, guard: Guard): boolean {
  const target = server as GatedServer;
  if (target[GATED] === true) return true;
  const nodeListener = nodeTlsListener(server);
  if (nodeListener === undefined) return false;
  target[GATED] = true;
  const listeners = server.listeners('connection') as ConnectionListener[];
  const gate = function hangupClientHelloGate(this: TlsServer, socket: Socket): void {
    holdUntilClientHello(target, guard, nodeListener, socket);
  };
  // Replace in place: remove every listener, put them back in order with the gate in Node's place.
  server.removeAllListeners('connection');
  for (const listener of listeners) server.on('connection', listener === nodeListener ? gate : listener);
  // https and http2 secure servers pass TLS errors on as 'clientError' (where protect() would see a
  // socket Node has usually destroyed already); a bare tls.Server passes them nowhere. Report each
  // one here, once: protect()'s 'clientError' listener skips a socket marked as reported.
  const forwards = server.listenerCount('tlsClientError') > 0;
  server.prependListener('tlsClientError', (error: Error, socket: Socket) => {
    if ((socket as TlsErrorSocket)[TLS_ERROR_REPORTED] === true) return;
    (socket as TlsErrorSocket)[TLS_ERROR_REPORTED] = true;
    const reason = tlsErrorReason(error);
    if (reason === undefined) {
      // The client reset or went away mid-handshake (a health check, a client that gives up): no
      // refusal of hangup's, nothing to report. Closed as Node closes it.
      if (!socket.destroyed) socket.destroy();
      return;
    }
    guard.applyToConnection(decision('drop', reason), socket, sourceOf(socket, null));
    // https and http2 secure servers close it on 'clientError' (protect()'s listener); a bare tls.Server here.
    if (!forwards && !socket.destroyed) socket.destroy();
  });
  return true;
}

const TLS_ERROR_REPORTED = Symbol('hangup.tlsErrorReported');
type TlsErrorSocket = Socket & { [TLS_ERROR_REPORTED]?: true };

/**
 * Whether a TLS error on `socket` was already reported by the gate's 'tlsClientError' listener:
 * protect()'s 'clientError' listener then only closes it (as Node would) and reports nothing.
 */
export function tlsErrorReported(socket: Socket): boolean {
  return (socket as TlsErrorSocket)[TLS_ERROR_REPORTED] === true;
}

/**
 * The reason a TLS error reaching 'tlsClientError' or 'clientError' is reported under:
 * `tls:handshake-error` for OpenSSL's errors (`ERR_SSL_*`), undefined for anything else (a
 * transport error such as the client's ECONNRESET: not reported by the gate).
 */
export function tlsErrorReason(error: unknown): string | undefined {
  const e = error as { code?: unknown; library?: unknown } | null;
  if (typeof e?.code === 'string' && e.code.startsWith('ERR_SSL_')) return 'tls:handshake-error';
  if (e?.library === 'SSL routines') return 'tls:handshake-error';
  return undefined;
}

/** What an event about a ClientHello carries: the server name as its host, the peer address. */
function sourceOf(socket: Socket, hello: ClientHello | null): EventSource {
  const remoteAddress = socket.remoteAddress;
  const host = hello?.serverName;
  return host == null ? { socket: { remoteAddress } } : { headers: { host }, socket: { remoteAddress } };
}

/** The last ALPN list read, by the Buffer it was read from (a server's list rarely changes). */
let alpnCache: { wire: Buffer; names: string[] } | null = null;

/** The protocols of a server's ALPN list in wire format, or null when it has none (or a callback decides). */
function serverAlpn(server: GatedServer): string[] | null {
  if (typeof server.ALPNCallback === 'function') return null;
  const wire = server.ALPNProtocols;
  if (!Buffer.isBuffer(wire) || wire.length === 0) return null;
  if (alpnCache?.wire === wire) return alpnCache.names;
  const names: string[] = [];
  for (let p = 0; p < wire.length; ) {
    const length = wire[p]!;
    names.push(wire.toString('latin1', p + 1, p + 1 + length));
    p += 1 + length;
  }
  alpnCache = { wire, names };
  return names;
}

const REASON_OF_NOT_TLS = {
  'plain-http': 'tls:plain-http',
  'http2-preface': 'tls:http2-preface',
  garbage: 'tls:not-tls',
} as const;

/** The reason a ClientHello (or what came instead) is refused, or undefined when it may go on. */
function refusalOf(server: GatedServer, guard: Guard, read: ClientHelloRead): string | undefined {
  switch (read.kind) {
    case 'incomplete':
      return undefined;
    case 'not-tls':
      return REASON_OF_NOT_TLS[read.what];
    case 'malformed':
      return 'tls:malformed-client-hello';
    case 'hello': {
      const name = guard.policy.serverNameRefusal(read.hello.serverName);
      if (name !== undefined) return name;
      const offered = read.hello.alpn;
      if (offered === null) return undefined;
      const served = serverAlpn(server);
      if (served === null || offered.some((protocol) => served.includes(protocol))) return undefined;
      return 'tls:alpn-mismatch';
    }
  }
}

/**
 * Reads `socket` until its ClientHello is complete (or the limits are hit), then refuses it with
 * zero bytes or hands it to Node's TLS listener with the bytes put back. Never throws.
 */
function holdUntilClientHello(server: GatedServer, guard: Guard, nodeListener: ConnectionListener, socket: Socket): void {
  if (socket.destroyed) return; // refused by an earlier 'connection' listener (bans)
  const chunks: Buffer[] = [];
  let size = 0;
  let done = false;
  const cleanup = (): void => {
    done = true;
    clearTimeout(timer);
    socket.removeListener('data', onData);
    socket.removeListener('end', onEnd);
    socket.removeListener('close', onEnd);
    socket.removeListener('error', onError);
  };
  const refuse = (reason: string, hello: ClientHello | null, rule?: string): void => {
    const decided = decision('drop', reason, rule);
    guard.applyToConnection(decided, socket, sourceOf(socket, hello));
  };
  const handBack = (buffered: Buffer): void => {
    socket.pause();
    if (buffered.length > 0) socket.unshift(buffered);
    try {
      nodeListener.call(server, socket);
    } catch (error) {
      log.protect('TLS connection listener threw: %s', String(error));
      if (!socket.destroyed) socket.destroy();
    }
  };
  const decide = (read: ClientHelloRead, buffered: Buffer): void => {
    cleanup();
    const reason = refusalOf(server, guard, read);
    if (reason !== undefined) {
      const hello = read.kind === 'hello' ? read.hello : null;
      const rule = reason === 'tls:alpn-mismatch' && hello?.alpn != null ? `offered ${hello.alpn.join(',').slice(0, 120)}` : undefined;
      refuse(reason, hello, rule);
      // Report mode: the refusal is only reported and the handshake goes on as without hangup.
      if (guard.mode === 'enforce' || socket.destroyed) return;
    }
    handBack(buffered);
  };
  const onData = (chunk: Buffer): void => {
    if (done) return;
    chunks.push(chunk);
    size += chunk.length;
    const buffered = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
    if (chunks.length > 1) chunks.splice(0, chunks.length, buffered);
    const read = readClientHello(buffered);
    if (read.kind === 'incomplete') {
      if (size > MAX_CLIENT_HELLO_BYTES) decide({ kind: 'malformed', why: 'too large' }, buffered);
      return;
    }
    decide(read, buffered);
  };
  const onEnd = (): void => {
    if (done) return;
    cleanup();
    // The client gave up before its ClientHello was complete; a bare connect-and-close is no refusal.
    if (size > 0) refuse('tls:malformed-client-hello', null);
    if (!socket.destroyed) socket.destroy();
  };
  const onError = (): void => {
    if (done) return;
    cleanup();
    if (!socket.destroyed) socket.destroy();
  };
  const onTimeout = (): void => {
    if (done) return;
    cleanup();
    refuse('tls:client-hello-timeout', null);
    if (guard.mode === 'enforce' || socket.destroyed) {
      if (!socket.destroyed) socket.destroy();
      return;
    }
    handBack(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
  };
  const timer = setTimeout(onTimeout, clientHelloLimits.timeoutMs);
  timer.unref();
  socket.on('data', onData);
  socket.on('end', onEnd);
  socket.on('close', onEnd);
  socket.on('error', onError);
}
