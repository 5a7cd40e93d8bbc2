import { BlockList, isIP } from 'node:net';
import { HangupConfigError, show } from './errors.js';

/**
 * Proxy-aware mode. Behind a reverse proxy or CDN a silent close becomes the proxy's 502/504/520
 * and clients retry, so requests that arrived through a proxy are refused with the fixed 404 and
 * `Connection: close` instead. Which connections count as "through a proxy" is decided here.
 */
export interface ProxyMode {
  /** Whether a connection from `remoteAddress` came through one of the proxies. */
  readonly isProxied: (remoteAddress: string | undefined) => boolean;
  /** One line for the start-up log. */
  readonly description: string;
}

const everyone: ProxyMode = {
  isProxied: () => true,
  description: 'behindProxy: every connection is treated as coming through a proxy',
};

/** IPv4-mapped IPv6 (`::ffff:10.0.0.1`, what a dual-stack server reports) as plain IPv4. */
function unmap(address: string): string {
  return address.length > 7 && address.slice(0, 7).toLowerCase() === '::ffff:' && address.includes('.') ? address.slice(7) : address;
}

function addEntry(list: BlockList, entry: unknown, option: string): void {
  const fail = (): never => {
    throw new HangupConfigError(
      'HANGUP_INVALID_OPTIONS',
      option,
      `expected an IP address or a CIDR range such as '10.0.0.0/8', '127.0.0.1', '::1' or 'fd00::/8', got ${show(entry)}.`,
    );
  };
  if (typeof entry !== 'string') return fail();
  const [rawAddress = '', prefixText, extra] = entry.trim().split('/');
  const address = unmap(rawAddress);
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return fail();
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (prefixText === undefined) {
    list.addAddress(address, type);
    return;
  }
  const prefix = Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText) || prefix > (family === 4 ? 32 : 128)) return fail();
  list.addSubnet(address, prefix, type);
}

/**
 * Compiles `behindProxy` and `trustedProxies` (validated here, throwing `HangupConfigError`), or
 * returns `null` when neither is set and drops stay drops.
 */
export function compileProxyMode(behindProxy: unknown, trustedProxies: unknown): ProxyMode | null {
  if (behindProxy !== undefined && typeof behindProxy !== 'boolean') {
    throw new HangupConfigError('HANGUP_INVALID_OPTIONS', 'behindProxy', `expected true or false, got ${show(behindProxy)}.`);
  }
  if (trustedProxies === undefined) return behindProxy === true ? everyone : null;
  if (behindProxy === true) {
    throw new HangupConfigError(
      'HANGUP_INVALID_OPTIONS',
      'trustedProxies',
      `behindProxy: true already treats every connection as proxied. Give one of them: behindProxy for all, or trustedProxies for these addresses only.`,
    );
  }
  if (!Array.isArray(trustedProxies) || trustedProxies.length === 0) {
    throw new HangupConfigError(
      'HANGUP_INVALID_OPTIONS',
      'trustedProxies',
      `expected a non-empty array of addresses or CIDR ranges such as ['10.0.0.0/8', '127.0.0.1'], got ${show(trustedProxies)}.`,
    );
  }
  const list = new BlockList();
  trustedProxies.forEach((entry: unknown, i) => addEntry(list, entry, `trustedProxies[${i}]`));
  return {
    isProxied: (remoteAddress) => {
      if (typeof remoteAddress !== 'string') return false;
      const address = unmap(remoteAddress);
      const family = isIP(address);
      return family !== 0 && list.check(address, family === 4 ? 'ipv4' : 'ipv6');
    },
    description: `trustedProxies: connections from ${trustedProxies.join(', ')} are treated as coming through a proxy`,
  };
}
