import { isServerError, isThrottlingError, isTransientError } from "@smithy/core/retry";
import { DependencyUnavailableError, InvalidRequestError } from "./errors.ts";
import { InvalidReservationRequestError, StoreConflictError, StoreThrottledError } from "./store-errors.ts";

/**
 * A use case the API calls: the store's errors leave it as use-case errors (lambdas/service/errors.ts), so
 * the API knows no store. A field the store refuses is an InvalidRequestError; lost write races and a store
 * that is down or unreachable are a DependencyUnavailableError; a store that kept throttling stays the
 * port's StoreThrottledError (its own 503, with the store's Retry-After); anything else passes unchanged
 * (a use-case error, or a bug the API answers 500).
 *
 * Every use case is declared `export const name = /* @__PURE__ *\/ useCase(...)`: esbuild keeps a top-level
 * call it cannot prove pure, so without the mark each Lambda bundled every use case, called or not (the
 * webhook function 296 → 269 KB; test/unit/service/use-case-marks.test.ts keeps every call marked).
 */
export function useCase<Args extends unknown[], Result>(
  run: (...args: Args) => Promise<Result>,
): (...args: Args) => Promise<Result> {
  return async (...args) => {
    try {
      return await run(...args);
    } catch (error) {
      throw asUseCaseError(error);
    }
  };
}

/** The use-case error a store error means; other errors unchanged. */
function asUseCaseError(error: unknown): unknown {
  // Before the fault check, which would take it for its cause (a throttling exception).
  if (error instanceof StoreThrottledError) return error;
  if (error instanceof InvalidReservationRequestError) {
    return new InvalidRequestError([{ pointer: error.pointer, detail: error.message }]);
  }
  if (error instanceof Error && isDependencyFault(error)) {
    return new DependencyUnavailableError("the balance store", { cause: error });
  }
  return error;
}

/**
 * Throttling, a 5xx, a timeout or a dropped connection, as the AWS SDK's own retry classifies them
 * (the SDK's own classifiers, `@smithy/core/retry`, which also follow `cause`); and the store's lost write races:
 * StoreConflictError, and the transaction helper's TransactionContentionError (lambdas/store/
 * conditional-write.ts), recognised by name so that use cases import no store.
 */
function isDependencyFault(error: Error): boolean {
  // Any error may carry the SDK's members ($metadata, $retryable); the classifiers read them when present.
  const sdk = error as Parameters<typeof isTransientError>[0];
  return (
    error instanceof StoreConflictError ||
    error.name === "TransactionContentionError" ||
    isThrottlingError(sdk) ||
    isTransientError(sdk) ||
    isServerError(sdk)
  );
}
