import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import diagnostics from 'node:diagnostics_channel';
import type { AdapterName, Guard } from './guard.js';
import { HangupConfigError, show } from './errors.js';
import { FLUSH_LIMIT_MS, responseStarted } from './actions.js';
import { decision } from './policy/decisions.js';
import { parserErrorReason } from './detectors/parser-errors.js';
import { log } from './log.js';
import { sourceOfRawPacket, type EventSource } from './events.js';
import { installBanGate } from './bans/gate.js';
import type { Server as TlsServer } from 'node:tls';
import { installClientHelloGate, tlsErrorReason, tlsErrorReported } from './tls/sni-gate.js';
import { isHttp2Server, protectHttp2Server } from './http2/server.js';

const PROTECTED_BY = Symbol('hangup.protectedBy');
const DECIDED_AS = Symbol('hangup.decidedAs');
const CLOSING = Symbol('hangup.closing');
type ProtectedServer = Server & { [PROTECTED_BY]?: Guard; [DECIDED_AS]?: AdapterName; requireHostHeader?: boolean };
type ServerSocket = Socket & {
  [CLOSING]?: true;
  _httpMessage?: ServerResponse | null;
  /** Node's HTTP parser for this connection; `incoming` is the last request it started. */
  parser?: { incoming?: IncomingMessage | null } | null;
};

/** Whether `server` is protected by `guard`. */
export function isProtected(server: Server, guard: Guard): boolean {
  return (server as ProtectedServer)[PROTECTED_BY] === guard;
}

/** The reason a `clientError` is reported under: `parser:HPE_*`, `parser:timeout`, ... (see detectors/parser-errors.ts). */
export function clientErrorReason(error: unknown): string {
  return tlsErrorReason(error) ?? parserErrorReason(error);
}

/**
 * Installs hangup's server-level decision and listeners. Every request is decided before any
 * 'request' listener of the app runs, so `protect(server)` alone protects any framework on
 * node:http (Koa, Hono, Express or Fastify in any order); and each listener replaces an answer Node
 * would write itself with the policy's decision, so a refused request gets zero bytes wherever it
 * is refused. `adapter` names who protected the server in reports (`'express'` for `h.listen()`...).
 */
