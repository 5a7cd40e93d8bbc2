/**
 * The progress indicator on stderr. On a terminal it rewrites one line in place; when forced with
 * `--progress` on a pipe it prints one line per probe. stdout stays clean for the report.
 */
import type { Probe } from './corpus.js';
import { printable } from './report.js';

/** What the runner calls while probing. */
export interface Progress {
  update(done: number, total: number, probe: Probe): void;
  /** Clears the indicator before the report is printed. */
  stop(): void;
}

/** A writable text stream, with the TTY flag a terminal has. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** `auto`: only on a terminal; `always` (`--progress`); `never` (`--no-progress`). */
export type ProgressMode = 'auto' | 'always' | 'never';

/** Creates the indicator for `stream` (a no-op when it should not show). */
export function createProgress(stream: ProgressStream, mode: ProgressMode): Progress {
  const tty = stream.isTTY === true;
  if (mode === 'never' || (mode === 'auto' && !tty)) return { update: () => undefined, stop: () => undefined };
  let shown = false;
  return {
    update(done, total, probe) {
      const line = `[${done}/${total}] ${probe.class}: ${printable(probe.title).slice(0, 60)}`;
      if (tty) {
        stream.write(`\r\x1b[K${line}`);
        shown = true;
      } else {
        stream.write(`${line}\n`);
      }
    },
    stop() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
