/**
 * One probe on one raw TCP connection: write the bytes, record every byte that comes back, how the
 * connection ended and when. `node:net` only, so nothing between us and the server fixes or hides
 * anything.
 */
import net from 'node:net';
import tls from 'node:tls';
import { parseResponses } from './response.js';

/** Where to connect: the one address and port the user's URL resolved to. */
export interface Endpoint {
  readonly address: string;
  readonly port: number;
  /** Probe over TLS (https://), with this server name (none for an address); never verified. */
  readonly tls?: { readonly serverName: string | undefined } | undefined;
}

/** How the connection ended, as the client saw it. */
export type Ending = 'fin' | 'rst' | 'open';

/** What one probe received. */
export interface Exchange {
  readonly bytes: Buffer;
  /** `open`: the server neither answered in full nor closed, or kept the connection after its answer. */
  readonly ending: Ending;
  /** True when the probe hit its time bound with the connection still open and no complete answer. */
  readonly timedOut: boolean;
  /** Milliseconds from connect to the first byte received, if any. */
  readonly firstByteMs: number | undefined;
  /** Milliseconds from connect until the probe ended. */
  readonly elapsedMs: number;
  /** A connection error that made the probe meaningless (`ECONNREFUSED`, connect timeout...). */
  readonly error: string | undefined;
}

/** What to send. */
export interface Sending {
  readonly payload: Buffer;
  readonly drip?: { readonly piece: Buffer; readonly everyMs: number } | undefined;
}

/** After a complete answer, how long to wait for the server's FIN before calling it kept open. */
const CLOSE_GRACE_MS = 150;
/** More than this is not an answer to a probe: stop reading, so a server that streams forever cannot fill memory. */
const MAX_RECEIVED_BYTES = 256 * 1024;

/** Sends one probe and resolves with what came back. Never rejects. */
export function exchange(endpoint: Endpoint, sending: Sending, timeoutMs: number): Promise<Exchange> {
  return new Promise((resolve) => {
    const started = performance.now();
    const since = (): number => Math.round(performance.now() - started);
    const received: Buffer[] = [];
    let size = 0;
    let firstByteMs: number | undefined;
    let connected = false;
    let settled = false;
    let drip: NodeJS.Timeout | undefined;
    let grace: NodeJS.Timeout | undefined;
    const secure = endpoint.tls;
    const socket =
      secure === undefined
        ? net.connect({ host: endpoint.address, port: endpoint.port })
        : tls.connect({ host: endpoint.address, port: endpoint.port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'], ...(secure.serverName === undefined ? {} : { servername: secure.serverName }) });

    const finish = (ending: Ending, extra: { timedOut?: boolean; error?: string } = {}): void => {
      if (settled) return;
      settled = true;
      clearTimeout(bound);
      clearTimeout(grace);
      clearInterval(drip);
      socket.destroy();
      resolve({
        bytes: Buffer.concat(received),
        ending,
        timedOut: extra.timedOut ?? false,
        firstByteMs,
        elapsedMs: since(),
        error: extra.error,
      });
    };
    const bound = setTimeout(() => {
      if (connected) finish('open', { timedOut: true });
      else finish('open', { error: `no connection within ${timeoutMs} ms` });
    }, timeoutMs);

    socket.on(secure === undefined ? 'connect' : 'secureConnect', () => {
      connected = true;
      socket.write(sending.payload);
      const piece = sending.drip;
      if (piece !== undefined) {
        drip = setInterval(() => {
          if (!socket.destroyed && socket.writable) socket.write(piece.piece);
        }, piece.everyMs);
      }
    });
    socket.on('data', (chunk: Buffer) => {
      firstByteMs ??= since();
      received.push(chunk);
      size += chunk.length;
      if (size >= MAX_RECEIVED_BYTES) return finish('open');
      if (grace === undefined && parseResponses(Buffer.concat(received)).complete) {
        grace = setTimeout(() => finish('open'), CLOSE_GRACE_MS);
      }
    });
    socket.on('end', () => finish('fin'));
    socket.on('close', () => finish('fin'));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // ECONNRESET before 'connect' too: the handshake completed and the server reset at once.
      // EPIPE: a write after the server's reset.
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') finish('rst');
      else if (!connected) finish('open', { error: error.code ?? error.message });
      else finish('fin');
    });
  });
}
