/**
 * Types of the `ban` option: repeat offenders banned at the connection. See src/bans/bans.ts.
 */

/** A duration: milliseconds, or a string such as `'30s'`, `'10m'`, `'1h'`, `'1d'`. */
export type Duration = number | string;

/** How much each kind of refusal counts toward a ban (0: not at all). */
export interface BanStrikes {
  /** A drop decided by the policy (unknown route, detectors, hosts, rules). Default 1. */
  readonly drop?: number;
  /** The fixed 404 (`notFound` rules, `unknownRoute: 'notFound'`). Default 0: browsers ask for what is missing (a favicon). */
  readonly notFound?: number;
  /** A request Node's parser refused, or that timed out (`parser:*`). Default 1. */
  readonly parser?: number;
  /** A TLS refusal (`tls:*`: no or unknown SNI, a bad ClientHello). Default 1. */
  readonly tls?: number;
  /** A framework error answer turned into a refusal (`framework:*`): a body the app's parsers refused. Default 0. */
  readonly framework?: number;
  /** Weights for exact reasons, over the categories above: `{ 'route:unknown': 2, 'host:unlisted': 0 }`. */
  readonly reasons?: Readonly<Record<string, number>>;
}

/** What happens to a connection from a banned address. */
export type BanAction = 'drop' | 'reset' | { readonly tarpit: TarpitOptions };

/** Holding banned connections open, with zero bytes, for a bounded time. Off unless given. */
export interface TarpitOptions {
  /** How long a connection is held before it is closed. Default `'10s'`, at most `'5m'`. */
  readonly hold?: Duration;
  /** Most connections held at once (per guard); above it a banned connection is dropped at once. Default 512. */
  readonly max?: number;
}

/** Repeat bans grow: `duration × factor^(n-1)` for the n-th ban of an address, at most `max`. */
export interface BanEscalation {
  /** Default 2. */
  readonly factor?: number;
  /** The longest ban. Default `'1d'`. */
  readonly max?: Duration;
  /** How long an address's past bans are remembered after its last one ends. Default `'1d'`. */
  readonly forget?: Duration;
}

/** The `ban` option of `hangup()`. */
export interface BanOptions {
  /** Strikes within `window` that ban an address. Default 10. */
  readonly after?: number;
  /** The window strikes are counted in. Default `'1m'`. */
  readonly window?: Duration;
  /** How long the first ban lasts. Default `'10m'`. */
  readonly duration?: Duration;
  /** Which refusals count, and how much. */
  readonly strikes?: BanStrikes;
  /** Longer bans for repeat offenders (default `{ factor: 2, max: '1d' }`); `false` keeps every ban at `duration`. */
  readonly escalate?: BanEscalation | false;
  /** Addresses and CIDR ranges never banned (`'10.0.0.0/8'`, `'2001:db8::/32'`). */
  readonly allow?: readonly string[];
  /** IPv6 peers are keyed by this prefix (a /64 is one subscriber). Default 64; 128 keys each address. */
  readonly ipv6Prefix?: number;
  /** `'drop'` (zero bytes, FIN; the default), `'reset'` (RST), or `{ tarpit: { hold, max } }`. */
  readonly action?: BanAction;
  /** Most bans kept; past it the oldest is evicted (counted). Default 100,000 (about 10 MB). */
  readonly maxBans?: number;
  /** Most addresses whose strikes are counted; past it the oldest counts are forgotten. Default 100,000. */
  readonly maxTracked?: number;
  /** Where strikes and bans are shared: `memoryStore()` (default), `clusterStore()`, `redisStore({...})`. */
  readonly store?: BanStore;
  /** `'report'`: count and report what would be banned, ban nothing. Default: the guard's `mode`. */
  readonly mode?: 'enforce' | 'report';
  /** Called for every ban and unban, synchronously; whatever it throws is caught. */
  readonly onBan?: (event: BanEvent) => void;
}

/** A ban as stores exchange it. `until` is in milliseconds since the epoch. */
export interface BanRecord {
  /** The address key: an IPv4 address, or an IPv6 prefix such as `2001:db8:1:2::/64`. */
  readonly key: string;
  readonly until: number;
}

/** The parameters a store needs to count strikes and make bans the way the guard does. */
export interface BanPolicy {
  readonly after: number;
  readonly windowMs: number;
  readonly durationMs: number;
  /** 1 when escalation is off. */
  readonly factor: number;
  readonly maxMs: number;
  readonly forgetMs: number;
}

/** What a store pushes to the guards that share it. */
export type StoreEvent =
  | { readonly type: 'ban'; readonly bans: readonly BanRecord[] }
  | { readonly type: 'unban'; readonly keys: readonly string[] };

