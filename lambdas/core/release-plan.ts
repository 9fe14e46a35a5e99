import type { ReleaseReason } from "./account.ts";
import type { ChangePlan } from "./hold-change.ts";
import type { HoldRecord } from "./hold-record.ts";
import { afterChange, counterWrite, type HoldFields, holdChange } from "./reservation-writes.ts";
import { heldPart, holdStatus } from "./reservations.ts";

/**
 * A release on the hold as read: a replay when it is already released (whatever reason either release gave),
 * a conflict when it ended otherwise or expired, else the hold's end and the held part out of the counter.
 */
export function planRelease(hold: HoldRecord, now: Date, reason?: ReleaseReason): ChangePlan {
  if (holdStatus(hold, now) !== "held") return hold.status === "released" ? "replay" : "conflict";
  const set: HoldFields = { status: "released", releasedAt: now.toISOString() };
  if (reason !== undefined) set.releaseReason = reason;
  return {
    writes: [
      holdChange(hold, now, set, { endsCount: true }),
      counterWrite(hold.accountId, -heldPart(hold), -1),
    ],
    after: afterChange(hold, set),
  };
}
