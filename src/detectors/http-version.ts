import type { DetectorSpec } from './types.js';

/**
 * Only HTTP/1.0 and HTTP/1.1 are served on an HTTP/1 connection (HTTP/0.9, 1.2, 2.0 in a request
 * line are not); `2.0` only on an HTTP/2 stream.
 */
export const httpVersion: DetectorSpec = {
  name: 'httpVersion',
  check: (head) =>
    head.httpVersion === '1.1' || head.httpVersion === '1.0' || (head.http2 && head.httpVersion === '2.0') ? undefined : 'malformed:http-version',
};
