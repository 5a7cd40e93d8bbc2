/**
 * A load generator that opens a new connection for every request, as a scanner does, and counts
 * connections the server has finished with (closed, with or without an answer). autocannon and
 * wrk keep connections alive, which a drop makes impossible; this runs in its own process so the
 * server keeps its core.
 *
 * Child process: `node --import tsx bench/connect-load.ts '<json ConnectLoadOptions>'`; the result
 * comes back over IPC as `{ type: 'result', result }`.
 */
import net from 'node:net';

/** What to send, how many connections at once, and when to stop (time, or a number of connections). */
export interface ConnectLoadOptions {
  readonly port: number;
  readonly request: string;
  readonly concurrency: number;
  readonly durationMs?: number;
  readonly connections?: number;
}

/** What the client saw. `bytes` is what the server sent back, in total (0 for drops). */
export interface ConnectLoadResult {
  readonly completed: number;
  readonly resets: number;
  readonly bytes: number;
  readonly elapsedMs: number;
  /** Connections the server closed without a byte. */
  readonly silent: number;
}

/** Runs the load and resolves once every connection in flight has closed. */
export function connectLoad(options: ConnectLoadOptions): Promise<ConnectLoadResult> {
  const request = Buffer.from(options.request, 'latin1');
  const limit = options.connections ?? Number.POSITIVE_INFINITY;
  const deadline = performance.now() + (options.durationMs ?? 3_600_000);
  let started = 0;
  let completed = 0;
  let resets = 0;
  let bytes = 0;
  let silent = 0;
  let inFlight = 0;
  const begin = performance.now();

  return new Promise((resolve) => {
    const open = (): void => {
      if (started >= limit || performance.now() >= deadline) {
        if (inFlight === 0) {
          resolve({ completed, resets, bytes, silent, elapsedMs: performance.now() - begin });
        }
        return;
      }
      started++;
      inFlight++;
      let received = 0;
      const socket = net.connect({ port: options.port, host: '127.0.0.1', noDelay: true });
      // write, not end: a scanner does not half-close, so the close is the server's decision.
      socket.on('connect', () => socket.write(request));
      socket.on('data', (chunk: Buffer) => {
        received += chunk.length;
      });
      socket.on('error', () => {
        resets++;
      });
      socket.on('close', () => {
        inFlight--;
        completed++;
        bytes += received;
        if (received === 0) silent++;
        open();
      });
    };
    for (let i = 0; i < options.concurrency; i++) open();
  });
}

if (process.send !== undefined && process.argv[2] !== undefined) {
  const options = JSON.parse(process.argv[2]) as ConnectLoadOptions;
  void connectLoad(options).then((result) => {
    process.send?.({ type: 'result', result }, () => process.exit(0));
  });
}
