import type { DetectorSpec } from './types.js';
import { headerScan } from './scan-headers.js';

/**
 * A singleton header (Content-Type, Authorization, User-Agent, ...; see `singletonHeaders`) sent
 * twice. Node keeps the first and discards the rest, while a proxy in front may use the last.
 */
export const duplicateHeaders: DetectorSpec = {
  name: 'duplicateHeaders',
  check: (head) => (headerScan(head).duplicateSingleton ? 'malformed:duplicate-header' : undefined),
};
