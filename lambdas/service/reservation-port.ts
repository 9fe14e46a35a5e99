import type { CommitBasis, ForcedCommit, Hold, OutputOutcome, ReleaseReason } from "#core/account";
import type { Unit } from "#core/balance";
import type {
  BalanceRules,
  CommitBound,
  ReservationStatus,
  ReservationView,
  Shortfall,
} from "#core/reservations";

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
}

/** An Idempotency-Key and the fingerprint of the request it came with (same key, other request: refused). */
export interface IdempotencyKeyUse {
  key: string;
  /** A hash of the request's method, path and body. */
  requestHash: string;
}

/**
 * The balance a hold was priced against must still be the recorded one: observed no earlier than
 * `observedAtOrAfter` (fresh enough) and in `unit`. Checked inside the reserve's one conditional write, so a
 * reserve needs no read first.
 */
export interface BalanceGuard {
  /** ISO time; `observedAt` strings are canonical ISO (toISOString), so they compare in time order. */
  observedAtOrAfter: string;
  unit: Unit;
}

export type ReserveResult =
  | { kind: "created"; view: ReservationView }
  /** The Idempotency-Key's hold, as it is now. */
  | { kind: "existing"; view: ReservationView }
  | ({ kind: "insufficient" } & Shortfall)
  | { kind: "no-balance" }
  /** The recorded balance is older than the guard allows, or in another unit: read it afresh and retry. */
  | { kind: "stale" }
  | { kind: "key-reused" };

/** The answer to a commit, release or extend. */
export type SettleResult =
  /** `replayed`: the same request was applied before; this is its answer (Idempotent-Replayed). */
  | {
      kind: "ok";
      view: ReservationView;
      replayed: boolean;
      /** Set when this very commit was forced past the bound (CommitRequest.beyondAvailable.forcedBy). */
      forced?: ForcedCommit;
    }
  | { kind: "not_found" }
  /** The hold is not in a state this request can apply to (or a repeat names another amount). */
  | { kind: "conflict"; view: ReservationView }
  | ({ kind: "insufficient"; unit?: Unit } & Shortfall)
  /** A commit past the hold plus what is available, not forced: nothing was written. */
  | ({ kind: "exceeds-available"; unit?: Unit } & CommitBound)
  | { kind: "key-reused" };

export interface CommitRequest {
  /**
   * What this commit records: a part (`final: false`) or the last part (after partial commits, only what they
   * did not record). Default for a final commit: the held part. Not with totalAmount.
   */
  actualAmount?: number;
  /**
   * The job's whole cost: the commit records `totalAmount − committedAmount` (InvalidReservationRequestError
   * `totalAmount` when below what is committed). Not with actualAmount.
   */
  totalAmount?: number;
  /** A final commit ends the hold; a partial one (false) keeps the rest held. */
  final: boolean;
  /** Recorded on the hold when a HeyGen webhook commits it. */
  basis?: CommitBasis;
  /**
   * A commit past the hold plus what is available: refused when absent (`exceeds-available`, nothing
   * written, checked in the commit's own transaction); `{ forcedBy }` records it anyway and keeps who forced it
   * and the amounts on the hold (`forced`); `charged` records it as is (HeyGen's webhook reports a charge HeyGen
   * already made).
   */
  beyondAvailable?: { forcedBy: string } | "charged";
}

/** One output's terminal outcome, for a hold that pays for several outputs (core/job-outputs.ts). */
export interface OutputSettleRequest {
  /** The output's id (outputIdOf the event); an output is settled once. */
  outputId: string;
  /** How many outputs the hold pays for (outputCountOf its spec), at least 2. */
  outputs: number;
  /** A success's `amount` is the part it commits; undefined: the held share (heldShareOf). */
  outcome: OutputOutcome;
}

/** The answer to settleOutput. */
export type OutputSettleResult =
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
  /** The hold was not held (settled otherwise, or expired), or this output was recorded with the other outcome. */
  | { kind: "conflict"; view: ReservationView };

export interface ExtendRequest {
  /** The new authorised total, ≥ the current one. */
  amount?: number;
  /** From now. */
  ttlSeconds?: number;
}

export interface ReservationPage {
  reservations: ReservationView[];
  /** Opaque; absent on the last page. */
  nextCursor?: string;
}

export interface ReservationQuery {
  status?: ReservationStatus;
  /** 1–100. */
  limit: number;
  cursor?: string;
}

/** Where a settle request comes from: the clock, the balance rules and an optional Idempotency-Key. */
export interface SettleContext extends BalanceRules {
  idempotencyKey?: IdempotencyKeyUse;
}

/** Credit holds: made only if they fit in `available` at that instant, under any concurrency. */
export interface ReservationStore {
  /**
   * Holds `request.amount` if `available` covers it. The same Idempotency-Key within 24 h returns the hold it
   * made. Raises InvalidReservationRequestError, StoreConflictError.
   */
  reserve(
    accountId: string,
    request: ReserveRequest,
    rules: BalanceRules,
    guard?: BalanceGuard,
  ): Promise<ReserveResult>;
  /** Commits a part or, when final, the rest of a held, unexpired hold. */
  commit(reservationId: string, request: CommitRequest, context: SettleContext): Promise<SettleResult>;
  /**
   * Ends a held, unexpired hold, returning the part not committed; `reason`, when given, is recorded on it
   * (`releaseReason`). A hold already released is a replay, whatever reason either release gave.
   */
  release(reservationId: string, context: SettleContext, reason?: ReleaseReason): Promise<SettleResult>;
  /**
   * Records one output's outcome on a held hold of several outputs, with its money, in one transaction: a
   * success commits its part (partial), a failure commits nothing (its share stays held until the end), and
   * the output that makes every output terminal ends the hold: committed when any succeeded (the rest
   * released), else released. An output already recorded is a replay (same outcome) or a conflict.
   */
  settleOutput(
    reservationId: string,
    request: OutputSettleRequest,
    context: SettleContext,
  ): Promise<OutputSettleResult>;
  /** Raises the authorised total (taken atomically from `available`) and/or the expiry of a held hold. */
  extend(reservationId: string, request: ExtendRequest, context: SettleContext): Promise<SettleResult>;
  /** A reservation; undefined when unknown or malformed. */
  getReservation(reservationId: string, now: Date): Promise<ReservationView | undefined>;
  /** The account's reservations, newest first. Raises InvalidReservationRequestError for a bad cursor. */
  listReservations(accountId: string, query: ReservationQuery, now: Date): Promise<ReservationPage>;
  /** The oldest hold still held and unexpired, if any. */
  oldestOpenHold(accountId: string, now: Date): Promise<Hold | undefined>;
  /**
   * Takes out of `reserved` the holds expired by `now` and the committed parts committed at or before
   * `settledUpTo` (epoch ms: the recorded snapshot's observedAt − settleSeconds). Returns how many.
   */
  correctCounters(accountId: string, now: Date, settledUpToMs?: number): Promise<number>;
}
