/**
 * The example site with repeat-offender bans. Run: npx tsx examples/bans.ts   (PORT=3000 by default)
 *
 * An address refused 5 times within 60 s is banned for 10 minutes (longer each time it comes
 * back, up to a day): its connections are then closed on accept, before any parsing, with zero
 * bytes. The policy is the other examples' (examples/site-policy.ts).
 *
 *   REDIS_URL=redis://127.0.0.1:6379   share strikes and bans with every process using that Redis (node-redis)
 *   WORKERS=4                          run 4 node:cluster workers that share bans through the primary
 *
 * Prints `listening on http://127.0.0.1:PORT` once every worker listens.
 */
import cluster from 'node:cluster';
import { createClient } from 'redis';
import { hangup, clusterPrimary, clusterStore, redisStore, type BanStore } from 'hangup';
import { sitePolicy, pageFor, port, writePage } from './site-policy.js';

const workers = Math.max(1, Number(process.env.WORKERS ?? 1) || 1);
const redisUrl = process.env.REDIS_URL;

/** Redis when REDIS_URL is set (each worker has its own client), else the cluster primary, else this process. */
async function banStore(): Promise<BanStore | undefined> {
  if (redisUrl !== undefined && redisUrl !== '') {
    // disableOfflineQueue: a command fails at once while Redis is down instead of waiting to be replayed.
    const client = createClient({ url: redisUrl, disableOfflineQueue: true, socket: { reconnectStrategy: () => 500, connectTimeout: 1000 } });
    client.on('error', () => {}); // hangup logs the store going away once (DEBUG=hangup:ban) and keeps enforcing
    client.connect().catch(() => {});
    return redisStore({ client });
  }
  return workers > 1 ? clusterStore() : undefined;
}

if (workers > 1 && cluster.isPrimary) {
  if (redisUrl === undefined || redisUrl === '') clusterPrimary(); // counts strikes for every worker
  let listening = 0;
  cluster.on('listening', () => {
    if (++listening === workers) console.log(`listening on http://127.0.0.1:${port} (${workers} workers)`);
  });
  for (let i = 0; i < workers; i++) cluster.fork();
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
    process.exit(0);
  });
} else {
  const store = await banStore();
  const guard = hangup({
    ...sitePolicy,
    ban: { after: 5, window: '60s', duration: '10m', ...(store === undefined ? {} : { store }) },
  });
  const server = guard.createServer((req, res) => {
    const method = req.method ?? 'GET';
    writePage(res, method, pageFor(method, (req.url ?? '/').split('?')[0] ?? '/'));
  });
  server.listen(port, '127.0.0.1', () => {
    if (workers === 1) console.log(`listening on http://127.0.0.1:${port}`);
  });
  process.on('SIGTERM', () => process.exit(0));
}
