import { budgetRaise } from "./budget-writes.ts";
import type { ChangePlan, HoldExtension } from "./hold-change.ts";
import type { HoldRecord } from "./hold-record.ts";
import { InvalidReservationRequestError } from "./reservation-errors.ts";
import { afterChange, counterWrite, holdChange } from "./reservation-writes.ts";
import { assertStorableAmount, heldPart, holdStatus, roundAmount } from "./reservations.ts";

/** Raises InvalidReservationRequestError for an amount that cannot be stored or a ttlSeconds not a positive integer. */
export function validateExtension(extension: HoldExtension): void {
  if (extension.amount !== undefined) assertStorableAmount("amount", extension.amount);
  const ttl = extension.ttlSeconds;
  if (ttl !== undefined && (!Number.isInteger(ttl) || ttl <= 0)) {
    throw new InvalidReservationRequestError("ttlSeconds", "must be a positive whole number of seconds");
  }
}

/**
 * An extend on the hold as read: a conflict unless held, else the new amount and expiry, the raise taken from
 * headroom (guarded: answered insufficient when it does not fit) and, for a budgeted hold, from its budget as a
 * new hold would be (refused once its period has ended: "budget-period-ended"). The amount never goes down: raises
 * InvalidReservationRequestError `amount` below the current one.
 */
export function planExtend(hold: HoldRecord, now: Date, extension: HoldExtension): ChangePlan {
  if (holdStatus(hold, now) !== "held") return "conflict";
  const amount = extension.amount ?? hold.amount;
  if (amount < hold.amount) {
    throw new InvalidReservationRequestError("amount", `must be at least the current amount ${hold.amount}`);
  }
  const expiresAtMs =
    extension.ttlSeconds === undefined ? hold.expiresAtMs : now.getTime() + extension.ttlSeconds * 1000;
  const set = { amount, expiresAtMs };
  const after = afterChange(hold, set);
  const increase = roundAmount(heldPart(after) - heldPart(hold));
  const writes = [
    holdChange(hold, now, set, { endsCount: false, newExpiresAtMs: expiresAtMs }),
    counterWrite(hold.accountId, increase, 0, increase > 0),
  ];
  const period = hold.budget;
  const raise = period && budgetRaise(hold.accountId, period, increase, amount, now);
  if (raise === "period-ended") return "budget-period-ended";
  if (raise === undefined || period === undefined) return { writes, after, required: increase };
  return {
    writes: [...writes, raise],
    after,
    required: increase,
    budgetRaise: { period, increase, amount },
  };
}
