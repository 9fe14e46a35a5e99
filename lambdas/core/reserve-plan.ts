import type { AccountState } from "./account.ts";
import type { Unit } from "./balance.ts";
import { type Budget, type BudgetRefusal, budgetRefusal } from "./budget.ts";
import { budgetReserve } from "./budget-writes.ts";
import { type CorrectionBounds, correctionBounds } from "./corrections.ts";
import {
  answersSameRequest,
  type BalanceGuard,
  type HoldRecord,
  type IdempotencyKeyUse,
  type KeyAnswer,
  liveKeyAnswer,
} from "./hold-record.ts";
import type { Labels } from "./labels.ts";
import { InvalidReservationRequestError } from "./reservation-errors.ts";
import { accountIdOfReservation } from "./reservation-id.ts";
import { keyAnswerWrite, type ReservationWrite, type WriteOutcome } from "./reservation-writes.ts";
import {
  assertStorableAmount,
  type BalanceRules,
  computeBalanceView,
  type ReservationView,
  reservationView,
  type Shortfall,
  shortfallOf,
} from "./reservations.ts";

/** A new hold, as the reserve use case asks for it (amounts in the account's balance unit). */
export interface ReserveRequest {
  /** From reservationIdFor(accountId, now). */
  id: string;
  amount: number;
  ttlSeconds: number;
  /** The balance unit the amount is in. */
  unit: Unit;
  /** How long the hold item is kept after it expires (config retentionDays). */
  retentionDays: number;
  idempotencyKey?: IdempotencyKeyUse;
  estimate?: unknown;
  /** The job spec the estimate priced (kept so a webhook can price the job at its real duration). */
  spec?: unknown;
  /** The caller's IAM principal, recorded on the hold. */
  principal?: string;
  /** The hold's labels (core/labels.ts holdLabels: the request's over its budget's). */
  labels?: Labels;
  /** The budget to reserve through, as last read (the write checks it is still so). */
  budget?: Budget;
  /** The account's render slots (config maxConcurrentJobs): at most this many open holds. */
  maxOpenHolds?: number;
}

export type ReserveResult =
  | { kind: "created"; view: ReservationView }
  /** The Idempotency-Key's hold, as it is now. */
  | { kind: "existing"; view: ReservationView }
  | ({ kind: "insufficient" } & Shortfall)
  | { kind: "no-balance" }
  /** The recorded balance is older than the guard allows, or in another unit: read it afresh and retry. */
  | { kind: "stale" }
  | { kind: "key-reused" }
  /** The account is paused (its kill switch): no new hold until it is resumed. */
  | { kind: "paused"; reason: string }
  /** Every render slot of the account (maxConcurrentJobs) is taken. */
  | { kind: "no-free-slot"; limit: number; openHolds: number }
  /** The budget refuses it (paused, cap per job, slots, or its period's limit). */
  | { kind: "budget-refused"; refusal: BudgetRefusal }
  /** The budget was deleted since it was read. */
  | { kind: "unknown-budget" };

/**
 * A reserve's one transaction: the counter (guarded), the hold, the budget's counters when reserved through
 * one, and the key's answer when keyed.
 */
export interface PlannedReserve {
  accountId: string;
  request: ReserveRequest;
  hold: HoldRecord;
  view: ReservationView;
  writes: ReservationWrite[];
}

/**
 * Validates and plans a reserve at `rules.now`. Raises InvalidReservationRequestError for an amount that
 * cannot be stored, a ttlSeconds that is not a positive whole number, or an id of another account.
 */
export function planReserve(
  accountId: string,
  request: ReserveRequest,
  rules: BalanceRules,
  guard?: BalanceGuard,
): PlannedReserve {
  assertStorableAmount("amount", request.amount);
  if (!Number.isInteger(request.ttlSeconds) || request.ttlSeconds <= 0) {
    throw new InvalidReservationRequestError("ttlSeconds", "must be a positive whole number of seconds");
  }
  if (accountIdOfReservation(request.id) !== accountId) {
    throw new InvalidReservationRequestError("id", `is not a reservation id of account ${accountId}`);
  }
  const budgeted = request.budget && budgetReserve(request.budget, request.amount, rules.now);
  const hold = newHold(accountId, request, rules.now);
  if (budgeted) hold.budget = budgeted.period;
  const key = request.idempotencyKey;
  const slots = request.maxOpenHolds;
  const writes: ReservationWrite[] = [
    {
      write: "counter",
      accountId,
      reservedDelta: hold.amount,
      openHoldsDelta: 1,
      condition: {
        name: "headroom-covers",
        notPaused: true,
        ...(guard ? { guard } : {}),
        ...(slots !== undefined ? { maxOpenHolds: slots } : {}),
      },
    },
    { write: "new-hold", hold, condition: { name: "hold-new" } },
  ];
  if (budgeted) writes.push(budgeted.write);
  if (key !== undefined)
    writes.push(keyAnswerWrite(accountId, "reserve", accountId, key, rules.now, hold.id));
  return { accountId, request, hold, view: reservationView(hold, rules.now), writes };
}

