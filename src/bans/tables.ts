/**
 * The two bounded tables behind bans. Neither keeps a timer per entry nor scans itself on the hot
 * path: both are insertion-ordered Maps that drop a few entries from the front when they are
 * touched, and evict the oldest entry when full. Strikes never evict bans: they are separate.
 */

/**
 * Strike counts over an approximate sliding window: two generations (`current`, `previous`),
 * swapped when a window has passed, read as `current + previous × (the part of the previous
 * window still inside the sliding one)`, like fail2ban's estimate. At most `max` keys in both
 * generations together; past it the oldest key of `previous`, then of `current`, is forgotten
 * (counted in `evicted`): a flood of new addresses can reset counts that have not yet banned
 * anyone, never lift a ban.
 */
export class StrikeTable {
  private current = new Map<string, number>();
  private previous = new Map<string, number>();
  private rotatedAt: number;
  evicted = 0;

  constructor(
    private readonly windowMs: number,
    private readonly max: number,
    now: number,
  ) {
    this.rotatedAt = now;
  }

  get size(): number {
    return this.current.size + this.previous.size;
  }

  private rotate(now: number): void {
    const elapsed = now - this.rotatedAt;
    if (elapsed < this.windowMs) return;
    if (elapsed >= 2 * this.windowMs) {
      this.previous = new Map();
      this.current = new Map();
    } else {
      this.previous = this.current;
      this.current = new Map();
    }
    this.rotatedAt = elapsed >= 2 * this.windowMs ? now : this.rotatedAt + this.windowMs;
  }

  /** Adds `weight` strikes to `key` and returns its count over the sliding window. */
  add(key: string, weight: number, now: number): number {
    this.rotate(now);
    const had = this.current.get(key);
    if (had === undefined) {
      while (this.current.size + this.previous.size >= this.max) this.evictOne();
    }
    const count = (had ?? 0) + weight;
    this.current.set(key, count);
    const before = this.previous.get(key);
    if (before === undefined) return count;
    const left = 1 - (now - this.rotatedAt) / this.windowMs;
    return count + Math.floor(before * Math.max(0, left));
  }

  private evictOne(): void {
    const from = this.previous.size > 0 ? this.previous : this.current;
    const oldest = from.keys().next();
    if (oldest.done === true) return;
    from.delete(oldest.value);
    this.evicted++;
  }

  /** Forgets `key` (it was banned, or unbanned by hand). */
  delete(key: string): void {
    this.current.delete(key);
    this.previous.delete(key);
  }
}

/** One ban in the table. */
export interface BanEntry {
  until: number;
  origin: 'strikes' | 'store' | 'manual';
  /** Report mode: counted, never enforced. */
  enforced: boolean;
}

/**
 * Bans, oldest first. A lookup is one `Map.get`; an expired entry found by a lookup is removed
 * then. Each insertion first removes up to two expired entries from the front (nginx's
 * limit_req does the same), and past `max` evicts the oldest ban (counted in `evicted`). Bans of
 * one duration expire in insertion order; with escalation, the front holds the oldest bans, so
 * eviction removes the ban set longest ago.
 */
export class BanTable {
  readonly map = new Map<string, BanEntry>();
  evicted = 0;
  expired = 0;

  constructor(private readonly max: number) {}

  get size(): number {
    return this.map.size;
  }

  /** The ban on `key` that has not ended at `now`, or undefined. */
  get(key: string, now: number): BanEntry | undefined {
    const entry = this.map.get(key);
    if (entry === undefined) return undefined;
    if (entry.until > now) return entry;
    this.map.delete(key);
    this.expired++;
    return undefined;
  }

  /** Adds or replaces the ban on `key`; returns the keys evicted to make room. */
  set(key: string, entry: BanEntry, now: number): void {
    this.sweep(now, 2);
    this.map.delete(key);
    this.map.set(key, entry);
    while (this.map.size > this.max) {
      const oldest = this.map.keys().next();
      if (oldest.done === true) break;
      this.map.delete(oldest.value);
      this.evicted++;
    }
  }

  delete(key: string): boolean {
    return this.map.delete(key);
  }

  /** Removes up to `limit` expired bans from the front; returns the keys removed. */
  sweep(now: number, limit: number): string[] {
    const removed: string[] = [];
    for (const [key, entry] of this.map) {
      if (removed.length >= limit || entry.until > now) break;
      this.map.delete(key);
      this.expired++;
      removed.push(key);
    }
    return removed;
  }
}

/** How many times each address was banned lately (escalation), bounded like the strike table. */
export class BanHistory {
  private readonly map = new Map<string, { count: number; forgetAt: number }>();

  constructor(private readonly max: number) {}

  /** Records one more ban of `key` and returns its number (1 for the first, or after it was forgotten). */
  next(key: string, now: number, forgetAt: number): number {
    for (const [oldKey, old] of this.map) {
      if (old.forgetAt > now) break;
      this.map.delete(oldKey);
      break;
    }
    const had = this.map.get(key);
    const count = had !== undefined && had.forgetAt > now ? had.count + 1 : 1;
    this.map.delete(key);
    this.map.set(key, { count, forgetAt });
    while (this.map.size > this.max) {
      const oldest = this.map.keys().next();
      if (oldest.done === true) break;
      this.map.delete(oldest.value);
    }
    return count;
  }

  /** The number of bans of `key` remembered now. */
  count(key: string, now: number): number {
    const had = this.map.get(key);
    return had !== undefined && had.forgetAt > now ? had.count : 0;
  }

  get size(): number {
    return this.map.size;
  }
}
