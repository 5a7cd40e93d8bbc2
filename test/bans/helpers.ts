import net from 'node:net';
import tls from 'node:tls';
import { rawRequest } from '../helpers/raw-client.js';

/** What one connection from a given loopback address received, and how it ended. */
export interface FromResult {
  readonly bytes: Buffer;
  readonly text: string;
  readonly ending: 'fin' | 'rst' | 'open';
  /** Milliseconds from connect to the end. */
  readonly ms: number;
}

/**
 * Connects from `localAddress` (127.0.0.2, 127.0.0.3...) to 127.0.0.1:`port`, writes `payload`
 * and reports every byte received and how the connection ended (or `open` after `waitMs` of silence).
 */
export function from(localAddress: string, port: number, payload: string | Buffer, waitMs = 500): Promise<FromResult> {
  return rawRequest(port, payload, { localAddress, waitMs });
}

/** A TLS client from `localAddress`: how many bytes the server sent (ServerHello included; `bytes` is that many zeros), and how it ended. */
export function tlsFrom(localAddress: string, port: number, alpn: string[] = ['http/1.1'], waitMs = 800): Promise<FromResult & { readonly handshake: boolean }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const raw = net.connect({ port, host: '127.0.0.1', localAddress });
    let handshake = false;
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (ending: FromResult['ending']): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      secure.destroy();
      raw.destroy();
      // The TLS socket reads the raw handle itself: bytesRead counts every byte the server sent.
      const bytes = Buffer.alloc(raw.bytesRead);
      resolve({ bytes, text: '', ending, ms: Date.now() - started, handshake });
    };
    const secure = tls.connect({ socket: raw, servername: 'localhost', rejectUnauthorized: false, ALPNProtocols: alpn });
    secure.on('secureConnect', () => {
      handshake = true;
      timer = setTimeout(() => finish('open'), 100);
    });
    secure.on('error', (error: NodeJS.ErrnoException) => finish(error.code === 'ECONNRESET' ? 'rst' : 'fin'));
    secure.on('close', () => finish('fin'));
    timer = setTimeout(() => finish('open'), waitMs);
  });
}

/** `GET path` with a Host header, as one string. */
export function get(path: string, host = 'localhost', extra: string[] = []): string {
  return [`GET ${path} HTTP/1.1`, `Host: ${host}`, ...extra, 'Connection: close', '', ''].join('\r\n');
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
