import type { Socket } from 'node:net';
import type { Decision } from '../types.js';
import type { EventSource } from '../events.js';
import { decision } from '../policy/decisions.js';
import { log, MAX_PATH, MAX_SHORT, sanitize } from '../log.js';
import { AddressList, addressKey, forwardedClient, peerKey } from './address.js';
import { banDuration, parseDuration, type BanConfig } from './options.js';
import { BanHistory, BanTable, StrikeTable, type BanEntry } from './tables.js';
import { Tarpit } from './tarpit.js';
import type { BanControl, BanEvent, BanInfo, BanPolicy, BanRecord, BanStats, Duration, StoreEvent } from './types.js';

/** The decision a request from a banned address gets (behind a proxy, or on a connection opened before the ban). */
export const BANNED = decision('drop', 'ban:address');

/** How the guard tells proxies apart, from `behindProxy` / `trustedProxies`. */
export interface ProxyCheck {
  /** Every connection comes through a proxy (`behindProxy: true`). */
  readonly everyone: boolean;
  /** Whether this address is a trusted proxy (for a peer, and for each forwarded entry). */
  readonly isProxied: (address: string | undefined) => boolean;
}

/** Most strike counts waiting for the next store batch. */
const MAX_PENDING = 10_000;
/** Most keys in one store call. */
const BATCH = 500;
const TICK_MS = 250;
const STORE_TIMEOUT_MS = 1_000;
const RETRY_MS = 1_000;
const RESYNC_MS = 30_000;

/**
 * Repeat-offender bans for one guard. The hot paths are synchronous and read local memory only:
 * `refuseConnection` (a `Map.get` per accepted connection while any ban exists, nothing when none
 * does), `decisionFor` (the same per request) and `strike` (per refusal). The store is called from
 * a timer, in batches, with a time limit, and never awaited by anything on a connection.
 */
export class Bans implements BanControl {
  private readonly table: BanTable;
  private readonly strikesTable: StrikeTable;
  private readonly history: BanHistory;
  private readonly allowList: AddressList;
  private readonly tarpit: Tarpit | null;
  private readonly policy: BanPolicy;
  private readonly counts = {
    banned: 0,
    received: 0,
    unbanned: 0,
    connectionsRefused: 0,
    requestsRefused: 0,
    wouldRefuse: 0,
    strikes: 0,
  };
  // Store synchronisation, all in the background.
  private readonly pending = new Map<string, number>();
  private outBans: BanRecord[] = [];
  private outUnbans: string[] = [];
  private busy = false;
  private up = true;
  private needLoad = true;
  private lastSync = -1;
  private lastLoad = 0;
  private lastAttempt = 0;
  /** Extra reloads soon after the store came back: other processes give it their bans as they reconnect. */
  private reloads: number[] = [];
  private readonly storeCounts = { errors: 0, timeouts: 0, batches: 0, droppedStrikes: 0 };
  private timer: NodeJS.Timeout | null = null;
  private unwatch: (() => void) | null = null;
  private callbackFailed = false;

  constructor(
    readonly config: BanConfig,
    private readonly proxy: ProxyCheck,
  ) {
    const now = Date.now();
    this.table = new BanTable(config.maxBans);
    this.strikesTable = new StrikeTable(config.windowMs, config.maxTracked, now);
    this.history = new BanHistory(config.maxTracked);
    this.allowList = new AddressList(config.allow);
    this.tarpit = config.action === 'tarpit' ? new Tarpit(config.holdMs, config.tarpitMax) : null;
    this.policy = {
      after: config.after,
      windowMs: config.windowMs,
      durationMs: config.durationMs,
      factor: config.factor,
      maxMs: config.maxMs,
      forgetMs: config.forgetMs,
    };
    if (config.store.shared) this.startSync();
    if (log.ban.enabled) {
      log.ban(
        '%s after %d strikes in %d ms, for %d ms (up to %d ms), store %s, action %s',
        config.enforce ? 'banning' : 'reporting bans (report mode: nothing is refused)',
        config.after,
        config.windowMs,
        config.durationMs,
        config.maxMs,
        config.store.name,
        config.action,
      );
    }
  }

  // ---------------------------------------------------------------- hot paths

