/**
 * The TLS probes of `hangup probe https://...`: what a scanner sweeping addresses sends to a TLS
 * port before any HTTP. A silent site sends nothing back to any of them; a certificate shown for a
 * name the site does not serve (or for no name) is a leak, and the finding names every host name
 * and address the certificate exposed. The probe never trusts or verifies a certificate: it reads
 * what was shown and reports it.
 */
import net from 'node:net';
import tls from 'node:tls';
import { Duplex } from 'node:stream';
import type { Probe } from './corpus.js';
import type { Endpoint, Exchange } from './exchange.js';
import { SocketTap } from './socket-tap.js';
import { exchange } from './exchange.js';
import type { Target } from './target.js';
import type { Finding, Judgement } from './verdict.js';

/** One TLS probe's result, in the shape of every other probe's. */
export interface TlsProbeResult {
  readonly probe: Probe;
  readonly exchange: Exchange;
  readonly judgement: Judgement;
}

/** TLS alert descriptions by code (RFC 8446 6), for the findings. */
const ALERTS: Readonly<Record<number, string>> = {
  0: 'close_notify', 10: 'unexpected_message', 20: 'bad_record_mac', 22: 'record_overflow', 40: 'handshake_failure',
  42: 'bad_certificate', 47: 'illegal_parameter', 50: 'decode_error', 51: 'decrypt_error', 70: 'protocol_version',
  71: 'insufficient_security', 80: 'internal_error', 86: 'inappropriate_fallback', 109: 'missing_extension',
  110: 'unsupported_extension', 112: 'unrecognized_name', 116: 'certificate_required', 120: 'no_application_protocol',
};

/** Counts what the server sent, so the bytes a TLS client received can be judged. */
class Tap extends SocketTap {}

interface Attempt {
  readonly exchange: Exchange;
  /** The names on the certificate the server showed, or null when it showed none. */
  readonly certificateNames: readonly string[] | null;
  readonly alpn: string | false | null;
}

/** One TLS client handshake through a tap: every byte the server sent, and the certificate if any. */
function attempt(endpoint: Endpoint, options: { servername?: string; ALPNProtocols?: string[] }, timeoutMs: number): Promise<Attempt> {
  return new Promise((resolve) => {
    const started = performance.now();
    const raw = net.connect({ host: endpoint.address, port: endpoint.port });
    const tap = new Tap(raw);
    let settled = false;
    let names: string[] | null = null;
    let alpn: string | false | null = null;
    const finish = (timedOut: boolean, error?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(bound);
      client.destroy();
      raw.destroy();
      const bytes = Buffer.concat(tap.received);
      resolve({
        exchange: { bytes, ending: tap.ending, timedOut, firstByteMs: undefined, elapsedMs: Math.round(performance.now() - started), error },
        certificateNames: names,
        alpn,
      });
    };
    const bound = setTimeout(() => finish(true), timeoutMs);
    raw.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'ECONNREFUSED') finish(false, error.code);
    });
    const client = tls.connect({
      socket: tap as unknown as net.Socket,
      rejectUnauthorized: false,
      ...(options.servername === undefined ? {} : { servername: options.servername }),
      ...(options.ALPNProtocols === undefined ? {} : { ALPNProtocols: options.ALPNProtocols }),
    });
    client.on('secureConnect', () => {
      names = certificateNames(client.getPeerCertificate());
      alpn = client.alpnProtocol;
      // Wait a moment for whatever else the server sends (session tickets), then stop.
      setTimeout(() => finish(false), 100);
    });
    client.on('error', () => setTimeout(() => finish(false), 50));
    client.on('close', () => setTimeout(() => finish(false), 50));
  });
}

/** The subject CN and every subjectAltName entry of a certificate. */
function certificateNames(cert: tls.PeerCertificate | null | undefined): string[] {
  if (cert == null || Object.keys(cert).length === 0) return [];
  const names = new Set<string>();
  const cn = cert.subject?.CN;
  for (const value of Array.isArray(cn) ? cn : cn === undefined ? [] : [cn]) names.add(value);
  for (const entry of (cert.subjectaltname ?? '').split(',')) {
    const value = entry.trim().replace(/^(DNS|IP Address):/, '');
    if (value !== '') names.add(value);
  }
  return [...names];
}

/** What the server's first bytes were, in words (an alert and its description, a handshake, other). */
function describeTls(bytes: Buffer): string {
  if (bytes.length === 0) return 'nothing';
  if (bytes[0] === 0x15 && bytes.length >= 7) return `TLS alert ${ALERTS[bytes[6]!] ?? bytes[6]} (${bytes.length} bytes)`;
  if (bytes[0] === 0x16) return `TLS handshake (${bytes.length} bytes)`;
  return `${bytes.length} bytes that are not TLS`;
}

