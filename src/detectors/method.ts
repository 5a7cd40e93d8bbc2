import { METHODS } from 'node:http';
import type { DetectorSpec } from './types.js';

/** Methods Node's parser knows; anything else only arrives through a hand-made or lenient request. */
const known: ReadonlySet<string> = new Set(METHODS);

/**
 * Unknown or non-token methods (llhttp refuses most before hangup sees them). Lower-case spellings
 * count as unknown: methods are case-sensitive (RFC 9110 §9.1) and no client sends `get`.
 */
export const method: DetectorSpec = {
  name: 'method',
  check: (head) => (known.has(head.method) ? undefined : 'method:unknown'),
};

/** `CONNECT` asks a server to be a tunnel; an origin server is not a proxy. */
export const connect: DetectorSpec = {
  name: 'connect',
  check: (head) => (head.method === 'CONNECT' ? 'method:connect' : undefined),
};

/** `TRACE` echoes the request, cookies included (cross-site tracing); no browser can send it. */
export const trace: DetectorSpec = {
  name: 'trace',
  check: (head) => (head.method === 'TRACE' ? 'method:trace' : undefined),
};
