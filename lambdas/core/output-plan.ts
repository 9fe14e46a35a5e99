import type { OutputOutcome } from "./account.ts";
import { budgetEndOf } from "./budget-writes.ts";
import { captureOf } from "./commit-plan.ts";
import type { BudgetPlanning, OutputReport, PlannedChange } from "./hold-change.ts";
import type { HoldRecord } from "./hold-record.ts";
import { heldShareOf, weakestBasis } from "./job-outputs.ts";
import {
  afterChange,
  counterWrite,
  type HoldFields,
  holdChange,
  type ReservationWrite,
} from "./reservation-writes.ts";
import { assertStorableAmount, commitAmounts, heldPart, holdStatus } from "./reservations.ts";
import { ledgerWriteOf } from "./spend-ledger.ts";

/** An output's plan: the change (or replay/conflict), and the outputs recorded once it is applied. */
export type OutputPlan =
  | { plan: "replay" | "conflict"; outputs: Record<string, OutputOutcome> }
  | { plan: PlannedChange; outputs: Record<string, OutputOutcome> };

/** Raises InvalidReservationRequestError (`actualAmount`) for a success amount that cannot be stored. */
export function validateOutputReport(report: OutputReport): void {
  if (report.outcome.amount !== undefined) assertStorableAmount("actualAmount", report.outcome.amount);
}

/**
 * One output's outcome on the hold as read. Recorded in the same transaction as its money, so a recorded
 * output is a settled one: the same outcome again is a replay, the other a conflict. A success commits its
 * part (the rest stays held); a failure only records itself (an authorised amount never goes down, so its
 * share is released when the hold ends); the output that makes every output terminal ends the hold,
 * committed when any succeeded, else released.
 */
export function planOutput(
  hold: HoldRecord,
  now: Date,
  report: OutputReport,
  budget?: BudgetPlanning,
): OutputPlan {
  const recorded = hold.outputs ?? {};
  const earlier = recorded[report.outputId];
  if (earlier)
    return { plan: earlier.outcome === report.outcome.outcome ? "replay" : "conflict", outputs: recorded };
  if (holdStatus(hold, now) !== "held") return { plan: "conflict", outputs: recorded };
  const success = report.outcome.outcome === "success";
  const part = success ? (report.outcome.amount ?? heldShareOf(hold.amount, report.outputs)) : 0;
  const output = { ...report.outcome, ...(success ? { amount: part } : {}) };
  const outputs = { ...recorded, [report.outputId]: output };
  const last = Object.keys(outputs).length >= report.outputs;
  const successes = Object.values(outputs).filter((o) => o.outcome === "success");
  if (last && successes.length === 0) return { plan: releaseAll(hold, now, outputs, budget), outputs };
  if (!success && !last) {
    const set = { outputs };
    return {
      plan: { writes: [holdChange(hold, now, set, { endsCount: false })], after: afterChange(hold, set) },
      outputs,
    };
  }
  const amounts = commitAmounts(hold, part, last);
  const at = now.toISOString();
  const set: HoldFields = {
    committedAmount: amounts.committedAmount,
    outputs,
    commitBasis: weakestBasis(successes.flatMap((o) => (o.basis ? [o.basis] : []))),
    captures: hold.captures + (amounts.part > 0 ? 1 : 0),
  };
  if (amounts.part > 0) set.committedAt = at;
  if (last) {
    set.status = "committed";
    set.finalPart = amounts.committedAmount;
  }
  const writes: ReservationWrite[] = [holdChange(hold, now, set, { endsCount: last })];
  if (amounts.part > 0) writes.push(captureOf(hold, set.captures ?? 0, amounts.part, at));
  // A failure that ends a job some of whose outputs succeeded commits nothing of its own: no entry.
  if (success) {
    const billed = report.billed;
    writes.push(
      ledgerWriteOf(hold, {
        part: amounts.part,
        final: last,
        set,
        at,
        outputs: report.outputs,
        ...(billed ? { billed } : {}),
      }),
    );
  }
  writes.push(counterWrite(hold.accountId, amounts.reservedDelta, last ? -1 : 0));
  writes.push(...budgetEndOf(hold, amounts.part, last, now, budget));
  return { plan: { writes, after: afterChange(hold, set) }, outputs };
}

/** The last output of a job none of whose outputs succeeded: the hold is released whole. */
function releaseAll(
  hold: HoldRecord,
  now: Date,
  outputs: Record<string, OutputOutcome>,
  budget: BudgetPlanning | undefined,
): PlannedChange {
  const set: HoldFields = { status: "released", releasedAt: now.toISOString(), outputs };
  return {
    writes: [
      holdChange(hold, now, set, { endsCount: true }),
      counterWrite(hold.accountId, -heldPart(hold), -1),
      ...budgetEndOf(hold, 0, true, now, budget),
    ],
    after: afterChange(hold, set),
  };
}
