import type { DetectorSpec } from './types.js';
import { Target, targetProblems } from './scan-target.js';

/**
 * `\` raw or `%5C` in the path, which Windows file APIs and some routers treat as `/` (traversal
 * past a prefix check). Browsers turn `\` into `/` themselves. With `strictQuery`, a raw `\` in the
 * query too.
 */
export const backslash: DetectorSpec = {
  name: 'backslash',
  check: (head, settings) => {
    const found = targetProblems(head) & (settings.strictQuery ? Target.pathBackslash | Target.queryBackslash : Target.pathBackslash);
    return found ? 'malformed:backslash' : undefined;
  },
};
