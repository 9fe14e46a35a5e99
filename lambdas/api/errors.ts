import { ParameterValidationError } from "@aws-lambda-powertools/event-handler/http";
import { EstimateError } from "#core/estimator";
import { RateCardError, UnknownRateCardError } from "#core/rate-card";
import {
  AccountRequiredError,
  BalanceUnknownError,
  UnitMismatchError,
  UnknownAccountError,
} from "#service/errors";
import { InvalidReservationRequestError, StoreConflictError } from "#service/store-port";
import { TestAlertNotSentError } from "#service/test-alert";
import { Problem, problems } from "./problem.ts";

/** AWS SDK errors that mean a dependency is down or throttling, not that the request is wrong. */
const DEPENDENCY_FAULTS = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "InternalServerError",
  "ServiceUnavailable",
  "TimeoutError",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
]);

function isDependencyFault(error: Error): boolean {
  const code = (error as { code?: string }).code;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return (
    DEPENDENCY_FAULTS.has(error.name) ||
    (code !== undefined && DEPENDENCY_FAULTS.has(code)) ||
    (status !== undefined && status >= 500) ||
    error.name === "StoreConflictError" ||
    error.name === "TransactionContentionError" ||
    (error.cause instanceof Error && isDependencyFault(error.cause))
  );
}

/** Maps every error a route can raise to a problem; an unexpected one is a 500 and is logged as a bug. */
export function toProblem(error: unknown): { problem: Problem; unexpected: boolean } {
  if (error instanceof Problem) return { problem: error, unexpected: false };
  if (error instanceof EstimateError) {
    return {
      problem: problems.unprocessable([{ pointer: error.pointer, detail: error.message }], error.message),
      unexpected: false,
    };
  }
  if (error instanceof UnknownRateCardError) {
    return {
      problem: problems.unprocessable([{ pointer: "/rateCard", detail: error.message }], error.message),
      unexpected: false,
    };
  }
  if (error instanceof UnitMismatchError) {
    return {
      problem: problems.unprocessable([{ pointer: "/rateCard", detail: error.message }], error.message),
      unexpected: false,
    };
  }
  if (error instanceof UnknownAccountError) {
    return { problem: problems.notFound("account", error.accountId, error.pointer), unexpected: false };
  }
  if (error instanceof AccountRequiredError) {
    return {
      problem: problems.validation([{ pointer: "/accountId", detail: error.message }], "request body"),
      unexpected: false,
    };
  }
  if (error instanceof InvalidReservationRequestError) {
    return {
      problem: problems.validation([{ pointer: error.pointer, detail: error.message }], "request"),
      unexpected: false,
    };
  }
  if (error instanceof BalanceUnknownError) {
    return {
      problem: problems.conflict("balance-unknown", "Balance unknown", error.message),
      unexpected: false,
    };
  }
  // The router refuses a path parameter that decodes to blanks (`/v1/reservations/%09`): no such resource.
  if (error instanceof ParameterValidationError) {
    return {
      problem: new Problem(
        404,
        "not-found",
        "Not found",
        `The path names no resource: ${error.issues.join("; ")}.`,
      ),
      unexpected: false,
    };
  }
  if (error instanceof TestAlertNotSentError) {
    return { problem: problems.unavailable(`${error.message}; retry shortly.`, 5), unexpected: false };
  }
  if (error instanceof RateCardError) {
    return { problem: problems.unprocessable([], error.message), unexpected: true };
  }
  if (error instanceof StoreConflictError || (error instanceof Error && isDependencyFault(error))) {
    return {
      problem: problems.unavailable("A dependency (the balance store) is unavailable; retry shortly.", 2),
      unexpected: false,
    };
  }
  return {
    problem: new Problem(
      500,
      "internal-error",
      "Internal error",
      "An unexpected error occurred; it has been logged.",
    ),
    unexpected: true,
  };
}
