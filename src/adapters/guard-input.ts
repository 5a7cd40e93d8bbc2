import { Guard } from '../guard.js';
import type { HangupOptions } from '../types.js';
import { HangupConfigError, show } from '../errors.js';

/** What an adapter accepts: a guard built with `hangup()`, or the options to build one. */
export type GuardOrOptions = Guard | HangupOptions;

/**
 * The guard an adapter applies: `input` itself when it is a guard, else `hangup(input)`, so the
 * options are validated once, at construction. `option` names the call in error messages.
 */
export function toGuard(input: GuardOrOptions | undefined, option: string): Guard {
  if (input instanceof Guard) return input;
  if (input === undefined || (typeof input === 'object' && input !== null && !Array.isArray(input))) {
    return new Guard(input);
  }
  throw new HangupConfigError(
    'HANGUP_INVALID_OPTIONS',
    option,
    `expected a guard from hangup() or hangup's options object, got ${show(input)}. ` +
      `Write ${option.replace(/\(.*$/, '')}(hangup({ routes: [...] })) or pass the options directly.`,
  );
}
