import cluster, { type Worker } from 'node:cluster';
import { BanHistory, BanTable, StrikeTable } from '../tables.js';
import { banDuration } from '../options.js';
import type { BanPolicy, BanRecord, BanStore, StoreEvent } from '../types.js';

/**
 * node:cluster: workers share strikes and bans through the primary, without any other service.
 * Each worker decides from its own tables; it sends strike counts in batches to the primary over
 * the IPC channel, and the primary counts them for all workers and sends every new ban to every
 * worker (the HAProxy peers shape: push, then decide locally; never a request/response per
 * decision). The primary must call `clusterPrimary()` once.
 */

const TAG = 'hangup:bans';

interface Message {
  readonly [TAG]: 1;
  readonly op: 'load' | 'report' | 'ban' | 'unban' | 'reply' | 'event';
  readonly id?: number;
  readonly strikes?: [string, number][];
  readonly policy?: BanPolicy;
  readonly bans?: BanRecord[];
  readonly keys?: string[];
  readonly event?: StoreEvent;
}

function isMessage(value: unknown): value is Message {
  return typeof value === 'object' && value !== null && (value as Record<string, unknown>)[TAG] === 1;
}

/** In a cluster worker: the store that shares through the primary (`clusterPrimary()` there). Elsewhere it shares nothing. */
export function clusterStore(): BanStore {
  const send = process.send?.bind(process);
  if (!cluster.isWorker || send === undefined) {
    return { shared: false, name: 'cluster (not a worker: this process only)', load: async () => [], report: async () => [], ban: async () => {}, unban: async () => {} };
  }
  let nextId = 1;
  const waiting = new Map<number, (bans: BanRecord[]) => void>();
  const listeners = new Set<(event: StoreEvent) => void>();
  const onMessage = (message: unknown): void => {
    if (!isMessage(message)) return;
    if (message.op === 'reply' && message.id !== undefined) {
      const resolve = waiting.get(message.id);
      waiting.delete(message.id);
      resolve?.(Array.isArray(message.bans) ? message.bans : []);
    } else if (message.op === 'event' && message.event !== undefined) {
      for (const listener of listeners) listener(message.event);
    }
  };
  process.on('message', onMessage);
  const post = (message: Omit<Message, typeof TAG>): Promise<void> =>
    new Promise((resolve, reject) => {
      try {
        send({ [TAG]: 1, ...message }, undefined, {}, (error: Error | null) => (error ? reject(error) : resolve()));
      } catch (error) {
        reject(error as Error);
      }
    });
  const ask = (message: Omit<Message, typeof TAG | 'id'>): Promise<BanRecord[]> => {
    const id = nextId++;
    // The guard gives up after its own time limit; forget the question then too.
    const answer = new Promise<BanRecord[]>((resolve) => waiting.set(id, resolve));
    const forget = setTimeout(() => waiting.delete(id), 5_000);
    forget.unref();
    return post({ ...message, id }).then(() => answer);
  };
  return {
    shared: true,
    name: 'cluster',
    load: () => ask({ op: 'load' }),
    report: (strikes, policy) => ask({ op: 'report', strikes: [...strikes], policy }),
    ban: (bans) => post({ op: 'ban', bans: [...bans] }),
    unban: (keys) => post({ op: 'unban', keys: [...keys] }),
    watch: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: async () => {
      process.off('message', onMessage);
      listeners.clear();
    },
  };
}

/** What `clusterPrimary()` returns: the shared bans, for a status page or the primary's own logic. */
export interface ClusterPrimary {
  /** Active bans, oldest first. */
  list(): BanRecord[];
  /** Lifts a ban in every worker. */
  unban(key: string): void;
  /** Stops listening to the workers. */
  close(): void;
}

/**
 * In the cluster primary: counts the strikes every worker reports and sends each ban and unban
 * to all workers. Bounded like a guard's tables (`maxBans`, `maxTracked`, default 100,000 each).
 */
export function clusterPrimary(options: { maxBans?: number; maxTracked?: number } = {}): ClusterPrimary {
  const bans = new BanTable(options.maxBans ?? 100_000);
  const maxTracked = options.maxTracked ?? 100_000;
  let strikes: StrikeTable | null = null;
  let strikesWindow = 0;
  const history = new BanHistory(maxTracked);
  const broadcast = (event: StoreEvent, except?: Worker): void => {
    for (const worker of Object.values(cluster.workers ?? {})) {
      if (worker === undefined || worker === except || !worker.isConnected()) continue;
      try {
        worker.send({ [TAG]: 1, op: 'event', event });
      } catch {
        // a worker that is going away misses it; it reloads the bans when it starts again
      }
    }
  };
  const reply = (worker: Worker, id: number | undefined, list: BanRecord[]): void => {
    if (id === undefined || !worker.isConnected()) return;
    try {
      worker.send({ [TAG]: 1, op: 'reply', id, bans: list });
    } catch {
      // gone
    }
  };
  const active = (): BanRecord[] => {
    const now = Date.now();
    bans.sweep(now, 1_000);
    const out: BanRecord[] = [];
    for (const [key, entry] of bans.map) if (entry.until > now) out.push({ key, until: entry.until });
    return out;
  };
  const onMessage = (worker: Worker, message: unknown): void => {
    if (!isMessage(message)) return;
    const now = Date.now();
    if (message.op === 'load') {
      reply(worker, message.id, active());
    } else if (message.op === 'report' && Array.isArray(message.strikes) && message.policy !== undefined) {
      const policy = message.policy;
      if (strikes === null || strikesWindow !== policy.windowMs) {
        strikes = new StrikeTable(policy.windowMs, maxTracked, now);
        strikesWindow = policy.windowMs;
      }
      const made: BanRecord[] = [];
      for (const entry of message.strikes) {
        if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'number') continue;
        const [key, count] = entry;
        if (strikes.add(key, count, now) < policy.after) continue;
        strikes.delete(key);
        if (bans.get(key, now) !== undefined) continue;
        const n = history.next(key, now, now + policy.maxMs + policy.forgetMs);
        const until = now + banDuration({ durationMs: policy.durationMs, factor: policy.factor, maxMs: policy.maxMs }, n);
        bans.set(key, { until, origin: 'strikes', enforced: true }, now);
        made.push({ key, until });
      }
      reply(worker, message.id, made);
      if (made.length > 0) broadcast({ type: 'ban', bans: made }, worker);
    } else if (message.op === 'ban' && Array.isArray(message.bans)) {
      const fresh: BanRecord[] = [];
      for (const ban of message.bans) {
        if (typeof ban?.key !== 'string' || typeof ban.until !== 'number' || ban.until <= now) continue;
        const had = bans.get(ban.key, now);
        if (had !== undefined && had.until >= ban.until) continue;
        bans.set(ban.key, { until: ban.until, origin: 'store', enforced: true }, now);
        fresh.push({ key: ban.key, until: ban.until });
      }
      if (fresh.length > 0) broadcast({ type: 'ban', bans: fresh }, worker);
    } else if (message.op === 'unban' && Array.isArray(message.keys)) {
      const keys = message.keys.filter((k): k is string => typeof k === 'string');
      for (const key of keys) {
        bans.delete(key);
        strikes?.delete(key);
      }
      if (keys.length > 0) broadcast({ type: 'unban', keys }, worker);
    }
  };
  cluster.on('message', onMessage);
  return {
    list: active,
    unban: (key) => {
      bans.delete(key);
      broadcast({ type: 'unban', keys: [key] });
    },
    close: () => {
      cluster.off('message', onMessage);
    },
  };
}
