import net from 'node:net';
import tls from 'node:tls';
import http2 from 'node:http2';

/**
 * A small HTTP/2 frame reader for the tests: a TCP tap between a client and the server decodes
 * every frame the server sends (RFC 9113 §4.1), so a test asserts what went on the wire whatever
 * client it drives (Node's http2.connect, curl, nghttp). It also tells how the server ended the
 * connection (FIN or RST).
 */

export const FRAME_TYPES = ['DATA', 'HEADERS', 'PRIORITY', 'RST_STREAM', 'SETTINGS', 'PUSH_PROMISE', 'PING', 'GOAWAY', 'WINDOW_UPDATE', 'CONTINUATION'] as const;
export const ERROR_CODES = [
  'NO_ERROR',
  'PROTOCOL_ERROR',
  'INTERNAL_ERROR',
  'FLOW_CONTROL_ERROR',
  'SETTINGS_TIMEOUT',
  'STREAM_CLOSED',
  'FRAME_SIZE_ERROR',
  'REFUSED_STREAM',
  'CANCEL',
  'COMPRESSION_ERROR',
  'CONNECT_ERROR',
  'ENHANCE_YOUR_CALM',
  'INADEQUATE_SECURITY',
  'HTTP_1_1_REQUIRED',
] as const;

/** One decoded frame. */
export interface Frame {
  readonly type: string;
  readonly flags: number;
  readonly stream: number;
  readonly length: number;
  readonly payload: Buffer;
  /** RST_STREAM and GOAWAY: the error code's name. */
  readonly error?: string;
  /** GOAWAY: the last stream id. */
  readonly lastStream?: number;
}

/** Frame flags. */
export const END_STREAM = 0x1;
export const ACK = 0x1;
export const END_HEADERS = 0x4;

/** Decodes frames from a byte stream, chunk by chunk. */
export class FrameReader {
  readonly frames: Frame[] = [];
  private buf = Buffer.alloc(0);
  private skipped = 0;

  constructor(private readonly prefaceBytes = 0) {}

  push(chunk: Buffer): void {
    this.buf = Buffer.concat([this.buf, chunk]);
    if (this.skipped < this.prefaceBytes) {
      const skip = Math.min(this.prefaceBytes - this.skipped, this.buf.length);
      this.skipped += skip;
      this.buf = this.buf.subarray(skip);
    }
    while (this.buf.length >= 9) {
      const length = this.buf.readUIntBE(0, 3);
      if (this.buf.length < 9 + length) return;
      const typeCode = this.buf[3] as number;
      const flags = this.buf[4] as number;
      const stream = this.buf.readUInt32BE(5) & 0x7fffffff;
      const payload = Buffer.from(this.buf.subarray(9, 9 + length));
      this.buf = this.buf.subarray(9 + length);
      const type = FRAME_TYPES[typeCode] ?? `0x${typeCode.toString(16)}`;
      const frame: Frame =
        typeCode === 3
          ? { type, flags, stream, length, payload, error: ERROR_CODES[payload.readUInt32BE(0)] ?? String(payload.readUInt32BE(0)) }
          : typeCode === 7
            ? { type, flags, stream, length, payload, lastStream: payload.readUInt32BE(0) & 0x7fffffff, error: ERROR_CODES[payload.readUInt32BE(4)] ?? String(payload.readUInt32BE(4)) }
            : { type, flags, stream, length, payload };
      this.frames.push(frame);
    }
  }

  /** Bytes not yet a whole frame. */
  get pending(): number {
    return this.buf.length;
  }
}

/** A compact text form of a frame: `RST_STREAM(s1,PROTOCOL_ERROR)`, `HEADERS(s1,END_STREAM|END_HEADERS)`. */
export function show(frame: Frame): string {
  const parts = [`s${frame.stream}`];
  const flags: string[] = [];
  if (frame.type === 'SETTINGS' || frame.type === 'PING') {
    if (frame.flags & ACK) flags.push('ACK');
  } else {
    if (frame.flags & END_STREAM && (frame.type === 'DATA' || frame.type === 'HEADERS')) flags.push('END_STREAM');
    if (frame.flags & END_HEADERS && frame.type !== 'DATA') flags.push('END_HEADERS');
  }
  if (flags.length > 0) parts.push(flags.join('|'));
  if (frame.type === 'GOAWAY') parts.push(`last=${frame.lastStream}`);
  if (frame.error !== undefined) parts.push(frame.error);
  return `${frame.type}(${parts.join(',')})`;
}

