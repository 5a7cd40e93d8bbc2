/**
 * The two bounded tables behind bans. Neither keeps a timer per entry nor scans itself on the hot
 * path: both are insertion-ordered Maps that drop a few entries from the front when they are
 * touched, and evict the oldest entry when full. Strikes never evict bans: they are separate.
 */

/**
 * Strike counts over an approximate sliding window: two generations (`current`, `previous`),
 * swapped when a window has passed, read as `current + previous × (the part of the previous
 * window still inside the sliding one)`, like fail2ban's estimate. Bounded: when `current` holds
 * half of `max` keys the generations are swapped early, so both together never hold more than
 * `max`; the older generation is then forgotten as a whole (counted in `evicted`). A flood of new
 * addresses can reset counts that have not banned anyone yet, never lift a ban. O(1) per strike.
 */
export class StrikeTable {
  private current = new Map<string, number>();
  private previous = new Map<string, number>();
  private rotatedAt: number;
  private readonly half: number;
  evicted = 0;

  constructor(
    private readonly windowMs: number,
    max: number,
    now: number,
  ) {
    this.rotatedAt = now;
    this.half = Math.max(1, Math.floor(max / 2));
  }

  get size(): number {
    return this.current.size + this.previous.size;
  }

  private rotate(now: number): void {
    const elapsed = now - this.rotatedAt;
    if (elapsed < this.windowMs && this.current.size < this.half) return;
    if (elapsed >= 2 * this.windowMs) {
      this.previous = new Map();
    } else {
      this.evicted += this.previous.size;
      this.previous = this.current;
    }
    this.current = new Map();
    this.rotatedAt = now;
  }

  /** Adds `weight` strikes to `key` and returns its count over the sliding window. */
  add(key: string, weight: number, now: number): number {
    this.rotate(now);
    const count = (this.current.get(key) ?? 0) + weight;
    this.current.set(key, count);
    const before = this.previous.get(key);
    if (before === undefined) return count;
    const left = 1 - (now - this.rotatedAt) / this.windowMs;
    return count + Math.floor(before * Math.max(0, left));
  }

  /** Forgets `key` (it was banned, or unbanned by hand). */
  delete(key: string): void {
    this.current.delete(key);
    this.previous.delete(key);
  }
}

/**
 * The oldest live entry of an insertion-ordered Map, found in O(1) amortised: one iterator is
 * kept across calls (Map iterators survive deletions and see later insertions), so entries
 * deleted at the front are never walked over again, as a fresh `map.keys().next()` would.
 */
class Front<V> {
  private iterator: IterableIterator<[string, V]>;
  private head: [string, V] | undefined;

  constructor(private readonly map: Map<string, V>) {
    this.iterator = map.entries();
  }

  peek(): [string, V] | undefined {
    for (;;) {
      const head = this.head;
      if (head !== undefined && this.map.get(head[0]) === head[1]) return head;
      const next = this.iterator.next();
      if (next.done === true) {
        this.iterator = this.map.entries();
        const first = this.iterator.next();
        this.head = first.done === true ? undefined : first.value;
        return this.head;
      }
      this.head = next.value;
    }
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
  private readonly front = new Front(this.map);
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

  /** The ban on `key` that has not ended now, or undefined; reads the clock only when there is one (the hot path). */
  find(key: string): BanEntry | undefined {
    const entry = this.map.get(key);
    return entry === undefined ? undefined : this.get(key, Date.now());
  }

  /** Adds or replaces the ban on `key`; returns the keys evicted to make room. */
  set(key: string, entry: BanEntry, now: number): void {
    this.sweep(now, 2);
    this.map.delete(key);
    this.map.set(key, entry);
    while (this.map.size > this.max) {
      const oldest = this.front.peek();
      if (oldest === undefined) break;
      this.map.delete(oldest[0]);
      this.evicted++;
    }
  }

  delete(key: string): boolean {
    return this.map.delete(key);
  }

  /** Removes up to `limit` expired bans from the front; returns the keys removed. */
  sweep(now: number, limit: number): string[] {
    const removed: string[] = [];
    while (removed.length < limit) {
      const oldest = this.front.peek();
      if (oldest === undefined || oldest[1].until > now) break;
      this.map.delete(oldest[0]);
      this.expired++;
      removed.push(oldest[0]);
    }
    return removed;
  }
}

/**
 * How many times each address was banned lately (escalation). Bounded like the strike table: two
 * generations of at most `max / 2` keys each; an entry is forgotten after its `forgetAt`, or
 * with its generation when the table is full.
 */
export class BanHistory {
  private current = new Map<string, { count: number; forgetAt: number }>();
  private previous = new Map<string, { count: number; forgetAt: number }>();
  private readonly half: number;

  constructor(max: number) {
    this.half = Math.max(1, Math.floor(max / 2));
  }

  private find(key: string, now: number): { count: number; forgetAt: number } | undefined {
    const had = this.current.get(key) ?? this.previous.get(key);
    return had !== undefined && had.forgetAt > now ? had : undefined;
  }

  /** Records one more ban of `key` and returns its number (1 for the first, or after it was forgotten). */
  next(key: string, now: number, forgetAt: number): number {
    const count = (this.find(key, now)?.count ?? 0) + 1;
    if (!this.current.has(key) && this.current.size >= this.half) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.previous.delete(key);
    this.current.set(key, { count, forgetAt });
    return count;
  }

  /** The number of bans of `key` remembered now. */
  count(key: string, now: number): number {
    return this.find(key, now)?.count ?? 0;
  }

  get size(): number {
    return this.current.size + this.previous.size;
  }
}
