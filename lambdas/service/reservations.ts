import { createHash } from "node:crypto";
import type { AccountConfig } from "#config/config";
import type { ForcedCommit, ReleaseReason } from "#core/account";
import type { Unit } from "#core/balance";
import { type Estimate, estimate } from "#core/estimator";
import { forcedCommitAlert } from "#core/forced-commit";
import type { EstimateRequest } from "#core/job-spec";
import { accountIdOfReservation, reservationIdFor } from "#core/reservation-id";
import { computeBalanceView, type ReservationView, roundAmount } from "#core/reservations";
import { resolveAccount } from "./accounts.ts";
import type { BalanceKind, BalanceReader } from "./balance-reader.ts";
import { cardAgeRule, cardForAccount, requireJobsInPool } from "./checks.ts";
import { readBalanceAfterCreditFailure } from "./credit-failure.ts";
import {
  BalanceUnknownError,
  CommitExceedsAvailableError,
  IdempotencyKeyReusedError,
  InsufficientBalanceError,
  InvalidRequestError,
  ReservationConflictError,
  UnknownReservationError,
} from "./errors.ts";
import { deliver } from "./poll-account.ts";
import type {
  CommitRequest,
  ExtendRequest,
  IdempotencyKeyUse,
  OutputSettleRequest,
  OutputSettleResult,
  ReservationPage,
  ReservationQuery,
  ReserveResult,
  SettleResult,
} from "./reservation-port.ts";
import type { Services } from "./services.ts";
import { useCase } from "./use-case.ts";

export type HoldAmount = { amount: number } | { jobs: EstimateRequest };

export interface ReserveInput {
  account: AccountConfig;
  what: HoldAmount;
  ttlSeconds: number | undefined;
  idempotencyKey: IdempotencyKeyUse | undefined;
}

type ReserveOutcome =
  | { kind: "created" | "existing"; reservation: ReservationView }
  | { kind: "insufficient"; required: number; available: number; shortfall: number; unit: Unit }
  | { kind: "key-reused" };

/**
 * An Idempotency-Key with the fingerprint of what it was sent with: the same key with another request is
 * refused rather than answered with the first request's answer.
 */
function keyUse(key: string | undefined, operation: string, request: unknown): IdempotencyKeyUse | undefined {
  if (key === undefined) return undefined;
  const requestHash = createHash("sha256")
    .update(`${operation}\u0000${JSON.stringify(request ?? {})}`)
    .digest("base64url");
  return { key, requestHash };
}

/**
 * Holds credit for a job: the estimate (or the given amount) is held only if it fits in `available` at that
 * instant; the store makes that one conditional write, so concurrent callers can never oversubscribe.
 * With the balance's unit known from an earlier read, the write itself checks that the recorded balance is
 * still fresh and in that unit, so a reserve is one write; otherwise, or when it is stale, the balance is read
 * (refreshed if needed) first.
 */
export async function reserve(
  services: Services,
  reader: BalanceReader,
  input: ReserveInput,
): Promise<ReserveOutcome> {
  const known = reader.lastKnownKind(input.account.id);
  if (known !== undefined) {
    const outcome = await holdAgainst(services, reader, input, known);
    if (outcome !== "stale") return outcome;
  }
  const reading = await reader.read(input.account);
  const latest = reading.state?.latest;
  if (!latest || reading.unknownReason) {
    throw new BalanceUnknownError(input.account.id, reading.unknownReason ?? "no balance has been read yet");
  }
  const outcome = await holdAgainst(services, reader, input, latest);
  if (outcome === "stale") {
    throw new BalanceUnknownError(
      input.account.id,
      "the balance changed while the hold was being made; retry",
    );
  }
  return outcome;
}

