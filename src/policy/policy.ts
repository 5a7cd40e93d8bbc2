import type { Action, Decision, HangupOptions, RequestHead, RequestInfo } from '../types.js';
import type { ParsedHead, Detector } from '../detectors/index.js';
import { enabledDetectors } from '../detectors/index.js';
import { DetectorScreen } from '../detectors/screen.js';
import { resolveDetectorSettings } from '../detectors/settings.js';
import { headerValue } from '../detectors/headers.js';
import { headerScan } from '../detectors/scan-headers.js';
import { validateOptions } from './validate.js';
import { compileRoute, type PathSettings } from './routes.js';
import { RouteTable } from './route-table.js';
import { HostMatcher } from './hosts.js';
import { LastHost } from './last-host.js';
import { compileRules, type CompiledRule } from './rules.js';
import { decision } from './decisions.js';
import { parsedStrictly } from './parser-mode.js';
import { compilePreflight, type Preflight } from './preflight.js';
import { isHttp2Head } from '../http2/head.js';

const EMPTY_HEADERS = Object.freeze({}) as ParsedHead['headers'];
const EMPTY_RAW: readonly string[] = Object.freeze([]);
const INTERNAL_ERROR = decision('drop', 'internal:error');
const HOST_MISSING = decision('drop', 'host:missing');
const HOST_DUPLICATE = decision('drop', 'host:duplicate');
const HOST_EMPTY = decision('drop', 'host:empty');
const HOST_UNLISTED = decision('drop', 'host:unlisted');
const ROUTE_ANY = decision('allow', 'route:any');
const METHOD_NOT_ALLOWED = decision('drop', 'method:not-allowed');

/** The options after defaults, as the rest of hangup reads them. */
export interface ResolvedSettings extends PathSettings {
  readonly unknownRoute: Action;
  readonly close: 'fin' | 'reset';
}

/**
 * The compiled policy: options validated and compiled once, and a `decide()` that is a pure
 * function of the request head. Order: detectors, hosts (an `allow` rule may admit any Host),
 * custom rules, methods, routes.
 */
export class Policy {
  readonly settings: ResolvedSettings;
  readonly routeTable: RouteTable | null;
  private readonly hostMatcher: HostMatcher | null;
  private readonly detectors: readonly Detector[];
  private readonly screen: DetectorScreen;
  private readonly rules: readonly CompiledRule[];
  /** The `fragment` detector is on: a target with a raw `#` never reaches the routes or the rules. */
  private readonly fragmentsRefused: boolean;
  private readonly unknownRouteDecision: Decision;
  private readonly methodMismatchDecision: Decision;
  /** The `preflight` option: CORS preflights for routed methods, or null. */
  private readonly preflight: Preflight | null;
  /** The last Host seen, normalised and matched (a server sees the same few over and over). */
  private readonly hosts: LastHost;
  /** The head `decide()` fills for each request (no allocation per request); null while in use. */
  private scratch: WritableHead | null = blankHead();

  constructor(options: HangupOptions = {}) {
    validateOptions(options);
    this.settings = {
      caseSensitive: options.caseSensitive ?? false,
      strictTrailingSlash: options.strictTrailingSlash ?? false,
      unknownRoute: options.unknownRoute ?? 'drop',
      close: options.close ?? 'fin',
    };
    this.routeTable =
      options.routes === undefined
        ? null
        : new RouteTable(
            options.routes.map((spec, i) => compileRoute(spec, `routes[${i}]`, this.settings)),
            this.settings,
          );
    this.hostMatcher = options.hosts === undefined ? null : new HostMatcher(options.hosts, 'hosts');
    this.hosts = new LastHost(this.hostMatcher);
    this.detectors = enabledDetectors(options.detectors);
    const detectorSettings = resolveDetectorSettings(options.detectors);
    this.screen = new DetectorScreen(detectorSettings);
    this.fragmentsRefused = detectorSettings.fragment;
    this.rules = compileRules(options.rules, this.settings);
    this.unknownRouteDecision = decision(this.settings.unknownRoute, 'route:unknown');
    this.methodMismatchDecision = decision(this.settings.unknownRoute, 'route:method-mismatch');
    this.preflight = compilePreflight(options.preflight);
  }

  /**
   * Whether a request without Host is always refused (the hostHeader detector, or a hosts list):
   * only then may `protect()` take Node's own 400 for it away.
   */
  get refusesMissingHost(): boolean {
    return this.hostMatcher !== null || this.detectors.some((d) => d.name === 'hostHeader');
  }

