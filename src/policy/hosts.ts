import { HangupConfigError, show } from '../errors.js';

/**
 * Normalises a Host header value for comparison: lower-case, port removed, one trailing dot
 * removed; IPv6 literals keep their brackets (`[::1]`). Returns `''` for a missing value.
 */
export function normalizeHost(value: string | undefined): string {
  if (value === undefined) return '';
  let host = value.trim().toLowerCase();
  if (host.charCodeAt(0) === 0x5b /* [ */) {
    const close = host.indexOf(']');
    return close === -1 ? host : host.slice(0, close + 1);
  }
  const colon = host.indexOf(':');
  if (colon !== -1) host = host.slice(0, colon);
  if (host.length > 1 && host.charCodeAt(host.length - 1) === 0x2e) host = host.slice(0, -1);
  return host;
}

const NAME = /^(\*\.)?([a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/;
const IPV4_LITERAL = /^\d{1,3}(\.\d{1,3}){3}$/;
const IPV6 = /^\[?([0-9a-f]*:[0-9a-f]*:[0-9a-f:.]*)\]?$/;

/** Matches normalised hosts against the `hosts` option: exact names and `*.suffix` wildcards. */
export class HostMatcher {
  private readonly exact = new Set<string>();
  /** Wildcard suffixes with their leading dot, e.g. `.example.com`. */
  private readonly suffixes: string[] = [];

  constructor(entries: readonly unknown[], option: string) {
    entries.forEach((entry, index) => this.add(entry, `${option}[${index}]`));
  }

  private add(entry: unknown, option: string): void {
    if (typeof entry !== 'string' || entry.trim() === '') {
      throw new HangupConfigError(
        'HANGUP_INVALID_HOST',
        option,
        `expected a host name such as 'example.com' or '*.example.com', got ${show(entry)}.`,
      );
    }
    const value = entry.trim().toLowerCase();
    if (value === '*' || value === '_') {
      throw new HangupConfigError(
        'HANGUP_INVALID_HOST',
        option,
        `${show(entry)} would match every host. Omit the 'hosts' option to allow any host.`,
      );
    }
    const ipv6 = IPV6.exec(value);
    if (ipv6 !== null) {
      this.exact.add(`[${ipv6[1]}]`);
      return;
    }
    if (value.includes('://') || value.includes('/') || /:\d*$/.test(value) || !NAME.test(value)) {
      throw new HangupConfigError(
        'HANGUP_INVALID_HOST',
        option,
        `${show(entry)} is not a host name. Give the bare name without scheme, port or path, ` +
          `e.g. 'example.com', '*.example.com', '127.0.0.1' or '[::1]' (ports are ignored when matching).`,
      );
    }
    const name = value.endsWith('.') ? value.slice(0, -1) : value;
    if (name.startsWith('*.')) this.suffixes.push(name.slice(1));
    else this.exact.add(name);
  }

  /** Whether an IP literal is listed (clients that connect by address send no TLS server name). */
  get hasAddress(): boolean {
    for (const host of this.exact) if (host.charCodeAt(0) === 0x5b /* [ */ || IPV4_LITERAL.test(host)) return true;
    return false;
  }

  /** Whether a normalised host is allowed. */
  matches(host: string): boolean {
    if (this.exact.has(host)) return true;
    for (const suffix of this.suffixes) {
      if (host.length > suffix.length && host.endsWith(suffix)) return true;
    }
    return false;
  }
}
