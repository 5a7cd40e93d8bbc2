/**
 * The built-in probe corpus: what scanners and attackers send to every public server. Each probe
 * is raw bytes (never built by an HTTP client, which would fix the very mistakes we send) and says
 * how a silent server treats it, so the verdict can tell a leak from a legitimate answer.
 */
import { tlsClientHello } from './tls-hello.js';

/** Classes of probes, in the order the report shows them. */
export const PROBE_CLASSES = [
  'baseline',
  'scanner',
  'method',
  'host',
  'proxy',
  'request-line',
  'target',
  'smuggling',
  'oversize',
  'expect',
  'foreign',
  'slow',
  'tls',
  'http2',
] as const;

export type ProbeClass = (typeof PROBE_CLASSES)[number];

/** A readable heading for each class. */
export const CLASS_TITLES: Readonly<Record<ProbeClass, string>> = {
  baseline: 'baseline: the URL you gave (not judged)',
  scanner: 'scanner paths',
  method: 'unusual methods',
  host: 'wrong and missing Host',
  proxy: 'proxy probes (absolute-form, CONNECT, authority and asterisk forms)',
  'request-line': 'malformed request lines and versions',
  target: 'malformed request targets',
  smuggling: 'smuggling framings',
  oversize: 'oversize headers',
  expect: 'Expect tricks',
  foreign: 'other protocols on the HTTP port',
  slow: 'slow headers',
  tls: 'TLS: unknown and missing server name, unknown ALPN, plain HTTP, truncated ClientHello (https:// only)',
  http2: 'HTTP/2 streams (--http2): unknown paths, wrong :authority and host, bad :path, methods, CONNECT, Expect, many refused streams on one connection',
};

/**
 * How a server that tells scanners nothing treats a probe:
 * - `silent`: a malformed or hostile request; any byte in reply is a leak.
 * - `refusable`: an unknown path or method; nothing, or a plain 404 (no body, no fingerprint), is fine.
 * - `baseline`: the page the user pointed us at; reported, never judged.
 */
export type Expectation = 'silent' | 'refusable' | 'baseline';

/** One probe: the bytes to send and how to judge what comes back. */
export interface Probe {
  /** Identifier, stable across runs (the marker appears as `{marker}`), e.g. `scanner:GET /.env`. */
  readonly id: string;
  readonly class: ProbeClass;
  /** What the probe is, in a few words (the request line, usually). */
  readonly title: string;
  readonly expect: Expectation;
  /** The bytes, written in one piece. */
  readonly payload: Buffer;
  /** Keep writing this piece every `everyMs` after the payload until the probe ends (slow headers). */
  readonly drip?: { readonly piece: Buffer; readonly everyMs: number };
  /** Strings we sent that a careful server never echoes back (paths, markers, hostnames). */
  readonly reflects: readonly string[];
}

/** What the corpus needs to know about the target. */
export interface CorpusContext {
  /** The Host header for probes that need a valid one, e.g. `127.0.0.1:3000`. */
  readonly host: string;
  /** The path of the URL the user gave, for the baseline request. */
  readonly path: string;
  /** A random token unique to this run; it is put in paths and hostnames to spot reflection. */
  readonly marker: string;
}

const USER_AGENT = 'Mozilla/5.0 (compatible; hangup-probe)';

/** Paths every scanner asks for, whatever the server runs. */
const SCANNER_PATHS = [
  '/.env',
  '/.env.production',
  '/.git/config',
  '/.git/HEAD',
  '/.aws/credentials',
  '/.DS_Store',
  '/wp-login.php',
  '/wp-admin/',
  '/xmlrpc.php',
  '/phpmyadmin/',
  '/pma/',
  '/admin/',
  '/actuator/health',
  '/actuator/env',
  '/server-status',
  '/debug/pprof/',
  '/config.json',
  '/backup.zip',
  '/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php',
  '/cgi-bin/luci',
  '/owa/auth/logon.aspx',
];

/** Builds a request head from its lines and adds the blank line. */
function lines(...parts: string[]): string {
  return `${parts.join('\r\n')}\r\n\r\n`;
}

/** The headers a typical scanner sends after the request line. */
function common(host: string | undefined): string[] {
  const out = host === undefined ? [] : [`Host: ${host}`];
  return [...out, `User-Agent: ${USER_AGENT}`, 'Accept: */*', 'Connection: close'];
}

