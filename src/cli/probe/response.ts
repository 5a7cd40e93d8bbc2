/**
 * Reads the bytes a server sent back as HTTP/1 responses: interim (1xx) ones first, then the final
 * one. Lenient on purpose: it describes whatever came back, and never throws on garbage.
 */

/** One response as received. */
export interface ReceivedMessage {
  /** The status line without CRLF, e.g. `HTTP/1.1 404 Not Found`. */
  readonly statusLine: string;
  readonly status: number;
  /** Header fields in the order received, names as sent. */
  readonly headers: readonly (readonly [string, string])[];
  /** The body after chunked decoding (what a browser would show). */
  readonly body: Buffer;
}

/** All responses found in the received bytes. */
export interface ReceivedResponses {
  /** Interim responses (`100 Continue`, ...) followed by the final one, if any arrived. */
  readonly messages: readonly ReceivedMessage[];
  /** True when a final response arrived in full, so nothing more needs to be read. */
  readonly complete: boolean;
  /** Bytes that are not an HTTP response at all (when the server answered in another protocol). */
  readonly unrecognised: Buffer;
}

const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

/** The value of the first header named `name` (case-insensitive). */
export function headerOf(message: ReceivedMessage, name: string): string | undefined {
  const lower = name.toLowerCase();
  return message.headers.find(([key]) => key.toLowerCase() === lower)?.[1];
}

/** The final (non-1xx) response, if any. */
export function finalMessage(received: ReceivedResponses): ReceivedMessage | undefined {
  const last = received.messages.at(-1);
  return last !== undefined && (last.status >= 200 || last.status === 101) ? last : undefined;
}

/** Whether `start` (up to 5 bytes) is, or could grow into, `HTTP/`. */
function looksLikeHttp(start: Buffer): boolean {
  return 'HTTP/'.startsWith(start.toString('latin1'));
}

/** Parses every response in `bytes`. */
export function parseResponses(bytes: Buffer): ReceivedResponses {
  const messages: ReceivedMessage[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (!looksLikeHttp(bytes.subarray(offset, offset + 5))) {
      return { messages, complete: false, unrecognised: bytes.subarray(offset) };
    }
    const headEnd = bytes.indexOf(HEAD_END, offset);
    if (headEnd === -1) break;
    const head = bytes.subarray(offset, headEnd).toString('latin1').split('\r\n');
    const statusLine = head[0] ?? '';
    const status = Number(/^HTTP\/\S+ (\d{3})/.exec(statusLine)?.[1] ?? NaN);
    const headers = head.slice(1).map((line): [string, string] => {
      const colon = line.indexOf(':');
      return colon === -1 ? [line, ''] : [line.slice(0, colon), line.slice(colon + 1).trim()];
    });
    offset = headEnd + HEAD_END.length;
    const partial = { statusLine, status, headers, body: Buffer.alloc(0) };
    if (status >= 100 && status < 200 && status !== 101) {
      messages.push(partial);
      continue;
    }
    const { body, complete } = readBody(partial, bytes.subarray(offset));
    messages.push({ ...partial, body });
    return { messages, complete, unrecognised: Buffer.alloc(0) };
  }
  return { messages, complete: false, unrecognised: Buffer.alloc(0) };
}

/** Reads the body of a final response from `rest`; `complete` says whether all of it is there. */
function readBody(message: ReceivedMessage, rest: Buffer): { body: Buffer; complete: boolean } {
  if (message.status === 204 || message.status === 304 || Number.isNaN(message.status)) {
    return { body: Buffer.alloc(0), complete: true };
  }
  if (/chunked/i.test(headerOf(message, 'transfer-encoding') ?? '')) return readChunked(rest);
  const length = headerOf(message, 'content-length');
  if (length !== undefined && /^\d+$/.test(length)) {
    const size = Number(length);
    return { body: rest.subarray(0, size), complete: rest.length >= size };
  }
  // No framing: the body runs until the server closes.
  return { body: rest, complete: false };
}

/** Decodes a chunked body, as far as it arrived. */
function readChunked(rest: Buffer): { body: Buffer; complete: boolean } {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n', offset, 'latin1');
    if (lineEnd === -1) break;
    const size = Number.parseInt(rest.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size)) break;
    if (size === 0) return { body: Buffer.concat(parts), complete: rest.indexOf(HEAD_END, lineEnd) !== -1 };
    const start = lineEnd + 2;
    parts.push(rest.subarray(start, Math.min(start + size, rest.length)));
    offset = start + size + 2;
    if (offset > rest.length) break;
  }
  return { body: Buffer.concat(parts), complete: false };
}
