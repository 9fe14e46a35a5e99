/**
 * Reservation rules: what counts against a balance, and when it stops counting.
 *
 * # Where holds live
 * Every hold of an account lives in the account's state item (pk `ACCOUNT#<id>`, sk `STATE`), in the map
 * `holds` keyed by reservation id, next to `latest` (the last balance snapshot), `headroom` and `version`.
 * So a reserve is ONE conditional UpdateItem on one item:
 *
 *     SET holds.#id = :hold, headroom = headroom - :amount  ADD version :one
 *     IF  headroom >= :amount AND attribute_not_exists(holds.#id)
 *
 * DynamoDB serialises writes to an item, so under any concurrency no two reserves can both take the
 * same credit, and a repeated reservation id (an Idempotency-Key maps to one id) can create one hold only.
 *
 * # headroom: a conservative counter
 * `headroom` is never above the true `available`, so the condition can never grant more than exists.
 * The true values are computed by the pure functions below from the item itself:
 *
 *     reserved  = Σ active holds   (held and not expired; committed and not yet settled, at actual ?? amount)
 *     available = remaining − reserved − reserveFloor
 *
 * Release, expiry and a commit with a smaller actual all make the truth larger than `headroom`; nothing
 * rewrites the counter at that moment (an expired hold stops counting at once for every reader, with no
 * sweeper). When the condition denies a reserve, the store reads the item DynamoDB returned with the
 * failure (ALL_OLD): if the hold id is already there, the request is an idempotent repeat; if the exact
 * `available` covers the amount, it writes `headroom = available` once (conditional on the `version` it
 * saw) and tries again (bounded); otherwise it denies with `{required, available, shortfall}`.
 * Only one event makes the truth smaller than the counter: a commit whose actual exceeds the hold. The
 * commit then lowers `headroom` by the excess in a second write. (Between those two writes a concurrent
 * reserve can still see the old counter; the excess is money HeyGen already charged beyond the hold.)
 * Every poll recomputes `headroom` exactly from the new snapshot.
 *
 * # Settlement: neither double-counted nor forgotten
 * A committed hold keeps counting until the first balance snapshot observed at least `settleSeconds`
 * (config `reservations.settleSeconds`, default 60) after its commit. From then on HeyGen's balance
 * reflects the charge, so the hold stops counting (no double count); before that, the recorded balance may
 * predate the charge, so the hold counts (no forgotten spend). A poll whose snapshot is older than the
 * recorded one never replaces it, so a settled hold can never come back as uncharged spend.
 *
 * # Pruning and the idempotency window
 * A poll drops from the state item the committed holds its snapshot settles and the released or expired
 * holds that ended more than 24 h ago (the idempotency window); each is first written as its own item
 * (sk `RESERVATION#<id>`, TTL `retentionDays`) and only then removed, so GET finds every reservation. A
 * reserve with an Idempotency-Key also reads the archive item (one consistent read) and answers with the
 * archived hold when there is one; a hold it had just made again is withdrawn (archiving happens before
 * removal, so that read cannot miss it).
 *
 * # Numbers
 * Amounts are plain numbers. DynamoDB adds and subtracts them exactly (decimal); sums computed here are
 * rounded to 1e-9 so that float drift never turns an exact fit into a denial.
 */

import type { AccountState, Hold } from "#core/account";
import type { Unit } from "#core/balance";
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

/** How long a released or expired hold stays in the state item, answering repeated Idempotency-Keys. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

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
  activeHolds: Hold[];
}

export type ReservationStatus = "held" | "committed" | "released" | "expired";

export interface ReservationView {
  id: string;
  accountId: string;
  amount: number;
  unit?: Unit;
  status: ReservationStatus;
  createdAt: string;
  expiresAt: string;
  committedAt?: string;
  actualAmount?: number;
  releasedAt?: string;
  estimate?: unknown;
}

export interface Shortfall {
  required: number;
  available: number;
  shortfall: number;
}

type BalanceSource = Pick<AccountState, "latest" | "holds">;

/** Rounds away float drift (0.1 + 0.2) so that exact fits compare as fits. */
export function roundAmount(value: number): number {
  return Math.round(value * 1e9) / 1e9;
}

