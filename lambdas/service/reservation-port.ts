import type { Hold } from "#core/account";
import type { HoldRecord, IdempotencyKeyUse, KeyAnswer } from "#core/hold-record";
import type { Labels } from "#core/labels";
import type { ReservationWrite, WriteOutcome } from "#core/reservation-writes";
import type { BalanceRules, ReservationStatus, ReservationView } from "#core/reservations";

export type {
  HoldChangeResult,
  HoldCommit,
  HoldExtension,
  OutputRecordResult,
  OutputReport,
} from "#core/hold-change";
export type { BalanceGuard, IdempotencyKeyUse } from "#core/hold-record";
export type { ReserveRequest, ReserveResult } from "#core/reserve-plan";

/** One page of an account's holds, newest first, as the store lists them. */
export interface HoldPage {
  reservations: ReservationView[];
  /** Opaque; absent on the last page. */
  nextCursor?: string;
}

export interface ReservationQuery {
  status?: ReservationStatus;
  /** Only holds with every one of these labels (core/labels.ts); empty or absent: all. */
  labels?: Labels;
  /** 1–MAX_RESERVATION_PAGE (list-limit.ts). */
  limit: number;
  cursor?: string;
}

/** What a commit, release or extend is planned with: the clock, the balance rules and an optional Idempotency-Key. */
export interface HoldChangeContext extends BalanceRules {
  idempotencyKey?: IdempotencyKeyUse;
}

/**
 * The holds' storage, primitive: it reads holds, Idempotency-Key answers and pages, and applies the writes a
 * planner made (lambdas/core/*-plan.ts) all together or not at all, answering which named conditions refused.
 * It decides nothing; the reservation operations (service/reservation-operations.ts) do, through the planners.
 */
export interface ReservationStore {
  /** The hold as stored (read consistently); undefined when absent or the id is malformed. */
  readHold(reservationId: string): Promise<HoldRecord | undefined>;
  /** The answer stored for an Idempotency-Key of `operation` on `scope` (live or not); undefined when none. */
  readKeyAnswer(
    accountId: string,
    operation: string,
    scope: string,
    key: string,
  ): Promise<KeyAnswer | undefined>;
  /** Applies `writes` in one transaction; a refusal names the conditions that failed (core/reservation-writes.ts). */
  applyWrites(writes: ReservationWrite[]): Promise<WriteOutcome>;
  /** A reservation; undefined when unknown or malformed. */
  getReservation(reservationId: string, now: Date): Promise<ReservationView | undefined>;
  /** The account's reservations, newest first. Raises InvalidReservationRequestError for a bad cursor. */
  listReservations(accountId: string, query: ReservationQuery, now: Date): Promise<HoldPage>;
  /** The oldest hold still held and unexpired, if any. */
  oldestOpenHold(accountId: string, now: Date): Promise<Hold | undefined>;
  /**
   * Takes out of `reserved` the holds expired by `now` and the committed parts committed at or before
   * `settledUpToMs` (epoch ms: core/corrections.ts settledUpToMs). Returns how many.
   */
  correctCounters(accountId: string, now: Date, settledUpToMs?: number): Promise<number>;
}
