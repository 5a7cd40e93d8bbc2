import net from 'node:net';

/** How a raw connection ended, as the client saw it. */
export type Ending = 'fin' | 'rst' | 'open';

/** Everything a client received on one connection. */
export interface RawResult {
  /** The bytes received, as latin1 text (one char per byte). */
  readonly text: string;
  readonly bytes: Buffer;
  readonly ending: Ending;
  /** The client's own port, which the server sees as `socket.remotePort` (to match server-side records). */
  readonly localPort?: number | undefined;
  /** Milliseconds from the connect call to the end. */
  readonly ms: number;
}

export interface RawOptions {
  /** Milliseconds to wait for the server to close before reporting `open`. Default 400. */
  readonly waitMs?: number;
  /** Write the request in these pieces, `gapMs` apart (default: all at once). */
  readonly chunks?: readonly (string | Buffer)[];
  readonly gapMs?: number;
  /** Half-close our side after writing (FIN from the client). Default false. */
  readonly endAfterWrite?: boolean;
  /** The address to connect to. Default 127.0.0.1. */
  readonly host?: string;
  /** Connect from this local address (127.0.0.2, 127.0.0.3...) to play another visitor. */
  readonly localAddress?: string;
}

/**
 * Sends raw bytes to `port` on 127.0.0.1 and reports exactly what came back and how the
 * connection ended: FIN (orderly close), RST (reset), or still open after `waitMs` of silence.
 */
export function rawRequest(port: number, payload: string | Buffer, options: RawOptions = {}): Promise<RawResult> {
  const waitMs = options.waitMs ?? 400;
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect({ port, host: options.host ?? '127.0.0.1', ...(options.localAddress === undefined ? {} : { localAddress: options.localAddress }) });
    const received: Buffer[] = [];
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let localPort: number | undefined;
    const finish = (ending: Ending): void => {
      if (settled) return;
      settled = true;
      if (timer !== undefined) clearTimeout(timer);
      socket.destroy();
      const bytes = Buffer.concat(received);
      resolve({ bytes, text: bytes.toString('latin1'), ending, localPort, ms: Date.now() - started });
    };
    const armIdleTimer = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => finish('open'), waitMs);
    };
    socket.on('data', (chunk) => {
      received.push(chunk);
      armIdleTimer();
    });
    socket.on('end', () => finish('fin'));
    socket.on('close', () => finish('fin'));
    socket.on('error', (error: NodeJS.ErrnoException) => finish(error.code === 'ECONNRESET' ? 'rst' : 'fin'));
    socket.on('connect', async () => {
      localPort = socket.localPort;
      const pieces = options.chunks ?? [payload];
      for (const [index, piece] of pieces.entries()) {
        if (index > 0 && options.gapMs) await new Promise((r) => setTimeout(r, options.gapMs));
        if (socket.destroyed) return;
        socket.write(piece);
      }
      if (options.endAfterWrite) socket.end();
      armIdleTimer();
    });
  });
}

/** Builds a request head from lines, adding the blank line: `head('GET / HTTP/1.1', 'Host: a')`. */
export function head(...lines: string[]): string {
  return `${lines.join('\r\n')}\r\n\r\n`;
}
