import type { AccountState, Hold } from "./account.ts";
import type { Budget } from "./budget.ts";
import type { BalanceGuard, HoldRecord, IdempotencyKeyUse, KeyAnswer } from "./hold-record.ts";
import { IDEMPOTENCY_WINDOW_MS } from "./hold-record.ts";
import type { ReservationView } from "./reservations.ts";
import type { LedgerWrite } from "./spend-ledger.ts";

/**
 * The writes a reservation planner asks for, applied together (all or none) by the store. Each write carries
 * at most one named condition; when the store cannot apply them, it says which names refused (by the write
 * that carried each name), so planners decide on names, never on positions in the list.
 *
 *   headroom-covers  the counter: `headroom ≥ reservedDelta` (and the recorded balance passes the guard)
 *   hold-new         a new hold: no item with its id yet (ids are made per request)
 *   hold-unchanged   a hold change: the hold is still the version read, held and unexpired
 *   key-unused       an Idempotency-Key answer: no live answer for the key yet
 *   budget-covers    a budget: in the planned period, and (core/budget.ts budgetRefusal) not paused, within
 *                    its cap per job, a slot free, and left covering the amount (hard mode)
 *   budget-period    a budget: its counters are still of the period the hold was reserved in
 */
export type ConditionName =
  | "headroom-covers"
  | "hold-new"
  | "hold-unchanged"
  | "key-unused"
  | "budget-covers"
  | "budget-period";

/** The account's counters: `reserved += reservedDelta`, `headroom −= reservedDelta`, `openHolds += …`. */
export interface CounterWrite {
  write: "counter";
  accountId: string;
  reservedDelta: number;
  openHoldsDelta: number;
  /**
   * Only if headroom covers the delta (and, with a guard, the recorded balance is fresh and in its unit; with
   * `notPaused`, the account is not paused: a new hold's condition).
   */
  condition?: { name: "headroom-covers"; guard?: BalanceGuard; notPaused?: true; maxOpenHolds?: number };
}

/**
 * A budget's counters (docs/budgets.md): `held += heldDelta`, `committed += committedDelta`, `left −= both`,
 * `openHolds += openHoldsDelta`. With `startsPeriod`, the counters are of an earlier period: the write sets
 * them to this period's (`periodKey`, nothing committed, `heldDelta` held) instead.
 */
export interface BudgetWrite {
  write: "budget";
  accountId: string;
  budgetId: string;
  /** The period the counters are moved in. */
  periodKey: string;
  heldDelta: number;
  committedDelta: number;
  openHoldsDelta: number;
  /** The stored period the write replaces (the condition's key instead of `periodKey`). */
  startsPeriod?: { fromKey: string };
  /**
   * `budget-covers`: a new hold (`slot`: it takes one) or a raise; `need` must fit in `left` unless the budget
   * is soft, `jobAmount` in `maxPerJob`. `budget-period`: only the period check. None: only `openHolds` moves
   * (a hold of an ended period).
   */
  condition?:
    | { name: "budget-covers"; need: number; jobAmount: number; slot: boolean; notPaused: boolean }
    | { name: "budget-period" };
}

/** A new hold item, counted (in the open and held indexes) from the start. */
export interface NewHoldWrite {
  write: "new-hold";
  hold: HoldRecord;
  condition: { name: "hold-new" };
}

/** Hold fields a change may set; `version` is bumped by the store itself. */
export type HoldFields = Partial<Omit<HoldRecord, "accountId" | "version" | "ttl" | "id">>;

/** A change to a held, unexpired hold, conditional on the version read. */
export interface HoldChangeWrite {
  write: "hold-change";
  /** The hold as read (its key, and the version the change is conditional on). */
  hold: HoldRecord;
  set: HoldFields;
  /** The hold stops counting: it leaves the open and held indexes. */
  endsCount: boolean;
  /** A new expiry (epoch ms): the open index entry and the TTL move with it. */
  newExpiresAtMs?: number;
  /** Epoch ms of the plan: the hold must not have expired by then. */
  atMs: number;
  condition: { name: "hold-unchanged" };
}

/** A committed part, counted in `reserved` until a snapshot settles it. */
export interface CaptureWrite {
  write: "capture";
  hold: HoldRecord;
  /** The part's number (the hold's captures after this commit). */
  n: number;
  amount: number;
  committedAt: string;
}

/** An Idempotency-Key's answer, written with the request it answers (a live one is never overwritten). */
export interface KeyAnswerWrite {
  write: "key-answer";
  accountId: string;
  operation: string;
  /** The account for a reserve, the reservation for a change. */
  scope: string;
  key: IdempotencyKeyUse;
  answer: KeyAnswer;
  atMs: number;
  condition: { name: "key-unused" };
}

export type ReservationWrite =
  | CounterWrite
  | NewHoldWrite
  | HoldChangeWrite
  | CaptureWrite
  | KeyAnswerWrite
  | BudgetWrite
  | LedgerWrite;

/**
 * The store's answer to a set of writes: applied, or refused with the names of the conditions that failed,
 * the account's state as it was when `headroom-covers` refused, the answer a `key-unused` refusal met, and the
 * budget as it was when `budget-covers` or `budget-period` refused (absent: no such budget).
 */
export type WriteOutcome =
  | { applied: true }
  | {
      applied: false;
      refused: ConditionName[];
      account?: AccountState;
      answer?: KeyAnswer;
      budget?: Budget;
    };

/** The Idempotency-Key answer write for `operation` on `scope`, made at `now`. */
export function keyAnswerWrite(
  accountId: string,
  operation: string,
  scope: string,
  key: IdempotencyKeyUse,
  now: Date,
  reservationId: string,
  view?: ReservationView,
): KeyAnswerWrite {
  const answer: KeyAnswer = {
    reservationId,
    requestHash: key.requestHash,
    ...(view !== undefined ? { view } : {}),
    expiresAtMs: now.getTime() + IDEMPOTENCY_WINDOW_MS,
  };
  return {
    write: "key-answer",
    accountId,
    operation,
    scope,
    key,
    answer,
    atMs: now.getTime(),
    condition: { name: "key-unused" },
  };
}

/** A counter write; `guarded`: only if headroom covers `reservedDelta`. */
export function counterWrite(
  accountId: string,
  reservedDelta: number,
  openHoldsDelta: number,
  guarded = false,
): CounterWrite {
  return {
    write: "counter",
    accountId,
    reservedDelta,
    openHoldsDelta,
    ...(guarded ? { condition: { name: "headroom-covers" as const } } : {}),
  };
}

/** A change of a held hold planned at `now`. */
export function holdChange(
  hold: HoldRecord,
  now: Date,
  set: HoldFields,
  options: { endsCount: boolean; newExpiresAtMs?: number },
): HoldChangeWrite {
  return {
    write: "hold-change",
    hold,
    set,
    endsCount: options.endsCount,
    ...(options.newExpiresAtMs !== undefined ? { newExpiresAtMs: options.newExpiresAtMs } : {}),
    atMs: now.getTime(),
    condition: { name: "hold-unchanged" },
  };
}

/** The hold after a change's fields are set (what the answer shows). */
export function afterChange(hold: HoldRecord, set: HoldFields): Hold {
  return { ...hold, ...set };
}
