/**
 * Framework error answers turned into the policy's refusal: the page Express's finalhandler or
 * Fastify's default error handler would write for an error no handler of the app answered (a body
 * the parser refused, a charset or Content-Encoding it does not know, a body over the limit...).
 * Shared by both adapters, so the option, the reasons and the bytes are the same on each.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdapterName, Guard } from '../guard.js';
import type { Decision } from '../types.js';
import { HangupConfigError, show } from '../errors.js';
import { responseStarted } from '../actions.js';
import { decision } from '../policy/decisions.js';

/**
 * What hangup does with an error the framework would answer with its own page:
 * - `action`: `'drop'` (default): zero bytes and a close, as for a malformed request; `'notFound'`:
 *   the fixed 404. Behind a proxy (`behindProxy`, `trustedProxies`) a drop is the 404 with
 *   `Connection: close`, as every drop is.
 * - `statuses`: `'4xx'` (default): client errors only, what the framework says about the request
 *   (415, 413, 400...). Errors with a 5xx status or none (the app's own bugs) keep the framework's
 *   answer. `'all'`: every error, so no stack trace or error page can ever reach a client; log the
 *   error yourself first, hangup only reports its reason.
 */
export interface FrameworkErrorOptions {
  readonly action?: 'drop' | 'notFound';
  readonly statuses?: '4xx' | 'all';
}

/** `'refuse'` (the defaults above), `'framework'` (the framework answers, as without hangup), or the options. */
export type FrameworkErrorsOption = 'refuse' | 'framework' | FrameworkErrorOptions;

/** The compiled option: null when the framework keeps its own answers. */
export interface FrameworkErrorSettings {
  readonly action: 'drop' | 'notFound';
  readonly all: boolean;
}

const DEFAULTS: FrameworkErrorSettings = Object.freeze({ action: 'drop', all: false });

/** Validates the option once, at construction; `where` names the call in error messages. */
export function compileFrameworkErrors(value: unknown, where: string): FrameworkErrorSettings | null {
  if (value === undefined || value === 'refuse') return DEFAULTS;
  if (value === 'framework') return null;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new HangupConfigError(
      'HANGUP_INVALID_OPTIONS',
      where,
      `expected 'refuse', 'framework' or { action, statuses }, got ${show(value)}.`,
    );
  }
  const { action = 'drop', statuses = '4xx', ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) {
    throw new HangupConfigError('HANGUP_UNKNOWN_OPTION', where, `unknown option ${show(unknown[0])}; known: action, statuses.`);
  }
  if (action !== 'drop' && action !== 'notFound') {
    throw new HangupConfigError('HANGUP_INVALID_ACTION', `${where}.action`, `expected 'drop' or 'notFound', got ${show(action)}.`);
  }
  if (statuses !== '4xx' && statuses !== 'all') {
    throw new HangupConfigError('HANGUP_INVALID_OPTIONS', `${where}.statuses`, `expected '4xx' or 'all', got ${show(statuses)}.`);
  }
  return Object.freeze({ action, all: statuses === 'all' });
}

/** The HTTP status an error carries (`status` or `statusCode`, 400-599), as finalhandler and Fastify read it. */
export function errorStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  for (const value of [status, statusCode]) {
    if (typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 599) return value;
  }
  return undefined;
}

/** A short, stable name for the error: body-parser's `type`, else its `code`, else the status. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
function errorName(error: unknown, status: number | undefined): string {
  if (typeof error === 'object' && error !== null) {
    const { type, code } = error as { type?: unknown; code?: unknown };
    if (typeof type === 'string' && NAME.test(type)) return type;
    if (typeof code === 'string' && NAME.test(code)) return code;
  }
  return status === undefined ? 'error' : String(status);
}

/**
 * The refusal for an error the framework would answer, or null when the framework keeps it (a 5xx
 * or status-less error under `statuses: '4xx'`). Reason `framework:<name>`, e.g.
 * `framework:entity.too.large`, `framework:FST_ERR_CTP_INVALID_MEDIA_TYPE`, `framework:400`.
 */
export function frameworkErrorDecision(error: unknown, settings: FrameworkErrorSettings): Decision | null {
  const status = errorStatus(error);
  const client = status !== undefined && status < 500;
  if (!client && !settings.all) return null;
  return decision(settings.action, `framework:${errorName(error, status)}`);
}

/**
 * Applies the refusal for `error` through the guard (counted, logged and reported like every
 * decision). Returns true when hangup refused the request; false when the framework should answer
 * as usual: the error is not one to refuse, the response has already started, or report mode.
 */
export function refuseFrameworkError(
  guard: Guard,
  settings: FrameworkErrorSettings,
  error: unknown,
  req: IncomingMessage,
  res: ServerResponse,
  adapter: AdapterName,
): boolean {
  if (responseStarted(res)) return false;
  const decided = frameworkErrorDecision(error, settings);
  if (decided === null) return false;
  return guard.apply(decided, req, res, adapter);
}
