import type { DetectorSpec } from './types.js';
import { Target, targetProblems } from './scan-target.js';

/**
 * `%2F` inside a path segment: a router sees one segment where a decoding back end sees two, the
 * classic way past a path prefix check. Apache refuses it by default (`AllowEncodedSlashes Off`).
 */
export const encodedSlash: DetectorSpec = {
  name: 'encodedSlash',
  check: (head) => (targetProblems(head) & Target.encodedSlash ? 'malformed:encoded-slash' : undefined),
};
