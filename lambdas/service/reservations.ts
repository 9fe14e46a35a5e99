import { createHash } from "node:crypto";
import type { AccountConfig } from "#config/config";
import type { Unit } from "#core/balance";
import { type Estimate, estimate } from "#core/estimator";
import type { EstimateRequest } from "#core/job-spec";
import { accountIdOfReservation, reservationIdFor } from "#core/reservation-id";
import type { ReservationView } from "#core/reservations";
import type { BalanceKind, BalanceReader } from "./balance-reader.ts";
import { cardAgeRule, cardForAccount } from "./checks.ts";
import { BalanceUnknownError } from "./errors.ts";
import type { Services } from "./services.ts";
import type {
  CommitRequest,
  ExtendRequest,
  IdempotencyKeyUse,
  ReservationPage,
  ReservationQuery,
  ReserveResult,
  SettleResult,
} from "./store-port.ts";

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
export function keyUse(
  key: string | undefined,
  operation: string,
  request: unknown,
): IdempotencyKeyUse | undefined {
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
  { unit, billingType }: BalanceKind,
): Promise<ReserveOutcome | "stale"> {
  const { account } = input;
  let priced: Estimate | undefined;
  let amount: number;
  if ("amount" in input.what) {
    amount = input.what.amount;
  } else {
    // The same card and card-age rule a check of this job would use.
    const card = cardForAccount(services, account, input.what.jobs.rateCard, unit, billingType);
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

/** Ends a hold, returning what it held and did not commit. */
export function releaseReservation(
  services: Services,
  account: AccountConfig,
  reservationId: string,
  idempotencyKey?: IdempotencyKeyUse,
): Promise<SettleResult> {
  return services.store.release(reservationId, settleContext(services, account, idempotencyKey));
}

/** Raises a hold's amount (taken from `available`) and/or moves its expiry to `ttlSeconds` from now. */
export function extendReservation(
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
