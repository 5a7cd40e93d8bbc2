/**
 * Reads the first flight a TLS client sends (its ClientHello) from raw TCP bytes, before Node's
 * TLS layer sees them, to learn the server name (SNI) and the application protocols (ALPN) it asks
 * for. Pure and bounded: every length is checked against the bytes that hold it, the message may
 * span several TLS records (reassembled up to `MAX_CLIENT_HELLO_BYTES`), and nothing throws.
 */

/** The most bytes of records read for one ClientHello; a larger one is refused as malformed. */
export const MAX_CLIENT_HELLO_BYTES = 32 * 1024;

/** What the first bytes of a connection to a TLS port are. */
export type ClientHelloRead =
  /** Not enough bytes yet to tell. */
  | { readonly kind: 'incomplete' }
  /** Not TLS at all: an HTTP/1 request line, an HTTP/2 connection preface, or anything else. */
  | { readonly kind: 'not-tls'; readonly what: 'plain-http' | 'http2-preface' | 'garbage' }
  /** TLS records that do not hold a well-formed ClientHello, or one over the size limit. */
  | { readonly kind: 'malformed'; readonly why: string }
  | { readonly kind: 'hello'; readonly hello: ClientHello };

/** What hangup reads from a ClientHello. */
export interface ClientHello {
  /** The host_name in the server_name extension (as sent, latin1), or null when there is none. */
  readonly serverName: string | null;
  /** The protocols of the ALPN extension in the client's order, or null when there is none. */
  readonly alpn: readonly string[] | null;
  /** How many bytes of records the ClientHello took. */
  readonly length: number;
}

const INCOMPLETE: ClientHelloRead = Object.freeze({ kind: 'incomplete' });
const RECORD_HEADER = 5;
const HANDSHAKE = 22;
const CLIENT_HELLO = 1;
/** TLS records are at most 2^14 bytes of plaintext. */
const MAX_RECORD = 16384;
const HTTP2_PREFACE = 'PRI * HTTP/2.0\r\n';

/** What non-TLS bytes are, from their start (undefined: too few bytes to tell). */
function notTls(buf: Buffer): 'plain-http' | 'http2-preface' | 'garbage' | undefined {
  const head = buf.toString('latin1', 0, Math.min(buf.length, 24));
  const token = /^[A-Za-z-]{1,20}/.exec(head);
  if (token === null) return 'garbage';
  if (token[0].length === head.length) return head.length > 20 ? 'garbage' : undefined; // a method still coming
  if (head.charCodeAt(token[0].length) !== 0x20) return 'garbage';
  return token[0] === 'PRI' && HTTP2_PREFACE.startsWith(head.slice(0, HTTP2_PREFACE.length)) ? 'http2-preface' : 'plain-http';
}

/**
 * Reads the ClientHello at the start of `buf` (all bytes received so far on the connection).
 * `incomplete` asks for more bytes; the caller bounds how many and for how long.
 */
export function readClientHello(buf: Buffer): ClientHelloRead {
  try {
    return readUnsafe(buf);
  } catch {
    // Only a bug lands here (every read is bounds-checked): fail closed.
    return { kind: 'malformed', why: 'unreadable' };
  }
}

function readUnsafe(buf: Buffer): ClientHelloRead {
  if (buf.length === 0) return INCOMPLETE;
  if (buf[0] !== HANDSHAKE) {
    const what = notTls(buf);
    return what === undefined ? INCOMPLETE : { kind: 'not-tls', what };
  }
  // Reassemble the handshake message from consecutive handshake records.
  const fragments: Buffer[] = [];
  let have = 0;
  let need = -1;
  let p = 0;
  while (true) {
    if (p + RECORD_HEADER > buf.length) return tooLarge(p) ?? INCOMPLETE;
    if (buf[p] !== HANDSHAKE) return { kind: 'malformed', why: 'record type' };
    if (buf[p + 1] !== 3) return { kind: 'malformed', why: 'record version' };
    const length = buf.readUInt16BE(p + 3);
    if (length === 0 || length > MAX_RECORD) return { kind: 'malformed', why: 'record length' };
    if (p + RECORD_HEADER + length > MAX_CLIENT_HELLO_BYTES) return { kind: 'malformed', why: 'too large' };
    if (p + RECORD_HEADER + length > buf.length) return INCOMPLETE;
    fragments.push(buf.subarray(p + RECORD_HEADER, p + RECORD_HEADER + length));
    have += length;
    p += RECORD_HEADER + length;
    if (need === -1 && have >= 4) {
      const first = fragments.length === 1 ? fragments[0]! : Buffer.concat(fragments);
      if (first[0] !== CLIENT_HELLO) return { kind: 'malformed', why: 'handshake type' };
      need = 4 + first.readUIntBE(1, 3);
      if (need > MAX_CLIENT_HELLO_BYTES) return { kind: 'malformed', why: 'too large' };
    }
    if (need !== -1 && have >= need) {
      // Bytes after the ClientHello in its last record would be a second message: not a first flight.
      if (have > need) return { kind: 'malformed', why: 'trailing handshake bytes' };
      const message = fragments.length === 1 ? fragments[0]! : Buffer.concat(fragments);
      const hello = parseBody(message, 4, need);
      return hello === null ? { kind: 'malformed', why: 'client hello body' } : { kind: 'hello', hello: { ...hello, length: p } };
    }
  }
}

