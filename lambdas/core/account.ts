import type { AlertOutlet, OwedAlert } from "#core/alert-delivery";
import type { AutoReloadWatch } from "#core/auto-reload";
import type { BalanceSnapshot } from "#core/balance";
import type { DigestFacts } from "#core/digest";
import type { Labels } from "#core/labels";
import type { DriftFacts, UnexplainedFacts } from "#core/spend-alerts";

/** Balance levels, worst last. `unknown` until the first good poll: missing data is never "ok". */
export const ALERT_LEVELS = ["ok", "warning", "critical", "exhausted"] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

export type AlertType =
  | "low_balance"
  | "recovered"
  | "forecast"
  | "monitor_degraded"
  | "monitor_recovered"
  /** A commit recorded past the hold plus what was available, because its caller forced it (`force: true`). */
  | "forced_commit"
  /** The account's kill switch was turned on (POST /v1/accounts/{id}/pause), or off again. */
  | "paused"
  | "resumed"
  /** A budget's use this period reached a level (warning, critical, exhausted), or a reminder of it. */
  | "budget_usage"
  /** A budget's use dropped back below its warning percentage (a release, a higher limit, a new period). */
  | "budget_recovered"
  /** At the period's rate so far, the budget runs out before its period ends. */
  | "budget_forecast"
  /** HeyGen's balance fell by more than the guard committed over the last 24 h (core/spend-alerts.ts). */
  | "unexplained_spend"
  /** A rate card under-estimates the duration-priced jobs of one job type and engine (core/spend-alerts.ts). */
  | "estimate_drift"
  /** Auto-reload is on, yet the wallet stayed below its reload threshold for two readings without a rise. */
  | "auto_reload_missed"
  /** The daily or weekly summary (config `digest`, off by default): sent like an alert, no level changes. */
  | "digest";
