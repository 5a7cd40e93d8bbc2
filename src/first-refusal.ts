import type { Decision, DecisionEvent } from './types.js';

/**
 * A refusal is silent by design, so a newcomer's first run on `localhost` shows an empty browser
 * page and an empty console. Outside production, the first refusal of each reason prints one line
 * on stderr: what was refused, why, and the option that changes it. Later refusals of the same
 * reason print nothing, so a scanner cannot flood the console.
 */
export class FirstRefusalHints {
  private readonly seen = new Set<string>();

  /** The hints of a guard: `enabled` is the `hints` option; unset, on outside production unless HANGUP_HINTS=0. */
  static create(enabled: boolean | undefined): FirstRefusalHints | null {
    const on = enabled ?? (process.env.NODE_ENV !== 'production' && process.env.HANGUP_HINTS !== '0');
    return on ? new FirstRefusalHints() : null;
  }

  /** Whether the refusal of `decided` has not been explained yet (cheap: one Set lookup). */
  wants(decided: Decision): boolean {
    return !this.seen.has(decided.reason);
  }

  /** Prints the hint for `event` (already sanitized) once per reason. `why` says it in words. */
  print(event: DecisionEvent, why: string): void {
    if (this.seen.has(event.reason)) return;
    this.seen.add(event.reason);
    const what = event.method === '' && event.path === '' ? 'a connection' : `${event.method} ${event.path}`.trim();
    const host = event.host === null ? '' : ` (Host: ${event.host})`;
    const done = event.wire === '404' ? 'answered with the fixed 404' : 'dropped';
    const change = fixFor(event);
    process.stderr.write(
      `hangup: ${done} ${what}${host}: ${why} (${event.reason}).${change === '' ? '' : ` ${change}`} ` +
        '[shown once per reason outside production; silence with hangup({ hints: false }), HANGUP_HINTS=0 or NODE_ENV=production]\n',
    );
  }
}

/** The option that changes a refusal, in words, or '' when there is nothing to change. */
function fixFor(event: DecisionEvent): string {
  const { reason, rule, method, path } = event;
  const route = `'${method} ${path}'`;
  if (method === 'OPTIONS' && (reason === 'route:unknown' || reason === 'route:method-mismatch' || reason === 'method:not-allowed')) {
    return `A browser's CORS preflight? Set preflight: true (or { origins: [...] }): preflights for routed methods then reach the app. Otherwise add ${route} to routes.`;
  }
  if (reason === 'route:unknown' || reason === 'route:method-mismatch' || reason === 'method:not-allowed') {
    return `To allow it, add ${route} to routes.`;
  }
  if (reason === 'route:unrouted') return 'No route of the app matches it: add one, or set unknownRoute.';
  if (reason === 'host:unlisted') return `To serve this Host, add its name to hosts (e.g. hosts: ['${hostName(event.host)}']).`;
  if (reason === 'host:missing' || reason === 'host:empty' || reason === 'host:duplicate') return 'Browsers and HTTP clients always send one Host.';
  if (reason === 'rule:matched') return `Change or remove the rule "${rule ?? ''}" in rules.`;
  if (reason.startsWith('framework:')) return "frameworkErrors: 'framework' keeps the framework's own error answers.";
  if (reason.startsWith('parser:')) return "Node's HTTP parser could not read it: a client that sends this is broken or hostile.";
  if (reason.startsWith('tls:unknown-server-name')) return 'To serve this name, add it to hosts.';
  if (rule !== null && !reason.startsWith('rule:')) return `If such requests are legitimate, switch the detector off: detectors: { ${rule}: false }.`;
  return '';
}

function hostName(host: string | null): string {
  if (host === null) return 'example.com';
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : (host.split(':')[0] ?? host);
}
