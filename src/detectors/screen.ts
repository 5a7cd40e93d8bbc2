import { METHODS } from 'node:http';
import type { DetectorSettings } from './settings.js';
import type { ParsedHead } from './types.js';
import { Target, targetProblems } from './scan-target.js';
import { hasUnderscoreName, headerScan } from './scan-headers.js';
import { headerValue } from './headers.js';
import { hostProblem } from './host-header.js';
import { numericHost } from './numeric-host.js';
import { framing } from './framing.js';
import { bodyOnGet } from './body-on-get.js';
import { expect } from './expect.js';

/**
 * The detectors' fast path. Calling twenty detectors one after another through closures cost
 * about 300 ns per request, mostly in the calls themselves. The screen asks, in one function, the
 * questions every enabled detector asks, from the same two scans (target and headers), and
 * answers only "certainly clean" or "maybe not". A clean request, nearly every one, is done here;
 * anything else runs the detectors one by one in their order, so the reason reported is exactly
 * theirs. The screen must therefore never call a request clean that some enabled detector refuses;
 * it may send a clean one to the detectors (HTTP/1.0 without Host, an IPv6 Host, an unusual method).
 */
export class DetectorScreen {
  private readonly httpVersion: boolean;
  /** Methods that pass `method`, `connect` and `trace` as switched. */
  private readonly cleanMethods: ReadonlySet<string>;
  private readonly maxTargetLength: number;
  /** Every `Target` flag some enabled detector refuses. */
  private readonly targetMask: number;
  private readonly controlChars: boolean;
  private readonly headerNames: boolean;
  private readonly hostHeader: boolean;
  private readonly numericHost: boolean;
  private readonly framing: boolean;
  private readonly bodyOnGet: boolean;
  private readonly maxHeaders: number;
  private readonly maxHeaderBytes: number;
  private readonly duplicateHeaders: boolean;
  private readonly headerUnderscores: boolean;
  private readonly expect: boolean;
  /** Whether some enabled detector reads the header scan: without one, it is never done. */
  private readonly headerScanNeeded: boolean;

  constructor(private readonly settings: DetectorSettings) {
    const on = (name: keyof DetectorSettings): boolean => settings[name] !== false;
    this.httpVersion = on('httpVersion');
    const methods = new Set(METHODS);
    if (on('connect')) methods.delete('CONNECT');
    if (on('trace')) methods.delete('TRACE');
    this.cleanMethods = methods;
    // A limit switched off (`false`) refuses nothing; compared as a number it would fail every request.
    const limit = (value: number | false): number => (typeof value === 'number' ? value : Infinity);
    this.maxTargetLength = limit(settings.maxTargetLength);
    this.targetMask = targetMask(settings, on);
    this.controlChars = on('controlChars');
    this.headerNames = on('headerNames');
    this.hostHeader = on('hostHeader');
    this.numericHost = on('numericHost');
    this.framing = on('framing');
    this.bodyOnGet = on('bodyOnGet');
    this.maxHeaders = limit(settings.maxHeaders);
    this.maxHeaderBytes = limit(settings.maxHeaderBytes);
    this.duplicateHeaders = on('duplicateHeaders');
    this.headerUnderscores = on('headerUnderscores');
    this.expect = on('expect');
    this.headerScanNeeded =
      this.maxHeaders !== Infinity ||
      this.maxHeaderBytes !== Infinity ||
      this.controlChars ||
      this.headerNames ||
      this.duplicateHeaders ||
      this.hostHeader ||
      this.framing;
  }

  /** True when every enabled detector certainly lets `head` through; false when they must be asked. */
  passes(head: ParsedHead): boolean {
    if (this.httpVersion && head.httpVersion !== '1.1' && head.httpVersion !== '1.0' && !head.http2) return false;
    const method = head.method;
    if (method !== 'GET' && !this.cleanMethods.has(method)) return false;
    const target = head.target;
    // Origin-form (`/...`) passes `originForm` whatever its settings.
    if (target.charCodeAt(0) !== 0x2f || target.length > this.maxTargetLength) return false;
    if (this.targetMask !== 0 && (targetProblems(head) & this.targetMask) !== 0) return false;
    if (this.headerScanNeeded && !this.headerScanPasses(head)) return false;
    if (this.headerUnderscores && hasUnderscoreName(head)) return false;
    // The rarer checks are asked directly, only when the header they look at is there.
    const settings = this.settings;
    if (this.numericHost && hostIsNumeric(head, settings)) return false;
    if (this.bodyOnGet && bodyOnGet.check(head, settings) !== undefined) return false;
    if (this.expect && head.headers.expect !== undefined && expect.check(head, settings) !== undefined) return false;
    return true;
  }

  /** The questions of the detectors that read the header scan. */
  private headerScanPasses(head: ParsedHead): boolean {
    const scan = headerScan(head);
    if (scan.lines > this.maxHeaders || scan.bytes > this.maxHeaderBytes) return false;
    if ((this.controlChars && scan.controlInValue) || (this.headerNames && scan.invalidName)) return false;
    if (this.duplicateHeaders && scan.duplicateSingleton) return false;
    if (this.hostHeader && (scan.host !== 1 || !wellFormedHost(headerValue(head, 'host')))) return false;
    return !(this.framing && (scan.contentLength > 0 || scan.transferEncoding > 0) && framing.check(head, this.settings) !== undefined);
  }
}

/** The `Target` flags each target detector refuses, under the query strictness of `settings`. */
function targetMask(settings: DetectorSettings, on: (name: keyof DetectorSettings) => boolean): number {
  const strict = settings.strictQuery;
  let mask = 0;
  if (on('fragment')) mask |= Target.fragment;
  if (on('controlChars')) mask |= Target.control | (strict ? Target.queryTab : 0);
  if (on('encoding')) {
    mask |= Target.pathBadPercent | Target.pathBadUtf8 | (strict ? Target.queryBadPercent | Target.queryBadUtf8 : 0);
  }
  if (on('backslash')) mask |= Target.pathBackslash | (strict ? Target.queryBackslash : 0);
  if (on('dotSegments')) mask |= Target.dotSegment;
  if (on('encodedSlash')) mask |= Target.encodedSlash;
  if (on('doubleEncoding')) mask |= Target.pathDoubleEncoding | (strict ? Target.queryDoubleEncoding : 0);
  if (on('emptySegments')) mask |= Target.emptySegment;
  return mask;
}

/**
 * The last Host value found well-formed. A server sees the same few Host values over and over, so
 * comparing with the last one usually replaces the regexps of `hostProblem`.
 */
let lastGoodHost: string | undefined;

/** The last Host value `numericHost` was asked about, and its answer (a pure function of the value). */
let lastNumericHost: string | undefined;
let lastNumericVerdict = false;

/** Whether `numericHost` refuses the request's Host; the same Host as last time is not normalised again. */
function hostIsNumeric(head: ParsedHead, settings: DetectorSettings): boolean {
  const value = headerValue(head, 'host');
  if (value !== undefined && value === lastNumericHost) return lastNumericVerdict;
  const verdict = numericHost.check(head, settings) !== undefined;
  if (typeof value === 'string') {
    lastNumericHost = value;
    lastNumericVerdict = verdict;
  }
  return verdict;
}

/** Whether a Host value passes `hostHeader` (given exactly one Host line). */
function wellFormedHost(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  if (value === lastGoodHost) return true;
  if (hostProblem(value.trim()) !== undefined) return false;
  lastGoodHost = value;
  return true;
}
