import { createHash } from 'node:crypto';
import type { BanPolicy, BanRecord, BanStore, StoreEvent } from '../types.js';

/**
 * Redis, for several machines. hangup depends on no Redis client: give it yours (node-redis or
 * ioredis), or the two functions it needs. Strikes go in batches, one script call per batch; the
 * script counts them for every node, makes the bans and publishes them on `<prefix>events`, which
 * every node subscribes to. Active bans live in one sorted set (`<prefix>bans`, score = end), read
 * at start and after Redis was unreachable. Nothing here is ever awaited on a connection or a request.
 *
 * Keys: `<prefix>bans` (sorted set), `<prefix>s:<key>` (strike counter, expires with the window),
 * `<prefix>h:<key>` (ban count, for escalation), `<prefix>u:<key>` (one minute after an unban, so a
 * batch in flight cannot ban again at once). The default prefix `{hangup}:` keeps them in one hash slot.
 */
export interface RedisStoreOptions {
  /** A node-redis (4, 5, 6) or ioredis client, connected or connecting. Or give `command` (and `subscribe`). */
  readonly client?: unknown;
  /** Sends one command: `(args) => client.sendCommand(args)` (node-redis), `(args) => client.call(...args)` (ioredis). */
  readonly command?: (args: string[]) => Promise<unknown>;
  /** Subscribes to `channel`; resolves with a function that unsubscribes. Without it, new bans arrive with the next reload (30 s). */
  readonly subscribe?: (channel: string, onMessage: (message: string) => void) => Promise<() => unknown>;
  /** Prefix of every key and of the channel. Default `'{hangup}:'`. */
  readonly prefix?: string;
  /** Most bans kept in Redis (the ones ending first go first). Default 100,000. */
  readonly maxBans?: number;
}

const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

const REPORT = `${NOW}
local p = ARGV[1]
local after, win, dur, factor, maxd, forget, maxb = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8])
local bans = p .. 'bans'
local out = {}
for i = 9, #ARGV - 1, 2 do
  local k, n = ARGV[i], tonumber(ARGV[i + 1])
  local sk = p .. 's:' .. k
  local c = redis.call('INCRBY', sk, n)
  if c == n then redis.call('PEXPIRE', sk, win) end
  if c >= after then
    redis.call('DEL', sk)
    local cur = tonumber(redis.call('ZSCORE', bans, k) or '0')
    if cur <= now and redis.call('EXISTS', p .. 'u:' .. k) == 0 then
      local hk = p .. 'h:' .. k
      local h = redis.call('INCR', hk)
      redis.call('PEXPIRE', hk, maxd + forget)
      local d = dur * (factor ^ (h - 1))
      if d > maxd then d = maxd end
      local u = now + math.floor(d)
      redis.call('ZADD', bans, u, k)
      out[#out + 1] = k
      out[#out + 1] = string.format('%d', u)
    end
  end
end
redis.call('ZREMRANGEBYSCORE', bans, '-inf', now)
local extra = redis.call('ZCARD', bans) - maxb
if extra > 0 then redis.call('ZPOPMIN', bans, extra) end
if #out > 0 then redis.call('PUBLISH', p .. 'events', 'ban ' .. table.concat(out, ' ')) end
return out`;

const BAN = `local p = ARGV[1]
local out = {}
for i = 2, #ARGV - 1, 2 do
  local k, u = ARGV[i], ARGV[i + 1]
  local cur = tonumber(redis.call('ZSCORE', p .. 'bans', k) or '0')
  if tonumber(u) > cur then
    redis.call('ZADD', p .. 'bans', u, k)
    redis.call('DEL', p .. 'u:' .. k)
    out[#out + 1] = k
    out[#out + 1] = u
  end
end
if #out > 0 then redis.call('PUBLISH', p .. 'events', 'ban ' .. table.concat(out, ' ')) end
return #out / 2`;

const UNBAN = `local p = ARGV[1]
local out = {}
for i = 2, #ARGV do
  local k = ARGV[i]
  redis.call('ZREM', p .. 'bans', k)
  redis.call('DEL', p .. 's:' .. k)
  redis.call('SET', p .. 'u:' .. k, '1', 'PX', 60000)
  out[#out + 1] = k
end
if #out > 0 then redis.call('PUBLISH', p .. 'events', 'unban ' .. table.concat(out, ' ')) end
return #out`;

const LOAD = `${NOW}
return redis.call('ZRANGEBYSCORE', ARGV[1] .. 'bans', '(' .. now, '+inf', 'WITHSCORES')`;

/** The Lua scripts, shared with the `hangup bans` command. */
export const scripts = { REPORT, BAN, UNBAN, LOAD } as const;

const sha1 = (text: string): string => createHash('sha1').update(text).digest('hex');

/** Runs a script by its hash, sending it whole once when Redis does not know it yet (NOSCRIPT). */
export async function evalScript(command: (args: string[]) => Promise<unknown>, script: string, args: string[]): Promise<unknown> {
  try {
    return await command(['EVALSHA', sha1(script), '0', ...args]);
  } catch (error) {
    if (!String((error as Error | null)?.message ?? error).includes('NOSCRIPT')) throw error;
    return command(['EVAL', script, '0', ...args]);
  }
}

