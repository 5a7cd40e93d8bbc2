/**
 * `npm run build && npx tsx bench/tls.ts [--rounds=5] [--handshakes=1500]`: the cost of hangup's TLS layer, in
 * server CPU, against a baseline measured in the same run (interleaved rounds, medians):
 *
 * - completed handshakes per server CPU second on https.createServer, with the ClientHello gate
 *   (`hosts: ['localhost']`, SNI localhost) vs the same server without hangup (target ≥ 0.97);
 * - the server CPU of a refused ClientHello (SNI not in hosts: zero bytes, FIN) as a fraction of a
 *   completed handshake (target ≤ 0.1).
 *
 * The server runs in a child process that reports its own process.cpuUsage(); the clients (Node's
 * tls.connect, no session resumption, 8 at a time) run here. Wall-clock rates are printed too, but
 * they depend on the client's CPU and on whatever else the machine runs: server CPU is the figure.
 */
import { fork, type ChildProcess } from 'node:child_process';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const file = fileURLToPath(import.meta.url);
const cert = readFileSync(new URL('../examples/tls/localhost-cert.pem', import.meta.url));
const key = readFileSync(new URL('../examples/tls/localhost-key.pem', import.meta.url));

type Variant = 'plain' | 'hangup' | 'floor';

interface Server {
  readonly child: ChildProcess;
  readonly port: number;
  cpuMicros(): Promise<number>;
}

async function start(variant: Variant): Promise<Server> {
  const child = fork(file, ['server', variant], { execArgv: ['--import', 'tsx'] });
  const port = await new Promise<number>((resolve) => child.once('message', (m: { port: number }) => resolve(m.port)));
  return {
    child,
    port,
    cpuMicros: () =>
      new Promise((resolve) => {
        child.once('message', (m: { cpu: NodeJS.CpuUsage }) => resolve(m.cpu.user + m.cpu.system));
        child.send('cpu');
      }),
  };
}

function handshake(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }, () => {
      socket.destroy();
      resolve();
    });
    socket.on('error', reject);
  });
}

function refused(port: number, hello: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1' }, () => socket.write(hello));
    socket.on('data', () => reject(new Error('a refused ClientHello got bytes')));
    socket.on('close', () => resolve());
    socket.on('error', () => resolve());
  });
}

/** Runs `count` operations, `concurrency` at a time; resolves with the wall time in ms. */
async function load(count: number, concurrency: number, op: () => Promise<void>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < count) await op();
    }),
  );
  return performance.now() - started;
}

/** CPU of the server (µs) and wall time (ms) for one batch. */
async function measure(server: Server, count: number, op: () => Promise<void>): Promise<{ cpu: number; wall: number }> {
  const before = await server.cpuMicros();
  const wall = await load(count, 8, op);
  return { cpu: (await server.cpuMicros()) - before, wall };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A real ClientHello from Node's TLS client for `servername`, captured without a network. */
async function capture(servername: string): Promise<Buffer> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  const got = new Promise<Buffer>((resolve) =>
    server.once('connection', (s) =>
      s.once('data', (d: Buffer) => {
        s.destroy();
        resolve(d);
      }),
    ),
  );
  const client = tls.connect({ port, host: '127.0.0.1', servername, rejectUnauthorized: false });
  client.on('error', () => {});
  const hello = await got;
  server.close();
  return hello;
}

async function main(): Promise<void> {
  const arg = (name: string, fallback: number): number => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
  const rounds = arg('rounds', 5);
  const count = arg('handshakes', 1500);
  const plain = await start('plain');
  const guarded = await start('hangup');
  const floor = await start('floor');
  const evil = await capture('evil.example');
  const rows: { plain: number; hangup: number; refused: number; floor: number; plainWall: number; hangupWall: number; refusedWall: number }[] = [];
  try {
    // Warm-up: both servers, both paths.
    await measure(plain, 200, () => handshake(plain.port));
    await measure(guarded, 200, () => handshake(guarded.port));
    await measure(guarded, 200, () => refused(guarded.port, evil));
    await measure(floor, 200, () => refused(floor.port, evil));
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? ['plain', 'hangup'] : ['hangup', 'plain'];
      const row = { plain: 0, hangup: 0, refused: 0, floor: 0, plainWall: 0, hangupWall: 0, refusedWall: 0 };
      for (const which of order) {
        const server = which === 'plain' ? plain : guarded;
        const m = await measure(server, count, () => handshake(server.port));
        if (which === 'plain') [row.plain, row.plainWall] = [m.cpu / count, m.wall];
        else [row.hangup, row.hangupWall] = [m.cpu / count, m.wall];
      }
      const r = await measure(guarded, count, () => refused(guarded.port, evil));
      [row.refused, row.refusedWall] = [r.cpu / count, r.wall];
      row.floor = (await measure(floor, count, () => refused(floor.port, evil))).cpu / count;
      rows.push(row);
      console.log(
        `round ${round + 1}: server CPU per handshake ${row.plain.toFixed(0)} µs without hangup, ${row.hangup.toFixed(0)} µs with; ` +
          `per refused ClientHello ${row.refused.toFixed(0)} µs (floor ${row.floor.toFixed(0)} µs); wall ${(count / row.plainWall * 1000).toFixed(0)} vs ${(count / row.hangupWall * 1000).toFixed(0)} handshakes/s`,
      );
    }
  } finally {
    plain.child.kill();
    guarded.child.kill();
    floor.child.kill();
  }
  const p = median(rows.map((r) => r.plain));
  const h = median(rows.map((r) => r.hangup));
  const x = median(rows.map((r) => r.refused));
  const f = median(rows.map((r) => r.floor));
  const ratios = rows.map((r) => r.plain / r.hangup);
  console.log(`\n${rounds} rounds × ${count} handshakes (Node ${process.version}, ${count} refused ClientHellos per round), medians:`);
  console.log(`  completed handshakes per server CPU second: ${(1e6 / p).toFixed(0)} without hangup, ${(1e6 / h).toFixed(0)} with the SNI check`);
  console.log(`  ratio with/without: ${(p / h).toFixed(3)} (median of per-round ratios ${median(ratios).toFixed(3)}; target ≥ 0.97)`);
  console.log(`  refused ClientHello: ${x.toFixed(0)} µs server CPU = ${(x / h).toFixed(3)} of a completed handshake (target ≤ 0.1)`);
  console.log(`  of which Node's own accept, read and close of any connection (the floor): ${f.toFixed(0)} µs = ${(f / h).toFixed(3)}; hangup's part ${(x - f).toFixed(0)} µs = ${((x - f) / h).toFixed(3)}`);
}

if (process.argv[2] === 'server') {
  const variant = process.argv[3] as Variant;
  // The floor: what any TCP connection that sends a ClientHello and is closed costs Node (accept, one read, close).
  const server =
    variant === 'floor'
      ? net.createServer((socket) => socket.once('data', () => socket.destroy()))
      : https.createServer({ key, cert }, (_req, res) => res.end('ok'));
  if (variant === 'hangup') {
    // The built package, as an app runs it (npm run build first).
    const { hangup } = await import('../dist/index.js');
    hangup({ hosts: ['localhost'], routes: ['GET /'] }).protect(server as https.Server);
  }
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as net.AddressInfo).port }));
  process.on('message', () => process.send?.({ cpu: process.cpuUsage() }));
} else {
  await main();
}
