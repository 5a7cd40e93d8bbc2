import type { Detector } from './types.js';
import { countHeader, headerValue } from './headers.js';

/**
 * HTTP/1.1 requires exactly one Host header (RFC 9112 §3.2). A missing Host on 1.1, an empty one,
 * or more than one (a classic smuggling and cache-poisoning vector) is malformed.
 */
export const hostHeader: Detector = {
  name: 'hostHeader',
  check: (head) => {
    const count = countHeader(head, 'host');
    if (count > 1) return 'host:duplicate';
    if (count === 0) return head.httpVersion === '1.0' ? undefined : 'host:missing';
    const value = headerValue(head, 'host');
    if (value === undefined || value.trim() === '') return 'host:empty';
    return undefined;
  },
};
