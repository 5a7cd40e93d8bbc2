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
  private matcher: HostMatcher | null = null;
  private served = false;

  /** `normalizeHost(value)`, remembered for the last value. */
  normalize(value: string | undefined): string {
    if (value === undefined) return '';
    if (value !== this.raw) {
      this.raw = value;
      this.normalized = normalizeHost(value);
      this.matcher = null;
    }
    return this.normalized;
  }

  /** `matcher.matches(normalized)` for the value last given to `normalize()`, remembered. */
  matches(normalized: string, matcher: HostMatcher): boolean {
    if (normalized !== this.normalized || matcher !== this.matcher) {
      // Only asked right after normalize(); a different value is asked without being remembered.
      if (normalized !== this.normalized) return matcher.matches(normalized);
      this.matcher = matcher;
      this.served = matcher.matches(normalized);
    }
    return this.served;
  }
}
