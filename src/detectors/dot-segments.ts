import type { DetectorSpec } from './types.js';
import { Target, targetProblems } from './scan-target.js';

/** `.` or `..` as a whole path segment, raw or percent-encoded (`/../`, `/%2e%2e/`, `/..%2f`, `/..\`). */
export const dotSegments: DetectorSpec = {
  name: 'dotSegments',
  check: (head) => (targetProblems(head) & Target.dotSegment ? 'malformed:dot-segment' : undefined),
};
