import { Guard } from '../guard.js';
import type { HangupOptions } from '../types.js';
import { HangupConfigError, show } from '../errors.js';
import { closest, optionNames } from '../policy/validate.js';

/** What an adapter accepts: a guard built with `hangup()`, or the options to build one. */
export type GuardOrOptions = Guard | HangupOptions;

/** How the adapter takes a guard, for the messages. */
export interface GuardInputForm {
  /**
   * `true` (the Fastify plugin): a guard comes as `{ guard }`; `false` (Express): the guard itself
   * is the argument, so `{ guard }` is a mistake too.
   */
  readonly guardKey?: boolean;
}

/**
 * The guard an adapter applies: `input` itself when it is a guard, else `hangup(input)`, so the
 * options are validated once, at construction. `option` names the call in error messages.
 */
export function toGuard(input: GuardOrOptions | undefined, option: string, form: GuardInputForm = {}): Guard {
  if (input instanceof Guard) return input;
  if (input === undefined || (typeof input === 'object' && input !== null && !Array.isArray(input))) {
    if (input !== undefined) rejectGuardKey(input, option, form.guardKey ?? true);
    return new Guard(input);
  }
  throw new HangupConfigError(
    'HANGUP_INVALID_OPTIONS',
    option,
    `expected a guard from hangup() or hangup's options object, got ${show(input)}. ` +
      `Write ${option.replace(/\(.*$/, '')}(hangup({ routes: [...] })) or pass the options directly.`,
  );
}

/**
 * `{ gaurd: guard }`, `{ hangup: guard }`, or `{ guard }` where the adapter wants the guard itself:
 * a key that is no option of hangup() and means "guard". Said with the adapter's own form.
 */
function rejectGuardKey(input: object, option: string, guardKey: boolean): void {
  const known: readonly string[] = optionNames;
  for (const key of Object.keys(input)) {
    if (known.includes(key) || closest(key, [...known, 'guard']) !== 'guard') continue;
    if (guardKey && key === 'guard') continue;
    const call = option.replace(/\(.*$/, '');
    throw new HangupConfigError(
      'HANGUP_UNKNOWN_OPTION',
      option,
      guardKey
        ? `unknown option ${show(key)}; did you mean 'guard'? Write ${call}(hangupFastify, { guard: hangup(options) }), or pass the policy's options themselves.`
        : `unknown option ${show(key)}: ${call} takes the guard itself, not an object holding it. Write ${call}(guard) or ${call}(hangup(options)), or pass the policy's options themselves.`,
    );
  }
}
