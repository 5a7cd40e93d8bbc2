import type { Detector, ParsedHead } from './types.js';

/**
 * One pass over the request target that finds every encoding-level problem at once: control
 * characters (raw or percent-encoded), invalid percent-encoding, invalid UTF-8 once decoded, and
 * dot segments (raw or encoded). It allocates nothing; each detector below reads its own part of
 * the result, so turning one off does not change what the others see.
 */

/** Bit flags of the problems found in a target. */
export const TargetProblem = {
  control: 1,
  badPercent: 2,
  badUtf8: 4,
  dotSegment: 8,
} as const;

const HEX = new Int8Array(128).fill(-1);
for (let i = 0; i < 10; i++) HEX[0x30 + i] = i;
for (let i = 0; i < 6; i++) {
  HEX[0x41 + i] = 10 + i;
  HEX[0x61 + i] = 10 + i;
}

function hexAt(s: string, i: number): number {
  const c = s.charCodeAt(i);
  return c < 128 ? (HEX[c] as number) : -1;
}

/** Scans `target` (path and query) and returns a set of `TargetProblem` flags; 0 means clean. */
export function scanTarget(target: string): number {
  let problems = 0;
  const length = target.length;
  // UTF-8 state: continuation bytes still expected, and the allowed range of the next one
  // (narrowed after E0, ED, F0, F4 to refuse overlong forms and surrogates).
  let utf8Need = 0;
  let utf8Low = 0x80;
  let utf8High = 0xbf;
  // Dot-segment state for the path: dots seen in this segment, and whether anything else was.
  let inPath = true;
  let segmentDots = 0;
  let segmentOther = false;

  for (let i = 0; i < length; i++) {
    let byte = target.charCodeAt(i);
    let encoded = false;
    if (byte === 0x25 /* % */) {
      const high = hexAt(target, i + 1);
      const low = high < 0 ? -1 : hexAt(target, i + 2);
      if (low < 0) {
        // A stray `%` in the query is common in hand-written links and harmless to the router;
        // in the path it means the path cannot be decoded.
        if (inPath) problems |= TargetProblem.badPercent;
        continue;
      }
      byte = high * 16 + low;
      encoded = true;
      i += 2;
    }

    if (byte < 0x20 || byte === 0x7f || byte > 0xff) {
      problems |= TargetProblem.control;
    }

    if (inPath) {
      if (utf8Need > 0) {
        if (byte < utf8Low || byte > utf8High) {
          problems |= TargetProblem.badUtf8;
          utf8Need = 0;
        } else {
          utf8Need--;
          utf8Low = 0x80;
          utf8High = 0xbf;
          continue;
        }
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
        } else problems |= TargetProblem.badUtf8;
        segmentOther = true;
        continue;
      }
      if (!encoded && (byte === 0x3f /* ? */ || byte === 0x23 /* # */)) {
        if (segmentDots > 0 && !segmentOther && segmentDots <= 2) problems |= TargetProblem.dotSegment;
        inPath = false;
        continue;
      }
      if (byte === 0x2f /* / */ && !encoded) {
        if (segmentDots > 0 && !segmentOther && segmentDots <= 2) problems |= TargetProblem.dotSegment;
        segmentDots = 0;
        segmentOther = false;
      } else if (byte === 0x2e /* . */) {
        segmentDots++;
      } else {
        segmentOther = true;
      }
    }
  }
  if (inPath) {
    if (utf8Need > 0) problems |= TargetProblem.badUtf8;
    if (segmentDots > 0 && !segmentOther && segmentDots <= 2) problems |= TargetProblem.dotSegment;
  }
  return problems;
}

/**
 * Memoises the scan of the last target seen, so the detectors that share it scan once per request.
 * Detectors run synchronously one after another for one request, so a one-entry cache is exact.
 */
let lastTarget: string | undefined;
let lastProblems = 0;
function problemsOf(head: ParsedHead): number {
  if (head.target !== lastTarget) {
    lastTarget = head.target;
    lastProblems = scanTarget(head.target);
  }
  return lastProblems;
}

/** The target must be origin-form: it starts with `/`. */
export const originForm: Detector = {
  name: 'originForm',
  check: (head) => (head.target.charCodeAt(0) === 0x2f ? undefined : 'malformed:not-origin-form'),
};

/** NUL and control characters, raw or percent-encoded, anywhere in the target. */
export const controlChars: Detector = {
  name: 'controlChars',
  check: (head) => (problemsOf(head) & TargetProblem.control ? 'malformed:control-char' : undefined),
};

/** A path that cannot be decoded: invalid percent-encoding or invalid UTF-8. */
export const encoding: Detector = {
  name: 'encoding',
  check: (head) => {
    const problems = problemsOf(head);
    if (problems & TargetProblem.badPercent) return 'malformed:bad-percent-encoding';
    if (problems & TargetProblem.badUtf8) return 'malformed:bad-utf8';
    return undefined;
  },
};

/** `.` or `..` as a whole path segment, raw or percent-encoded. */
export const dotSegments: Detector = {
  name: 'dotSegments',
  check: (head) => (problemsOf(head) & TargetProblem.dotSegment ? 'malformed:dot-segment' : undefined),
};
