import { normalizeHost } from '../policy/hosts.js';
import { decision } from '../policy/decisions.js';

/**
 * The optional check `hostMustMatchServerName`: a request whose Host (HTTP/1.1) or `:authority`
 * (HTTP/2) names another host than the server name (SNI) its TLS connection was opened for.
 * Off by default: HTTP/2 connection coalescing (RFC 9113 §9.1.1) legitimately sends requests for
 * every name the certificate covers over one connection opened for one of them.
 */
export const HOST_NOT_SERVER_NAME = decision('drop', 'tls:host-not-server-name');

/**
 * Whether `host` names another host than the TLS server name of `socket`. False on plain TCP, on a
 * connection opened without a server name, and for a missing Host (the host checks' business).
 */
export function hostIsNotServerName(socket: unknown, host: unknown): boolean {
  let name: unknown;
  try {
    name = (socket as { servername?: unknown } | null | undefined)?.servername;
  } catch {
    return false;
  }
  if (typeof name !== 'string' || name === '' || typeof host !== 'string') return false;
  return normalizeHost(host) !== normalizeHost(name);
}

/** The TLS socket beneath an HTTP/2 stream (its session's), or undefined. */
export function streamSocket(stream: unknown): unknown {
  try {
    return (stream as { session?: { socket?: unknown } | null } | null | undefined)?.session?.socket;
  } catch {
    return undefined;
  }
}
