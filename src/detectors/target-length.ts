import type { DetectorSpec } from './types.js';

/** A target longer than `maxTargetLength` (nginx answers 414 past its 8 KiB header buffer). */
export const targetLength: DetectorSpec = {
  name: 'maxTargetLength',
  check: (head, settings) => (head.target.length > settings.maxTargetLength ? 'malformed:target-too-long' : undefined),
};
