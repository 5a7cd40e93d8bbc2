import type { Detector } from './types.js';
import { headerValue } from './headers.js';

/**
 * Request smuggling through ambiguous framing: a body length given twice (Content-Length and
 * Transfer-Encoding), or Transfer-Encoding on GET and HEAD, which have no body a server should read.
 */
export const framing: Detector = {
  name: 'framing',
  check: (head) => {
    const transferEncoding = headerValue(head, 'transfer-encoding');
    if (transferEncoding === undefined) return undefined;
    if (headerValue(head, 'content-length') !== undefined) return 'smuggling:content-length-with-transfer-encoding';
    if (head.method === 'GET' || head.method === 'HEAD') return 'smuggling:transfer-encoding-on-get';
    return undefined;
  },
};
