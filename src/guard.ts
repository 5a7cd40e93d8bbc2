import http, { type IncomingMessage, type RequestListener, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import createDebug from 'debug';
import type { Decision, HangupOptions, RequestHead } from './types.js';
import { Policy } from './policy/policy.js';
import { closeAfterFlush, closeSocket, dropRequest, NOT_FOUND_CLOSE_BYTES, sendNotFound } from './actions.js';
import { isProtected, protectServer } from './server.js';
import { wrapListener } from './adapters/http.js';
import { decision } from './policy/decisions.js';

const log = createDebug('hangup:guard');

/** Where a request reached hangup; reported in logs and events. */
export type AdapterName = 'http' | 'express' | 'fastify' | 'server';

const DECISION = Symbol('hangup.decision');
type Tagged = IncomingMessage & { [DECISION]?: Decision };

/**
 * A compiled policy and the ways to apply it. Create one with `hangup(options)`; it is immutable
 * and can serve any number of servers and adapters.
 */
export class Guard {
  /** @internal */
  readonly policy: Policy;
  private warnedUnprotected = false;

  constructor(options?: HangupOptions) {
    this.policy = new Policy(options);
  }

  /** Decides what to do with a request. Pure, synchronous, never throws; see `Decision`. */
  decide(req: RequestHead): Decision {
    return this.policy.decide(req);
  }

  /**
   * Returns a `node:http` request listener that applies the policy before `listener`: allowed
   * requests reach it, the others are refused and never do. Pair it with `protect(server)`, or use
   * `guard.createServer()`, which does both.
   */
  wrap<Req extends IncomingMessage = IncomingMessage, Res extends ServerResponse = ServerResponse>(
    listener: (req: Req, res: Res) => void,
  ): (req: Req, res: Res) => void {
    return wrapListener(this, listener);
  }

  /**
   * Takes over every place where Node answers a request by itself (parse errors, header overflow,
   * timeouts, missing Host, Expect, CONNECT, Upgrade, maxRequestsPerSocket), so that a refused
   * request never receives a byte. Idempotent; the app's own listeners keep working.
   */
  protect<S extends Server>(server: S): S {
    protectServer(server, this);
    return server;
  }

  /** `http.createServer()` with the policy applied to `listener` and the server protected. */
  createServer(listener: RequestListener, options: ServerOptions = {}): Server {
    return this.protect(http.createServer(options, wrapListener(this, listener)));
  }

  /**
   * Decides and applies the decision to a request. Returns true when the request is allowed and
   * the caller should hand it on; false when hangup has answered or dropped it. For adapters.
   */
  handle(req: IncomingMessage, res: ServerResponse, adapter: AdapterName): boolean {
    this.warnIfUnprotected(req);
    const decided = this.decisionOf(req);
    if (decided.action === 'allow') return true;
    this.apply(decided, req, res, adapter);
    return false;
  }

  /**
   * For a request the framework's router did not match (fallback mode): applies the policy's
   * `unknownRoute` action (reason `route:unrouted`), or the request's own refusal if it has one.
   * Returns true when the action is `allow` and the framework's own not-found handling should go on.
   */
  handleUnrouted(req: IncomingMessage, res: ServerResponse, adapter: AdapterName): boolean {
    const first = this.decisionOf(req);
    const decided = first.action === 'allow' ? decision(this.policy.settings.unknownRoute, 'route:unrouted') : first;
    if (decided.action === 'allow') return true;
    this.apply(decided, req, res, adapter);
    return false;
  }

  /** Applies a refusal to a request that has a response object. */
  apply(decided: Decision, req: IncomingMessage, res: ServerResponse, adapter: AdapterName): void {
    if (decided.action === 'allow') return;
    if (log.enabled) log('%s %s: %s (%s) via %s', decided.action, decided.reason, decided.rule ?? '-', adapter);
    if (decided.action === 'notFound') sendNotFound(req, res, this.policy.settings.close);
    else dropRequest(req, res, this.policy.settings.close);
  }

  /** Applies a decision on a bare socket (CONNECT, Upgrade, parser errors): there is no response object. */
  applyToSocket(decided: Decision, socket: Socket, pendingResponse: boolean): void {
    if (decided.action === 'allow') return;
    if (log.enabled) log('%s %s: %s (socket)', decided.action, decided.reason, decided.rule ?? '-');
    if (decided.action === 'notFound' && !pendingResponse) {
      socket.end(NOT_FOUND_CLOSE_BYTES);
      socket.once('finish', () => socket.destroy());
    } else if (pendingResponse) {
      closeAfterFlush(socket, this.policy.settings.close);
    } else {
      closeSocket(socket, this.policy.settings.close);
    }
  }

  /** The decision cached on a request by an earlier step (checkContinue, then 'request'). */
  decisionOf(req: IncomingMessage): Decision {
    const tagged = req as Tagged;
    return tagged[DECISION] ?? (tagged[DECISION] = this.policy.decide(req));
  }

  private warnIfUnprotected(req: IncomingMessage): void {
    if (this.warnedUnprotected) return;
    const server = (req.socket as Socket & { server?: unknown } | null)?.server;
    if (server === undefined || isProtected(server as Server, this)) return;
    this.warnedUnprotected = true;
    process.emitWarning(
      'hangup: this server is not protected, so Node still answers parse errors (400), oversized headers (431), ' +
        'timeouts (408), a missing Host (400) and Expect (100/417) itself. Call guard.protect(server) ' +
        'or create it with guard.createServer().',
      { code: 'HANGUP_UNPROTECTED_SERVER' },
    );
  }
}
