import type { DetectorSpec, ParsedHead } from './types.js';
import { headerValue } from './headers.js';
import { headerScan } from './scan-headers.js';

/**
 * Request smuggling through ambiguous body framing (RFC 9112 §6): a body length given twice
 * (Content-Length and Transfer-Encoding), Content-Length repeated or not a plain number,
 * Transfer-Encoding whose last coding is not `chunked` (the length is then unknowable), any
 * Transfer-Encoding on HTTP/1.0 (which has none), and Transfer-Encoding on GET or HEAD.
 * llhttp refuses most of these itself; this is the same rule for lenient parsers and hand-made heads.
 */
export const framing: DetectorSpec = {
  name: 'framing',
  check: (head) => {
    const scan = headerScan(head);
    const lengths = scan.contentLength;
    const encodings = scan.transferEncoding;
    if (lengths === 0 && encodings === 0) return undefined;
    if (lengths > 1) return 'smuggling:duplicate-content-length';
    if (lengths === 1) {
      const value = headerValue(head, 'content-length');
      if (typeof value !== 'string' || !/^\d{1,15}$/.test(value.trim())) return 'smuggling:bad-content-length';
    }
    if (encodings === 0) return undefined;
    if (lengths > 0) return 'smuggling:content-length-with-transfer-encoding';
    if (!endsInChunked(transferEncoding(head))) return 'smuggling:bad-transfer-encoding';
    if (head.httpVersion === '1.0') return 'smuggling:transfer-encoding-on-http10';
    if (head.method === 'GET' || head.method === 'HEAD') return 'smuggling:transfer-encoding-on-get';
    return undefined;
  },
};

/** Every Transfer-Encoding line, joined in order as one list. */
function transferEncoding(head: ParsedHead): string {
  const raw = head.rawHeaders;
  if (raw.length === 0) return String(head.headers['transfer-encoding'] ?? '');
  const values: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if ((raw[i] as string).toLowerCase() === 'transfer-encoding') values.push(raw[i + 1] as string);
  }
  return values.join(',');
}

/** Whether a Transfer-Encoding list is well-formed codings ending in exactly one `chunked`. */
export function endsInChunked(list: string): boolean {
  const codings = list.split(',').map((coding) => coding.trim().toLowerCase());
  if (codings.some((coding) => !/^[a-z0-9!#$%&'*+.^_`|~-]+$/.test(coding))) return false;
  return codings.indexOf('chunked') === codings.length - 1;
}
