import type { AccountConfig } from "#config/config";
import type { Unit } from "#core/balance";
import { type Estimate, estimate } from "#core/estimator";
import type { EstimateRequest } from "#core/job-spec";
import { reservationIdFor } from "#core/reservation-id";
import { reservationView } from "#core/reservations";
import type { BalanceReader } from "./balance-reader.ts";
import { cardForAccount } from "./checks.ts";
import { BalanceUnknownError } from "./errors.ts";
import type { Services } from "./services.ts";
import type { ReserveResult } from "./store-port.ts";

export type HoldAmount = { amount: number } | { jobs: EstimateRequest };

export interface ReserveInput {
  account: AccountConfig;
  what: HoldAmount;
  ttlSeconds: number | undefined;
  idempotencyKey: string | undefined;
}

type ReserveOutcome =
  | { kind: "created" | "existing"; reservation: ReturnType<typeof reservationView> }
  | { kind: "insufficient"; required: number; available: number; shortfall: number; unit: Unit };

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
  const knownUnit = reader.lastKnownUnit(input.account.id);
  if (knownUnit !== undefined) {
    const outcome = await holdAgainst(services, reader, input, knownUnit);
    if (outcome !== "stale") return outcome;
  }
  const reading = await reader.read(input.account);
  const latest = reading.state?.latest;
  if (!latest || reading.unknownReason) {
    throw new BalanceUnknownError(input.account.id, reading.unknownReason ?? "no balance has been read yet");
  }
  const outcome = await holdAgainst(services, reader, input, latest.unit);
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
  unit: Unit,
): Promise<ReserveOutcome | "stale"> {
  const { account } = input;
  let priced: Estimate | undefined;
  let amount: number;
  if ("amount" in input.what) {
    amount = input.what.amount;
  } else {
    priced = estimate(input.what.jobs, cardForAccount(services, account, input.what.jobs.rateCard, unit));
    amount = priced.total;
  }
  const now = services.now();
  const result: ReserveResult = await services.store.reserve(
    account.id,
    {
      id: reservationIdFor(account.id, input.idempotencyKey),
      amount,
      ttlSeconds: input.ttlSeconds ?? services.config.reservations.defaultTtlSeconds,
      ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
      ...(priced ? { estimate: priced } : {}),
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
    default:
      return { kind: result.kind, reservation: reservationView(result.hold, now, unit) };
  }
}
