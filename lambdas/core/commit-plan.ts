import type { ForcedCommit } from "./account.ts";
import { budgetEndOf } from "./budget-writes.ts";
import type { BudgetPlanning, ChangePlan, HoldChangeResult, HoldCommit } from "./hold-change.ts";
import type { HoldRecord } from "./hold-record.ts";
import { InvalidReservationRequestError } from "./reservation-errors.ts";
import {
  afterChange,
  type CaptureWrite,
  counterWrite,
  type HoldFields,
  holdChange,
  type ReservationWrite,
} from "./reservation-writes.ts";
import { assertStorableAmount, commitAmounts, heldPart, holdStatus, roundAmount } from "./reservations.ts";
import { ledgerWriteOf } from "./spend-ledger.ts";

/**
 * How a commit treats a part past the held part: `refuse` guards the counter so that the excess must fit in
 * `headroom` (answered exceeds-available when it does not); `record` writes it as is; `{ forced }` writes it
 * and keeps the record on the hold.
 */
export type BeyondHeld = "refuse" | "record" | { forced: ForcedCommit };

/**
 * Raises InvalidReservationRequestError for amounts that cannot be stored, `part` with `totalAmount`, or a
 * partial commit naming neither. Field names are the wire's (`actualAmount` is a commit's part).
 */
export function validateCommit(commit: HoldCommit): void {
  if (commit.part !== undefined) assertStorableAmount("actualAmount", commit.part);
  if (commit.totalAmount !== undefined) assertStorableAmount("totalAmount", commit.totalAmount);
  if (commit.part !== undefined && commit.totalAmount !== undefined) {
    throw new InvalidReservationRequestError(
      "totalAmount",
      "cannot be given with actualAmount: give the part (actualAmount) or the job's whole cost (totalAmount)",
    );
  }
  if (commit.part === undefined && commit.totalAmount === undefined && !commit.final) {
    throw new InvalidReservationRequestError(
      "actualAmount",
      "is required for a partial commit (final: false), or totalAmount",
    );
  }
}

/** How the first attempt of `commit` treats a part past the held part. */
export function firstBeyondHeld(commit: HoldCommit): BeyondHeld {
  const bounded = commit.beyondAvailable === undefined || typeof commit.beyondAvailable === "object";
  return bounded ? "refuse" : "record";
}

/**
 * The record a forced commit keeps, from the refused attempt that measured how far past the bound it was;
 * undefined when `refused` is not such a refusal or the commit is not forced.
 */
export function forcedRecordOf(
  commit: HoldCommit,
  refused: HoldChangeResult,
  now: Date,
): ForcedCommit | undefined {
  const force = commit.beyondAvailable;
  if (refused.kind !== "exceeds-available" || typeof force !== "object") return undefined;
  const { held, available, asked, allowed } = refused;
  return { by: force.forcedBy, at: now.toISOString(), held, available, asked, allowed };
}

/**
 * A commit on the hold as read: a replay (the same final commit again), a conflict (not held, or another
 * final), or its writes: the hold's change, a capture item for a part above 0, its spend ledger entry
 * (core/spend-ledger.ts), the counter change, and its budget's when it has one (a commit is never refused by
 * its budget: HeyGen has charged it). Raises
 * InvalidReservationRequestError when `totalAmount` is below what is already committed.
 */
export function planCommit(
  hold: HoldRecord,
  now: Date,
  commit: HoldCommit,
  beyond: BeyondHeld,
  budget?: BudgetPlanning,
): ChangePlan {
  if (holdStatus(hold, now) !== "held") return repeatsFinalCommit(hold, commit) ? "replay" : "conflict";
  const committed = hold.committedAmount ?? 0;
  let part = commit.part;
  if (commit.totalAmount !== undefined) {
    part = roundAmount(commit.totalAmount - committed);
    if (part < 0) {
      throw new InvalidReservationRequestError(
        "totalAmount",
        `is below what is already committed (${committed}); totalAmount is the job's whole cost`,
      );
    }
  }
  const amounts = commitAmounts(hold, part, commit.final);
  const pastHeld = amounts.reservedDelta > 0;
  const forced = typeof beyond === "object" && pastHeld ? beyond.forced : undefined;
  const committedAt = now.toISOString();
  const set: HoldFields = {
    committedAmount: amounts.committedAmount,
    committedAt,
    captures: hold.captures + 1,
  };
  // What the final commit named of its own (a total's part), so that the same request repeated replays.
  if (commit.final) {
    set.status = "committed";
    set.finalPart = commit.totalAmount !== undefined ? amounts.part : (commit.part ?? null);
  }
  if (commit.basis !== undefined) set.commitBasis = commit.basis;
  if (forced !== undefined) set.forced = forced;
  const writes: ReservationWrite[] = [holdChange(hold, now, set, { endsCount: commit.final })];
  if (amounts.part > 0) writes.push(captureOf(hold, set.captures ?? 0, amounts.part, committedAt));
  const billed = commit.billed;
  writes.push(
    ledgerWriteOf(hold, {
      part: amounts.part,
      final: commit.final,
      set,
      at: committedAt,
      ...(billed ? { billed } : {}),
    }),
  );
  const guarded = beyond === "refuse" && pastHeld;
  writes.push(counterWrite(hold.accountId, amounts.reservedDelta, commit.final ? -1 : 0, guarded));
  writes.push(...budgetEndOf(hold, amounts.part, commit.final, now, budget));
  return {
    writes,
    after: afterChange(hold, set),
    ...(guarded
      ? { required: amounts.reservedDelta, bound: { held: heldPart(hold), asked: amounts.part } }
      : {}),
  };
}

/** A final commit repeated on the hold it committed: the same total, or the same part named (or none). */
function repeatsFinalCommit(hold: HoldRecord, commit: HoldCommit): boolean {
  if (!commit.final || hold.status !== "committed") return false;
  return commit.totalAmount !== undefined
    ? roundAmount(hold.committedAmount ?? 0) === roundAmount(commit.totalAmount)
    : (hold.finalPart ?? null) === (commit.part ?? null);
}

/** The capture item of committed part `n`. */
export function captureOf(hold: HoldRecord, n: number, amount: number, committedAt: string): CaptureWrite {
  return { write: "capture", hold, n, amount, committedAt };
}
