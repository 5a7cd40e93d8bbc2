/**
 * What reporting costs per request: guard.handle() on an allowed and on a refused request, with
 * no onDecision (counters only), with onDecision for every decision, and for refusals only.
 * Hand-made request objects: this measures hangup's own work, not the network.
 * Run: npx tsx bench/observability.ts
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { hangup, type DecisionEvent, type HangupOptions } from '../dist/index.js';

/** Guard.handle() is what every adapter calls; it is internal (not in the published types). */
type InternalGuard = { handle(req: IncomingMessage, res: ServerResponse, adapter: 'http'): boolean };

const policy: HangupOptions = { hosts: ['example.com'], routes: ['GET /', 'GET /users/:id', 'POST /orders'] };
const socket = { remoteAddress: '127.0.0.1' };
let sink = 0;
const onDecision = (event: DecisionEvent): void => {
  sink += event.path.length;
};

function request(url: string): IncomingMessage {
  return {
    method: 'GET',
    url,
    httpVersion: '1.1',
    headers: { host: 'example.com' },
    rawHeaders: ['Host', 'example.com'],
    socket,
  } as unknown as IncomingMessage;
}

/** A response whose refusal costs nothing to apply, so only the deciding and reporting are timed. */
function response(): ServerResponse {
  return { headersSent: true, _header: 'x' } as unknown as ServerResponse;
}

function measure(label: string, options: HangupOptions, url: string, decideOnly = false): void {
  const guard = hangup(options);
  const run = decideOnly ? () => guard.decide(request(url)) : () => (guard as unknown as InternalGuard).handle(request(url), response(), 'http');
  const n = 300_000;
  for (let i = 0; i < 50_000; i++) run(); // warm up
  let best = Infinity;
  for (let round = 0; round < 7; round++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) run();
    best = Math.min(best, Number(process.hrtime.bigint() - start) / n);
  }
  console.log(`${label.padEnd(48)} ${best.toFixed(0).padStart(5)} ns/request`);
}

for (const [name, url] of [['allowed', '/users/42'], ['refused', '/wp-login.php']] as const) {
  measure(`${name}: decide() alone (no reporting at all)`, policy, url, true);
  measure(`${name}: no onDecision (counters only)`, policy, url);
  measure(`${name}: onDecision, events 'all'`, { ...policy, onDecision }, url);
  measure(`${name}: onDecision, events 'refusals'`, { ...policy, onDecision, events: 'refusals' }, url);
  measure(`${name}: report mode, onDecision 'all'`, { ...policy, mode: 'report', onDecision }, url);
}
if (sink === -1) console.log(sink);
