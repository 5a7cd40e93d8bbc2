/**
 * `hangup probe` as a real process: exit codes (0 silent, 1 leaks, 2 bad arguments, 3 unreachable),
 * the --json document, the text table, progress on stderr, and the built bin `dist/cli/main.js`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import express5 from 'express5';
import { hangup } from 'hangup';
import { sitePolicy } from '../../examples/site-policy.js';
import { listen, close } from '../helpers/servers.js';
import { freePort } from '../helpers/processes.js';
import { runHangup, type CliResult } from '../helpers/cli.js';

/** Runs `hangup <args>` from the sources (tsx) or from the build, and collects its output. */
function hangupCli(args: string[], entry: 'src' | 'dist' = 'src'): Promise<CliResult> {
  return runHangup(args, entry);
}

let leaky: http.Server;
let leakyUrl: string;
let silent: http.Server;
let silentUrl: string;
let dropsHome: http.Server;
let dropsHomeUrl: string;
before(async () => {
  const app = express5();
  app.get('/', (_req, res) => {
    res.send('home\n');
  });
  leaky = http.createServer(app);
  leakyUrl = `http://127.0.0.1:${await listen(leaky)}/`;
  silent = hangup(sitePolicy).createServer((_req, res) => res.end('home\n'));
  silentUrl = `http://127.0.0.1:${await listen(silent)}/`;
  // A site whose only page is /health: it drops its own home page, as it drops everything else.
  dropsHome = hangup({ hosts: ['127.0.0.1'], routes: ['GET /health'] }).createServer((_req, res) => res.end('ok\n'));
  dropsHomeUrl = `http://127.0.0.1:${await listen(dropsHome)}/`;
});
after(async () => {
  await close(leaky);
  await close(silent);
  await close(dropsHome);
});

test('--help prints the usage and the leak definition, exit 0', async () => {
  const result = await hangupCli(['probe', '--help']);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /^usage: hangup probe <url> \[options\]/);
  assert.match(result.stdout, /exit codes: 0 nothing leaked, 1 something leaked, 2 bad arguments, 3 the server could not be probed/);
  assert.equal(result.stderr, '');
  const top = await hangupCli(['--help']);
  assert.match(top.stdout, /hangup probe +replay scanner and attack requests/);
  assert.match(top.stdout, /hangup --version \(-v\) for the version/);
});

test('--version and -v print the package version, from the sources and from the build, exit 0', async () => {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.match(version, /^\d+\.\d+\.\d+/);
  for (const [flag, entry] of [['--version', 'dist'], ['-v', 'dist'], ['--version', 'src']] as const) {
    const result = await hangupCli([flag], entry);
    assert.deepEqual([result.code, result.stdout, result.stderr], [0, `${version}\n`, ''], `${flag} (${entry})`);
  }
});

test('bad arguments are refused with a message naming the problem, exit 2, nothing probed', async () => {
  const cases: [string[], RegExp][] = [
    [[], /give the URL of the server to probe/],
    [['http://127.0.0.1:1/', 'http://127.0.0.1:2/'], /probe one URL at a time; got 2/],
    [['not a url'], /not a URL: "not a url"/],
    [['ftp://127.0.0.1/'], /only http:\/\/ and https:\/\/ URLs can be probed, got ftp:/],
    [['http://u:p@127.0.0.1:1/'], /remove the credentials from the URL/],
    [['http://127.0.0.1:1/', '--timeout', '5'], /--timeout: "5" is not a whole number from 100 to 60000/],
    [['http://127.0.0.1:1/', '--timeout=soon'], /--timeout: "soon" is not a whole number/],
    [['http://127.0.0.1:1/', '--concurrency', '0'], /--concurrency: "0" is not a whole number from 1 to 32/],
    [['http://127.0.0.1:1/', '--host', 'a b\r\nX-Injected: 1'], /--host: "a b\\r\\nX-Injected: 1" is not a host name/],
    [['http://127.0.0.1:1/', '--bogus'], /Unknown option '--bogus'/],
    [['http://127.0.0.1:1/', '--progress', '--no-progress'], /--progress and --no-progress contradict each other/],
  ];
  for (const [args, message] of cases) {
    const result = await hangupCli(['probe', ...args]);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message, args.join(' '));
    assert.match(result.stderr, /^hangup probe: [^]*Run 'hangup probe --help' for the options\.\n$/);
    assert.equal(result.stdout, '');
  }
});

test('a server that is not there: exit 3 and a clear message, not a silent pass', async () => {
  const port = await freePort();
  const result = await hangupCli(['probe', `http://127.0.0.1:${port}/`]);
  assert.equal(result.code, 3);
  assert.match(result.stderr, new RegExp(`^hangup probe: cannot connect to 127\\.0\\.0\\.1:${port} \\(127\\.0\\.0\\.1: ECONNREFUSED\\)\\. Is the server running\\?\\n$`));
  assert.equal(result.stdout, '');
});

