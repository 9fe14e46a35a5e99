import type { BalanceSnapshot } from "#core/balance";

/** Balance levels, worst last. `unknown` until the first good poll: missing data is never "ok". */
export const ALERT_LEVELS = ["ok", "warning", "critical", "exhausted"] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

export type AlertType = "low_balance" | "recovered" | "forecast" | "monitor_degraded" | "monitor_recovered";
export type Severity = "info" | "warning" | "critical";

/** What the alert policy remembers between polls; persisted in the account state item. */
export interface AlertState {
  /** The level subscribers were last told about (advances only after SNS accepted the publish). */
  level: AlertLevel | "unknown";
  /** When subscribers were last told about `level` (for `repeatHours` reminders). */
  levelNotifiedAt?: string;
  /** A forecast alert has been sent and not yet cleared. */
  forecastNotifiedAt?: string;
  /** A monitor_degraded alert has been sent and not yet cleared by a good poll. */
  degraded: boolean;
  degradedNotifiedAt?: string;
  consecutiveFailures: number;
  lastFailure?: { at: string; code: string; message: string };
}

export const INITIAL_ALERT_STATE: AlertState = { level: "unknown", degraded: false, consecutiveFailures: 0 };

/** One alert, as published to SNS and recorded in the alert log (design §5). */
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
  status?: "sent" | "failed";
  error?: string;
  /** Sent on request to show subscribers the formats (POST /v1/accounts/{id}/test-alert); changes no level. */
  test?: boolean;
}

export type HoldStatus = "held" | "committed" | "released";

/**
 * A credit hold, stored inside the account state item so that a reservation is one conditional write
 * against the same item that carries the balance (docs/reservations.md).
 */
export interface Hold {
  id: string;
  amount: number;
  status: HoldStatus;
  createdAt: string;
  /** Epoch milliseconds; a `held` hold past this stops counting (it is reported as `expired`). */
  expiresAtMs: number;
  idempotencyKey?: string;
  committedAt?: string;
  actualAmount?: number;
  releasedAt?: string;
  /** The estimate the amount came from, when the hold was made from a job spec. */
  estimate?: unknown;
}

/** The account state item: everything a check needs in one read. */
export interface AccountState {
  accountId: string;
  latest?: BalanceSnapshot;
  alert: AlertState;
  holds: Record<string, Hold>;
  /**
   * Conservative counter of what may still be held: never above the true `available`, so that a hold is
   * one conditional write (`headroom >= amount`). Recomputed exactly by polls and on a denied hold.
   */
  headroom: number;
  /** Bumped by every write; exact recomputations are conditional on it. */
  version: number;
  /** The schedule tick of the last successful poll (a retried tick writes nothing twice). */
  lastPollTick?: string;
  lastPollAt?: string;
  lastRefreshAt?: string;
}
