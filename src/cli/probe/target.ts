/**
 * The one URL `hangup probe` is allowed to touch. It connects to that URL's address and port and
 * nowhere else: no redirects are followed, and the hostnames inside probes (`*.invalid`) are only
 * ever sent to this address, never resolved or contacted.
 */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import { ProbeUnreachableError, ProbeUsageError } from './errors.js';
import type { Endpoint } from './exchange.js';

/** The parsed target. */
export interface Target {
  /** The URL as given, normalised. */
  readonly url: string;
  /** The hostname to resolve (brackets removed from IPv6 literals). */
  readonly hostname: string;
  readonly port: number;
  /** The path (and query) of the URL, for the baseline request. */
  readonly path: string;
  /** The Host header for probes that need a valid one. */
  readonly host: string;
  /** An https:// URL: every probe goes over TLS, and the TLS probes run too (tls-probes.ts). */
  readonly tls: boolean;
}

/** A Host header value: a name or IP literal with an optional port, nothing that could break the head. */
const HOST_VALUE = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(:\d{1,5})?$/;

/** Parses and checks the URL and the `--host` override. Throws `ProbeUsageError`. */
export function parseTarget(input: string, hostOverride?: string): Target {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new ProbeUsageError(`not a URL: ${JSON.stringify(input)}. Give the server's address, e.g. http://127.0.0.1:3000`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ProbeUsageError(`${input}: only http:// and https:// URLs can be probed, got ${url.protocol}`);
  }
  const secure = url.protocol === 'https:';
  if (url.username !== '' || url.password !== '') throw new ProbeUsageError(`${input}: remove the credentials from the URL; probes send none`);
  const host = hostOverride ?? url.host;
  if (!HOST_VALUE.test(host)) {
    throw new ProbeUsageError(`--host: ${JSON.stringify(host)} is not a host name or address with an optional port, e.g. example.com:8080`);
  }
  return {
    url: url.href,
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
    path: `${url.pathname}${url.search}`,
    host,
    tls: secure,
  };
}

/** Resolves the hostname and returns the first address that accepts a connection. Throws `ProbeUnreachableError`. */
export async function resolveEndpoint(target: Target, timeoutMs: number): Promise<Endpoint> {
  let addresses: string[];
  try {
    addresses = (await lookup(target.hostname, { all: true })).map((entry) => entry.address);
  } catch (error) {
    throw new ProbeUnreachableError(`cannot resolve ${target.hostname}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const failures: string[] = [];
  for (const address of addresses) {
    const failure = await tryConnect(address, target.port, timeoutMs);
    if (failure === undefined) return { address, port: target.port };
    failures.push(`${address}: ${failure}`);
  }
  throw new ProbeUnreachableError(`cannot connect to ${target.hostname}:${target.port} (${failures.join('; ')}). Is the server running?`);
}

/** Opens and closes one connection; resolves with the failure, or undefined on success. */
function tryConnect(address: string, port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port });
    const done = (failure: string | undefined): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve(failure);
    };
    const timer = setTimeout(() => done(`no connection within ${timeoutMs} ms`), timeoutMs);
    socket.once('connect', () => done(undefined));
    // A reset means the handshake completed: something listens there (and resets, which a probe reports).
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNRESET' ? undefined : (error.code ?? error.message)));
  });
}
