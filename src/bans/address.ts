import { BlockList, isIP } from 'node:net';

/**
 * Address keys: what strikes are counted and bans are kept under. IPv4-mapped IPv6
 * (`::ffff:1.2.3.4`) is the IPv4 address; IPv6 is aggregated by prefix (a /64 is one subscriber,
 * who can rotate through 2^64 addresses). Never throws: what is not an IP address has no key.
 */

/** `::ffff:1.2.3.4` as `1.2.3.4`; anything else unchanged. */
export function unmap(address: string): string {
  return address.length > 7 && address.charCodeAt(0) === 58 && address.slice(0, 7).toLowerCase() === '::ffff:' && address.includes('.')
    ? address.slice(7)
    : address;
}

/** The eight 16-bit groups of an IPv6 address, or null when it is not one. */
function ipv6Groups(address: string): number[] | null {
  let text = address;
  const zone = text.indexOf('%');
  if (zone !== -1) text = text.slice(0, zone);
  if (isIP(text) !== 6) return null;
  const groups: number[] = [];
  const halves = text.split('::');
  const parse = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const piece of part.split(':')) {
      if (piece.includes('.')) {
        const [a = 0, b = 0, c = 0, d = 0] = piece.split('.').map(Number);
        out.push((a << 8) | b, (c << 8) | d);
      } else {
        out.push(parseInt(piece, 16));
      }
    }
    return out;
  };
  const head = parse(halves[0] ?? '');
  const tail = halves.length > 1 ? parse(halves[1] ?? '') : [];
  groups.push(...head);
  if (halves.length > 1) for (let i = head.length + tail.length; i < 8; i++) groups.push(0);
  groups.push(...tail);
  return groups.length === 8 ? groups : null;
}

/** The key of an IPv6 address under `prefix`: `2001:db8:1:2::/64` (the full address for 128). */
function ipv6Key(address: string, prefix: number): string | null {
  const groups = ipv6Groups(address);
  if (groups === null) return null;
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    const [, , , , , , hi = 0, lo = 0] = groups;
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  let bits = prefix;
  for (let i = 0; i < 8; i++) {
    const keep = Math.max(0, Math.min(16, bits));
    groups[i] = keep === 0 ? 0 : (groups[i] as number) & ((0xffff << (16 - keep)) & 0xffff);
    bits -= 16;
  }
  const hex = groups.map((g) => g.toString(16));
  if (prefix >= 128) return hex.join(':');
  const used = Math.ceil(prefix / 16);
  return `${hex.slice(0, used).join(':')}${used < 8 ? '::' : ''}/${prefix}`;
}

/** The key `address` is counted and banned under, or null when it is not an IP address (nor a key). */
export function addressKey(address: string, ipv6Prefix: number): string | null {
  if (typeof address !== 'string' || address.length === 0 || address.length > 80) return null;
  const plain = unmap(address);
  if (!plain.includes(':')) return isIP(plain) === 4 ? plain : null;
  const slash = plain.indexOf('/');
  if (slash !== -1) {
    // A key itself (`2001:db8::/64`), as given to guard.bans or read from a store.
    const prefix = Number(plain.slice(slash + 1));
    if (!Number.isInteger(prefix) || prefix < 1 || prefix > 128) return null;
    return ipv6Key(plain.slice(0, slash), prefix);
  }
  return ipv6Key(plain, ipv6Prefix);
}

/**
 * The key of a socket's peer, fast: Node reports IPv4 peers as dotted quads and IPv6 peers in
 * canonical form, so the common IPv4 case costs one character scan.
 */
export function peerKey(remoteAddress: string | undefined, ipv6Prefix: number): string | null {
  if (remoteAddress === undefined) return null;
  if (remoteAddress.charCodeAt(0) !== 58 && !remoteAddress.includes(':')) return remoteAddress;
  return addressKey(remoteAddress, ipv6Prefix);
}

/** The first address of a key's range (the key itself for IPv4 and /128), for allowlist checks. */
export function keyAddress(key: string): string {
  const slash = key.indexOf('/');
  return slash === -1 ? key : key.slice(0, slash);
}

/** An allowlist of addresses and CIDR ranges (validated by the caller); `check` on any IP string. */
export class AddressList {
  private readonly list = new BlockList();
  readonly size: number;

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const [raw = '', prefixText] = entry.trim().split('/');
      const address = unmap(raw);
      const type = isIP(address) === 4 ? 'ipv4' : 'ipv6';
      if (prefixText === undefined) this.list.addAddress(address, type);
      else this.list.addSubnet(address, Number(prefixText), type);
    }
    this.size = entries.length;
  }

  /** Whether `address` (an IP, or a key's first address) is on the list. */
  has(address: string): boolean {
    if (this.size === 0) return false;
    const plain = unmap(keyAddress(address));
    const family = isIP(plain);
    return family !== 0 && this.list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** Whether `entry` is an IP address or a CIDR range. */
export function isAddressOrRange(entry: unknown): boolean {
  if (typeof entry !== 'string') return false;
  const [raw = '', prefixText, extra] = entry.trim().split('/');
  const family = isIP(unmap(raw));
  if (family === 0 || extra !== undefined) return false;
  if (prefixText === undefined) return true;
  return /^\d{1,3}$/.test(prefixText) && Number(prefixText) <= (family === 4 ? 32 : 128);
}

/** One `for=` value of a Forwarded element, without quotes, brackets or port; null when absent. */
function forwardedFor(element: string): string | null {
  for (const pair of element.split(';')) {
    const eq = pair.indexOf('=');
    if (eq === -1 || pair.slice(0, eq).trim().toLowerCase() !== 'for') continue;
    let value = pair.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    if (value.startsWith('[')) {
      const close = value.indexOf(']');
      return close === -1 ? value : value.slice(1, close);
    }
    const colon = value.indexOf(':');
    return colon !== -1 && value.indexOf(':', colon + 1) === -1 ? value.slice(0, colon) : value;
  }
  return null;
}

/** The header's value as one string (Node joins repeated X-Forwarded-For and Forwarded with `, `). */
function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * The client address a trusted proxy forwarded: the rightmost entry of `Forwarded` (`for=`), or
 * else of `X-Forwarded-For`, that is not itself a trusted proxy. Entries left of it were written
 * by the client and may be forged, so they are never used. Null when there is none, or when it is
 * not an IP address (`unknown`, an obfuscated `_name`): such a request is never banned or counted.
 */
export function forwardedClient(
  headers: { readonly [name: string]: string | string[] | undefined } | undefined,
  trusted: (address: string) => boolean,
): string | null {
  if (headers === undefined) return null;
  const forwarded = headerText(headers.forwarded);
  const xff = forwarded === undefined ? headerText(headers['x-forwarded-for']) : undefined;
  const text = forwarded ?? xff;
  if (text === undefined || text.length > 8192) return null;
  const entries = text.split(',');
  for (let i = entries.length - 1; i >= 0; i--) {
    const raw = entries[i] as string;
    const value = forwarded === undefined ? raw.trim() : forwardedFor(raw);
    if (value === null || value === '') return null;
    const address = unmap(value);
    if (isIP(address) === 0) {
      // `1.2.3.4:5678` in X-Forwarded-For (some proxies add the port)
      const colon = address.lastIndexOf(':');
      const withoutPort = colon > 0 && address.indexOf(':') === colon ? address.slice(0, colon) : '';
      if (isIP(withoutPort) !== 4) return null;
      if (!trusted(withoutPort)) return withoutPort;
      continue;
    }
    if (!trusted(address)) return address;
  }
  return null;
}
