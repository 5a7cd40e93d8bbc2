/**
 * hangup's counters as Prometheus metrics with prom-client. Run: npx tsx examples/prom-client.ts
 * (PORT=3000 for the site, METRICS_PORT=PORT+1 for /metrics, on 127.0.0.1 only).
 *
 * `guard.stats()` is read at scrape time, so the request path only pays for hangup's own integer
 * counters. prom-client is the app's dependency here, never hangup's.
 */
import http from 'node:http';
import { Counter, Registry } from 'prom-client';
import { hangup } from 'hangup';
import { sitePolicy, pageFor, port } from './site-policy.js';

const guard = hangup(sitePolicy);
const registry = new Registry();

new Counter({
  name: 'hangup_decisions_total',
  help: 'Requests decided by hangup, by action, reason and whether the decision was enforced.',
  labelNames: ['action', 'reason', 'enforced'] as const,
  registers: [registry],
  collect() {
    // Counts only grow, so re-stating them from the snapshot at each scrape is exact.
    this.reset();
    for (const row of guard.stats().counts) {
      this.inc({ action: row.action, reason: row.reason, enforced: String(row.enforced) }, row.count);
    }
  },
});

const site = guard.createServer((req, res) => {
  const body = pageFor(req.method ?? 'GET', (req.url ?? '/').split('?')[0] ?? '/');
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
});

// Metrics on their own loopback port: the site's allowlist does not need a /metrics route.
const metricsPort = Number(process.env.METRICS_PORT ?? port + 1);
const metrics = http.createServer(async (req, res) => {
  if (req.url !== '/metrics') {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'Content-Type': registry.contentType });
  res.end(await registry.metrics());
});

metrics.listen(metricsPort, '127.0.0.1', () => {
  site.listen(port, '127.0.0.1', () => {
    console.log(`metrics on http://127.0.0.1:${metricsPort}/metrics`);
    console.log(`listening on http://127.0.0.1:${port}`);
  });
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    for (const server of [site, metrics]) {
      server.close();
      server.closeAllConnections();
    }
  });
}
