import type { Action, Decision } from '../types.js';

/**
 * Decisions are frozen and shared: the same (action, reason, rule) is always the same object, so
 * `decide()` allocates nothing for them and callers can compare by identity.
 */
const cache = new Map<string, Decision>();

/** The shared decision for this action, reason and rule. */
export function decision(action: Action, reason: string, rule?: string): Decision {
  const key = `${action}\u0000${reason}\u0000${rule ?? ''}`;
  let found = cache.get(key);
  if (found === undefined) {
    found = Object.freeze(rule === undefined ? { action, reason } : { action, reason, rule });
    // Reasons come from a fixed set and rules from the configuration, so the cache stays small;
    // the bound only guards against a caller inventing reasons in a loop.
    if (cache.size < 10_000) cache.set(key, found);
  }
  return found;
}
