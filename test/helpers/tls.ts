import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { readClientHello } from '../../src/tls/client-hello.js';

/** The examples' self-signed certificate for localhost and 127.0.0.1 (local use only). */
export const CERT = readFileSync(new URL('../../examples/tls/localhost-cert.pem', import.meta.url));
export const KEY = readFileSync(new URL('../../examples/tls/localhost-key.pem', import.meta.url));
export const TLS_OPTIONS = { key: KEY, cert: CERT } as const;

/**
 * The ClientHello Node's own TLS client sends with these options, captured from a plain TCP
 * server (so tests can replay a real client's first flight byte by byte).
 */
export function captureClientHello(options: tls.ConnectionOptions = {}): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const server = net.createServer((socket) => {
      let buf = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buf = Buffer.concat([buf, chunk]);
        if (readClientHello(buf).kind !== 'incomplete') {
          socket.destroy();
          server.close();
          resolve(buf);
        }
      });
      socket.on('error', () => {});
    });
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      const client = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, ...options });
      client.on('error', () => {});
      setTimeout(() => {
        client.destroy();
        server.close();
        reject(new Error('no ClientHello captured'));
      }, 3000).unref();
    });
  });
}

export interface ToolResult {
  readonly code: number | null;
  readonly output: string;
}

/** Runs a command with a time bound; stdout and stderr together. Never rejects. */
export function run(command: string, args: readonly string[], input = '', timeoutMs = 8000): Promise<ToolResult> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { timeout: timeoutMs, encoding: 'latin1' }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof (error as { code?: unknown }).code === 'number' ? ((error as { code: number }).code) : null;
      resolve({ code, output: `${stdout}${stderr}` });
    });
    child.stdin?.end(input);
  });
}

/** `openssl s_client` against 127.0.0.1:port with `args` (e.g. `-servername x`), stdin `input`. */
export function sClient(port: number, args: readonly string[], input = ''): Promise<ToolResult> {
  return run('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-msg', '-ign_eof', ...args], input);
}

export interface TlsClientResult {
  /** 'secure' when the handshake completed, else the error code (ECONNRESET...). */
  readonly outcome: string;
  readonly response: string;
}

/** `tls.connect` with `options`; writes `request` once secure, returns what came back. */
export function tlsRequest(port: number, options: tls.ConnectionOptions, request = ''): Promise<TlsClientResult> {
  return new Promise((resolve) => {
    let secure = false;
    let response = '';
    let settled = false;
    const done = (outcome: string): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve({ outcome, response });
    };
    const socket = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, ...options }, () => {
      secure = true;
      if (request === '') done('secure');
      else socket.write(request);
    });
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (response += d));
    socket.on('end', () => done(secure ? 'secure' : 'eof'));
    socket.on('close', () => done(secure ? 'secure' : 'closed'));
    socket.on('error', (e: NodeJS.ErrnoException) => done(secure ? `secure+${e.code ?? e.message}` : (e.code ?? e.message)));
    setTimeout(() => done(secure ? 'secure+open' : 'timeout'), 3000).unref();
  });
}
