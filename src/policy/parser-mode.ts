import type { RequestHead } from '../types.js';

/**
 * Whether a request was parsed by Node's strict HTTP parser (the default). llhttp in strict mode
 * refuses any raw control character in a header value before a request exists, so the header scan
 * need not look for them again; with `insecureHTTPParser` (per server, or the process-wide
 * `--insecure-http-parser` flag) it must. A hand-made request head is never assumed strict.
 */

const flags = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
const insecureProcess = flags.includes('--insecure-http-parser');

type WithServer = { readonly socket?: { readonly server?: { readonly insecureHTTPParser?: unknown } | null } | null };

/** True when `req` came through a Node server whose parser refuses raw control characters in headers. */
export function parsedStrictly(req: RequestHead): boolean {
  const server = (req as WithServer).socket?.server;
  if (server === undefined || server === null || typeof server !== 'object') return false;
  const insecure = server.insecureHTTPParser;
  return insecure === false || (insecure === undefined && !insecureProcess);
}
