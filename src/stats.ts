import type { Action, Decision, DecisionCount, GuardStats } from './types.js';
import { decision } from './policy/decisions.js';

const MAX_TALLIES = 20_000;

/**
 * Decision counters for `guard.stats()`. Decisions are shared frozen objects, so counting one is a
 * map lookup and an integer increment on the request path; totals are summed only when read.
 */
interface Tally {
  enforced: number;
  reported: number;
}

/** Counts decisions per (decision, enforced) since creation. */
export class DecisionCounters {
  private readonly tallies = new Map<Decision, Tally>();
  private readonly since = Date.now();

  /** Counts one decision. */
  count(decided: Decision, enforced: boolean): void {
    let tally = this.tallies.get(decided);
    if (tally === undefined) {
      // Decisions come from a bounded set (see decisions.ts); should a caller ever mint fresh ones
      // in a loop, fold them into their shared (action, reason) decision so the map stays bounded.
      const key = this.tallies.size < MAX_TALLIES ? decided : decision(decided.action, decided.reason);
      tally = this.tallies.get(key) ?? { enforced: 0, reported: 0 };
      this.tallies.set(key, tally);
    }
    if (enforced) tally.enforced++;
    else tally.reported++;
  }

  /** Takes back one count of a decision that a later one replaced for the same request. */
  uncount(decided: Decision, enforced: boolean): void {
    const tally = this.tallies.get(decided) ?? this.tallies.get(decision(decided.action, decided.reason));
    if (tally === undefined) return;
    if (enforced && tally.enforced > 0) tally.enforced--;
    else if (!enforced && tally.reported > 0) tally.reported--;
  }

  /** A snapshot of the counts, safe to keep or serialise. */
  snapshot(): GuardStats {
    const actions: Record<Action, number> = { allow: 0, notFound: 0, drop: 0 };
    const reasons: Record<string, number> = {};
    const rows = new Map<string, { action: Action; reason: string; enforced: boolean; count: number }>();
    let total = 0;
    let reportOnly = 0;
    for (const [decided, tally] of this.tallies) {
      const both = tally.enforced + tally.reported;
      total += both;
      actions[decided.action] += both;
      reasons[decided.reason] = (reasons[decided.reason] ?? 0) + both;
      if (decided.action !== 'allow') reportOnly += tally.reported;
      // Several decisions share an (action, reason) and differ only by rule: one row for them.
      for (const enforced of [true, false]) {
        const count = enforced ? tally.enforced : tally.reported;
        if (count === 0) continue;
        const key = `${decided.action}\u0000${decided.reason}\u0000${enforced}`;
        const row = rows.get(key);
        if (row === undefined) rows.set(key, { action: decided.action, reason: decided.reason, enforced, count });
        else row.count += count;
      }
    }
    const counts: DecisionCount[] = [...rows.values()];
    return { since: this.since, total, actions, reasons, reportOnly, counts };
  }
}