async function holdAgainst(
  services: Services,
  reader: BalanceReader,
  input: ReserveInput,
  { unit, billingType, spendPool }: BalanceKind,
): Promise<ReserveOutcome | "stale"> {
  const { account } = input;
  let priced: Estimate | undefined;
  let amount: number;
  if ("amount" in input.what) {
    amount = input.what.amount;
  } else {
    // The same pool rule, card and card-age rule a check of this job would use.
    requireJobsInPool(account, input.what.jobs, spendPool ?? "api_wallet");
    const card = cardForAccount(services, account, input.what.jobs.rateCard, unit, billingType, spendPool);
    priced = estimate(input.what.jobs, card, cardAgeRule(services));
    amount = priced.total;
  }
  const now = services.now();
  const result: ReserveResult = await services.store.reserve(
    account.id,
    {
      id: reservationIdFor(account.id, now),
      amount,
      ttlSeconds: input.ttlSeconds ?? services.config.reservations.defaultTtlSeconds,
      unit,
      retentionDays: services.config.retentionDays,
      ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
      ...(priced && "jobs" in input.what ? { estimate: priced, spec: input.what.jobs } : {}),
    },
    { now, reserveFloor: account.reserveFloor, settleSeconds: services.config.reservations.settleSeconds },
    { observedAtOrAfter: reader.freshFrom(), unit },
  );
  switch (result.kind) {
    case "stale":
      return "stale";
    case "no-balance":
      throw new BalanceUnknownError(account.id, "no balance has been read yet");
    case "insufficient":
      return { ...result, unit };
    case "key-reused":
      return result;
    default:
      return { kind: result.kind, reservation: result.view };
  }
}

function settleContext(services: Services, account: AccountConfig, idempotencyKey?: IdempotencyKeyUse) {
  return {
    now: services.now(),
    reserveFloor: account.reserveFloor,
    settleSeconds: services.config.reservations.settleSeconds,
    ...(idempotencyKey ? { idempotencyKey } : {}),
  };
}

/** The configured account a reservation id names (undefined: not one of ours, answer 404). */
export function accountOfReservation(services: Services, reservationId: string): AccountConfig | undefined {
  const accountId = accountIdOfReservation(reservationId);
  return services.config.accounts.find((account) => account.id === accountId);
}

/** Commits a part (`final: false`) or the rest of a hold. */
export function commitReservation(
  services: Services,
  account: AccountConfig,
  reservationId: string,
  request: CommitRequest,
  idempotencyKey?: IdempotencyKeyUse,
): Promise<SettleResult> {
  return services.store.commit(reservationId, request, settleContext(services, account, idempotencyKey));
}

/** Records one output's outcome on a hold of several outputs, with its commit (ReservationStore.settleOutput). */
export function settleReservationOutput(
  services: Services,
  account: AccountConfig,
  reservationId: string,
  request: OutputSettleRequest,
): Promise<OutputSettleResult> {
  return services.store.settleOutput(reservationId, request, settleContext(services, account));
}

/** Ends a hold, returning what it held and did not commit; `reason`, when given, is recorded on it. */
export function releaseReservation(
  services: Services,
  account: AccountConfig,
  reservationId: string,
  idempotencyKey?: IdempotencyKeyUse,
  reason?: ReleaseReason,
): Promise<SettleResult> {
  return services.store.release(reservationId, settleContext(services, account, idempotencyKey), reason);
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
  result: SettleResult,
): Promise<void> {
  const fresh =
    (result.kind === "ok" && !result.replayed) ||
    (result.kind === "conflict" && result.view.status === "expired");
  if (fresh) await readBalanceAfterCreditFailure(services, account, reservationId);
}

/** Raises a hold's amount (taken from `available`) and/or moves its expiry to `ttlSeconds` from now. */
function extendReservation(
  services: Services,
  account: AccountConfig,
  reservationId: string,
  request: ExtendRequest,
  idempotencyKey?: IdempotencyKeyUse,
): Promise<SettleResult> {
  return services.store.extend(reservationId, request, settleContext(services, account, idempotencyKey));
}

/** One page of the account's reservations, newest first. */
export function listReservations(
  services: Services,
  account: AccountConfig,
  query: ReservationQuery,
): Promise<ReservationPage> {
  return services.store.listReservations(account.id, query, services.now());
}

/** A hold as answered, and whether it is the answer to an earlier request with the same Idempotency-Key. */
export interface HoldAnswer {
  reservation: ReservationView;
  /** True: this Idempotency-Key's request was applied before; this is its hold as it is now. */
  replayed: boolean;
}

