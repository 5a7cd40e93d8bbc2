import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Guard } from '../guard.js';
import { responseStarted } from '../actions.js';

const INSTALLED = Symbol('hangup.lazyContinue');
type MarkedServer = Server & { [INSTALLED]?: true };
type Readable = IncomingMessage & { _read(size: number): void };

/**
 * For framework adapters: answers an allowed `Expect: 100-continue` request with `100 Continue`
 * only once the app reads the body. In fallback mode the framework's router decides after Node
 * would have sent the 100, so a request it does not route would get those bytes before the drop.
 * `protect()` leaves allowed requests to this listener (it defers to any other `checkContinue`
 * listener); refused ones it has already dropped.
 */
export function continueWhenBodyIsRead(server: Server, guard: Guard): void {
  const target = server as MarkedServer;
  if (target[INSTALLED] === true) return;
  target[INSTALLED] = true;
  target.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    // Refused and enforced: protect() has already dropped it. In report mode it goes on like any other.
    if (guard.decisionOf(req).action !== 'allow' && guard.mode === 'enforce') return;
    const readable = req as Readable;
    const read = readable._read;
    readable._read = function readAfterContinue(this: Readable, size: number): void {
      readable._read = read;
      // Node also reads to discard an unread body once the response is done: no 100 after an answer.
      if (!responseStarted(res) && !res.writableEnded && !res.destroyed) res.writeContinue();
      read.call(this, size);
    };
    target.emit('request', req, res);
  });
}
