/**
 * Child processes of the benchmark: the server under test and the connection-per-request load
 * client each run in their own Node process (2 cores: one for the server, one for the load).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ServerStats, Variant } from '../server.js';
import { pinServer } from './affinity.js';
import type { CpuTime } from './load.js';

const SERVER = fileURLToPath(new URL('../server.ts', import.meta.url));

/** A running server under test. */
export interface ServerProcess {
  readonly variant: Variant;
  readonly port: number;
  readonly pid: number;
  /** The server's figures; with `gc`, heap used is measured after a full GC (needs `exposeGc`). */
  stats(gc?: boolean): Promise<ServerStats>;
  /** The server's CPU time so far, user and system apart (a clock for bench/lib/load.ts). */
  cpuTime(): Promise<CpuTime>;
  /** Opens a window over which the server counts the bytes it allocates on the V8 heap. */
  allocationStart(): Promise<void>;
  /** Closes the window: the bytes allocated on the V8 heap since `allocationStart()`. */
  allocationStop(): Promise<number>;
  stop(): Promise<void>;
}

/** Forks `bench/server.ts <variant>`; resolves with it once it listens, or null when the variant is unavailable. */
export async function startServer(variant: Variant, options: { exposeGc?: boolean } = {}): Promise<ServerProcess | null> {
  const child = fork(SERVER, [variant], {
    execArgv: ['--import', 'tsx', ...(options.exposeGc === true ? ['--expose-gc'] : [])],
    // No first-refusal hints: every fresh server would print its own, once per reason.
    env: { ...process.env, HANGUP_HINTS: '0' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  if (child.pid !== undefined) pinServer(child.pid);
  const first = await nextMessage(child, 30_000);
  if (first.type !== 'ready') {
    console.log(`  ${variant}: skipped (${String(first.reason ?? 'no ready message')})`);
    await stopChild(child);
    return null;
  }
  const ask = async (message: Record<string, unknown>, answer: string): Promise<Record<string, unknown>> => {
    const reply = nextMessage(child, 30_000);
    child.send(message);
    const received = await reply;
    if (received.type !== answer) throw new Error(`${variant}: expected ${answer}, got ${String(received.type)} ${String(received.reason ?? '')}`);
    return received;
  };
  const stats = async (gc = false) => (await ask({ type: 'stats', gc }, 'stats')).stats as ServerStats;
  return {
    variant,
    port: first.port as number,
    pid: child.pid as number,
    stats,
    cpuTime: async () => {
      const s = await stats();
      return { user: s.cpuUserMicros, system: s.cpuSystemMicros };
    },
    allocationStart: async () => {
      await ask({ type: 'alloc-start' }, 'alloc-started');
    },
    allocationStop: async () => (await ask({ type: 'alloc-stop' }, 'alloc')).bytes as number,
    stop: () => stopChild(child),
  };
}

/** The next IPC message of `child` (or a synthetic `exit`/`timeout` message). */
export function nextMessage(child: ChildProcess, timeoutMs: number): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const done = (message: Record<string, unknown>) => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message);
    };
    const onMessage = (message: unknown) => done(message as Record<string, unknown>);
    const onExit = (code: number | null) => done({ type: 'exit', reason: `exited with ${code}` });
    const timer = setTimeout(() => done({ type: 'timeout', reason: `no answer in ${timeoutMs} ms` }), timeoutMs);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Stops a child: disconnect, then SIGKILL if it has not exited within two seconds. */
export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.connected) child.disconnect();
  const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
  await exited;
  clearTimeout(timer);
}
