import type { CommitBasis, ForcedCommit, Hold, HoldBudgetPeriod, OutputOutcome } from "./account.ts";
import type { Unit } from "./balance.ts";
import type { BudgetRefusal } from "./budget.ts";
import { budgetRaiseRefusal } from "./budget-writes.ts";
import { type CorrectionBounds, correctionBounds } from "./corrections.ts";
import type { IdempotencyKeyUse, KeyAnswer } from "./hold-record.ts";
import { liveKeyAnswer } from "./hold-record.ts";
import type { ReservationWrite, WriteOutcome } from "./reservation-writes.ts";
import {
  type BalanceRules,
  type CommitBound,
  commitBoundOf,
  computeBalanceView,
  type ReservationView,
  type Shortfall,
  shortfallOf,
} from "./reservations.ts";
import type { Billed } from "./spend-ledger.ts";

/**
 * A hold change is a commit, a release, an extend or an output's outcome: a planner reads the hold as
 * stored and answers a replay, a conflict, or a PlannedChange; the store applies it; a refusal is decided here.
 */

/** A commit of a held hold (the use case's CommitBody after the API; amounts in the hold's unit). */
export interface HoldCommit {
  /**
   * What this commit records (the wire's `actualAmount` of a commit): a part (`final: false`) or the last
   * part (after partial commits, only what they did not record). Default for a final commit: the held part.
   * Not with totalAmount.
   */
  part?: number;
  /**
   * The job's whole cost: the commit records `totalAmount − committedAmount` (InvalidReservationRequestError
   * `totalAmount` when below what is committed). Not with part.
   */
  totalAmount?: number;
  /** A final commit ends the hold; a partial one (false) keeps the rest held. */
  final: boolean;
  /** Recorded on the hold when a HeyGen webhook commits it. */
  basis?: CommitBasis;
  /** What HeyGen billed, when a webhook commits: kept on the commit's ledger entry. */
  billed?: Billed;
  /**
   * A commit past the hold plus what is available: refused when absent (`exceeds-available`, nothing
   * written, checked in the commit's own transaction); `{ forcedBy }` records it anyway and keeps who forced it
   * and the amounts on the hold (`forced`); `charged` records it as is (HeyGen's webhook reports a charge HeyGen
   * already made).
   */
  beyondAvailable?: { forcedBy: string } | "charged";
}

/** An extend of a held hold. */
export interface HoldExtension {
  /** The new authorised total, ≥ the current one. */
  amount?: number;
  /** The new expiry, in seconds from now. */
  ttlSeconds?: number;
}

/** One output's terminal outcome, for a hold that pays for several outputs (core/job-outputs.ts). */
export interface OutputReport {
  /** The output's id (outputIdOf the event); an output is recorded once. */
  outputId: string;
  /** How many outputs the hold pays for (outputCountOf its spec), at least 2. */
  outputs: number;
  /** A success's `amount` is the part it commits; undefined: the held share (heldShareOf). */
  outcome: OutputOutcome;
  /** What HeyGen billed for a success: kept on its ledger entry. */
  billed?: Billed;
}

/** The answer to a commit, release or extend. */
export type HoldChangeResult =
  /** `replayed`: the same request was applied before; this is its answer (Idempotent-Replayed). */
  | {
      kind: "ok";
      view: ReservationView;
      replayed: boolean;
      /** Set when this very commit was forced past the bound (HoldCommit.beyondAvailable.forcedBy). */
      forced?: ForcedCommit;
    }
  | { kind: "not_found" }
  /** The hold is not in a state this request can apply to (or a repeat names another amount). */
  | { kind: "conflict"; view: ReservationView }
  | ({ kind: "insufficient"; unit?: Unit } & Shortfall)
  /** A commit past the hold plus what is available, not forced: nothing was written. */
  | ({ kind: "exceeds-available"; unit?: Unit } & CommitBound)
  | { kind: "key-reused" }
  /** A raise the hold's budget refuses (cap per job, or its period's limit). */
  | {
      kind: "budget-refused";
      refusal: Exclude<BudgetRefusal, { type: "no-free-slot" | "paused" }>;
      unit?: Unit;
    }
  /** A raise of a hold whose budget period has ended. */
  | { kind: "budget-period-ended"; budgetId: string };

