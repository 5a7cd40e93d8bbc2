import type { DetectorSpec } from './types.js';
import { headerValue } from './headers.js';

/** `Expect` with anything but `100-continue` (RFC 9110 §10.1.1 defines no other expectation). */
export const expect: DetectorSpec = {
  name: 'expect',
  check: (head) => {
    const value: unknown = headerValue(head, 'expect');
    if (value === undefined || (typeof value === 'string' && value.trim().toLowerCase() === '100-continue')) return undefined;
    return 'malformed:expect';
  },
};
