import { IncomingMessage } from 'node:http';
import type { Action, CloseMode, HangupOptions } from '../types.js';
import { HangupConfigError, show } from '../errors.js';
import { detectorOptionNames, limitNames, presets } from '../detectors/settings.js';

/** Every option `hangup()` accepts; anything else is a typo and throws. */
export const optionNames = [
  'routes',
  'hosts',
  'unknownRoute',
  'rules',
  'detectors',
  'close',
  'caseSensitive',
  'strictTrailingSlash',
  'hostMustMatchServerName',
  'mode',
  'onDecision',
  'events',
  'hints',
  'behindProxy',
  'trustedProxies',
  'preflight',
  'ban',
  'maxRefusedStreams',
] as const satisfies readonly (keyof HangupOptions)[];

const actions: readonly Action[] = ['allow', 'notFound', 'drop'];
const closeModes: readonly CloseMode[] = ['fin', 'reset'];

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number;
      row[j] = Math.min(current + 1, (row[j - 1] as number) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] as number;
}

/**
 * Words people write for a known name that no edit distance finds: `{ deny: '/x' }` for `drop`,
 * `unknownRoute: '404'` for `notFound`, `domains` for `hosts`. Keys are lower-case; a synonym is
 * only suggested where its name is one of the names known in that place.
 */
const SYNONYMS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries({
    drop: ['deny', 'block', 'reject', 'refuse', 'forbid', 'forbidden', 'kill', 'close', 'hangup', 'disconnect', 'discard', 'ignore', 'silent', '444', 'blocklist', 'denylist', 'blacklist'],
    allow: ['permit', 'accept', 'pass', 'ok', 'allowed', 'allowlist', 'whitelist'],
    notFound: ['404', 'not_found', 'not-found', 'not found', 'missing', 'notfound404'],
    routes: ['paths', 'path', 'urls', 'endpoints', 'allowedroutes', 'allowedpaths'],
    hosts: ['hostnames', 'hostname', 'domains', 'domain', 'allowedhosts', 'servername', 'servernames', 'vhosts'],
    unknownRoute: ['fallback', 'default', 'defaultaction', 'otherwise', 'unmatched', 'onunknown', 'unknown'],
    mode: ['reportonly', 'dryrun', 'report', 'enforce'],
    guard: ['hangup'],
  }).flatMap(([name, words]) => words.map((word) => [word, name])),
);

/** The closest known name to a typo or a synonym, for "did you mean" hints. */
export function closest(name: string, known: Iterable<string>): string | undefined {
  const names = [...known];
  const synonym = SYNONYMS[name.toLowerCase()];
  if (synonym !== undefined && names.includes(synonym)) return synonym;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of names) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** The ` Did you mean 'x'?` of a message, or nothing. */
function didYouMean(value: unknown, known: readonly string[]): string {
  const hint = typeof value === 'string' ? closest(value, known) : undefined;
  return hint === undefined ? '' : ` Did you mean '${hint}'?`;
}

/** Factories already reported as mounted without being called (one warning each per process). */
const warnedFactories = new Set<string>();

/**
 * `app.use(hangupExpress)` or `app.use(hangup)`: the factory is mounted as a middleware instead of
 * what it returns, so the framework calls it with a request. Nothing is protected then, and the
 * framework would answer the error with its own error page. The request is dropped (zero bytes),
 * a one-time process warning `HANGUP_FACTORY_NOT_CALLED` says what to write, and the error is
 * thrown for the framework to log. `factory` is the function called (`hangupExpress`), `option`
 * the mistake as written (`app.use(hangupExpress)`), `fix` what to write instead.
 */
