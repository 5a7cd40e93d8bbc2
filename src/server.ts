import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import createDebug from 'debug';
import type { Guard } from './guard.js';
import { HangupConfigError, show } from './errors.js';
import { decision } from './policy/decisions.js';
import { parserErrorReason } from './detectors/parser-errors.js';

const log = createDebug('hangup:protect');

const PROTECTED_BY = Symbol('hangup.protectedBy');
const CLOSING = Symbol('hangup.closing');
type ProtectedServer = Server & { [PROTECTED_BY]?: Guard; requireHostHeader?: boolean };
type ServerSocket = Socket & { [CLOSING]?: true; _httpMessage?: ServerResponse | null };

/** Whether `server` is protected by `guard`. */
export function isProtected(server: Server, guard: Guard): boolean {
  return (server as ProtectedServer)[PROTECTED_BY] === guard;
}

/** The reason a `clientError` is reported under: `parser:HPE_*`, `parser:timeout`, ... (see detectors/parser-errors.ts). */
export function clientErrorReason(error: unknown): string {
  return parserErrorReason(error);
}

/**
 * Installs hangup's server-level listeners. Each one replaces an answer Node would write itself
 * with the policy's decision, so a refused request gets zero bytes wherever it is refused.
 */
export function protectServer(server: Server, guard: Guard): void {
  if (typeof server !== 'object' || server === null || typeof (server as Server).prependListener !== 'function') {
    throw new HangupConfigError(
      'HANGUP_INVALID_SERVER',
      'protect(server)',
      `expected the http.Server (e.g. what app.listen() returns), got ${show(server)}.`,
    );
  }
  const target = server as ProtectedServer;
  if (target[PROTECTED_BY] === guard) return;
  if (target[PROTECTED_BY] !== undefined) {
    throw new HangupConfigError(
      'HANGUP_INVALID_SERVER',
      'protect(server)',
      'this server is already protected by another guard. Use one guard per server (combine the policies in one hangup() call).',
    );
  }
  target[PROTECTED_BY] = guard;

  // A missing Host on HTTP/1.1 is answered by Node with a 400 and no event at all. Let such
  // requests through to the request listener, where the hostHeader detector drops them.
  target.requireHostHeader = false;

  // Parse errors, header overflow and timeouts: Node writes 400/431/408 unless someone listens.
  target.prependListener('clientError', (error: Error, socket: Socket) => {
    onClientError(guard, error, socket as ServerSocket);
  });

  // Node writes `100 Continue` before 'request' unless someone listens for 'checkContinue'.
  target.prependListener('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const decided = guard.decisionOf(req);
    if (decided.action !== 'allow') return guard.apply(decided, req, res, 'server');
    if (target.listenerCount('checkContinue') > 1) return; // the app's own listener answers it
    res.writeContinue();
    target.emit('request', req, res);
  });

  // Any other Expect value: Node writes 417 unless someone listens for 'checkExpectation'.
  target.prependListener('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    const decided = guard.decisionOf(req);
    if (decided.action !== 'allow') return guard.apply(decided, req, res, 'server');
    if (target.listenerCount('checkExpectation') > 1) return;
    res.writeHead(417);
    res.end();
  });

  // maxRequestsPerSocket exceeded: Node writes 503 unless someone listens for 'dropRequest'.
  target.prependListener('dropRequest', (_req: IncomingMessage, socket: Socket) => {
    guard.applyToSocket(decision('drop', 'server:max-requests-per-socket'), socket, true);
  });

  // CONNECT and Upgrade only leave 'request' when the app listens for them; guard those listeners.
  const guardSocketEvent = (req: IncomingMessage, socket: Socket): void => {
    const decided = guard.decisionOf(req);
    if (decided.action !== 'allow') guard.applyToSocket(decided, socket, false);
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
  if (log.enabled) log('protected a server');
}

function onClientError(guard: Guard, error: Error, socket: ServerSocket): void {
  if (socket[CLOSING] === true || socket.destroyed) return;
  socket[CLOSING] = true;
  const decided = decision('drop', clientErrorReason(error));
  const pending = socket._httpMessage;
  if (pending != null && !pending.writableFinished) {
    // An earlier, allowed request on this connection is still being answered: let it finish,
    // and any pipelined responses after it, then close without a byte of ours.
    waitForResponses(socket, () => guard.applyToSocket(decided, socket, true));
    return;
  }
  guard.applyToSocket(decided, socket, socket.writableLength > 0);
}

/** Calls `done` once no response is in flight on `socket` any more. */
function waitForResponses(socket: ServerSocket, done: () => void): void {
  const current = socket._httpMessage;
  if (current == null || current.writableFinished || socket.destroyed) {
    done();
    return;
  }
  let settled = false;
  const next = (): void => {
    if (settled) return;
    settled = true;
    // Node assigns the socket to the next pipelined response in its own 'finish' listener.
    setImmediate(() => waitForResponses(socket, done));
  };
  current.once('finish', next);
  current.once('close', next);
}
