import { Duplex } from 'node:stream';
import type net from 'node:net';
import type { Ending } from './exchange.js';

/**
 * A Duplex over a TCP socket that a Node client (tls.connect, http2.connect) reads and writes
 * through, while the probe keeps every byte the server sent and how the connection ended.
 * Subclasses look at each chunk on its way in (`seen`).
 */
export class SocketTap extends Duplex {
  readonly received: Buffer[] = [];
  ending: Ending = 'open';

  constructor(protected readonly socket: net.Socket) {
    super();
    socket.on('data', (chunk: Buffer) => {
      this.received.push(chunk);
      this.seen(chunk);
      this.push(chunk);
    });
    socket.on('end', () => {
      if (this.ending === 'open') this.ending = 'fin';
      this.push(null);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (this.ending === 'open') this.ending = error.code === 'ECONNRESET' ? 'rst' : 'fin';
      this.push(null);
    });
  }

  /** Called with each chunk the server sent, before the client reads it. */
  protected seen(_chunk: Buffer): void {}

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.socket.destroyed) callback();
    else this.socket.write(chunk, () => callback());
  }

  override _destroy(error: Error | null, callback: (error: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }
}
