/**
 * Every parser setting of every supported Node version, over real sockets: raw and encoded control
 * characters in header values, header names, the path and the query are dropped with zero bytes
 * whatever the parser lets through. The settings are the `insecureHTTPParser` server option, Node
 * 24's `httpValidation` ('strict', 'relaxed', 'insecure'; Node 20 and 22 ignore it), and the
 * process-wide `--insecure-http-parser` flag, on the command line or in NODE_OPTIONS.
 *
 * A control server with the same options and no hangup shows what the parser itself let through,
 * so each configuration is known to test the path it claims to (e.g. that `httpValidation:
 * 'relaxed'` really delivers `X-A: a\x01b` to a Node 24 app).
 */
import test from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { rawRequest } from '../helpers/raw-client.js';
import { stop } from '../helpers/processes.js';
import { strictSettings, insecureProcessFlag } from '../../src/policy/parser-mode.js';

const child = fileURLToPath(new URL('./parser-servers.ts', import.meta.url));

/** Whether this Node knows the `httpValidation` server option (Node 24.13 and later). */
const hasHttpValidation = (http.createServer({ httpValidation: 'strict' } as http.ServerOptions) as { httpValidation?: unknown }).httpValidation === 'strict';

type Options = http.ServerOptions & { httpValidation?: 'strict' | 'relaxed' | 'insecure' };

/** What each process is started with, and the server options tried in it. */
const processes: { name: string; args: string[]; env: NodeJS.ProcessEnv; flag: boolean; configs: Options[] }[] = [
  {
    name: 'no flag',
    args: [],
    env: {},
    flag: false,
    configs: [{}, { insecureHTTPParser: false }, { insecureHTTPParser: true }, { httpValidation: 'strict' }, { httpValidation: 'relaxed' }, { httpValidation: 'insecure' }],
  },
  {
    name: '--insecure-http-parser',
    args: ['--insecure-http-parser'],
    env: {},
    flag: true,
    configs: [{}, { insecureHTTPParser: false }, { insecureHTTPParser: true }, { httpValidation: 'strict' }, { httpValidation: 'relaxed' }],
  },
  { name: 'NODE_OPTIONS=--insecure-http-parser', args: [], env: { NODE_OPTIONS: '--insecure-http-parser' }, flag: true, configs: [{}, { httpValidation: 'strict' }] },
];

/** Whether Node parses leniently (lets a raw 0x01 through a header value) with these options: Node's own rule. */
function lenient(options: Options, flag: boolean): boolean {
  if (hasHttpValidation && options.httpValidation !== undefined) return options.httpValidation !== 'strict';
  return options.insecureHTTPParser ?? flag;
}

const request = (target: string, ...headers: string[]): string =>
  `GET ${target} HTTP/1.1\r\nHost: localhost\r\n${headers.map((h) => `${h}\r\n`).join('')}Connection: close\r\n\r\n`;

/** [name, raw request]: each must be dropped with zero bytes on every setting. */
const hostile: [string, string][] = [
  ...['\x00', '\x01', '\x08', '\x0b', '\x0c', '\x1b', '\x1f', '\x7f'].map((c): [string, string] => [`header value, raw 0x${c.charCodeAt(0).toString(16)}`, request('/', `X-A: a${c}b`)]),
  ['header value, raw 0x01 first', request('/', 'X-A: \x01b')],
  ['header value, raw 0x7f last', request('/', 'X-A: a\x7f')],
  ['header value, bare CR', request('/', 'X-A: a\rb')],
  ['header value, encoded %00', request('/', 'X-A: a%00b')],
  ['User-Agent value, raw 0x01', request('/', 'User-Agent: curl\x01/8')],
  ['Host value, raw 0x01', 'GET / HTTP/1.1\r\nHost: local\x01host\r\nConnection: close\r\n\r\n'],
  ...['\x00', '\x01', '\x1f', '\x7f'].map((c): [string, string] => [`header name, raw 0x${c.charCodeAt(0).toString(16)}`, request('/', `X-${c}A: b`)]),
  ['header name, space before the colon', request('/', 'X-A : b')],
  ['header name, tab before the colon', request('/', 'Transfer-Encoding\t: chunked')],
  ...['\x01', '\x1f', '\x7f', '\t'].map((c): [string, string] => [`path, raw 0x${c.charCodeAt(0).toString(16)}`, request(`/a${c}b`)]),
  ...['%00', '%01', '%1f', '%1F', '%7f', '%0d%0a', '%09'].map((e): [string, string] => [`path, encoded ${e}`, request(`/a${e}b`)]),
  ...['\x01', '\x1f', '\x7f'].map((c): [string, string] => [`query, raw 0x${c.charCodeAt(0).toString(16)}`, request(`/?q=a${c}b`)]),
  ...['%00', '%01', '%1f', '%7f', '%0a', '%0D%0A'].map((e): [string, string] => [`query, encoded ${e}`, request(`/?q=a${e}b`)]),
];

