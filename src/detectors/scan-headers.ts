import type { HeaderMap } from '../types.js';
import type { ParsedHead } from './types.js';

/**
 * One pass over the header lines for every header-level detector: how many lines and bytes, which
 * singleton headers repeat, non-token characters in names, control characters in values, and how
 * many Host, Content-Length and Transfer-Encoding lines there are. Like the target scan, it is done
 * once per request and shared. It allocates nothing: names are compared by length and character
 * codes, never lower-cased.
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
  /** Some header name is not an RFC 9110 token (a space before the colon, ...): only a lenient parser lets it through. */
  invalidName: boolean;
  /** Some value holds `%00`, or a raw control character other than tab (only an insecure parser lets those through). */
  controlInValue: boolean;
  /** Host lines (from the header map when there are no raw headers). */
  host: number;
  /** Content-Length lines (likewise). */
  contentLength: number;
  /** Transfer-Encoding lines (likewise). */
  transferEncoding: number;
}

/** The names the scan looks for: the singletons (one bit each), then the three it counts. */
const HOST = singletonHeaders.length;
const CONTENT_LENGTH = HOST + 1;
const TRANSFER_ENCODING = HOST + 2;
const watched: readonly string[] = [...singletonHeaders, 'host', 'content-length', 'transfer-encoding'];

/**
 * Watched names by length and lower-case first character: no two watched names share both, so a
 * header name is compared with at most one of them, and most names (Accept, Cookie, ...) with none.
 * Entry `length * 128 + first` holds the index in `watched` plus one, 0 for none.
 */
const MAX_WATCHED_LENGTH = 32;
const byLengthAndFirst = new Uint8Array(MAX_WATCHED_LENGTH * 128);
watched.forEach((name, index) => {
  const slot = name.length * 128 + name.charCodeAt(0);
  if (name.length >= MAX_WATCHED_LENGTH || byLengthAndFirst[slot] !== 0) throw new Error(`scan-headers: cannot index ${name}`);
  byLengthAndFirst[slot] = index + 1;
});

/**
 * What a header-name character tells the scan, by ASCII code: 0 for a token character (`tchar`,
 * RFC 9110, `_` included), `NAME_INVALID` for anything else. One table lookup per character.
 */
const NAME_INVALID = 1;
const NAME_CLASS = new Uint8Array(128).fill(NAME_INVALID);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") NAME_CLASS[c.charCodeAt(0)] = 0;

/** The index in `watched` of a header name that might be watched (by length and first letter), or -1. */
function candidateIndex(name: string): number {
  const length = name.length;
  if (length >= MAX_WATCHED_LENGTH || length === 0) return -1;
  const first = name.charCodeAt(0) | 0x20; // ASCII letters to lower case; no watched name starts with anything else
  if (first >= 128) return -1;
  return (byLengthAndFirst[length * 128 + first] as number) - 1;
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

/**
 * Watched names as clients usually spell them (`Host`, `User-Agent`, `Content-Length`): one native
 * string comparison settles most names before the character loop of `sameName` is needed.
 */
const canonical: readonly string[] = watched.map((name) => name.replace(/(^|-)[a-z]/g, (s) => s.toUpperCase()));

/** The index in `watched` of a header name, or -1. */
function watchedIndex(name: string): number {
  const index = candidateIndex(name);
  if (index < 0) return -1;
  const lower = watched[index] as string;
  return name === canonical[index] || name === lower || sameName(name, lower) ? index : -1;
}

/** A raw control character other than tab. */
const RAW_CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/**
 * Values up to this length are searched with a character loop; longer ones (cookies, user agents)
 * with the engine's native searches, which cost more to start (about 8 ns each) than a short loop
 * takes to finish (about 1 ns a character). Without the strict parser two searches are needed,
 * so the loop pays off on longer values.
 */
const SHORT_VALUE = 6;
const SHORT_VALUE_RAW_CONTROLS = 48;

/**
 * `%00` (the encoded NUL), or a raw control character other than tab unless the strict parser has
 * already refused those, in a header value.
 */
function hasControl(value: string, rawControls: boolean): boolean {
  const length = value.length;
  if (length > (rawControls ? SHORT_VALUE_RAW_CONTROLS : SHORT_VALUE)) {
    // A single-character search is the cheapest native one; most values have no `%` at all.
    const percent = value.indexOf('%');
    return (percent !== -1 && value.indexOf('%00', percent) !== -1) || (rawControls && RAW_CONTROL.test(value));
  }
  for (let i = 0; i < length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x25 /* % */) {
      if (value.charCodeAt(i + 1) === 0x30 && value.charCodeAt(i + 2) === 0x30) return true;
    } else if (rawControls && ((c < 0x20 && c !== 0x09) || c === 0x7f)) return true;
  }
  return false;
}

const result: HeaderScan = {
  lines: 0,
  bytes: 0,
  duplicateSingleton: false,
  invalidName: false,
  controlInValue: false,
  host: 0,
  contentLength: 0,
  transferEncoding: 0,
};

/**
 * What a header name tells the scan, packed: the `NAME_INVALID` bit, and the index in `watched`
 * plus one shifted by `WATCHED_SHIFT` (0: not watched).
 */
