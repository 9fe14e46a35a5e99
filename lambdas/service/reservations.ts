import type { AccountConfig } from "#config/config";
import type { ReleaseReason } from "#core/account";
import { holdLabels, labelFilterOf } from "#core/labels";
import type { ReservationView } from "#core/reservations";
import { resolveAccount, resolveReservationAccount } from "./accounts.ts";
import type { BalanceReader } from "./balance-reader.ts";
import { budgetOfRequest } from "./budgets.ts";
import { readBalanceAfterCreditFailure } from "./credit-failure.ts";
import {
  BudgetPeriodEndedError,
  BudgetRefusedError,
  CommitExceedsAvailableError,
  IdempotencyKeyReusedError,
  InsufficientBalanceError,
  InvalidRequestError,
  ReservationConflictError,
  UnknownReservationError,
} from "./errors.ts";
import { alertForcedCommit } from "./forced-commit-alert.ts";
import { commitReservation, extendReservation, releaseReservation } from "./hold-changes.ts";
import { keyUse } from "./idempotency-key.ts";
import type {
  HoldChangeResult,
  HoldCommit,
  HoldExtension,
  HoldPage,
  ReservationQuery,
} from "./reservation-port.ts";
import { type HoldAnswer, type HoldCreditRequest, reserveCredit } from "./reserve-credit.ts";
import type { Services } from "./services.ts";
import { useCase } from "./use-case.ts";

export type { HoldAnswer, HoldCreditRequest } from "./reserve-credit.ts";

/** `ttlSeconds` within `reservations.maxTtlSeconds` (a hold that outlives it would block credit too long). */
function checkTtl(services: Services, ttlSeconds: number | undefined): void {
  const max = services.config.reservations.maxTtlSeconds;
  if (ttlSeconds !== undefined && ttlSeconds > max) {
    throw new InvalidRequestError(
      [{ pointer: "/ttlSeconds", detail: `must be at most ${max}` }],
      "request body",
    );
  }
}

/**
 * Use case `POST /v1/reservations`: holds `amount` (or the estimate of a job spec) on the account, in its
 * balance unit. Raises InvalidRequestError (ttlSeconds above the maximum), UnknownAccountError,
 * AccountRequiredError, BalanceUnknownError, InsufficientBalanceError, IdempotencyKeyReusedError,
 * DependencyUnavailableError, SpendPoolMismatchError (a job of another pool than the recorded balance's: 422
 * naming its `type`), AccessDeniedError (the account's `access` rule leaves `caller` out).
 */
export const holdCredit = /* @__PURE__ */ useCase(
  async (
    services: Services,
    reader: BalanceReader,
    request: HoldCreditRequest,
    /** The Idempotency-Key, fingerprinted with the body as sent (the same key with another body is refused). */
    idempotency: { key: string | undefined; sentBody: unknown },
    /** The caller's IAM principal: checked against the account's and budget's rules, recorded on the hold. */
    caller: string,
  ): Promise<HoldAnswer> => {
    const { accountId, labels: asked, ...credit } = request;
    checkTtl(services, credit.ttlSeconds);
    const account = resolveAccount(services, accountId, "/accountId", caller);
    const budget = await budgetOfRequest(services, account.id, credit.budget, caller);
    const labels = holdLabels(asked, budget?.labels);
    return reserveCredit(
      services,
      reader,
      account,
      credit,
      keyUse(idempotency.key, "reserve", idempotency.sentBody),
      { principal: caller, ...(budget ? { budget } : {}), ...(labels ? { labels } : {}) },
    );
  },
);

/**
 * Use case `GET /v1/reservations/{id}`: the reservation as it is now. Raises UnknownReservationError,
 * AccessDeniedError (its account's `access` rule leaves `caller` out).
 */
export const getReservation = /* @__PURE__ */ useCase(
  async (services: Services, reservationId: string, caller: string): Promise<ReservationView> => {
    resolveReservationAccount(services, reservationId, caller);
    const found = await services.store.getReservation(reservationId, services.now());
    if (!found) throw new UnknownReservationError(reservationId);
    return found;
  },
);

/** A commit's body as the API validated it (schemas.ts CommitRequest). */
export interface CommitBody {
  actualAmount?: number | undefined;
  totalAmount?: number | undefined;
  final: boolean;
  force?: boolean | undefined;
}

/**
 * What a commit, release or extend asks of a hold (its body, validated by its schema), and who asks
 * (`caller`, the IAM principal: the account's `access` rule decides; a forced commit records it on the hold).
 */
export type HoldChangeRequest = { caller: string } & (
  | { action: "commit"; commit: CommitBody }
  | { action: "release"; reason?: ReleaseReason | undefined }
  | { action: "extend"; extend: HoldExtension }
);

const CHANGED_AS = { commit: "committed", release: "released", extend: "extended" } as const;

