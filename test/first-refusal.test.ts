/**
 * The first refusal of each reason explains itself on stderr (outside production), so a first run
 * on localhost never fails silently; later refusals of that reason print nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hangup, type HangupOptions } from '../src/index.js';
import { rawRequest, head } from './helpers/raw-client.js';
import { listen, close } from './helpers/servers.js';

/** Runs `body` with stderr captured, and returns what was written. */
async function capturingStderr(body: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    await body();
  } finally {
    process.stderr.write = write;
  }
  return lines.filter((line) => line.startsWith('hangup: '));
}

async function refuseSome(options: HangupOptions): Promise<void> {
  const server = hangup(options).createServer((_req, res) => res.end('ok\n'));
  const port = await listen(server);
  try {
    for (const target of ['/.env', '/wp-login.php', '/%2e%2e/etc/passwd', '/favicon.ico']) {
      await rawRequest(port, head(`GET ${target} HTTP/1.1`, 'Host: localhost'), { waitMs: 200 });
    }
    await rawRequest(port, head('GET / HTTP/1.1', 'Host: 192.0.2.1'), { waitMs: 200 });
  } finally {
    await close(server);
  }
}

const policy = { hosts: ['localhost'], routes: ['GET /'], rules: [{ notFound: 'GET /favicon.ico' }] } satisfies HangupOptions;

test('one line per reason: what, why, and the option that changes it', async () => {
  const lines = await capturingStderr(() => refuseSome({ ...policy, hints: true }));
  assert.equal(lines.length, 4, lines.join(''));
  const [unknown, dots, favicon, host] = lines;
  assert.match(unknown ?? '', /^hangup: dropped GET \/\.env \(Host: localhost\): no route matches this path, and unknownRoute is 'drop' \(route:unknown\)\. To allow it, add 'GET \/\.env' to routes\. \[shown once per reason/);
  assert.match(dots ?? '', /detector found it malformed \(malformed:dot-segment\)\. If such requests are legitimate, switch the detector off: detectors: \{ dotSegments: false \}\./);
  assert.match(favicon ?? '', /^hangup: answered with the fixed 404 GET \/favicon\.ico .*\(rule:matched\)\. Change or remove the rule/);
  assert.match(host ?? '', /the Host "192\.0\.2\.1" is not in the hosts option \(host:unlisted\)\. To serve this Host, add its name to hosts \(e\.g\. hosts: \['192\.0\.2\.1'\]\)\./);
  // /wp-login.php was refused for the same reason as /.env: nothing more was printed.
  assert.ok(!lines.some((line) => line.includes('wp-login')));
});

test('on by default outside production, off with NODE_ENV=production, HANGUP_HINTS=0 or hints: false', async () => {
  const saved = { env: process.env.NODE_ENV, hints: process.env.HANGUP_HINTS };
  const restore = (): void => {
    for (const [name, value] of [['NODE_ENV', saved.env], ['HANGUP_HINTS', saved.hints]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  try {
    delete process.env.NODE_ENV;
    delete process.env.HANGUP_HINTS;
    assert.equal((await capturingStderr(() => refuseSome(policy))).length, 4);
    assert.equal((await capturingStderr(() => refuseSome({ ...policy, hints: false }))).length, 0);
    process.env.HANGUP_HINTS = '0';
    assert.equal((await capturingStderr(() => refuseSome(policy))).length, 0);
    delete process.env.HANGUP_HINTS;
    process.env.NODE_ENV = 'production';
    assert.equal((await capturingStderr(() => refuseSome(policy))).length, 0);
  } finally {
    restore();
  }
});

test('hints: a non-boolean is a configuration error naming the option', () => {
  assert.throws(() => hangup({ hints: 'yes' as unknown as boolean }), /hints: expected true or false/);
});
