/** Ban stores: where guards share strikes and bans (memory, node:cluster, Redis). */
export { memoryStore } from './stores/memory.js';
export { clusterStore, clusterPrimary, type ClusterPrimary } from './stores/cluster.js';
export { redisStore, type RedisStoreOptions } from './stores/redis.js';
