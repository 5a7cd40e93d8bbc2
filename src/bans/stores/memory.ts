import type { BanStore } from '../types.js';

/**
 * The default store: this process only. The guard's own tables already count and ban, so the
 * memory store has nothing to add: it shares nothing and never fails.
 */
export function memoryStore(): BanStore {
  return {
    shared: false,
    name: 'memory',
    load: () => Promise.resolve([]),
    report: () => Promise.resolve([]),
    ban: () => Promise.resolve(),
    unban: () => Promise.resolve(),
  };
}
