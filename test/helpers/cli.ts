import { spawn } from 'node:child_process';

/** What a `hangup` command printed and how it exited. */
export interface CliResult {
  /** The exit code; null when the command was killed at the time bound (it hung). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Milliseconds from start to exit. */
  readonly elapsedMs: number;
}

/** How to run it. */
export interface CliOptions {
  /** Added to the environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** Kill the command after this long (default 60 s): a command that hangs then exits with code null. */
  readonly timeoutMs?: number;
}

/**
 * Runs the `hangup` command as a real process, killed at the time bound: the build
 * (`dist/cli/main.js`, the default) or the sources through tsx (`entry: 'src'`).
 */
export function runHangup(args: readonly string[], entry: 'src' | 'dist' = 'dist', options: CliOptions = {}): Promise<CliResult> {
  const command = entry === 'src' ? ['--import', 'tsx', 'src/cli/main.ts'] : ['dist/cli/main.js'];
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [...command, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, elapsedMs: Date.now() - started });
    });
  });
}
