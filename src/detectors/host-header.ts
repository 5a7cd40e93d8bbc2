import type { DetectorSpec } from './types.js';
import { headerValue } from './headers.js';
import { headerScan } from './scan-headers.js';

/**
 * Host (RFC 9112 §3.2, RFC 3986 §3.2.2): exactly one on HTTP/1.1 (and on 1.0 with `hostOnHttp10`),
 * not empty, a plain name, IPv4 or bracketed IPv6 with an optional port from 1 to 65535. No
 * userinfo (`user@host`), no percent-escapes, no spaces, no `..`: each is a way to make a proxy, a
 * cache and the application disagree about which site was asked for.
 */
export const hostHeader: DetectorSpec = {
  name: 'hostHeader',
  check: (head, settings) => {
    const count = headerScan(head).host;
    if (count > 1) return 'host:duplicate';
    if (count === 0) return head.httpVersion === '1.0' && !settings.hostOnHttp10 ? undefined : 'host:missing';
    const value: unknown = headerValue(head, 'host');
    if (typeof value !== 'string') return 'host:invalid';
    return hostProblem(value.trim());
  },
};

const NAME_CHAR = /^[A-Za-z0-9._-]+$/;
const IPV6_LITERAL = /^\[[0-9A-Fa-f:.]+\]$/;

/** What is wrong with a Host value (already trimmed), or `undefined` when it is well-formed. */
export function hostProblem(value: string): string | undefined {
  if (value === '') return 'host:empty';
  if (value.includes('@')) return 'host:userinfo';
  let name = value;
  let port: string | undefined;
  if (value.charCodeAt(0) === 0x5b /* [ */) {
    const close = value.indexOf(']');
    if (close === -1) return 'host:invalid';
    name = value.slice(0, close + 1);
    const rest = value.slice(close + 1);
    if (rest !== '') {
      if (rest.charCodeAt(0) !== 0x3a /* : */) return 'host:invalid';
      port = rest.slice(1);
    }
    if (!IPV6_LITERAL.test(name)) return 'host:invalid';
  } else {
    const colon = value.indexOf(':');
    if (colon !== -1) {
      name = value.slice(0, colon);
      port = value.slice(colon + 1);
    }
    if (!NAME_CHAR.test(name) || name.includes('..') || name.charCodeAt(0) === 0x2e) return 'host:invalid';
  }
  // An empty port (`example.com:`) is allowed by RFC 3986; anything else must be 1 to 65535.
  if (port !== undefined && port !== '') {
    if (!/^\d{1,5}$/.test(port)) return port.includes(':') ? 'host:invalid' : 'host:bad-port';
    const number = Number(port);
    if (number < 1 || number > 65535) return 'host:bad-port';
  }
  return undefined;
}
