import type { DetectorSpec } from './types.js';
import { Target, targetProblems } from './scan-target.js';

/** A raw `#` in the target: clients strip the fragment before sending, so only tools and probes send one. */
export const fragment: DetectorSpec = {
  name: 'fragment',
  check: (head) => (targetProblems(head) & Target.fragment ? 'malformed:fragment' : undefined),
};
