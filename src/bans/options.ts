import { HangupConfigError, show } from '../errors.js';
import { isAddressOrRange } from './address.js';
import { memoryStore } from './stores/memory.js';
import type { BanEvent, BanPolicy, BanStore, Duration } from './types.js';

/** The `ban` option, checked and with every default filled in. */
export interface BanConfig extends BanPolicy {
  readonly weights: { drop: number; notFound: number; parser: number; tls: number; framework: number };
  readonly reasonWeights: ReadonlyMap<string, number>;
  readonly allow: readonly string[];
  readonly ipv6Prefix: number;
  readonly action: 'drop' | 'reset' | 'tarpit';
  readonly holdMs: number;
  readonly tarpitMax: number;
  readonly maxBans: number;
  readonly maxTracked: number;
  readonly store: BanStore;
  readonly enforce: boolean;
  readonly onBan: ((event: BanEvent) => void) | null;
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const MAX_DURATION_MS = 365 * 86_400_000;

const banOptionNames = ['after', 'window', 'duration', 'strikes', 'escalate', 'allow', 'ipv6Prefix', 'action', 'maxBans', 'maxTracked', 'store', 'mode', 'onBan'];

function fail(option: string, message: string): never {
  throw new HangupConfigError('HANGUP_INVALID_OPTIONS', option, message);
}

/** Milliseconds from a duration option (`30_000`, `'30s'`, `'10m'`, `'1h'`, `'1d'`). */
export function parseDuration(value: unknown, option: string): number {
  let ms = NaN;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(value);
    if (match !== null) ms = Number(match[1]) * (UNITS[match[2] as string] as number);
  }
  if (!Number.isFinite(ms) || ms < 1 || ms > MAX_DURATION_MS) {
    fail(option, `expected a duration such as 30000 (milliseconds), '30s', '10m', '1h' or '1d', up to a year, got ${show(value)}.`);
  }
  return Math.round(ms);
}

function wholeNumber(value: unknown, option: string, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    fail(option, `expected a whole number from ${min} to ${max}, got ${show(value)}.`);
  }
  return value;
}

function weight(value: unknown, option: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1_000_000) {
    fail(option, `expected how many strikes this refusal counts for, a number from 0 (does not count) up, got ${show(value)}.`);
  }
  return value;
}

function plainObject(value: unknown, option: string, example: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(option, `expected an object such as ${example}, got ${show(value)}.`);
  return value as Record<string, unknown>;
}

function unknownKeys(value: Record<string, unknown>, known: readonly string[], prefix: string): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) fail(`${prefix}${key}`, `unknown option. Known options: ${known.join(', ')}.`);
  }
}

function isStore(value: unknown): value is BanStore {
  const s = value as Partial<BanStore> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.load === 'function' &&
    typeof s.report === 'function' &&
    typeof s.ban === 'function' &&
    typeof s.unban === 'function' &&
    typeof s.shared === 'boolean'
  );
}

