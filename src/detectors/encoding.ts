import type { DetectorSpec } from './types.js';
import { Target, targetProblems } from './scan-target.js';

/**
 * A path that cannot be decoded: invalid percent-encoding (`%zz`, `%u002e`, a lone `%`) or invalid
 * UTF-8 once decoded (overlong `%c0%af`, surrogates, truncated sequences). The query is held to the
 * same rule only with `strictQuery`: forms on pages in legacy charsets send non-UTF-8 bytes there.
 */
export const encoding: DetectorSpec = {
  name: 'encoding',
  check: (head, settings) => {
    const problems = targetProblems(head);
    const strict = settings.strictQuery;
    if (problems & (strict ? Target.pathBadPercent | Target.queryBadPercent : Target.pathBadPercent)) return 'malformed:bad-percent-encoding';
    if (problems & (strict ? Target.pathBadUtf8 | Target.queryBadUtf8 : Target.pathBadUtf8)) return 'malformed:bad-utf8';
    return undefined;
  },
};