export function refuseMountedFactory(req: IncomingMessage, factory: string, option: string, fix: string): never {
  req.socket?.destroy();
  const message =
    `${factory} was called with a request: it was mounted as a middleware without being called, so nothing is protected. ` +
    `Call it: ${fix}. Until then every request is dropped.`;
  if (!warnedFactories.has(factory)) {
    warnedFactories.add(factory);
    process.emitWarning(`hangup: ${message}`, { code: 'HANGUP_FACTORY_NOT_CALLED' });
  }
  throw new HangupConfigError('HANGUP_INVALID_OPTIONS', option, message);
}

/** Whether `value` is a request (`IncomingMessage`, or a framework's request built on it). */
export function isRequest(value: unknown): value is IncomingMessage {
  return value instanceof IncomingMessage;
}

/** `guard` is no option of hangup(): where it would go instead. */
function guardHint(hint: string | undefined): string {
  return hint === 'guard' ? ' A guard goes to an adapter (hangupExpress(guard), or register(hangupFastify, { guard })), not to hangup().' : '';
}

/**
 * Throws for the first key of `value` that is not `known`, suggesting the closest known name, or
 * one of `alsoSuggest` (names people put here that belong elsewhere, such as `guard`).
 */
function rejectUnknownKeys(value: object, known: Iterable<string>, prefix: string, alsoSuggest: readonly string[] = []): void {
  const knownSet = new Set(known);
  for (const key of Object.keys(value)) {
    if (knownSet.has(key)) continue;
    const hint = closest(key, [...knownSet, ...alsoSuggest]);
    throw new HangupConfigError(
      'HANGUP_UNKNOWN_OPTION',
      `${prefix}${key}`,
      `unknown option${hint === undefined ? '' : `; did you mean '${hint}'?`}${guardHint(hint)} Known options: ${[...knownSet].join(', ')}.`,
    );
  }
}

function expectStringArray(value: unknown, option: string, code: 'HANGUP_INVALID_ROUTE' | 'HANGUP_INVALID_HOST', example: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    throw new HangupConfigError(code, option, `expected an array of strings such as [${example}], got ${show(value)}.`);
  }
}

function expectBoolean(value: unknown, option: string): void {
  if (value !== undefined && typeof value !== 'boolean') {
    throw new HangupConfigError('HANGUP_INVALID_OPTIONS', option, `expected true or false, got ${show(value)}.`);
  }
}

/** `mode`, `onDecision` and `events`; `behindProxy` and `trustedProxies` are checked where they compile (proxy.ts). */
function validateRolloutOptions(o: Record<string, unknown>): void {
  if (o.mode !== undefined && o.mode !== 'enforce' && o.mode !== 'report') {
    throw new HangupConfigError(
      'HANGUP_INVALID_OPTIONS',
      'mode',
      `expected 'enforce' or 'report', got ${show(o.mode)}. Use 'report' to see what would be refused without refusing it.`,
    );
  }
  if (o.onDecision !== undefined && typeof o.onDecision !== 'function') {
    throw new HangupConfigError('HANGUP_INVALID_OPTIONS', 'onDecision', `expected a function (event) => void, got ${show(o.onDecision)}.`);
  }
  if (o.events !== undefined && o.events !== 'all' && o.events !== 'refusals') {
    throw new HangupConfigError(
      'HANGUP_INVALID_OPTIONS',
      'events',
      `expected 'all' or 'refusals', got ${show(o.events)}. It chooses which decisions reach onDecision.`,
    );
  }
  if (o.hints !== undefined && typeof o.hints !== 'boolean') {
    throw new HangupConfigError('HANGUP_INVALID_OPTIONS', 'hints', `expected true or false, got ${show(o.hints)}.`);
  }
  if (o.events !== undefined && o.onDecision === undefined) {
    throw new HangupConfigError('HANGUP_INVALID_OPTIONS', 'events', `has no effect without onDecision. Give onDecision, or remove events.`);
  }
}

/**
 * Checks the shape of the options. Routes, hosts and rules are validated in depth where they are
 * compiled; this catches typos and wrong types first, with the option named in the error.
 */
