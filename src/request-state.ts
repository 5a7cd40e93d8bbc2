import type { Decision } from './types.js';

/**
 * What hangup remembers about one request between the steps that see it (checkContinue, then
 * 'request', then a framework's fallback): its decision, the decision last reported for it, and the
 * matches of report-only rules not yet reported.
 */
export class RequestState {
  decision: Decision | undefined = undefined;
  recorded: Decision | undefined = undefined;
  reportOnly: Decision[] | undefined = undefined;
}

/**
 * Where the state is kept: one non-enumerable, string-keyed property of the request (or of the
 * source object of a socket-level decision). Measured alternatives, on Express 5 and node:http:
 * symbol-keyed properties added to Express's `req` cost about 7 µs per request (every later
 * property access of Express got slower); a WeakMap cost about 0.2–0.5 µs per request on
 * node:http (an ephemeron table entry per request); this property costs neither.
 */
const KEY = '__hangupState';
type Holder = { [KEY]?: RequestState };

/** The state of `key`, created on first use. */
export function ensureState(key: object): RequestState {
  let state = (key as Holder)[KEY];
  if (state === undefined) {
    state = new RequestState();
    Object.defineProperty(key, KEY, { value: state });
  }
  return state;
}