  /**
   * Accept time, on the server's `'connection'` emit before any listener (HTTP parser, TLS,
   * HTTP/2 session): true when the socket belongs to a banned address and was destroyed (or
   * tarpitted), so no listener must see it. Synchronous; one `Map.get` when any ban exists.
   */
  refuseConnection(socket: Socket): boolean {
    if (this.table.map.size === 0 || this.proxy.everyone) return false;
    if (!this.refusesPeer(socket.remoteAddress)) return false;
    if (this.tarpit !== null) this.tarpit.hold(socket);
    else if (this.config.action === 'reset' && typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
    else socket.destroy();
    return true;
  }

  /** Whether any ban exists (the accept-time checks do nothing without one). */
  get active(): boolean {
    return this.table.map.size > 0 && !this.proxy.everyone;
  }

  /**
   * Whether a connection from `address` is refused at accept time (counted): banned, enforced,
   * neither a trusted proxy (its clients are checked per request) nor an allowlisted address inside
   * a banned IPv6 prefix. Both of those checks only run for banned keys.
   */
  refusesPeer(address: string | undefined): boolean {
    const key = peerKey(address, this.config.ipv6Prefix);
    if (key === null) return false;
    const entry = this.table.find(key);
    if (entry === undefined) return false;
    if (this.proxy.isProxied(address) || this.allowList.has(address as string)) return false;
    if (!entry.enforced) {
      this.counts.wouldRefuse++;
      return false;
    }
    this.counts.connectionsRefused++;
    return true;
  }

  /**
   * Request time: the ban decision for a request from a banned client (the forwarded address
   * behind a trusted proxy, else the peer on a connection opened before the ban), or undefined.
   */
  decisionFor(req: EventSource): Decision | undefined {
    if (this.table.map.size === 0) return undefined;
    const key = this.keyOfSource(req);
    if (key === null) return undefined;
    const entry = this.table.find(key);
    if (entry === undefined) return undefined;
    if (!entry.enforced) {
      this.counts.wouldRefuse++;
      return undefined;
    }
    this.counts.requestsRefused++;
    return BANNED;
  }

  /** Counts a refusal toward a ban of its address; bans it at once when the count is reached. */
  strike(decided: Decision, source: EventSource): void {
    const reason = decided.reason;
    if (reason === BANNED.reason) return; // refused because banned: not a new strike
    const weight = this.weightOf(decided);
    if (weight <= 0) return;
    const key = this.keyOfSource(source);
    if (key === null) return;
    this.counts.strikes++;
    const now = Date.now();
    if (this.config.store.shared && this.config.enforce) this.queueStrike(key, weight);
    const count = this.strikesTable.add(key, weight, now);
    if (count < this.config.after) return;
    this.strikesTable.delete(key);
    if (this.table.get(key, now) !== undefined) return;
    this.addBan(key, now, 'strikes', undefined);
  }

  private weightOf(decided: Decision): number {
    const w = this.config.reasonWeights;
    if (w.size > 0) {
      const exact = w.get(decided.reason);
      if (exact !== undefined) return exact;
    }
    const r = decided.reason;
    const weights = this.config.weights;
    if (r.startsWith('parser:')) return weights.parser;
    if (r.startsWith('tls:')) return weights.tls;
    if (r.startsWith('framework:')) return weights.framework;
    return decided.action === 'notFound' ? weights.notFound : weights.drop;
  }

  /**
   * The key a request or socket is counted under: its peer, or behind a trusted proxy the
   * forwarded client (the proxy itself is never counted), or null.
   */
  private keyOfSource(source: EventSource): string | null {
    const peer = source.socket?.remoteAddress;
    if (peer === undefined) return null;
    if (this.proxy.everyone || this.proxy.isProxied(peer)) {
      const client = forwardedClient(source.headers, (a) => !this.proxy.everyone && this.proxy.isProxied(a));
      return client === null ? null : addressKey(client, this.config.ipv6Prefix);
    }
    return peerKey(peer, this.config.ipv6Prefix);
  }

  // ---------------------------------------------------------------- bans

  private mayBan(key: string): boolean {
    if (this.allowList.has(key)) return false;
    // A trusted proxy is never banned (with behindProxy every peer is one, and none is checked at accept).
    return this.proxy.everyone || key.includes('/') || !this.proxy.isProxied(key);
  }

  private addBan(key: string, now: number, origin: 'strikes' | 'manual', durationMs: number | undefined): BanEntry | null {
    if (!this.mayBan(key)) return null;
    const count = this.history.next(key, now, now + this.config.maxMs + this.config.forgetMs);
    const until = now + (durationMs ?? banDuration(this.config, count));
    const entry: BanEntry = { until, origin, enforced: this.config.enforce };
    this.table.set(key, entry, now);
    this.counts.banned++;
    if (this.config.store.shared && this.config.enforce) this.outBans.push({ key, until });
    this.emit({ type: 'ban', key, until, origin, enforced: entry.enforced, count });
    return entry;
  }

  /** A ban or unban another process made, through the store. */
  private receive(event: StoreEvent): void {
    const now = Date.now();
    if (event.type === 'ban') {
      for (const ban of event.bans) {
        const key = typeof ban.key === 'string' ? addressKey(ban.key, this.config.ipv6Prefix) : null;
        const until = Number(ban.until);
        if (key === null || !(until > now) || !this.mayBan(key)) continue;
        const had = this.table.get(key, now);
        if (had !== undefined && had.until >= until) continue;
        this.table.set(key, { until, origin: 'store', enforced: this.config.enforce }, now);
        this.strikesTable.delete(key);
        this.counts.received++;
        this.emit({ type: 'ban', key, until, origin: 'store', enforced: this.config.enforce, count: Math.max(1, this.history.count(key, now)) });
      }
      return;
    }
    for (const raw of event.keys) {
      const key = typeof raw === 'string' ? addressKey(raw, this.config.ipv6Prefix) : null;
      if (key === null || !this.table.delete(key)) continue;
      this.counts.unbanned++;
      this.emit({ type: 'unban', key, until: 0, origin: 'store', enforced: this.config.enforce, count: 0 });
    }
  }

  private emit(event: BanEvent): void {
    if (log.ban.enabled) {
      log.ban('%s %s%s origin=%s%s', event.type, sanitize(event.key, MAX_SHORT), event.type === 'ban' ? ` until=${new Date(event.until).toISOString()} n=${event.count}` : '', event.origin, event.enforced ? '' : ' (report mode: not enforced)');
    }
    const callback = this.config.onBan;
    if (callback === null) return;
    try {
      const result: unknown = callback(event);
      if (result !== undefined && typeof (result as Promise<unknown> | null)?.then === 'function') {
        (result as Promise<unknown>).then(undefined, (error: unknown) => this.callbackFailure(error));
      }
    } catch (error) {
      this.callbackFailure(error);
    }
  }

  private callbackFailure(error: unknown): void {
    if (this.callbackFailed) return;
    this.callbackFailed = true;
    log.ban('onBan threw (reported once, later failures are silent): %s', sanitize(error instanceof Error ? `${error.name}: ${error.message}` : String(error), MAX_PATH));
  }

  // ---------------------------------------------------------------- guard.bans

  list(): BanInfo[] {
    const now = Date.now();
    const out: BanInfo[] = [];
    for (const [key, entry] of this.table.map) if (entry.until > now) out.push({ key, until: entry.until, origin: entry.origin, enforced: entry.enforced });
    return out;
  }

  ban(address: string, duration?: Duration): boolean {
    const key = this.key(address);
    if (key === null) return false;
    const ms = duration === undefined ? undefined : parseDuration(duration, 'bans.ban(duration)');
    return this.addBan(key, Date.now(), 'manual', ms) !== null;
  }

  unban(address: string): boolean {
    const key = this.key(address);
    if (key === null) return false;
    const had = this.table.delete(key);
    this.strikesTable.delete(key);
    if (this.config.store.shared) this.outUnbans.push(key);
    if (had) {
      this.counts.unbanned++;
      this.emit({ type: 'unban', key, until: 0, origin: 'manual', enforced: this.config.enforce, count: 0 });
    }
    return had;
  }

  check(address: string): BanInfo | null {
    const key = this.key(address);
    if (key === null) return null;
    const entry = this.table.find(key);
    if (entry === undefined) return null;
    if (this.allowList.has(address)) return null; // an allowlisted address inside a banned IPv6 prefix
    return { key, until: entry.until, origin: entry.origin, enforced: entry.enforced };
  }

  key(address: string): string | null {
    return typeof address === 'string' ? addressKey(address.trim(), this.config.ipv6Prefix) : null;
  }

  stats(): BanStats {
    return {
      active: this.table.size,
      banned: this.counts.banned,
      received: this.counts.received,
      unbanned: this.counts.unbanned,
      evicted: this.table.evicted,
      connectionsRefused: this.counts.connectionsRefused,
      requestsRefused: this.counts.requestsRefused,
      wouldRefuse: this.counts.wouldRefuse,
      tracked: this.strikesTable.size,
      strikes: this.counts.strikes,
      trackedEvicted: this.strikesTable.evicted,
      tarpitHeld: this.tarpit?.held ?? 0,
      tarpitTotal: this.tarpit?.total ?? 0,
      tarpitShed: this.tarpit?.shed ?? 0,
      store: {
        name: this.config.store.name,
        shared: this.config.store.shared,
        up: this.up,
        errors: this.storeCounts.errors,
        timeouts: this.storeCounts.timeouts,
        batches: this.storeCounts.batches,
        pending: this.pending.size,
        droppedStrikes: this.storeCounts.droppedStrikes,
        lastSyncAgeMs: this.lastSync < 0 ? -1 : Date.now() - this.lastSync,
      },
    };
  }

  /** Releases a server's held connections when it closes (the tarpit). */
  serverClosed(server: object): void {
    this.tarpit?.release(server);
  }

  /** Stops the background synchronisation and the store's subscriptions. */
  async close(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.unwatch?.();
    this.unwatch = null;
    this.tarpit?.release(null);
    await this.config.store.close?.();
  }

  // ---------------------------------------------------------------- store sync (background)

  private queueStrike(key: string, weight: number): void {
    const had = this.pending.get(key);
    if (had === undefined && this.pending.size >= MAX_PENDING) {
      this.storeCounts.droppedStrikes++;
      return;
    }
    this.pending.set(key, (had ?? 0) + weight);
  }

  private startSync(): void {
    const store = this.config.store;
    if (store.watch !== undefined) {
      try {
        this.unwatch = store.watch((event) => {
          try {
            this.receive(event);
          } catch (error) {
            this.storeFailed(error);
          }
        });
      } catch (error) {
        this.storeFailed(error);
      }
    }
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
    setImmediate(() => this.tick()).unref();
  }

  /** One background step: at most one store call in flight, each with a time limit. */
  private tick(): void {
    const now = Date.now();
    this.table.sweep(now, 100);
    if (this.busy) return;
    const reloadDue = this.reloads.length > 0 && (this.reloads[0] as number) <= now;
    if (reloadDue) this.reloads.shift();
    if (!this.up || this.needLoad || reloadDue || now - this.lastLoad >= RESYNC_MS) {
      if (!this.up && now - this.lastAttempt < RETRY_MS) return;
      this.run(() => this.resync());
      return;
    }
    if (this.outUnbans.length > 0) {
      const keys = this.outUnbans.splice(0, BATCH);
      this.run(() => this.config.store.unban(keys), () => this.outUnbans.unshift(...keys));
      return;
    }
    if (this.outBans.length > 0) {
      const bans = this.outBans.splice(0, BATCH);
      this.run(() => this.config.store.ban(bans), () => this.requeueBans(bans));
      return;
    }
    if (this.pending.size > 0) {
      const batch = new Map<string, number>();
      for (const [key, count] of this.pending) {
        batch.set(key, count);
        this.pending.delete(key);
        if (batch.size >= BATCH) break;
      }
      this.storeCounts.batches++;
      this.run(
        async () => this.receive({ type: 'ban', bans: await this.config.store.report(batch, this.policy) }),
        () => {
          for (const [key, count] of batch) this.queueStrike(key, count);
        },
      );
    }
  }

  private requeueBans(bans: BanRecord[]): void {
    const now = Date.now();
    this.outBans.unshift(...bans.filter((b) => b.until > now));
    if (this.outBans.length > MAX_PENDING) this.outBans.length = MAX_PENDING;
  }

  /** After start and after the store was unreachable: read its bans, and give it ours again (a restarted store lost them). */
  private async resync(): Promise<void> {
    const loaded = await this.config.store.load();
    this.needLoad = false;
    this.lastLoad = Date.now();
    this.receive({ type: 'ban', bans: loaded });
    if (!this.config.enforce) return;
    const known = new Set(loaded.map((b) => b.key));
    const now = Date.now();
    const ours: BanRecord[] = [];
    for (const [key, entry] of this.table.map) {
      if (entry.origin !== 'store' && entry.until > now && !known.has(key)) ours.push({ key, until: entry.until });
      if (ours.length >= MAX_PENDING) break;
    }
    this.outBans.push(...ours);
  }

  private run(call: () => Promise<unknown>, onFailure?: () => void): void {
    this.busy = true;
    this.lastAttempt = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StoreTimeout()), STORE_TIMEOUT_MS);
      timer.unref();
    });
    let started: Promise<unknown>;
    try {
      started = Promise.resolve(call());
    } catch (error) {
      started = Promise.reject(error);
    }
    started.catch(() => undefined); // a call that fails after its time limit is already counted
    Promise.race([started, limit]).then(
      () => {
        clearTimeout(timer);
        this.busy = false;
        this.lastSync = Date.now();
        if (!this.up) {
          this.up = true;
          this.needLoad = true;
          const at = Date.now();
          this.reloads = [at + 2_000, at + 5_000];
          log.ban('store %s reachable again: bans are shared again (reloading its bans)', this.config.store.name);
        }
      },
      (error: unknown) => {
        clearTimeout(timer);
        this.busy = false;
        if (error instanceof StoreTimeout) this.storeCounts.timeouts++;
        onFailure?.();
        this.storeFailed(error);
      },
    );
  }

  private storeFailed(error: unknown): void {
    this.storeCounts.errors++;
    if (!this.up) return;
    this.up = false;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    // Logged once until the store is back; nothing waits for it meanwhile.
    log.ban('store %s unavailable (%s): this process keeps enforcing the bans it knows and counting alone; retrying every %d ms (logged once)', this.config.store.name, sanitize(message, MAX_PATH), RETRY_MS);
  }
}

class StoreTimeout extends Error {
  constructor() {
    super(`no answer within ${STORE_TIMEOUT_MS} ms`);
    this.name = 'StoreTimeout';
  }
}