/** Checks and completes the `ban` option (throwing `HangupConfigError`), or null when it is off. */
export function compileBanOptions(value: unknown, guardMode: 'enforce' | 'report'): BanConfig | null {
  if (value === undefined || value === false) return null;
  const o = value === true ? {} : plainObject(value, 'ban', `{ after: 10, window: '1m', duration: '10m' }`);
  unknownKeys(o, banOptionNames, 'ban.');
  const after = wholeNumber(o.after, 'ban.after', 1, 1_000_000, 10);
  const windowMs = o.window === undefined ? 60_000 : parseDuration(o.window, 'ban.window');
  const durationMs = o.duration === undefined ? 600_000 : parseDuration(o.duration, 'ban.duration');

  let factor = 2;
  let maxMs = 86_400_000;
  let forgetMs = 86_400_000;
  if (o.escalate === false) {
    factor = 1;
    maxMs = durationMs;
  } else if (o.escalate !== undefined) {
    const e = plainObject(o.escalate, 'ban.escalate', `{ factor: 2, max: '1d' } (or false)`);
    unknownKeys(e, ['factor', 'max', 'forget'], 'ban.escalate.');
    if (e.factor !== undefined && (typeof e.factor !== 'number' || !Number.isFinite(e.factor) || e.factor < 1 || e.factor > 100)) {
      fail('ban.escalate.factor', `expected a number from 1 (no growth) to 100, got ${show(e.factor)}.`);
    }
    factor = (e.factor as number | undefined) ?? 2;
    if (e.max !== undefined) maxMs = parseDuration(e.max, 'ban.escalate.max');
    if (e.forget !== undefined) forgetMs = parseDuration(e.forget, 'ban.escalate.forget');
  }
  if (maxMs < durationMs) maxMs = durationMs;

  const weights = { drop: 1, notFound: 0, parser: 1, tls: 1, framework: 0 };
  const reasonWeights = new Map<string, number>();
  if (o.strikes !== undefined) {
    const s = plainObject(o.strikes, 'ban.strikes', `{ drop: 1, notFound: 1, parser: 1 }`);
    unknownKeys(s, ['drop', 'notFound', 'parser', 'tls', 'framework', 'reasons'], 'ban.strikes.');
    for (const name of ['drop', 'notFound', 'parser', 'tls', 'framework'] as const) weights[name] = weight(s[name], `ban.strikes.${name}`, weights[name]);
    if (s.reasons !== undefined) {
      const r = plainObject(s.reasons, 'ban.strikes.reasons', `{ 'route:unknown': 2 }`);
      for (const [reason, w] of Object.entries(r)) reasonWeights.set(reason, weight(w, `ban.strikes.reasons['${reason}']`, 0));
    }
  }

  const allow = o.allow ?? [];
  if (!Array.isArray(allow)) fail('ban.allow', `expected an array of addresses or CIDR ranges such as ['10.0.0.0/8', '2001:db8::/32'], got ${show(allow)}.`);
  allow.forEach((entry: unknown, i) => {
    if (!isAddressOrRange(entry)) fail(`ban.allow[${i}]`, `expected an IP address or a CIDR range such as '10.0.0.0/8' or '2001:db8::/32', got ${show(entry)}.`);
  });

  let action: BanConfig['action'] = 'drop';
  let holdMs = 10_000;
  let tarpitMax = 512;
  if (o.action === 'drop' || o.action === 'reset' || o.action === undefined) action = (o.action as 'drop' | 'reset' | undefined) ?? 'drop';
  else {
    const a = plainObject(o.action, 'ban.action', `'drop', 'reset' or { tarpit: { hold: '10s', max: 512 } }`);
    unknownKeys(a, ['tarpit'], 'ban.action.');
    const t = plainObject(a.tarpit ?? {}, 'ban.action.tarpit', `{ hold: '10s', max: 512 }`);
    unknownKeys(t, ['hold', 'max'], 'ban.action.tarpit.');
    action = 'tarpit';
    if (t.hold !== undefined) holdMs = parseDuration(t.hold, 'ban.action.tarpit.hold');
    if (holdMs > 300_000) fail('ban.action.tarpit.hold', `at most '5m': every held connection keeps a file descriptor and memory, got ${show(t.hold)}.`);
    tarpitMax = wholeNumber(t.max, 'ban.action.tarpit.max', 1, 100_000, 512);
  }

  if (o.store !== undefined && !isStore(o.store)) {
    fail('ban.store', `expected a store such as memoryStore(), clusterStore() or redisStore({ client }), got ${show(o.store)}.`);
  }
  if (o.mode !== undefined && o.mode !== 'enforce' && o.mode !== 'report') {
    fail('ban.mode', `expected 'enforce' or 'report', got ${show(o.mode)}. 'report' counts what would be banned and bans nothing.`);
  }
  if (o.onBan !== undefined && typeof o.onBan !== 'function') fail('ban.onBan', `expected a function (event) => void, got ${show(o.onBan)}.`);

  return {
    after,
    windowMs,
    durationMs,
    factor,
    maxMs,
    forgetMs,
    weights,
    reasonWeights,
    allow: allow as string[],
    ipv6Prefix: wholeNumber(o.ipv6Prefix, 'ban.ipv6Prefix', 16, 128, 64),
    action,
    holdMs,
    tarpitMax,
    maxBans: wholeNumber(o.maxBans, 'ban.maxBans', 1, 10_000_000, 100_000),
    maxTracked: wholeNumber(o.maxTracked, 'ban.maxTracked', 1, 10_000_000, 100_000),
    store: (o.store as BanStore | undefined) ?? memoryStore(),
    enforce: ((o.mode as string | undefined) ?? guardMode) === 'enforce',
    onBan: (o.onBan as ((event: BanEvent) => void) | undefined) ?? null,
  };
}

/** The duration of the n-th ban of an address. */
export function banDuration(config: Pick<BanConfig, 'durationMs' | 'factor' | 'maxMs'>, count: number): number {
  return Math.min(config.maxMs, Math.round(config.durationMs * config.factor ** Math.max(0, Math.min(count - 1, 64))));
}

export type { Duration };
