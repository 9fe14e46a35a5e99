/**
 * Reservation rules: what a hold counts against the balance, and when it stops counting. The storage
 * design (one item per hold, a counter on the account, corrections by expiry and settlement) is in
 * docs/reservations.md; this module knows no storage.
 *
 *     reserved  = Σ held part of holds held and unexpired + Σ committed parts not yet settled
 *     available = remaining − reserved − reserveFloor
 *
 * A hold authorises `amount`. Commits (captures) take spend from it, in parts (`final: false`) or finally;
 * its held part is `amount − committedAmount`, never below 0. A committed part counts until the first
 * balance snapshot observed at least `settleSeconds` after that part's commit: from then on HeyGen's balance
 * reflects the charge (no double count); before that the recorded balance may predate it (no forgotten spend).
 *
 * Amounts are plain numbers. DynamoDB adds and subtracts them exactly (decimal); sums computed here are
 * rounded to 1e-9 so that float drift never turns an exact fit into a denial.
 */

import type { AccountState, CommitBasis, ForcedCommit, Hold, ReleaseReason } from "#core/account";
import type { Unit } from "#core/balance";
import type { Labels } from "./labels.ts";
import { InvalidReservationRequestError } from "./reservation-errors.ts";
import { accountIdOfReservation } from "./reservation-id.ts";

/**
 * The smallest amount other than 0 that a hold, or a commit's actual, may have: a millionth of a credit or a
 * dollar is below any price, and DynamoDB refuses numbers as small as a float's denormals.
 */
export const MIN_AMOUNT = 0.000001;

/** Amounts are 0 or at least MIN_AMOUNT, finite, and not negative. */
export function isStorableAmount(value: number): boolean {
  return Number.isFinite(value) && (value === 0 || value >= MIN_AMOUNT);
}

/**
 * Raises InvalidReservationRequestError naming `field` unless `value` is storable. A job whose estimate is 0
 * (test mode on a card where it is free) holds 0: harmless, and the flow stays one.
 */
export function assertStorableAmount(field: string, value: number): void {
  if (!isStorableAmount(value)) {
    throw new InvalidReservationRequestError(field, `must be 0 or a finite number ≥ ${MIN_AMOUNT}`);
  }
}

export interface BalanceRules {
  now: Date;
  reserveFloor: number;
  settleSeconds: number;
}

export interface BalanceView {
  /** The recorded balance; null before the first good poll. */
  remaining: number | null;
  reserved: number;
  /** remaining − reserved − reserveFloor; null while the balance is unknown. May be negative. */
  available: number | null;
}

export type ReservationStatus = "held" | "committed" | "released" | "expired";

export interface ReservationView {
  id: string;
  accountId: string;
  /** The authorised total. */
  amount: number;
  unit?: Unit;
  status: ReservationStatus;
  /** Σ committed parts. */
  committedAmount: number;
  /** What still counts as held: `amount − committedAmount` (not below 0) while held, else 0. */
  heldAmount: number;
  createdAt: string;
  expiresAt: string;
  committedAt?: string;
  /** The job's whole cost: Σ committed parts, once a final commit ended the hold. */
  totalAmount?: number;
  /** The older name of totalAmount, kept for existing callers (in a commit request, actualAmount is a part). */
  actualAmount?: number;
  releasedAt?: string;
  estimate?: unknown;
  /** The job spec the estimate priced. */
  spec?: unknown;
  /** Set when a HeyGen webhook committed the hold: where its amount came from. */
  commitBasis?: CommitBasis;
  /** Set when a commit was forced past the hold plus what was available: by whom and how far. */
  forced?: ForcedCommit;
  /** Why the pipeline released the hold, when it said. */
  releaseReason?: ReleaseReason;
  /** The caller's IAM principal that made the hold. */
  principal?: string;
  /** The budget the hold was reserved through. */
  budget?: string;
  /** The hold's labels (the request's, over its budget's). */
  labels?: Labels;
}

/**
 * Why a commit was refused: it asked more than the bound, `allowed` = held + max(0, available), amounts in
 * the hold's unit. A commit within the held part is never refused; beyond it, the excess must fit in
 * `available`, as a reserve of it would.
 */
export interface CommitBound {
  held: number;
  available: number;
  asked: number;
  allowed: number;
}

/** The bound a commit of `asked` meets on a hold whose held part is `held`, `available` on the account. */
export function commitBoundOf(held: number, available: number, asked: number): CommitBound {
  return { held, available, asked, allowed: roundAmount(held + Math.max(0, available)) };
}

