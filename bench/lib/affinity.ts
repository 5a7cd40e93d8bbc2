/**
 * CPU pinning on Linux with `taskset` (util-linux), when present and the machine has at least two
 * cores: the server under test gets the last core to itself, the load generator the others, so the
 * two never queue behind each other on one core. Without taskset the bench runs unpinned.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

function taskset(args: string[]): boolean {
  try {
    execFileSync('taskset', args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const cores = os.cpus().length;
/** The core the servers run on, or -1 when not pinning. */
let serverCore = -1;

/** Pins this process (the load side) away from the last core; returns a description for the report. */
export function pinLoadSide(): string {
  if (process.platform !== 'linux' || cores < 2) return 'not pinned';
  const load = cores === 2 ? '0' : `0-${cores - 2}`;
  if (!taskset(['-a', '-cp', load, String(process.pid)])) return 'not pinned (no taskset)';
  serverCore = cores - 1;
  return `servers pinned to CPU ${serverCore}, load generators to CPU ${load} (taskset)`;
}

/** Pins a server process (all its threads) to the server core, if pinning is on. */
export function pinServer(pid: number): void {
  if (serverCore >= 0) taskset(['-a', '-cp', String(serverCore), String(pid)]);
}
