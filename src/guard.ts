import http, { type IncomingMessage, type RequestListener, type Server, type ServerOptions, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type {
  Decision,
  EnforcementMode,
  ExplainOptions,
  Explanation,
  GuardStats,
  HangupOptions,
  RequestHead,
  Wire,
} from './types.js';
import { Policy } from './policy/policy.js';
import { closeAfterFlush, closeSocket, dropRequest, endWithin, notFoundCloseBytes, responseStarted, sendNotFound } from './actions.js';
import { log } from './log.js';
import { buildEvent, EventSink, logEvent, type EventSource } from './events.js';
import { DecisionCounters } from './stats.js';
import { compileProxyMode, type ProxyMode } from './proxy.js';
import { because, explainRequest, type ExplainContext } from './explain.js';
import { FirstRefusalHints } from './first-refusal.js';
import { isProtected, protectServer } from './server.js';
import { HOST_NOT_SERVER_NAME, hostIsNotServerName, streamSocket } from './tls/host-match.js';
import { wrapListener } from './adapters/http.js';
import type { ServerHttp2Session } from 'node:http2';
import { http2HeadOf, type Http2Head } from './http2/head.js';
import { neuterCompatResponse, refuseStream } from './http2/stream.js';
import { countRefusedStream, DEFAULT_MAX_REFUSED_STREAMS } from './http2/session.js';
import { decision } from './policy/decisions.js';
import { show } from './errors.js';
import { appliedDecision, ensureState } from './request-state.js';
import { Bans } from './bans/bans.js';
import { compileBanOptions } from './bans/options.js';
import type { BanControl } from './bans/types.js';

const HOST_AUTHORITY_MISMATCH = decision('drop', 'host:authority-mismatch');

/** Where a request reached hangup; reported in logs and events. */
export type AdapterName = 'http' | 'express' | 'fastify' | 'server' | 'http2';


/**
 * A compiled policy and the ways to apply it. Create one with `hangup(options)`; it is immutable
 * and can serve any number of servers and adapters.
 */
export class Guard {
  /** @internal */
  readonly policy: Policy;
  /** `'report'`: every decision is reported and none is enforced. */
  readonly mode: EnforcementMode;
  /** @internal Refused streams one HTTP/2 connection may send before it is closed. */
  readonly maxRefusedStreams: number;
  private readonly proxy: ProxyMode | null;
  private readonly events: EventSink | null;
  private readonly counters = new DecisionCounters();
  private readonly hints: FirstRefusalHints | null;
  private readonly collectReportOnly: boolean;
  /** `hostMustMatchServerName`: see tls/host-match.ts. */
  private readonly hostMustMatchServerName: boolean;
  private warnedUnprotected = false;
  /** @internal The ban engine, or null when the `ban` option is off. */
  readonly banEngine: Bans | null;

  constructor(options?: HangupOptions) {
    this.policy = new Policy(options);
    this.maxRefusedStreams = options?.maxRefusedStreams ?? DEFAULT_MAX_REFUSED_STREAMS;
    this.mode = options?.mode ?? 'enforce';
    this.proxy = compileProxyMode(options?.behindProxy, options?.trustedProxies);
    this.events = options?.onDecision === undefined ? null : new EventSink(options.onDecision, options.events ?? 'all');
    this.collectReportOnly = this.policy.hasReportOnlyRules;
    this.hostMustMatchServerName = options?.hostMustMatchServerName === true;
    const banConfig = compileBanOptions(options?.ban, this.mode);
    this.banEngine = banConfig === null ? null : new Bans(banConfig, { everyone: options?.behindProxy === true, isProxied: (a) => this.isProxied(a) });
    this.hints = FirstRefusalHints.create(options?.hints);
    if (log.config.enabled) {
      log.config(
        'mode %s; %s',
        this.mode === 'report' ? "report (nothing is refused, every decision is reported)" : 'enforce',
        this.proxy === null
          ? 'drops are silent closes (no proxy mode)'
          : `proxy mode, ${this.proxy.description}: they get the fixed 404 with Connection: close instead of a drop`,
      );
    }
  }

  /** Counts of decisions per action and reason since the guard was created. Cheap; call it as often as needed. */
  stats(): GuardStats {
    const snapshot = this.counters.snapshot();
    return this.banEngine === null ? snapshot : { ...snapshot, bans: this.banEngine.stats() };
  }

  /** List, make, lift and check bans (the `ban` option); null when bans are off. */
  get bans(): BanControl | null {
    return this.banEngine;
  }

  /**
   * Says what the policy does with a request given as a line (`'GET /wp-login.php'`), and why, in
   * words. No socket is involved; for trying a policy and for the `hangup explain` command.
   */
  explain(request: string, options: ExplainOptions = {}): Explanation {
    return explainRequest(this.explainContext(), request, options);
  }

  private explainContext(): ExplainContext {
    return { policy: this.policy, mode: this.mode, proxy: this.proxy, close: this.policy.settings.close };
  }

  /** @internal Whether a drop for a connection from `remoteAddress` becomes the fixed 404 (proxy-aware mode). */
  isProxied(remoteAddress: string | undefined): boolean {
    return this.proxy !== null && this.proxy.isProxied(remoteAddress);
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
   * Applies the policy to every request of `server` before any of its 'request' listeners runs,
   * and takes over every place where Node answers a request by itself (parse errors, header
   * overflow, timeouts, missing Host, Expect, CONNECT, Upgrade, maxRequestsPerSocket), so that a
   * refused request never reaches the app and never receives a byte. All that any framework on
   * node:http needs (Koa, Hono...). Idempotent; the app's own listeners keep working.
   */
  protect<S extends Server>(server: S): S {
    protectServer(server, this);
    return server;
  }

  /**
   * Refuses a request the app itself decided to refuse after hangup allowed it (a body it will not
   * read, say), exactly as hangup refuses: `'drop'` (default) writes zero bytes and closes, on
   * HTTP/2 resets the stream; `'notFound'` answers the fixed 404. It is counted and reported like
   * any refusal, under `reason` (e.g. `'order:bad-body'`). Returns false, and does nothing on the
   * wire, when the response has already started or in report mode.
   */
  refuse(req: IncomingMessage, res: ServerResponse, reason: string, action: 'drop' | 'notFound' = 'drop'): boolean {
    if (typeof reason !== 'string' || reason === '' || (action !== 'drop' && action !== 'notFound')) {
      throw new TypeError(`hangup: refuse(req, res, reason, action): expected a non-empty reason and 'drop' or 'notFound', got ${show(reason)} and ${show(action)}.`);
    }
    if (responseStarted(res)) return false;
    return this.apply(decision(action, reason), req, res, 'http');
  }

  /** `http.createServer()` with the policy applied to `listener` and the server protected. */
  createServer(listener: RequestListener, options: ServerOptions = {}): Server {
    if (typeof listener !== 'function') {
      throw new TypeError(`hangup: createServer(listener): expected a request listener function, got ${typeof listener}.`);
    }
    // protect() decides every request before any 'request' listener runs, so the listener needs
    // no wrapper of its own (one call and one decision lookup fewer per request).
    const server = http.createServer(options, listener);
    protectServer(server, this, 'http');
    return server;
  }

  /**
   * Decides and applies the decision to a request. Returns true when the request is allowed and
   * the caller should hand it on; false when hangup has answered or dropped it. For adapters.
   * @internal For adapters and transports; not part of the public API.
   */
  handle(req: IncomingMessage, res: ServerResponse, adapter: AdapterName): boolean {
    const applied = appliedDecision(req);
    if (applied !== undefined) {
      // Already decided and applied by protect() before any listener ran (the usual case): a
      // refusal never reaches a listener, so this one is allowed, or refused in report mode only.
      return applied.action === 'allow' || this.mode !== 'enforce';
    }
    this.warnIfUnprotected(req);
    return !this.apply(this.decisionOf(req), req, res, adapter);
  }

  /**
   * For a request the framework's router did not match (fallback mode): applies the policy's
   * `unknownRoute` action (reason `route:unrouted`), or the request's own refusal if it has one.
   * Returns true when the action is `allow` and the framework's own not-found handling should go on.
   * @internal For adapters and transports; not part of the public API.
   */
  handleUnrouted(req: IncomingMessage, res: ServerResponse, adapter: AdapterName): boolean {
    const first = this.decisionOf(req);
    const decided = first.action === 'allow' ? decision(this.policy.settings.unknownRoute, 'route:unrouted') : first;
    if (decided.action === 'allow') return true;
    return !this.apply(decided, req, res, adapter);
  }

  /**
   * @internal The decision for an HTTP/2 stream, kept with its head (one per stream, shared by the
   * core API's stream and the compat API's request). A `host` header naming another site than
   * `:authority` is malformed (RFC 9113 §8.3.1) and always dropped.
   */
  decideStream(head: Http2Head): Decision {
    const state = ensureState(head);
    if (state.decision !== undefined) return state.decision;
    const banned = this.banEngine === null ? undefined : this.banEngine.decisionFor(head);
    if (banned !== undefined) return (state.decision = banned);
    if (head.hostMismatch) return (state.decision = HOST_AUTHORITY_MISMATCH);
    state.decision = this.collectReportOnly
      ? this.policy.decide(head, (matched) => (state.reportOnly ??= []).push(matched))
      : this.policy.decide(head);
    if (this.hostMustMatchServerName && state.decision.action === 'allow' && hostIsNotServerName(streamSocket(head.stream), head.authority ?? head.headers.host)) {
      state.decision = HOST_NOT_SERVER_NAME;
    }
    return state.decision;
  }

  /**
   * @internal Applies a decision to an HTTP/2 stream and reports it (adapter `'http2'`): a drop is
   * `RST_STREAM(PROTOCOL_ERROR)` on that stream only, notFound Node's empty HTTP/2 404. A session
   * with more than `maxRefusedStreams` refused streams is closed. `res`, the compat API's
   * response, is made inert once refused. Returns true when hangup refused the stream.
   */
  applyToStream(decided: Decision, head: Http2Head, res?: object): boolean {
    const refuse = decided.action !== 'allow' && this.mode === 'enforce';
    let wire: Wire = 'none';
    if (refuse) {
      const stream = head.stream;
      const notFound = decided.action === 'notFound' || this.isProxied(head.socket.remoteAddress);
      wire = refuseStream(stream, notFound);
      if (res !== undefined && wire !== 'none') neuterCompatResponse(res);
      if (wire !== 'none') countRefusedStream(stream.session as ServerHttp2Session | undefined, this.maxRefusedStreams);
    }
    this.record(decided, wire, head, 'http2');
    return refuse;
  }

  /**
   * protect()'s step before any 'request' listener: decides the request (once) and applies the
   * decision. An HTTP/2 compat request whose stream was decided and applied at 'stream' is only
   * looked up. Returns true when hangup refused it.
   * @internal For transports; not part of the public API.
   */
  applyBeforeListeners(req: IncomingMessage, res: ServerResponse, adapter: AdapterName): boolean {
    const head = http2HeadOf(req);
    if (head === undefined) return this.apply(this.decisionOf(req), req, res, adapter);
    const applied = appliedDecision(head);
    if (applied !== undefined) {
      // Decided and applied at 'stream': a refused stream never gets this far in enforce mode.
      return applied.action !== 'allow' && this.mode === 'enforce';
    }
    return this.applyToStream(this.decideStream(head), head, res);
  }

  /**
   * Applies a decision to a request that has a response object, and reports it (counters, events,
   * logs): every adapter comes through here or `applyToSocket`. Returns true when hangup refused
   * the request (answered or dropped it); false when it is allowed, or refused in report mode only.
   * @internal For adapters and transports; not part of the public API.
   */
  apply(decided: Decision, req: IncomingMessage, res: ServerResponse, adapter: AdapterName): boolean {
    const head = http2HeadOf(req);
    if (head !== undefined) return this.applyToStream(decided, head, res);
    const refuse = decided.action !== 'allow' && this.mode === 'enforce';
    const wire = refuse ? this.enforceRefusal(decided, req, res) : 'none';
    this.record(decided, wire, req, adapter);
    return refuse;
  }

  private enforceRefusal(decided: Decision, req: IncomingMessage, res: ServerResponse): Wire {
    const close = this.policy.settings.close;
    // Closing a started response would truncate it, and a 404 cannot follow it: both do nothing.
    if (responseStarted(res)) return 'none';
    const proxied = decided.action === 'drop' && this.isProxied(req.socket?.remoteAddress);
    if (decided.action === 'notFound' || proxied) {
      sendNotFound(req, res, close, proxied);
      return '404';
    }
    dropRequest(req, res, close);
    return close === 'reset' ? 'rst' : 'fin';
  }

  /**
   * Applies a decision on a bare socket (CONNECT, Upgrade, parser errors): there is no response
   * object. `source` (the request, or what is known of it) and `adapter` are for the report.
   * Returns true when hangup refused the connection.
   * @internal For adapters and transports; not part of the public API.
   */
  applyToSocket(
    decided: Decision,
    socket: Socket,
    pendingResponse: boolean,
    source: EventSource | null = null,
    adapter: AdapterName = 'server',
  ): boolean {
    const head = http2HeadOf(source);
    if (head !== undefined) return this.applyToStream(decided, head);
    const refuse = decided.action !== 'allow' && this.mode === 'enforce';
    const wire = refuse ? this.refuseSocket(decided, socket, pendingResponse) : 'none';
    this.record(decided, wire, source ?? { socket }, adapter);
    return refuse;
  }

  /**
   * Applies a decision taken on a connection before any HTTP exists (a TLS ClientHello): a refusal
   * closes it with zero bytes by the `close` mode, never with the fixed 404 (there is no HTTP to
   * answer in). Returns true when hangup refused the connection.
   * @internal For adapters and transports; not part of the public API.
   */
  applyToConnection(decided: Decision, socket: Socket, source: EventSource): boolean {
    const refuse = decided.action !== 'allow' && this.mode === 'enforce';
    let wire: Wire = 'none';
    if (refuse && !socket.destroyed) {
      const close = this.policy.settings.close;
      closeSocket(socket, close);
      wire = close === 'reset' ? 'rst' : 'fin';
    }
    this.record(decided, wire, source, 'server');
    return refuse;
  }

  private refuseSocket(decided: Decision, socket: Socket, pendingResponse: boolean): Wire {
    const close = this.policy.settings.close;
    if (socket.destroyed) return 'none';
    if (pendingResponse) {
      const flushing = socket.writableLength > 0;
      closeAfterFlush(socket, close);
      return close === 'reset' && !flushing ? 'rst' : 'fin';
    }
    if (decided.action === 'notFound' || this.isProxied(socket.remoteAddress)) {
      endWithin(socket, notFoundCloseBytes());
      return '404';
    }
    closeSocket(socket, close);
    return close === 'reset' ? 'rst' : 'fin';
  }

  /**
   * Counts, logs and emits one applied decision, once per request and decision, after the
   * report-only rule matches collected for the same request.
   */
  private record(decided: Decision, wire: Wire, source: EventSource, adapter: AdapterName): void {
    const state = ensureState(source);
    const previous = state.recorded;
    if (previous === decided) return;
    state.recorded = decided;
    // Allowed first, then refused by a later step (the framework's router or error handler): the
    // request counts once in stats(), as its refusal. Its allow event has already gone out.
    if (previous?.action === 'allow') this.counters.uncount(previous, this.mode === 'enforce');
    const reportOnly = state.reportOnly;
    if (reportOnly !== undefined) {
      state.reportOnly = undefined;
      for (const matched of reportOnly) this.report(matched, false, 'none', source, adapter);
    }
    this.report(decided, this.mode === 'enforce', wire, source, adapter);
    if (this.banEngine !== null && decided.action !== 'allow') this.banEngine.strike(decided, source);
  }

  private report(decided: Decision, enforced: boolean, wire: Wire, source: EventSource, adapter: AdapterName): void {
    this.counters.count(decided, enforced);
    const emit = this.events !== null && this.events.wants(decided);
    const logged = log.decide.enabled || (decided.action !== 'allow' && (enforced ? log.drop.enabled : log.report.enabled));
    const hint = enforced && decided.action !== 'allow' && this.hints !== null && this.hints.wants(decided);
    if (!emit && !logged && !hint) return;
    const event = buildEvent(decided, enforced, wire, source, adapter);
    if (hint) this.hints?.print(event, because(decided, event.method, event.host ?? undefined, this.explainContext()));
    if (logged) logEvent(event);
    if (emit) this.events?.emit(event);
  }

  /**
   * The decision cached on a request by an earlier step (checkContinue, then 'request'). Matches
   * of report-only rules are kept with it until the decision is reported.
   * @internal For adapters and transports; not part of the public API.
   */
  decisionOf(req: IncomingMessage): Decision {
    const head = http2HeadOf(req);
    if (head !== undefined) return this.decideStream(head);
    const state = ensureState(req);
    if (state.decision !== undefined) return state.decision;
    const banned = this.banEngine === null ? undefined : this.banEngine.decisionFor(req);
    if (banned !== undefined) return (state.decision = banned);
    state.decision = this.collectReportOnly
      ? this.policy.decide(req, (matched) => (state.reportOnly ??= []).push(matched))
      : this.policy.decide(req);
    if (this.hostMustMatchServerName && state.decision.action === 'allow' && hostIsNotServerName(req.socket, req.headers.host)) {
      state.decision = HOST_NOT_SERVER_NAME;
    }
    return state.decision;
  }

  private warnIfUnprotected(req: IncomingMessage): void {
    if (this.warnedUnprotected) return;
    // On HTTP/2 the session knows its server; the compat request's socket is a proxy made on first use.
    const head = http2HeadOf(req);
    const server = head !== undefined ? (head.stream.session as ServerHttp2Session | undefined)?.server : (req.socket as Socket & { server?: object | null } | null)?.server;
    if (server === undefined || server === null || isProtected(server as Server, this)) return;
    this.warnedUnprotected = true;
    process.emitWarning(
      'hangup: this server is not protected, so Node still answers parse errors (400), oversized headers (431), ' +
        'timeouts (408), a missing Host (400) and Expect (100/417) itself. Call guard.protect(server) ' +
        'or create it with guard.createServer().',
      { code: 'HANGUP_UNPROTECTED_SERVER' },
    );
  }
}
