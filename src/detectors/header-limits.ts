import type { DetectorSpec } from './types.js';
import { headerScan } from './scan-headers.js';

/** More header lines than `maxHeaders`. Node only truncates past 2000 (`maxHeadersCount`); browsers send about 20. */
export const headerCount: DetectorSpec = {
  name: 'maxHeaders',
  check: (head, settings) => (headerScan(head).lines > settings.maxHeaders ? 'malformed:too-many-headers' : undefined),
};

/** More header bytes than `maxHeaderBytes`, below Node's 16 KiB `maxHeaderSize` (which answers 431). */
export const headerBytes: DetectorSpec = {
  name: 'maxHeaderBytes',
  check: (head, settings) => (headerScan(head).bytes > settings.maxHeaderBytes ? 'malformed:headers-too-large' : undefined),
};
