import type { AccountConfig } from "#config/config";
import type { Unit } from "#core/balance";
import { type CheckVerdict, decideCheck } from "#core/check";
import { type Estimate, estimate } from "#core/estimator";
import type { EstimateRequest } from "#core/job-spec";
import type { RateCard } from "#core/rate-card";
import { computeBalanceView } from "#core/reservations";
import type { BalanceReader, BalanceReading } from "./balance-reader.ts";
import { UnitMismatchError } from "./errors.ts";
import type { Services } from "./services.ts";

export interface CheckAnswer extends CheckVerdict {
  accountId: string;
  unit: Unit;
  balanceObservedAt: string | null;
  balanceAgeSeconds: number | null;
  estimate: Estimate;
}

/**
 * The card for a request about an account: the request's, else the account's, else the default for the
 * balance's unit; a card in another unit than the balance is refused (it cannot be compared).
 */
export function cardForAccount(
  services: Services,
  account: AccountConfig,
  requested: string | undefined,
  balanceUnit: Unit | undefined,
): RateCard {
  const card = services.rateCards.choose({
    requested,
    account: account.rateCard,
    unit: balanceUnit ?? "credits",
  });
  if (balanceUnit !== undefined && card.unit !== balanceUnit) {
    throw new UnitMismatchError(card.id, card.unit, balanceUnit);
  }
  return card;
}

/**
 * A bare estimate names no account: the request's card, else the first account's configured card, else the
 * default for the first account's recorded balance unit, else the usd pay-as-you-go card.
 */
export async function cardForEstimate(services: Services, requested: string | undefined): Promise<RateCard> {
  if (requested) return services.rateCards.get(requested);
  const account = services.config.accounts[0];
  if (account?.rateCard) return services.rateCards.get(account.rateCard);
  const unit = account ? (await services.store.getAccountState(account.id))?.latest?.unit : undefined;
  return services.rateCards.defaultFor(unit ?? "usd");
}

/** Estimates the job(s) and compares them with what the account can still hand out. */
export async function runCheck(
  services: Services,
  reader: BalanceReader,
  account: AccountConfig,
  request: EstimateRequest,
): Promise<CheckAnswer> {
  const reading = await reader.read(account);
  const unit = reading.state?.latest?.unit;
  const card = cardForAccount(services, account, request.rateCard, unit);
  const priced = estimate(request, card);
  const verdict = decideCheck({
    required: priced.total,
    unit: card.unit,
    view: viewOf(services, account, reading),
    ...(reading.unknownReason ? { unknownReason: reading.unknownReason } : {}),
    whenUnknown: services.config.checks.whenUnknown,
    warningThreshold: account.thresholds.warning,
  });
  return {
    ...verdict,
    accountId: account.id,
    unit: card.unit,
    balanceObservedAt: reading.state?.latest?.observedAt ?? null,
    balanceAgeSeconds: reading.ageSeconds,
    estimate: priced,
    warnings: [...verdict.warnings, ...priced.warnings],
  };
}

export function viewOf(services: Services, account: AccountConfig, reading: BalanceReading) {
  return computeBalanceView(reading.state, {
    now: services.now(),
    reserveFloor: account.reserveFloor,
    settleSeconds: services.config.reservations.settleSeconds,
  });
}