/** How the server ended the tapped connection. */
export type TapEnding = 'fin' | 'rst' | 'open';

/** One connection through the tap. */
export interface TappedConnection {
  readonly reader: FrameReader;
  /** Bytes the server sent on this connection. */
  bytes: number;
  ending: TapEnding;
}

/** A TCP tap in front of `serverPort`: clients connect to `port`; every server->client byte is decoded. */
export interface Tap {
  readonly port: number;
  readonly connections: TappedConnection[];
  close(): Promise<void>;
}

/** Starts a tap in front of 127.0.0.1:`serverPort`. */
export async function startTap(
  serverPort: number,
  options: { readonly decode?: boolean; readonly tls?: tls.ConnectionOptions } = {},
): Promise<Tap> {
  const decode = options.decode ?? true;
  const connections: TappedConnection[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    // With `tls`, the tap speaks TLS (ALPN h2) to the server and cleartext HTTP/2 to the client, so
    // the server's frames are decoded from a real TLS connection.
    const upstream: net.Socket =
      options.tls === undefined
        ? net.connect(serverPort, '127.0.0.1')
        : tls.connect({ port: serverPort, host: '127.0.0.1', ALPNProtocols: ['h2'], ...options.tls });
    sockets.add(client);
    sockets.add(upstream);
    const conn: TappedConnection = { reader: new FrameReader(), bytes: 0, ending: 'open' };
    connections.push(conn);
    client.on('data', (d) => upstream.write(d));
    client.on('end', () => upstream.end());
    client.on('error', () => upstream.destroy());
    client.on('close', () => {
      sockets.delete(client);
      upstream.destroy();
    });
    upstream.on('data', (d: Buffer) => {
      conn.bytes += d.length;
      if (decode) conn.reader.push(d);
      client.write(d);
    });
    upstream.on('end', () => {
      if (conn.ending === 'open') conn.ending = 'fin';
      client.end();
    });
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (conn.ending === 'open') conn.ending = error.code === 'ECONNRESET' ? 'rst' : 'fin';
      client.resetAndDestroy();
    });
    upstream.on('close', () => sockets.delete(upstream));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The frames of one stream, shown compactly. */
export function streamFrames(conn: TappedConnection, stream: number): string[] {
  return conn.reader.frames.filter((f) => f.stream === stream).map(show);
}

/** Every frame of a connection, shown compactly. */
export function allFrames(conn: TappedConnection): string[] {
  return conn.reader.frames.map(show);
}

/** What Node's client saw for one request. */
export interface ClientResult {
  readonly status?: number;
  readonly headers?: http2.IncomingHttpHeaders;
  readonly body: string;
  /** The stream's error code (`rstCode`) when it was reset; 0 for a clean end. */
  readonly rstCode: number;
  readonly error?: string;
}

/** Sends one request on `session` and collects what came back (never rejects). */
export function request(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body?: string, timeoutMs = 3000): Promise<ClientResult> {
  return new Promise((resolve) => {
    let status: number | undefined;
    let responseHeaders: http2.IncomingHttpHeaders | undefined;
    let data = '';
    let error: string | undefined;
    let done = false;
    const finish = (rstCode: number): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ status, headers: responseHeaders, body: data, rstCode, error });
    };
    let stream: http2.ClientHttp2Stream;
    try {
      stream = session.request(headers, { endStream: body === undefined });
    } catch (e) {
      resolve({ body: '', rstCode: -1, error: (e as Error).message });
      return;
    }
    const timer = setTimeout(() => {
      error = 'timeout';
      stream.close(http2.constants.NGHTTP2_CANCEL);
      finish(-1);
    }, timeoutMs);
    stream.on('response', (h) => {
      responseHeaders = h;
      status = Number(h[':status']);
    });
    stream.setEncoding('utf8');
    stream.on('data', (d: string) => (data += d));
    stream.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    stream.on('close', () => finish(stream.rstCode ?? 0));
    if (body !== undefined) stream.end(body);
  });
}

