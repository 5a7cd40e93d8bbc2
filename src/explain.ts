import type { CloseMode, Decision, EnforcementMode, ExplainOptions, Explanation, RequestHead, Wire } from './types.js';
import type { Policy } from './policy/policy.js';
import type { ProxyMode } from './proxy.js';
import { MAX_PATH, sanitize } from './log.js';
import { explainedAsHttp2, isHttp2Head } from './http2/head.js';
import { decision } from './policy/decisions.js';

/**
 * `guard.explain()`: decides a request written as a line of text and says, in words, what would
 * happen on the wire and which route, rule or detector decided. For trying a policy before
 * deploying it (also from the `hangup explain` command); it never touches a socket.
 */

/** What of a guard the explanation depends on besides the policy. */
export interface ExplainContext {
  readonly policy: Policy;
  readonly mode: EnforcementMode;
  readonly proxy: ProxyMode | null;
  readonly close: CloseMode;
}

const VERSION = /^HTTP\/(\d\.\d)$/;

/** Turns `'GET /x'`, `'/x'` or `'POST /x HTTP/1.0'` plus options into a request head. */
export function requestFromLine(line: unknown, options: ExplainOptions = {}): RequestHead {
  const parts = typeof line === 'string' ? line.trim().split(/\s+/) : [];
  const [first = '', second, third, ...rest] = parts;
  const version = third === undefined ? undefined : VERSION.exec(third)?.[1];
  if (first === '' || rest.length > 0 || (third !== undefined && version === undefined)) {
    throw new TypeError(
      `hangup: explain(request): expected a request line such as 'GET /wp-login.php', '/health' or 'POST /orders HTTP/1.0', got ${JSON.stringify(line)}.`,
    );
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.headers ?? {})) headers[name.toLowerCase()] = String(value);
  if (options.host !== undefined) headers.host = options.host;
  const rawHeaders = Object.entries(headers).flat();
  // HTTP/2.0 is explained as a request on an HTTP/2 stream (`:authority` given as `host`).
  if ((version ?? options.httpVersion) === '2.0') return explainedAsHttp2({ method: second === undefined ? 'GET' : first.toUpperCase(), url: second ?? first, headers, rawHeaders, remoteAddress: options.remoteAddress });
  return {
    method: second === undefined ? 'GET' : first.toUpperCase(),
    url: second ?? first,
    httpVersion: version ?? options.httpVersion ?? '1.1',
    headers,
    rawHeaders,
    socket: { remoteAddress: options.remoteAddress },
  };
}

/** The wire outcome of an enforced decision. */
function wireOf(decided: Decision, ctx: ExplainContext, remoteAddress: string | undefined, http2 = false): Wire {
  if (ctx.mode === 'report' || decided.action === 'allow') return 'none';
  if (decided.action === 'notFound' || ctx.proxy?.isProxied(remoteAddress) === true) return '404';
  if (http2) return 'rst-stream';
  return ctx.close === 'reset' ? 'rst' : 'fin';
}

const WIRE_WORDS: Record<Wire, string> = {
  none: 'it reaches the application',
  '404': 'answered with the fixed 404',
  fin: 'dropped: zero bytes written, then the connection is closed (FIN)',
  rst: 'dropped: zero bytes written, then the connection is reset (RST, best effort)',
  'rst-stream': 'dropped: this HTTP/2 stream is reset with RST_STREAM(PROTOCOL_ERROR), nothing else is sent on it',
};

