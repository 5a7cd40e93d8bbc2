import type { DetectorOptions, DetectorPreset } from '../types.js';
import type { Detector, DetectorSpec } from './types.js';
import { limitNames, resolveDetectorSettings, type DetectorSettings } from './settings.js';
import { httpVersion } from './http-version.js';
import { method, connect, trace } from './method.js';
import { originForm } from './origin-form.js';
import { targetLength } from './target-length.js';
import { fragment } from './fragment.js';
import { controlChars } from './control-chars.js';
import { encoding } from './encoding.js';
import { backslash } from './backslash.js';
import { dotSegments } from './dot-segments.js';
import { encodedSlash } from './encoded-slash.js';
import { doubleEncoding } from './double-encoding.js';
import { emptySegments } from './empty-segments.js';
import { hostHeader } from './host-header.js';
import { numericHost } from './numeric-host.js';
import { framing } from './framing.js';
import { bodyOnGet } from './body-on-get.js';
import { headerCount, headerBytes } from './header-limits.js';
import { headerNames } from './header-names.js';
import { duplicateHeaders } from './duplicate-headers.js';
import { headerUnderscores } from './header-underscores.js';
import { expect } from './expect.js';

export type { Detector, DetectorSpec, ParsedHead } from './types.js';
export type { DetectorSettings } from './settings.js';

/**
 * Every built-in detector, in the order they run: request line first, then the target, Host,
 * framing and other headers, so the reason reported is the most basic thing wrong with the request.
 */
export const allDetectors: readonly DetectorSpec[] = [
  httpVersion,
  method,
  connect,
  trace,
  originForm,
  targetLength,
  fragment,
  controlChars,
  encoding,
  backslash,
  dotSegments,
  encodedSlash,
  doubleEncoding,
  emptySegments,
  headerNames,
  hostHeader,
  numericHost,
  framing,
  bodyOnGet,
  headerCount,
  headerBytes,
  duplicateHeaders,
  headerUnderscores,
  expect,
];

/** Whether a detector runs under these settings: its switch is on (limits are always on). */
function isOn(spec: DetectorSpec, settings: DetectorSettings): boolean {
  return settings[spec.name] !== false;
}

/** The detectors switched on by `options`, each bound to the resolved settings. */
export function enabledDetectors(options: DetectorOptions | DetectorPreset | undefined): Detector[] {
  const settings = resolveDetectorSettings(options);
  return allDetectors
    .filter((spec) => isOn(spec, settings))
    .map((spec) => ({ name: spec.name, check: (head) => spec.check(head, settings) }));
}

/** The switch names of the built-in detectors (limits excluded), e.g. to turn them all off. */
export const detectorNames: ReadonlySet<string> = new Set(
  allDetectors.filter((spec) => !limitNames.has(spec.name)).map((spec) => spec.name),
);
