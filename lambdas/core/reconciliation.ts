import type { BalanceSnapshot, Unit } from "./balance.ts";
import { consumedBetween } from "./forecast.ts";
import { roundAmount } from "./reservations.ts";
import type { SpendEntry } from "./spend-ledger.ts";

/**
 * Reconciliation (docs/spend.md#reconciliation): HeyGen's observed consumption against what the guard committed
 * over the same window. Pure: snapshots and ledger entries are passed in.
 *
 * Observed is the forecast's measure of consumption (forecast.ts consumedBetween): the sum of decreases between
 * consecutive snapshots in the window, in the newest snapshot's unit; increases (top-ups, resets) are left out.
 *
 * The settle allowance: HeyGen's balance shows a commit's charge at most `settleSeconds` after the commit (the
 * same delay the counter corrections use, corrections.ts). A decrease seen between the first and the last snapshot
 * may therefore come from a commit up to `settleSeconds` before the first snapshot, and a commit just before the
 * last snapshot may already show in it. Both ends are counted: commits in [first − settleSeconds, last]. Counting
 * the doubtful edges as explained errs towards `committed`, so the alert never fires for the guard's own jobs;
 * what may not show yet is said apart (`unsettled`).
 */
export interface ReconciliationWindow {
  /** The range asked for (ISO; `from` included, `to` excluded). */
  from: string;
  to: string;
  /** The first and the last snapshot used; null with fewer than two snapshots of one unit in the range. */
  firstSnapshotAt: string | null;
  lastSnapshotAt: string | null;
  /** Seconds before the first snapshot from which commits count (config `reservations.settleSeconds`). */
  settleSeconds: number;
  /** The commits counted: committed at or after `commitsFrom` and at or before `commitsTo` (ISO); null as above. */
  commitsFrom: string | null;
  commitsTo: string | null;
}

export interface Reconciliation {
  /** Σ decreases between consecutive snapshots in the window, in `unit`. */
  observed: number;
  /** Σ ledger amounts committed in the commit window, in `unit`. */
  committed: number;
  /** max(0, observed − committed): consumption no commit of the guard explains. */
  unexplained: number;
  /** max(0, committed − observed): commits HeyGen's balance did not (yet) show, or a rate card that over-prices. */
  overCommitted: number;
  /** Of `committed`: commits within `settleSeconds` before the last snapshot, which HeyGen may not show yet. */
  unsettled: number;
  /** The balance at the first snapshot used; null without one. */
  startBalance: number | null;
  /** The newest snapshot's unit; null without a snapshot. Entries of another unit are left out. */
  unit: Unit | null;
  snapshots: number;
  commits: number;
  window: ReconciliationWindow;
}

export interface ReconcileInput {
  /** Snapshots of the range (any order); only those in [from, to) are used. */
  snapshots: readonly BalanceSnapshot[];
  /** Ledger entries covering at least [from − settleSeconds, to); only those in the commit window count. */
  entries: readonly SpendEntry[];
  from: Date;
  to: Date;
  settleSeconds: number;
}

/** The ledger range a reconciliation of [from, to) needs read: every commit the window may count. */
export function ledgerRangeOf(from: Date, to: Date, settleSeconds: number): { from: string; to: string } {
  return { from: new Date(from.getTime() - settleSeconds * 1000).toISOString(), to: to.toISOString() };
}

/** Reconciles one account over [from, to); raises RangeError for a reversed range or a negative settle. */
export function reconcile(input: ReconcileInput): Reconciliation {
  const { from, to, settleSeconds } = input;
  if (!(from.getTime() < to.getTime())) throw new RangeError("reconcile: from must be before to");
  if (!(settleSeconds >= 0)) throw new RangeError("reconcile: settleSeconds must not be negative");
  const seen = consumedBetween(input.snapshots, from.getTime(), to.getTime() - 1);
  const first = seen.readings[0];
  const last = seen.readings.at(-1);
  const base = { from: from.toISOString(), to: to.toISOString(), settleSeconds };
  if (!first || !last || seen.readings.length < 2) {
    const window = {
      ...base,
      firstSnapshotAt: null,
      lastSnapshotAt: null,
      commitsFrom: null,
      commitsTo: null,
    };
    const empty = { observed: 0, committed: 0, unexplained: 0, overCommitted: 0, unsettled: 0, commits: 0 };
    return {
      ...empty,
      startBalance: first?.remaining ?? null,
      unit: seen.unit ?? null,
      snapshots: 0,
      window,
    };
  }
  const fromMs = first.atMs - settleSeconds * 1000;
  const counted = input.entries.filter((entry) => {
    const atMs = Date.parse(entry.at);
    return atMs >= fromMs && atMs <= last.atMs && (entry.unit === undefined || entry.unit === seen.unit);
  });
  const committed = roundAmount(sum(counted));
  const unsettled = roundAmount(
    sum(counted.filter((e) => Date.parse(e.at) > last.atMs - settleSeconds * 1000)),
  );
  const observed = roundAmount(seen.consumed);
  return {
    observed,
    committed,
    unexplained: roundAmount(Math.max(0, observed - committed)),
    overCommitted: roundAmount(Math.max(0, committed - observed)),
    unsettled,
    startBalance: first.remaining,
    unit: seen.unit ?? null,
    snapshots: seen.readings.length,
    commits: counted.length,
    window: {
      ...base,
      firstSnapshotAt: new Date(first.atMs).toISOString(),
      lastSnapshotAt: new Date(last.atMs).toISOString(),
      commitsFrom: new Date(fromMs).toISOString(),
      commitsTo: new Date(last.atMs).toISOString(),
    },
  };
}

/** What `unexplained_spend` waits for: the percentage of the start balance, and the floor, in the account's unit. */
export interface UnexplainedRule {
  /** false: never judged (config `alerts.unexplainedSpend.enabled`). */
  enabled: boolean;
  percentOfStartBalance: number;
  minimum: number;
}

/** max(minimum, percent % of the start balance); a balance at or below zero leaves the minimum. */
export function unexplainedThreshold(startBalance: number | null, rule: UnexplainedRule): number {
  const share = ((startBalance ?? 0) * rule.percentOfStartBalance) / 100;
  return roundAmount(Math.max(rule.minimum, share));
}

function sum(entries: readonly SpendEntry[]): number {
  return entries.reduce((total, entry) => total + entry.amount, 0);
}
