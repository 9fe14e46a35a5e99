import type { AccountState, Alert, AlertState, Hold } from "#core/account";
import type { BalanceSnapshot, Unit } from "#core/balance";
import type { BalanceRules, ReservationStatus, ReservationView, Shortfall } from "#core/reservations";

/**
 * The storage port the use cases depend on, one interface per job: account state, reservations, polls and
 * history. lambdas/store implements it on DynamoDB; the rules for what counts are in #core/reservations.
 */

export interface ReserveRequest {
  /** From reservationIdFor(accountId, idempotencyKey). */
  id: string;
  amount: number;
  ttlSeconds: number;
  idempotencyKey?: string;
  estimate?: unknown;
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
  | { kind: "created"; hold: Hold }
  | { kind: "existing"; hold: Hold }
  | ({ kind: "insufficient" } & Shortfall)
  | { kind: "no-balance" }
  /** The recorded balance is older than the guard allows, or in another unit: read it afresh and retry. */
  | { kind: "stale" };

export type EndHoldResult =
  | { kind: "ok"; hold: Hold; state: AccountState }
  | { kind: "not_found" }
  | { kind: "not_held"; hold: Hold; status: Exclude<ReservationStatus, "held"> };

export interface StoredReservation {
  hold: Hold;
  view: ReservationView;
  /** True once a poll moved it out of the state item (it no longer counts). */
  archived: boolean;
}

export interface PollRecord {
  /** The schedule tick (ISO time) this poll ran for. */
  tick: string;
  /** Undefined for a failed or skipped reading: then only the alert state (and retryNotBefore) change. */
  snapshot?: BalanceSnapshot;
  /** The alert state after this reading's alerts. */
  alert?: AlertState;
  lastPollAt: string;
  /**
   * What to record of HeyGen's "not before": a new wait, `null` to clear it (HeyGen was called and did not
   * ask to wait), undefined to leave it (a reading skipped before it).
   */
  retryNotBefore?: { until: string; reason: string } | null;
}

/** How long a reading holds the account: the poller's timeout, past any poll that is still running. */
export const READING_LEASE_SECONDS = 60;

/** Which reading is claimed: one schedule tick, or an on-demand refresh at most every `minIntervalSeconds`. */
export type ReadingClaim = { tick: string } | { refresh: true; minIntervalSeconds: number };

export interface PollRules extends BalanceRules {
  retentionDays: number;
}

export interface SnapshotRange {
  since?: Date;
  until?: Date;
  limit: number;
}

/** The account's state item: the latest balance, alert state and what is held against it. */
export interface AccountStateStore {
  /** The account's state in one strongly consistent read; undefined before its first poll. */
  getAccountState(accountId: string): Promise<AccountState | undefined>;
  /** The states of the given accounts that have one, keyed by account id. */
  listAccountStates(accountIds: readonly string[]): Promise<Map<string, AccountState>>;
}

/** Credit holds: made only if they fit in `available` at that instant, under any concurrency. */
export interface ReservationStore {
  /**
   * Holds `request.amount` if the exact available covers it. A repeated id (Idempotency-Key) returns the hold
   * it already made. Raises InvalidReservationRequestError, HoldCapacityError, StoreConflictError.
   */
  reserve(
    accountId: string,
    request: ReserveRequest,
    rules: BalanceRules,
    guard?: BalanceGuard,
  ): Promise<ReserveResult>;
  /** Ends a held, unexpired hold as spent (`actualAmount` defaults to the held amount). */
  commit(reservationId: string, actualAmount: number | undefined, now: Date): Promise<EndHoldResult>;
  /** Ends a held, unexpired hold unspent. */
  release(reservationId: string, now: Date): Promise<EndHoldResult>;
  /** A reservation, live or archived; undefined when unknown or malformed. */
  getReservation(reservationId: string, now: Date): Promise<StoredReservation | undefined>;
}

/** What a poll records. */
export interface PollStore {
  /**
   * Claims one reading of the account in one conditional write, so that concurrent or repeated readings
   * record, count and alert once: false when another delivery of the same tick claimed it, when a refresh
   * ran less than `minIntervalSeconds` ago (or a scheduled poll succeeded then), or when another reading
   * holds the account (a lease of READING_LEASE_SECONDS from `now`, ended by savePoll). Answers the account's
   * state as claimed, or undefined when refused.
   */
  claimReading(accountId: string, claim: ReadingClaim, now: Date): Promise<AccountState | undefined>;
  /** Records a poll: the newer snapshot, the alert state, an exact headroom, settled holds archived. */
  savePoll(accountId: string, poll: PollRecord, rules: PollRules): Promise<AccountState>;
}

/** Balance history and the alert log, append-only, newest first on read. */
export interface HistoryStore {
  /** Records one snapshot per tick; false when this tick was already recorded (a retried invocation). */
  putSnapshot(
    accountId: string,
    tick: string,
    snapshot: BalanceSnapshot,
    retentionDays: number,
  ): Promise<boolean>;
  /** Snapshots observed within [since, until], newest first, at most `limit` (1–1000). */
  listSnapshots(accountId: string, range: SnapshotRange): Promise<BalanceSnapshot[]>;
  /** Records an alert (sent or failed); the same alert written twice stays one entry. */
  appendAlert(alert: Alert, retentionDays: number): Promise<void>;
  /** The alert log, newest first. */
  listAlerts(accountId: string, limit: number): Promise<Alert[]>;
}

export interface QuotaStore extends AccountStateStore, ReservationStore, PollStore, HistoryStore {}

/**
 * The account has no room for another hold. Holds leave the account's storage as they end and settle, so
 * room comes back with the next polls.
 */
export class HoldCapacityError extends Error {
  override readonly name = "HoldCapacityError";
  constructor(readonly accountId: string) {
    super(
      `account ${accountId} has too many open holds to take another; release or commit some, or retry after the next poll`,
    );
  }
}

/** A request that cannot be stored as given; `field` names the offending input. */
export class InvalidReservationRequestError extends Error {
  override readonly name = "InvalidReservationRequestError";
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field} ${message}`);
  }
}

/** Concurrent writers kept winning the version race; the caller may retry (HTTP 409/503). */
export class StoreConflictError extends Error {
  override readonly name = "StoreConflictError";
  constructor(
    readonly accountId: string,
    readonly operation: "reserve" | "savePoll",
    attempts: number,
  ) {
    super(`${operation} for account ${accountId} lost to concurrent writes ${attempts} times`);
  }
}
