/**
 * Replays the OWASP CRS protocol corpus (test/fixtures/crs, vendored with its licence) over real
 * sockets against one protected node:http server with a detectors-only guard, and records what each
 * client received and which reason hangup gave. Shared by the conformance test and by
 * `scripts/conformance.ts`, which renders docs/conformance.md from the same results.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hangup, type HangupOptions } from '../../src/index.js';
import { clientErrorReason } from '../../src/server.js';
import { rawRequest, type Ending } from '../helpers/raw-client.js';
import { close, listen } from '../helpers/servers.js';

/** Where the corpus lives: `$HANGUP_CRS_CORPUS` (another copy), or `test/fixtures/crs` in the repository. */
export const corpusDir: string = process.env.HANGUP_CRS_CORPUS ?? fileURLToPath(new URL('../fixtures/crs/', import.meta.url));

/** Whether the corpus is present (it always is in a clone, unless `$HANGUP_CRS_CORPUS` points elsewhere). */
export const corpusAvailable: boolean = existsSync(`${corpusDir}/index.json`);

/** The guard under test: detectors only (default preset), one allowed host, no route list. */
export const replayPolicy: HangupOptions = { hosts: ['localhost'] };

/** The exact bytes the test app answers every allowed request with. */
export const APP_RESPONSE = 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\n';

/** One corpus entry, as index.json lists it, with its bytes. */
export interface CorpusCase {
  readonly id: string;
  readonly rule: number;
  readonly crs_expects: string;
  readonly file: string;
  readonly description: string;
  readonly bytes: Buffer;
}

/** Anything that can be replayed: an id and the bytes to send. */
export interface ReplayCase {
  readonly id: string;
  readonly bytes: Buffer;
}

/** How to replay: the guard's options, the server's options, concurrency and idle wait. */
export interface ReplayOptions {
  readonly policy?: HangupOptions;
  readonly server?: http.ServerOptions;
  readonly concurrency?: number;
  readonly waitMs?: number;
}

/** What one replay produced. */
export interface ReplayResult<C extends ReplayCase = CorpusCase> {
  readonly case: C;
  readonly received: Buffer;
  readonly ending: Ending;
  /** hangup's reasons on that connection, in order (`route:any` for an allowed request). */
  readonly reasons: readonly string[];
}

/** Loads index.json and every request's bytes. */
export async function loadCorpus(): Promise<CorpusCase[]> {
  const index = JSON.parse(await readFile(`${corpusDir}/index.json`, 'utf8')) as Omit<CorpusCase, 'bytes'>[];
  return Promise.all(index.map(async (entry) => ({ ...entry, bytes: await readFile(`${corpusDir}/${entry.file}`) })));
}

/** The app behind the guard: reads the body, then answers `ok` with fixed headers. */
function app(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  req.on('end', () => {
    res.sendDate = false;
    res.writeHead(200, { 'Content-Length': '3' });
    res.end('ok\n');
  });
}

/** Replays `cases` against one protected server, with at most `concurrency` connections open at once. */
export async function replay<C extends ReplayCase>(cases: readonly C[], options: ReplayOptions = {}): Promise<ReplayResult<C>[]> {
  const { concurrency = 8, waitMs = 300 } = options;
  const guard = hangup(options.policy ?? replayPolicy);
  // Reasons are kept per socket. The kernel hands a closed client's port to a later case (keying
  // them by port alone once mixed two connections' reasons), so each port keeps its connections'
  // lists in order, and each finished case takes the oldest: connections from one port follow
  // one another.
  const reasonsOf = new WeakMap<Socket, string[]>();
  const byPort = new Map<number, string[][]>();
  const record = (socket: Socket, reason: string): void => {
    reasonsOf.get(socket)?.push(reason);
  };
  const server = http.createServer(options.server ?? {}, (req, res) => {
    if (guard.handle(req, res, 'http')) app(req, res);
  });
  guard.protect(server);
  // protect() decides each request before 'request' reaches any listener, so a refused request
  // never reaches one: record the decision on the way in, before protect()'s own step.
  const emit = server.emit;
  server.emit = function recordingEmit(this: http.Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'request') {
      const req = args[0] as IncomingMessage;
      record(req.socket, guard.decisionOf(req).reason);
    }
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  };
  // Expect is decided before 'request'. Record it there; the app's own listener then answers
  // allowed requests the way Node would (hangup answers refused ones itself).
  server.prependListener('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    record(req.socket, guard.decisionOf(req).reason);
    if (guard.decisionOf(req).action !== 'allow') return;
    res.writeContinue();
    app(req, res);
  });
  server.prependListener('checkExpectation', (req: IncomingMessage, res: ServerResponse) => {
    record(req.socket, guard.decisionOf(req).reason);
    if (guard.decisionOf(req).action !== 'allow') return;
    res.writeHead(417);
    res.end();
  });
  server.keepAliveTimeout = 100;
  server.on('connection', (socket: Socket) => {
    const list: string[] = [];
    reasonsOf.set(socket, list);
    const port = socket.remotePort;
    if (port === undefined) return;
    const lists = byPort.get(port) ?? [];
    lists.push(list);
    byPort.set(port, lists);
  });
  server.on('clientError', (error: Error, socket: Socket) => record(socket, clientErrorReason(error)));
  // An app that tunnels CONNECT, so the guard's CONNECT decision is what the client sees.
  server.on('connect', (req: IncomingMessage, socket: Socket) => {
    record(socket, guard.decisionOf(req).reason);
    if (!socket.destroyed) socket.end('HTTP/1.1 200 Connection Established\r\n\r\n');
  });
  const port = await listen(server);
  try {
    const results: ReplayResult<C>[] = new Array(cases.length);
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < cases.length) {
        const index = next++;
        const entry = cases[index] as C;
        const r = await rawRequest(port, entry.bytes, { waitMs });
        // A record made after the client saw the close is not lost: give the server a tick.
        await new Promise((resolve) => setImmediate(resolve));
        results[index] = { case: entry, received: r.bytes, ending: r.ending, reasons: byPort.get(r.localPort ?? -1)?.shift() ?? [] };
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    return results;
  } finally {
    await close(server);
  }
}

/** Whether the connection was dropped: zero bytes received, and closed by the server. */
export function isDropped(r: ReplayResult<ReplayCase>): boolean {
  return r.received.length === 0 && r.ending !== 'open';
}
