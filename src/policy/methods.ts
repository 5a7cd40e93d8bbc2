import { METHODS } from 'node:http';

/** Methods Node's parser accepts; a route naming anything else could never match. */
export const knownMethods: ReadonlySet<string> = new Set(METHODS);

/** The set of methods a route's method list allows, HEAD added wherever GET is (as Express does). */
export function withImplicitHead(methods: Iterable<string>): Set<string> {
  const set = new Set(methods);
  if (set.has('GET')) set.add('HEAD');
  return set;
}
