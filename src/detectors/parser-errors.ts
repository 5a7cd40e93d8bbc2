/**
 * Parser-level refusals: what Node's llhttp parser and its HTTP server report through
 * `'clientError'` before any request exists. Each maps to a stable reason, and `protect()` drops
 * them all with zero bytes where Node would answer 400, 431 or 408.
 */

/**
 * Every error code Node 20's llhttp build can report (llhttp's `llhttp_errno`, plus Node's own
 * `HPE_HEADER_OVERFLOW`, `HPE_CHUNK_EXTENSIONS_OVERFLOW` and `HPE_JS_EXCEPTION`), each with what
 * usually triggers it on a server.
 */
export const parserErrors: Readonly<Record<string, string>> = Object.freeze({
  HPE_INVALID_METHOD: 'unknown or malformed method, garbage or a TLS handshake on the plain port, leading whitespace',
  HPE_INVALID_URL: 'target with raw control, non-ASCII or space characters, `\\`, authority-form outside CONNECT',
  HPE_INVALID_CONSTANT: 'request line without `HTTP/`, or a version that is not one',
  HPE_INVALID_VERSION: 'version other than 0.9, 1.0, 1.1 or 2.0 (`HTTP/2`, `HTTP/1.2`), LF without CR after the version',
  HPE_INVALID_HEADER_TOKEN: 'header name with a space or separator, header value with NUL or a control character, obs-fold',
  HPE_INVALID_CONTENT_LENGTH: 'Content-Length that is not digits (`3;`, `1, 1`, `NotDigits`)',
  HPE_UNEXPECTED_CONTENT_LENGTH: 'Content-Length repeated',
  HPE_INVALID_TRANSFER_ENCODING: 'Transfer-Encoding with Content-Length, repeated, or not ending in `chunked`',
  HPE_INVALID_CHUNK_SIZE: 'chunk size that is not hex',
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 'chunk extensions over 16 KiB',
  HPE_HEADER_OVERFLOW: 'request line and headers over `maxHeaderSize` (16 KiB)',
  HPE_CR_EXPECTED: 'bare LF where CRLF is required',
  HPE_LF_EXPECTED: 'bare CR inside a header value or line end (header injection)',
  HPE_UNEXPECTED_SPACE: 'space where none is allowed in the request line',
  HPE_STRICT: 'a construct only lenient parsing accepts',
  HPE_INVALID_EOF_STATE: 'connection closed in the middle of a request',
  HPE_CLOSED_CONNECTION: 'data after `Connection: close`',
  HPE_PAUSED_H2_UPGRADE: 'HTTP/2 connection preface (`PRI * HTTP/2.0`) on an HTTP/1 server',
  HPE_PAUSED_UPGRADE: 'data after an Upgrade the server did not take',
  HPE_PAUSED: 'parser paused by Node',
  HPE_INVALID_STATUS: 'status line where a request was expected',
  HPE_INTERNAL: 'parser internal error',
  HPE_USER: 'error raised by a parser callback',
  HPE_JS_EXCEPTION: 'exception in a parser callback',
  HPE_CB_MESSAGE_BEGIN: 'parser callback failed',
  HPE_CB_HEADERS_COMPLETE: 'parser callback failed',
  HPE_CB_MESSAGE_COMPLETE: 'parser callback failed',
  HPE_CB_CHUNK_HEADER: 'parser callback failed',
  HPE_CB_CHUNK_COMPLETE: 'parser callback failed',
  HPE_CB_URL_COMPLETE: 'parser callback failed',
  HPE_CB_STATUS_COMPLETE: 'parser callback failed',
  HPE_CB_METHOD_COMPLETE: 'parser callback failed',
  HPE_CB_VERSION_COMPLETE: 'parser callback failed',
  HPE_CB_PROTOCOL_COMPLETE: 'parser callback failed',
  HPE_CB_HEADER_FIELD_COMPLETE: 'parser callback failed',
  HPE_CB_HEADER_VALUE_COMPLETE: 'parser callback failed',
  HPE_CB_CHUNK_EXTENSION_NAME_COMPLETE: 'parser callback failed',
  HPE_CB_CHUNK_EXTENSION_VALUE_COMPLETE: 'parser callback failed',
  HPE_CB_RESET: 'parser callback failed',
});

/**
 * The reason a `'clientError'` is reported under: `parser:HPE_*` for every llhttp code (a code from
 * a newer Node is passed through when it has the same shape), `parser:timeout` for
 * `headersTimeout`/`requestTimeout`, `socket:<code>` for a transport error (`ECONNRESET`, ...),
 * and `parser:error` for anything else.
 */
export function parserErrorReason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return 'parser:error';
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'parser:timeout';
  if (Object.hasOwn(parserErrors, code) || /^HPE_[A-Z0-9_]{1,60}$/.test(code)) return `parser:${code}`;
  if (/^E[A-Z0-9_]{1,40}$/.test(code)) return `socket:${code}`;
  return 'parser:error';
}
