/**
 * Public types of hangup. Everything a user configures or receives is declared here, with the
 * defaults documented next to each field.
 */

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
}

/** Options of a single custom rule. */
export interface RuleOptions {
  /** Name reported in decisions and events. Default: the action and what the rule matches. */
  readonly name?: string;
}

/**
 * On/off switches of the built-in malformed-request detectors. Every detector is on by default;
 * see the README's detector table for what each one catches.
 */
export interface DetectorOptions {
  /** Request target must be origin-form (`/path?query`): drops absolute-form, authority-form and `*`. */
  readonly originForm?: boolean;
  /** `/../`, `/./` raw or percent-encoded in the path. */
  readonly dotSegments?: boolean;
  /** NUL and other control characters, raw or percent-encoded, in path and query. */
  readonly controlChars?: boolean;
  /** Invalid percent-encoding or invalid UTF-8 once decoded, in the path. */
  readonly encoding?: boolean;
  /** Only HTTP/1.0 and HTTP/1.1. */
  readonly httpVersion?: boolean;
  /** HTTP/1.1 without Host, an empty Host, or more than one Host header. */
  readonly hostHeader?: boolean;
  /** Content-Length together with Transfer-Encoding, and Transfer-Encoding on GET or HEAD. */
  readonly framing?: boolean;
  /** `Expect` with any value but `100-continue`. */
  readonly expect?: boolean;
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
   * Custom rules, checked after the malformed-request detectors and before hosts and routes;
   * the first that matches decides. Build them with `allow()`, `notFound()` and `drop()`.
   */
  readonly rules?: readonly Rule[];
  /** Turn individual malformed-request detectors off. All are on by default. */
  readonly detectors?: DetectorOptions;
  /** How dropped connections are closed. Default `'fin'`; `'reset'` sends an RST where possible. */
  readonly close?: CloseMode;
  /** Match routes case-sensitively (Express's `case sensitive routing`). Default `false`. */
  readonly caseSensitive?: boolean;
  /** Treat `/users` and `/users/` as different (Express's `strict routing`). Default `false`. */
  readonly strictTrailingSlash?: boolean;
}
