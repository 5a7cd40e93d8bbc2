/**
 * Public types of hangup. Everything a user configures or receives is declared here, with the
 * defaults documented next to each field.
 */

import type { AdapterName } from './guard.js';
import type { BanOptions, BanStats } from './bans/types.js';

/** What hangup does with a request. */
export type Action = 'allow' | 'notFound' | 'drop';

/** How a dropped connection is closed: a normal FIN, or an RST where the socket allows it. */
export type CloseMode = 'fin' | 'reset';

/**
 * A decision is a plain value, so it can be logged, counted, explained and tested without a socket.
 * `reason` is a stable string such as `route:unknown` or `malformed:dot-segment`; `rule` names the
 * route pattern, custom rule or detector that decided, when there is one.
 */
export interface Decision {
  readonly action: Action;
  readonly reason: string;
  readonly rule?: string;
}

/** Header values as Node's `IncomingMessage.headers` holds them. */
export type HeaderMap = Readonly<Record<string, string | string[] | undefined>>;

/**
 * The fields of an `IncomingMessage` that `decide()` reads. Any object with these fields works, so
 * every rule can be tested without a socket. Missing fields are treated as absent, never as errors.
 */
export interface RequestHead {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly httpVersion?: string | undefined;
  readonly headers?: HeaderMap | undefined;
  readonly rawHeaders?: readonly string[] | undefined;
  readonly socket?: { readonly remoteAddress?: string | undefined } | null | undefined;
}

/**
 * What rule predicates receive besides the request: the pieces of the request target hangup has
 * already split and checked, so a predicate does not parse the URL again.
 */
export interface RequestInfo {
  /** Upper-case method, e.g. `GET`. */
  readonly method: string;
  /** The path of the request target, still percent-encoded, without the query. */
  readonly path: string;
  /** The query string without the leading `?`, or `''`. */
  readonly query: string;
  /** The Host header, lower-cased, without port or trailing dot; `''` when absent. */
  readonly host: string;
}

/** A predicate over a request, for custom rules. It must not throw; if it does, the rule does not match. */
export type Predicate = (req: RequestHead, info: RequestInfo) => boolean;

/**
 * What a custom rule matches: a route spec (`'GET /favicon.ico'`, `'/admin/*path'`), a list of
 * route specs (any of them), a predicate, or a matcher built with `route()`, `host()`, `all()`,
 * `any()` or `not()`.
 */
export type MatchSpec = string | readonly string[] | Predicate | Matcher;

/** A compiled matcher. Build one with the helpers exported from `hangup`; do not construct by hand. */
export interface Matcher {
  readonly kind: 'matcher';
  /** Human-readable description, used in decisions and `explain()`. */
  readonly label: string;
  readonly test: Predicate;
}

/** A custom rule: when `match` matches, `action` is taken. Build with `allow()`, `notFound()` or `drop()`. */
export interface Rule {
  readonly kind: 'rule';
  readonly action: Action;
  readonly matcher: Matcher;
  /** Name reported in `decision.rule`; defaults to `action(label)`, e.g. `notFound(GET /favicon.ico)`. */
  readonly name: string;
  /** `'report'` for a report-only rule; see `RuleOptions.mode`. */
  readonly mode?: EnforcementMode;
}

/** Options of a single custom rule. */
export interface RuleOptions {
  /** Name reported in decisions and events. Default: the action and what the rule matches. */
  readonly name?: string;
  /**
   * `'report'`: the rule's matches are reported (`enforced: false`) but never decide: the rest of
   * the policy decides as if the rule were absent. Default `'enforce'`.
   */
  readonly mode?: EnforcementMode;
}

/** A named set of detector settings: `'default'` (no ordinary client trips it) or `'strict'`. */
export type DetectorPreset = 'default' | 'strict';

/**
 * Switches and limits of the built-in malformed-request detectors. A switch set to `true` runs the
 * check (and drops what it catches); `false` turns it off. `allow*` switches relax a check instead.
 * Defaults are those of the `'default'` preset; the README's detector table lists each one with
 * what it catches and its nginx / HAProxy / CRS equivalent.
 */
