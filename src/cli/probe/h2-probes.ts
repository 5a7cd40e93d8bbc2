/**
 * `hangup probe --http2 http://host:port/`: the stream-level probes of cleartext HTTP/2 (prior
 * knowledge). Each probe opens its own connection with Node's HTTP/2 client through a tap that
 * records every frame the server sent, and asks one stream (the last probe asks many on one
 * connection). A stream that must be refused leaks when the server sent any HEADERS or DATA on it
 * (an unknown path or method may get a plain 404: `:status 404`, no body, no fingerprint header),
 * when a fingerprint header comes back, or when what we sent is echoed. What a silent server sends
 * is RST_STREAM on the stream (nginx's `return 444` and hangup: PROTOCOL_ERROR), after the SETTINGS
 * every HTTP/2 server sends first.
 */
import http2 from 'node:http2';
import net from 'node:net';
import type { Probe, ProbeClass } from './corpus.js';
import type { Endpoint, Exchange } from './exchange.js';
import { SocketTap } from './socket-tap.js';
import type { Target } from './target.js';
import { FINGERPRINT_HEADERS } from './fingerprints.js';
import type { Finding, FindingKind, Judgement } from './verdict.js';

const FRAME_NAMES = ['DATA', 'HEADERS', 'PRIORITY', 'RST_STREAM', 'SETTINGS', 'PUSH_PROMISE', 'PING', 'GOAWAY', 'WINDOW_UPDATE', 'CONTINUATION'];
const ERROR_NAMES = ['NO_ERROR', 'PROTOCOL_ERROR', 'INTERNAL_ERROR', 'FLOW_CONTROL_ERROR', 'SETTINGS_TIMEOUT', 'STREAM_CLOSED', 'FRAME_SIZE_ERROR', 'REFUSED_STREAM', 'CANCEL', 'COMPRESSION_ERROR', 'CONNECT_ERROR', 'ENHANCE_YOUR_CALM', 'INADEQUATE_SECURITY', 'HTTP_1_1_REQUIRED'];

/** One frame the server sent, shown as `RST_STREAM(s1,PROTOCOL_ERROR)`. */
interface SeenFrame {
  readonly type: string;
  readonly stream: number;
  readonly text: string;
}

/** A tap that also decodes the HTTP/2 frames the server sends (Node's client reads through it). */
class FrameTap extends SocketTap {
  readonly frames: SeenFrame[] = [];
  private pending = Buffer.alloc(0);

  protected override seen(chunk: Buffer): void {
    this.decode(chunk);
  }

  private decode(chunk: Buffer): void {
    this.pending = Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 9) {
      const length = this.pending.readUIntBE(0, 3);
      if (this.pending.length < 9 + length) return;
      const type = FRAME_NAMES[this.pending[3] as number] ?? `0x${(this.pending[3] as number).toString(16)}`;
      const stream = this.pending.readUInt32BE(5) & 0x7fffffff;
      const payload = this.pending.subarray(9, 9 + length);
      let text = `${type}(s${stream}`;
      if (type === 'RST_STREAM' && payload.length >= 4) text += `,${ERROR_NAMES[payload.readUInt32BE(0)] ?? payload.readUInt32BE(0)}`;
      if (type === 'GOAWAY' && payload.length >= 8) text += `,last=${payload.readUInt32BE(0) & 0x7fffffff},${ERROR_NAMES[payload.readUInt32BE(4)] ?? payload.readUInt32BE(4)}`;
      this.frames.push({ type, stream, text: `${text})` });
      this.pending = this.pending.subarray(9 + length);
    }
  }
}

/** One stream-level probe: the headers of each stream it opens on one connection. */
interface H2Probe {
  readonly id: string;
  readonly title: string;
  readonly expect: 'silent' | 'refusable' | 'baseline';
  readonly streams: readonly http2.OutgoingHttpHeaders[];
  readonly body?: string;
  readonly reflects: readonly string[];
}

/** What one stream received, as Node's client decoded it. */
interface StreamAnswer {
  status: number | undefined;
  interim: number[];
  headers: http2.IncomingHttpHeaders | undefined;
  body: string;
  rstCode: number | undefined;
}