/** Why, in words, for a decision's reason. */
export function because(decided: Decision, method: string, host: string | undefined, ctx: ExplainContext): string {
  const rule = decided.rule === undefined ? '' : sanitize(decided.rule, MAX_PATH);
  const unknownRoute = `unknownRoute is '${ctx.policy.settings.unknownRoute}'`;
  switch (decided.reason) {
    case 'route:matched':
      return `the route "${rule}" allows it`;
    case 'route:preflight':
      return `it is a CORS preflight (OPTIONS with Origin and Access-Control-Request-Method) for a method the route "${rule}" allows, and preflight is on`;
    case 'route:any':
      return 'no routes are configured, so every path and method is allowed';
    case 'route:unknown':
      return `no route matches this path, and ${unknownRoute}`;
    case 'route:method-mismatch':
      return `routes exist for this path, but none allows ${method}, and ${unknownRoute}`;
    case 'method:not-allowed':
      return `no route allows the method ${method}`;
    case 'rule:matched':
      return `the custom rule "${rule}" matched`;
    case 'host:missing':
      return 'the request has no Host header, which HTTP/1.1 requires';
    case 'host:empty':
      return 'the Host header is empty';
    case 'host:duplicate':
      return 'the request has more than one Host header';
    case 'host:unlisted':
      return `the Host "${sanitize(host ?? '', MAX_PATH)}" is not in the hosts option`;
    case 'internal:error':
      return 'the policy failed on this request and failed closed (a bug: please report it)';
    default:
      return rule === '' ? `reason ${decided.reason}` : `the ${rule} detector found it malformed`;
  }
}

/** A ClientHello refused by its server name: the request is never read. */
function explainClientHello(ctx: ExplainContext, serverName: string | null, reason: string): Explanation {
  const decided = decision('drop', reason);
  const enforced = ctx.mode === 'enforce';
  const wire: Wire = enforced ? (ctx.close === 'reset' ? 'rst' : 'fin') : 'none';
  const name = serverName === null ? 'a ClientHello without a server name' : `a ClientHello for "${sanitize(serverName, MAX_PATH)}"`;
  const outcome = enforced
    ? `refused at the TLS handshake, before any TLS byte: no ServerHello, no certificate, no alert, then ${wire === 'rst' ? 'RST' : 'FIN'}; no request is read`
    : 'would be refused at the TLS handshake, but report mode only reports it: the handshake goes on';
  const why =
    reason === 'tls:no-server-name'
      ? 'the ClientHello names no server, and the hosts option lists no IP address'
      : 'the server name is not in the hosts option';
  return { decision: decided, enforced, wire, reportOnly: [], text: `${name}: ${outcome}.\nWhy: ${why} (drop, ${reason}).` };
}

/** Explains what the policy does with `line`; see `Guard.explain`. */
export function explainRequest(ctx: ExplainContext, line: string, options: ExplainOptions = {}): Explanation {
  if (options.serverName !== undefined) {
    const refused = ctx.policy.serverNameRefusal(options.serverName);
    if (refused !== undefined) return explainClientHello(ctx, options.serverName, refused);
  }
  const req = requestFromLine(line, options);
  const reportOnly: Decision[] = [];
  const decided = ctx.policy.decide(req, (matched) => reportOnly.push(matched));
  const wire = wireOf(decided, ctx, options.remoteAddress, isHttp2Head(req));
  const enforced = ctx.mode === 'enforce';
  const method = req.method ?? 'GET';
  const host = (req.headers as Record<string, string | undefined>).host;
  const outcome =
    decided.action === 'allow'
      ? 'allowed: it reaches the application'
      : ctx.mode === 'report'
        ? `would be ${decided.action === 'drop' ? 'dropped' : 'answered with the fixed 404'}, but report mode only reports it: it reaches the application`
        : wire === '404' && decided.action === 'drop'
          ? 'answered with the fixed 404 and Connection: close instead of a drop, because it came through a proxy'
          : WIRE_WORDS[wire];
  const why = because(decided, method, host, ctx);
  const rule = decided.rule === undefined ? '' : sanitize(decided.rule, MAX_PATH);
  const lines = [
    `${sanitize(method, 24)} ${sanitize(req.url ?? '', MAX_PATH)}${host === undefined ? '' : ` (Host: ${sanitize(host, MAX_PATH)})`}: ${outcome}.`,
    `Why: ${why} (${decided.action}, ${decided.reason}${rule === '' || why.includes(rule) ? '' : `, by ${rule}`}).`,
  ];
  for (const matched of reportOnly) {
    lines.push(`Report-only rule "${sanitize(matched.rule ?? '', MAX_PATH)}" also matched: it would ${matched.action === 'notFound' ? 'answer the fixed 404' : matched.action}, but it is only reported.`);
  }
  if (host === undefined && decided.reason === 'host:missing') lines.push('No Host was given: pass one with { host } (or --host).');
  return { decision: decided, enforced, wire, reportOnly, text: lines.join('\n') };
}
