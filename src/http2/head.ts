import type { IncomingHttpHeaders, ServerHttp2Stream } from 'node:http2';
import type { HeaderMap, RequestHead } from '../types.js';

/**
 * The request head of an HTTP/2 stream, as the policy reads it: `:method` is the method, `:path`
 * the target, `:authority` the Host (a `host` header that names the same site is folded into it),
 * `httpVersion` is `'2.0'`, and the regular headers are what nghttp2 handed over, without the
 * pseudo-headers. Built once per stream and kept on it, so the compat API's request, the core API's
 * stream, `wrap()` and the adapters all decide, and report, one and the same head.
 */

/** Marks a head built here: only such a head may say HTTP/2.0 (a request line claiming it is a drop). */
export const HTTP2_HEAD = Symbol('hangup.http2Head');
const HEAD_OF = Symbol('hangup.http2HeadOf');

/**
 * nghttp2 validates every header before JavaScript sees it (RFC 9113 §8.2): names are lower-case
 * tokens (anything else resets the stream), values hold no control character but tab (a field
 * with one is removed). So the head counts as strictly parsed, whatever HTTP/1 parser settings the
 * process has.
 */
const STRICT_PARSER = Object.freeze({ httpValidation: 'strict' });

/** The socket fields a head exposes: the peer (rules, events, proxy mode) and the parser strictness. */
interface HeadSocket {
  readonly remoteAddress: string | undefined;
  readonly server: typeof STRICT_PARSER;
}

/** An HTTP/2 request head: a `RequestHead` a rule or `guard.decide()` can read like any other. */
export interface Http2Head extends RequestHead {
  readonly [HTTP2_HEAD]: true;
  readonly method: string;
  readonly url: string;
  readonly httpVersion: '2.0';
  readonly headers: HeaderMap;
  readonly rawHeaders: readonly string[];
  readonly socket: HeadSocket;
  /** `:scheme` as received (`'http'`, `'https'`), `''` when absent (CONNECT). */
  readonly scheme: string;
  /** `:authority` as received, `undefined` when absent. */
  readonly authority: string | undefined;
  /** A `host` header that names another site than `:authority` (RFC 9113 §8.3.1: malformed). */
  readonly hostMismatch: boolean;
  /** The stream this head came from. */
  readonly stream: ServerHttp2Stream;
}

type Marked = { [HEAD_OF]?: Http2Head };

/** Whether `value` is a head built here (an HTTP/2 stream's). */
export function isHttp2Head(value: unknown): value is Http2Head {
  return typeof value === 'object' && value !== null && (value as Partial<Http2Head>)[HTTP2_HEAD] === true;
}

/** The head of `stream`, if one was built. */
export function headOfStream(stream: object): Http2Head | undefined {
  return (stream as Marked)[HEAD_OF];
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Builds (once) and returns the head of `stream` from the headers nghttp2 delivered. `rawHeaders`
 * is the flat name/value list Node passes with `'stream'` (the compat request's `rawHeaders`); when
 * absent, the header object is read instead.
 */
export function streamHead(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, rawHeaders?: readonly string[]): Http2Head {
  const cached = (stream as Marked)[HEAD_OF];
  if (cached !== undefined) return cached;
  const authority = first(headers[':authority']);
  const raw: string[] = [];
  const map: Record<string, string | string[] | undefined> = {};
  let hostMismatch = false;
  if (authority !== undefined) {
    raw.push('host', authority);
    map.host = authority;
  }
  // One pass over the flat list Node delivers (no closure per stream: this runs on every stream).
  const list: readonly unknown[] = Array.isArray(rawHeaders) ? rawHeaders : flatten(headers);
  for (let i = 0; i + 1 < list.length; i += 2) {
    const name = String(list[i]);
    if (name.charCodeAt(0) === 0x3a /* : */) continue; // pseudo-headers are the head's other fields
    const value = String(list[i + 1]);
    if (authority !== undefined && name === 'host') {
      // A host header must name what :authority names; then it is the same Host, not a second one.
      if (value.trim().toLowerCase() !== authority.trim().toLowerCase()) hostMismatch = true;
      continue;
    }
    raw.push(name, value);
    const previous = map[name];
    if (previous === undefined) map[name] = value;
    else if (Array.isArray(previous)) previous.push(value);
    else map[name] = [previous, value];
  }
  const head: Http2Head = {
    [HTTP2_HEAD]: true,
    method: first(headers[':method']) ?? '',
    url: first(headers[':path']) ?? '',
    httpVersion: '2.0',
    headers: map,
    rawHeaders: raw,
    socket: new StreamPeer(stream),
    scheme: first(headers[':scheme']) ?? '',
    authority,
    hostMismatch,
    stream,
  };
  (stream as Marked)[HEAD_OF] = head;
  return head;
}

/** The header object as a flat name/value list (when Node gave no raw list). */
function flatten(headers: IncomingHttpHeaders): string[] {
  const out: string[] = [];
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (Array.isArray(value)) for (const item of value) out.push(name, String(item));
    else if (value !== undefined) out.push(name, String(value));
  }
  return out;
}

/**
 * The head's `socket`: the peer address, read from the connection only when asked (rules, events,
 * proxy mode), and the parser strictness `parseHead()` reads on every decision.
 */
class StreamPeer implements HeadSocket {
  readonly server = STRICT_PARSER;
  constructor(private readonly stream: ServerHttp2Stream) {}

  get remoteAddress(): string | undefined {
    // The session's socket (a proxy of the connection's) answers reads; gone once the session is.
    try {
      return this.stream.session?.socket?.remoteAddress;
    } catch {
      return undefined;
    }
  }
}

/** The request of the compat API (`Http2ServerRequest`), as far as hangup reads it. */
interface CompatRequest {
  readonly stream?: unknown;
  readonly headers?: IncomingHttpHeaders;
  readonly rawHeaders?: readonly string[];
}

/**
 * The head of a compat API request (`http2.createServer(listener)`, Fastify with `http2: true`),
 * or `undefined` for an HTTP/1 request (an `IncomingMessage`, HTTP/1.1 on an `allowHTTP1` server
 * included): one property read on the HTTP/1 path.
 */
export function http2HeadOf(req: object | null | undefined): Http2Head | undefined {
  const stream = (req as CompatRequest | null | undefined)?.stream;
  if (typeof stream !== 'object' || stream === null) return undefined;
  const cached = (stream as Marked)[HEAD_OF];
  if (cached !== undefined) return cached;
  if (typeof (stream as Partial<ServerHttp2Stream>).respond !== 'function') return undefined;
  const compat = req as CompatRequest;
  return streamHead(stream as ServerHttp2Stream, compat.headers ?? {}, compat.rawHeaders);
}

/**
 * A hand-made head that decides as an HTTP/2 stream's (version `2.0` allowed), for `explain()`:
 * `headers.host` stands for `:authority`.
 */
export function explainedAsHttp2(fields: {
  readonly method: string;
  readonly url: string;
  readonly headers: HeaderMap;
  readonly rawHeaders: readonly string[];
  readonly remoteAddress: string | undefined;
}): RequestHead {
  const head = {
    [HTTP2_HEAD]: true,
    method: fields.method,
    url: fields.url,
    httpVersion: '2.0',
    headers: fields.headers,
    rawHeaders: fields.rawHeaders,
    socket: { remoteAddress: fields.remoteAddress, server: STRICT_PARSER },
  };
  return head;
}
