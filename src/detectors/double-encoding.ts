import type { DetectorSpec } from './types.js';
import { Target, targetProblems } from './scan-target.js';

/**
 * A percent sign that decodes into another escape (`%252e` → `%2e` → `.`): aimed at code that decodes
 * twice. Only the path by default: a query value that carries a URL (`?next=%2Fa%3Fq%3D%2520`)
 * legitimately holds `%25`; `strictQuery` checks the query too.
 */
export const doubleEncoding: DetectorSpec = {
  name: 'doubleEncoding',
  check: (head, settings) => {
    const found = targetProblems(head) & (settings.strictQuery ? Target.pathDoubleEncoding | Target.queryDoubleEncoding : Target.pathDoubleEncoding);
    return found ? 'malformed:double-encoding' : undefined;
  },
};