export function validateOptions(options: unknown): asserts options is HangupOptions {
  if (options === undefined) return;
  if (isRequest(options)) refuseMountedFactory(options, 'hangup()', 'app.use(hangup)', 'mount an adapter, app.use(hangupExpress(hangup(options))), or protect the server with guard.protect(server)');
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new HangupConfigError(
      'HANGUP_INVALID_OPTIONS',
      'options',
      `expected an object such as { routes: ['GET /'], hosts: ['example.com'] }, got ${show(options)}.`,
    );
  }
  rejectUnknownKeys(options, optionNames, '', ['guard']);
  const o = options as Record<string, unknown>;
  expectStringArray(o.routes, 'routes', 'HANGUP_INVALID_ROUTE', `'GET /', 'GET /users/:id'`);
  expectStringArray(o.hosts, 'hosts', 'HANGUP_INVALID_HOST', `'example.com', '*.example.com'`);
  if (Array.isArray(o.hosts) && o.hosts.length === 0) {
    throw new HangupConfigError(
      'HANGUP_INVALID_HOST',
      'hosts',
      `an empty list would drop every request. List at least one host, or omit 'hosts' to allow any host.`,
    );
  }
  if (o.unknownRoute !== undefined && !actions.includes(o.unknownRoute as Action)) {
    throw new HangupConfigError(
      'HANGUP_INVALID_ACTION',
      'unknownRoute',
      `expected one of 'drop', 'notFound' or 'allow', got ${show(o.unknownRoute)}.${didYouMean(o.unknownRoute, actions)}`,
    );
  }
  if (o.maxRefusedStreams !== undefined && !(Number.isSafeInteger(o.maxRefusedStreams) && (o.maxRefusedStreams as number) >= 0)) {
    throw new HangupConfigError(
      'HANGUP_INVALID_OPTIONS',
      'maxRefusedStreams',
      `expected a whole number of refused streams an HTTP/2 connection may send before it is closed (default 100), got ${show(o.maxRefusedStreams)}.`,
    );
  }
  if (o.close !== undefined && !closeModes.includes(o.close as CloseMode)) {
    throw new HangupConfigError('HANGUP_INVALID_OPTIONS', 'close', `expected 'fin' or 'reset', got ${show(o.close)}.${didYouMean(o.close, closeModes)}`);
  }
  expectBoolean(o.caseSensitive, 'caseSensitive');
  expectBoolean(o.strictTrailingSlash, 'strictTrailingSlash');
  expectBoolean(o.hostMustMatchServerName, 'hostMustMatchServerName');
  validateRolloutOptions(o);
  validateDetectors(o.detectors);
}

/** `detectors`: a preset name, or an object of a preset, switches (booleans) and limits (positive integers). */
function validateDetectors(value: unknown): void {
  if (value === undefined || (typeof value === 'string' && Object.hasOwn(presets, value))) return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HangupConfigError(
      'HANGUP_INVALID_DETECTOR',
      'detectors',
      `expected 'default', 'strict' or an object of switches such as { dotSegments: false }, got ${show(value)}.`,
    );
  }
  rejectUnknownKeys(value, detectorOptionNames, 'detectors.');
  for (const [name, setting] of Object.entries(value)) {
    if (setting === undefined) continue;
    if (name === 'preset') {
      if (!Object.hasOwn(presets, setting as string)) {
        throw new HangupConfigError('HANGUP_INVALID_DETECTOR', 'detectors.preset', `expected 'default' or 'strict', got ${show(setting)}.`);
      }
    } else if (limitNames.has(name as never)) {
      if (typeof setting !== 'number' || !(Number.isSafeInteger(setting) || setting === Infinity) || setting < 1) {
        throw new HangupConfigError(
          'HANGUP_INVALID_DETECTOR',
          `detectors.${name}`,
          `expected a positive whole number (Infinity for no limit), got ${show(setting)}.`,
        );
      }
    } else {
      expectBoolean(setting, `detectors.${name}`);
    }
  }
}
