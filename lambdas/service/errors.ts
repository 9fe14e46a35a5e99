/** Use-case errors; the API maps each to its problem type (lambdas/api/errors.ts). */

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
  constructor(readonly known: string[]) {
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