export interface DetectorSwitches {
  /** Only HTTP/1.0 and HTTP/1.1 (`malformed:http-version`). Default on. */
  readonly httpVersion?: boolean;
  /** Methods that are not tokens or that Node does not know (`method:unknown`). Default on. */
  readonly method?: boolean;
  /** Drop `CONNECT` (`method:connect`): this is not a proxy. Default on. */
  readonly connect?: boolean;
  /** Drop `TRACE` (`method:trace`, cross-site tracing). Default on. */
  readonly trace?: boolean;
  /** The target must be origin-form `/path?query`: drops absolute-form, authority-form and `*` (`malformed:not-origin-form`). Default on. */
  readonly originForm?: boolean;
  /** Let `OPTIONS *` through `originForm`. Default off. */
  readonly allowOptionsAsterisk?: boolean;
  /** Let absolute-form (`GET http://host/path`) through `originForm` when it names the Host header's host; another host is `malformed:absolute-form-host`. Default off. */
  readonly allowAbsoluteForm?: boolean;
  /** Longest request target in bytes (`malformed:target-too-long`). Default 8192, strict 4096. */
  readonly maxTargetLength?: number;
  /** A raw `#` fragment in the target, which clients never send (`malformed:fragment`). Default on. */
  readonly fragment?: boolean;
  /** `\` raw or `%5C` in the path; strict query too (`malformed:backslash`). Default on. */
  readonly backslash?: boolean;
  /** NUL and control characters raw or percent-encoded, in path and query (tab allowed in the query unless `strictQuery`), and `%00` in header values (`malformed:control-char`). Default on. */
  readonly controlChars?: boolean;
  /** Invalid percent-encoding or invalid UTF-8 once decoded, in the path; with `strictQuery`, in the query too (`malformed:bad-percent-encoding`, `malformed:bad-utf8`). Default on. */
  readonly encoding?: boolean;
  /** `.` or `..` as a path segment, raw or percent-encoded (`malformed:dot-segment`). Default on. */
  readonly dotSegments?: boolean;
  /** `%2F` inside a path segment (`malformed:encoded-slash`). Default on. */
  readonly encodedSlash?: boolean;
  /** `%25` followed by two hex digits (`%252e`) in the path; with `strictQuery`, in the query too (`malformed:double-encoding`). Default on. */
  readonly doubleEncoding?: boolean;
  /** Empty path segments, `//` (`malformed:empty-segment`). Default off, strict on. */
  readonly emptySegments?: boolean;
  /** Hold the query to the path's rules: encoding, UTF-8, double encoding, backslash and tab. Default off, strict on. */
  readonly strictQuery?: boolean;
  /** Host: missing on HTTP/1.1, empty, duplicated, invalid characters, userinfo, bad port (`host:*`). Default on. */
  readonly hostHeader?: boolean;
  /** Require Host on HTTP/1.0 too (`host:missing`). Default off, strict on. */
  readonly hostOnHttp10?: boolean;
  /** A numeric IP as Host (`host:numeric-ip`, CRS 920350). Default off, strict on. */
  readonly numericHost?: boolean;
  /** Ambiguous body framing: Content-Length with Transfer-Encoding, bad or repeated Content-Length, Transfer-Encoding other than a final `chunked`, on HTTP/1.0, or on GET/HEAD (`smuggling:*`). Default on. */
  readonly framing?: boolean;
  /** A body (Content-Length above 0) on GET or HEAD (`malformed:body-on-get`). Default off, strict on. */
  readonly bodyOnGet?: boolean;
  /** A header name that is not a token, e.g. a space before the colon (`malformed:header-name`); only lenient parsing lets one through. Default on. */
  readonly headerNames?: boolean;
  /** Most header lines per request (`malformed:too-many-headers`). Default 100, strict 50. */
  readonly maxHeaders?: number;
  /** Most bytes of header names and values (`malformed:headers-too-large`), below Node's 16 KiB. Default 12288, strict 8192. */
  readonly maxHeaderBytes?: number;
  /** A repeated singleton header such as Content-Type, Authorization or User-Agent (`malformed:duplicate-header`). Default on. */
  readonly duplicateHeaders?: boolean;
  /** `_` in a header name (nginx's `underscores_in_headers off`, `malformed:header-underscore`). Default off, strict on. */
  readonly headerUnderscores?: boolean;
  /** `Expect` with any value but `100-continue` (`malformed:expect`). Default on. */
  readonly expect?: boolean;
}

/** The `detectors` option as an object: a preset to start from, and switches that override it. */
export interface DetectorOptions extends DetectorSwitches {
  /** The preset the other switches override. Default `'default'`. */
  readonly preset?: DetectorPreset;
}