/** The stream-level probes, as a scanner would send them over h2c. */
function buildH2Corpus(target: Target, marker: string): H2Probe[] {
  const authority = target.host;
  const get = (path: string, extra: http2.OutgoingHttpHeaders = {}): http2.OutgoingHttpHeaders => ({ ':method': 'GET', ':path': path, ':authority': authority, ...extra });
  const scanner = ['/.env', '/.git/config', '/wp-login.php', `/${marker}`].map(
    (path): H2Probe => ({ id: `http2:GET ${path.replace(marker, '{marker}')}`, title: `GET ${path} (unknown path)`, expect: 'refusable', streams: [get(path)], reflects: [path] }),
  );
  return [
    { id: 'http2:baseline', title: `GET ${target.path} (the URL you gave)`, expect: 'baseline', streams: [get(target.path)], reflects: [] },
    ...scanner,
    { id: 'http2:wrong-authority', title: `:authority ${marker}.invalid`, expect: 'silent', streams: [{ ...get(target.path), ':authority': `${marker}.invalid` }], reflects: [`${marker}.invalid`] },
    { id: 'http2:host-vs-authority', title: `host: ${marker}.invalid beside :authority ${authority}`, expect: 'silent', streams: [get(target.path, { host: `${marker}.invalid` })], reflects: [`${marker}.invalid`] },
    { id: 'http2:path-dot-segments', title: ':path /../../etc/passwd', expect: 'silent', streams: [get('/../../etc/passwd')], reflects: ['/etc/passwd'] },
    { id: 'http2:path-encoded-dots', title: ':path /%2e%2e/%2e%2e/etc/passwd', expect: 'silent', streams: [get('/%2e%2e/%2e%2e/etc/passwd')], reflects: ['etc/passwd'] },
    { id: 'http2:path-backslash', title: ':path /..\\..\\windows\\win.ini', expect: 'silent', streams: [get('/..\\..\\windows\\win.ini')], reflects: ['win.ini'] },
    { id: 'http2:method-unknown', title: ':method FOO', expect: 'silent', streams: [{ ...get(target.path), ':method': 'FOO' }], reflects: [] },
    { id: 'http2:method-trace', title: ':method TRACE', expect: 'silent', streams: [{ ...get(target.path), ':method': 'TRACE' }], reflects: [marker] },
    { id: 'http2:connect', title: `CONNECT ${marker}.invalid:443 (Node: 405)`, expect: 'silent', streams: [{ ':method': 'CONNECT', ':authority': `${marker}.invalid:443` }], reflects: [`${marker}.invalid`] },
    { id: 'http2:expect-100', title: 'Expect: 100-continue on an unknown path (Node: :status 100 first)', expect: 'refusable', streams: [{ ...get(`/${marker}/upload`), ':method': 'POST', expect: '100-continue' }], body: 'x', reflects: [marker] },
    { id: 'http2:expect-other', title: 'Expect: fancy (Node: 417)', expect: 'silent', streams: [get(target.path, { expect: 'fancy' })], reflects: ['fancy'] },
    {
      id: 'http2:many-refused',
      title: '120 unknown paths on one connection',
      expect: 'refusable',
      streams: Array.from({ length: 120 }, (_, i) => get(`/${marker}/${i}`)),
      reflects: [marker],
    },
  ];
}

/** Sends the probe's streams on one connection and collects what each stream and the connection got. */
async function exchangeH2(endpoint: Endpoint, probe: H2Probe, timeoutMs: number): Promise<{ exchange: Exchange; answers: StreamAnswer[]; frames: SeenFrame[] }> {
  const started = performance.now();
  const socket = net.connect(endpoint.port, endpoint.address);
  const tap = new FrameTap(socket);
  let firstByteMs: number | undefined;
  socket.once('data', () => (firstByteMs = Math.round(performance.now() - started)));
  const connectError = await new Promise<string | undefined>((resolve) => {
    socket.once('connect', () => resolve(undefined));
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    setTimeout(() => resolve('connect timeout'), timeoutMs).unref();
  });
  const answers: StreamAnswer[] = probe.streams.map(() => ({ status: undefined, interim: [], headers: undefined, body: '', rstCode: undefined }));
  let timedOut = false;
  if (connectError === undefined) {
    const session = http2.connect(`http://${endpoint.address}:${endpoint.port}`, { createConnection: () => tap as unknown as net.Socket });
    session.on('error', () => {});
    await new Promise<void>((resolve) => {
      let open = probe.streams.length;
      const timer = setTimeout(() => {
        timedOut = true;
        resolve();
      }, timeoutMs);
      const closed = (): void => {
        if (--open === 0) {
          clearTimeout(timer);
          resolve();
        }
      };
      probe.streams.forEach((headers, i) => {
        const answer = answers[i] as StreamAnswer;
        let stream: http2.ClientHttp2Stream;
        try {
          stream = session.request(headers, { endStream: probe.body === undefined });
        } catch {
          closed();
          return;
        }
        stream.on('headers', (h) => answer.interim.push(Number(h[':status'])));
        stream.on('response', (h) => {
          answer.headers = h;
          answer.status = Number(h[':status']);
        });
        stream.setEncoding('latin1');
        stream.on('data', (d: string) => {
          if (answer.body.length < 65536) answer.body += d;
        });
        stream.on('error', () => {});
        stream.on('close', () => {
          answer.rstCode = stream.rstCode;
          closed();
        });
        if (probe.body !== undefined) stream.end(probe.body);
      });
    });
    // Let a GOAWAY or close that follows the last stream arrive.
    await new Promise((r) => setTimeout(r, 50));
    session.destroy();
  }
  socket.destroy();
  const bytes = Buffer.concat(tap.received);
  return {
    exchange: { bytes, ending: tap.ending, timedOut, firstByteMs, elapsedMs: Math.round(performance.now() - started), error: connectError },
    answers,
    frames: tap.frames,
  };
}

