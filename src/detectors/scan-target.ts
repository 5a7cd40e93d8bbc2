import type { ParsedHead } from './types.js';

/**
 * One pass over the request target that finds every encoding-level problem at once, as bit flags.
 * It allocates nothing; each target detector reads its own bits, so turning one detector off does
 * not change what the others see, and ten detectors still cost one scan.
 */

/** Bit flags of the problems found in a target. Path and query are told apart where defaults differ. */
export const Target = {
  /** NUL or a control character, raw or percent-encoded (a tab in the query is `queryTab`). */
  control: 1 << 0,
  queryTab: 1 << 1,
  pathBadPercent: 1 << 2,
  queryBadPercent: 1 << 3,
  pathBadUtf8: 1 << 4,
  queryBadUtf8: 1 << 5,
  /** `.` or `..` as a whole segment, raw or encoded; `/`, `%2F`, `\` and `%5C` all separate segments. */
  dotSegment: 1 << 6,
  /** `%2F` in the path. */
  encodedSlash: 1 << 7,
  /** `\` or `%5C` in the path. */
  pathBackslash: 1 << 8,
  /** A raw `\` in the query. */
  queryBackslash: 1 << 9,
  /** `%25` followed by two hex digits: a percent sign that decodes into another escape. */
  pathDoubleEncoding: 1 << 10,
  queryDoubleEncoding: 1 << 11,
  /** `//` in the path. */
  emptySegment: 1 << 12,
  /** A raw `#`: clients keep fragments to themselves. */
  fragment: 1 << 13,
} as const;

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[0x41 + i] = 10 + i;
  HEX[0x61 + i] = 10 + i;
}

function hexAt(s: string, i: number): number {
  const c = s.charCodeAt(i); // NaN past the end, which fails the comparison below
  return c < 128 ? (HEX[c] as number) : -1;
}

/** Width (1 raw, 3 percent-encoded) of a hex digit at `i`, or 0 when there is none. */
function hexDigitWidth(s: string, i: number): number {
  if (hexAt(s, i) >= 0) return 1;
  if (s.charCodeAt(i) !== 0x25) return 0;
  const high = hexAt(s, i + 1);
  const low = hexAt(s, i + 2);
  return high >= 0 && low >= 0 && hexAt(String.fromCharCode(high * 16 + low), 0) >= 0 ? 3 : 0;
}

/** Whether two hex digits, raw or encoded (`32`, `%32%65`), start at `i`: a decoded `%` then forms an escape. */
function decodesToEscape(s: string, i: number): boolean {
  const first = hexDigitWidth(s, i);
  return first > 0 && hexDigitWidth(s, i + first) > 0;
}

/**
 * Characters that change no state of the scan in the path, outside a UTF-8 sequence: printable
 * ASCII other than `%`, `/`, `\`, `.`, `#` and `?`. They are most of a target, so the scan skips
 * them before its general case (in the query the general case still handles them, correctly).
 */
const PLAIN = new Uint8Array(128);
for (let c = 0x20; c < 0x7f; c++) PLAIN[c] = 1;
for (const c of '%/\\.#?') PLAIN[c.charCodeAt(0)] = 0;