export function protectServer(server: Server, guard: Guard, adapter: AdapterName = 'server'): void {
  if (typeof server !== 'object' || server === null || typeof (server as Server).prependListener !== 'function') {
    throw new HangupConfigError(
      'HANGUP_INVALID_SERVER',
      'protect(server)',
      `expected the http.Server (e.g. what app.listen() returns), got ${show(server)}.`,
    );
  }
  const target = server as ProtectedServer;
  if (target[PROTECTED_BY] === guard) {
    // Protected again by an adapter (the Fastify plugin after protect()): report under its name.
    if (adapter !== 'server') target[DECIDED_AS] = adapter;
    return;
  }
  if (target[PROTECTED_BY] !== undefined) {
    throw new HangupConfigError(
      'HANGUP_INVALID_SERVER',
      'protect(server)',
      'this server is already protected by another guard. Use one guard per server (combine the policies in one hangup() call).',
    );
  }
  target[PROTECTED_BY] = guard;
  target[DECIDED_AS] = adapter;
  const report = guard.mode === 'report';
  decideBeforeListeners(target, guard);
  // HTTP/2 servers: every stream is decided before any 'stream' listener and Node's compat layer.
  if (isHttp2Server(target)) protectHttp2Server(target, guard);
  // TLS servers (https, http2 secure, tls): the ClientHello is decided before Node's TLS layer.
  installClientHelloGate(target as unknown as TlsServer, guard);

  if (report) {
    // Report mode keeps Node's own 400 for a missing Host; it is only observed, before Node answers.
    reportMissingHost(target, guard);
  } else if (guard.policy.refusesMissingHost) {
    // A missing Host on HTTP/1.1 is answered by Node with a 400 and no event at all. Let such
    // requests through to the server-level decision, which drops them. A policy that would let
    // them through (hostHeader off, no hosts) keeps Node's 400: never laxer than Node.
    target.requireHostHeader = false;
  }

  // Parse errors, header overflow and timeouts: Node writes 400/431/408 unless someone listens.
  target.prependListener('clientError', (error: Error, socket: Socket) => {
    if (tlsErrorReported(socket)) {
      // Reported at 'tlsClientError' (tls/sni-gate.ts). Closed as Node closes it without a listener.
      if (!socket.destroyed && target.listenerCount('clientError') === 1) socket.destroy();
      return;
    }
    if (report) reportClientError(target, guard, error, socket as ServerSocket);
    else onClientError(target, guard, error, socket as ServerSocket);
  });

  // Node writes `100 Continue` before 'request' unless someone listens for 'checkContinue'.
  target.prependListener('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (guard.apply(guard.decisionOf(req), req, res, 'server')) return;
    if (target.listenerCount('checkContinue') > 1) return; // the app's own listener answers it
    res.writeContinue();
    target.emit('request', req, res);
  });

  // Any other Expect value: Node writes 417 unless someone listens for 'checkExpectation'.
  target.prependListener('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    if (guard.apply(guard.decisionOf(req), req, res, 'server')) return;
    if (target.listenerCount('checkExpectation') > 1) return;
    res.writeHead(417);
    res.end();
  });

  // maxRequestsPerSocket exceeded: Node writes 503 right after 'dropRequest' (kept in report mode).
  target.prependListener('dropRequest', (req: IncomingMessage, socket: Socket) => {
    guard.applyToSocket(decision('drop', 'server:max-requests-per-socket'), socket, true, req);
  });

  // CONNECT and Upgrade only leave 'request' when the app listens for them; guard those listeners.
  const guardSocketEvent = (req: IncomingMessage, socket: Socket): void => {
    guard.applyToSocket(guard.decisionOf(req), socket, false, req);
  };
  const guarded = new Set<string>();
  const ensureGuarded = (event: string): void => {
    if (guarded.has(event)) return;
    guarded.add(event);
    target.prependListener(event, guardSocketEvent);
  };
  for (const event of ['connect', 'upgrade']) if (target.listenerCount(event) > 0) ensureGuarded(event);
  target.on('newListener', (event: string | symbol, listener: unknown) => {
    if ((event === 'connect' || event === 'upgrade') && listener !== guardSocketEvent) ensureGuarded(event);
  });
  // Bans: last installed, so it runs first, before every 'connection' listener (parser, TLS).
  if (guard.banEngine !== null) installBanGate(target, guard.banEngine);
  if (log.protect.enabled) {
    log.protect(
      'protected a server%s',
      report ? ' in report mode: Node keeps its own 400/408/431 answers, hangup only reports' : '',
    );
  }
}

/**
 * Makes the server decide each request before emitting 'request' to any listener: a refused
 * request is answered or dropped here and no listener of the app ever sees it, whatever was
 * registered first. Done on the server's own `emit`, because a listener cannot stop the listeners
 * after it. The decision is kept on the request, so `wrap()` and the adapters reuse it (one
 * decision, one report per request).
 */
function decideBeforeListeners(server: ProtectedServer, guard: Guard): void {
  const emit = server.emit;
  server.emit = function hangupEmit(this: ProtectedServer, event: string | symbol, req?: unknown, res?: unknown): boolean {
    if (event === 'request') {
      if (guard.applyBeforeListeners(req as IncomingMessage, res as ServerResponse, this[DECIDED_AS] ?? 'server')) {
        return true;
      }
      // Node emits 'request' with exactly (req, res): named, without the `arguments` object.
      return (emit as (this: Server, event: string, req: unknown, res: unknown) => boolean).call(this, event, req, res);
    }
    // eslint-disable-next-line prefer-rest-params -- passes every argument on as given, without copying them
    return Reflect.apply(emit, this, arguments) as boolean;
  };
}

/** What is known of the request behind a parse error, for its report. */
function sourceOf(error: Error, socket: Socket): EventSource {
  return sourceOfRawPacket((error as Error & { rawPacket?: unknown }).rawPacket, socket.remoteAddress);
}

/** Node's own answer to a request it could not parse, byte for byte as `socketOnError` writes it. */
function nodeAnswerFor(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  const status =
    code === 'HPE_HEADER_OVERFLOW' ? 431 : code === 'HPE_CHUNK_EXTENSIONS_OVERFLOW' ? 413 : code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  return `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\n\r\n`;
}

/**
 * Report mode: the parse error is reported, and then, unless the app listens for 'clientError'
 * itself, answered exactly as Node would have without any listener.
 */