/** Alert severities from least to most urgent (the SNS `severity` attribute subscribers filter on). */
export const SEVERITIES = ["info", "warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Account ids: lowercase letters, digits and `-`, so they never contain the `_` reservation ids split on. */
export const ACCOUNT_ID_PATTERN = /^[a-z0-9-]{1,40}$/;

/** What the alert policy remembers between polls; persisted in the account state item. */
export interface AlertState {
  /** The level subscribers were last told about (advances only after SNS accepted the publish). */
  level: AlertLevel | "unknown";
  /** When subscribers were last told about `level` (for `repeatHours` reminders). */
  levelNotifiedAt?: string;
  /** An unexplained_spend alert was sent (its reminders count from here) and not yet cleared. */
  unexplainedNotifiedAt?: string;
  /** The cards (estimate-drift.ts cardKey) an estimate_drift alert was sent for and not yet found accurate. */
  driftingCards?: string[];
  /** A forecast alert has been sent and not yet cleared. */
  forecastNotifiedAt?: string;
  /** A monitor_degraded alert has been sent and not yet cleared by a good poll. */
  degraded: boolean;
  degradedNotifiedAt?: string;
  consecutiveFailures: number;
  /**
   * Readings skipped in a row because HeyGen asked us to wait (`retryNotBefore`): not failures, but the monitor
   * is as blind as after a failure, so they count toward `degradedAfterFailures` with the failures.
   */
  skippedReadings?: number;
  /** `until`: when HeyGen said it will answer again (a rate limit's `Retry-After`). */
  lastFailure?: { at: string; code: string; message: string; until?: string };
  /** Readings below the auto-reload threshold without a reload (core/auto-reload.ts); absent when it is off. */
  autoReload?: AutoReloadWatch;
}

export const INITIAL_ALERT_STATE: AlertState = { level: "unknown", degraded: false, consecutiveFailures: 0 };

/** One alert, as published to SNS and recorded in the alert log (docs/alerts.md). */
export interface Alert {
  accountId: string;
  alertType: AlertType;
  severity: Severity;
  level: AlertLevel | "forecast" | "monitor_degraded";
  previousLevel: AlertLevel | "unknown" | "forecast" | "monitor_degraded";
  subject: string;
  createdAt: string;
  /** Snapshot and forecast the alert was raised on (absent for monitor alerts without data). */
  remaining?: number;
  available?: number;
  unit?: BalanceSnapshot["unit"];
  hoursToExhaustion?: number | null;
  /** monitor_degraded by a rate limit: when HeyGen will answer again (ISO time). */
  rateLimitedUntil?: string;
  /** The stable id (core/alert-delivery.ts alertIdOf), set when it is first delivered. */
  id?: string;
  /**
   * `sent`: every outlet accepted it; `pending`: the first outlet (SNS) accepted it and `owed` did not yet
   * (put again at the next reading); `failed`: none accepted it (planned again at the next reading).
   */
  status?: "sent" | "failed" | "pending";
  owed?: AlertOutlet[];
  error?: string;
  /** Sent on request to show subscribers the formats (POST /v1/accounts/{id}/test-alert); changes no level. */
  test?: boolean;
  /** A forced_commit alert: the hold and what was forced. */
  forced?: ForcedCommit & { reservationId: string };
  /** A paused or resumed alert: who turned the kill switch on or off, when, and (paused) why. */
  pause?: { by: string; at: string; reason?: string };
  /**
   * An alert of one budget (budget_* alerts, and paused / resumed of a budget's kill switch): which budget,
   * and for budget_* alerts what it has used in the period, in the account's balance unit.
   */
  budget?: BudgetAlertFacts;
  /** An unexplained_spend alert: the reconciliation it was raised on. */
  unexplained?: UnexplainedFacts;
  /** An estimate_drift alert: the card, its accuracy and the rule it broke. */
  drift?: DriftFacts;
  /** A digest: the period's spend (core/digest.ts). */
  digest?: DigestFacts;
}

export interface BudgetAlertFacts {
  id: string;
  period?: string;
  /** ISO times; `periodEnd` null for a `total` budget. */
  periodStart?: string;
  periodEnd?: string | null;
  limit?: number;
  /** committed + held in the period. */
  used?: number;
  /** used / limit × 100, rounded to one decimal (100 for a zero limit with nothing used). */
  percentUsed?: number;
  mode?: "hard" | "soft";
  /** budget_forecast: hours until the budget runs out at the period's rate so far. */
  hoursToExhaustion?: number;
}

/**
 * A commit recorded beyond the bound (the hold's held part plus what was available) because its caller sent
 * `force: true`: who forced it and the amounts at that instant, in the hold's unit. Kept on the hold.
 */
export interface ForcedCommit {
  /** The caller's IAM principal as API Gateway identified it (its ARN), or what the local stack knows. */
  by: string;
  at: string;
  /** The hold's held part before the commit. */
  held: number;
  /** What the account had available (may be negative). */
  available: number;
  /** What the commit recorded. */
  asked: number;
  /** The most it could have recorded unforced: held + max(0, available). */
  allowed: number;
}

export type HoldStatus = "held" | "committed" | "released";

/**
 * A credit hold: an authorisation of `amount` that commits (captures) spend in one or several parts, is
 * released, or expires. Stored as its own item (docs/reservations.md).
 */
export interface Hold {
  id: string;
  /** The authorised total (raised by extend); what is still held is `amount − committedAmount`, not below 0. */
  amount: number;
  status: HoldStatus;
  createdAt: string;
  /** Epoch milliseconds; a `held` hold past this stops counting (it is reported as `expired`). */
  expiresAtMs: number;
  /** The balance unit the hold was priced in. */
  unit?: BalanceSnapshot["unit"];
  idempotencyKey?: string;
  /** Σ of the committed parts (0 until the first commit). */
  committedAmount?: number;
  /** When the last part was committed. */
  committedAt?: string;
  /** The part the final commit named (its `actualAmount`, or a total's part; null: none named), to recognise a repeated commit. */
  finalPart?: number | null;
  releasedAt?: string;
  /** The estimate the amount came from, when the hold was made from a job spec. */
  estimate?: unknown;
  /** The job spec that estimate priced, so a webhook can price the job at the duration HeyGen reports. */
  spec?: unknown;
  /** How a webhook's final commit chose its amount (absent for commits sent by the pipeline). */
  commitBasis?: CommitBasis;
  /** Why the pipeline released the hold, when it said (`POST /v1/reservations/{id}/release`). */
  releaseReason?: ReleaseReason;
  /**
   * A job of several outputs (a translation into several languages, `count` videos): each output's terminal
   * outcome by output id, recorded by the webhook with the commit it made (core/job-outputs.ts). Never shown.
   */
  outputs?: Record<string, OutputOutcome>;
  /** Set when a commit was forced past the bound (`force: true`): by whom and how far. */
  forced?: ForcedCommit;
  /** The caller's IAM principal that made the hold (API Gateway's IAM authorizer `userArn`). */
  principal?: string;
  /** The budget the hold was reserved through, and the period it counts in (core/budget.ts). */
  budget?: HoldBudgetPeriod;
  /** The caller's labels, with its budget's under them (core/labels.ts holdLabels). */
  labels?: Labels;
}

/**
 * A budgeted hold's budget and the period it was reserved in: `periodKey` (core/budget-period.ts) and, for a
 * period that ends, `periodEndMs` (epoch ms), after which the hold moves only its budget's slot.
 */
export interface HoldBudgetPeriod {
  budgetId: string;
  periodKey: string;
  periodEndMs?: number;
}

/** One output's terminal outcome, recorded on its hold (Hold.outputs). */
export interface OutputOutcome {
  outcome: "success" | "fail";
  /** A success: the part committed for it, and how that part was priced. */
  amount?: number;
  basis?: CommitBasis;
  /** A failure: whether HeyGen said it was for lack of credit, and its text. */
  insufficientCredit?: boolean;
  reason?: string;
}

/**
 * Where a webhook's commit took its actual amount from: the duration in the event, the duration read from
 * `GET /v3/videos/{id}`, or the held amount (no spec on the hold, or no duration known).
 */
export type CommitBasis = "event-duration" | "video-duration" | "held-amount";

/**
 * Why a pipeline released a hold, as it says in the body of `POST /v1/reservations/{id}/release`:
 * `insufficient_credit`: HeyGen refused the job for lack of credit (a 402 at create, field case G10; the
 * release also reads the balance at once, as a credit-failure webhook does); `job_failed`: the job failed for
 * another reason; `timed_out`: no outcome came in time; `cancelled`: the pipeline gave the job up.
 */
export const RELEASE_REASONS = ["insufficient_credit", "job_failed", "timed_out", "cancelled"] as const;
export type ReleaseReason = (typeof RELEASE_REASONS)[number];

/** The account state item: everything a check needs in one read. */
export interface AccountState {
  accountId: string;
  latest?: BalanceSnapshot;
  alert: AlertState;
  /**
   * Σ what counts against the balance as last written: the held part of every hold still counted and every
   * committed part not yet settled. Never below the truth (expired holds and settled parts leave it when a
   * poll or a denied reserve corrects it).
   */
  reserved: number;
  /**
   * `remaining − reserveFloor − reserved`, kept with `reserved` in the same writes, so that a hold is
   * conditional on one attribute (`headroom >= amount`). May be negative (overdraft).
   */
  headroom: number;
  /** Holds counted in `reserved` that are still `held` (expired ones leave with the next correction). */
  openHolds: number;
  /** Bumped by every write. */
  version: number;
  /** The schedule tick last claimed by a poll (a tick delivered twice reads once). */
  lastPollTick?: string;
  lastPollAt?: string;
  lastRefreshAt?: string;
  /**
   * HeyGen asked us not to call before `until` (a `Retry-After` longer than one poll waits): readings before
   * then make no call and count no failure. Cleared by the next reading that calls HeyGen.
   */
  retryNotBefore?: { until: string; reason: string };
  /** A reading in progress holds the account until this ISO time, so concurrent readings alert once. */
  readingLeaseUntil?: string;
  /**
   * The kill switch (POST /v1/accounts/{id}/pause): while set, checks deny and reserves are refused, in the
   * reserve's own transaction; commits, releases and extends of existing holds go on.
   */
  paused?: AccountPause;
  /** Alerts some outlets still owe, by alert id (core/alert-delivery.ts), put again at each reading. */
  owedAlerts?: Record<string, OwedAlert>;
}

/** Who paused an account, when and why. */
export interface AccountPause {
  reason: string;
  /** ISO time. */
  at: string;
  /** The caller's IAM principal. */
  by: string;
}
