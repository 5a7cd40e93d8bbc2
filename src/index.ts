/**
 * hangup: nginx's `return 444` for Node.js. `hangup(options)` compiles a policy once and returns
 * a guard that allows a request, answers a fixed minimal 404, or drops the connection with zero
 * bytes written.
 */
import { Guard } from './guard.js';
import type { HangupOptions } from './types.js';

/** Validates and compiles `options` once (throwing `HangupConfigError` on mistakes) and returns a guard. */
export function hangup(options?: HangupOptions): Guard {
  return new Guard(options);
}

export { Guard, type AdapterName } from './guard.js';
export { allow, notFound, drop, route, host, all, any, not } from './policy/rules.js';
export { HangupConfigError, type HangupErrorCode } from './errors.js';
export { NOT_FOUND_PATTERN } from './actions.js';
export type * from './types.js';
export default hangup;
export { memoryStore, clusterStore, clusterPrimary, redisStore, type RedisStoreOptions, type ClusterPrimary } from './bans/index.js';
export type * from './bans/types.js';