/** What a hold costs while it counts: the actual amount once committed with one, else the held amount. */
export function holdCost(hold: Hold): number {
  return hold.status === "committed" ? (hold.actualAmount ?? hold.amount) : hold.amount;
}

export function holdStatus(hold: Hold, now: Date): ReservationStatus {
  if (hold.status === "held" && hold.expiresAtMs <= now.getTime()) return "expired";
  return hold.status;
}

/** A committed hold is settled once a snapshot observed `settleSeconds` after the commit is recorded. */
export function isSettled(hold: Hold, latest: BalanceSource["latest"], settleSeconds: number): boolean {
  if (hold.status !== "committed" || hold.committedAt === undefined || latest === undefined) return false;
  return Date.parse(latest.observedAt) >= Date.parse(hold.committedAt) + settleSeconds * 1000;
}

export function isHoldActive(hold: Hold, source: BalanceSource, now: Date, settleSeconds: number): boolean {
  const status = holdStatus(hold, now);
  if (status === "held") return true;
  return status === "committed" && !isSettled(hold, source.latest, settleSeconds);
}

export function computeBalanceView(source: BalanceSource, rules: BalanceRules): BalanceView {
  const activeHolds = Object.values(source.holds).filter((hold) =>
    isHoldActive(hold, source, rules.now, rules.settleSeconds),
  );
  const reserved = roundAmount(activeHolds.reduce((sum, hold) => sum + holdCost(hold), 0));
  const remaining = source.latest?.remaining ?? null;
  const available = remaining === null ? null : roundAmount(remaining - reserved - rules.reserveFloor);
  return { remaining, reserved, available, activeHolds };
}

/** The exact value for the `headroom` counter: nothing can be reserved on an unknown balance. */
export function exactHeadroom(source: BalanceSource, rules: BalanceRules): number {
  return computeBalanceView(source, rules).available ?? 0;
}

export function shortfallOf(required: number, available: number): Shortfall {
  return { required, available, shortfall: roundAmount(required - available) };
}

/** When a hold stopped counting for idempotency purposes: its release, or its expiry. */
function endedAtMs(hold: Hold): number | undefined {
  if (hold.status === "released") return Date.parse(hold.releasedAt ?? hold.createdAt);
  if (hold.status === "held") return hold.expiresAtMs;
  return undefined;
}

/**
 * Holds a poll moves out of the state item (`source.latest` is the poll's new snapshot): committed holds
 * that snapshot settles, and released or expired holds that ended before the idempotency window.
 */
export function holdsToArchive(source: BalanceSource, rules: Omit<BalanceRules, "reserveFloor">): Hold[] {
  const windowStart = rules.now.getTime() - IDEMPOTENCY_WINDOW_MS;
  return Object.values(source.holds).filter((hold) => {
    if (hold.status === "committed") return isSettled(hold, source.latest, rules.settleSeconds);
    const ended = endedAtMs(hold);
    return ended !== undefined && ended < windowStart;
  });
}

/** The public shape of a reservation (design §8). */
export function reservationView(hold: Hold, now: Date, unit?: Unit): ReservationView {
  const accountId = accountIdOfReservation(hold.id);
  // Ids are only ever made by reservationIdFor; a malformed one is a bug, not bad input.
  if (accountId === undefined) throw new Error(`malformed reservation id in store: ${hold.id}`);
  const view: ReservationView = {
    id: hold.id,
    accountId,
    amount: hold.amount,
    status: holdStatus(hold, now),
    createdAt: hold.createdAt,
    expiresAt: new Date(hold.expiresAtMs).toISOString(),
  };
  if (unit !== undefined) view.unit = unit;
  if (hold.committedAt !== undefined) view.committedAt = hold.committedAt;
  if (hold.actualAmount !== undefined) view.actualAmount = hold.actualAmount;
  if (hold.releasedAt !== undefined) view.releasedAt = hold.releasedAt;
  if (hold.estimate !== undefined) view.estimate = hold.estimate;
  return view;
}
