/**
 * The command line of `hangup probe`: exactly one URL and a few bounded options. Anything else is
 * refused with a message that says what to write instead (exit code 2).
 */
import { parseArgs } from 'node:util';
import { ProbeUsageError } from './errors.js';
import type { ProgressMode } from './progress.js';
import { DEFAULT_CONCURRENCY, DEFAULT_TIMEOUT_MS } from './runner.js';

/** The parsed command line. */
export interface ProbeArgs {
  readonly help: boolean;
  readonly url: string;
  readonly host: string | undefined;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly json: boolean;
  readonly progress: ProgressMode;
  /** `--http2`: probe HTTP/2 streams over cleartext with prior knowledge (h2c) instead of HTTP/1.1. */
  readonly http2: boolean;
}

const MIN_TIMEOUT = 100;
const MAX_TIMEOUT = 60_000;
const MAX_CONCURRENCY = 32;

/** The `--help` text. */
export const PROBE_HELP = `usage: hangup probe <url> [options]

Replays what scanners and attackers send to one HTTP server over raw sockets and reports what
came back: scanner paths (/.env, /.git/config, /wp-login.php...), unusual methods, wrong and
missing Host, proxy requests, malformed request lines, targets and versions, smuggling framings,
oversize headers, Expect tricks, TLS, HTTP/2 and SSH bytes on the HTTP port, slow headers.

  <url>                  the server, e.g. http://127.0.0.1:3000. The probes go to this address
                         and port only; hostnames inside them are never contacted. https://: every
                         probe goes over TLS (the certificate is read, never verified), plus TLS
                         probes: an unknown and no server name, an unknown ALPN protocol, plain
                         HTTP and a truncated ClientHello; a certificate shown for a name the site
                         does not serve is a leak that names what it exposed.
  --host <name[:port]>   Host header for the probes that need a valid one (default: the URL's)
  --timeout <ms>         time bound of each probe, ${MIN_TIMEOUT}..${MAX_TIMEOUT} (default ${DEFAULT_TIMEOUT_MS})
  --concurrency <n>      probes at once, 1..${MAX_CONCURRENCY} (default ${DEFAULT_CONCURRENCY})
  --http2                speak cleartext HTTP/2 with prior knowledge (h2c) and probe streams: unknown
                         paths, wrong :authority, a host header beside it, bad :path, unknown
                         methods, CONNECT, Expect, many refused streams on one connection. A stream
                         that must be refused leaks on any HEADERS or DATA (a plain :status 404 is
                         fine for an unknown path), a fingerprint header or echoed input
  --json                 print the full report as JSON on stdout
  --progress             show progress on stderr even when it is not a terminal
  --no-progress          never show progress (default: only on a terminal)
  -h, --help             show this help

A probe leaks when the answer tells a scanner something a silent server would not: any byte in
reply to a malformed or hostile request; for an unknown path or method, anything but nothing or a
plain 404 (no body, no Server or X-Powered-By); a 100 Continue before the server decided; a
fingerprint header (Server, X-Powered-By...); a framework's own error page (Express "Cannot GET",
Fastify JSON, Node's 400/431/417); the path, Host or marker we sent, echoed back.

The URL given is requested first (the baseline, not judged). If it gets no answer at all, the
silence of every other probe proves nothing (a wrong URL or --host looks the same), so the run
cannot pass: give a URL the server answers and the Host it serves.

exit codes: 0 nothing leaked, 1 something leaked, 2 bad arguments, 3 the server could not be probed
(no connection, probes that failed, or no answer to the URL given)
`;

/** Parses a whole number within bounds, or throws a usage error naming the option. */
function bounded(option: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ProbeUsageError(`${option}: ${JSON.stringify(value)} is not a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

/** Parses the arguments after `hangup probe`. Throws `ProbeUsageError`. */
export function parseProbeArgs(argv: readonly string[]): ProbeArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new ProbeUsageError((error as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
  const { values, positionals } = parsed;
  const help = values.help === true;
  if (!help && positionals.length !== 1) {
    throw new ProbeUsageError(
      positionals.length === 0
        ? 'give the URL of the server to probe, e.g. hangup probe http://127.0.0.1:3000'
        : `probe one URL at a time; got ${positionals.length}: ${positionals.join(' ')}`,
    );
  }
  if (values.progress === true && values['no-progress'] === true) {
    throw new ProbeUsageError('--progress and --no-progress contradict each other; give one');
  }
  return {
    help,
    url: positionals[0] ?? '',
    host: values.host,
    timeoutMs: bounded('--timeout', values.timeout, DEFAULT_TIMEOUT_MS, MIN_TIMEOUT, MAX_TIMEOUT),
    concurrency: bounded('--concurrency', values.concurrency, DEFAULT_CONCURRENCY, 1, MAX_CONCURRENCY),
    json: values.json === true,
    http2: values.http2 === true,
    progress: values.progress === true ? 'always' : values['no-progress'] === true ? 'never' : 'auto',
  };
}

/** node:util's strict parser with the probe's options. */
function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      host: { type: 'string' },
      timeout: { type: 'string' },
      concurrency: { type: 'string' },
      json: { type: 'boolean' },
      http2: { type: 'boolean' },
      progress: { type: 'boolean' },
      'no-progress': { type: 'boolean' },
    },
  });
}