function reportClientError(server: Server, guard: Guard, error: Error, socket: ServerSocket): void {
  if (socket[CLOSING] === true) return;
  socket[CLOSING] = true;
  guard.applyToSocket(decision('drop', clientErrorReason(error)), socket, false, sourceOf(error, socket));
  if (server.listenerCount('clientError') > 1 || socket.destroyed) return;
  const pending = socket._httpMessage as (ServerResponse & { _headerSent?: boolean }) | null | undefined;
  if (socket.writable && (pending == null || pending._headerSent !== true)) socket.write(nodeAnswerFor(error));
  socket.destroy(error);
}

/**
 * Report mode: Node answers an HTTP/1.1 request without Host with a 400 before any event, so it is
 * observed on the `http.server.request.start` channel, which Node publishes just before that check.
 */
function reportMissingHost(server: ProtectedServer, guard: Guard): void {
  const onStart = (message: unknown): void => {
    const { request, response, server: origin } = message as { request: IncomingMessage; response: ServerResponse; server: unknown };
    if (origin !== server || server.requireHostHeader === false) return;
    if (request.httpVersion !== '1.1' || request.headers.host !== undefined) return;
    guard.apply(guard.decisionOf(request), request, response, 'server');
  };
  diagnostics.subscribe('http.server.request.start', onStart);
  server.once('close', () => diagnostics.unsubscribe('http.server.request.start', onStart));
}

/**
 * A parse error, an EOF or a timeout on a protected server: the connection is dropped with zero
 * bytes of ours, as Node would close it minus its 400/408/431. Responses that must still go out
 * first are waited for, but never without a bound, so no socket is ever left without an end:
 *
 * - the error cut a request short in the middle of its body (EOF, a malformed chunk, the request
 *   timeout): its handler is waiting for a body that will never come, so its response may never
 *   finish. Responses the app has already ended are flushed, then the connection is closed.
 * - the error is in a later pipelined request's head: the earlier, complete requests are answered
 *   first, for at most the server's `requestTimeout` (300 s unless set), then the connection is closed.
 */
function onClientError(server: Server, guard: Guard, error: Error, socket: ServerSocket): void {
  if (socket[CLOSING] === true || socket.destroyed) return;
  socket[CLOSING] = true;
  const decided = decision('drop', clientErrorReason(error));
  const source = sourceOf(error, socket);
  const drop = (): void => {
    const inFlight = socket._httpMessage;
    guard.applyToSocket(decided, socket, socket.writableLength > 0 || (inFlight != null && responseStarted(inFlight)), source);
  };
  if (requestCutShort(socket)) {
    waitForResponses(socket, { endedOnly: true, limitMs: FLUSH_LIMIT_MS }, drop);
    return;
  }
  const limit = server.requestTimeout > 0 ? server.requestTimeout : DEFAULT_RESPONSE_WAIT_MS;
  waitForResponses(socket, { endedOnly: false, limitMs: limit }, drop);
}

/** How long earlier pipelined responses are waited for when the server has no `requestTimeout`. */
const DEFAULT_RESPONSE_WAIT_MS = 300_000;

/** Whether the request being parsed on `socket` has its head but not all of its body. */
function requestCutShort(socket: ServerSocket): boolean {
  const incoming = socket.parser?.incoming;
  return incoming != null && !incoming.complete;
}

interface ResponseWait {
  /** Wait only for responses the app has already ended (they only need flushing); stop at the first one it has not. */
  readonly endedOnly: boolean;
  /** Stop waiting after this long, whatever is still in flight. */
  readonly limitMs: number;
}

/**
 * Calls `done` once no response is in flight on `socket` any more (Node hands the socket to the
 * next pipelined response after each one finishes), or when the wait must stop: the socket is
 * gone, a response the app has not ended is reached with `endedOnly`, or `limitMs` has passed.
 */
function waitForResponses(socket: ServerSocket, wait: ResponseWait, done: () => void): void {
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    done();
  };
  const timer = setTimeout(finish, wait.limitMs);
  timer.unref();
  const step = (): void => {
    const current = socket._httpMessage;
    if (finished) return;
    if (current == null || socket.destroyed || current.writableFinished || (wait.endedOnly && !current.writableEnded)) {
      finish();
      return;
    }
    let moved = false;
    const next = (): void => {
      if (moved) return;
      moved = true;
      // Node assigns the socket to the next pipelined response in its own 'finish' listener.
      setImmediate(step);
    };
    current.once('finish', next);
    current.once('close', next);
  };
  step();
}
