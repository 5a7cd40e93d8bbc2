/**
 * Optional: nginx with `return 444` and one worker, the reference for a silent drop. Skipped with
 * a message when no nginx binary is installed (Debian: `apt-get install nginx-light`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from './stats.js';
import { pinServer } from './affinity.js';
import type { CpuTime } from './load.js';

/** A running nginx: its port, and its CPU time in microseconds (from /proc). */
export interface NginxProcess {
  readonly port: number;
  readonly version: string;
  /** User + system. */
  cpuMicros(): Promise<number>;
  /** User and system apart. */
  cpuTime(): Promise<CpuTime>;
  stop(): Promise<void>;
}

function findNginx(): string | null {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/local/sbin', '/usr/local/nginx/sbin']);
  for (const dir of dirs) if (dir !== '' && existsSync(join(dir, 'nginx'))) return join(dir, 'nginx');
  return null;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Starts nginx in the foreground with one process serving `return 444`; null (and why) when unavailable. */
export async function startNginx(): Promise<NginxProcess | string> {
  const binary = findNginx();
  if (binary === null) return 'nginx not installed (Debian: apt-get install nginx-light)';
  if (!existsSync('/proc/self/stat')) return 'nginx CPU time is read from /proc, which this system lacks';
  const dir = mkdtempSync(join(tmpdir(), 'hangup-bench-nginx-'));
  const port = await freePort();
  const temp = (name: string) => `${name}_temp_path ${join(dir, name)};`;
  writeFileSync(
    join(dir, 'nginx.conf'),
    `daemon off;
master_process off;
worker_processes 1;
error_log ${join(dir, 'error.log')} crit;
pid ${join(dir, 'nginx.pid')};
events { worker_connections 4096; }
http {
  access_log off;
  ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join('\n  ')}
  server {
    listen 127.0.0.1:${port} backlog=4096;
    location / { return 444; }
  }
}
`,
  );
  const child: ChildProcess = spawn(binary, ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (child.pid !== undefined) pinServer(child.pid);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const version = await new Promise<string>((resolve) => {
    const v = spawn(binary, ['-v'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let text = '';
    v.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
    v.on('close', () => resolve(text.trim().replace(/^nginx version: /, '')));
  });
  for (let i = 0; i < 50 && child.exitCode === null; i++) {
    if (await accepts(port)) break;
    await sleep(100);
  }
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  if (child.exitCode !== null || !(await accepts(port))) {
    await stop();
    return `nginx did not start: ${stderr.trim() || 'no output'}`;
  }
  // utime and stime are fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 per second on Linux).
  const cpuTime = async (): Promise<CpuTime> => {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    return { user: Number(fields[11]) * 10_000, system: Number(fields[12]) * 10_000 };
  };
  return {
    port,
    version,
    cpuMicros: async () => {
      const { user, system } = await cpuTime();
      return user + system;
    },
    cpuTime,
    stop,
  };
}
