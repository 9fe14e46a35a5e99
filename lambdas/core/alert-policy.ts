import type { Alert, AlertLevel, AlertState, Severity } from "#core/account";
import { alertSubject, isBalanceLevel, levelRank, truncate } from "#core/alert-text";
import { watchAutoReload } from "#core/auto-reload";
import type { BalanceSnapshot } from "#core/balance";
import type { Forecast } from "#core/forecast";
import { markSpendSent } from "#core/spend-alerts";

/**
 * Decides which alerts a poll raises (docs/alerts.md). Pure: the clock is passed in, nothing is sent here.
 *
 * The state says what subscribers were last told; `planAlerts` compares it with what the poll saw and
 * plans the alerts that close the gap, and only `markSent` (called once SNS accepted a publish) moves
 * the state forward. An alert whose publish failed is therefore planned again at the next poll, and a
 * level that persists raises nothing until its reminder is due.
 *
 * Rules chosen here (see the report / docs):
 * - levels on `available`: exhausted ≤ 0 < critical < `critical` ≤ warning < `warning` ≤ ok;
 * - escalation is notified at once; any move to a better level needs the hysteresis margin above the
 *   threshold being left (`critical × (1 + h)` to leave critical, `warning × (1 + h)` to reach ok);
 *   leaving exhausted needs available > 0;
 * - reminders every `repeatHours.warning` at warning, `repeatHours.critical` at critical and exhausted;
 * - the first good poll at ok (from `unknown`) is silent; a failed poll never changes the level;
 * - `monitor_degraded` (severity warning: the balance is not known to be low) once per outage, then one
 *   `monitor_recovered` at the next good poll;
 * - `forecast` once while the forecast stays within the horizon, re-armed only once the forecast is
 *   clearly beyond it (horizon × (1 + h)) or shows no exhaustion; not raised at critical or exhausted,
 *   whose own alerts already say the balance is nearly gone;
 * - `auto_reload_missed` once the wallet stayed below its auto-reload threshold for two readings without a
 *   rise, once until a rise (core/auto-reload.ts).
 */

export type PollOutcome =
  | { ok: true; snapshot: BalanceSnapshot; available: number; forecast: Forecast }
  | { ok: false; error: { code: string; message: string; until?: string } }
  /** No call made: HeyGen asked us to wait until `until`. Not a failure, but a reading the monitor lacks. */
  | { ok: false; skippedUntil: string };

export interface Thresholds {
  warning: number;
  critical: number;
}

/** The alert rules planAlerts reads (config `alerts`; QuotaGuardConfig["alerts"] satisfies it). */
export interface AlertRules {
  /** Percent beyond a threshold the balance must move before the level changes back. */
  hysteresisPercent: number;
  /** Failed readings in a row before `monitor_degraded`. */
  degradedAfterFailures: number;
  /** Hours between reminders at warning, and at critical or exhausted. */
  repeatHours: { warning: number; critical: number };
  /** Hours ahead a forecast exhaustion raises a `forecast` alert. */
  forecastHorizonHours: number;
}

export interface PlanAlertsInput {
  accountId: string;
  state: AlertState;
  outcome: PollOutcome;
  thresholds: Thresholds;
  alerts: AlertRules;
  now: Date;
}

export interface AlertPlan {
  /** Counters updated; nothing marked as notified. */
  state: AlertState;
  alerts: Alert[];
}

const MS_PER_HOUR = 3_600_000;
/** Keeps the stored failure (and the email quoting it) small whatever the upstream error said. */
const MAX_FAILURE_MESSAGE_LENGTH = 300;

/** The balance level of `available`, before any hysteresis. */
export function balanceLevel(available: number, thresholds: Thresholds): AlertLevel {
  if (available <= 0) return "exhausted";
  if (available < thresholds.critical) return "critical";
  if (available < thresholds.warning) return "warning";
  return "ok";
}

/** The level to report given the level last reported: worse at once, better only past the margin. */
export function settledLevel(
  previous: AlertState["level"],
  available: number,
  thresholds: Thresholds,
  hysteresisPercent: number,
): AlertLevel {
  const raw = balanceLevel(available, thresholds);
  if (previous === "unknown" || levelRank(raw) >= levelRank(previous)) return raw;
  const withMargin = balanceLevel(available, {
    warning: withHysteresis(thresholds.warning, hysteresisPercent),
    critical: withHysteresis(thresholds.critical, hysteresisPercent),
  });
  return levelRank(withMargin) < levelRank(previous) ? withMargin : previous;
}