export interface Shortfall {
  required: number;
  available: number;
  shortfall: number;
}

/** Rounds away float drift (0.1 + 0.2) so that exact fits compare as fits. */
export function roundAmount(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}

export function holdStatus(hold: Hold, now: Date): ReservationStatus {
  if (hold.status === "held" && hold.expiresAtMs <= now.getTime()) return "expired";
  return hold.status;
}

/** The part of a `held` hold not yet committed, whether or not it has expired (0 for an ended hold). */
export function heldPart(hold: Pick<Hold, "status" | "amount" | "committedAmount">): number {
  if (hold.status !== "held") return 0;
  return Math.max(0, roundAmount(hold.amount - (hold.committedAmount ?? 0)));
}

/** A part committed at `committedAt` is settled once a snapshot observed `settleSeconds` later is recorded. */
export function isSettledBy(
  committedAt: string,
  observedAt: string | undefined,
  settleSeconds: number,
): boolean {
  return observedAt !== undefined && Date.parse(observedAt) >= Date.parse(committedAt) + settleSeconds * 1000;
}

/** The account's balance as its counter stands (conservative until corrected; see AccountState.reserved). */
export function computeBalanceView(
  state: Partial<Pick<AccountState, "latest" | "reserved">> | undefined,
  rules: BalanceRules,
): BalanceView {
  const reserved = roundAmount(state?.reserved ?? 0);
  const remaining = state?.latest?.remaining ?? null;
  const available = remaining === null ? null : roundAmount(remaining - reserved - rules.reserveFloor);
  return { remaining, reserved, available };
}

export function shortfallOf(required: number, available: number): Shortfall {
  return { required, available, shortfall: roundAmount(required - available) };
}

/** What a commit of `part` does to a held hold's amounts, and by how much it changes `reserved`. */
export interface CommitAmounts {
  /** The committed part (the held part when a final commit names no actual). */
  part: number;
  committedAmount: number;
  /** reserved′ − reserved: the part starts counting, the held part it covers stops. */
  reservedDelta: number;
}

/** The amounts of a commit of `part` (undefined: the held part) on `hold`; `final` ends what stays held. */
export function commitAmounts(hold: Hold, given: number | undefined, final: boolean): CommitAmounts {
  const held = heldPart(hold);
  const part = given ?? held;
  const stillHeld = final ? 0 : Math.max(0, roundAmount(held - part));
  return {
    part,
    committedAmount: roundAmount((hold.committedAmount ?? 0) + part),
    reservedDelta: roundAmount(part + stillHeld - held),
  };
}

/** The public shape of a reservation (docs/api.md, Reservations). */
export function reservationView(hold: Hold, now: Date, unit: Unit | undefined = hold.unit): ReservationView {
  const accountId = accountIdOfReservation(hold.id);
  // Ids are only ever made by reservationIdFor; a malformed one is a bug, not bad input.
  if (accountId === undefined) throw new Error(`malformed reservation id in store: ${hold.id}`);
  const status = holdStatus(hold, now);
  const committedAmount = hold.committedAmount ?? 0;
  const view: ReservationView = {
    id: hold.id,
    accountId,
    amount: hold.amount,
    status,
    committedAmount,
    heldAmount: status === "held" ? heldPart(hold) : 0,
    createdAt: hold.createdAt,
    expiresAt: new Date(hold.expiresAtMs).toISOString(),
  };
  if (unit !== undefined) view.unit = unit;
  if (hold.committedAt !== undefined) view.committedAt = hold.committedAt;
  if (hold.status === "committed") {
    view.totalAmount = committedAmount;
    view.actualAmount = committedAmount;
  }
  if (hold.releasedAt !== undefined) view.releasedAt = hold.releasedAt;
  if (hold.estimate !== undefined) view.estimate = hold.estimate;
  if (hold.spec !== undefined) view.spec = hold.spec;
  if (hold.commitBasis !== undefined) view.commitBasis = hold.commitBasis;
  if (hold.forced !== undefined) view.forced = hold.forced;
  if (hold.releaseReason !== undefined) view.releaseReason = hold.releaseReason;
  if (hold.principal !== undefined) view.principal = hold.principal;
  if (hold.budget !== undefined) view.budget = hold.budget.budgetId;
  if (hold.labels !== undefined) view.labels = hold.labels;
  return view;
}
