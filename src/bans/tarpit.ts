import type { Socket } from 'node:net';

/**
 * Holds banned connections open with zero bytes written for `holdMs`, then closes them. The
 * socket was taken before any 'connection' listener, so no HTTP parser or TLS state exists for
 * it; it is paused, so nothing it sends is read. Hold times are equal, so a FIFO queue is in
 * expiry order and one timer serves every held socket. At most `max` are held; above it a banned
 * connection is dropped at once (counted in `shed`).
 */
export class Tarpit {
  private readonly queue: { socket: Socket; until: number }[] = [];
  private head = 0;
  private readonly live = new Set<Socket>();
  private timer: NodeJS.Timeout | null = null;
  total = 0;
  shed = 0;

  constructor(
    private readonly holdMs: number,
    private readonly max: number,
  ) {}

  get held(): number {
    return this.live.size;
  }

  /** Holds `socket` (or destroys it at once when the tarpit is full). */
  hold(socket: Socket): void {
    if (this.live.size >= this.max) {
      this.shed++;
      socket.destroy();
      return;
    }
    socket.pause();
    socket.on('error', ignore); // a peer that resets while held must not crash the process
    this.live.add(socket);
    socket.once('close', () => this.live.delete(socket));
    this.total++;
    this.queue.push({ socket, until: Date.now() + this.holdMs });
    if (this.timer === null) this.arm();
  }

  private arm(): void {
    const next = this.queue[this.head];
    if (next === undefined) {
      this.timer = null;
      return;
    }
    this.timer = setTimeout(() => this.expire(), Math.max(0, next.until - Date.now()) + 1);
    this.timer.unref();
  }

  private expire(): void {
    const now = Date.now();
    while (this.head < this.queue.length) {
      const entry = this.queue[this.head] as { socket: Socket; until: number };
      if (entry.until > now) break;
      this.head++;
      this.live.delete(entry.socket);
      entry.socket.destroy();
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.arm();
  }

  /** Closes the held sockets of `server` (every held socket for null): on server close. */
  release(server: object | null): void {
    for (const socket of [...this.live]) {
      if (server !== null && (socket as Socket & { server?: object }).server !== server) continue;
      this.live.delete(socket);
      socket.destroy();
    }
    if (this.live.size === 0) {
      this.queue.length = 0;
      this.head = 0;
      if (this.timer !== null) clearTimeout(this.timer);
      this.timer = null;
    }
  }
}

function ignore(): void {}
