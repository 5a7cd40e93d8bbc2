/**
 * Child process for parser-settings.test.ts: starts, for each server options object given as JSON
 * in argv[2], a server protected by hangup and the same server without hangup (the control, which
 * shows what Node's parser lets through with those options), then prints their ports as one JSON
 * line. Started with and without `--insecure-http-parser` (command line or NODE_OPTIONS), because
 * that flag is process-wide.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { hangup } from '../../src/index.js';
import { listen } from '../helpers/servers.js';

/** The app: reads the body, then answers with fixed bytes (no Date header). */
function app(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  req.on('end', () => {
    res.sendDate = false;
    res.writeHead(200, { 'Content-Length': '3' });
    res.end('ok\n');
  });
}

const configs = JSON.parse(process.argv[2] ?? '[]') as http.ServerOptions[];
const guard = hangup({ hosts: ['localhost'] });
const ports: { protected: number; control: number }[] = [];
for (const options of configs) {
  const protectedServer = guard.createServer(app, options);
  const control = http.createServer(options, app);
  ports.push({ protected: await listen(protectedServer), control: await listen(control) });
}
process.stdout.write(`${JSON.stringify({ ports, version: process.version })}\n`);
// Runs until the test kills it.
setInterval(() => {}, 60_000);