export function planAlerts(input: PlanAlertsInput): AlertPlan {
  const { outcome } = input;
  if (outcome.ok) return planGoodPoll(input, outcome);
  return "skippedUntil" in outcome ? planSkippedReading(input) : planFailedPoll(input, outcome.error);
}

/** Advances the state for an alert SNS accepted. */
export function markSent(state: AlertState, alert: Alert, now: Date): AlertState {
  const at = now.toISOString();
  switch (alert.alertType) {
    case "low_balance":
    case "recovered":
      if (!isBalanceLevel(alert.level)) {
        throw new RangeError(
          `markSent: a ${alert.alertType} alert needs a balance level, got "${alert.level}"`,
        );
      }
      return { ...state, level: alert.level, levelNotifiedAt: at };
    case "forecast":
      return { ...state, forecastNotifiedAt: at };
    case "auto_reload_missed":
      return state.autoReload ? { ...state, autoReload: { ...state.autoReload, notifiedAt: at } } : state;
    case "monitor_degraded":
      return { ...state, degraded: true, degradedNotifiedAt: at };
    case "monitor_recovered": {
      const { degradedNotifiedAt: _cleared, ...rest } = state;
      return { ...rest, degraded: false };
    }
    // Told once, when the commit is forced (or the digest's period ended); the level moves only with a reading.
    case "forced_commit":
    case "digest":
    case "paused":
    case "resumed":
      return state;
    // A budget's alerts move the budget's own state (budget-alerts.ts markBudgetSent), never the account's.
    case "budget_usage":
    case "budget_recovered":
    case "budget_forecast":
      return state;
    case "unexplained_spend":
    case "estimate_drift":
      return markSpendSent(state, alert, now);
  }
}

type GoodPoll = Extract<PollOutcome, { ok: true }>;
type AlertBase = Pick<
  Alert,
  "accountId" | "createdAt" | "remaining" | "available" | "unit" | "hoursToExhaustion"
>;

function planGoodPoll(input: PlanAlertsInput, poll: GoodPoll): AlertPlan {
  const { state, thresholds, alerts } = input;
  const level = settledLevel(state.level, poll.available, thresholds, alerts.hysteresisPercent);
  const base: AlertBase = {
    accountId: input.accountId,
    createdAt: input.now.toISOString(),
    remaining: poll.snapshot.remaining,
    available: poll.available,
    unit: poll.snapshot.unit,
    hoursToExhaustion: poll.forecast.hoursToExhaustion,
  };
  const reload = watchAutoReload(state.autoReload, poll.snapshot);
  const planned = [
    levelAlert(input, level, base),
    forecastAlert(input, level, poll.forecast, base),
    state.degraded ? monitorRecoveredAlert(level, base) : undefined,
    reload.missed
      ? build({
          ...base,
          alertType: "auto_reload_missed",
          severity: "warning",
          level,
          previousLevel: state.level,
        })
      : undefined,
  ].filter((alert): alert is Alert => alert !== undefined);
  const { autoReload: _watched, ...next } = stateAfterGoodPoll(state, level, poll.forecast, alerts);
  return { state: reload.watch ? { ...next, autoReload: reload.watch } : next, alerts: planned };
}

function stateAfterGoodPoll(
  state: AlertState,
  level: AlertLevel,
  forecast: Forecast,
  alerts: AlertRules,
): AlertState {
  // Nobody needs telling that a never-seen account is fine, so that move needs no publish to stick.
  const { skippedReadings: _reset, ...counted } = state;
  const next: AlertState = {
    ...counted,
    consecutiveFailures: 0,
    level: state.level === "unknown" && level === "ok" ? "ok" : state.level,
  };
  if (!forecastCleared(forecast, alerts)) return next;
  const { forecastNotifiedAt: _cleared, ...rest } = next;
  return rest;
}

function planFailedPoll(
  input: PlanAlertsInput,
  error: { code: string; message: string; until?: string },
): AlertPlan {
  const { state, now } = input;
  const next: AlertState = {
    ...state,
    consecutiveFailures: state.consecutiveFailures + 1,
    lastFailure: {
      at: now.toISOString(),
      code: error.code,
      message: truncate(error.message, MAX_FAILURE_MESSAGE_LENGTH),
      ...(error.until ? { until: error.until } : {}),
    },
  };
  return { state: next, alerts: degradedAlerts(input, next) };
}

