/**
 * A TLS 1.2/1.3 ClientHello, byte for byte what a browser or scanner sends first when it speaks
 * TLS to a port that serves plain HTTP. Built by hand so the probe needs no TLS stack.
 */

/** Prefixes `body` with its length as a big-endian integer of `size` bytes. */
function withLength(size: 1 | 2 | 3, body: Buffer): Buffer {
  const length = Buffer.alloc(size);
  length.writeUIntBE(body.length, 0, size);
  return Buffer.concat([length, body]);
}

/** One TLS extension: type, then its length-prefixed data. */
function extension(type: number, data: Buffer): Buffer {
  const header = Buffer.alloc(2);
  header.writeUInt16BE(type);
  return Buffer.concat([header, withLength(2, data)]);
}

/** The ClientHello record for `serverName` (sent as SNI). */
export function tlsClientHello(serverName: string): Buffer {
  const name = Buffer.from(serverName, 'ascii');
  const sni = extension(0x0000, withLength(2, Buffer.concat([Buffer.from([0x00]), withLength(2, name)])));
  const supportedVersions = extension(0x002b, withLength(1, Buffer.from([0x03, 0x04, 0x03, 0x03])));
  const groups = extension(0x000a, withLength(2, Buffer.from([0x00, 0x1d, 0x00, 0x17])));
  const signatures = extension(0x000d, withLength(2, Buffer.from([0x04, 0x03, 0x08, 0x04, 0x04, 0x01])));
  const hello = Buffer.concat([
    Buffer.from([0x03, 0x03]), // legacy_version TLS 1.2
    Buffer.alloc(32, 0x42), // random (fixed: it is a probe, not a session)
    withLength(1, Buffer.alloc(0)), // session id
    withLength(2, Buffer.from([0x13, 0x01, 0x13, 0x02, 0xc0, 0x2f, 0xc0, 0x2b])), // cipher suites
    withLength(1, Buffer.from([0x00])), // compression: null
    withLength(2, Buffer.concat([sni, supportedVersions, groups, signatures])),
  ]);
  const handshake = Buffer.concat([Buffer.from([0x01]), withLength(3, hello)]);
  return Buffer.concat([Buffer.from([0x16, 0x03, 0x01]), withLength(2, handshake)]);
}
