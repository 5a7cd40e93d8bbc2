/**
 * How many requests a real browser sends for what hangup drops: a navigation to a dropped URL, an
 * in-page fetch() of a dropped URL, and the favicon of a page view without a favicon rule (and with
 * one). Runs headless Chromium (`chromium` on PATH, or CHROMIUM=/path) against a protected
 * node:http server and counts the requests that reached the server per path and per connection.
 *
 *   npx tsx bench/chromium.ts            # each scenario 3 times, a fresh browser profile each time
 *   HEADLESS=0 xvfb-run -a npx tsx bench/chromium.ts   # a windowed browser on a virtual display
 *   RUNS=5 WAIT_MS=10000 ...             # runs per scenario, and how long each page stays open
 */
import http from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { hangup, notFound, type DecisionEvent } from '../src/index.js';

const CHROMIUM = process.env.CHROMIUM ?? 'chromium';
const WAIT_MS = Number(process.env.WAIT_MS ?? 8000);
const RUNS = Number(process.env.RUNS ?? 3);
/** HEADLESS=0 runs a windowed browser (under xvfb-run where there is no display). */
const HEADLESS = process.env.HEADLESS !== '0';

const PAGE = '<!doctype html><title>home</title><p>home</p>';
const FETCH_PAGE =
  '<!doctype html><title>fetch</title><script>fetch("/api/dropped").then(() => document.title = "ok", (e) => document.title = "failed: " + e)</script>';

interface Scenario {
  readonly name: string;
  readonly path: string;
  readonly count: string;
  readonly favicon: boolean;
}

const scenarios: Scenario[] = [
  { name: 'navigation to a dropped URL', path: '/dropped', count: '/dropped', favicon: true },
  { name: 'in-page fetch() of a dropped URL', path: '/fetch', count: '/api/dropped', favicon: true },
  { name: 'page view, no favicon rule (favicon dropped)', path: '/', count: '/favicon.ico', favicon: false },
  { name: 'page view, favicon rule notFound', path: '/', count: '/favicon.ico', favicon: true },
];

async function runOnce(scenario: Scenario): Promise<{ requests: number; connections: number; actions: string[]; times: number[] }> {
  const events: DecisionEvent[] = [];
  const times: number[] = [];
  const started = Date.now();
  const guard = hangup({
    routes: ['GET /', 'GET /fetch'],
    rules: scenario.favicon ? [notFound('GET /favicon.ico')] : [],
    onDecision: (e) => {
      events.push(e);
      if (e.path === scenario.count) times.push(Date.now() - started);
    },
  });
  const ports = new Set<number>();
  const server = guard.createServer((req, res) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(req.url === '/fetch' ? FETCH_PAGE : PAGE);
  });
  server.on('connection', (socket) => ports.add(socket.remotePort ?? 0));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const profile = mkdtempSync(join(tmpdir(), 'hangup-chromium-'));
  const browser = spawn(
    CHROMIUM,
    [...(HEADLESS ? ['--headless'] : []), '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${profile}`, '--remote-debugging-port=0', `http://127.0.0.1:${port}${scenario.path}`],
    { stdio: 'ignore', detached: true },
  );
  await new Promise((resolve) => setTimeout(resolve, WAIT_MS));
  const exited = new Promise((resolve) => browser.once('exit', resolve));
  try {
    process.kill(-(browser.pid as number), 'SIGTERM');
  } catch {
    /* already gone */
  }
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
  await new Promise((resolve) => setTimeout(resolve, 500));
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(profile, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  const matching = events.filter((e) => e.path === scenario.count);
  return { requests: matching.length, connections: ports.size, actions: matching.map((e) => e.action), times };
}

const version = await new Promise<string>((resolve) => {
  const child = spawn(CHROMIUM, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.on('close', () => resolve(out.trim()));
});
console.log(`${version}, ${HEADLESS ? 'headless' : 'windowed'}, ${RUNS} runs per scenario, ${WAIT_MS} ms each, fresh profile each run`);
for (const scenario of scenarios) {
  const counts: string[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await runOnce(scenario);
    counts.push(`${r.requests} (${r.actions.join(',') || 'none'} at ${r.times.map((t) => `${t} ms`).join(', ')}; ${r.connections} connections in all)`);
  }
  console.log(`${scenario.name}: requests for ${scenario.count} per run: ${counts.join(' | ')}`);
}
