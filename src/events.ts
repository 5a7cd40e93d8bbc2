import type { Decision, DecisionEvent, DecisionEventFilter, HeaderMap, Wire } from './types.js';
import type { AdapterName } from './guard.js';
import { log, MAX_PATH, MAX_SHORT, sanitize } from './log.js';

/**
 * Decision events: built only when someone listens (an `onDecision` callback or `DEBUG=hangup:*`),
 * from the request with every network-supplied string truncated and escaped.
 */

/** The parts of a request an event reads; `null` for server-level events that have no request. */
export interface EventSource {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headers?: HeaderMap | undefined;
  readonly socket?: { readonly remoteAddress?: string | undefined } | null | undefined;
}

function pathOf(url: string): string {
  let end = url.length;
  const q = url.indexOf('?');
  if (q !== -1) end = q;
  const hash = url.indexOf('#');
  if (hash !== -1 && hash < end) end = hash;
  return end === url.length ? url : url.slice(0, end);
}

function hostOf(headers: HeaderMap | undefined): string | null {
  const value = headers?.host;
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? sanitize(first, MAX_SHORT) : null;
}

/** Builds the event for one decision; `source` may be a request or `null`, never throws. */
export function buildEvent(
  decided: Decision,
  enforced: boolean,
  wire: Wire,
  source: EventSource | null,
  adapter: AdapterName,
): DecisionEvent {
  const method = source?.method;
  const url = source?.url;
  const address = source?.socket?.remoteAddress;
  return {
    action: decided.action,
    enforced,
    reason: decided.reason,
    rule: decided.rule === undefined ? null : sanitize(decided.rule, MAX_PATH),
    method: typeof method === 'string' ? sanitize(method, MAX_SHORT) : '',
    path: typeof url === 'string' ? sanitize(pathOf(url), MAX_PATH) : '',
    host: hostOf(source?.headers),
    remoteAddress: typeof address === 'string' ? sanitize(address, MAX_SHORT) : null,
    adapter,
    wire,
  };
}

/**
 * Best-effort method and target of a request Node could not parse, from the bytes it received
 * (`error.rawPacket`), so even a parse error can be reported with what was asked for.
 */
export function sourceOfRawPacket(rawPacket: unknown, remoteAddress: string | undefined): EventSource {
  if (!Buffer.isBuffer(rawPacket)) return { socket: { remoteAddress } };
  const text = rawPacket.toString('latin1', 0, Math.min(rawPacket.length, 2048));
  const lineEnd = text.search(/\r|\n/);
  const [method, url] = (lineEnd === -1 ? text : text.slice(0, lineEnd)).split(' ');
  const looksLikeMethod = method !== undefined && /^[A-Za-z-]{1,24}$/.test(method);
  return looksLikeMethod ? { method, url: url ?? '', socket: { remoteAddress } } : { socket: { remoteAddress } };
}

/** Writes one sanitized line per event to `hangup:decide`, and to `hangup:drop` or `hangup:report` for refusals. */
export function logEvent(e: DecisionEvent): void {
  const line = `${e.action} ${e.reason} rule=${e.rule ?? '-'} ${e.method || '-'} ${e.path || '-'} host=${e.host ?? '-'} from=${e.remoteAddress ?? '-'} via=${e.adapter} wire=${e.wire}`;
  if (log.decide.enabled) log.decide('%s', line);
  if (e.action === 'allow') return;
  if (e.enforced && log.drop.enabled) log.drop('%s', line);
  else if (!e.enforced && log.report.enabled) log.report('%s', line);
}

/** Delivers events to the user's callback; whatever it throws or rejects stays here. */
export class EventSink {
  private reported = false;

  constructor(
    private readonly callback: (event: DecisionEvent) => void,
    /** `'refusals'` skips allowed requests, so their event is never even built. */
    readonly filter: DecisionEventFilter,
  ) {}

  /** Whether an event for this decision should be built at all. */
  wants(decided: Decision): boolean {
    return this.filter === 'all' || decided.action !== 'allow';
  }

  /** Calls the callback; an exception or rejected promise is reported once through `debug`. */
  emit(event: DecisionEvent): void {
    try {
      const result: unknown = this.callback(event);
      if (result !== undefined && typeof (result as Promise<unknown> | null)?.then === 'function') {
        (result as Promise<unknown>).then(undefined, (error: unknown) => this.fail(error));
      }
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    if (this.reported) return;
    this.reported = true;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    log.events('onDecision threw (reported once, later failures are silent): %s', sanitize(message, MAX_PATH));
  }
}
