import type { Action, MatchSpec, Matcher, Predicate, Rule, RuleOptions } from '../types.js';
import { HangupConfigError, show } from '../errors.js';
import { closest } from './validate.js';
import { compileRoute, type PathSettings } from './routes.js';
import { HostMatcher } from './hosts.js';

/**
 * Custom rules and the matchers they are built from. A matcher is compiled when `hangup()` runs,
 * with that guard's path settings, so a typo in a rule throws at start-up like any other option.
 */

const compilers = new WeakMap<Matcher, (settings: PathSettings, option: string) => Predicate>();

function makeMatcher(label: string, compile: (settings: PathSettings, option: string) => Predicate): Matcher {
  const matcher: Matcher = {
    kind: 'matcher',
    label,
    // Until compiled by hangup(), a matcher compiles itself with Express's defaults.
    test: (req, info) => compile({ caseSensitive: false, strictTrailingSlash: false }, label)(req, info),
  };
  compilers.set(matcher, compile);
  return matcher;
}

/** Matches requests whose method and path match a route spec, e.g. `route('GET /favicon.ico')`. */
export function route(spec: string): Matcher {
  return makeMatcher(String(spec), (settings, option) => {
    const compiled = compileRoute(spec, option, settings);
    return (_req, info) => (compiled.methods === null || compiled.methods.has(info.method)) && compiled.test(info.path);
  });
}

/** Matches requests whose Host is one of `patterns` (exact names or `*.example.com`). */
export function host(...patterns: string[]): Matcher {
  return makeMatcher(`host(${patterns.join(', ')})`, (_settings, option) => {
    const hosts = new HostMatcher(patterns, option);
    return (_req, info) => hosts.matches(info.host);
  });
}

/** Matches when every one of `specs` matches. */
export function all(...specs: MatchSpec[]): Matcher {
  return makeMatcher(`all(${specs.map(labelOf).join(', ')})`, (settings, option) => {
    const tests = specs.map((s, i) => compileMatch(s, `${option}.all[${i}]`, settings));
    return (req, info) => tests.every((t) => t(req, info));
  });
}

/** Matches when any one of `specs` matches. */
export function any(...specs: MatchSpec[]): Matcher {
  return makeMatcher(`any(${specs.map(labelOf).join(', ')})`, (settings, option) => {
    const tests = specs.map((s, i) => compileMatch(s, `${option}.any[${i}]`, settings));
    return (req, info) => tests.some((t) => t(req, info));
  });
}

/** Matches when `spec` does not. */
export function not(spec: MatchSpec): Matcher {
  return makeMatcher(`not(${labelOf(spec)})`, (settings, option) => {
    const test = compileMatch(spec, `${option}.not`, settings);
    return (req, info) => !test(req, info);
  });
}

/** The label a match spec is reported under. */
export function labelOf(spec: MatchSpec): string {
  if (typeof spec === 'string') return spec;
  if (typeof spec === 'function') return spec.name === '' ? 'predicate' : spec.name;
  if (isMatcher(spec)) return spec.label;
  if (Array.isArray(spec)) return spec.join(', ');
  return show(spec);
}

function isMatcher(value: unknown): value is Matcher {
  return typeof value === 'object' && value !== null && (value as Matcher).kind === 'matcher';
}

/** Compiles any match spec into a predicate; throws `HangupConfigError` naming `option` when invalid. */
export function compileMatch(spec: MatchSpec, option: string, settings: PathSettings): Predicate {
  if (typeof spec === 'string') return (compilers.get(route(spec)) as NonNullable<ReturnType<typeof compilers.get>>)(settings, option);
  if (typeof spec === 'function') return spec;
  if (isMatcher(spec)) {
    const compile = compilers.get(spec);
    if (compile === undefined) {
      throw new HangupConfigError(
        'HANGUP_INVALID_RULE',
        option,
        `the matcher ${show(spec.label)} was not built by hangup. Use route(), host(), all(), any() or not().`,
      );
    }
    return compile(settings, option);
  }
  if (Array.isArray(spec)) {
    if (spec.length === 0) {
      throw new HangupConfigError('HANGUP_INVALID_RULE', option, `an empty list matches nothing. Give at least one route spec.`);
    }
    return compileMatch(any(...spec), option, settings);
  }
  throw new HangupConfigError(
    'HANGUP_INVALID_RULE',
    option,
    `expected a route spec ('GET /favicon.ico'), a list of them, a function (req, info) => boolean or a matcher, got ${show(spec)}.`,
  );
}

function makeRule(action: Action, spec: MatchSpec, options: RuleOptions | undefined): Rule {
  const label = labelOf(spec);
  const matcher: Matcher = isMatcher(spec)
    ? spec
    : makeMatcher(label, (settings, option) => compileMatch(spec, option, settings));
  const name = options?.name ?? `${action}(${label})`;
  return options?.mode === undefined ? { kind: 'rule', action, matcher, name } : { kind: 'rule', action, matcher, name, mode: options.mode };
}