/** A reading skipped for a rate limit: no failure counted, but one more reading the monitor went without. */
function planSkippedReading(input: PlanAlertsInput): AlertPlan {
  const next: AlertState = { ...input.state, skippedReadings: (input.state.skippedReadings ?? 0) + 1 };
  return { state: next, alerts: degradedAlerts(input, next) };
}

/**
 * One monitor_degraded per outage, once failed and skipped readings in a row reach `degradedAfterFailures`.
 * When HeyGen's rate limit is the cause, the alert says until when instead of pointing at the key.
 */
function degradedAlerts(input: PlanAlertsInput, next: AlertState): Alert[] {
  const { state, now } = input;
  const blind = next.consecutiveFailures + (next.skippedReadings ?? 0);
  if (state.degraded || blind < input.alerts.degradedAfterFailures) return [];
  const until = next.lastFailure?.code === "rate_limited" ? next.lastFailure.until : undefined;
  return [
    build({
      accountId: input.accountId,
      createdAt: now.toISOString(),
      alertType: "monitor_degraded",
      severity: "warning",
      level: "monitor_degraded",
      previousLevel: state.level,
      ...(until ? { rateLimitedUntil: until } : {}),
    }),
  ];
}

function levelAlert(input: PlanAlertsInput, level: AlertLevel, base: AlertBase): Alert | undefined {
  const previous = input.state.level;
  if (level === previous) {
    return reminderDue(input.state, level, input.alerts, input.now)
      ? build({ ...base, alertType: "low_balance", severity: severityOf(level), level, previousLevel: level })
      : undefined;
  }
  if (level !== "ok") {
    return build({
      ...base,
      alertType: "low_balance",
      severity: severityOf(level),
      level,
      previousLevel: previous,
    });
  }
  if (previous === "unknown") return undefined;
  return build({ ...base, alertType: "recovered", severity: "info", level, previousLevel: previous });
}

function reminderDue(state: AlertState, level: AlertLevel, alerts: AlertRules, now: Date): boolean {
  if (level === "ok") return false;
  if (!state.levelNotifiedAt) return true;
  const repeatHours = level === "warning" ? alerts.repeatHours.warning : alerts.repeatHours.critical;
  return hoursBetween(state.levelNotifiedAt, now) >= repeatHours;
}

function forecastAlert(
  input: PlanAlertsInput,
  level: AlertLevel,
  forecast: Forecast,
  base: AlertBase,
): Alert | undefined {
  const { state, alerts } = input;
  if (state.forecastNotifiedAt || level === "critical" || level === "exhausted") return undefined;
  const hours = forecast.hoursToExhaustion;
  const horizon = alerts.forecastHorizonHours;
  if (horizon <= 0 || hours === null || hours > horizon) return undefined;
  return build({
    ...base,
    alertType: "forecast",
    severity: "warning",
    level: "forecast",
    previousLevel: state.level,
  });
}

/** Clearly outside the horizon (or no exhaustion in sight); too little data is no news and clears nothing. */
function forecastCleared(forecast: Forecast, alerts: AlertRules): boolean {
  if (forecast.burnRatePerHour === null) return false;
  const hours = forecast.hoursToExhaustion;
  return hours === null || hours > withHysteresis(alerts.forecastHorizonHours, alerts.hysteresisPercent);
}

/** `value × (1 + percent/100)`, written so that whole numbers stay exact (50 at 10% is 55, not 55.000…01). */
function withHysteresis(value: number, percent: number): number {
  return (value * (100 + percent)) / 100;
}

function monitorRecoveredAlert(level: AlertLevel, base: AlertBase): Alert {
  return build({
    ...base,
    alertType: "monitor_recovered",
    severity: "info",
    level,
    previousLevel: "monitor_degraded",
  });
}

function severityOf(level: AlertLevel): Severity {
  if (level === "ok") return "info";
  return level === "warning" ? "warning" : "critical";
}

function build(fields: Omit<Alert, "subject">): Alert {
  return { ...fields, subject: alertSubject(fields) };
}

function hoursBetween(iso: string, now: Date): number {
  return (now.getTime() - Date.parse(iso)) / MS_PER_HOUR;
}