const valueProbe = request('/', 'X-A: a\x01b');
const APP = 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n';

/** Starts the child and reads its ports. */
function start(args: string[], env: NodeJS.ProcessEnv, configs: Options[]): Promise<{ process: ChildProcess; ports: { protected: number; control: number }[] }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...args, '--import', 'tsx', child, JSON.stringify(configs)], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    proc.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line !== undefined) resolve({ process: proc, ports: (JSON.parse(line) as { ports: { protected: number; control: number }[] }).ports });
    });
    proc.once('exit', (code) => reject(new Error(`parser-servers.ts exited with ${code}: ${out}`)));
  });
}

test('parser-mode: the flag is read in every spelling Node accepts', () => {
  assert.equal(insecureProcessFlag(['--insecure-http-parser'], undefined), true);
  assert.equal(insecureProcessFlag([], '--max-old-space-size=100 --insecure-http-parser'), true);
  assert.equal(insecureProcessFlag([], '--insecure_http_parser'), true);
  assert.equal(insecureProcessFlag(['--insecure-http-parser=true'], ''), true);
  assert.equal(insecureProcessFlag(['--import', 'tsx'], '--max-http-header-size=1000'), false);
  // httpValidation wins over everything (Node 24), then insecureHTTPParser, then the flag.
  assert.equal(strictSettings({ httpValidation: 'strict' }, true), true);
  assert.equal(strictSettings({ httpValidation: 'relaxed' }, false), false);
  assert.equal(strictSettings({ httpValidation: 'insecure' }, false), false);
  assert.equal(strictSettings({ httpValidation: 'something new' }, false), false);
  assert.equal(strictSettings({ insecureHTTPParser: false }, true), true);
  assert.equal(strictSettings({ insecureHTTPParser: true }, false), false);
  assert.equal(strictSettings({}, true), false);
  assert.equal(strictSettings({}, false), true);
});

for (const setup of processes) {
  test(`${process.version}, ${setup.name}: control characters are dropped with zero bytes on every parser setting`, async (t) => {
    const { process: proc, ports } = await start(setup.args, setup.env, setup.configs);
    try {
      for (const [index, options] of setup.configs.entries()) {
        const port = ports[index] as { protected: number; control: number };
        const label = `${JSON.stringify(options)} (${setup.name})`;
        await t.test(label, async () => {
          // The control: what Node's parser does with these options, without hangup.
          const control = await rawRequest(port.control, valueProbe);
          if (lenient(options, setup.flag)) assert.equal(control.text, APP, `${label}: the parser should let 0x01 through`);
          else assert.equal(control.text, 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n', `${label}: the parser should refuse 0x01`);

          // A clean request still gets the app's exact bytes.
          const clean = await rawRequest(port.protected, request('/ok?q=a%20b', 'X-A: a\tb'));
          assert.deepEqual([clean.text, clean.ending], [APP, 'fin'], `${label}: clean request`);

          const results = await Promise.all(hostile.map(async ([name, bytes]) => ({ name, result: await rawRequest(port.protected, Buffer.from(bytes, 'latin1')) })));
          const leaked = results.filter(({ result }) => result.bytes.length > 0 || result.ending !== 'fin');
          assert.deepEqual(
            leaked.map(({ name, result }) => `${name}: ${result.bytes.length} bytes ${JSON.stringify(result.text.slice(0, 40))} ${result.ending}`),
            [],
            `${label}: every hostile request gets zero bytes and a FIN`,
          );
        });
      }
    } finally {
      await stop(proc);
    }
  });
}