function newHold(accountId: string, request: ReserveRequest, now: Date): HoldRecord {
  const expiresAtMs = now.getTime() + request.ttlSeconds * 1000;
  const hold: HoldRecord = {
    accountId,
    id: request.id,
    amount: request.amount,
    status: "held",
    createdAt: now.toISOString(),
    expiresAtMs,
    unit: request.unit,
    committedAmount: 0,
    version: 1,
    captures: 0,
    ttl: Math.floor(expiresAtMs / 1000) + request.retentionDays * 86_400,
  };
  if (request.idempotencyKey !== undefined) hold.idempotencyKey = request.idempotencyKey.key;
  if (request.estimate !== undefined) hold.estimate = request.estimate;
  if (request.spec !== undefined) hold.spec = request.spec;
  if (request.principal !== undefined) hold.principal = request.principal;
  if (request.labels !== undefined) hold.labels = request.labels;
  return hold;
}

/** What a refused reserve does next. */
export type ReserveNext =
  | { next: "answer"; result: ReserveResult }
  /** The budget's counters moved on (another writer started its period): plan again on `budget`. */
  | { next: "replan"; budget: Budget }
  /** Keyed, refused by the counter: read the key's answer (a repeat the cancellation did not report). */
  | { next: "read-key-answer" }
  /** The key answered before: show its hold as it is now (`existing`). */
  | { next: "show-hold"; reservationId: string }
  /** The key's answer expired between the refusal and now: the race was lost; the caller may retry. */
  | { next: "lost-race" }
  /** Correct the counter; if nothing was corrected, answer `otherwise`; else apply the plan again. */
  | { next: "correct"; bounds: CorrectionBounds; otherwise: ReserveResult };

/**
 * The next step after `outcome` refused the reserve's writes. `keyAnswer`: undefined while not read, null
 * when read and absent. `corrected`: a correction already ran for this request (one per request).
 */
export function nextAfterRefusedReserve(
  planned: PlannedReserve,
  outcome: Extract<WriteOutcome, { applied: false }>,
  context: { rules: BalanceRules; guard?: BalanceGuard; corrected: boolean; keyAnswer?: KeyAnswer | null },
): ReserveNext {
  const { rules, guard } = context;
  const key = planned.request.idempotencyKey;
  if (outcome.refused.includes("key-unused")) return answerOfKey(outcome.answer, key, rules.now);
  // Ids are made per request, so the hold is there only if this very transaction was applied and its
  // answer lost (the SDK retried it): the hold was made, once.
  if (outcome.refused.includes("hold-new"))
    return { next: "answer", result: { kind: "created", view: planned.view } };
  if (key !== undefined) {
    if (context.keyAnswer === undefined) return { next: "read-key-answer" };
    if (context.keyAnswer !== null) return answerOfKey(context.keyAnswer, key, rules.now);
  }
  const old = outcome.account;
  if (old?.paused) return { next: "answer", result: { kind: "paused", reason: old.paused.reason } };
  if (outcome.refused.includes("budget-covers")) return nextAfterBudgetRefusal(planned, outcome, context);
  if (old?.latest === undefined) return { next: "answer", result: { kind: "no-balance" } };
  if (guard !== undefined && !guardHolds(old, guard)) return { next: "answer", result: { kind: "stale" } };
  const slots = planned.request.maxOpenHolds;
  if (slots !== undefined && old.openHolds >= slots) {
    const full: ReserveResult = { kind: "no-free-slot", limit: slots, openHolds: old.openHolds };
    return context.corrected ? { next: "answer", result: full } : expiredCorrection(rules.now, full);
  }
  const available = computeBalanceView(old, rules).available ?? 0;
  const insufficient: ReserveResult = {
    kind: "insufficient",
    ...shortfallOf(planned.hold.amount, Math.min(available, old.headroom)),
  };
  if (context.corrected) return { next: "answer", result: insufficient };
  return {
    next: "correct",
    bounds: correctionBounds(rules.now, old.latest.observedAt, rules.settleSeconds),
    otherwise: insufficient,
  };
}

/**
 * A refusal by the budget: its reason as the refusal found the budget (slots and limit only after expired
 * holds were taken out once), or a plan on the budget as found when it no longer refuses (its period moved).
 */
function nextAfterBudgetRefusal(
  planned: PlannedReserve,
  outcome: Extract<WriteOutcome, { applied: false }>,
  context: { rules: BalanceRules; corrected: boolean },
): ReserveNext {
  const budget = outcome.budget;
  if (budget === undefined) return { next: "answer", result: { kind: "unknown-budget" } };
  const refusal = budgetRefusal(budget, planned.hold.amount, context.rules.now);
  if (refusal === undefined) return { next: "replan", budget };
  const result: ReserveResult = { kind: "budget-refused", refusal };
  const expiryMayFree = refusal.type === "no-free-slot" || refusal.type === "budget-exhausted";
  return expiryMayFree && !context.corrected
    ? expiredCorrection(context.rules.now, result)
    : { next: "answer", result };
}

/** Take expired holds out (they still hold slots and budget until corrected), then try again once. */
function expiredCorrection(now: Date, otherwise: ReserveResult): ReserveNext {
  return { next: "correct", bounds: { expiredUpToMs: now.getTime() }, otherwise };
}

function answerOfKey(
  answer: KeyAnswer | undefined,
  key: IdempotencyKeyUse | undefined,
  now: Date,
): ReserveNext {
  const live = liveKeyAnswer(answer, now);
  if (live === undefined || key === undefined) return { next: "lost-race" };
  if (!answersSameRequest(live, key)) return { next: "answer", result: { kind: "key-reused" } };
  return { next: "show-hold", reservationId: live.reservationId };
}

function guardHolds(state: AccountState, guard: BalanceGuard): boolean {
  const latest = state.latest;
  return latest !== undefined && latest.observedAt >= guard.observedAtOrAfter && latest.unit === guard.unit;
}