  /**
   * Why a TLS ClientHello's server name (SNI; null when it sent none) is not one the `hosts` option
   * serves, or undefined when it is (always, without `hosts`). Names are matched as Host values;
   * no name is served only when an IP literal is listed.
   */
  serverNameRefusal(serverName: string | null): 'tls:unknown-server-name' | 'tls:no-server-name' | undefined {
    const hostMatcher = this.hostMatcher;
    if (hostMatcher === null) return undefined;
    if (serverName === null) return hostMatcher.hasAddress ? undefined : 'tls:no-server-name';
    let name = serverName.toLowerCase();
    if (name.length > 1 && name.endsWith('.')) name = name.slice(0, -1);
    if (name.length > 253 || !/^[a-z0-9_.-]+$/.test(name)) return 'tls:unknown-server-name';
    return hostMatcher.matches(name) ? undefined : 'tls:unknown-server-name';
  }

  /** Whether any custom rule is report-only (`mode: 'report'`). */
  get hasReportOnlyRules(): boolean {
    return this.rules.some((r) => r.reportOnly);
  }

  /**
   * Decides what to do with a request. Pure, synchronous, and never throws. Report-only rules
   * never decide; when `onReportOnly` is given, it receives the decision of each one that matched
   * on the way (they are not even tested otherwise).
   */
  decide(req: RequestHead, onReportOnly?: (matched: Decision) => void): Decision {
    // The head is refilled for each decision rather than made anew; a decision asked for while
    // another is in progress (a custom rule that calls decide()) gets a head of its own.
    const scratch = this.scratch;
    this.scratch = null;
    try {
      return this.decideUnsafe(req, onReportOnly, parseHead(req, this.fragmentsRefused, scratch ?? undefined));
    } catch {
      // Only a bug (or a hostile getter on a hand-made request object) lands here: fail closed.
      return INTERNAL_ERROR;
    } finally {
      if (scratch !== null) this.scratch = scratch;
    }
  }

  /** Why the Host of a request is not one the policy serves, or undefined when it is. */
  private hostRefusal(head: ParsedHead, normalizedHost: string): Decision | undefined {
    const count = headerScan(head).host;
    if (count === 0) return HOST_MISSING;
    if (count > 1) return HOST_DUPLICATE;
    if (normalizedHost === '') return HOST_EMPTY;
    return this.hosts.serves(normalizedHost) ? undefined : HOST_UNLISTED;
  }

  private decideUnsafe(req: RequestHead, onReportOnly: ((matched: Decision) => void) | undefined, head: ParsedHead): Decision {
    // Nearly every request passes the screen; the others ask each detector in order for the reason.
    const screened = this.screen.passes(head);
    if (!screened) {
      for (const detector of this.detectors) {
        const reason = detector.check(head);
        if (reason !== undefined) return decision('drop', reason, detector.name);
      }
    }

    // A screened method is one of Node's, already upper-case: skip the copy toUpperCase() makes.
    const method = screened ? head.method : head.method.toUpperCase();
    const host = headerValue(head, 'host');
    // A Host that is not a string (only a hand-made head has one) cannot be normalised: fail closed.
    if (host !== undefined && typeof host !== 'string') return INTERNAL_ERROR;
    // Rules and the host allowlist read the normalised Host; without either it is never computed.
    const rules = this.rules;
    const hostMatcher = this.hostMatcher;
    if (rules.length > 0 || hostMatcher !== null) {
      const normalizedHost = this.hosts.normalize(host);
      // A Host the policy does not serve is refused as such before a notFound or drop rule answers:
      // a fixed 404 for /favicon.ico on any Host would tell an address scanner the site is there.
      // Only an allow rule may admit such a request (a load balancer's health check by address).
      const hostRefusal = hostMatcher === null ? undefined : this.hostRefusal(head, normalizedHost);
      if (rules.length > 0) {
        // What the rules read, built only when there are rules (the path and query are copies).
        const target = head.target;
        const info: RequestInfo = { method, path: target.slice(head.pathStart, head.pathEnd), query: queryOf(target), host: normalizedHost };
        for (const { rule, test, reportOnly } of rules) {
          if ((reportOnly && onReportOnly === undefined) || !safeTest(test, req, info)) continue;
          const matched = decision(rule.action, 'rule:matched', rule.name);
          if (reportOnly) onReportOnly?.(matched);
          else return rule.action === 'allow' ? matched : (hostRefusal ?? matched);
        }
      }
      if (hostRefusal !== undefined) return hostRefusal;
    }

    const table = this.routeTable;
    if (table === null) return ROUTE_ANY;
    if (method === 'OPTIONS' && this.preflight !== null) {
      const preflight = this.preflight.decide(head, table);
      if (preflight !== undefined) return preflight;
    }
    if (table.methods !== null && !table.methods.has(method)) return METHOD_NOT_ALLOWED;
    const found = table.lookupIn(method, head.target, head.pathStart, head.pathEnd);
    if (found.kind === 'matched') return found.decision;
    return found.kind === 'method-not-allowed' ? this.methodMismatchDecision : this.unknownRouteDecision;
  }
}

