import type { Server } from 'node:net';
import type { Socket } from 'node:net';
import type { Bans } from './bans.js';

const GATED = Symbol('hangup.banGate');
type GatedServer = Server & { [GATED]?: Bans };

/**
 * The accept-time check. Installed on the server's own `emit`, so it runs for `'connection'`
 * before every listener, whoever added them and in whatever order: node:http's parser, tls's
 * handshake, an HTTP/2 session, a ClientHello reader. A banned address's socket is destroyed (or
 * held by the tarpit) there, synchronously, and no listener ever sees it: zero bytes, no parser, no
 * ServerHello, no SETTINGS frame. Every other event, and every other socket, goes on unchanged.
 * Idempotent per server.
 */
export function installBanGate(server: Server, bans: Bans): void {
  const target = server as GatedServer;
  if (target[GATED] === bans) return;
  target[GATED] = bans;
  const emit = target.emit;
  target.emit = function hangupBanGate(this: GatedServer, event: string | symbol, socket?: unknown): boolean {
    if (event === 'connection' && typeof socket === 'object' && socket !== null && bans.refuseConnection(socket as Socket)) return true;
    // eslint-disable-next-line prefer-rest-params -- passes every argument on as given
    return Reflect.apply(emit, this, arguments) as boolean;
  };
  if (bans.config.action === 'tarpit') {
    // Held sockets count as connections, so server.close() would wait for them: release them first.
    const close = target.close;
    target.close = function hangupReleaseTarpit(this: GatedServer, ...args: unknown[]) {
      bans.serverClosed(this);
      return Reflect.apply(close, this, args) as GatedServer;
    } as typeof target.close;
  }
}
