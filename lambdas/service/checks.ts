import type { AccountConfig } from "#config/config";
import type { BalanceSnapshot, BillingType, Unit } from "#core/balance";
import { type Budget, type BudgetView, budgetRefusal, budgetView } from "#core/budget";
import { type CheckVerdict, decideCheck } from "#core/check";
import { type CardAgeRule, type Estimate, estimate } from "#core/estimator";
import type { EstimateRequest } from "#core/job-spec";
import { holdLabels, type Labels } from "#core/labels";
import { type RateCard, UNREAD_BALANCE_UNIT, unreadBalanceCardWarning } from "#core/rate-card";
import { computeBalanceView } from "#core/reservations";
import { balancePool, poolMismatch, type SpendPool } from "#core/spend-pool";
import { resolveAccount } from "./accounts.ts";
import type { BalanceReader, BalanceReading } from "./balance-reader.ts";
import { balanceRulesOf } from "./balance-rules.ts";
import { budgetOfRequest } from "./budgets.ts";
import { SpendPoolMismatchError, UnitMismatchError } from "./errors.ts";
import type { Services } from "./services.ts";
import { useCase } from "./use-case.ts";

export interface CheckAnswer extends CheckVerdict {
  accountId: string;
  unit: Unit;
  balanceObservedAt: string | null;
  balanceAgeSeconds: number | null;
  /** The job(s)' estimate; absent when the check named an `amount`. */
  estimate?: Estimate;
  /** The budget the check named, as it is now. */
  budget?: BudgetView;
  /** The labels a reserve of this job would keep: the request's, over its budget's. */
  labels?: Labels;
}

/**
 * The card for a request about an account: the request's, else the account's, else the default for the
 * balance (its unit, billing type and pool), else, with no balance read yet, the default for UNREAD_BALANCE_UNIT;
 * a card in another unit than the balance is refused (it cannot be compared).
 */