test('--json against a leaky Express app: exit 1 and a document naming every leak', async () => {
  const result = await hangupCli(['probe', leakyUrl, '--json']);
  assert.equal(result.code, 1, result.stderr);
  assert.equal(result.stderr, '', 'no progress on a pipe unless asked');
  const doc = JSON.parse(result.stdout) as {
    tool: string;
    schema: number;
    target: { url: string; host: string; address: string; port: number };
    settings: { timeoutMs: number; concurrency: number };
    summary: { verdict: string; exitCode: number; probes: number; judged: number; leaks: number; topLeaks: { label: string; probes: number }[] };
    probes: {
      id: string;
      class: string;
      outcome: string;
      leak: boolean;
      findings: { kind: string; detail: string; leak: boolean }[];
      received: { bytes: number; ending: string; status: number | null; headers: [string, string][]; text: string };
    }[];
  };
  assert.equal(doc.tool, 'hangup probe');
  assert.equal(doc.schema, 1);
  assert.equal(doc.target.url, leakyUrl);
  assert.equal(doc.target.address, '127.0.0.1');
  assert.deepEqual(doc.settings, { timeoutMs: 2000, concurrency: 4 });
  assert.equal(doc.summary.verdict, 'leaks');
  assert.equal(doc.summary.exitCode, 1);
  assert.equal(doc.summary.probes, doc.probes.length);
  assert.equal(doc.summary.judged, doc.probes.length - 1);
  assert.equal(doc.summary.leaks, doc.probes.filter((p) => p.leak).length);
  const env = doc.probes.find((p) => p.id === 'scanner:GET /.env');
  assert.ok(env);
  assert.equal(env.leak, true);
  assert.equal(env.received.status, 404);
  assert.deepEqual(env.received.headers[0], ['X-Powered-By', 'Express']);
  assert.deepEqual(
    env.findings.map((f) => f.kind),
    ['fingerprint-header', 'framework-page', 'reflected'],
  );
  assert.ok(doc.summary.topLeaks.some((t) => t.label === 'X-Powered-By: Express' && t.probes > 20));
});

test('text report against the protected site: exit 0, a table per class, SILENT verdict, progress when asked', async () => {
  const result = await hangupCli(['probe', silentUrl, '--progress', '--concurrency', '8']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^hangup probe http:\/\/127\.0\.0\.1:\d+\/\n/);
  assert.match(result.stdout, /\nscanner paths: \d+ probes, no leak\n/);
  assert.match(result.stdout, /\n {2}GET \/\.env +nothing +0 B fin +\d+ ms {2}ok\n/);
  assert.match(result.stdout, /\nverdict: SILENT: none of the \d+ probes got anything a scanner could use/);
  const progress = result.stderr.trimEnd().split('\n');
  const total = Number(/^\[1\/(\d+)\]/.exec(progress[0] ?? '')?.[1]);
  assert.ok(total > 50, progress[0]);
  assert.equal(progress.length, total);
  assert.match(progress.at(-1) ?? '', new RegExp(`^\\[${total}/${total}\\] `));
});

test('a wrong --host: the URL given gets no answer, so the run proves nothing: exit 3 and why, never SILENT', async () => {
  const result = await hangupCli(['probe', silentUrl, '--host', 'wrong.example']);
  assert.equal(result.code, 3, result.stdout);
  assert.match(result.stdout, /\n {2}GET \/ +nothing +0 B fin +\d+ ms {2}info +no answer to the URL you gave: check the URL and --host\n/);
  assert.match(
    result.stdout,
    /\nverdict: INCONCLUSIVE: nothing leaked, but the URL you gave \(GET \/, Host: wrong\.example\) got no answer \(no byte, connection closed\), so the silence of the other probes proves nothing: a wrong URL or --host, or a server that refuses everything, is silent to every probe too\. Probe a URL the server answers, with a Host it serves \(--host\)\.\n/,
  );
  assert.doesNotMatch(result.stdout, /SILENT/);

  const json = await hangupCli(['probe', silentUrl, '--host', 'wrong.example', '--json']);
  assert.equal(json.code, 3);
  const doc = JSON.parse(json.stdout) as {
    summary: { verdict: string; exitCode: number; leaks: number; inconclusive: string | null; baseline: unknown };
  };
  assert.equal(doc.summary.verdict, 'inconclusive');
  assert.equal(doc.summary.exitCode, 3);
  assert.equal(doc.summary.leaks, 0);
  assert.match(doc.summary.inconclusive ?? '', /^the URL you gave \(GET \/, Host: wrong\.example\) got no answer/);
  assert.deepEqual(doc.summary.baseline, { request: 'GET /', host: 'wrong.example', answered: false, answer: 'no byte, connection closed' });
  // stdout holds only the document; stderr says why the run did not pass.
  assert.match(json.stderr, /^hangup probe: INCONCLUSIVE: nothing leaked, but the URL you gave \(GET \/, Host: wrong\.example\) got no answer/);
});

test('a site that drops its own home page: exit 3 for that URL, exit 0 for a URL it serves', async () => {
  const home = await hangupCli(['probe', dropsHomeUrl, '--json']);
  assert.equal(home.code, 3, home.stderr);
  const doc = JSON.parse(home.stdout) as { summary: { verdict: string; baseline: { answered: boolean } } };
  assert.equal(doc.summary.verdict, 'inconclusive');
  assert.equal(doc.summary.baseline.answered, false);

  const health = await hangupCli(['probe', `${dropsHomeUrl}health`, '--json']);
  assert.equal(health.code, 0, health.stderr);
  const served = JSON.parse(health.stdout) as { summary: { verdict: string; inconclusive: unknown; baseline: unknown } };
  assert.equal(served.summary.verdict, 'silent');
  assert.equal(served.summary.inconclusive, null);
  assert.deepEqual(served.summary.baseline, { request: 'GET /health', host: dropsHomeUrl.slice(7, -1), answered: true, answer: 'HTTP/1.1 200 OK' });
  assert.equal(health.stderr, '');
});

test('the built bin (dist/cli/main.js) probes too', async () => {
  const result = await hangupCli(['probe', silentUrl, '--json', '--timeout', '1500'], 'dist');
  assert.equal(result.code, 0, result.stderr);
  const doc = JSON.parse(result.stdout) as { summary: { verdict: string }; settings: { timeoutMs: number } };
  assert.equal(doc.summary.verdict, 'silent');
  assert.equal(doc.settings.timeoutMs, 1500);
});
