/**
 * A real scanner against the examples: nmap's service detection (`-sV`) sends its probes (GET, OPTIONS,
 * RTSP, SSL hellos, ...) and matches what comes back against its fingerprint database. Without hangup
 * it names an Express app outright; with hangup it must not even recognise HTTP.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { ChildProcess } from 'node:child_process';
import http from 'node:http';
import express from 'express';
import { listen, close } from '../helpers/servers.js';
import { freePort, startExample, stop } from '../helpers/processes.js';

const run = promisify(execFile);
const nmapMissing = await run('nmap', ['--version']).then(
  () => false,
  () => true,
);

const examples = ['examples/http.ts', 'examples/express.ts', 'examples/fastify.ts'];
const children: ChildProcess[] = [];
const ports = new Map<string, number>();
let bare: http.Server;

before(async () => {
  if (nmapMissing) return;
  const app = express();
  app.get('/', (_req, res) => {
    res.send('home\n');
  });
  bare = http.createServer(app);
  ports.set('express without hangup', await listen(bare));
  for (const file of examples) {
    const port = await freePort();
    children.push(await startExample(file, port));
    ports.set(file, port);
  }
});

after(async () => {
  await Promise.all(children.map(stop));
  if (bare !== undefined) await close(bare);
});

/** The service nmap reports per port: `name / product / extrainfo` from its XML output. */
async function serviceDetection(portList: number[]): Promise<Map<number, string>> {
  const { stdout } = await run('nmap', ['-Pn', '-sV', '-p', portList.join(','), '-oX', '-', '127.0.0.1'], { timeout: 120_000 });
  const found = new Map<number, string>();
  for (const match of stdout.matchAll(/<port protocol="tcp" portid="(\d+)">(.*?)<\/port>/gs)) {
    const service = /<service ([^>]*)\/?>/.exec(match[2] ?? '')?.[1] ?? '';
    const name = /name="([^"]*)"/.exec(service)?.[1] ?? '';
    const product = /product="([^"]*)"/.exec(service)?.[1] ?? '';
    const extra = /extrainfo="([^"]*)"/.exec(service)?.[1] ?? '';
    found.set(Number(match[1]), [name, product, extra].filter((part) => part !== '').join(' / '));
  }
  return found;
}

test('nmap -sV names Express without hangup, and recognises nothing behind hangup', { skip: nmapMissing && 'nmap is not installed' }, async () => {
  const services = await serviceDetection([...ports.values()]);
  const bareService = services.get(ports.get('express without hangup') as number) ?? '';
  assert.match(bareService, /^http \/ Node\.js \/ Express/, `control: nmap identifies bare Express (${bareService})`);
  for (const file of examples) {
    const service = services.get(ports.get(file) as number) ?? '';
    assert.doesNotMatch(service, /http|express|node|fastify/i, `${file}: nmap saw "${service}"`);
  }
});
