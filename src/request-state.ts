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
 * Where the state is kept: one symbol-keyed property of the request (or of the source object of a
 * socket-level decision), set by plain assignment, as Node keeps its own per-request fields.
 * Symbol keys stay out of `Object.keys`, `for...in` and JSON. Measured alternatives on fresh
 * requests from a real server: `Object.defineProperty` (non-enumerable) cost about 140 ns per
 * request against about 30 ns for the assignment; a WeakMap 0.2–0.5 µs. On Express any property
 * added after Express has swapped the request's prototype costs about 3 µs per request, so the
 * Express adapter gives requests their state before Express sees them (see adapters/express.ts).
 */
const KEY = Symbol('hangup.state');
type Holder = { [KEY]?: RequestState };

/** The state of `key`, created on first use. */
export function ensureState(key: object): RequestState {
  let state = (key as Holder)[KEY];
  if (state === undefined) {
    state = new RequestState();
    (key as Holder)[KEY] = state;
  }
  return state;
}

/** The state of `key`, or undefined when it has none yet (without creating it). */
export function stateOf(key: object): RequestState | undefined {
  return (key as Holder)[KEY];
}

/**
 * The decision of `key` when it has been both decided and applied (recorded) as that decision,
 * as protect() does before any listener; undefined otherwise. Later steps then only look it up.
 */
export function appliedDecision(key: object): Decision | undefined {
  const state = (key as Holder)[KEY];
  return state !== undefined && state.recorded !== undefined && state.recorded === state.decision ? state.decision : undefined;
}
