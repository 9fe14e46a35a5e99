import type { AccountState, AlertState } from "#core/account";
import type { BalanceSnapshot } from "#core/balance";
import type { BalanceRules } from "#core/reservations";

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

/** What a poll records. */
export interface PollStore {
  /**
   * Claims one reading of the account in one conditional write, so that concurrent or repeated readings
   * record, count and alert once. Answers the account's state as claimed, or undefined when refused: when
   * another delivery of the same tick claimed it, when a refresh ran less than `minIntervalSeconds` ago (or a
   * scheduled poll succeeded then), or when another reading holds the account (a lease of
   * READING_LEASE_SECONDS from `now`, ended by endReading).
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
