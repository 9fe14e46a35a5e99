import type { AccountConfig } from "#config/config";
import { type Estimate, estimate } from "#core/estimator";
import type { EstimateRequest } from "#core/job-spec";
import { reservationIdFor } from "#core/reservation-id";
import { reservationView } from "#core/reservations";
import type { ReserveResult } from "#store/dynamo-store";
import type { BalanceReader } from "./balance-reader.ts";
import { cardForAccount } from "./checks.ts";
import { BalanceUnknownError } from "./errors.ts";
import type { Services } from "./services.ts";

export type HoldAmount = { amount: number } | { jobs: EstimateRequest };

export interface ReserveInput {
  account: AccountConfig;
  what: HoldAmount;
  ttlSeconds: number | undefined;
  idempotencyKey: string | undefined;
}

/**
 * Holds credit for a job: the estimate (or the given amount) is held only if it fits in `available` at that
 * instant; the store makes that one conditional write, so concurrent callers can never oversubscribe.
 */
export async function reserve(services: Services, reader: BalanceReader, input: ReserveInput) {
  const { account } = input;
  const reading = await reader.read(account);
  const latest = reading.state?.latest;
  if (!latest || reading.unknownReason) {
    throw new BalanceUnknownError(account.id, reading.unknownReason ?? "no balance has been read yet");
  }
  let priced: Estimate | undefined;
  let amount: number;
  if ("amount" in input.what) {
    amount = input.what.amount;
  } else {
    const card = cardForAccount(services, account, input.what.jobs.rateCard, latest.unit);
    priced = estimate(input.what.jobs, card);
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
  );
  if (result.kind === "no-balance") throw new BalanceUnknownError(account.id, "no balance has been read yet");
  if (result.kind === "insufficient") return { ...result, unit: latest.unit } as const;
  return { kind: result.kind, reservation: reservationView(result.hold, now, latest.unit) } as const;
}