/**
 * Use case `POST /v1/reservations/{id}/commit|release|extend`: applies the request to the hold, once per
 * Idempotency-Key (a repeat answers the first answer, `replayed`). An extend's `ttlSeconds` is at most
 * `reservations.maxTtlSeconds`. A release's `reason` is recorded on the hold; `insufficient_credit` also reads
 * the balance at once (readAfterCreditRefusal), before the answer. Raises UnknownReservationError,
 * InvalidRequestError, ReservationConflictError (the hold's state does not allow it), InsufficientBalanceError
 * (a raise that does not fit), CommitExceedsAvailableError, IdempotencyKeyReusedError,
 * DependencyUnavailableError, AccessDeniedError.
 */
export const changeHold = /* @__PURE__ */ useCase(
  async (
    services: Services,
    reservationId: string,
    request: HoldChangeRequest,
    idempotencyKey: string | undefined,
  ): Promise<HoldAnswer> => {
    const account = resolveReservationAccount(services, reservationId, request.caller);
    const result = await applyChange(services, account, reservationId, request, idempotencyKey);
    if (result.kind !== "ok") throw changeRefusal(reservationId, request, result);
    if (result.forced) await alertForcedCommit(services, account, result.view, result.forced);
    return { reservation: result.view, replayed: result.replayed };
  },
);

async function applyChange(
  services: Services,
  account: AccountConfig,
  reservationId: string,
  request: HoldChangeRequest,
  idempotencyKey: string | undefined,
): Promise<HoldChangeResult> {
  switch (request.action) {
    case "commit": {
      const key = keyUse(idempotencyKey, "commit", request.commit);
      return commitReservation(
        services,
        account,
        reservationId,
        commitOf(request.commit, request.caller),
        key,
      );
    }
    case "release": {
      // Without a reason the fingerprint is the one releases had before reasons existed.
      const key = keyUse(idempotencyKey, "release", request.reason ? { reason: request.reason } : {});
      const result = await releaseReservation(services, account, reservationId, key, request.reason);
      if (request.reason === "insufficient_credit") {
        await readAfterCreditRefusal(services, account, reservationId, result);
      }
      return result;
    }
    case "extend": {
      checkTtl(services, request.extend.ttlSeconds);
      const key = keyUse(idempotencyKey, "extend", request.extend);
      return extendReservation(services, account, reservationId, request.extend, key);
    }
  }
}

/** The use-case error of a change the store did not make. */
function changeRefusal(
  reservationId: string,
  request: HoldChangeRequest,
  result: Exclude<HoldChangeResult, { kind: "ok" }>,
): Error {
  switch (result.kind) {
    case "not_found":
      return new UnknownReservationError(reservationId);
    case "conflict":
      return new ReservationConflictError(CHANGED_AS[request.action], result.view);
    case "key-reused":
      return new IdempotencyKeyReusedError();
    case "exceeds-available":
      return new CommitExceedsAvailableError(
        result.held,
        result.available,
        result.asked,
        result.allowed,
        result.unit ?? "",
        request.action === "commit" && request.commit.totalAmount !== undefined
          ? "totalAmount"
          : "actualAmount",
      );
    case "insufficient":
      return new InsufficientBalanceError(
        result.required,
        result.available,
        result.shortfall,
        result.unit ?? "",
      );
    case "budget-refused":
      return new BudgetRefusedError(result.refusal, result.unit ?? "");
    case "budget-period-ended":
      return new BudgetPeriodEndedError(reservationId, result.budgetId);
  }
}

/**
 * A release that says HeyGen refused the job for lack of credit reads the balance at once (as a credit-failure
 * webhook does), so the exhausted/critical alert goes out now: when this request released the hold, or found
 * it expired (the refusal is news all the same). A replay does not read again: its first request did.
 */
async function readAfterCreditRefusal(
  services: Services,
  account: AccountConfig,
  reservationId: string,
  result: HoldChangeResult,
): Promise<void> {
  const fresh =
    (result.kind === "ok" && !result.replayed) ||
    (result.kind === "conflict" && result.view.status === "expired");
  if (fresh) await readBalanceAfterCreditFailure(services, account, reservationId);
}

/** The hold commit of an API commit body: `force` becomes a forced commit by `caller`. */
function commitOf(body: CommitBody, caller: string): HoldCommit {
  return {
    final: body.final,
    ...(body.actualAmount !== undefined ? { part: body.actualAmount } : {}),
    ...(body.totalAmount !== undefined ? { totalAmount: body.totalAmount } : {}),
    ...(body.force ? { beyondAvailable: { forcedBy: caller } } : {}),
  };
}

/**
 * Use case `GET /v1/reservations`: one page of an account's reservations, newest first. Raises
 * UnknownAccountError, AccountRequiredError, InvalidRequestError (a cursor not of this listing),
 * AccessDeniedError.
 */
export const listAccountReservations = /* @__PURE__ */ useCase(
  async (
    services: Services,
    query: Omit<ReservationQuery, "labels"> & { accountId?: string | undefined } & Record<string, unknown>,
    caller: string,
  ): Promise<HoldPage> => {
    const { accountId, status, limit, cursor } = query;
    const account = resolveAccount(services, accountId, "/query/accountId", caller);
    const labels = labelFilterOf(query as Record<string, string | undefined>);
    const page = { limit, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) };
    return services.store.listReservations(account.id, { ...page, labels }, services.now());
  },
);