/** Builds the corpus for one target. Pure: the same context gives the same probes. */
export function buildCorpus(ctx: CorpusContext): Probe[] {
  const { host, marker, path } = ctx;
  const bogusHost = `${marker}.invalid`;
  const unknownPath = `/${marker}`;
  const probes: Probe[] = [];
  const add = (
    cls: ProbeClass,
    title: string,
    expect: Expectation,
    payload: string | Buffer,
    reflects: string[] = [],
    drip?: Probe['drip'],
  ): void => {
    const bytes = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload;
    // The marker changes every run; ids do not.
    const id = `${cls}:${title.split(marker).join('{marker}')}`;
    probes.push({ id, class: cls, title, expect, payload: bytes, reflects, ...(drip ? { drip } : {}) });
  };
  const withHost = (line: string, ...headers: string[]): string => lines(line, ...common(host), ...headers);
  const get = (target: string, ...headers: string[]): string => withHost(`GET ${target} HTTP/1.1`, ...headers);

  add('baseline', `GET ${path}`, 'baseline', get(path));

  for (const scannerPath of SCANNER_PATHS) add('scanner', `GET ${scannerPath}`, 'refusable', get(scannerPath), [scannerPath]);
  add('scanner', `GET ${unknownPath}`, 'refusable', get(unknownPath), [marker]);
  const think = `/index.php?s=/index/\\think\\app/invokefunction&function=call_user_func_array&vars[0]=md5&vars[1][]=${marker}`;
  add('scanner', 'GET /index.php?s=/index/\\think\\app/invokefunction...', 'refusable', get(think), [marker]);
  const xss = `/<script>${marker}</script>`;
  add('scanner', 'GET /<script>...</script>', 'refusable', get(xss), [marker]);

  add('method', `TRACE ${path}`, 'refusable', withHost(`TRACE ${path} HTTP/1.1`, `X-Probe: ${marker}`), [marker]);
  add('method', `OPTIONS ${path}`, 'refusable', withHost(`OPTIONS ${path} HTTP/1.1`));
  add('method', `PROPFIND ${path}`, 'refusable', withHost(`PROPFIND ${path} HTTP/1.1`, 'Depth: 1', 'Content-Length: 0'));
  add('method', `DELETE ${unknownPath}`, 'refusable', withHost(`DELETE ${unknownPath} HTTP/1.1`), [marker]);

  const getPath = `GET ${path} HTTP/1.1`;
  add('host', `Host: ${bogusHost} (unknown name)`, 'silent', lines(getPath, ...common(bogusHost)), [marker]);
  add('host', 'no Host, HTTP/1.1', 'silent', lines(getPath, ...common(undefined)));
  add('host', 'no Host, HTTP/1.0 (masscan, zgrab)', 'silent', lines(`GET ${path} HTTP/1.0`, ...common(undefined)));
  add('host', 'empty Host', 'silent', lines(getPath, 'Host: ', ...common(undefined)));
  add('host', 'two Host headers', 'silent', withHost(getPath, `Host: ${bogusHost}`), [marker]);

  add('proxy', `GET http://${bogusHost}/`, 'silent', lines(`GET http://${bogusHost}/ HTTP/1.1`, ...common(bogusHost)), [marker]);
  add('proxy', `GET http://{host}${path} (absolute-form, its own Host)`, 'silent', withHost(`GET http://${host}${path} HTTP/1.1`));
  add('proxy', `CONNECT ${bogusHost}:443`, 'silent', lines(`CONNECT ${bogusHost}:443 HTTP/1.1`, `Host: ${bogusHost}:443`, `User-Agent: ${USER_AGENT}`), [marker]);
  add('proxy', `GET ${bogusHost}:80 (authority-form)`, 'silent', withHost(`GET ${bogusHost}:80 HTTP/1.1`), [marker]);
  add('proxy', 'OPTIONS * (asterisk-form)', 'silent', withHost('OPTIONS * HTTP/1.1'));

  const requestLine = (title: string, line: string): void => add('request-line', title, 'silent', withHost(line));
  add('request-line', `GET ${path} (HTTP/0.9, no version)`, 'silent', `GET ${path}\r\n\r\n`);
  requestLine(`FOO ${path} (unknown method)`, `FOO ${path} HTTP/1.1`);
  requestLine(`get ${path} (lower-case method)`, `get ${path} HTTP/1.1`);
  for (const version of ['HTTP/1.2', 'HTTP/2.0', 'HTTP/3.0']) requestLine(`GET ${path} ${version}`, `GET ${path} ${version}`);
  requestLine(`GET ${path} HTTX/1.1 (bad protocol name)`, `GET ${path} HTTX/1.1`);
  requestLine(`GET ${path} HTTP/1.1 extra (extra token)`, `${getPath} extra`);
  add('request-line', 'bare LF line endings', 'silent', `${[getPath, ...common(host)].join('\n')}\n\n`);
  add('request-line', 'binary garbage', 'silent', Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a, 0x0d, 0x0a]));

  const traversal = '/../../../../etc/passwd';
  add('target', `GET ${traversal}`, 'silent', get(traversal), ['etc/passwd']);
  add('target', 'GET /%2e%2e/%2e%2e/etc/passwd', 'silent', get('/%2e%2e/%2e%2e/etc/passwd'), ['etc/passwd']);
  add('target', 'GET /%c0%ae%c0%ae/ (overlong UTF-8)', 'silent', get(`/%c0%ae%c0%ae/${marker}`), [marker]);
  add('target', 'GET /%zz (bad percent-encoding)', 'silent', get(`/%zz/${marker}`), [marker]);
  add('target', 'GET /%00 (encoded NUL)', 'silent', get(`/%00/${marker}`), [marker]);
  add('target', 'GET /\\x01 (raw control character)', 'silent', get(`/\x01/${marker}`), [marker]);

  const postPath = `POST ${path} HTTP/1.1`;
  const smuggling = (title: string, line: string, headers: string[], body = ''): void =>
    add('smuggling', title, 'silent', `${withHost(line, ...headers)}${body}`);
  smuggling(`POST ${path} Content-Length + Transfer-Encoding`, postPath, ['Content-Length: 4', 'Transfer-Encoding: chunked'], '0\r\n\r\n');
  smuggling(`GET ${path} Transfer-Encoding: chunked`, getPath, ['Transfer-Encoding: chunked'], '0\r\n\r\n');
  smuggling(`POST ${path} two different Content-Length`, postPath, ['Content-Length: 0', 'Content-Length: 5'], 'hello');
  smuggling(`POST ${path} Transfer-Encoding: xchunked`, postPath, ['Transfer-Encoding: xchunked'], '0\r\n\r\n');
  smuggling(`POST ${path} "Transfer-Encoding :" (space before colon)`, postPath, ['Transfer-Encoding : chunked'], '0\r\n\r\n');
  smuggling(`POST ${path} Content-Length: -1`, postPath, ['Content-Length: -1']);
  smuggling(`GET ${path} obs-fold header line`, getPath, ['X-Folded: a', ' b']);

  add('oversize', `GET ${path} with a 20 KiB header`, 'silent', get(path, `X-Pad: ${'a'.repeat(20 * 1024)}`));
  add('oversize', 'GET /aaaa... (20 KiB path)', 'silent', get(`/${'a'.repeat(20 * 1024)}`));

  add(
    'expect',
    `POST ${unknownPath} Expect: 100-continue`,
    'refusable',
    `${withHost(`POST ${unknownPath} HTTP/1.1`, 'Expect: 100-continue', 'Content-Length: 5')}hello`,
    [marker],
  );
  add('expect', `GET ${path} Expect: ${marker}`, 'silent', get(path, `Expect: ${marker}`), [marker]);

  add('foreign', `TLS ClientHello (SNI ${bogusHost})`, 'silent', tlsClientHello(bogusHost), [marker]);
  add(
    'foreign',
    'HTTP/2 connection preface',
    'silent',
    Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1'), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]),
  );
  add('foreign', 'SSH client banner', 'silent', 'SSH-2.0-OpenSSH_9.6\r\n');

  add(
    'slow',
    `GET ${unknownPath}, one header line every 250 ms`,
    'silent',
    `GET ${unknownPath} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: ${USER_AGENT}\r\n`,
    [marker],
    { piece: Buffer.from('X-Slow: 1\r\n', 'latin1'), everyMs: 250 },
  );

  return probes;
}