/** The answer to an output's outcome. */
export type OutputRecordResult =
  | {
      kind: "ok";
      view: ReservationView;
      /** True: this output's outcome was recorded before (a retried delivery); nothing changed. */
      replayed: boolean;
      /** Every output recorded so far, this one included. */
      outputs: Record<string, OutputOutcome>;
      /** Every output is terminal: the hold has ended (committed for the successes, the rest released). */
      complete: boolean;
    }
  | { kind: "not_found" }
  /** The hold was not held (ended otherwise, or expired), or this output was recorded with the other outcome. */
  | { kind: "conflict"; view: ReservationView };

/**
 * A change's planned writes and the hold after them; for a change the counter guards, `required` (what
 * headroom must cover) and for a commit `bound` (its refusal is exceeds-available, not insufficient).
 */
export interface PlannedChange {
  writes: ReservationWrite[];
  after: Hold;
  required?: number;
  bound?: { held: number; asked: number };
  /** A raise of a budgeted hold: what its budget's `budget-covers` condition was asked. */
  budgetRaise?: { period: HoldBudgetPeriod; increase: number; amount: number };
}

/**
 * What a planner answers on the hold it read; `budget-period-ended`: a raise of a budgeted hold whose period
 * is over.
 */
export type ChangePlan = "replay" | "conflict" | "budget-period-ended" | PlannedChange;

/** What the change loop learnt of the hold's budget: its counters are in another period than the hold's. */
export interface BudgetPlanning {
  periodGone: boolean;
}

/**
 * A keyed change's stored answer: the same request replays it, another one is refused; undefined when the
 * key has no live answer (the change is planned).
 */
export function changeAnswerOfKey(
  answer: KeyAnswer | undefined,
  key: IdempotencyKeyUse,
  now: Date,
): HoldChangeResult | undefined {
  const live = liveKeyAnswer(answer, now);
  if (live === undefined) return undefined;
  return live.requestHash === key.requestHash && live.view
    ? { kind: "ok", view: live.view, replayed: true }
    : { kind: "key-reused" };
}

/** What a refused change does next. */
export type ChangeNext =
  /**
   * The hold changed since it was read (a concurrent change): read it and plan again; `budgetPeriodGone`: its
   * budget's counters are of another period, so plan the change as one of an ended period.
   */
  | { next: "replan"; budgetPeriodGone?: true }
  /** A concurrent request with the same key won: its stored answer is this one's. */
  | { next: "restart" }
  /** Correct the counter, then read and plan again. */
  | { next: "correct"; bounds: CorrectionBounds }
  | { next: "answer"; result: HoldChangeResult };

/** The next step after `outcome` refused `planned`; `corrected`: a correction already ran for this request. */
export function nextAfterRefusedChange(
  planned: PlannedChange,
  outcome: Extract<WriteOutcome, { applied: false }>,
  context: { rules: BalanceRules; corrected: boolean; unit: Unit | undefined },
): ChangeNext {
  const { rules, unit } = context;
  if (outcome.refused.includes("headroom-covers") && planned.required !== undefined) {
    const old = outcome.account;
    if (!context.corrected && old?.latest !== undefined) {
      return {
        next: "correct",
        bounds: correctionBounds(rules.now, old.latest.observedAt, rules.settleSeconds),
      };
    }
    const available = old ? (computeBalanceView(old, rules).available ?? 0) : 0;
    const coverable = Math.min(available, old?.headroom ?? 0);
    const inUnit = unit ? { unit } : {};
    if (planned.bound !== undefined) {
      const { held, asked } = planned.bound;
      return {
        next: "answer",
        result: { kind: "exceeds-available", ...commitBoundOf(held, coverable, asked), ...inUnit },
      };
    }
    return {
      next: "answer",
      result: { kind: "insufficient", ...shortfallOf(planned.required, coverable), ...inUnit },
    };
  }
  if (outcome.refused.includes("key-unused")) return { next: "restart" };
  if (outcome.refused.includes("budget-period")) return { next: "replan", budgetPeriodGone: true };
  if (outcome.refused.includes("budget-covers") && planned.budgetRaise !== undefined) {
    const { period, increase, amount } = planned.budgetRaise;
    const budget = outcome.budget;
    const refusal = budget && budgetRaiseRefusal(budget, period, increase, amount, rules.now);
    if (budget === undefined || refusal === "period-ended") {
      return { next: "answer", result: { kind: "budget-period-ended", budgetId: period.budgetId } };
    }
    if (refusal !== undefined) {
      return { next: "answer", result: { kind: "budget-refused", refusal, ...(unit ? { unit } : {}) } };
    }
  }
  return { next: "replan" };
}
