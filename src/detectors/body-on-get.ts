import type { DetectorSpec } from './types.js';
import { headerValue } from './headers.js';

/**
 * A body on GET or HEAD (Content-Length above 0, CRS 920170): the body has no meaning there
 * (RFC 9110 §9.3.1), and a front end that ignores it leaves it to be read as the next request.
 * Off by default: some search APIs (Elasticsearch clients) send GET with a body.
 */
export const bodyOnGet: DetectorSpec = {
  name: 'bodyOnGet',
  check: (head) => {
    if (head.method !== 'GET' && head.method !== 'HEAD') return undefined;
    const length = headerValue(head, 'content-length');
    return length === undefined || /^\s*0+\s*$/.test(String(length)) ? undefined : 'malformed:body-on-get';
  },
};