const WATCHED_SHIFT = 1;

/**
 * Reads a header name character by character: its classes, and which watched name it is. No cache
 * by name: Node gives every request fresh header strings, and hashing one for a map costs more
 * (about 28 ns here) than this loop over it (about 10 ns).
 */
function classifyName(name: string): number {
  const length = name.length;
  let index = candidateIndex(name);
  const lower = index >= 0 ? (watched[index] as string) : '';
  let classes = length === 0 ? NAME_INVALID : 0;
  for (let i = 0; i < length; i++) {
    const c = name.charCodeAt(i);
    classes |= c < 128 ? (NAME_CLASS[c] as number) : NAME_INVALID;
    if (index >= 0 && (c >= 0x41 && c <= 0x5a ? c | 0x20 : c) !== lower.charCodeAt(i)) index = -1;
  }
  return classes | ((index + 1) << WATCHED_SHIFT);
}

/**
 * Counts one header line. Names from the strict parser are tokens already (llhttp answers any other
 * name with `HPE_INVALID_HEADER_TOKEN` before a request exists), so only a possibly watched name is
 * read, and only to tell which one it is; other names are classified character by character.
 */
function visit(name: string, value: string, seen: number, strict: boolean): number {
  result.lines++;
  result.bytes += name.length + value.length;
  if (!result.controlInValue && hasControl(value, !strict)) result.controlInValue = true;
  let index: number;
  if (strict) {
    index = watchedIndex(name);
  } else {
    const info = classifyName(name);
    if ((info & NAME_INVALID) !== 0) result.invalidName = true;
    index = (info >> WATCHED_SHIFT) - 1;
  }
  if (index < 0) return seen;
  if (index === HOST) result.host++;
  else if (index === CONTENT_LENGTH) result.contentLength++;
  else if (index === TRANSFER_ENCODING) result.transferEncoding++;
  else {
    const bit = 1 << index;
    if (seen & bit) result.duplicateSingleton = true;
    return seen | bit;
  }
  return seen;
}

/** How many lines of a header a header map stands for (without raw headers): an array counts its items. */
function mapCount(headers: HeaderMap, name: string): number {
  const value = headers[name];
  if (value === undefined) return 0;
  return Array.isArray(value) ? value.length : 1;
}

/** Scans the header lines; falls back to the parsed header map when the caller gave no raw headers. */
export function scanHeaders(head: ParsedHead): HeaderScan {
  result.lines = 0;
  result.bytes = 0;
  result.duplicateSingleton = false;
  result.invalidName = false;
  result.controlInValue = false;
  result.host = 0;
  result.contentLength = 0;
  result.transferEncoding = 0;
  let seen = 0;
  const strict = head.parsedStrictly;
  const raw = head.rawHeaders;
  if (raw.length > 0) {
    for (let i = 0; i + 1 < raw.length; i += 2) seen = visit(raw[i] as string, raw[i + 1] as string, seen, strict);
    // An odd last name without a value still counts as a line of its header, as it always has.
    if (raw.length % 2 === 1) countOnly(raw[raw.length - 1] as string);
    return result;
  }
  const headers = head.headers;
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value === 'string') seen = visit(name, value, seen, strict);
    else if (Array.isArray(value)) for (const item of value) seen = visit(name, String(item), seen, strict);
  }
  // Without raw headers, a header is known by its lower-case key only.
  result.host = mapCount(headers, 'host');
  result.contentLength = mapCount(headers, 'content-length');
  result.transferEncoding = mapCount(headers, 'transfer-encoding');
  return result;
}

/** Counts a trailing name with no value among Host, Content-Length and Transfer-Encoding. */
function countOnly(name: string): void {
  const index = watchedIndex(name);
  if (index === HOST) result.host++;
  else if (index === CONTENT_LENGTH) result.contentLength++;
  else if (index === TRANSFER_ENCODING) result.transferEncoding++;
}

let lastHead: ParsedHead | undefined;
let lastSerial = -1;

/**
 * The header scan of this request head, done at most once per head: the screen and the detectors
 * of one `decide()` share the head object, so a one-entry cache keyed by it and by its parse serial
 * (the policy refills one head for every request) is exact.
 */
export function headerScan(head: ParsedHead): Readonly<HeaderScan> {
  if (head !== lastHead || head.serial !== lastSerial) {
    lastHead = undefined;
    scanHeaders(head);
    lastSerial = head.serial;
    lastHead = head;
  }
  return result;
}

/**
 * Whether some header name contains `_`. Asked apart from the scan, and only when the
 * `headerUnderscores` detector is on (the strict preset): `_` is a token character, so finding it
 * means reading every name, which the scan of a strictly parsed request otherwise never does.
 */
export function hasUnderscoreName(head: ParsedHead): boolean {
  const raw = head.rawHeaders;
  if (raw.length > 0) {
    for (let i = 0; i < raw.length; i += 2) if ((raw[i] as string).indexOf('_') !== -1) return true;
    return false;
  }
  for (const name in head.headers) if (name.indexOf('_') !== -1) return true;
  return false;
}
