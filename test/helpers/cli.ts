import { spawn } from 'node:child_process';

/** What a `hangup` command printed and how it exited. */
export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the `hangup` command as a real process, killed after 60 s at most: the build
 * (`dist/cli/main.js`, the default) or the sources through tsx (`entry: 'src'`).
 */
export function runHangup(args: readonly string[], entry: 'src' | 'dist' = 'dist'): Promise<CliResult> {
  const command = entry === 'src' ? ['--import', 'tsx', 'src/cli/main.ts'] : ['dist/cli/main.js'];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill(), 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
