import type { ParsedHead } from './types.js';

/**
 * One pass over the header lines for every header-level detector: how many lines and bytes, which
 * singleton headers repeat, underscores in names, control characters in values. Like the target
 * scan, it is done once per request and shared.
 */

/**
 * Headers a request carries at most once. Node keeps only the first of most of these and silently
 * drops the rest, so a repeat means a front end and Node may disagree about the request.
 * Host and Content-Length are left to the Host and framing detectors, which report them precisely.
 */
export const singletonHeaders: readonly string[] = [
  'authorization',
  'proxy-authorization',
  'content-type',
  'user-agent',
  'referer',
  'origin',
  'range',
  'if-range',
  'if-modified-since',
  'if-unmodified-since',
  'max-forwards',
  'from',
  'expect',
];

/** What the scan found. */
export interface HeaderScan {
  /** Header lines. */
  lines: number;
  /** Bytes of names and values (without separators and line ends). */
  bytes: number;
  /** Some singleton header appears more than once. */
  duplicateSingleton: boolean;
  /** Some header name contains `_`. */
  underscore: boolean;
  /** Some header name is not an RFC 9110 token (a space before the colon, ...): only a lenient parser lets it through. */
  invalidName: boolean;
  /** Some value holds `%00`, or a raw control character other than tab (only an insecure parser lets those through). */
  controlInValue: boolean;
}

/** Whether `name` equals the lower-case `lower`, ignoring ASCII case, without allocating. */
function sameName(name: string, lower: string): boolean {
  if (name.length !== lower.length) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if ((c >= 0x41 && c <= 0x5a ? c | 0x20 : c) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

function hasControl(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return true;
  }
  return value.includes('%00');
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const result: HeaderScan = { lines: 0, bytes: 0, duplicateSingleton: false, underscore: false, invalidName: false, controlInValue: false };

function visit(name: string, value: string, seen: number): number {
  result.lines++;
  result.bytes += name.length + value.length;
  if (name.includes('_')) result.underscore = true;
  if (!result.invalidName && !TOKEN.test(name)) result.invalidName = true;
  if (!result.controlInValue && hasControl(value)) result.controlInValue = true;
  for (let s = 0; s < singletonHeaders.length; s++) {
    if (!sameName(name, singletonHeaders[s] as string)) continue;
    const bit = 1 << s;
    if (seen & bit) result.duplicateSingleton = true;
    return seen | bit;
  }
  return seen;
}

/** Scans the header lines; falls back to the parsed header map when the caller gave no raw headers. */
export function scanHeaders(head: ParsedHead): HeaderScan {
  result.lines = 0;
  result.bytes = 0;
  result.duplicateSingleton = false;
  result.underscore = false;
  result.invalidName = false;
  result.controlInValue = false;
  let seen = 0;
  const raw = head.rawHeaders;
  if (raw.length > 0) {
    for (let i = 0; i + 1 < raw.length; i += 2) seen = visit(raw[i] as string, raw[i + 1] as string, seen);
    return result;
  }
  for (const [name, value] of Object.entries(head.headers)) {
    if (typeof value === 'string') seen = visit(name, value, seen);
    else if (Array.isArray(value)) for (const item of value) seen = visit(name, String(item), seen);
  }
  return result;
}

let lastRaw: readonly string[] | undefined;

/**
 * The header scan of this request, done at most once per request: Node gives every request a new
 * `rawHeaders` array, so the last result is reused while the array is the same. A hand-made head
 * without raw headers is scanned every time (its header map may have been changed in between).
 */
export function headerScan(head: ParsedHead): Readonly<HeaderScan> {
  if (head.rawHeaders.length === 0 || head.rawHeaders !== lastRaw) {
    lastRaw = undefined;
    scanHeaders(head);
    if (head.rawHeaders.length > 0) lastRaw = head.rawHeaders;
  }
  return result;
}
