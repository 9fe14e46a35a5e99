import { ParameterValidationError, type Router } from "@aws-lambda-powertools/event-handler/http";
import { EstimateError } from "#core/estimator";
import { RateCardError, UnknownRateCardError } from "#core/rate-card";
import {
  AccessDeniedError,
  AccountPausedError,
  AccountRequiredError,
  BalanceUnknownError,
  BudgetInUseError,
  BudgetPeriodEndedError,
  BudgetRefusedError,
  CommitExceedsAvailableError,
  DependencyUnavailableError,
  IdempotencyKeyReusedError,
  InsufficientBalanceError,
  InvalidRequestError,
  MalformedJsonError,
  NoFreeSlotError,
  ReservationConflictError,
  SpendPoolMismatchError,
  UnauthenticatedError,
  UnitMismatchError,
  UnknownAccountError,
  UnknownBudgetError,
  UnknownReservationError,
  UnsignedDeliveryError,
} from "#service/errors";
import { StoreThrottledError } from "#service/store-errors";
import { TestAlertNotSentError } from "#service/test-alert";
import { Problem, type ProblemContext, problemContextOf, problems } from "./problem.ts";
import { methodsAt, routeNameOf } from "./route-list.ts";

/** Where an unexpected error happened: what its log line must carry so that the 500 can be traced. */
export interface ErrorSite {
  /** API Gateway's request id: the problem's `instance`, which the caller was answered with. */
  requestId: string;
  /** `METHOD /template`, e.g. `GET /v1/accounts/{id}/history` (route-list.ts routeNameOf). */
  route: string;
}

/** Hooks for what the API reports beyond its answers (metrics in Lambda, nothing locally). */
export interface ApiObserver {
  checkDecided?(decision: string): void;
  /** A bug (answered 500, or a card that does not validate): log it with `site`, so the answer can be traced. */
  unexpectedError?(error: unknown, site: ErrorSite): void;
  /** A webhook delivery with no signature was refused (a job's callback_url pointed at the guard). */
  unsignedDelivery?(): void;
}

type ErrorClass<E extends Error> = new (...args: never[]) => E;

/** The problem each error a route can raise is answered with, one entry per error class. */
const PROBLEM_OF: [ErrorClass<Error>, (error: never) => Problem][] = [];
function problemFor<E extends Error>(type: ErrorClass<E>, toProblem: (error: E) => Problem): void {
  PROBLEM_OF.push([type, toProblem as (error: never) => Problem]);
}

problemFor(Problem, (problem) => problem);
problemFor(InvalidRequestError, (error) => problems.validation(error.fields, error.where));
problemFor(AccountRequiredError, (error) =>
  problems.validation(
    [{ pointer: error.pointer, detail: error.message }],
    error.pointer.startsWith("/query/") ? "query" : "request body",
  ),
);
problemFor(MalformedJsonError, (error) => problems.malformedJson(error.message));
problemFor(UnauthenticatedError, () => problems.unauthorized());
problemFor(UnknownAccountError, (error) => problems.notFound("account", error.accountId, error.pointer));
problemFor(
  AccountPausedError,
  (error) =>
    new Problem("paused", `${error.message}; resume it to reserve again.`, [], { reason: error.reason }),
);
/** Answered by its own handler below, after the denial's audit entry is written. */
const forbidden = (error: AccessDeniedError) =>
  new Problem("forbidden", `${error.message}.`, [], {
    account: error.accountId,
    ...(error.budgetId !== undefined ? { budget: error.budgetId } : {}),
    principal: error.principal,
  });