function tooLarge(consumed: number): ClientHelloRead | undefined {
  return consumed >= MAX_CLIENT_HELLO_BYTES ? { kind: 'malformed', why: 'too large' } : undefined;
}

/** Parses a ClientHello body in `m[start, end)`; null when any length overruns. */
function parseBody(m: Buffer, start: number, end: number): Omit<ClientHello, 'length'> | null {
  let p = start;
  if (p + 2 + 32 + 1 > end) return null;
  if (m[p] !== 3) return null; // legacy_version 3.x
  p += 2 + 32; // version, random
  const sessionId = m[p]!;
  if (sessionId > 32) return null;
  p += 1 + sessionId;
  if (p + 2 > end) return null;
  const suites = m.readUInt16BE(p);
  if (suites === 0 || suites % 2 !== 0) return null;
  p += 2 + suites;
  if (p + 1 > end) return null;
  const compression = m[p]!;
  if (compression === 0) return null;
  p += 1 + compression;
  if (p > end) return null;
  if (p === end) return { serverName: null, alpn: null }; // no extensions (SSL 3.0-style hello)
  if (p + 2 > end) return null;
  const extEnd = p + 2 + m.readUInt16BE(p);
  if (extEnd !== end) return null;
  p += 2;
  let serverName: string | null = null;
  let alpn: string[] | null = null;
  const seen: number[] = [];
  while (p < extEnd) {
    if (p + 4 > extEnd) return null;
    const type = m.readUInt16BE(p);
    const length = m.readUInt16BE(p + 2);
    p += 4;
    if (p + length > extEnd) return null;
    if (seen.includes(type)) return null; // RFC 8446 4.2: at most one extension of each type
    seen.push(type);
    if (type === 0x0000) {
      serverName = readServerName(m, p, p + length);
      if (serverName === null) return null;
    } else if (type === 0x0010) {
      alpn = readAlpn(m, p, p + length);
      if (alpn === null) return null;
    }
    p += length;
  }
  return { serverName, alpn };
}

/** The host_name of a server_name extension in `m[p, end)`; null when malformed. */
function readServerName(m: Buffer, p: number, end: number): string | null {
  if (p + 2 > end || p + 2 + m.readUInt16BE(p) !== end) return null;
  p += 2;
  let name: string | null = null;
  while (p < end) {
    if (p + 3 > end) return null;
    const type = m[p]!;
    const length = m.readUInt16BE(p + 1);
    p += 3;
    if (length === 0 || p + length > end) return null;
    if (type === 0) {
      if (name !== null) return null; // two host_names
      name = m.toString('latin1', p, p + length);
    }
    p += length;
  }
  return name;
}

/** The protocol names of an ALPN extension in `m[p, end)`; null when malformed. */
function readAlpn(m: Buffer, p: number, end: number): string[] | null {
  if (p + 2 > end || p + 2 + m.readUInt16BE(p) !== end) return null;
  p += 2;
  const names: string[] = [];
  while (p < end) {
    const length = m[p]!;
    p += 1;
    if (length === 0 || p + length > end) return null;
    names.push(m.toString('latin1', p, p + length));
    p += length;
  }
  return names.length === 0 ? null : names;
}