/**
 * The body of `POST /v1/reservations`, validated by its schema: an explicit `amount` (in the account's
 * unit), or a job spec (or `{jobs}`) whose estimate is held; `ttlSeconds` and `accountId` optional.
 */
export type HoldRequest = { accountId?: string | undefined; ttlSeconds?: number | undefined } & (
  | { amount: number }
  | EstimateRequest
);

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
 * `POST /v1/reservations`: holds `amount` (or the estimate of a job spec) on the account, in its balance unit.
 * Raises InvalidRequestError (ttlSeconds above the maximum), UnknownAccountError, AccountRequiredError,
 * BalanceUnknownError, InsufficientBalanceError, IdempotencyKeyReusedError, DependencyUnavailableError,
 * SpendPoolMismatchError (a job of another pool than the recorded balance's: 422 naming its `type`).
 */
export const holdCredit = useCase(
  async (
    services: Services,
    reader: BalanceReader,
    request: HoldRequest,
    /** The Idempotency-Key, fingerprinted with the body as sent (the same key with another body is refused). */
    idempotency: { key: string | undefined; sentBody: unknown },
  ): Promise<HoldAnswer> => {
    const { accountId, ttlSeconds, ...rest } = request;
    checkTtl(services, ttlSeconds);
    const outcome = await reserve(services, reader, {
      account: resolveAccount(services, accountId, "/accountId"),
      what: "amount" in rest ? { amount: rest.amount } : { jobs: rest },
      ttlSeconds,
      idempotencyKey: keyUse(idempotency.key, "reserve", idempotency.sentBody),
    });
    if (outcome.kind === "insufficient") {
      throw new InsufficientBalanceError(
        outcome.required,
        outcome.available,
        outcome.shortfall,
        outcome.unit,
      );
    }
    if (outcome.kind === "key-reused") throw new IdempotencyKeyReusedError();
    return { reservation: outcome.reservation, replayed: outcome.kind === "existing" };
  },
);

/** The configured account a reservation id names; UnknownReservationError when none. */
function accountOfKnownReservation(services: Services, reservationId: string): AccountConfig {
  const account = accountOfReservation(services, reservationId);
  if (!account) throw new UnknownReservationError(reservationId);
  return account;
}

/** `GET /v1/reservations/{id}`: the reservation as it is now. Raises UnknownReservationError. */
export const getReservation = useCase(
  async (services: Services, reservationId: string): Promise<ReservationView> => {
    accountOfKnownReservation(services, reservationId);
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

/** What a commit, release or extend asks of a hold (its body, validated by its schema). */
export type SettleRequest =
  /** `caller`: the IAM principal, recorded on the hold when it forces a commit. */
  | { action: "commit"; commit: CommitBody; caller: string }
  | { action: "release"; reason?: ReleaseReason | undefined }
  | { action: "extend"; extend: ExtendRequest };

const SETTLED_AS = { commit: "committed", release: "released", extend: "extended" } as const;

/**
 * `POST /v1/reservations/{id}/commit|release|extend`: applies the request to the hold, once per
 * Idempotency-Key (a repeat answers the first answer, `replayed`). An extend's `ttlSeconds` is at most
 * `reservations.maxTtlSeconds`. A release's `reason` is recorded on the hold; `insufficient_credit` also reads
 * the balance at once (readAfterCreditRefusal), before the answer. Raises UnknownReservationError, InvalidRequestError,
 * ReservationConflictError (the hold's state does not allow it), InsufficientBalanceError (a raise that does
 * not fit), IdempotencyKeyReusedError, DependencyUnavailableError.
 */
export const settleHold = useCase(
  async (
    services: Services,
    reservationId: string,
    request: SettleRequest,
    idempotencyKey: string | undefined,
  ): Promise<HoldAnswer> => {
    const account = accountOfKnownReservation(services, reservationId);
    let result: SettleResult;
    switch (request.action) {
      case "commit":
        result = await commitReservation(
          services,
          account,
          reservationId,
          commitOf(request.commit, request.caller),
          keyUse(idempotencyKey, "commit", request.commit),
        );
        break;
      case "release":
        result = await releaseReservation(
          services,
          account,
          reservationId,
          // Without a reason the fingerprint is the one releases had before reasons existed.
          keyUse(idempotencyKey, "release", request.reason ? { reason: request.reason } : {}),
          request.reason,
        );
        if (request.reason === "insufficient_credit") {
          await readAfterCreditRefusal(services, account, reservationId, result);
        }
        break;
      case "extend":
        checkTtl(services, request.extend.ttlSeconds);
        result = await extendReservation(
          services,
          account,
          reservationId,
          request.extend,
          keyUse(idempotencyKey, "extend", request.extend),
        );
        break;
    }
    switch (result.kind) {
      case "not_found":
        throw new UnknownReservationError(reservationId);
      case "conflict":
        throw new ReservationConflictError(SETTLED_AS[request.action], result.view);
      case "key-reused":
        throw new IdempotencyKeyReusedError();
      case "exceeds-available":
        throw new CommitExceedsAvailableError(
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
        throw new InsufficientBalanceError(
          result.required,
          result.available,
          result.shortfall,
          result.unit ?? "",
        );
      default:
        if (result.forced) await alertForcedCommit(services, account, result.view, result.forced);
        return { reservation: result.view, replayed: result.replayed };
    }
  },
);

/** The store's commit request of an API commit body: `force` becomes a forced commit by `caller`. */
function commitOf(body: CommitBody, caller: string): CommitRequest {
  return {
    final: body.final,
    ...(body.actualAmount !== undefined ? { actualAmount: body.actualAmount } : {}),
    ...(body.totalAmount !== undefined ? { totalAmount: body.totalAmount } : {}),
    ...(body.force ? { beyondAvailable: { forcedBy: caller } } : {}),
  };
}

/**
 * Tells subscribers that a commit was forced past the bound (a forced_commit warning, through the same
 * publisher and message builder as every alert) and records it in the alert log. The commit stands whatever
 * happens here: a publish SNS refuses is logged as failed (and not sent again: the next reading alerts on the
 * balance itself), and any other failure is logged, never answered.
 */
async function alertForcedCommit(
  services: Services,
  account: AccountConfig,
  reservation: ReservationView,
  forced: ForcedCommit,
): Promise<void> {
  const fields = { accountId: account.id, reservationId: reservation.id, forcedBy: forced.by };
  try {
    const now = services.now();
    const state = await services.store.getAccountState(account.id);
    const balance = computeBalanceView(state, {
      now,
      reserveFloor: account.reserveFloor,
      settleSeconds: services.config.reservations.settleSeconds,
    });
    const unit = reservation.unit ?? state?.latest?.unit ?? "usd";
    const alert = forcedCommitAlert({
      accountId: account.id,
      reservationId: reservation.id,
      forced,
      unit,
      available: balance.available ?? roundAmount(forced.available - (forced.asked - forced.held)),
      ...(balance.remaining !== null ? { remaining: balance.remaining } : {}),
      thresholds: account.thresholds,
      recordedLevel: state?.alert.level ?? "unknown",
      now,
    });
    const delivered = await deliver(services, alert, {
      ...(state?.latest ? { snapshot: state.latest } : {}),
      thresholds: account.thresholds,
      reserved: balance.reserved,
    });
    await services.store.appendAlert(delivered, services.config.retentionDays);
    services.log.warn("commit forced past what was available", {
      ...fields,
      asked: forced.asked,
      allowed: forced.allowed,
      alert: delivered.status,
    });
  } catch (error) {
    services.log.error("the forced commit's alert failed; the commit stands", {
      ...fields,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

/**
 * `GET /v1/reservations`: one page of an account's reservations, newest first. Raises UnknownAccountError,
 * AccountRequiredError, InvalidRequestError (a cursor not of this listing).
 */
export const listAccountReservations = useCase(
  async (
    services: Services,
    query: ReservationQuery & { accountId?: string | undefined },
  ): Promise<ReservationPage> => {
    const { accountId, ...page } = query;
    return listReservations(services, resolveAccount(services, accountId, "/query/accountId"), page);
  },
);