/**
 * Where bans are shared. Every method runs in the background, never on a connection or request:
 * the guard decides from its own memory and calls the store from a timer, with a time limit.
 */
export interface BanStore {
  /** True when other processes see what this store records. */
  readonly shared: boolean;
  /** A name for logs and stats. */
  readonly name: string;
  /** Active bans, read at start and after the store was unreachable. */
  load(): Promise<readonly BanRecord[]>;
  /** Adds a batch of strike counts (key → strikes); resolves with the bans this batch made. */
  report(strikes: ReadonlyMap<string, number>, policy: BanPolicy): Promise<readonly BanRecord[]>;
  /** Records and propagates bans made by a guard (its own count, or by hand). */
  ban(bans: readonly BanRecord[]): Promise<void>;
  /** Lifts and propagates unbans. */
  unban(keys: readonly string[]): Promise<void>;
  /** Delivers bans and unbans made elsewhere; returns a function that stops. */
  watch?(listener: (event: StoreEvent) => void): () => void;
  /** Stops what the store started (subscriptions, listeners). */
  close?(): Promise<void>;
}

/** A ban or an unban, as `onBan` receives it and `hangup:ban` logs it. */
export interface BanEvent {
  readonly type: 'ban' | 'unban';
  /** The address key banned or lifted. */
  readonly key: string;
  /** When the ban ends (ms since the epoch); 0 for an unban. */
  readonly until: number;
  /** `strikes` (this process counted them), `store` (another process, through the store), `manual` (`guard.bans`), `expired` (unban only). */
  readonly origin: 'strikes' | 'store' | 'manual' | 'expired';
  /** False in report mode: nothing is refused. */
  readonly enforced: boolean;
  /** The how-manieth ban of this address (escalation), 1 for the first. */
  readonly count: number;
}

/** One active ban, as `guard.bans.list()` and `check()` return it. */
export interface BanInfo {
  readonly key: string;
  readonly until: number;
  readonly origin: 'strikes' | 'store' | 'manual';
  /** False when the ban is only reported (report mode). */
  readonly enforced: boolean;
}

/** Counts of the ban machinery, in `guard.stats().bans`. */
export interface BanStats {
  /** Bans in the table now (expired ones not yet swept included until read). */
  readonly active: number;
  /** Bans made from this process's strikes, by hand, and received from the store. */
  readonly banned: number;
  readonly received: number;
  readonly unbanned: number;
  /** Bans pushed out by `maxBans` before they ended. */
  readonly evicted: number;
  /** Connections refused at accept time, and requests refused because of a ban (behind a proxy, or on a kept-alive connection). */
  readonly connectionsRefused: number;
  readonly requestsRefused: number;
  /** Report mode: connections and requests that a ban would have refused. */
  readonly wouldRefuse: number;
  /** Addresses whose strikes are counted now, strikes counted, counts forgotten by `maxTracked`. */
  readonly tracked: number;
  readonly strikes: number;
  readonly trackedEvicted: number;
  /** Tarpit: connections held now, held in all, dropped at once because the tarpit was full. */
  readonly tarpitHeld: number;
  readonly tarpitTotal: number;
  readonly tarpitShed: number;
  readonly store: {
    readonly name: string;
    readonly shared: boolean;
    /** False since a store call failed, until one succeeds again. */
    readonly up: boolean;
    readonly errors: number;
    readonly timeouts: number;
    /** Strike batches sent (one store call each). */
    readonly batches: number;
    /** Strike counts waiting for the next batch, and those dropped because the queue was full. */
    readonly pending: number;
    readonly droppedStrikes: number;
    /** Milliseconds since the last successful store call (-1: never). */
    readonly lastSyncAgeMs: number;
  };
}

/** `guard.bans`: look at and change the bans of a guard. */
export interface BanControl {
  /** Active bans, oldest first. */
  list(): BanInfo[];
  /** Bans an address (or an IPv6 prefix) for `duration` (default: the option's), here and in the store. False when it may not be banned (allowlisted, a trusted proxy, not an address). */
  ban(address: string, duration?: Duration): boolean;
  /** Lifts a ban here and in the store; true when there was one here. */
  unban(address: string): boolean;
  /** The ban that applies to `address`, or null. */
  check(address: string): BanInfo | null;
  /** The key `address` is counted and banned under (IPv4-mapped as IPv4, IPv6 by prefix), or null when it is not an IP address. */
  key(address: string): string | null;
  /** Stops the background work with the store and the store's subscription (so a process can exit); bans stay enforced locally. */
  close(): Promise<void>;
}
