import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Guard } from '../guard.js';

/**
 * The node:http adapter: a request listener that lets allowed requests through to `listener`.
 * It decides nothing itself; `guard.handle()` decides and answers or drops the rest.
 */
export function wrapListener<Req extends IncomingMessage, Res extends ServerResponse>(
  guard: Guard,
  listener: (req: Req, res: Res) => void,
): (req: Req, res: Res) => void {
  if (typeof listener !== 'function') {
    throw new TypeError(`hangup: wrap(listener): expected a request listener function, got ${typeof listener}.`);
  }
  return function hangupListener(req: Req, res: Res): void {
    if (guard.handle(req, res, 'http')) listener(req, res);
  };
}
