/**
 * The definition of a leak. A probe leaks when what came back tells a scanner something a silent
 * server would not:
 *
 * - `answered`: any byte at all in reply to a malformed or hostile request (`silent` probes),
 *   including a bare status line, and bytes that are not HTTP;
 * - `interim`: a `100 Continue` (or other 1xx) sent before the server decided anything;
 * - `served`: any status but 404 for an unknown path or method (`refusable` probes): a 200, a
 *   redirect, a 401/403/405 or a 500 each say something about what is there;
 * - `body`: a 404 with a body (an error page is a fingerprint, even a custom one);
 * - `fingerprint-header`: `Server`, `X-Powered-By` and the like, on any probe;
 * - `framework-page`: a page Node, Express, Fastify or another server writes by itself;
 * - `reflected`: the path, hostname or marker we sent, echoed back.
 *
 * Not a leak: no byte at all (however the connection ended, even held open until the bound), and,
 * for unknown paths and methods only, the plain 404: status 404, empty body, no fingerprint header.
 * The baseline request (the URL given) is reported but never judged.
 */
import type { Probe } from './corpus.js';
import type { Exchange } from './exchange.js';
import { fingerprintHeaders, isPlainNotFound, recognisedPages } from './fingerprints.js';
import { finalMessage, parseResponses, type ReceivedMessage } from './response.js';

/** Kinds of findings; see the module comment for what each means. */
export type FindingKind =
  | 'answered'
  | 'interim'
  | 'served'
  | 'body'
  | 'fingerprint-header'
  | 'framework-page'
  | 'reflected'
  | 'held-open';

/** One thing a response revealed (or, with `leak: false`, a note). */
export interface Finding {
  readonly kind: FindingKind;
  readonly detail: string;
  readonly leak: boolean;
}

/**
 * The outcome of one probe: `silent` (no byte), `plain-404`, `leak`, `info` (the baseline), or
 * `error` (the probe could not be made, so it proves nothing).
 */
export type Outcome = 'silent' | 'plain-404' | 'leak' | 'info' | 'error';

/** A judged probe. */
export interface Judgement {
  readonly outcome: Outcome;
  readonly findings: readonly Finding[];
  /** The status line of the final response, or a short description of what came back. */
  readonly answer: string;
}

/** Judges what one probe received. Pure. */
export function judge(probe: Probe, received: Exchange): Judgement {
  if (received.error !== undefined) return { outcome: 'error', findings: [], answer: `error: ${received.error}` };
  const judged = probe.expect !== 'baseline';
  const findings: Finding[] = [];
  const add = (kind: FindingKind, detail: string, leak = judged): void => {
    if (!findings.some((f) => f.kind === kind && f.detail === detail)) findings.push({ kind, detail, leak });
  };

  if (received.bytes.length === 0) {
    if (received.timedOut) add('held-open', `no byte, connection held open until the ${received.elapsedMs} ms bound`, false);
    if (!judged) add('answered', 'no answer to the URL you gave: check the URL and --host', false);
    return { outcome: judged ? 'silent' : 'info', findings, answer: 'nothing' };
  }

  const responses = parseResponses(received.bytes);
  const final = finalMessage(responses);
  let answer = final?.statusLine ?? responses.messages.at(-1)?.statusLine ?? '';
  if (responses.unrecognised.length > 0) {
    answer = `${responses.unrecognised.length} bytes that are not HTTP`;
    add('answered', answer);
  } else if (final === undefined && responses.messages.length === 0) {
    answer = `${received.bytes.length} bytes of an incomplete response`;
    add('answered', answer);
  }
  for (const interim of responses.messages.filter((m) => m !== final)) {
    add('interim', `${interim.statusLine} before the server decided`);
  }
  if (final !== undefined) {
    if (probe.expect === 'silent') add('answered', 'answered at all (a silent server sends nothing)');
    if (probe.expect === 'refusable') judgeRefusable(final, add);
    for (const header of fingerprintHeaders(final)) add('fingerprint-header', header);
    for (const page of recognisedPages(final)) add('framework-page', page);
  }
  const text = received.bytes.toString('latin1');
  for (const sent of probe.reflects) if (reflects(text, sent)) add('reflected', `echoes ${JSON.stringify(sent)}`);

  const leaked = findings.some((f) => f.leak);
  const outcome: Outcome = !judged ? 'info' : leaked ? 'leak' : final !== undefined && isPlainNotFound(final) ? 'plain-404' : 'silent';
  return { outcome, findings, answer };
}

/** For an unknown path or method, only a 404 without a body says nothing. */
function judgeRefusable(final: ReceivedMessage, add: (kind: FindingKind, detail: string) => void): void {
  if (final.status !== 404) add('served', `${final.statusLine.replace(/^HTTP\/\S+ /, '')} to an unknown path or method`);
  else if (final.body.length > 0 && recognisedPages(final).length === 0) add('body', `404 with a ${final.body.length}-byte body`);
}

/** Whether `text` contains `sent` as sent, percent-encoded, HTML-escaped or JSON-escaped. */
function reflects(text: string, sent: string): boolean {
  if (sent.length < 4) return false;
  const variants = new Set([
    sent,
    encodeURI(sent),
    sent.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
    JSON.stringify(sent).slice(1, -1),
  ]);
  return [...variants].some((variant) => text.includes(variant));
}
