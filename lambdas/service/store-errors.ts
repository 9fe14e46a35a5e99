export { InvalidReservationRequestError } from "#core/reservation-errors";

/** Concurrent writers kept winning the version race; the caller may retry (HTTP 409/503). */
export class StoreConflictError extends Error {
  override readonly name = "StoreConflictError";
  constructor(
    readonly accountId: string,
    readonly operation: string,
    attempts: number,
  ) {
    super(`${operation} for account ${accountId} lost to concurrent writes ${attempts} times`);
  }
}

/**
 * DynamoDB kept throttling a write (a `ThrottlingError` or `ProvisionedThroughputExceeded` cancellation of a
 * transaction, or a ThrottlingException, ProvisionedThroughputExceededException or RequestLimitExceeded),
 * after the store's own retries with backoff: nothing was written, and the same request may be sent again
 * after `retryAfterSeconds` (HTTP 503 `store-throttled` with Retry-After). A throttle is never an answer about
 * the balance: the per-account state item is in every reserve and settle, a hot key (docs/reservations.md).
 */
export class StoreThrottledError extends Error {
  override readonly name = "StoreThrottledError";
  constructor(
    /** The DynamoDB operation throttled (`TransactWriteItems`, `UpdateItem`, ...). */
    readonly operation: string,
    /** The throttling codes seen: the cancellation reasons' or the exception's name. */
    readonly codes: readonly string[],
    readonly attempts: number,
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(
      `DynamoDB throttled ${operation} (${codes.join(", ")}) ${attempts} times; retry after ${retryAfterSeconds} s`,
      options,
    );
  }
}
