/**
 * The reviewed judgement behind docs/conformance.md: which CRS cases hangup must drop, which benign
 * cases it drops on purpose (each with its reason), and why it lets through the cases of rules that
 * inspect content rather than protocol. The conformance test holds the replay to these lists.
 */
import type { CorpusCase } from './crs-replay.js';

/** The protocol rules whose every positive case must be dropped with zero bytes. */
export const protocolRules: ReadonlySet<number> = new Set([920100, 920160, 920171, 920181, 920270, 920280, 920290, 920430, 920610]);

/** A case CRS expects to be refused: the rule fires, or the web server itself answers 400. */
export function isPositive(c: CorpusCase): boolean {
  // 920181-1 (Content-Length with Transfer-Encoding) is expected to pass Apache, which drops the
  // Content-Length; it is the smuggling class itself, so hangup refuses it like the issue asks.
  if (c.id === '920181-1') return true;
  return c.crs_expects === 'rule fires' || c.crs_expects === 'HTTP 400' || c.crs_expects === 'client error';
}

/** A case CRS expects to pass. */
export function isBenign(c: CorpusCase): boolean {
  return !isPositive(c) && (c.crs_expects === 'rule does not fire' || c.crs_expects === 'HTTP 200');
}

/**
 * Benign cases that hangup drops on purpose: id, the reason it must drop them with, and why.
 * Anything benign that is dropped and not listed here fails the conformance test.
 */
export const droppedBenign: Readonly<Record<string, { readonly reason: string; readonly why: string }>> = {
  '920100-3': { reason: 'malformed:not-origin-form', why: '`OPTIONS *` is server-wide OPTIONS, which no browser sends; allow it with `detectors: { allowOptionsAsterisk: true }`.' },
  '920300-2': { reason: 'malformed:not-origin-form', why: '`OPTIONS *`, as 920100-3.' },
  '920100-4': { reason: 'method:connect', why: 'CONNECT makes the server a tunnel; an origin server is not a proxy (`detectors: { connect: false }` to allow).' },
  '920100-6': { reason: 'method:connect', why: 'CONNECT, as 920100-4.' },
  '920300-3': { reason: 'method:connect', why: 'CONNECT, as 920100-4.' },
  '920100-7': { reason: 'malformed:fragment', why: 'A raw `#fragment` in the request line: clients never send one, and CRS itself expects 400 for it in 920610-2.' },
  '920180-4': { reason: 'malformed:http-version', why: '`HTTP/2.0` in an HTTP/1 request line: HTTP/2 never looks like this on the wire.' },
  '920430-4': { reason: 'parser:HPE_INVALID_VERSION', why: '`HTTP/2` (no minor version) in an HTTP/1 request line: Node\'s parser refuses it.' },
  '920271-6': { reason: 'malformed:bad-utf8', why: '`/%FFindex.html`: a path that is not UTF-8 once decoded (a router decoding it throws or mangles it).' },
  '920290-2': { reason: 'malformed:control-char', why: '`Host: %00`: an encoded NUL in a header value (and not a host name at all).' },
  '921120-3': { reason: 'malformed:control-char', why: '`%0A%0D` in the query: encoded CR/LF is the header-injection probe the 921 rules catch; only a GET form with a `<textarea>` sends it legitimately.' },
  '920620-1': { reason: 'malformed:duplicate-header', why: 'Two Content-Type headers: Node keeps the first, a proxy may use the last.' },
  '920350-7': { reason: 'host:unlisted', why: 'Host `deadbeef.de` is not in `hosts: [\'localhost\']` (nginx\'s `server_name` with `return 444` for the rest).' },
  '920350-8': { reason: 'host:unlisted', why: 'Host `deadbeef.de`, as 920350-7.' },
};

/**
 * Why hangup lets the positive cases of a rule through: protocol checks that default hangup leaves
 * to the strict preset, and rules about content, which a protocol guard does not inspect.
 */
export const ruleScope: Readonly<Record<number, string>> = {
  920120: 'content: multipart file names in the body',
  920121: 'content: multipart file names in the body',
  920170: 'a body on GET/HEAD: some APIs send one; the strict preset (`bodyOnGet`) drops it',
  920180: 'POST without Content-Length: the request is read as bodyless and any bytes after it as the next request, which is then dropped',
  920190: 'Range header content (overlapping ranges): the application\'s concern',
  920200: 'Range header content (too many ranges)',
  920201: 'Range header content on PDF paths',
  920202: 'Range header content on PDF paths',
  920210: 'Connection header content',
  920230: 'several URL encodings in a query value: hangup checks the query only with `strictQuery` (strict preset)',
  920240: 'content: URL encoding of a form body',
  920250: 'invalid UTF-8 in a query value: legacy-charset forms send it; the strict preset (`strictQuery`) drops it',
  920260: '`%u` encodings in a query value: the strict preset (`strictQuery`) drops them as invalid percent-encoding',
  920271: 'bytes outside printable ASCII in a query or cookie value (CRS paranoia level 2+)',
  920272: 'bytes outside printable ASCII in a query value (CRS paranoia level 3+)',
  920273: 'characters outside a narrow set in a query or body value (CRS paranoia level 4)',
  920274: 'characters outside a narrow set in header values (CRS paranoia level 4)',
  920275: 'Sec-Fetch-User / Sec-CH-UA-Mobile value syntax',
  920300: 'missing Accept header: API clients omit it',
  920310: 'empty Accept header',
  920311: 'empty Accept header',
  920320: 'missing User-Agent: API clients omit it',
  920330: 'empty User-Agent',
  920340: 'Content-Length without Content-Type',
  920360: 'argument name length: content',
  920370: 'argument value length: content',
  920380: 'number of arguments: content',
  920390: 'total argument size: content',
  920400: 'upload size: content',
  920410: 'upload size: content',
  920420: 'Content-Type allowlist: the application\'s concern',
  920440: 'file extension blocklist: use routes (an allowlist) instead',
  920450: 'restricted header names (CRS policy list)',
  920451: 'restricted header names (CRS policy list)',
  920460: 'escape characters in the query or body: a raw `\\` in the query only with `strictQuery`',
  920470: 'Content-Type syntax',
  920480: 'Content-Type charset allowlist',
  920490: 'x-up-devcap-post-charset header',
  920500: 'backup-file paths (`~`): use routes instead',
  920510: 'Cache-Control content',
  920520: 'Accept-Encoding length',
  920521: 'Accept-Encoding values',
  920530: 'Content-Type charset repeated',
  920540: 'Unicode escapes in the body: content',
  920600: 'Accept charset content',
  920640: 'body without Content-Type',
  920650: '`_method` override parameters: the application\'s concern',
  920660: 'Request-Range header',
  921110: 'request smuggling text inside argument values: content',
  921120: 'CR/LF inside a body value: content (in the query they are dropped as `malformed:control-char`)',
  921130: 'header text inside argument or cookie values: content',
  921140: 'encoded CR in a header value: only `%00` is dropped in headers',
  921180: 'repeated query parameters: the application\'s concern',
  921200: 'LDAP injection: content',
  921210: 'PHP array parameters: content',
  921220: 'PHP array parameters: content',
  921230: 'Range header content',
  921240: 'mod_proxy `unix:` attack in the query: content',
  921250: 'old cookie syntax ($Version)',
  921421: 'Content-Type with a boundary on a non-multipart type',
  921422: 'Content-Type with a boundary on a non-multipart type',
};
