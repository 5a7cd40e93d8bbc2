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
  'mode',
  'onDecision',
  'events',
  'hints',
  'behindProxy',
  'trustedProxies',
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

/** The closest known name to a typo, for "did you mean" hints. */
export function closest(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

function rejectUnknownKeys(value: object, known: Iterable<string>, prefix: string): void {
  const knownSet = new Set(known);
  for (const key of Object.keys(value)) {
    if (knownSet.has(key)) continue;
    const hint = closest(key, knownSet);
    throw new HangupConfigError(
      'HANGUP_UNKNOWN_OPTION',
      `${prefix}${key}`,
      `unknown option${hint === undefined ? '' : `; did you mean '${hint}'?`} Known options: ${[...knownSet].join(', ')}.`,
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
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new HangupConfigError(
      'HANGUP_INVALID_OPTIONS',
      'options',
      `expected an object such as { routes: ['GET /'], hosts: ['example.com'] }, got ${show(options)}.`,
    );
  }
  rejectUnknownKeys(options, optionNames, '');
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
      `expected one of 'drop', 'notFound' or 'allow', got ${show(o.unknownRoute)}.`,
    );
  }
  if (o.close !== undefined && !closeModes.includes(o.close as CloseMode)) {
    throw new HangupConfigError('HANGUP_INVALID_OPTIONS', 'close', `expected 'fin' or 'reset', got ${show(o.close)}.`);
  }
  expectBoolean(o.caseSensitive, 'caseSensitive');
  expectBoolean(o.strictTrailingSlash, 'strictTrailingSlash');
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
