import { type BudgetRefusal, budgetRefusalReason } from "#core/budget";
import type { PointedIssue } from "#core/zod-issues";

/** Use-case errors: what a use case refuses, in its own words; the API maps each to its problem type (lambdas/api/errors.ts). */

export class UnknownAccountError extends Error {
  override readonly name = "UnknownAccountError";
  constructor(
    readonly accountId: string,
    readonly pointer: string,
  ) {
    super(`unknown account "${accountId}"`);
  }
}

/** `accountId` omitted while several accounts are configured. */
export class AccountRequiredError extends Error {
  override readonly name = "AccountRequiredError";
  constructor(
    readonly known: string[],
    /** Where `accountId` goes: `/accountId` in a body, `/query/accountId` in a listing's query. */
    readonly pointer = "/accountId",
  ) {
    super(`accountId is required when several accounts are configured (${known.join(", ")})`);
  }
}

/** The rate card counts in another unit than the account's balance, so the two cannot be compared. */
export class UnitMismatchError extends Error {
  override readonly name = "UnitMismatchError";
  constructor(
    readonly cardId: string,
    readonly cardUnit: string,
    readonly balanceUnit: string,
  ) {
    super(
      `rate card "${cardId}" counts in ${cardUnit} but the account's balance is in ${balanceUnit}; choose a ${balanceUnit} card`,
    );
  }
}

/**
 * A job whose type draws on another HeyGen pool than the one the account's balance is recorded in
 * (`spendPoolByJobType`, field case G8): its credit is not in that balance, so it can be neither checked nor
 * held against it. `pointer` is the job's `type` (`/type`, `/jobs/1/type`).
 */
export class SpendPoolMismatchError extends Error {
  override readonly name = "SpendPoolMismatchError";
  constructor(
    readonly accountId: string,
    readonly pointer: string,
    readonly jobType: string,
    readonly jobPool: string,
    readonly balancePool: string,
  ) {
    super(
      `jobs of type ${jobType} draw on the ${jobPool} pool (spendPoolByJobType of account "${accountId}"), but ` +
        `its balance is recorded in ${balancePool} (its spendPool); check or hold them on an account entry ` +
        `whose spendPool is ${jobPool}`,
    );
  }
}

/** No usable balance to hold against (never read, or stale and HeyGen could not be reached). */
export class BalanceUnknownError extends Error {
  override readonly name = "BalanceUnknownError";
  constructor(
    readonly accountId: string,
    reason: string,
  ) {
    super(`the balance of account "${accountId}" is unknown: ${reason}`);
  }
}

/** One invalid field of a request: a JSON pointer (RFC 6901) into the body or a parameter, and why. */
export type FieldIssue = PointedIssue;

/** A request the use case cannot apply as given (a rule beyond its schema, or the store refused a field). */
export class InvalidRequestError extends Error {
  override readonly name = "InvalidRequestError";
  constructor(
    readonly fields: FieldIssue[],
    /** What was invalid, for the message: `request body`, `request`, `webhook event`. */
    readonly where = "request",
  ) {
    super(`the ${where} is invalid: ${fields.map((f) => `${f.pointer || "/"} ${f.detail}`).join("; ")}`);
  }
}

/** A body that is not JSON (HeyGen's webhook body is parsed only after its signature is checked). */
export class MalformedJsonError extends Error {
  override readonly name = "MalformedJsonError";
}

/** A webhook delivery without a valid signature; says nothing of why, so a forger learns nothing. */
export class UnauthenticatedError extends Error {
  override readonly name = "UnauthenticatedError";
  constructor() {
    super("the request is not authenticated");
  }
}

/**
 * A webhook delivery with no signature at all: HeyGen does not sign what it posts to a job's own
 * `callback_url` (docs/heygen-facts.md#unsigned-callback_url-deliveries), so this is most likely a pipeline pointing `callback_url` at the guard. Its
 * refusal says so, and how to fix it, which a bad signature's never does (docs/webhooks.md).
 */
export class UnsignedDeliveryError extends Error {
  override readonly name = "UnsignedDeliveryError";
  constructor() {
    super("the webhook delivery is unsigned");
  }
}

/** No reservation of a configured account has this id. */
export class UnknownReservationError extends Error {
  override readonly name = "UnknownReservationError";
  constructor(
    readonly reservationId: string,
    readonly pointer = "/path/id",
  ) {
    super(`unknown reservation "${reservationId}"`);
  }
}

/** A hold or raise that does not fit in `available`. Amounts in `unit` (usd or credits). */
export class InsufficientBalanceError extends Error {
  override readonly name = "InsufficientBalanceError";
  constructor(
    readonly required: number,
    readonly available: number,
    readonly shortfall: number,
    readonly unit: string,
  ) {
    super(`the hold needs ${required} ${unit} but only ${available} ${unit} is available`);
  }
}

/**
 * A commit past the hold plus what is available, not forced: nothing was written. Amounts in `unit`; `allowed`
 * = held + max(0, available); `field` is the body field that asked it (actualAmount or totalAmount).
 */
