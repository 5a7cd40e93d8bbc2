/**
 * Configuration errors. Every misuse of the options throws one of these at construction, never per
 * request. `code` is stable so callers and tests can tell errors apart without parsing messages.
 */

/** Stable codes of configuration errors. */
export type HangupErrorCode =
  | 'HANGUP_INVALID_OPTIONS'
  | 'HANGUP_UNKNOWN_OPTION'
  | 'HANGUP_INVALID_ROUTE'
  | 'HANGUP_INVALID_METHOD'
  | 'HANGUP_INVALID_HOST'
  | 'HANGUP_INVALID_ACTION'
  | 'HANGUP_INVALID_RULE'
  | 'HANGUP_INVALID_DETECTOR'
  | 'HANGUP_INVALID_SERVER';

/** Thrown for bad configuration. The message names the option, the bad value and the fix. */
export class HangupConfigError extends Error {
  readonly code: HangupErrorCode;
  /** The option path at fault, e.g. `routes[2]`. */
  readonly option: string;

  constructor(code: HangupErrorCode, option: string, message: string) {
    super(`hangup: ${option}: ${message}`);
    this.name = 'HangupConfigError';
    this.code = code;
    this.option = option;
  }
}

/** Renders a bad value for an error message, short and unambiguous. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
