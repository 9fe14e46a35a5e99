import type { ReleaseReason } from "#core/account";
import { firstBeyondHeld, forcedRecordOf, planCommit, validateCommit } from "#core/commit-plan";
import { planExtend, validateExtension } from "#core/extend-plan";
import {
  type BudgetPlanning,
  type ChangePlan,
  changeAnswerOfKey,
  type HoldChangeResult,
  type HoldCommit,
  type HoldExtension,
  nextAfterRefusedChange,
  type OutputRecordResult,
  type OutputReport,
} from "#core/hold-change";
import { type BalanceGuard, type HoldRecord, liveKeyAnswer } from "#core/hold-record";
import { planOutput, validateOutputReport } from "#core/output-plan";
import { planRelease } from "#core/release-plan";
import { accountIdOfReservation } from "#core/reservation-id";
import { keyAnswerWrite } from "#core/reservation-writes";
import { type BalanceRules, reservationView } from "#core/reservations";
import {
  nextAfterRefusedReserve,
  planReserve,
  type ReserveRequest,
  type ReserveResult,
} from "#core/reserve-plan";
import type { HoldChangeContext, ReservationStore } from "./reservation-port.ts";
import { StoreConflictError } from "./store-errors.ts";

/**
 * The reservation operations: plan (lambdas/core/*-plan.ts), apply through the primitive store, and on a
 * refusal let the planner say what next (plan again, correct the counter once, or answer). No rule lives
 * here; only the loop and the reads each step asks for.
 */

// One attempt in each round of racing writers wins, so a writer among n concurrent ones (a translation's
// outputs delivered at once) may need n attempts; 10 covers HeyGen's per-job output counts seen so far.
const MAX_ATTEMPTS = 10;

/**
 * Holds `request.amount` if `available` covers it, in one conditional write (with `guard`, checked in that
 * write). The same Idempotency-Key within 24 h returns the hold it made. Raises
 * InvalidReservationRequestError, StoreConflictError.
 */
export async function reserveHold(
  store: ReservationStore,
  accountId: string,
  request: ReserveRequest,
  rules: BalanceRules,
  guard?: BalanceGuard,
): Promise<ReserveResult> {
  let planned = planReserve(accountId, request, rules, guard);
  let corrected = false;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const outcome = await store.applyWrites(planned.writes);
    if (outcome.applied) return { kind: "created", view: planned.view };
    const context = { rules, ...(guard ? { guard } : {}), corrected };
    let next = nextAfterRefusedReserve(planned, outcome, context);
    if (next.next === "read-key-answer" && request.idempotencyKey !== undefined) {
      const answer = await store.readKeyAnswer(accountId, "reserve", accountId, request.idempotencyKey.key);
      const keyAnswer = liveKeyAnswer(answer, rules.now) ?? null;
      next = nextAfterRefusedReserve(planned, outcome, { ...context, keyAnswer });
    }
    switch (next.next) {
      case "answer":
        return next.result;
      case "show-hold": {
        const view = await store.getReservation(next.reservationId, rules.now);
        if (view === undefined)
          throw new Error(`Idempotency-Key answer names a missing hold ${next.reservationId}`);
        return { kind: "existing", view };
      }
      case "replan":
        planned = planReserve(accountId, { ...request, budget: next.budget }, rules, guard);
        continue;
      case "correct":
        corrected = true;
        if ((await store.correctCounters(accountId, rules.now, next.bounds.settledUpToMs)) > 0) continue;
        return next.otherwise;
      default:
        throw new StoreConflictError(accountId, "reserve", 1);
    }
  }
  throw new StoreConflictError(accountId, "reserve", MAX_ATTEMPTS);
}

/**
 * The shared loop of every hold change: an Idempotency-Key's stored answer, else the hold read, planned
 * on, and applied conditional on the version read; a refusal is decided by nextAfterRefusedChange.
 */
async function changeHold(
  store: ReservationStore,
  reservationId: string,
  operation: "commit" | "release" | "extend",
  context: HoldChangeContext,
  plan: (hold: HoldRecord, now: Date, budget: BudgetPlanning) => ChangePlan,
): Promise<HoldChangeResult> {
  const accountId = accountIdOfReservation(reservationId);
  if (accountId === undefined) return { kind: "not_found" };
  const { now, idempotencyKey: key } = context;
  if (key !== undefined) {
    const answer = await store.readKeyAnswer(accountId, operation, reservationId, key.key);
    const answered = changeAnswerOfKey(answer, key, now);
    if (answered !== undefined) return answered;
  }
  let corrected = false;
  const budget: BudgetPlanning = { periodGone: false };
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const hold = await store.readHold(reservationId);
    if (hold === undefined) return { kind: "not_found" };
    const planned = plan(hold, now, budget);
    if (planned === "replay") return { kind: "ok", view: reservationView(hold, now), replayed: true };
    if (planned === "conflict") return { kind: "conflict", view: reservationView(hold, now) };
    if (planned === "budget-period-ended") {
      return { kind: "budget-period-ended", budgetId: hold.budget?.budgetId ?? "" };
    }
    const view = reservationView(planned.after, now);
    const writes = key
      ? [
          ...planned.writes,
          keyAnswerWrite(accountId, operation, reservationId, key, now, reservationId, view),
        ]
      : planned.writes;
    const outcome = await store.applyWrites(writes);
    if (outcome.applied) return { kind: "ok", view, replayed: false };
    const next = nextAfterRefusedChange(planned, outcome, { rules: context, corrected, unit: hold.unit });
    if (next.next === "answer") return next.result;
    if (next.next === "replan" && next.budgetPeriodGone) budget.periodGone = true;
    if (next.next === "restart") return changeHold(store, reservationId, operation, context, plan);
    if (next.next === "correct") {
      corrected = true;
      await store.correctCounters(accountId, now, next.bounds.settledUpToMs);
    }
  }
  throw new StoreConflictError(accountId, operation, MAX_ATTEMPTS);
}

