import type { AccountConfig } from "#config/config";
import type { Budget } from "#core/budget";
import { type Estimate, estimate } from "#core/estimator";
import type { EstimateRequest } from "#core/job-spec";
import type { Labels } from "#core/labels";
import { reservationIdFor } from "#core/reservation-id";
import type { ReservationView } from "#core/reservations";
import type { BalanceKind, BalanceReader } from "./balance-reader.ts";
import { balanceRulesOf } from "./balance-rules.ts";
import { cardAgeRule, cardForAccount, requireJobsInPool } from "./checks.ts";
import {
  AccountPausedError,
  BalanceUnknownError,
  BudgetRefusedError,
  IdempotencyKeyReusedError,
  InsufficientBalanceError,
  NoFreeSlotError,
  UnknownBudgetError,
} from "./errors.ts";
import { reserveHold } from "./reservation-operations.ts";
import type { IdempotencyKeyUse, ReserveResult } from "./reservation-port.ts";
import type { Services } from "./services.ts";

/**
 * The body of `POST /v1/reservations`, validated by its schema: an explicit `amount` (in the account's
 * unit), or a job spec (or `{jobs}`) whose estimate is held; `ttlSeconds` and `accountId` optional.
 */
export type HoldCreditRequest = {
  accountId?: string | undefined;
  ttlSeconds?: number | undefined;
  /** The budget of the account to reserve through (its id). */
  budget?: string | undefined;
  /** The caller's labels (validated by the schema: core/labels.ts). */
  labels?: Labels | undefined;
} & ({ amount: number } | EstimateRequest);

/** A hold as answered, and whether it is the answer to an earlier request with the same Idempotency-Key. */
export interface HoldAnswer {
  reservation: ReservationView;
  /** True: this Idempotency-Key's request was applied before; this is its hold as it is now. */
  replayed: boolean;
}

type CreditToHold = Omit<HoldCreditRequest, "accountId" | "labels">;

/**
 * Who asks, through which budget (as read before the reserve; its write checks it is still so), and the
 * labels the hold keeps.
 */
interface Spender {
  principal: string;
  budget?: Budget;
  labels?: Labels;
}

/** How long a caller refused for want of a render slot is asked to wait (Retry-After): a short render's time. */
export const SLOT_RETRY_AFTER_SECONDS = 30;

/**
 * Holds credit for a job: the estimate (or the given amount) is held only if it fits in `available` at that
 * instant, in one conditional write, so concurrent callers can never oversubscribe. With the balance's unit
 * known from an earlier read, the write itself checks that the recorded balance is still fresh and in that
 * unit, so a reserve is one write; otherwise, or when it is stale, the balance is read (refreshed if needed)
 * first. Through a budget (`spender.budget`), the budget's counters move in the same transaction, so neither
 * the account nor the budget can be oversubscribed. Raises BalanceUnknownError, InsufficientBalanceError,
 * IdempotencyKeyReusedError, AccountPausedError, NoFreeSlotError, BudgetRefusedError, UnknownBudgetError,
 * SpendPoolMismatchError and the estimator's errors.
 */
export async function reserveCredit(
  services: Services,
  reader: BalanceReader,
  account: AccountConfig,
  credit: CreditToHold,
  idempotencyKey: IdempotencyKeyUse | undefined,
  spender: Spender,
): Promise<HoldAnswer> {
  const known = reader.lastKnownKind(account.id);
  if (known !== undefined) {
    const answer = await holdAgainst(services, reader, account, credit, known, idempotencyKey, spender);
    if (answer !== "stale") return answer;
  }
  const reading = await reader.read(account);
  const latest = reading.state?.latest;
  if (!latest || reading.unknownReason) {
    throw new BalanceUnknownError(account.id, reading.unknownReason ?? "no balance has been read yet");
  }
  const answer = await holdAgainst(services, reader, account, credit, latest, idempotencyKey, spender);
  if (answer === "stale") {
    throw new BalanceUnknownError(account.id, "the balance changed while the hold was being made; retry");
  }
  return answer;
}

/** The amount to hold, and the estimate it came from when a job spec was given. */
function amountToHold(
  services: Services,
  account: AccountConfig,
  credit: CreditToHold,
  { unit, billingType, spendPool }: BalanceKind,
): { amount: number; priced?: { estimate: Estimate; spec: EstimateRequest } } {
  if ("amount" in credit) return { amount: credit.amount as number };
  const {
    ttlSeconds: _ttl,
    budget: _budget,
    ...jobs
  } = credit as EstimateRequest & {
    ttlSeconds?: number | undefined;
    budget?: string | undefined;
  };
  // The same pool rule, card and card-age rule a check of this job would use.
  requireJobsInPool(account, jobs, spendPool ?? "api_wallet");
  const card = cardForAccount(services, account, jobs.rateCard, unit, billingType, spendPool);
  const priced = estimate(jobs, card, cardAgeRule(services));
  return { amount: priced.total, priced: { estimate: priced, spec: jobs } };
}

/** One reserve against the balance of `kind`; "stale" when the recorded balance no longer passes the guard. */
async function holdAgainst(
  services: Services,
  reader: BalanceReader,
  account: AccountConfig,
  credit: CreditToHold,
  kind: BalanceKind,
  idempotencyKey: IdempotencyKeyUse | undefined,
  spender: Spender,
): Promise<HoldAnswer | "stale"> {
  const { amount, priced } = amountToHold(services, account, credit, kind);
  const now = services.now();
  const result: ReserveResult = await reserveHold(
    services.store,
    account.id,
    {
      id: reservationIdFor(account.id, now),
      amount,
      ttlSeconds: credit.ttlSeconds ?? services.config.reservations.defaultTtlSeconds,
      unit: kind.unit,
      retentionDays: services.config.retentionDays,
      ...(idempotencyKey ? { idempotencyKey } : {}),
      ...(priced ? { estimate: priced.estimate, spec: priced.spec } : {}),
      principal: spender.principal,
      ...(spender.labels ? { labels: spender.labels } : {}),
      ...(spender.budget ? { budget: spender.budget } : {}),
      ...(account.maxConcurrentJobs !== undefined ? { maxOpenHolds: account.maxConcurrentJobs } : {}),
    },
    balanceRulesOf(services, account, now),
    { observedAtOrAfter: reader.freshFrom(), unit: kind.unit },
  );
  switch (result.kind) {
    case "stale":
      return "stale";
    case "no-balance":
      throw new BalanceUnknownError(account.id, "no balance has been read yet");
    case "insufficient":
      throw new InsufficientBalanceError(result.required, result.available, result.shortfall, kind.unit);
    case "key-reused":
      throw new IdempotencyKeyReusedError();
    case "paused":
      throw new AccountPausedError(account.id, result.reason);
    case "no-free-slot":
      throw new NoFreeSlotError(
        "account",
        account.id,
        result.limit,
        result.openHolds,
        SLOT_RETRY_AFTER_SECONDS,
      );
    case "unknown-budget":
      throw new UnknownBudgetError(account.id, spender.budget?.id ?? "", "/budget");
    case "budget-refused": {
      const { refusal } = result;
      if (refusal.type !== "no-free-slot") throw new BudgetRefusedError(refusal, kind.unit);
      const { budgetId, maxConcurrentHolds, openHolds } = refusal;
      throw new NoFreeSlotError("budget", budgetId, maxConcurrentHolds, openHolds, SLOT_RETRY_AFTER_SECONDS);
    }
    default:
      return { reservation: result.view, replayed: result.kind === "existing" };
  }
}
