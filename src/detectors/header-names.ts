import type { DetectorSpec } from './types.js';
import { headerScan } from './scan-headers.js';

/**
 * A header name that is not a token (`Transfer-Encoding : chunked`). llhttp refuses it; behind
 * `insecureHTTPParser` it arrives, and a lenient parser may still honour it as the header it
 * resembles (the classic way to hide Transfer-Encoding from a front end).
 */
export const headerNames: DetectorSpec = {
  name: 'headerNames',
  check: (head) => (headerScan(head).invalidName ? 'malformed:header-name' : undefined),
};