/**
 * Commits a part or, when final, the rest of a held, unexpired hold. A forced commit past the bound is
 * refused once (which measures how far past it is), then made again unguarded with that record on the hold
 * (a concurrent change in between is planned on, as any retry is). Raises InvalidReservationRequestError.
 */
export async function commitHold(
  store: ReservationStore,
  reservationId: string,
  commit: HoldCommit,
  context: HoldChangeContext,
): Promise<HoldChangeResult> {
  validateCommit(commit);
  const beyond = firstBeyondHeld(commit);
  const first = await changeHold(store, reservationId, "commit", context, (hold, now, budget) =>
    planCommit(hold, now, commit, beyond, budget),
  );
  const forced = forcedRecordOf(commit, first, context.now);
  if (forced === undefined) return first;
  const second = await changeHold(store, reservationId, "commit", context, (hold, now, budget) =>
    planCommit(hold, now, commit, { forced }, budget),
  );
  const madeNow = second.kind === "ok" && !second.replayed && second.view.forced?.at === forced.at;
  return madeNow ? { ...second, forced } : second;
}

/**
 * Ends a held, unexpired hold, returning the part not committed; `reason`, when given, is recorded on it
 * (`releaseReason`). A hold already released is a replay, whatever reason either release gave.
 */
export function releaseHold(
  store: ReservationStore,
  reservationId: string,
  context: HoldChangeContext,
  reason?: ReleaseReason,
): Promise<HoldChangeResult> {
  return changeHold(store, reservationId, "release", context, (hold, now, budget) =>
    planRelease(hold, now, reason, budget),
  );
}

/**
 * Raises the authorised total (taken atomically from `available`) and/or the expiry of a held hold. Raises
 * InvalidReservationRequestError.
 */
export function extendHold(
  store: ReservationStore,
  reservationId: string,
  extension: HoldExtension,
  context: HoldChangeContext,
): Promise<HoldChangeResult> {
  validateExtension(extension);
  return changeHold(store, reservationId, "extend", context, (hold, now) => planExtend(hold, now, extension));
}

/**
 * Records one output's outcome on a held hold of several outputs, with its money, in one transaction
 * (core/output-plan.ts). Raises InvalidReservationRequestError.
 */
export async function recordOutput(
  store: ReservationStore,
  reservationId: string,
  report: OutputReport,
  context: HoldChangeContext,
): Promise<OutputRecordResult> {
  validateOutputReport(report);
  // The outputs the last plan saw (the loop may plan again on a newer item): what the answer reports.
  let outputs: Record<string, NonNullable<HoldRecord["outputs"]>[string]> = {};
  const result = await changeHold(store, reservationId, "commit", context, (hold, now, budget) => {
    const planned = planOutput(hold, now, report, budget);
    outputs = planned.outputs;
    return planned.plan;
  });
  if (result.kind === "not_found" || result.kind === "conflict") return result;
  if (result.kind !== "ok") throw new Error(`recordOutput: unexpected ${result.kind}`);
  const complete = Object.keys(outputs).length >= report.outputs;
  return { kind: "ok", view: result.view, replayed: result.replayed, outputs, complete };
}

/** The operations above over one store, with the signatures the store's contract tests call. */
export interface ReservationOperations {
  reserve(
    accountId: string,
    request: ReserveRequest,
    rules: BalanceRules,
    guard?: BalanceGuard,
  ): Promise<ReserveResult>;
  commit(reservationId: string, commit: HoldCommit, context: HoldChangeContext): Promise<HoldChangeResult>;
  release(
    reservationId: string,
    context: HoldChangeContext,
    reason?: ReleaseReason,
  ): Promise<HoldChangeResult>;
  recordOutput(
    reservationId: string,
    report: OutputReport,
    context: HoldChangeContext,
  ): Promise<OutputRecordResult>;
  extend(
    reservationId: string,
    extension: HoldExtension,
    context: HoldChangeContext,
  ): Promise<HoldChangeResult>;
}

export function reservationOperations(store: ReservationStore): ReservationOperations {
  return {
    reserve: (accountId, request, rules, guard) => reserveHold(store, accountId, request, rules, guard),
    commit: (reservationId, commit, context) => commitHold(store, reservationId, commit, context),
    release: (reservationId, context, reason) => releaseHold(store, reservationId, context, reason),
    recordOutput: (reservationId, report, context) => recordOutput(store, reservationId, report, context),
    extend: (reservationId, extension, context) => extendHold(store, reservationId, extension, context),
  };
}