export function cardForAccount(
  services: Services,
  account: AccountConfig,
  requested: string | undefined,
  balanceUnit: Unit | undefined,
  billingType?: BillingType,
  spendPool?: SpendPool,
): RateCard {
  const card = services.rateCards.choose({
    requested,
    account: account.rateCard,
    unit: balanceUnit ?? UNREAD_BALANCE_UNIT,
    ...(billingType ? { billingType } : {}),
    ...(spendPool ? { spendPool } : {}),
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
async function cardForEstimate(services: Services, requested: string | undefined): Promise<RateCard> {
  if (requested) return services.rateCards.get(requested);
  const account = services.config.accounts[0];
  if (account?.rateCard) return services.rateCards.get(account.rateCard);
  const latest = account ? (await services.store.getAccountState(account.id))?.latest : undefined;
  return services.rateCards.defaultFor(latest?.unit ?? "usd", latest?.billingType, latest?.spendPool);
}

/**
 * Refuses (SpendPoolMismatchError, 422 naming the job's `type`) a request with a job that draws on another
 * pool than `pool`, the one the account's balance is recorded in: that job's credit is not in this balance.
 */
export function requireJobsInPool(account: AccountConfig, request: EstimateRequest, pool: SpendPool): void {
  const mismatch = poolMismatch(request, account, pool);
  if (mismatch) {
    throw new SpendPoolMismatchError(
      account.id,
      mismatch.pointer,
      mismatch.type,
      mismatch.jobPool,
      mismatch.balancePool,
    );
  }
}

/** The card-age rule of `checks.rateCardMaxAgeDays`, at the services' clock. */
export function cardAgeRule(services: Services): CardAgeRule {
  return { now: services.now(), maxAgeDays: services.config.checks.rateCardMaxAgeDays };
}

/** What a check asks: an amount (in the account's unit), or the job(s) to price; optionally through a budget. */
export type CheckRequest = (EstimateRequest | { amount: number }) & {
  accountId?: string | undefined;
  budget?: string | undefined;
  /** The labels a reserve of the same job would keep (answered with its budget's under them). */
  labels?: Labels | undefined;
};

/**
 * Prices the job(s) (or takes the amount) and compares it with what the account can still hand out, its
 * render slots and, through a budget, what the budget would refuse.
 */
async function runCheck(
  services: Services,
  reader: BalanceReader,
  account: AccountConfig,
  request: EstimateRequest | { amount: number },
  budget: Budget | undefined,
): Promise<CheckAnswer> {
  const reading = await reader.read(account);
  const latest = reading.state?.latest;
  const priced = "amount" in request ? undefined : priceCheck(services, account, request, latest);
  const required = priced ? priced.estimate.total : (request as { amount: number }).amount;
  const unit = priced?.card.unit ?? latest?.unit ?? UNREAD_BALANCE_UNIT;
  const now = services.now();
  const refusal = budget && budgetRefusal(budget, required, now);
  const slots = account.maxConcurrentJobs;
  const open = reading.state?.openHolds ?? 0;
  const verdict = decideCheck({
    required,
    unit,
    view: viewOf(services, account, reading),
    ...(reading.unknownReason ? { unknownReason: reading.unknownReason } : {}),
    whenUnknown: services.config.checks.whenUnknown,
    warningThreshold: account.thresholds.warning,
    ...(reading.state?.paused ? { pausedBecause: reading.state.paused.reason } : {}),
    ...(refusal ? { budgetRefusal: refusal } : {}),
    ...(slots !== undefined && open >= slots ? { slotsFull: { limit: slots, openHolds: open } } : {}),
  });
  return {
    ...verdict,
    accountId: account.id,
    unit,
    balanceObservedAt: reading.state?.latest?.observedAt ?? null,
    balanceAgeSeconds: reading.ageSeconds,
    ...(priced ? { estimate: priced.estimate } : {}),
    ...(budget ? { budget: budgetView(budget, now) } : {}),
    warnings: [...verdict.warnings, ...(priced?.warnings ?? [])],
  };
}

/** The estimate of the job(s) by the card the account's balance calls for, and what to warn of. */
function priceCheck(
  services: Services,
  account: AccountConfig,
  request: EstimateRequest,
  latest: BalanceSnapshot | undefined,
) {
  const pool = balancePool(latest, account);
  requireJobsInPool(account, request, pool);
  const card = cardForAccount(
    services,
    account,
    request.rateCard,
    latest?.unit,
    latest?.billingType,
    latest ? pool : undefined,
  );
  const estimated = estimate(request, card, cardAgeRule(services));
  // The answer says which card a fallback chose and why, so that nobody reads it as the account's price.
  const fallback = latest === undefined && !request.rateCard && !account.rateCard;
  const warnings = [...(fallback ? [unreadBalanceCardWarning(card)] : []), ...estimated.warnings];
  return { estimate: estimated, card, warnings };
}

function viewOf(services: Services, account: AccountConfig, reading: BalanceReading) {
  return computeBalanceView(reading.state, balanceRulesOf(services, account));
}

/** `POST /v1/estimates`: the cost of the job(s) by the request's card (else as cardForEstimate chooses). */
export const estimateJobs = /* @__PURE__ */ useCase(
  async (services: Services, request: EstimateRequest): Promise<Estimate> =>
    estimate(request, await cardForEstimate(services, request.rateCard), cardAgeRule(services)),
);

/**
 * `POST /v1/checks`: may the job(s) start now on the account? A no is an answer (`allowed: false`).
 * Raises UnknownAccountError, AccountRequiredError, UnitMismatchError, EstimateError, UnknownRateCardError,
 * SpendPoolMismatchError (a job of another pool than the recorded balance's), AccessDeniedError.
 */
export const checkJobs = /* @__PURE__ */ useCase(
  async (
    services: Services,
    reader: BalanceReader,
    request: CheckRequest,
    /** The IAM principal asking: the account's `access` rule and the budget's principals decide. */
    caller: string,
  ): Promise<CheckAnswer> => {
    const { accountId, budget: budgetId, labels: askedLabels, ...asked } = request;
    const account = resolveAccount(services, accountId, "/accountId", caller);
    const budget = await budgetOfRequest(services, account.id, budgetId, caller);
    const answer = await runCheck(services, reader, account, asked, budget);
    const labels = holdLabels(askedLabels, budget?.labels);
    return labels ? { ...answer, labels } : answer;
  },
);

/** `GET /v1/rate-cards`: every card the guard prices with. */
export const listRateCards = /* @__PURE__ */ useCase(async (services: Services) => ({
  rateCards: services.rateCards.list(),
}));
