import http from 'node:http';
import type { DecisionEvent } from '../../src/index.js';

/** The app behind hangup in these tests: fixed headers (no Date), so bytes compare exactly. */
export function app(req: http.IncomingMessage, res: http.ServerResponse): void {
  res.sendDate = false;
  const body = `app ${req.method} ${req.url}\n`;
  res.writeHead(200, { 'Content-Length': Buffer.byteLength(body) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/** The exact bytes `app` answers with on a keep-alive connection. */
export function appBytes(method: string, url: string): string {
  const body = `app ${method} ${url}\n`;
  return `HTTP/1.1 200 OK\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n${body}`;
}

/** Collects decision events; `take()` returns and clears them. */
export class EventLog {
  private events: DecisionEvent[] = [];
  readonly onDecision = (event: DecisionEvent): void => {
    this.events.push(event);
  };
  take(): DecisionEvent[] {
    const taken = this.events;
    this.events = [];
    return taken;
  }
}

/** A full event for a request from the test client, with the fields the test cares about overridden. */
export function event(fields: Partial<DecisionEvent> & Pick<DecisionEvent, 'action' | 'reason' | 'wire'>): DecisionEvent {
  return {
    enforced: true,
    rule: null,
    method: 'GET',
    path: '/',
    host: 'localhost',
    remoteAddress: '127.0.0.1',
    adapter: 'http',
    ...fields,
  };
}