export class CommitExceedsAvailableError extends Error {
  override readonly name = "CommitExceedsAvailableError";
  constructor(
    readonly held: number,
    readonly available: number,
    readonly asked: number,
    readonly allowed: number,
    readonly unit: string,
    readonly field: "actualAmount" | "totalAmount" = "actualAmount",
  ) {
    super(`the commit asks ${asked} ${unit} but at most ${allowed} ${unit} may be recorded`);
  }
}

/** The Idempotency-Key was used within 24 h with another request. */
export class IdempotencyKeyReusedError extends Error {
  override readonly name = "IdempotencyKeyReusedError";
  constructor() {
    super("the Idempotency-Key was used with another request");
  }
}

/** What a reservation conflict names of the hold as recorded. */
export interface ConflictingReservation {
  id: string;
  status: string;
  amount: number;
  committedAmount: number;
  actualAmount?: number;
}

/** The commit, release or extend cannot apply to the reservation as recorded (its state, or another amount). */
export class ReservationConflictError extends Error {
  override readonly name = "ReservationConflictError";
  constructor(
    /** `committed`, `released` or `extended`: what the request asked the hold to be. */
    readonly action: string,
    readonly reservation: ConflictingReservation,
  ) {
    const r = reservation;
    super(
      `Reservation ${r.id} is ${r.status} (amount ${r.amount}, committed ${r.committedAmount}); it cannot be ${action}.`,
    );
  }
}

/** A dependency (the balance store) is down, throttling or kept losing write races; a retry may succeed. */
export class DependencyUnavailableError extends Error {
  override readonly name = "DependencyUnavailableError";
  constructor(
    readonly dependency: string,
    options?: ErrorOptions,
  ) {
    super(`a dependency (${dependency}) is unavailable`, options);
  }
}

/** The account has no budget of that id. */
export class UnknownBudgetError extends Error {
  override readonly name = "UnknownBudgetError";
  constructor(
    readonly accountId: string,
    readonly budgetId: string,
    /** Where the id was given: the path, or a body's `budget`. */
    readonly pointer = "/path/budgetId",
  ) {
    super(`account "${accountId}" has no budget "${budgetId}"`);
  }
}

/** A budget with holds still open cannot be deleted: their commits and releases would have nowhere to go. */
export class BudgetInUseError extends Error {
  override readonly name = "BudgetInUseError";
  constructor(
    readonly budgetId: string,
    readonly openHolds: number,
  ) {
    super(
      `budget "${budgetId}" has ${openHolds} open hold${openHolds === 1 ? "" : "s"}: release or commit them first`,
    );
  }
}

/** The account's kill switch is on: no new hold until it is resumed (POST /v1/accounts/{id}/resume). */
export class AccountPausedError extends Error {
  override readonly name = "AccountPausedError";
  constructor(
    readonly accountId: string,
    readonly reason: string,
  ) {
    super(`account "${accountId}" is paused: ${reason}`);
  }
}

/** The caller's IAM principal is outside the account's `access` rule or the budget's `principals`. */
export class AccessDeniedError extends Error {
  override readonly name = "AccessDeniedError";
  constructor(
    readonly accountId: string,
    readonly principal: string,
    readonly budgetId?: string,
  ) {
    super(
      budgetId === undefined
        ? `${principal} may not use account "${accountId}" (its access rule)`
        : `${principal} may not use budget "${budgetId}" of account "${accountId}" (its principals)`,
    );
  }
}

/** Every render slot is taken: the account's maxConcurrentJobs or the budget's maxConcurrentHolds. */
export class NoFreeSlotError extends Error {
  override readonly name = "NoFreeSlotError";
  constructor(
    readonly scope: "account" | "budget",
    readonly id: string,
    readonly limit: number,
    readonly openHolds: number,
    /** How long a caller should wait before trying again (Retry-After). */
    readonly retryAfterSeconds: number,
  ) {
    super(
      `every render slot of ${scope} "${id}" is taken (${openHolds} open of ${limit}); one frees when a hold is committed, released or expires`,
    );
  }
}

/**
 * A budget refuses the hold (core/budget.ts budgetRefusal): paused, over its cap per job, or over its period's
 * limit (a full budget's slots are NoFreeSlotError). Amounts in `unit`, the account's.
 */
export class BudgetRefusedError extends Error {
  override readonly name = "BudgetRefusedError";
  constructor(
    readonly refusal: Exclude<BudgetRefusal, { type: "no-free-slot" }>,
    readonly unit: string,
  ) {
    super(budgetRefusalReason(refusal, unit));
  }
}

/** A raise of a hold whose budget period has ended: it would count in no period. */
export class BudgetPeriodEndedError extends Error {
  override readonly name = "BudgetPeriodEndedError";
  constructor(
    readonly reservationId: string,
    readonly budgetId: string,
  ) {
    super(
      `reservation ${reservationId} was reserved through budget "${budgetId}" in a period that has ended, so it cannot be raised; reserve again for more`,
    );
  }
}
