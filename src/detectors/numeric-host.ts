import type { DetectorSpec } from './types.js';
import { headerValue } from './headers.js';
import { normalizeHost } from '../policy/hosts.js';

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * A numeric IP as Host (CRS 920350): browsers that reached the site by name never send one, while
 * scanners sweeping address ranges always do. Off by default: health checks and local development
 * use IPs.
 */
export const numericHost: DetectorSpec = {
  name: 'numericHost',
  check: (head) => {
    const value: unknown = headerValue(head, 'host');
    if (typeof value !== 'string') return undefined;
    const host = normalizeHost(value);
    return host.charCodeAt(0) === 0x5b /* [ */ || IPV4.test(host) ? 'host:numeric-ip' : undefined;
  },
};
