import type { ReleaseReason } from "./account.ts";
import { budgetEndOf } from "./budget-writes.ts";
import type { BudgetPlanning, ChangePlan } from "./hold-change.ts";
import type { HoldRecord } from "./hold-record.ts";
import { afterChange, counterWrite, type HoldFields, holdChange } from "./reservation-writes.ts";
import { heldPart, holdStatus } from "./reservations.ts";

/**
 * A release on the hold as read: a replay when it is already released (whatever reason either release gave),
 * a conflict when it ended otherwise or expired, else the hold's end and the held part out of the counter
 * (and out of its budget's, with its slot).
 */
export function planRelease(
  hold: HoldRecord,
  now: Date,
  reason?: ReleaseReason,
  budget?: BudgetPlanning,
): ChangePlan {
  if (holdStatus(hold, now) !== "held") return hold.status === "released" ? "replay" : "conflict";
  const set: HoldFields = { status: "released", releasedAt: now.toISOString() };
  if (reason !== undefined) set.releaseReason = reason;
  return {
    writes: [
      holdChange(hold, now, set, { endsCount: true }),
      counterWrite(hold.accountId, -heldPart(hold), -1),
      ...budgetEndOf(hold, 0, true, now, budget),
    ],
    after: afterChange(hold, set),
  };
}
