/**
 * Servers for bench/bans.ts, each in its own process (pinned like bench/server.ts's): the same
 * 10 routes, and one way of refusing a connection from a scanner. `node --import tsx
 * bench/bans-server.ts <variant>`; sends `{ type: 'ready', port }`, answers `{ type: 'stats' }`
 * with its CPU time, and `{ type: 'hold', n }` is not used here (see bench/bans-tarpit-memory.ts).
 *
 * - `ban-accept`: hangup with bans on, the load's address (127.0.0.1) banned: destroyed on accept.
 * - `handler-drop`: hangup without bans, the scanner's path refused per request (today's drop).
 * - `destroy-connection`: a bare server destroying every socket in a 'connection' listener (the floor).
 * - `allowed-bans-off` / `allowed-bans-on`: hangup serving allowed requests, bans off, or on with
 *   10,000 other addresses banned and the load's not.
 */
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hangup } from '../dist/index.js';
import { benchRoutes, hangupSpecs } from './lib/routes.js';

export const BAN_VARIANTS = ['ban-accept', 'handler-drop', 'destroy-connection', 'allowed-bans-off', 'allowed-bans-on'] as const;
export type BanVariant = (typeof BAN_VARIANTS)[number];

const ROUTES = benchRoutes(10);
const BODY = 'hello\n';
function reply(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': BODY.length });
  res.end(BODY);
}

function start(variant: BanVariant): Server {
  const routes = hangupSpecs(ROUTES);
  switch (variant) {
    case 'destroy-connection': {
      const server = http.createServer(reply);
      server.prependListener('connection', (socket) => socket.destroy());
      return server;
    }
    case 'handler-drop':
    case 'allowed-bans-off':
      return hangup({ routes, hints: false }).createServer(reply);
    case 'ban-accept':
    case 'allowed-bans-on': {
      const guard = hangup({ routes, hints: false, ban: { after: 10, maxBans: 100_000 } });
      for (let i = 0; i < 10_000; i++) guard.bans?.ban(`10.9.${i >> 8}.${i & 255}`, '1h');
      if (variant === 'ban-accept') guard.bans?.ban('127.0.0.1', '1h');
      return guard.createServer(reply);
    }
  }
}

const variant = process.argv[2] as BanVariant;
if (process.send === undefined || !BAN_VARIANTS.includes(variant)) {
  console.error(`usage: (as a child with IPC) bench/bans-server.ts <${BAN_VARIANTS.join('|')}>`);
  process.exit(2);
}
const server = start(variant);
server.listen(0, '127.0.0.1', () => {
  process.on('message', (message: { type?: string }) => {
    if (message.type !== 'stats') return;
    const cpu = process.cpuUsage();
    process.send?.({ type: 'stats', stats: { cpuMicros: cpu.user + cpu.system, rss: process.memoryUsage.rss() } });
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port });
});
