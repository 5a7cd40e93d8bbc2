/**
 * What in a response tells a scanner which software answered: banner headers, and the exact error
 * pages that Node, Express, Fastify and other servers write by themselves.
 */
import { headerOf, type ReceivedMessage } from './response.js';

/** Headers that name the software, its version or the hosting behind it. */
export const FINGERPRINT_HEADERS: readonly string[] = [
  'server',
  'x-powered-by',
  'x-aspnet-version',
  'x-aspnetmvc-version',
  'x-runtime',
  'x-generator',
  'x-debug-token',
  'x-debug-token-link',
  'x-backend-server',
  'x-varnish',
  'via',
];

/** The fingerprint headers in a response, as `Name: value`. */
export function fingerprintHeaders(message: ReceivedMessage): string[] {
  return message.headers
    .filter(([name]) => FINGERPRINT_HEADERS.includes(name.toLowerCase()))
    .map(([name, value]) => `${name}: ${value}`);
}

/** A recognisable page: a name for the report and a test on the response. */
interface PageSignature {
  readonly name: string;
  readonly test: (message: ReceivedMessage, body: string) => boolean;
}

/** The header names of a response, lower-cased and sorted, joined by commas. */
function headerSet(message: ReceivedMessage): string {
  return message.headers
    .map(([name]) => name.toLowerCase())
    .sort()
    .join(',');
}

/** Node's own bodiless error answers carry exactly `Connection: close` and nothing else. */
function nodeBare(status: number): PageSignature['test'] {
  return (message, body) => message.status === status && body === '' && headerSet(message) === 'connection';
}

/** Node's `res.writeHead(status); res.end()` when it answers by itself: Date, Connection, empty body. */
function nodeDefault(status: number): PageSignature['test'] {
  const headers = /^connection,(content-length,)?date(,keep-alive)?(,transfer-encoding)?$/;
  return (message, body) => message.status === status && body === '' && headers.test(headerSet(message));
}

const PAGES: readonly PageSignature[] = [
  { name: "Node's own 400 Bad Request (parser error)", test: nodeBare(400) },
  { name: "Node's own 431 Request Header Fields Too Large", test: nodeBare(431) },
  { name: "Node's own 408 Request Timeout", test: nodeBare(408) },
  { name: "Node's own 400 for a missing Host", test: nodeDefault(400) },
  { name: "Node's own 417 Expectation Failed", test: nodeDefault(417) },
  { name: 'Express "Cannot GET" page', test: (_m, body) => /<pre>Cannot [A-Z-]+ [^<]*<\/pre>/.test(body) },
  {
    name: 'Express error page',
    test: (_m, body) => /<title>Error<\/title>/.test(body) && /<pre>/.test(body) && !/<pre>Cannot [A-Z-]+ /.test(body),
  },
  { name: 'Fastify "Route ... not found" JSON', test: (_m, body) => /"message":"Route [A-Z-]+:.* not found"/.test(body) },
  {
    name: 'Fastify JSON error',
    test: (_m, body) => /"statusCode":\s*\d{3}/.test(body) && /"error":/.test(body) && !/"message":"Route [A-Z-]+:/.test(body),
  },
  { name: 'stack trace', test: (_m, body) => /\n\s+at .+[(\s][^()\s]+:\d+:\d+\)?/.test(body) },
  { name: 'nginx error page', test: (_m, body) => /<center>nginx(\/[\d.]+)?<\/center>/.test(body) },
  { name: 'Apache error page', test: (_m, body) => /<address>Apache/.test(body) },
  { name: 'Spring Whitelabel Error Page', test: (_m, body) => body.includes('Whitelabel Error Page') },
  { name: 'Django debug page', test: (_m, body) => body.includes('DEBUG = True') },
];

/** The names of the recognisable pages this response is. */
export function recognisedPages(message: ReceivedMessage): string[] {
  const body = message.body.toString('latin1');
  return PAGES.filter((page) => page.test(message, body)).map((page) => page.name);
}

/** Whether the response is the plain fixed 404: status 404, no body, nothing that names the software. */
export function isPlainNotFound(message: ReceivedMessage): boolean {
  return (
    message.status === 404 &&
    message.body.length === 0 &&
    fingerprintHeaders(message).length === 0 &&
    recognisedPages(message).length === 0 &&
    (headerOf(message, 'content-length') ?? '0') === '0'
  );
}
