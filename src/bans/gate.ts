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
  if (bans.config.action === 'drop') {
    // Earlier still: close the accepted handle before Node builds a Socket for it.
    const hook = (): void => hookAcceptedHandles(target, bans);
    if (target.listening) hook();
    target.on('listening', hook);
  }
  if (bans.config.action === 'tarpit') {
    // Held sockets count as connections, so server.close() would wait for them: release them first.
    const close = target.close;
    target.close = function hangupReleaseTarpit(this: GatedServer, ...args: unknown[]) {
      bans.serverClosed(this);
      return Reflect.apply(close, this, args) as GatedServer;
    } as typeof target.close;
  }
}

const HOOKED = Symbol('hangup.banAccept');

/** What net's listening handle looks like from here (an internal of node:net, feature-detected). */
interface ListeningHandle {
  onconnection?: (this: ListeningHandle, status: number, client?: AcceptedHandle) => unknown;
  [HOOKED]?: true;
}
interface AcceptedHandle {
  getpeername?: (out: { address?: string }) => number;
  close?: () => void;
}

/**
 * The fastest drop: net calls its listening handle's `onconnection(status, clientHandle)` for
 * every accepted connection, before it builds a `net.Socket`. Wrapped here, a banned peer's handle
 * (read with `getpeername`, as net itself does) is closed right away: zero bytes, no Socket, no
 * 'connection' event, no count in `server.connections`. This reads internals of node:net, so it
 * is used only when they look as expected (Node 20, 22 and 24 are tested); otherwise, and for
 * whatever it lets through, the emit check above decides. Only for `action: 'drop'`.
 */
function hookAcceptedHandles(server: Server, bans: Bans): void {
  const handle = (server as Server & { _handle?: ListeningHandle | null })._handle;
  if (handle == null || typeof handle.onconnection !== 'function' || handle[HOOKED] === true) return;
  const accept = handle.onconnection;
  handle[HOOKED] = true;
  handle.onconnection = function hangupBanAccept(this: ListeningHandle, status: number, client?: AcceptedHandle) {
    if (status === 0 && client != null && bans.active && typeof client.getpeername === 'function' && typeof client.close === 'function') {
      const peer: { address?: string } = {};
      if (client.getpeername(peer) === 0 && bans.refusesPeer(peer.address)) {
        client.close();
        return undefined;
      }
    }
    // eslint-disable-next-line prefer-rest-params -- passes every argument on as given
    return Reflect.apply(accept, this, arguments);
  };
}