/** Connects Node's client to `port` (h2c, prior knowledge) and waits for the session. */
export function connect(port: number): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://127.0.0.1:${port}`);
    session.on('error', () => {});
    session.once('connect', () => resolve(session));
    session.once('error', reject);
  });
}

/** Closes a client session and waits until it is gone. */
export function closeSession(session: http2.ClientHttp2Session): Promise<void> {
  return new Promise((resolve) => {
    if (session.destroyed) return resolve();
    session.once('close', () => resolve());
    session.close();
    setTimeout(() => session.destroy(), 500).unref();
  });
}

/** Encodes one HTTP/2 frame. */
export function frame(type: number, flags: number, stream: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream, 5);
  return Buffer.concat([head, payload]);
}

/** An HPACK string length or index with an `prefixBits`-bit prefix (RFC 7541 §5.1). */
function hpackInt(value: number, prefixBits: number, firstByte: number): number[] {
  const max = (1 << prefixBits) - 1;
  if (value < max) return [firstByte | value];
  const out = [firstByte | max];
  let rest = value - max;
  while (rest >= 128) {
    out.push((rest % 128) + 128);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}

/** A header block of literal fields without indexing and without Huffman: any name and value, as given. */
export function headerBlock(fields: readonly (readonly [string, string])[]): Buffer {
  const bytes: number[] = [];
  for (const [name, value] of fields) {
    const n = Buffer.from(name, 'latin1');
    const v = Buffer.from(value, 'latin1');
    bytes.push(0x00, ...hpackInt(n.length, 7, 0), ...n, ...hpackInt(v.length, 7, 0), ...v);
  }
  return Buffer.from(bytes);
}

export const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

/** What a raw HTTP/2 client received. */
export interface RawH2Result {
  readonly frames: Frame[];
  readonly shown: string[];
  readonly bytes: number;
  readonly ending: TapEnding;
}

/**
 * A raw h2c client: sends the preface, an empty SETTINGS, its ACK of the server's, and one HEADERS
 * frame (END_STREAM|END_HEADERS) per request on streams 1, 3, 5..., then collects every frame the
 * server sends until `waitMs` of silence or the server closes.
 */
export function rawH2(port: number, requests: readonly (readonly (readonly [string, string])[])[], waitMs = 300): Promise<RawH2Result> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const reader = new FrameReader();
    let bytes = 0;
    let ending: TapEnding = 'open';
    let timer: NodeJS.Timeout | undefined;
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ frames: reader.frames, shown: reader.frames.map(show), bytes, ending });
    };
    const arm = (): void => {
      clearTimeout(timer);
      timer = setTimeout(finish, waitMs);
    };
    socket.on('connect', () => {
      const parts = [PREFACE, frame(4, 0, 0), frame(4, ACK, 0)];
      requests.forEach((fields, i) => parts.push(frame(1, END_STREAM | END_HEADERS, 2 * i + 1, headerBlock(fields))));
      socket.write(Buffer.concat(parts));
      arm();
    });
    socket.on('data', (d: Buffer) => {
      bytes += d.length;
      reader.push(d);
      arm();
    });
    socket.on('end', () => {
      if (ending === 'open') ending = 'fin';
      finish();
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (ending === 'open') ending = e.code === 'ECONNRESET' ? 'rst' : 'fin';
      finish();
    });
  });
}

/** The usual pseudo-headers of a GET, with `extra` fields after them. */
export function get(path: string, authority = "127.0.0.1", extra: readonly (readonly [string, string])[] = []): (readonly [string, string])[] {
  return [[':method', 'GET'], [':scheme', 'http'], [':authority', authority], [':path', path], ...extra];
}