/** Options of `hangup()`. Only `routes`, `hosts` and `unknownRoute` are needed for most sites. */
export interface HangupOptions {
  /**
   * Allowed routes: `'GET /users/:id'`, `'GET|POST /orders'`, or `'/health'` (any method), in
   * path-to-regexp 8 syntax. HEAD is allowed wherever GET is; the query string never affects matching.
   * Omitted: every path and method is allowed (detectors and hosts still apply).
   */
  readonly routes?: readonly string[];
  /**
   * Allowed Host names: exact names, `*.example.com` wildcards (any depth, not the apex) and IP
   * literals (`127.0.0.1`, `[::1]`). Case-insensitive; the port is ignored. With hosts given, a
   * request with a missing, empty, duplicated or unlisted Host is dropped. Omitted: any host.
   */
  readonly hosts?: readonly string[];
  /** What to do when no route matches. Default `'drop'`. */
  readonly unknownRoute?: Action;
  /**
   * Custom rules, checked after the malformed-request detectors and before the routes; the first
   * that matches decides. A request whose Host the `hosts` option does not serve is refused as
   * such before a `notFound` or `drop` rule answers it; only an `allow` rule may still admit it. Build them with `allow()`, `notFound()` and `drop()`, or write
   * them as plain objects (`{ notFound: 'GET /favicon.ico' }`) so the policy can live in JSON.
   */
  readonly rules?: readonly (Rule | RuleSpec)[];
  /**
   * The malformed-request detectors: `'default'` (the default), `'strict'`, or an object of
   * switches and limits over a preset, e.g. `{ preset: 'strict', emptySegments: false }`.
   */
  readonly detectors?: DetectorPreset | DetectorOptions;
  /** How dropped connections are closed. Default `'fin'`; `'reset'` sends an RST where possible. */
  readonly close?: CloseMode;
  /** Match routes case-sensitively (Express's `case sensitive routing`). Default `false`. */
  readonly caseSensitive?: boolean;
  /** Treat `/users` and `/users/` as different (Express's `strict routing`). Default `false`. */
  readonly strictTrailingSlash?: boolean;
  /**
   * Over TLS, drop a request whose Host (or HTTP/2 `:authority`) is not the server name (SNI) its
   * connection was opened for (`tls:host-not-server-name`). Default `false`: HTTP/2 connection
   * coalescing legitimately sends requests for every name the certificate covers over one
   * connection, and `hosts` already decides each request by its own Host.
   */
  readonly hostMustMatchServerName?: boolean;
  /**
   * `'report'`: every decision is made, counted and reported, but nothing is refused: requests go
   * through as if allowed, and Node keeps its own answers to requests it cannot parse. Use it to
   * roll a policy out. Default `'enforce'`. Single rules can be report-only too (`RuleOptions.mode`).
   */
  readonly mode?: EnforcementMode;
  /**
   * Called synchronously with every decision applied to a request (see `events` to limit it to
   * refusals). Unset, it costs nothing. Whatever it throws is caught and never reaches the request.
   */
  readonly onDecision?: (event: DecisionEvent) => void;
  /** Which decisions `onDecision` receives: `'all'` (default) or only `'refusals'` (notFound and drop). */
  readonly events?: DecisionEventFilter;
  /**
   * The first time each reason refuses a request, one line on stderr says what was refused, why,
   * and which option changes it, so a first run on `localhost` never fails silently. Default: on,
   * unless `NODE_ENV` is `production` or the environment has `HANGUP_HINTS=0`; never more than one
   * line per reason and guard.
   */
  readonly hints?: boolean;
  /**
   * Every connection comes through a reverse proxy or CDN: drops are answered with the fixed 404
   * and `Connection: close` instead, because the proxy would turn a silent close into a 502 and
   * clients would retry. Default `false`. To keep drops for direct connections, use `trustedProxies`.
   */
  readonly behindProxy?: boolean;
  /**
   * Addresses of your proxies (`'10.0.0.0/8'`, `'127.0.0.1'`, `'::1'`, `'fd00::/8'`): connections
   * from them get the fixed 404 with `Connection: close` instead of a drop; all others are dropped.
   */
  readonly trustedProxies?: readonly string[];
  /**
   * CORS preflights: `true` allows an `OPTIONS` request with `Origin` and
   * `Access-Control-Request-Method` when a route allows the requested method on that path (reason
   * `route:preflight`), so the app or its CORS middleware answers it; `{ origins: [...] }` only
   * from those origins. Default `false`: routes decide OPTIONS like any other method.
   */
  readonly preflight?: PreflightOption;
  /**
   * Repeat-offender bans (off by default): an address refused `after` times within `window` is
   * banned for `duration`, and its connections are destroyed on accept, before any parsing, with
   * zero bytes. `true` for the defaults, or see `BanOptions`.
   */
  readonly ban?: boolean | BanOptions;
  /**
   * HTTP/2: refused streams (drops and fixed 404s) one connection may send; the next one closes
   * it (GOAWAY with ENHANCE_YOUR_CALM), so a scanner cannot probe forever on one connection.
   * Default 100, as Node's own `maxSessionRejectedStreams`. `0` closes at the first refusal.
   */
  readonly maxRefusedStreams?: number;
}