/** Scans `target` (path, query and any fragment) and returns a set of `Target` flags; 0 means clean. */
export function scanTarget(target: string): number {
  let problems = 0;
  const length = target.length;
  let inPath = true;
  // UTF-8 state: continuation bytes still expected, and the allowed range of the next one
  // (narrowed after E0, ED, F0, F4 to refuse overlong forms and surrogates).
  let utf8Need = 0;
  let utf8Low = 0x80;
  let utf8High = 0xbf;
  // Dot-segment state for the path: dots seen in this segment, and whether anything else was.
  let segmentDots = 0;
  let segmentOther = false;
  let previousRawSlash = false;

  for (let i = 0; i < length; i++) {
    let byte = target.charCodeAt(i);
    if (byte < 128 && PLAIN[byte] === 1 && utf8Need === 0) {
      if (inPath) {
        segmentOther = true;
        previousRawSlash = false;
      }
      continue;
    }
    let encoded = false;
    if (byte === 0x25 /* % */) {
      const high = hexAt(target, i + 1);
      const low = high < 0 ? -1 : hexAt(target, i + 2);
      if (low < 0) {
        problems |= inPath ? Target.pathBadPercent : Target.queryBadPercent;
        segmentOther = true;
        previousRawSlash = false;
        continue;
      }
      byte = high * 16 + low;
      encoded = true;
      i += 2;
      if (byte === 0x25 && decodesToEscape(target, i + 1)) {
        problems |= inPath ? Target.pathDoubleEncoding : Target.queryDoubleEncoding;
      }
    }

    if (byte < 0x20 || byte === 0x7f || byte > 0xff) {
      problems |= !inPath && byte === 0x09 ? Target.queryTab : Target.control;
    }

    if (utf8Need > 0) {
      if (byte >= utf8Low && byte <= utf8High) {
        utf8Need--;
        utf8Low = 0x80;
        utf8High = 0xbf;
        continue;
      }
      problems |= inPath ? Target.pathBadUtf8 : Target.queryBadUtf8;
      utf8Need = 0;
      utf8Low = 0x80;
      utf8High = 0xbf;
    }
    if (byte >= 0x80) {
      if (byte >= 0xc2 && byte <= 0xdf) utf8Need = 1;
      else if (byte >= 0xe0 && byte <= 0xef) {
        utf8Need = 2;
        if (byte === 0xe0) utf8Low = 0xa0;
        else if (byte === 0xed) utf8High = 0x9f;
      } else if (byte >= 0xf0 && byte <= 0xf4) {
        utf8Need = 3;
        if (byte === 0xf0) utf8Low = 0x90;
        else if (byte === 0xf4) utf8High = 0x8f;
      } else problems |= inPath ? Target.pathBadUtf8 : Target.queryBadUtf8;
      segmentOther = true;
      previousRawSlash = false;
      continue;
    }

    if (!encoded && byte === 0x23 /* # */) {
      problems |= Target.fragment;
      break;
    }
    if (!inPath) {
      if (byte === 0x5c && !encoded) problems |= Target.queryBackslash;
      continue;
    }
    if (!encoded && byte === 0x3f /* ? */) {
      if (segmentDots > 0 && !segmentOther && segmentDots <= 2) problems |= Target.dotSegment;
      if (utf8Need > 0) problems |= Target.pathBadUtf8;
      utf8Need = 0;
      inPath = false;
      continue;
    }
    const slash = byte === 0x2f;
    if (slash || byte === 0x5c /* \ */) {
      if (slash && encoded) problems |= Target.encodedSlash;
      if (!slash) problems |= Target.pathBackslash;
      if (slash && !encoded && previousRawSlash) problems |= Target.emptySegment;
      if (segmentDots > 0 && !segmentOther && segmentDots <= 2) problems |= Target.dotSegment;
      segmentDots = 0;
      segmentOther = false;
      previousRawSlash = slash && !encoded;
      continue;
    }
    previousRawSlash = false;
    if (byte === 0x2e /* . */) segmentDots++;
    else segmentOther = true;
  }
  if (utf8Need > 0) problems |= inPath ? Target.pathBadUtf8 : Target.queryBadUtf8;
  if (inPath && segmentDots > 0 && !segmentOther && segmentDots <= 2) problems |= Target.dotSegment;
  return problems;
}

/**
 * The scan of the last request head seen, so the detectors that share it scan once per request.
 * Detectors run synchronously one after another for one head, so a one-entry cache is exact; it is
 * keyed by the head object (one pointer comparison) rather than by the target's text.
 */
let lastHead: ParsedHead | undefined;
let lastSerial = -1;
let lastProblems = 0;

/**
 * The `Target` flags of this request's target, scanned at most once per request head. The policy
 * refills one head object for every request, so the cache keys on the head and its parse serial.
 */
export function targetProblems(head: ParsedHead): number {
  if (head !== lastHead || head.serial !== lastSerial) {
    lastHead = undefined;
    lastProblems = scanTarget(head.target);
    lastSerial = head.serial;
    lastHead = head;
  }
  return lastProblems;
}
