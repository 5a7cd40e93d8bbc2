import type { RequestHead } from '../types.js';

/**
 * Whether a request was parsed by Node's fully strict HTTP parser (the default). llhttp in strict
 * mode refuses any raw control character in a header value and any non-token header name before a
 * request exists, so the header scan need not look for them again. Every parser setting of every
 * supported Node version is read here, the way Node itself computes llhttp's lenient flags
 * (`calculateLenientFlags` in Node 24's `_http_common`):
 *
 * - `httpValidation` (server option, Node 24 and later): `'strict'` is strict whatever else is set,
 *   `'relaxed'` lets raw control characters through header values, `'insecure'` turns every check
 *   off. Node 20 and 22 ignore the option and leave `server.httpValidation` unset.
 * - `insecureHTTPParser` (server option, every version), read when `httpValidation` is unset:
 *   `true` is lenient, `false` strict.
 * - the process-wide `--insecure-http-parser` flag (command line or `NODE_OPTIONS`), read when
 *   neither option is set.
 *
 * Anything else (an unknown `httpValidation` value, a server object without the fields, a hand-made
 * request head) is never assumed strict: the scan then checks everything itself.
 */

/** Whether the process was started with `--insecure-http-parser`, read as Node reads its options. */
export function insecureProcessFlag(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  // Any spelling of the flag counts (`--insecure-http-parser`, `=true`, even `--no-…` or `=false`):
  // when in doubt, the request is not assumed strict, which only costs a scan.
  const flag = /(^|\s|["'])--(no-)?insecure[-_]http[-_]parser\b/;
  return execArgv.some((arg) => flag.test(arg)) || flag.test(nodeOptions ?? '');
}

const insecureProcess = insecureProcessFlag(process.execArgv, process.env.NODE_OPTIONS);

/** The parser settings Node keeps on an `http.Server` (or `https.Server`). */
export interface ParserSettings {
  readonly httpValidation?: unknown;
  readonly insecureHTTPParser?: unknown;
}

/** Whether a server with these settings parses strictly, in a process with or without the flag. */
export function strictSettings(server: ParserSettings, processInsecure: boolean = insecureProcess): boolean {
  const validation = server.httpValidation;
  if (validation !== undefined && validation !== null) return validation === 'strict';
  const insecure = server.insecureHTTPParser;
  return insecure === false || ((insecure === undefined || insecure === null) && !processInsecure);
}

type WithServer = { readonly socket?: { readonly server?: ParserSettings | null } | null };

/** True when `req` came through a Node server whose parser refuses raw control characters in headers. */
export function parsedStrictly(req: RequestHead): boolean {
  const server = (req as WithServer).socket?.server;
  if (server === undefined || server === null || typeof server !== 'object') return false;
  return strictSettings(server);
}