function safeTest(test: (req: RequestHead, info: RequestInfo) => boolean, req: RequestHead, info: RequestInfo): boolean {
  try {
    return test(req, info) === true;
  } catch {
    return false;
  }
}

/** Where the path of an absolute-form target starts (the `/` after the authority), or 0. */
function absoluteFormPathStart(target: string, pathEnd: number): number {
  const scheme = target.indexOf('://');
  if (scheme === -1 || scheme > 5) return 0;
  const slash = target.indexOf('/', scheme + 3);
  return slash === -1 || slash > pathEnd ? 0 : slash;
}

/**
 * Reads the fields `decide()` needs into `into` (a new head unless given), tolerating any shape:
 * absent or mistyped fields count as empty.
 * With `fragmentsRefused` (the `fragment` detector is on), a raw `#` is not searched for: such a
 * target is dropped by the detectors before anything reads where its path ends, and the search is a
 * native call on every request.
 */
export function parseHead(req: RequestHead, fragmentsRefused = false, into: WritableHead = blankHead()): ParsedHead {
  const target = typeof req.url === 'string' ? req.url : '';
  const q = target.indexOf('?');
  const hash = fragmentsRefused ? -1 : target.indexOf('#');
  const pathEnd = q === -1 ? (hash === -1 ? target.length : hash) : hash === -1 ? q : Math.min(q, hash);
  // Absolute-form (`http://host/path`, only reaching here when the originForm detector allows it)
  // is routed on its path, as Express and Fastify do.
  const pathStart = target.charCodeAt(0) === 0x2f ? 0 : absoluteFormPathStart(target, pathEnd);
  const headers = req.headers !== null && typeof req.headers === 'object' ? req.headers : EMPTY_HEADERS;
  const strict = parsedStrictly(req);
  // Raw headers from a Node server are always strings; only a hand-made head needs the check.
  const raw = Array.isArray(req.rawHeaders) && (strict || allStrings(req.rawHeaders)) ? req.rawHeaders : EMPTY_RAW;
  into.method = typeof req.method === 'string' ? req.method : '';
  into.target = target;
  into.pathStart = pathStart;
  into.pathEnd = pathEnd;
  into.httpVersion = typeof req.httpVersion === 'string' ? req.httpVersion : '';
  into.headers = headers;
  into.rawHeaders = raw;
  into.parsedStrictly = strict;
  into.http2 = isHttp2Head(req);
  into.serial = nextSerial();
  return into;
}

/** Serials of parsed heads: small integers (wrapping at 2^30), so never a boxed number. */
let serial = 0;
function nextSerial(): number {
  serial = (serial + 1) & 0x3fffffff;
  return serial;
}

/** A `ParsedHead` that `parseHead()` may fill. */
type WritableHead = { -readonly [K in keyof ParsedHead]: ParsedHead[K] };

/** An empty head, with every field of its final shape. */
function blankHead(): WritableHead {
  return { method: '', target: '', pathStart: 0, pathEnd: 0, httpVersion: '', headers: EMPTY_HEADERS, rawHeaders: EMPTY_RAW, parsedStrictly: false, http2: false, serial: 0 };
}

/** Everything after the first `?` of a target, up to a later `#`, or `''`. */
function queryOf(target: string): string {
  const q = target.indexOf('?');
  if (q === -1) return '';
  const hash = target.indexOf('#');
  return target.slice(q + 1, hash > q ? hash : target.length);
}

/** Whether every item is a string (Node's raw headers always are; a hand-made head may hold anything). */
function allStrings(values: readonly unknown[]): boolean {
  for (let i = 0; i < values.length; i++) if (typeof values[i] !== 'string') return false;
  return true;
}
