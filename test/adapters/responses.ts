/** Splits what a client received into responses, keeping what is the same on every framework. */

/**
 * Each response as `status line` + `body`, headers left out (they carry framework-specific names,
 * dates and order). Anything that does not parse as responses is returned as one raw entry.
 */
export function statusesAndBodies(text: string, headRequest = false): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > 0) {
    const end = rest.indexOf('\r\n\r\n');
    if (!rest.startsWith('HTTP/1.') || end === -1) return [...out, `raw:${rest}`];
    const lines = rest.slice(0, end).split('\r\n');
    const status = lines[0] ?? '';
    const lengthLine = lines.find((l) => /^content-length:/i.test(l));
    const informational = / 1\d\d /.test(status);
    const length = informational || headRequest ? 0 : Number(lengthLine?.split(':')[1]?.trim() ?? 0);
    out.push(`${status} | ${rest.slice(end + 4, end + 4 + length)}`);
    rest = rest.slice(end + 4 + length);
  }
  return out;
}
