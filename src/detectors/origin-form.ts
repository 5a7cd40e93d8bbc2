import type { DetectorSpec } from './types.js';
import { headerValue } from './headers.js';
import { normalizeHost } from '../policy/hosts.js';

/**
 * The target must be origin-form (`/path?query`, RFC 9112 §3.2.1). Absolute-form (`GET http://a/`)
 * is for proxies, authority-form (`host:port`) for CONNECT, and `*` for a server-wide OPTIONS.
 * With `allowAbsoluteForm`, absolute-form passes when it names the host of the Host header.
 */
export const originForm: DetectorSpec = {
  name: 'originForm',
  check: (head, settings) => {
    const target = head.target;
    if (target.charCodeAt(0) === 0x2f /* / */) return undefined;
    if (target === '*' && head.method === 'OPTIONS' && settings.allowOptionsAsterisk) return undefined;
    if (settings.allowAbsoluteForm && head.method !== 'CONNECT') {
      const authority = absoluteFormAuthority(target);
      if (authority !== undefined) {
        return normalizeHost(authority) === normalizeHost(headerValue(head, 'host')) ? undefined : 'malformed:absolute-form-host';
      }
    }
    return 'malformed:not-origin-form';
  },
};

/** The authority of an `http://` or `https://` target with a path, or `undefined` for anything else. */
export function absoluteFormAuthority(target: string): string | undefined {
  const match = /^https?:\/\/([^/?#@\\]+)\//i.exec(target);
  return match?.[1];
}

