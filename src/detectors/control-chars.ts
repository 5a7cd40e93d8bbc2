import type { DetectorSpec } from './types.js';
import { Target, targetProblems } from './scan-target.js';
import { headerScan } from './scan-headers.js';

/**
 * NUL and control characters, raw or percent-encoded, in path and query (`%00`, `%0d%0a`: null-byte
 * truncation, header and log injection). A tab in the query (a pasted search term) is let through
 * unless `strictQuery`. Header values with `%00` or a raw control character are refused too.
 */
export const controlChars: DetectorSpec = {
  name: 'controlChars',
  check: (head, settings) => {
    const found = targetProblems(head) & (settings.strictQuery ? Target.control | Target.queryTab : Target.control);
    if (found || headerScan(head).controlInValue) return 'malformed:control-char';
    return undefined;
  },
};
