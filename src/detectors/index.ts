import type { DetectorOptions } from '../types.js';
import type { Detector } from './types.js';
import { originForm, controlChars, encoding, dotSegments } from './request-target.js';
import { httpVersion } from './http-version.js';
import { hostHeader } from './host-header.js';
import { framing } from './framing.js';
import { expect } from './expect.js';

export type { Detector, ParsedHead } from './types.js';

/**
 * Every built-in detector, in the order they run: the cheapest and most fundamental first, so the
 * reason reported is the most basic thing wrong with the request.
 */
export const allDetectors: readonly Detector[] = [
  httpVersion,
  originForm,
  controlChars,
  encoding,
  dotSegments,
  hostHeader,
  framing,
  expect,
];

/** The option names of the built-in detectors, for validation. */
export const detectorNames: ReadonlySet<string> = new Set(allDetectors.map((d) => d.name));

/** The detectors switched on by `options`. */
export function enabledDetectors(options: DetectorOptions | undefined): Detector[] {
  const switches = (options ?? {}) as Record<string, boolean | undefined>;
  return allDetectors.filter((d) => switches[d.name] !== false);
}