/** Judges one HTTP/2 probe by the frames and the answers of its streams. */
function judgeH2(probe: H2Probe, answers: readonly StreamAnswer[], frames: readonly SeenFrame[], exchange: Exchange): Judgement {
  if (exchange.error !== undefined) return { outcome: 'error', findings: [], answer: `error: ${exchange.error}` };
  const judged = probe.expect !== 'baseline';
  const findings: Finding[] = [];
  const add = (kind: FindingKind, detail: string, leak = judged): void => {
    if (!findings.some((f) => f.kind === kind && f.detail === detail)) findings.push({ kind, detail, leak });
  };
  let plain404 = 0;
  for (const answer of answers) {
    for (const status of answer.interim) add('interim', `:status ${status} before the server decided`);
    if (answer.status === undefined) continue;
    const names = Object.keys(answer.headers ?? {});
    for (const name of names) if (FINGERPRINT_HEADERS.includes(name)) add('fingerprint-header', `${name}: ${String(answer.headers?.[name])}`);
    if (probe.expect === 'silent') add('answered', `HEADERS :status ${answer.status} (a silent server resets the stream)`);
    else if (probe.expect === 'refusable') {
      if (answer.status !== 404) add('served', `:status ${answer.status} to an unknown path or method`);
      else if (answer.body.length > 0) add('body', `404 with a ${answer.body.length}-byte body`);
      else plain404++;
    }
    const text = `${JSON.stringify(answer.headers)}${answer.body}`;
    for (const sent of probe.reflects) if (sent.length >= 4 && text.includes(sent)) add('reflected', `echoes ${JSON.stringify(sent)}`);
  }
  const resets = frames.filter((f) => f.type === 'RST_STREAM').map((f) => f.text);
  const goaway = frames.find((f) => f.type === 'GOAWAY')?.text;
  const answered = answers.filter((a) => a.status !== undefined).length;
  const parts: string[] = [];
  if (answers.length === 1) {
    const a = answers[0] as StreamAnswer;
    parts.push(a.status !== undefined ? `:status ${a.status}${a.body.length > 0 ? `, ${a.body.length}-byte body` : ''}` : (resets[0] ?? (exchange.timedOut ? 'nothing (stream held open)' : 'nothing')));
  } else {
    parts.push(`${answered} of ${answers.length} streams answered, ${resets.length} RST_STREAM`);
  }
  if (goaway !== undefined) parts.push(`then ${goaway}`);
  if (answers.length === 1 && exchange.timedOut && answered === 0 && resets.length === 0) add('held-open', `stream held open until the ${exchange.elapsedMs} ms bound`, false);
  const leaked = findings.some((f) => f.leak);
  const outcome = !judged ? 'info' : leaked ? 'leak' : plain404 > 0 ? 'plain-404' : 'silent';
  return { outcome, findings, answer: parts.join(', ') };
}

/** One HTTP/2 probe's result, in the shape of every other probe's. */
export interface H2ProbeResult {
  readonly probe: Probe;
  readonly exchange: Exchange;
  readonly judgement: Judgement;
}

/** Runs the HTTP/2 probes one after another against `endpoint` (h2c, prior knowledge). */
export async function runHttp2Probes(
  target: Target,
  endpoint: Endpoint,
  timeoutMs: number,
  marker: string,
  onProgress?: (done: number, total: number, probe: Probe) => void,
): Promise<H2ProbeResult[]> {
  const corpus = buildH2Corpus(target, marker);
  const results: H2ProbeResult[] = [];
  for (const h2 of corpus) {
    const { exchange, answers, frames } = await exchangeH2(endpoint, h2, timeoutMs);
    const cls: ProbeClass = h2.expect === 'baseline' ? 'baseline' : 'http2';
    const probe: Probe = { id: h2.id, class: cls, title: h2.title, expect: h2.expect, payload: Buffer.alloc(0), reflects: h2.reflects };
    results.push({ probe, exchange, judgement: judgeH2(h2, answers, frames, exchange) });
    onProgress?.(results.length, corpus.length, probe);
  }
  return results;
}
