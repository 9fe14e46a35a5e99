import type {
  AccountState,
  Alert,
  AlertState,
  CommitBasis,
  ForcedCommit,
  Hold,
  OutputOutcome,
  ReleaseReason,
} from "#core/account";
import type { BalanceSnapshot, Unit } from "#core/balance";
import type {
  BalanceRules,
  CommitBound,
  ReservationStatus,
  ReservationView,
  Shortfall,
} from "#core/reservations";
import type { SignatureScheme } from "#core/webhook-signature";

/**
 * The storage port the use cases depend on, one interface per job: account state, reservations, polls and
 * history. lambdas/store implements it on DynamoDB; the rules for what counts are in #core/reservations.
 */

/** The most items one list (snapshots, alerts, webhook events) returns: one small Query page, far under 1 MB. */
export const MAX_LIST_LIMIT = 1000;

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

/** How a reading ends (endReading). */
export interface PollRecord {
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

/**
 * How long a reading holds the account: past the longest one reading runs (HeyGen awaited at most
 * `POLL_LIMITS.accountTimeoutMs`, 40 s, then a few writes), though the poller's run may last longer.
 */
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

/** What a poll records. */
export interface PollStore {
  /**
   * Claims one reading of the account in one conditional write, so that concurrent or repeated readings
   * record, count and alert once: false when another delivery of the same tick claimed it, when a refresh
   * ran less than `minIntervalSeconds` ago (or a scheduled poll succeeded then), or when another reading
   * holds the account (a lease of READING_LEASE_SECONDS from `now`, ended by endReading). Answers the account's
   * state as claimed, or undefined when refused.
   */
  claimReading(accountId: string, claim: ReadingClaim, now: Date): Promise<AccountState | undefined>;
  /**
   * Records a good reading's snapshot (unless a newer one is recorded) with
   * `headroom = remaining − reserveFloor − reserved`, then corrects the counter for holds that expired and
   * committed parts this snapshot settles. Keeps the reading's lease. Returns the state after: its `reserved`
   * is what counts against the snapshot, so alerts are planned on it (never on spend counted twice).
   */
  recordSnapshot(accountId: string, snapshot: BalanceSnapshot, rules: PollRules): Promise<AccountState>;
  /**
   * Ends a reading and its lease: the alert state after its alerts, `lastPollAt` for a good reading, and
   * HeyGen's "not before" (a good reading ends any wait). Returns the state after.
   */
  endReading(accountId: string, reading: PollRecord): Promise<AccountState>;
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
  /** Snapshots observed within [since, until], newest first, at most `limit` (1–MAX_LIST_LIMIT). */
  listSnapshots(accountId: string, range: SnapshotRange): Promise<BalanceSnapshot[]>;
  /** Records an alert (sent or failed); the same alert written twice stays one entry. */
  appendAlert(alert: Alert, retentionDays: number): Promise<void>;
  /** The alert log, newest first. */
  listAlerts(accountId: string, limit: number): Promise<Alert[]>;
}

/** One HeyGen webhook delivery as the guard handled it (the per-account webhook log). */
export interface WebhookLogEntry {
  accountId: string;
  receivedAt: string;
  eventType: string;
  videoId?: string;
  /** The output the event is about, when it is not the video id (a translation's id; outputIdOf). */
  outputId?: string;
  eventId?: string;
  callbackId?: string;
  /**
   * What the guard did: `committed` / `released` the hold, `replayed` (the pipeline or an earlier delivery
   * had already settled it the same way), `conflict` (it was settled otherwise), `unknown-reservation`, or
   * `ignored` (an event type that settles nothing).
   */
  action: "committed" | "released" | "replayed" | "conflict" | "unknown-reservation" | "ignored";
  reservationId?: string;
  /** The failure HeyGen reported, for a `.fail` event. */
  reason?: string;
  /** The actual amount and its basis, for a commit. */
  actualAmount?: number;
  commitBasis?: CommitBasis;
  /** The signature scheme that verified the delivery (core/webhook-signature.ts); absent on older entries. */
  signatureScheme?: SignatureScheme;
}

/** The webhook log: one entry per delivery, recognised again by its delivery keys (see deliveryKeys). */
export interface WebhookLogStore {
  /** True when a delivery with any of these keys was already recorded for the account. */
  seenDelivery(accountId: string, deliveryKeys: readonly string[]): Promise<boolean>;
  /**
   * Records the entry with its delivery keys in one transaction, kept `retentionDays`; false (and nothing
   * written) when one of the keys was recorded before.
   */
  recordDelivery(
    entry: WebhookLogEntry,
    deliveryKeys: readonly string[],
    retentionDays: number,
  ): Promise<boolean>;
  /** The account's webhook log, newest first, at most `limit` (1–MAX_LIST_LIMIT). */
  listWebhookEvents(accountId: string, limit: number): Promise<WebhookLogEntry[]>;
}

/**
 * What a Step Functions task waiting on a hold's video (`.waitForTaskToken`) is sent: success, or a failure
 * named `VideoFailed` or `InsufficientCredits`.
 */
export type TaskResult =
  | { status: "success"; output: ReservationView }
  | { status: "failure"; error: "VideoFailed" | "InsufficientCredits"; cause: string };

/**
 * A waiting task's token and the job's outcome meet on the hold item, each written by one single-item update
 * that sees the item as it was: of a token and the result, the one written second sees the first and its
 * writer sends the result, so each token is sent its result by one writer, whether the webhook arrives before
 * or after the task starts waiting. The result is written once and kept: a later event never overwrites it,
 * and a task that waits again (a redrive) is sent it at once.
 */
export interface TaskCallbackStore {
  /**
   * Stores the token (replacing an older one: that task no longer waits); when a result is stored, answers
   * it (the caller sends it to this token).
   */
  attachTaskToken(
    reservationId: string,
    taskToken: string,
  ): Promise<{ kind: "attached" } | { kind: "result"; result: TaskResult } | { kind: "not_found" }>;
  /**
   * Stores the result unless one is stored. `waitingToken`: a task was waiting when it was stored (the
   * caller sends it). `exists`: the stored result (never replaced), with `unsentToken` when a waiting token
   * was not marked sent (an earlier send failed; the caller sends the stored result again).
   */
  recordTaskResult(
    reservationId: string,
    result: TaskResult,
  ): Promise<
    | { kind: "recorded"; waitingToken?: string }
    | { kind: "exists"; result: TaskResult; unsentToken?: string }
    | { kind: "not_found" }
  >;
  /**
   * Claims sending the result to `taskToken` (marks it sent): true for exactly one caller per token, so a
   * retried or concurrent delivery sends no more.
   */
  claimResultSend(reservationId: string, taskToken: string): Promise<boolean>;
  /** Gives back a claim whose send failed, so that a retry sends again. */
  unclaimResultSend(reservationId: string, taskToken: string): Promise<void>;
}

export interface AccountStore
  extends AccountStateStore,
    ReservationStore,
    PollStore,
    HistoryStore,
    WebhookLogStore,
    TaskCallbackStore {}

/** A request that cannot be stored as given; `field` names the offending input, `pointer` where it was. */
export class InvalidReservationRequestError extends Error {
  override readonly name = "InvalidReservationRequestError";
  constructor(
    readonly field: string,
    message: string,
    readonly pointer = `/${field}`,
  ) {
    super(`${field} ${message}`);
  }
}

/** Concurrent writers kept winning the version race; the caller may retry (HTTP 409/503). */
export class StoreConflictError extends Error {
  override readonly name = "StoreConflictError";
  constructor(
    readonly accountId: string,
    readonly operation: string,
    attempts: number,
  ) {
    super(`${operation} for account ${accountId} lost to concurrent writes ${attempts} times`);
  }
}

/**
 * DynamoDB kept throttling a write (a `ThrottlingError` or `ProvisionedThroughputExceeded` cancellation of a
 * transaction, or a ThrottlingException, ProvisionedThroughputExceededException or RequestLimitExceeded),
 * after the store's own retries with backoff: nothing was written, and the same request may be sent again
 * after `retryAfterSeconds` (HTTP 503 `store-throttled` with Retry-After). A throttle is never an answer about
 * the balance: the per-account state item is in every reserve and settle, a hot key (docs/reservations.md).
 */
export class StoreThrottledError extends Error {
  override readonly name = "StoreThrottledError";
  constructor(
    /** The DynamoDB operation throttled (`TransactWriteItems`, `UpdateItem`, ...). */
    readonly operation: string,
    /** The throttling codes seen: the cancellation reasons' or the exception's name. */
    readonly codes: readonly string[],
    readonly attempts: number,
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(
      `DynamoDB throttled ${operation} (${codes.join(", ")}) ${attempts} times; retry after ${retryAfterSeconds} s`,
      options,
    );
  }
}
