/**
 * The fixed 404 as the tests expect it. hangup's 404 is Node's own empty 404, so it carries a Date
 * that changes every second: `dated()` checks each Date value is an IMF-fixdate and replaces it
 * with `<date>`, and the rest is compared byte for byte.
 */

/** On a kept-alive HTTP/1.1 connection of a server with Node's default 5 s keep-alive. */
export const NOT_FOUND = notFoundKeptAlive(5);
/** On a connection closed after it (proxy mode, raw-socket refusals). */
export const NOT_FOUND_CLOSE = 'HTTP/1.1 404 Not Found\r\nDate: <date>\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

/**
 * On a kept-alive connection of a server whose keepAliveTimeout is `seconds` (Fastify 5: 72; `'<n>'`
 * to compare with `anyKeepAlive()`). A HEAD request gets no Content-Length, as from Node itself.
 */
export function notFoundKeptAlive(seconds: number | '<n>', request: 'GET' | 'HEAD' = 'GET'): string {
  const length = request === 'HEAD' ? '' : 'Content-Length: 0\r\n';
  return `HTTP/1.1 404 Not Found\r\nDate: <date>\r\nConnection: keep-alive\r\nKeep-Alive: timeout=${seconds}\r\n${length}\r\n`;
}

/** `dated(text)` with the keep-alive timeout replaced by `<n>`, for servers whose timeouts differ. */
export function anyKeepAlive(text: string): string {
  return dated(text).replace(/^Keep-Alive: timeout=\d+\r$/gm, 'Keep-Alive: timeout=<n>\r');
}

const DATE_HEADER = /^(Date: )([^\r\n]*)\r$/gim;
const IMF_FIXDATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/;

/** `text` with every Date header's value replaced by `<date>`; a value that is not an IMF-fixdate is kept, so the comparison fails. */
export function dated(text: string): string {
  return text.replace(DATE_HEADER, (line, name: string, value: string) => (IMF_FIXDATE.test(value) ? `${name}<date>\r` : line));
}
