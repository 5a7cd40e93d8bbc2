import type { HeaderMap } from '../types.js';
import type { DetectorSettings } from './settings.js';

/**
 * The request head as every detector sees it: fields already normalised once by the policy, so
 * detectors neither re-parse nor allocate. Detectors are pure functions of this value.
 */
export interface ParsedHead {
  /** Method as received (llhttp has already upper-cased known methods). */
  readonly method: string;
  /** The raw request target, e.g. `/a/b?x=1`. */
  readonly target: string;
  /**
   * Where the path lies in `target` (still percent-encoded): `[pathStart, pathEnd)`, up to `?` or
   * `#`. Kept as bounds because slicing it out is work most requests never need.
   */
  readonly pathStart: number;
  readonly pathEnd: number;
  /** `1.1`, `1.0`, ... as Node reports it; `''` when unknown. */
  readonly httpVersion: string;
  readonly headers: HeaderMap;
  /** Alternating names and values, as received; empty when the caller gave none. */
  readonly rawHeaders: readonly string[];
  /**
   * Node's strict parser read this request, so no header value holds a raw control character and
   * every header name is a token (it refuses anything else): the header scan skips those searches.
   */
  readonly parsedStrictly: boolean;
  /** The head of an HTTP/2 stream (pseudo-headers turned into method, target and Host): HTTP/2.0 is its version. */
  readonly http2: boolean;
  /**
   * A new number for every parse (the policy refills one head object per request): the scans'
   * one-entry caches key on it, one integer comparison.
   */
  readonly serial: number;
}

/**
 * A built-in detector as written in its file: a pure function of the request head and the resolved
 * settings, returning the stable reason (e.g. `malformed:dot-segment`) or `undefined`. `name` is
 * also the switch that turns it off. It must never throw and should allocate nothing.
 */
export interface DetectorSpec {
  readonly name: keyof DetectorSettings;
  readonly check: (head: ParsedHead, settings: DetectorSettings) => string | undefined;
}

/**
 * A malformed-request detector bound to its settings: returns the stable reason (e.g. `malformed:dot-segment`) when the
 * request is malformed, or `undefined` when it is fine. It must never throw.
 */
export interface Detector {
  /** The option name that switches it, e.g. `dotSegments`. */
  readonly name: string;
  readonly check: (head: ParsedHead) => string | undefined;
}
