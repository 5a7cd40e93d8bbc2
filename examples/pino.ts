/**
 * hangup's decision events in pino's JSON log, for a report-only rollout.
 * Run: npx tsx examples/pino.ts   (PORT=3000; HANGUP_MODE=enforce once the log looks right)
 *
 * In report mode nothing is refused: every request reaches the site, and each one the policy
 * would refuse is logged with the reason and the rule that decided. Read the log, fix the
 * allowlist, then switch to enforce. pino is the app's dependency here, never hangup's.
 */
import { pino } from 'pino';
import { hangup } from 'hangup';
import { sitePolicy, pageFor, port } from './site-policy.js';

const logger = pino({ base: null });

const guard = hangup({
  ...sitePolicy,
  mode: process.env.HANGUP_MODE === 'enforce' ? 'enforce' : 'report',
  // Allowed requests are the app's own business (and most of the traffic): log refusals only.
  events: 'refusals',
  // The event is already truncated and escaped: it can be logged as it is.
  onDecision: (event) => logger.warn({ hangup: event }, event.enforced ? 'hangup refused a request' : 'hangup would refuse a request'),
});

const server = guard.createServer((req, res) => {
  const body = pageFor(req.method ?? 'GET', (req.url ?? '/').split('?')[0] ?? '/');
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
});

server.listen(port, '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${port} (${guard.mode} mode)`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.close();
    server.closeAllConnections();
  });
}
