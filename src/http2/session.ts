import { constants, type ServerHttp2Session } from 'node:http2';
import { FLUSH_LIMIT_MS } from '../actions.js';
import { log } from '../log.js';

/**
 * A connection that keeps sending streams hangup refuses is closed as a whole: on HTTP/1.1 every
 * drop costs a scanner a new connection, on HTTP/2 it could otherwise probe forever on one.
 *
 * When a session has had more than `limit` refused streams, it gets `GOAWAY` with
 * `ENHANCE_YOUR_CALM` (the code Node itself uses when a peer exceeds `maxSessionRejectedStreams`),
 * naming the last stream it processed: no new stream is accepted. Streams the app is still
 * answering may finish (they are never reset with an error, which would throw in an app without
 * an 'error' listener); then, or after `FLUSH_LIMIT_MS` at most, the session is destroyed (Node
 * adds a `GOAWAY` with `NO_ERROR`) and the connection closed.
 */

/** Default for `maxRefusedStreams`: as many as Node's own `maxSessionRejectedStreams` default. */
export const DEFAULT_MAX_REFUSED_STREAMS = 100;

const REFUSED = Symbol('hangup.refusedStreams');
type Counted = ServerHttp2Session & { [REFUSED]?: number };

/** Counts one refused stream on `session`; closes the session once more than `limit` were refused. Returns true when it closed it. */
export function countRefusedStream(session: ServerHttp2Session | undefined, limit: number): boolean {
  if (session === undefined || session === null) return false;
  const counted = session as Counted;
  const refused = (counted[REFUSED] ?? 0) + 1;
  counted[REFUSED] = refused;
  if (refused <= limit || session.closed || session.destroyed) return false;
  closeSession(session);
  return true;
}

/** How many streams of `session` were refused so far. */
export function refusedStreams(session: ServerHttp2Session): number {
  return (session as Counted)[REFUSED] ?? 0;
}

function closeSession(session: ServerHttp2Session): void {
  if (log.drop.enabled) log.drop('http2: more than the allowed refused streams on one connection: GOAWAY(ENHANCE_YOUR_CALM), closing it');
  // After the RST_STREAM frames already queued have gone out: Node 24's nghttp2 would otherwise
  // send the GOAWAY first and drop them when the session ends at once.
  setImmediate(goAway, session);
}

function goAway(session: ServerHttp2Session): void {
  if (session.closed || session.destroyed) return;
  try {
    session.goaway(constants.NGHTTP2_ENHANCE_YOUR_CALM);
    session.close();
  } catch {
    // Already going away: destroy below.
  }
  if (session.destroyed) return;
  const timer = setTimeout(() => {
    if (!session.destroyed) session.destroy();
  }, FLUSH_LIMIT_MS);
  timer.unref();
  session.once('close', () => clearTimeout(timer));
}
