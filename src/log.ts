import createDebug from 'debug';

/**
 * hangup's `debug` namespaces, in one place so `DEBUG=hangup:*` (or a single namespace) shows
 * exactly what each one promises. Every value that came from the network is passed through
 * `sanitize()` first: a log line never carries a raw control character or an unbounded string.
 */
export const log = {
  /** Every decision, allowed ones included: action, reason, rule, method, path, host, peer. */
  decide: createDebug('hangup:decide'),
  /** What was done on the wire for each enforced refusal: `fin`, `rst` or `404`. */
  drop: createDebug('hangup:drop'),
  /** Refusals made but not enforced (report mode, report-only rules). */
  report: createDebug('hangup:report'),
  /** Server protection: listeners installed, parser errors, Node's own answers kept in report mode. */
  protect: createDebug('hangup:protect'),
  /** Start-up: the mode and proxy settings a guard was created with. */
  config: createDebug('hangup:config'),
  /** Problems with the `onDecision` callback (reported once per guard). */
  events: createDebug('hangup:events'),
  /** Bans and unbans, the ban store going away and coming back (once each way). */
  ban: createDebug('hangup:ban'),
};

/** Longest path, in characters before escaping, that events and log lines carry. */
export const MAX_PATH = 256;
/** Longest host, method or address, in characters before escaping. */
export const MAX_SHORT = 96;

// Printable ASCII except the backslash, which is escaped so escapes stay unambiguous.
const UNSAFE = /[^\x20-\x5b\x5d-\x7e]/;
const UNSAFE_ALL = /[^\x20-\x5b\x5d-\x7e]/g;

function escapeChar(c: string): string {
  if (c === '\\') return '\\\\';
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Makes a network-supplied string safe to log: cut to `max` characters (marked with `...`), then
 * everything outside printable ASCII escaped as `\xNN` / `\uNNNN` and `\` as `\\`. Returns the
 * input itself, without allocating, when it is already safe.
 */
export function sanitize(value: string, max: number): string {
  const cut = value.length > max ? value.slice(0, max) : value;
  const safe = UNSAFE.test(cut) ? cut.replace(UNSAFE_ALL, escapeChar) : cut;
  return cut === value ? safe : `${safe}...`;
}