function judgeTls(received: Exchange, names: readonly string[] | null, exposed: string): Judgement {
  if (received.error !== undefined) return { outcome: 'error', findings: [], answer: `error: ${received.error}` };
  const findings: Finding[] = [];
  if (received.bytes.length === 0) {
    if (received.timedOut) findings.push({ kind: 'held-open', detail: `no byte, connection held open until the ${received.elapsedMs} ms bound`, leak: false });
    return { outcome: 'silent', findings, answer: 'nothing' };
  }
  const answer = describeTls(received.bytes);
  if (names !== null && names.length > 0) {
    findings.push({ kind: 'answered', detail: `certificate shown ${exposed}: exposes ${names.join(', ')}`, leak: true });
  } else {
    findings.push({ kind: 'answered', detail: `${answer} (a silent server sends nothing)`, leak: true });
  }
  return { outcome: 'leak', findings, answer: names !== null && names.length > 0 ? `certificate for ${names.join(', ')}` : answer };
}

function probeOf(id: string, title: string, payload: Buffer): Probe {
  return { id: `tls:${id}`, class: 'tls', title, expect: 'silent', payload, reflects: [] };
}

/** The server name the site is reached by, or undefined when the URL names it by address. */
export function serverNameOf(target: Target): string | undefined {
  return net.isIP(target.hostname) === 0 ? target.hostname : undefined;
}

/** A real client's ClientHello for these options (Node's own TLS client, captured without a network). */
export function captureClientHello(options: { servername?: string; ALPNProtocols?: string[] }): Promise<Buffer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const sink = new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        chunks.push(chunk);
        callback();
        resolve(Buffer.concat(chunks));
        queueMicrotask(() => client.destroy());
      },
    });
    const client = tls.connect({ socket: sink as unknown as net.Socket, rejectUnauthorized: false, ...options });
    client.on('error', () => {});
  });
}

/**
 * Runs the TLS probes against the endpoint: an unknown server name, no server name, an unknown
 * ALPN protocol, plain HTTP on the TLS port, a truncated ClientHello. Never rejects.
 */
export async function runTlsProbes(target: Target, endpoint: Endpoint, timeoutMs: number, marker: string): Promise<TlsProbeResult[]> {
  const results: TlsProbeResult[] = [];
  const served = serverNameOf(target);
  const unknownName = `${marker}.invalid`;

  const unknown = await attempt(endpoint, { servername: unknownName, ALPNProtocols: ['h2', 'http/1.1'] }, timeoutMs);
  results.push({
    probe: probeOf('unknown-sni', `ClientHello for ${unknownName}`, await captureClientHello({ servername: unknownName })),
    exchange: unknown.exchange,
    judgement: judgeTls(unknown.exchange, unknown.certificateNames, `for ${unknownName}, a name the site does not serve`),
  });

  const noName = await attempt(endpoint, { ALPNProtocols: ['h2', 'http/1.1'] }, timeoutMs);
  const noNameProbe = probeOf('no-sni', 'ClientHello without a server name (an address scan)', await captureClientHello({}));
  if (served === undefined) {
    // The URL is an address: a ClientHello without a name is how this site is reached. Not judged.
    results.push({ probe: noNameProbe, exchange: noName.exchange, judgement: { outcome: 'info', findings: [], answer: noName.certificateNames === null ? describeTls(noName.exchange.bytes) : `certificate for ${noName.certificateNames.join(', ')}` } });
  } else {
    results.push({ probe: noNameProbe, exchange: noName.exchange, judgement: judgeTls(noName.exchange, noName.certificateNames, 'without a server name') });
  }

  const alpnName = `${marker}-proto`;
  const alpn = await attempt(endpoint, { ...(served === undefined ? {} : { servername: served }), ALPNProtocols: [alpnName] }, timeoutMs);
  results.push({
    probe: probeOf('unknown-alpn', `ClientHello offering only the protocol ${alpnName}`, await captureClientHello({ ALPNProtocols: [alpnName] })),
    exchange: alpn.exchange,
    judgement: judgeTls(alpn.exchange, alpn.certificateNames, `for the unknown protocol ${alpnName}`),
  });

  const plain = Buffer.from(`GET ${target.path} HTTP/1.1\r\nHost: ${target.host}\r\n\r\n`, 'latin1');
  const plainExchange = await exchange(endpoint, { payload: plain }, timeoutMs);
  results.push({ probe: probeOf('plain-http', 'plain HTTP on the TLS port', plain), exchange: plainExchange, judgement: judgeTls(plainExchange, null, '') });

  const hello = await captureClientHello(served === undefined ? {} : { servername: served });
  const truncated = hello.subarray(0, Math.min(hello.length - 1, 48));
  const truncatedExchange = await exchange(endpoint, { payload: truncated }, timeoutMs);
  results.push({
    probe: probeOf('truncated', `truncated ClientHello (${truncated.length} of ${hello.length} bytes)`, truncated),
    exchange: truncatedExchange,
    judgement: judgeTls(truncatedExchange, null, ''),
  });
  return results;
}
