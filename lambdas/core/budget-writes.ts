import type { HoldBudgetPeriod } from "./account.ts";
import { type Budget, type BudgetRefusal, budgetUsage } from "./budget.ts";
import type { BudgetPlanning } from "./hold-change.ts";
import type { HoldRecord } from "./hold-record.ts";
import type { BudgetWrite } from "./reservation-writes.ts";
import { heldPart, roundAmount, shortfallOf } from "./reservations.ts";

/**
 * How a hold moves the budget it was reserved through (docs/budgets.md). A hold counts in the period in
 * which it was reserved: while that period runs, its commit, release, raise and expiry move the period's
 * counters as they move the account's; once it has ended, only the hold's slot moves. The hold records its
 * period's end, so these writes need no read of the budget; a budget whose counters were restarted since (a
 * settings change) refuses the `budget-period` condition and the change is planned again as an ended one.
 */

/** A new hold's budget write (taking a slot) and the period the hold records. */
export function budgetReserve(budget: Budget, amount: number, now: Date) {
  const { window } = budgetUsage(budget, now);
  const period: HoldBudgetPeriod = {
    budgetId: budget.id,
    periodKey: window.key,
    ...(window.end ? { periodEndMs: window.end.getTime() } : {}),
  };
  const write: BudgetWrite = {
    write: "budget",
    accountId: budget.accountId,
    budgetId: budget.id,
    periodKey: window.key,
    heldDelta: amount,
    committedDelta: 0,
    openHoldsDelta: 1,
    ...(budget.periodKey !== window.key ? { startsPeriod: { fromKey: budget.periodKey } } : {}),
    condition: { name: "budget-covers", need: amount, jobAmount: amount, slot: true, notPaused: true },
  };
  return { write, period };
}

/** True while the hold's period runs at `now` (a `total` period never ends). */
export function holdPeriodRunning(period: HoldBudgetPeriod, now: Date): boolean {
  return period.periodEndMs === undefined || now.getTime() < period.periodEndMs;
}

/**
 * The budget write of a commit, release or expiry of a budgeted hold: `released` stops being held,
 * `committed` is committed (both in the account's unit), and `ends` frees its slot. `periodGone`: the budget
 * was found in another period. Undefined when nothing moves (a partial commit of an ended period).
 */
export function budgetHoldEnd(
  accountId: string,
  period: HoldBudgetPeriod,
  change: { released: number; committed: number; ends: boolean },
  now: Date,
  periodGone = false,
): BudgetWrite | undefined {
  const openHoldsDelta = change.ends ? -1 : 0;
  const base = {
    write: "budget" as const,
    accountId,
    budgetId: period.budgetId,
    periodKey: period.periodKey,
  };
  if (periodGone || !holdPeriodRunning(period, now)) {
    return openHoldsDelta === 0 ? undefined : { ...base, heldDelta: 0, committedDelta: 0, openHoldsDelta };
  }
  return {
    ...base,
    heldDelta: -change.released,
    committedDelta: change.committed,
    openHoldsDelta,
    condition: { name: "budget-period" },
  };
}

/**
 * The budget write of raising a budgeted hold by `increase` to `amount` (extend): the raise must fit the
 * budget as a new hold would, in the hold's own period. "period-ended" once that period is over (a raise
 * would count in no period); undefined when nothing is raised.
 */
export function budgetRaise(
  accountId: string,
  period: HoldBudgetPeriod,
  increase: number,
  amount: number,
  now: Date,
): BudgetWrite | "period-ended" | undefined {
  if (increase <= 0) return undefined;
  if (!holdPeriodRunning(period, now)) return "period-ended";
  return {
    write: "budget",
    accountId,
    budgetId: period.budgetId,
    periodKey: period.periodKey,
    heldDelta: increase,
    committedDelta: 0,
    openHoldsDelta: 0,
    condition: { name: "budget-covers", need: increase, jobAmount: amount, slot: false, notPaused: false },
  };
}

/**
 * Why `budget`, as a refused raise found it, refuses raising a hold of `period` by `increase` to `amount`:
 * "period-ended" when its counters are of another period, else its cap per job (on the whole amount) or its
 * limit (hard mode); undefined when it would now fit (plan again).
 */
export function budgetRaiseRefusal(
  budget: Budget,
  period: HoldBudgetPeriod,
  increase: number,
  amount: number,
  now: Date,
): Exclude<BudgetRefusal, { type: "no-free-slot" | "paused" }> | "period-ended" | undefined {
  if (budget.periodKey !== period.periodKey) return "period-ended";
  if (budget.maxPerJob !== undefined && amount > budget.maxPerJob) {
    return { type: "budget-max-per-job", budgetId: budget.id, maxPerJob: budget.maxPerJob, amount };
  }
  const usage = budgetUsage(budget, now);
  if (budget.mode === "hard" && increase > usage.available) {
    return {
      type: "budget-exhausted",
      budgetId: budget.id,
      period: budget.period,
      periodEnd: usage.window.end?.toISOString() ?? null,
      ...shortfallOf(increase, Math.max(0, usage.available)),
    };
  }
  return undefined;
}

/**
 * The budget writes (none or one) of a commit of `part` (`ends`: a final commit) or, with `part` 0 and
 * `ends`, a release, on a hold as read: what stops being held is all of its held part when it ends, else
 * as much of it as the part covers.
 */
export function budgetEndOf(
  hold: HoldRecord,
  part: number,
  ends: boolean,
  now: Date,
  planning: BudgetPlanning | undefined,
): BudgetWrite[] {
  if (hold.budget === undefined) return [];
  const held = heldPart(hold);
  const released = ends ? held : Math.min(held, part);
  const write = budgetHoldEnd(
    hold.accountId,
    hold.budget,
    { released, committed: part, ends },
    now,
    planning?.periodGone,
  );
  return write ? [write] : [];
}

/**
 * Budget writes of several holds in one transaction (a correction of expired holds), one per budget, since a
 * transaction may touch an item once: their deltas added, conditional on the period of the first write
 * that moves counters. A write of another period than that one moves only its slot.
 */
export function mergeBudgetWrites(writes: readonly BudgetWrite[]): BudgetWrite[] {
  const merged = new Map<string, BudgetWrite>();
  for (const write of writes) {
    const key = `${write.accountId}#${write.budgetId}`;
    const into = merged.get(key);
    if (into === undefined) {
      merged.set(key, { ...write });
      continue;
    }
    into.openHoldsDelta += write.openHoldsDelta;
    if (write.condition === undefined) continue;
    if (into.condition === undefined) {
      merged.set(key, { ...write, openHoldsDelta: into.openHoldsDelta });
    } else if (into.periodKey === write.periodKey) {
      into.heldDelta = roundAmount(into.heldDelta + write.heldDelta);
      into.committedDelta = roundAmount(into.committedDelta + write.committedDelta);
    }
  }
  return [...merged.values()];
}
