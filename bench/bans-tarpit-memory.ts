/**
 * Memory per connection held by the ban tarpit: a server process (hangup, bans on, tarpit with a
 * long hold) holds N connections opened by this process from a banned address; its RSS and heap
 * are read after two full GCs, before and after, and the kernel's TCP memory from
 * /proc/net/sockstat (both ends count). Compared with N idle keep-alive connections held by the
 * same server without a ban (an HTTP parser each).
 *
 *   npm run build && npx tsx bench/bans-tarpit-memory.ts [N=2000]
 */
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';

const N = Number(process.argv[2] ?? 2000);

if (process.argv[2] === 'server') {
  const { hangup } = await import('../dist/index.js');
  const banned = process.argv[3] === 'tarpit';
  const guard = hangup({ routes: ['GET /'], hints: false, ban: { action: { tarpit: { hold: '5m', max: 100_000 } } } });
  if (banned) guard.bans?.ban('127.0.0.2', '1h');
  const server = guard.createServer((_req, res) => res.end('ok'));
  server.keepAliveTimeout = 600_000;
  server.headersTimeout = 600_000;
  server.requestTimeout = 0;
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as net.AddressInfo).port }));
  process.on('message', () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    gc?.();
    const m = process.memoryUsage();
    process.send?.({ rss: m.rss, heap: m.heapUsed, held: guard.stats().bans?.tarpitHeld ?? 0 });
  });
  process.on('disconnect', () => process.exit(0));
} else {
  const tcpPages = (): number => Number(/TCP: .* mem (\d+)/.exec(readFileSync('/proc/net/sockstat', 'utf8'))?.[1] ?? NaN);
  for (const mode of ['tarpit', 'keep-alive'] as const) {
    const child = fork(new URL(import.meta.url).pathname, ['server', mode], { execArgv: ['--import', 'tsx', '--expose-gc'] });
    type Stats = { port: number; rss: number; heap: number; held: number };
    const next = (): Promise<Stats> => new Promise((r) => child.once('message', (m) => r(m as Stats)));
    const { port } = await next();
    child.send('stats');
    const before = await next();
    const pagesBefore = tcpPages();
    const sockets: net.Socket[] = [];
    for (let i = 0; i < N; i++) {
      const socket = net.connect({ port, host: '127.0.0.1', localAddress: mode === 'tarpit' ? '127.0.0.2' : '127.0.0.3' });
      socket.on('error', () => {});
      await new Promise<void>((r) => socket.once('connect', () => r()));
      // the scanner's request; the keep-alive case is answered and then idles
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
      sockets.push(socket);
    }
    await new Promise((r) => setTimeout(r, 1_500));
    child.send('stats');
    const after = await next();
    const pages = tcpPages() - pagesBefore;
    console.log(
      `${mode.padEnd(10)} ${N} connections: server RSS +${((after.rss - before.rss) / N / 1024).toFixed(1)} KB/conn, heap +${((after.heap - before.heap) / N / 1024).toFixed(2)} KB/conn, kernel TCP +${((pages * 4096) / N / 1024).toFixed(1)} KB/conn (both ends), held by tarpit: ${after.held}`,
    );
    for (const s of sockets) s.destroy();
    child.disconnect();
    await new Promise((r) => child.once('exit', r));
  }
}
