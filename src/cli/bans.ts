/**
 * `hangup bans`: list, lift and make bans in a shared store (Redis), the one the guards of every
 * machine read. It speaks the Redis protocol itself (a few commands over one connection), so it
 * needs no Redis client installed, and it runs the same scripts as `redisStore()`: a ban or unban
 * made here reaches every guard through the store's channel at once.
 */
import net from 'node:net';
import { addressKey } from '../bans/address.js';
import { parseDuration } from '../bans/options.js';
import { pairsToBans, scripts } from '../bans/stores/redis.js';

const USAGE = `usage: hangup bans <list|unban|ban> [address...] --redis <url> [options]

  hangup bans list --redis redis://127.0.0.1:6379           active bans, oldest end first
  hangup bans unban 203.0.113.7 2001:db8:1:2::9 --redis URL lift bans, on every guard sharing the store
  hangup bans ban 203.0.113.7 --for 1h --redis URL          ban by hand (default --for 10m)

options:
  --redis <url>        redis://[user:password@]host[:port][/db] (or $REDIS_URL)
  --prefix <prefix>    the prefix the guards' redisStore uses (default {hangup}:)
  --ipv6-prefix <n>    IPv6 addresses are banned by this prefix, as the guards' ban.ipv6Prefix (default 64)
  --for <duration>     how long a ban made here lasts: 30s, 10m, 1h, 1d (default 10m)
  --json               list as JSON
  --timeout <ms>       give up on Redis after this long (default 3000)

exit codes: 0 done, 1 unban: one of the addresses was not banned, 2 bad arguments, 3 Redis unreachable or failed`;

type Reply = string | number | null | Reply[] | Error;