/** A rule that lets matching requests through to the application, skipping the host and route checks. */
export function allow(spec: MatchSpec, options?: RuleOptions): Rule {
  return makeRule('allow', spec, options);
}

/** A rule that answers matching requests with the fixed 404, e.g. `notFound('GET /favicon.ico')`. */
export function notFound(spec: MatchSpec, options?: RuleOptions): Rule {
  return makeRule('notFound', spec, options);
}

/** A rule that drops matching requests with zero bytes, e.g. `drop(req => ...)`. */
export function drop(spec: MatchSpec, options?: RuleOptions): Rule {
  return makeRule('drop', spec, options);
}

/** A compiled custom rule, ready for `decide()`. */
export interface CompiledRule {
  readonly rule: Rule;
  readonly test: Predicate;
  /** A report-only rule: its matches are reported, never decide. */
  readonly reportOnly: boolean;
}

const RULE_ACTIONS: readonly Action[] = ['allow', 'notFound', 'drop'];
const RULE_SPEC_KEYS = [...RULE_ACTIONS, 'name', 'mode'];
const builders = { allow, notFound, drop } as const;

/**
 * Turns a rule written as plain data (`{ notFound: 'GET /favicon.ico', name?, mode? }`, the form a
 * JSON policy uses) into the rule the builder would make; returns other values unchanged.
 */
function fromSpec(value: unknown, option: string): unknown {
  if (typeof value !== 'object' || value === null || (value as Rule).kind === 'rule' || Array.isArray(value)) return value;
  const spec = value as Record<string, unknown>;
  const present = RULE_ACTIONS.filter((a) => a in spec);
  for (const key of Object.keys(spec)) {
    if (RULE_SPEC_KEYS.includes(key)) continue;
    const hint = closest(key, RULE_SPEC_KEYS);
    throw new HangupConfigError(
      'HANGUP_INVALID_RULE',
      `${option}.${key}`,
      `unknown key${hint === undefined ? '' : `; did you mean '${hint}'?`} A rule object has one of allow, notFound, drop, and optionally name and mode.`,
    );
  }
  const action = present[0];
  if (action === undefined || present.length > 1) {
    throw new HangupConfigError(
      'HANGUP_INVALID_RULE',
      option,
      `a rule object needs exactly one of allow, notFound or drop, e.g. { "notFound": "GET /favicon.ico" }; got ${present.length === 0 ? 'none' : present.join(' and ')}.`,
    );
  }
  const match = spec[action];
  const isSpecList = Array.isArray(match) && match.every((m) => typeof m === 'string');
  if (typeof match !== 'string' && !isSpecList) {
    throw new HangupConfigError(
      'HANGUP_INVALID_RULE',
      `${option}.${action}`,
      `expected a route spec or a list of them, e.g. "GET /favicon.ico" or ["/wp-login.php", "/.env"], got ${show(match)}.`,
    );
  }
  if (spec.name !== undefined && typeof spec.name !== 'string') {
    throw new HangupConfigError('HANGUP_INVALID_RULE', `${option}.name`, `expected a string, got ${show(spec.name)}.`);
  }
  return builders[action](match as string | string[], spec as RuleOptions);
}

function checkMode(mode: unknown, option: string): void {
  if (mode === undefined || mode === 'enforce' || mode === 'report') return;
  throw new HangupConfigError(
    'HANGUP_INVALID_OPTIONS',
    `${option}.mode`,
    `expected 'enforce' or 'report', got ${show(mode)}. Use 'report' to see what the rule would do without enforcing it.`,
  );
}

/** Validates and compiles the `rules` option. */
export function compileRules(rules: unknown, settings: PathSettings): CompiledRule[] {
  if (rules === undefined) return [];
  if (!Array.isArray(rules)) {
    throw new HangupConfigError(
      'HANGUP_INVALID_RULE',
      'rules',
      `expected an array of rules built with allow(), notFound() or drop(), got ${show(rules)}.`,
    );
  }
  return rules.map((given: unknown, index) => {
    const option = `rules[${index}]`;
    const rule = fromSpec(given, option);
    if (typeof rule !== 'object' || rule === null || (rule as Rule).kind !== 'rule') {
      throw new HangupConfigError(
        'HANGUP_INVALID_RULE',
        option,
        `expected a rule built with allow(), notFound() or drop(), e.g. notFound('GET /favicon.ico'), or an object such as { notFound: 'GET /favicon.ico' }, got ${show(rule)}.`,
      );
    }
    checkMode((rule as Rule).mode, option);
    const compiled = compileMatch((rule as Rule).matcher, option, settings);
    return { rule: rule as Rule, test: compiled, reportOnly: (rule as Rule).mode === 'report' };
  });
}
