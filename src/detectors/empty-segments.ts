import type { DetectorSpec } from './types.js';
import { Target, targetProblems } from './scan-target.js';

/** Empty path segments (`//`), which some routers collapse and others do not. Off by default: sloppy links produce them. */
export const emptySegments: DetectorSpec = {
  name: 'emptySegments',
  check: (head) => (targetProblems(head) & Target.emptySegment ? 'malformed:empty-segment' : undefined),
};
