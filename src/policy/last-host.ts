import { normalizeHost, type HostMatcher } from './hosts.js';

/**
 * A one-entry memory of the last Host value a policy read: its normalised form and whether the
 * `hosts` list serves it. A server sees the same few Host values over and over, and normalising
 * one (trim, lower-case, port cut) makes up to three new strings per request; comparing with the
 * last value makes none. Exact: both results are pure functions of the value compared.
 */
export class LastHost {
  private raw: string | undefined = undefined;
  private normalized = '';
  /** Whether `matcher` serves `normalized`; undefined until asked. */
  private served: boolean | undefined = undefined;

  constructor(private readonly matcher: HostMatcher | null) {}

  /** `normalizeHost(value)`, remembered for the last value. */
  normalize(value: string | undefined): string {
    if (value === undefined) return '';
    if (value !== this.raw) {
      this.raw = value;
      this.normalized = normalizeHost(value);
      this.served = undefined;
    }
    return this.normalized;
  }

  /** Whether the `hosts` list serves `normalized` (a value from `normalize()`); always without a list. */
  serves(normalized: string): boolean {
    const matcher = this.matcher;
    if (matcher === null) return true;
    if (normalized !== this.normalized) return matcher.matches(normalized);
    this.served ??= matcher.matches(normalized);
    return this.served;
  }
}
