import { parse, pathToRegexp, PathError } from 'path-to-regexp';
import { HangupConfigError, show } from '../errors.js';
import { knownMethods, withImplicitHead } from './methods.js';
import { routeShapes, type RouteShape } from './route-shape.js';

/** How paths are compared; both default to Express's behaviour. */
export interface PathSettings {
  readonly caseSensitive: boolean;
  readonly strictTrailingSlash: boolean;
}

/** A route spec compiled once: which methods, and a test over the still-encoded path. */
export interface CompiledRoute {
  /** The spec as written, e.g. `GET|POST /orders`; reported as `decision.rule`. */
  readonly spec: string;
  /** Allowed methods (HEAD included where GET is), or `null` for any method. */
  readonly methods: ReadonlySet<string> | null;
  /** What the route index keys this route on: one shape per alternative of its optional groups. */
  readonly shapes: readonly RouteShape[];
  /** The route's path-to-regexp regexp over the encoded path; never decodes, so never throws. */
  readonly test: (path: string) => boolean;
}

const METHOD_LIST = /^[A-Za-z-]+(\|[A-Za-z-]+)*$/;

/** Static text in a route is matched against the encoded path, so encode what a client would. */
function encodeText(text: string): string {
  return text.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c));
}

/** Splits `'GET|POST /orders'` into methods and path; validates both. `option` names the option for errors. */
export function parseRouteSpec(spec: unknown, option: string): { methods: Set<string> | null; path: string } {
  if (typeof spec !== 'string' || spec.trim() === '') {
    throw new HangupConfigError(
      'HANGUP_INVALID_ROUTE',
      option,
      `expected a route string such as 'GET /users/:id' or '/health', got ${show(spec)}.`,
    );
  }
  const trimmed = spec.trim();
  const space = trimmed.search(/\s/);
  const methodPart = space === -1 ? '' : trimmed.slice(0, space);
  const path = space === -1 ? trimmed : trimmed.slice(space).trim();
  if (!path.startsWith('/')) {
    throw new HangupConfigError(
      'HANGUP_INVALID_ROUTE',
      option,
      `${show(spec)} has no path starting with '/'. Write 'METHOD /path' or '/path', e.g. 'GET /users/:id'.`,
    );
  }
  if (methodPart === '' || methodPart === '*') return { methods: null, path };
  if (!METHOD_LIST.test(methodPart)) {
    throw new HangupConfigError(
      'HANGUP_INVALID_METHOD',
      option,
      `${show(methodPart)} in ${show(spec)} is not a method list. Separate methods with '|', e.g. 'GET|POST /orders'.`,
    );
  }
  const methods = new Set<string>();
  for (const name of methodPart.toUpperCase().split('|')) {
    if (!knownMethods.has(name)) {
      throw new HangupConfigError(
        'HANGUP_INVALID_METHOD',
        option,
        `${show(name)} in ${show(spec)} is not an HTTP method Node accepts. Use one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, ...`,
      );
    }
    methods.add(name);
  }
  return { methods: withImplicitHead(methods), path };
}

/** Compiles one route spec; throws `HangupConfigError` naming `option` when it is invalid. */
export function compileRoute(spec: unknown, option: string, settings: PathSettings): CompiledRoute {
  const { methods, path: written } = parseRouteSpec(spec, option);
  const path =
    !settings.strictTrailingSlash && written.length > 1 && written.endsWith('/') ? written.slice(0, -1) : written;
  let regexp: RegExp;
  let shapes: RouteShape[];
  try {
    const tokens = parse(path, { encodePath: encodeText });
    // pathToRegexp enforces the 256-alternative cap before the shapes expand the same groups.
    regexp = pathToRegexp(tokens, {
      sensitive: settings.caseSensitive,
      trailing: !settings.strictTrailingSlash,
      end: true,
    }).regexp;
    shapes = routeShapes(tokens.tokens, settings.caseSensitive);
  } catch (error) {
    const detail = error instanceof PathError || error instanceof TypeError ? error.message : String(error);
    throw new HangupConfigError(
      'HANGUP_INVALID_ROUTE',
      option,
      `${show(spec)} is not a valid path-to-regexp 8 pattern (${detail}). ` +
        `Use ':name' for a parameter, '*name' for the rest of the path and '{...}' for optional parts, e.g. '/files/*path'.`,
    );
  }
  return {
    spec: (spec as string).trim(),
    methods,
    shapes,
    test: (candidate) => regexp.test(candidate),
  };
}
