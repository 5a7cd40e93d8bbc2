/**
 * `npm run demo`: starts the example site as a real process, sends it a handful of requests over
 * raw sockets (allowed, unknown path, wrong host, malformed, smuggling...), and prints what each
 * client received and why hangup decided so. Exits 0 when every case behaved as the policy says.
 */
import http from 'node:http';
import net from 'node:net';
import { hangup, type Decision } from 'hangup';
import { sitePolicy } from '../examples/site-policy.js';
import { rawRequest, head, type RawResult } from '../test/helpers/raw-client.js';
import { freePort, startExample, stop } from '../test/helpers/processes.js';
import express5 from 'express5';
import { pageFor } from '../examples/site-policy.js';
import { runProbes } from '../src/cli/probe/runner.js';
import { formatComparison } from '../src/cli/probe/compare.js';
import { summarise } from '../src/cli/probe/summary.js';

// The demo's servers refuse dozens of requests on purpose: their first-refusal hints (one stderr line
// per reason, see README) would drown the output. The example process inherits this.
process.env.HANGUP_HINTS ??= '0';

/** One demo request: its label and the exact bytes sent. */
interface DemoCase {
  readonly label: string;
  readonly bytes: string;
}

const H = 'Host: localhost';
export const demoCases: readonly DemoCase[] = [
  { label: 'GET /                    (allowed)', bytes: head('GET / HTTP/1.1', H) },
  { label: 'GET /users/42            (allowed)', bytes: head('GET /users/42 HTTP/1.1', H) },
  { label: 'GET /favicon.ico', bytes: head('GET /favicon.ico HTTP/1.1', H) },
  { label: 'GET /.env                (scanner)', bytes: head('GET /.env HTTP/1.1', H) },
  { label: 'GET /wp-login.php        (scanner)', bytes: head('GET /wp-login.php HTTP/1.1', H) },
  { label: 'DELETE /users/42         (method)', bytes: head('DELETE /users/42 HTTP/1.1', H) },
  { label: 'GET / Host: evil.example (wrong host)', bytes: head('GET / HTTP/1.1', 'Host: evil.example') },
  { label: 'GET / without Host', bytes: head('GET / HTTP/1.1') },
  { label: 'GET /users/%2e%2e/%2e%2e/etc/passwd', bytes: head('GET /users/%2e%2e/%2e%2e/etc/passwd HTTP/1.1', H) },
  { label: 'GET http://evil.example/ (proxy probe)', bytes: head('GET http://evil.example/ HTTP/1.1', H) },
  {
    label: 'POST /orders CL + TE     (smuggling)',
    bytes: head('POST /orders HTTP/1.1', H, 'Content-Length: 4', 'Transfer-Encoding: chunked') + '0\r\n\r\n',
  },
  { label: 'garbage bytes', bytes: '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n' },
];

/** What hangup decides for these bytes, found by sending them to an in-process protected server. */
async function decisionsFor(cases: readonly DemoCase[]): Promise<string[]> {
  const guard = hangup(sitePolicy);
  let last = '';
  const server = guard.createServer((_req, res) => res.end());
  server.prependListener('request', (req: http.IncomingMessage) => {
    const d: Decision = guard.decide(req);
    last = `${d.reason}${d.rule === undefined ? '' : ` (${d.rule})`}`;
  });
  server.prependListener('clientError', (error: NodeJS.ErrnoException) => {
    last = `parser:${error.code ?? 'error'} (Node's HTTP parser refused it)`;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  const reasons: string[] = [];
  for (const c of cases) {
    last = '?';
    await rawRequest(port, c.bytes, { waitMs: 150 });
    reasons.push(last);
  }
  server.closeAllConnections();
  server.close();
  return reasons;
}

/** The client's view in one line: the status line, or how the connection ended with nothing. */
export function received(result: RawResult): string {
  if (result.bytes.length === 0) return `nothing: connection closed (${result.ending.toUpperCase()})`;
  const statusLine = result.text.split('\r\n', 1)[0] ?? '';
  return `${statusLine} (${result.bytes.length} bytes)`;
}

function printTable(rows: readonly (readonly string[])[]): void {
  const widths = rows[0]?.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length))) ?? [];
  rows.forEach((row, index) => {
    console.log(row.map((cell, col) => cell.padEnd(widths[col] ?? 0)).join('  │  ').trimEnd());
    if (index === 0) console.log(widths.map((w) => '─'.repeat(w)).join('──┼──'));
  });
}

/** Runs the demo cases against one example file and prints the table. */
export async function demoExample(title: string, file: string): Promise<void> {
  const port = await freePort();
  const child = await startExample(file, port);
  try {
    console.log(`\n${title}: ${file} on http://127.0.0.1:${port}\n`);
    const reasons = await decisionsFor(demoCases);
    const rows: string[][] = [['request', 'what the client received', 'why (hangup decision)']];
    for (const [index, c] of demoCases.entries()) {
      const result = await rawRequest(port, c.bytes, { waitMs: 300 });
      rows.push([c.label, received(result), reasons[index] ?? '']);
    }
    printTable(rows);
  } finally {
    await stop(child);
  }
}

async function main(): Promise<void> {
  console.log('hangup demo: the same policy on every example (hosts localhost and 127.0.0.1;');
  console.log('routes GET /, GET /users, GET /users/:id, GET /orders, POST /orders; a fixed 404 for');
  console.log('GET /favicon.ico; everything else dropped with zero bytes).');
  await demoExample('node:http', 'examples/http.ts');
  await demoExample('Express', 'examples/express.ts');
  await demoExample('Fastify', 'examples/fastify.ts');
  await probeDemo();
}

/**
 * `hangup probe` on the same site twice: on Express without hangup, and examples/http.ts with it.
 * Fails the demo if the protected example leaks anything.
 */
async function probeDemo(): Promise<void> {
  const app = express5();
  for (const path of ['/', '/users', '/users/:id', '/orders']) {
    app.get(path, (req, res) => {
      res.type('text/plain').send(pageFor(req.method, req.path));
    });
  }
  app.post('/orders', (req, res) => {
    res.type('text/plain').send(pageFor(req.method, '/orders'));
  });
  const unprotected = http.createServer(app);
  await new Promise<void>((resolve) => unprotected.listen(0, '127.0.0.1', resolve));
  const port = await freePort();
  const child = await startExample('examples/http.ts', port);
  try {
    const plain = await runProbes({ url: `http://127.0.0.1:${(unprotected.address() as net.AddressInfo).port}/` });
    const guarded = await runProbes({ url: `http://127.0.0.1:${port}/` });
    console.log(`\nhangup probe: what the same site tells scanners without and with hangup (${plain.results.length} probes each;`);
    console.log('`npx hangup probe http://127.0.0.1:3000` lists every probe and what came back)\n');
    console.log(formatComparison([['Express, no hangup', plain], ['examples/http.ts (hangup)', guarded]]));
    if (summarise(guarded).exitCode !== 0) throw new Error('hangup probe: the protected example leaked; see the table above');
  } finally {
    await stop(child);
    unprotected.closeAllConnections();
    unprotected.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