/** `[k1, u1, k2, u2]` (strings or buffers) as ban records. */
export function pairsToBans(reply: unknown): BanRecord[] {
  if (!Array.isArray(reply)) return [];
  const out: BanRecord[] = [];
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const until = Number(String(reply[i + 1]));
    if (Number.isFinite(until)) out.push({ key: String(reply[i]), until });
  }
  return out;
}

/** A store event from a published message: `ban k1 u1 k2 u2` or `unban k1 k2`. */
export function parseMessage(message: string): StoreEvent | null {
  const words = String(message).split(' ');
  const type = words.shift();
  if (type === 'ban') return { type: 'ban', bans: pairsToBans(words) };
  if (type === 'unban') return { type: 'unban', keys: words.filter((w) => w.length > 0) };
  return null;
}

type AnyClient = Record<string, unknown> & { on?: (event: string, listener: (...args: unknown[]) => void) => unknown };

/** `command` and `subscribe` for a node-redis or ioredis client. */
function fromClient(client: unknown): Pick<RedisStoreOptions, 'command' | 'subscribe'> {
  const c = client as AnyClient;
  if (typeof c !== 'object' || c === null) throw new TypeError('redisStore: client must be a node-redis or ioredis client');
  if (typeof c.call === 'function' && typeof c.duplicate === 'function') {
    // ioredis
    const call = c.call as (...args: string[]) => Promise<unknown>;
    return {
      command: (args) => call.apply(c, args),
      subscribe: async (channel, onMessage) => {
        const sub = (c.duplicate as () => AnyClient).call(c);
        sub.on?.('error', () => {});
        sub.on?.('message', (ch: unknown, message: unknown) => {
          if (ch === channel) onMessage(String(message));
        });
        await (sub.subscribe as (channel: string) => Promise<unknown>).call(sub, channel);
        return () => (sub.disconnect as () => void).call(sub);
      },
    };
  }
  if (typeof c.sendCommand === 'function' && typeof c.duplicate === 'function') {
    // node-redis
    const sendCommand = c.sendCommand as (args: string[]) => Promise<unknown>;
    return {
      command: (args) => sendCommand.call(c, args),
      subscribe: async (channel, onMessage) => {
        const sub = (c.duplicate as () => AnyClient).call(c);
        sub.on?.('error', () => {});
        await (sub.connect as () => Promise<unknown>).call(sub);
        await (sub.subscribe as (channel: string, listener: (message: unknown) => void) => Promise<unknown>).call(sub, channel, (message) => onMessage(String(message)));
        return () => {
          const stop = (sub.destroy ?? sub.disconnect ?? sub.quit) as (() => unknown) | undefined;
          return stop?.call(sub);
        };
      },
    };
  }
  throw new TypeError('redisStore: client must be a node-redis client (sendCommand) or an ioredis client (call)');
}

/** A store in Redis, shared by every process and machine that uses the same server and prefix. */
export function redisStore(options: RedisStoreOptions): BanStore {
  const fromUser = options.client === undefined ? {} : fromClient(options.client);
  const command = options.command ?? fromUser.command;
  const subscribe = options.subscribe ?? fromUser.subscribe;
  if (typeof command !== 'function') throw new TypeError('redisStore: give a client, or a command(args) function');
  const prefix = options.prefix ?? '{hangup}:';
  const maxBans = String(options.maxBans ?? 100_000);
  let stop: (() => unknown) | null = null;
  let closed = false;
  return {
    shared: true,
    name: 'redis',
    load: async () => pairsToBans(await evalScript(command, LOAD, [prefix])),
    report: async (strikes: ReadonlyMap<string, number>, policy: BanPolicy) => {
      const args = [prefix, policy.after, policy.windowMs, policy.durationMs, policy.factor, policy.maxMs, policy.forgetMs].map(String);
      args.push(maxBans);
      for (const [key, count] of strikes) args.push(key, String(count));
      return pairsToBans(await evalScript(command, REPORT, args));
    },
    ban: async (bans) => {
      if (bans.length === 0) return;
      await evalScript(command, BAN, [prefix, ...bans.flatMap((b) => [b.key, String(Math.round(b.until))])]);
    },
    unban: async (keys) => {
      if (keys.length === 0) return;
      await evalScript(command, UNBAN, [prefix, ...keys]);
    },
    watch:
      subscribe === undefined
        ? undefined
        : (listener) => {
            const start = (): void => {
              if (closed) return;
              let started: Promise<() => unknown>;
              try {
                started = subscribe(`${prefix}events`, (message) => {
                  const event = parseMessage(message);
                  if (event !== null) listener(event);
                });
              } catch (error) {
                started = Promise.reject(error);
              }
              started.then(
                (unsubscribe) => {
                  if (closed) unsubscribe();
                  else stop = unsubscribe;
                },
                () => {
                  // Meanwhile bans made elsewhere still arrive with each reload; try again in a while.
                  setTimeout(start, 2_000).unref();
                },
              );
            };
            start();
            return () => {
              closed = true;
              stop?.();
            };
          },
    close: async () => {
      closed = true;
      await stop?.();
    },
  };
}