/** A minimal Redis connection: RESP2 commands in order, replies parsed as they arrive. */
class Resp {
  private buffer = Buffer.alloc(0);
  private readonly waiting: { resolve: (r: Reply) => void; reject: (e: Error) => void }[] = [];
  private failure: Error | null = null;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (;;) {
        const parsed = parse(this.buffer, 0);
        if (parsed === null) break;
        this.buffer = this.buffer.subarray(parsed.end);
        this.waiting.shift()?.resolve(parsed.value);
      }
    });
    const fail = (error: Error): void => {
      this.failure ??= error;
      for (const w of this.waiting.splice(0)) w.reject(error);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  static connect(url: URL, timeoutMs: number): Promise<Resp> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1', port: Number(url.port || 6379) });
      socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new Resp(socket));
      });
    });
  }

  command(args: string[]): Promise<Reply> {
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`);
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

function parse(buffer: Buffer, start: number): { value: Reply; end: number } | null {
  const lineEnd = buffer.indexOf('\r\n', start);
  if (lineEnd === -1) return null;
  const type = String.fromCharCode(buffer[start] as number);
  const line = buffer.toString('utf8', start + 1, lineEnd);
  const next = lineEnd + 2;
  if (type === '+') return { value: line, end: next };
  if (type === '-') return { value: new Error(line), end: next };
  if (type === ':') return { value: Number(line), end: next };
  if (type === '$') {
    const length = Number(line);
    if (length < 0) return { value: null, end: next };
    if (buffer.length < next + length + 2) return null;
    return { value: buffer.toString('utf8', next, next + length), end: next + length + 2 };
  }
  if (type === '*') {
    const count = Number(line);
    if (count < 0) return { value: null, end: next };
    const items: Reply[] = [];
    let at = next;
    for (let i = 0; i < count; i++) {
      const item = parse(buffer, at);
      if (item === null) return null;
      items.push(item.value);
      at = item.end;
    }
    return { value: items, end: at };
  }
  return { value: new Error(`unexpected reply type ${JSON.stringify(type)}`), end: buffer.length };
}

interface Args {
  command: string;
  addresses: string[];
  redis: string | undefined;
  prefix: string;
  ipv6Prefix: number;
  forMs: number;
  json: boolean;
  timeoutMs: number;
}

function parseArgs(argv: string[]): Args | string {
  const args: Args = { command: '', addresses: [], redis: process.env.REDIS_URL, prefix: '{hangup}:', ipv6Prefix: 64, forMs: 600_000, json: false, timeoutMs: 3000 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    try {
      if (arg === '--redis') args.redis = value();
      else if (arg === '--prefix') args.prefix = value();
      else if (arg === '--ipv6-prefix') {
        args.ipv6Prefix = Number(value());
        if (!Number.isInteger(args.ipv6Prefix) || args.ipv6Prefix < 16 || args.ipv6Prefix > 128) return '--ipv6-prefix: a whole number from 16 to 128';
      } else if (arg === '--for') args.forMs = parseDuration(value(), '--for');
      else if (arg === '--timeout') {
        args.timeoutMs = Number(value());
        if (!Number.isInteger(args.timeoutMs) || args.timeoutMs < 100 || args.timeoutMs > 60_000) return '--timeout: milliseconds from 100 to 60000';
      } else if (arg === '--json') args.json = true;
      else if (arg.startsWith('-')) return `unknown option ${arg}`;
      else if (args.command === '') args.command = arg;
      else args.addresses.push(arg);
    } catch (error) {
      return (error as Error).message.replace(/^hangup: /, '');
    }
  }
  if (!['list', 'ban', 'unban'].includes(args.command)) return args.command === '' ? 'a command is needed: list, unban or ban' : `unknown command ${args.command}`;
  if (args.command !== 'list' && args.addresses.length === 0) return `${args.command}: give at least one address`;
  if (args.redis === undefined || args.redis === '') return '--redis <url> (or $REDIS_URL) is needed: the store the guards share';
  return args;
}

/** Runs `hangup bans ...`; resolves with the exit code. */
export async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    process.stderr.write(`hangup bans: ${args}\n${USAGE}\n`);
    return 2;
  }
  let url: URL;
  try {
    url = new URL(args.redis as string);
    if (url.protocol !== 'redis:') throw new Error('not redis:');
  } catch {
    process.stderr.write(`hangup bans: --redis: expected redis://host:port, got ${JSON.stringify(args.redis)}\n`);
    return 2;
  }
  const keys: string[] = [];
  for (const address of args.addresses) {
    const key = addressKey(address, args.ipv6Prefix);
    if (key === null) {
      process.stderr.write(`hangup bans: not an IP address or prefix: ${JSON.stringify(address)}\n`);
      return 2;
    }
    keys.push(key);
  }
  let redis: Resp | null = null;
  try {
    redis = await Resp.connect(url, args.timeoutMs);
    const call = async (command: string[]): Promise<Reply> => {
      const reply = await (redis as Resp).command(command);
      if (reply instanceof Error) throw reply;
      return reply;
    };
    if (url.password !== '') await call(url.username === '' ? ['AUTH', decodeURIComponent(url.password)] : ['AUTH', decodeURIComponent(url.username), decodeURIComponent(url.password)]);
    const db = url.pathname.replace(/^\//, '');
    if (db !== '') await call(['SELECT', db]);
    const evalScript = (script: string, scriptArgs: string[]): Promise<Reply> => call(['EVAL', script, '0', ...scriptArgs]);

    if (args.command === 'list') {
      const bans = pairsToBans(await evalScript(scripts.LOAD, [args.prefix]));
      if (args.json) process.stdout.write(`${JSON.stringify(bans.map((b) => ({ key: b.key, until: new Date(b.until).toISOString() })), null, 2)}\n`);
      else if (bans.length === 0) process.stdout.write('no active bans\n');
      else for (const b of bans) process.stdout.write(`${b.key.padEnd(24)} until ${new Date(b.until).toISOString()}\n`);
      return 0;
    }
    const active = new Set(pairsToBans(await evalScript(scripts.LOAD, [args.prefix])).map((b) => b.key));
    if (args.command === 'unban') {
      await evalScript(scripts.UNBAN, [args.prefix, ...keys]);
      let missing = 0;
      for (const key of keys) {
        const had = active.has(key);
        if (!had) missing++;
        process.stdout.write(`${key}: ${had ? 'unbanned' : 'was not banned'} (every guard sharing the store is told)\n`);
      }
      return missing > 0 ? 1 : 0;
    }
    const until = Date.now() + args.forMs;
    await evalScript(scripts.BAN, [args.prefix, ...keys.flatMap((key) => [key, String(until)])]);
    for (const key of keys) process.stdout.write(`${key}: banned until ${new Date(until).toISOString()} (allowlists of each guard still apply)\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`hangup bans: Redis at ${url.host}: ${(error as Error).message}\n`);
    return 3;
  } finally {
    redis?.close();
  }
}