/** Whether refusals are carried out (`'enforce'`) or only reported while the request goes through (`'report'`). */
export type EnforcementMode = 'enforce' | 'report';

/** Which decisions reach `onDecision`. */
export type DecisionEventFilter = 'all' | 'refusals';

/**
 * A custom rule written as plain data, for policies kept in JSON: exactly one of `allow`,
 * `notFound` or `drop`, holding a route spec or a list of them, e.g.
 * `{ "drop": ["/wp-login.php", "/.env"], "name": "scanners", "mode": "report" }`.
 */
export type RuleSpec =
  | ({ readonly allow: string | readonly string[] } & RuleOptions)
  | ({ readonly notFound: string | readonly string[] } & RuleOptions)
  | ({ readonly drop: string | readonly string[] } & RuleOptions);

/**
 * What hangup did on the wire: closed with zero bytes then FIN, or RST; answered the fixed 404;
 * or nothing at all (allowed, or not enforced).
 */
export type Wire = 'fin' | 'rst' | '404' | 'none' | 'rst-stream';

/**
 * One decision applied to one request, as `onDecision` receives it. Strings that came from the
 * network are truncated and escaped (control characters, non-ASCII and `\` become `\xNN`
 * escapes), so an event can be logged as is.
 */
export interface DecisionEvent {
  readonly action: Action;
  /** False when the decision was only reported: report mode, or a report-only rule. */
  readonly enforced: boolean;
  readonly reason: string;
  /** The route, rule or detector that decided, or `null`. */
  readonly rule: string | null;
  /** The method as received, `''` when the request could not be parsed that far. */
  readonly method: string;
  /** The path of the request target, without the query (it may hold secrets); at most 256 characters. */
  readonly path: string;
  /** The Host header as received, or `null` when there was none. */
  readonly host: string | null;
  /** The peer address of the connection (the proxy, behind one), or `null` once it is gone. */
  readonly remoteAddress: string | null;
  /** Where hangup saw the request: `http`, `express`, `fastify`, or `server` for server-level events. */
  readonly adapter: AdapterName;
  readonly wire: Wire;
}

/** Decisions counted since the guard was created, as `guard.stats()` returns them. */
export interface GuardStats {
  /** When counting started, in milliseconds since the epoch. */
  readonly since: number;
  /** Decisions counted, allowed ones included. */
  readonly total: number;
  /** Decisions per action, enforced or not. */
  readonly actions: Readonly<Record<Action, number>>;
  /** Decisions per reason, e.g. `{ 'route:unknown': 12, 'route:matched': 30 }`. */
  readonly reasons: Readonly<Record<string, number>>;
  /** Refusals (notFound, drop) that were only reported, not enforced. */
  readonly reportOnly: number;
  /** The same counts split by action, reason and whether enforced, for labelled metrics. */
  readonly counts: readonly DecisionCount[];
  /** Bans, strikes, the tarpit and the store, when the `ban` option is on. */
  readonly bans?: BanStats;
}

/** One row of `GuardStats.counts`. */
export interface DecisionCount {
  readonly action: Action;
  readonly reason: string;
  readonly enforced: boolean;
  readonly count: number;
}

/** The request `guard.explain()` should decide on, besides its request line. */
export interface ExplainOptions {
  /** The Host header. Omitted: the request has none (which HTTP/1.1 forbids). */
  readonly host?: string;
  /** More request headers, e.g. `{ 'transfer-encoding': 'chunked' }`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** `'1.1'` unless given (or unless the request line names a version). */
  readonly httpVersion?: string;
  /** The peer address, for `trustedProxies`. */
  readonly remoteAddress?: string;
  /**
   * Over TLS: the server name (SNI) of the ClientHello, or `null` for a ClientHello without one.
   * Omitted: the request is not explained as coming over TLS.
   */
  readonly serverName?: string | null;
}

/** What `guard.explain()` returns: the decision, what would happen on the wire, and why, in words. */
export interface Explanation {
  readonly decision: Decision;
  /** False in report mode: the decision would only be reported. */
  readonly enforced: boolean;
  readonly wire: Wire;
  /** Report-only rules that matched: reported, never enforced. */
  readonly reportOnly: readonly Decision[];
  /** A few sentences a person can read. */
  readonly text: string;
}

/** The `preflight` option: `true` (any origin), `false`, or the origins a preflight may come from. */
export type PreflightOption = boolean | { readonly origins: readonly string[] };
