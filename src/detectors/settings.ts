import type { DetectorOptions, DetectorPreset, DetectorSwitches } from '../types.js';

/**
 * The detector settings after the preset and the user's overrides are merged: every switch and
 * limit has a value, so a detector reads a field and never has to think about defaults.
 */
export type DetectorSettings = Required<DetectorSwitches>;

/**
 * The default preset: everything no ordinary browser, curl, fetch, HTTP library or mobile app ever
 * sends is dropped; checks that some legitimate (if unusual) clients trip are off.
 */
export const defaultPreset: DetectorSettings = Object.freeze({
  httpVersion: true,
  method: true,
  connect: true,
  trace: true,
  originForm: true,
  allowOptionsAsterisk: false,
  allowAbsoluteForm: false,
  maxTargetLength: 8192,
  fragment: true,
  backslash: true,
  controlChars: true,
  encoding: true,
  dotSegments: true,
  encodedSlash: true,
  doubleEncoding: true,
  emptySegments: false,
  strictQuery: false,
  hostHeader: true,
  hostOnHttp10: false,
  numericHost: false,
  framing: true,
  bodyOnGet: false,
  headerNames: true,
  maxHeaders: 100,
  maxHeaderBytes: 12288,
  duplicateHeaders: true,
  headerUnderscores: false,
  expect: true,
});

/**
 * The strict preset: also refuses what well-behaved clients avoid but some still send (empty
 * segments, bodies on GET, numeric Host, underscores in header names, sloppy query encoding).
 */
export const strictPreset: DetectorSettings = Object.freeze({
  ...defaultPreset,
  maxTargetLength: 4096,
  emptySegments: true,
  strictQuery: true,
  hostOnHttp10: true,
  numericHost: true,
  bodyOnGet: true,
  maxHeaders: 50,
  maxHeaderBytes: 8192,
  headerUnderscores: true,
});

/** The presets by name. */
export const presets: Readonly<Record<DetectorPreset, DetectorSettings>> = Object.freeze({
  default: defaultPreset,
  strict: strictPreset,
});

/** The option keys of `detectors` that hold a limit (a positive integer) rather than a switch. */
export const limitNames: ReadonlySet<keyof DetectorSettings> = new Set(['maxTargetLength', 'maxHeaders', 'maxHeaderBytes']);

/** Every key `detectors: { ... }` accepts. */
export const detectorOptionNames: readonly string[] = ['preset', ...Object.keys(defaultPreset)];

/** Merges a (validated) `detectors` option onto its preset. */
export function resolveDetectorSettings(options: DetectorOptions | DetectorPreset | undefined): DetectorSettings {
  if (options === undefined) return defaultPreset;
  if (typeof options === 'string') return presets[options];
  const { preset = 'default', ...overrides } = options;
  const merged: Record<string, unknown> = { ...presets[preset] };
  for (const [key, value] of Object.entries(overrides)) if (value !== undefined) merged[key] = value;
  return Object.freeze(merged) as DetectorSettings;
}