problemFor(
  NoFreeSlotError,
  (error) =>
    new Problem(
      "no-free-slot",
      `${error.message}; retry after ${error.retryAfterSeconds} s.`,
      [],
      { scope: error.scope, [error.scope]: error.id, limit: error.limit, openHolds: error.openHolds },
      { "retry-after": String(error.retryAfterSeconds) },
    ),
);
problemFor(UnknownBudgetError, (error) => problems.notFound("budget", error.budgetId, error.pointer));
problemFor(BudgetRefusedError, (error) => {
  const { type, budgetId, ...details } = error.refusal;
  const extensions = { budget: budgetId, ...details, ...(type === "paused" ? {} : { unit: error.unit }) };
  return new Problem(type, `${error.message}.`, [], extensions);
});
problemFor(
  BudgetPeriodEndedError,
  (error) => new Problem("budget-period-ended", `${error.message}.`, [], { budget: error.budgetId }),
);
problemFor(
  BudgetInUseError,
  (error) => new Problem("budget-in-use", `${error.message}.`, [], { openHolds: error.openHolds }),
);
problemFor(UnknownReservationError, (error) =>
  problems.notFound("reservation", error.reservationId, error.pointer),
);
// The router refuses a path parameter that decodes to blanks (`/v1/reservations/%09`): no such resource.
problemFor(
  ParameterValidationError,
  (error) => new Problem("not-found", `The path names no resource: ${error.issues.join("; ")}.`),
);
problemFor(EstimateError, (error) =>
  problems.unprocessable([{ pointer: error.pointer, detail: error.message }], error.message),
);
problemFor(UnknownRateCardError, (error) =>
  problems.unprocessable([{ pointer: "/rateCard", detail: error.message }], error.message),
);
problemFor(UnitMismatchError, (error) =>
  problems.unprocessable([{ pointer: "/rateCard", detail: error.message }], error.message),
);
problemFor(SpendPoolMismatchError, (error) =>
  problems.unprocessable([{ pointer: error.pointer, detail: error.message }], error.message),
);
problemFor(InsufficientBalanceError, (error) => problems.insufficientBalance(error));
problemFor(IdempotencyKeyReusedError, () => problems.idempotencyKeyReused());
problemFor(CommitExceedsAvailableError, (error) => problems.commitExceedsAvailable(error));
problemFor(ReservationConflictError, (error) =>
  problems.reservationConflict(error.message, error.reservation),
);
problemFor(BalanceUnknownError, (error) => new Problem("balance-unknown", error.message));
problemFor(TestAlertNotSentError, (error) => problems.unavailable(`${error.message}; retry shortly.`, 5));
// A throttle is not a denial (field case G7): 503 whatever the route, so a pipeline retries it.
problemFor(StoreThrottledError, (error) =>
  problems.storeThrottled(
    "The balance store (DynamoDB) is throttling writes; nothing was written. Retry shortly with the same Idempotency-Key.",
    error.retryAfterSeconds,
  ),
);
problemFor(DependencyUnavailableError, () =>
  problems.unavailable("A dependency (the balance store) is unavailable; retry shortly.", 2),
);

/** Errors that are answered but are still bugs to look at: a built-in card that does not validate. */
const UNEXPECTED: ErrorClass<Error>[] = [RateCardError];

/**
 * Registers the router's error handlers: one per error class above (the router picks the handler of the
 * error's class, else of a parent class), the router's own 404 and 405, and a 500 for anything else,
 * reported to `observer` as a bug. Every problem carries the request's id as `instance`.
 */
export function registerErrorHandlers(
  app: Router,
  observer: ApiObserver,
  /** Records a 403 forbidden (the audit entry); it must not raise. The problem is answered after it. */
  recordDenial?: (denial: AccessDeniedError, request: { method: string; path: string }) => Promise<void>,
): void {
  const contextOf = ({ event }: { event: unknown }): ProblemContext =>
    problemContextOf(event as Parameters<typeof problemContextOf>[0]);
  const siteOf = (reqCtx: { event: unknown; req: Request }): ErrorSite => ({
    requestId: contextOf(reqCtx).requestId,
    route: routeNameOf(reqCtx.req.method, new URL(reqCtx.req.url).pathname),
  });
  for (const [type, toProblem] of PROBLEM_OF) {
    app.errorHandler(type, async (error, reqCtx) => toProblem(error as never).toResponse(contextOf(reqCtx)));
  }
  app.errorHandler(AccessDeniedError, async (error, reqCtx) => {
    const request = { method: reqCtx.req.method, path: new URL(reqCtx.req.url).pathname };
    await recordDenial?.(error, request);
    return forbidden(error).toResponse(contextOf(reqCtx));
  });
  // Counted apart from forgeries: each one is a pipeline whose holds will not settle until it is fixed.
  app.errorHandler(UnsignedDeliveryError, async (_error, reqCtx) => {
    observer.unsignedDelivery?.();
    return problems.unsignedDelivery().toResponse(contextOf(reqCtx));
  });
  app.errorHandler(UNEXPECTED, async (error, reqCtx) => {
    observer.unexpectedError?.(error, siteOf(reqCtx));
    return problems.unprocessable([], error.message).toResponse(contextOf(reqCtx));
  });
  // The router knows routes by method, so a known path asked with another method lands here too. In AWS,
  // API Gateway answers such requests itself (only declared routes reach the Lambda); locally this does.
  app.notFound(async (_error, reqCtx) => {
    const path = new URL(reqCtx.req.url).pathname;
    const allowed = methodsAt(path);
    const problem = allowed.length
      ? problems.methodNotAllowed(reqCtx.req.method, path, allowed)
      : problems.routeNotFound(reqCtx.req.method, path);
    return problem.toResponse(contextOf(reqCtx));
  });
  app.methodNotAllowed(async (_error, reqCtx) =>
    problems
      .methodNotAllowed(reqCtx.req.method, new URL(reqCtx.req.url).pathname)
      .toResponse(contextOf(reqCtx)),
  );
  app.errorHandler(Error, async (error, reqCtx) => {
    observer.unexpectedError?.(error, siteOf(reqCtx));
    return problems.internal().toResponse(contextOf(reqCtx));
  });
}
