/**
 * CORS preflights (`preflight` option). A browser sends `OPTIONS` with `Origin` and
 * `Access-Control-Request-Method` before a cross-origin request it may not send as it is; a
 * policy whose routes do not list OPTIONS drops it, and the browser then refuses the real
 * request. With the option, such a preflight is allowed (reason `route:preflight`) when a route
 * allows the requested method on that path, and only then: the app, or its CORS middleware,
 * answers it. Anything else with OPTIONS is decided as before.
 */
import type { Decision } from '../types.js';
import type { ParsedHead } from '../detectors/index.js';
import { headerValue } from '../detectors/headers.js';
import { HangupConfigError, show } from '../errors.js';
import { decision } from './decisions.js';
import type { RouteTable } from './route-table.js';

/** `scheme://host[:port]`, as browsers send `Origin` (no path, no trailing slash). */
const ORIGIN = /^[a-z][a-z0-9+.-]*:\/\/[^/?#\s@]+$/i;
/** A method token as `Access-Control-Request-Method` carries it. */
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** The compiled `preflight` option. */
export class Preflight {
  /** Lower-cased origins a preflight may come from, or null for any origin. */
  private readonly origins: ReadonlySet<string> | null;

  constructor(origins: readonly string[] | null) {
    this.origins = origins === null ? null : new Set(origins.map((o) => o.toLowerCase()));
  }

  /**
   * The decision for an `OPTIONS` request: `allow` (`route:preflight`, the route that allows the
   * requested method as `rule`) when it is a preflight from an accepted origin for a method a route
   * allows on this path; otherwise undefined, and the policy decides as without the option.
   */
  decide(head: ParsedHead, table: RouteTable): Decision | undefined {
    const origin = headerValue(head, 'origin');
    const requested = headerValue(head, 'access-control-request-method');
    if (typeof origin !== 'string' || typeof requested !== 'string' || !METHOD.test(requested)) return undefined;
    if (this.origins !== null && !this.origins.has(origin.toLowerCase())) return undefined;
    // Methods are case-sensitive and routes hold them upper-case: `patch` finds no route (the real
    // request would be dropped as `method:unknown` anyway).
    if (requested === 'OPTIONS') return undefined;
    const found = table.lookupIn(requested, head.target, head.pathStart, head.pathEnd);
    return found.kind === 'matched' ? decision('allow', 'route:preflight', found.decision.rule) : undefined;
  }
}

/** Validates and compiles the `preflight` option; null when it is off. */
export function compilePreflight(value: unknown): Preflight | null {
  if (value === undefined || value === false) return null;
  if (value === true) return new Preflight(null);
  const origins = (value as { origins?: unknown } | null)?.origins;
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).some((k) => k !== 'origins') || !Array.isArray(origins)) {
    throw new HangupConfigError(
      'HANGUP_INVALID_OPTIONS',
      'preflight',
      `expected true, false or { origins: ['https://app.example.com'] }, got ${show(value)}.`,
    );
  }
  origins.forEach((origin: unknown, i) => {
    if (typeof origin !== 'string' || !ORIGIN.test(origin)) {
      throw new HangupConfigError(
        'HANGUP_INVALID_OPTIONS',
        `preflight.origins[${i}]`,
        `expected an origin as browsers send it, scheme://host[:port] without a path (e.g. 'https://app.example.com'), got ${show(origin)}.`,
      );
    }
  });
  if (origins.length === 0) {
    throw new HangupConfigError('HANGUP_INVALID_OPTIONS', 'preflight.origins', 'an empty list allows no preflight. List the front end origins, or use preflight: true for any origin.');
  }
  return new Preflight(origins as string[]);
}
