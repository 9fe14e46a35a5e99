import type { Alert, AlertLevel, BudgetAlertFacts, Severity } from "#core/account";
import type { AlertRules } from "#core/alert-policy";
import { alertSubject, levelRank } from "#core/alert-text";
import {
  type Budget,
  type BudgetAlertPercents,
  type BudgetAlertState,
  budgetUsage,
  DEFAULT_ALERT_PERCENTS,
} from "#core/budget";
import { roundAmount } from "#core/reservations";

/**
 * The alerts of one budget (docs/alerts.md#budget-alerts), planned at each poll. Pure: the clock is passed in.
 * Like the account's (alert-policy.ts), the plan compares what subscribers were last told (`alertState`, on
 * the budget item) with the budget's use in its current period, and only `markBudgetSent` (called once SNS
 * accepted the publish) moves the state: an alert whose publish failed is planned again at the next poll, and
 * one that was sent is not planned twice.
 *
 * Rules chosen here:
 * - levels on the percentage used (committed + held over the period's limit): exhausted at 100 % or more
 *   (a zero limit is exhausted), critical from `alertPercents.critical` (95), warning from
 *   `alertPercents.warning` (80), ok below;
 * - worse is told at once; better only past the hysteresis margin below the threshold being left
 *   (`threshold × (1 − h/100)`), except that leaving exhausted needs only something left; a new period starts
 *   at nothing used, so a budget alerted in the last period recovers at the first poll of the next;
 * - reminders every `repeatHours.warning` at warning, `repeatHours.critical` at critical and exhausted;
 * - the first poll at ok (from `unknown`) is silent;
 * - `budget_forecast` once per period when, at the period's rate so far (used over the hours elapsed), the
 *   budget runs out before the period ends; not at critical or exhausted, whose alerts already say so, and
 *   never for a `total` budget (no end);
 * - a soft budget past its limit is exhausted, worded "over budget (soft)": it keeps granting.
 */

export interface BudgetAlertPlan {
  alerts: Alert[];
  /** The state before any alert is sent: only the silent first move to ok (nothing to tell). */
  state: BudgetAlertState;
}

const INITIAL: BudgetAlertState = { level: "unknown" };
const MS_PER_HOUR = 3_600_000;

/** What a budget has used in the period containing `now`, as its alerts tell it. */
export function budgetAlertFacts(
  budget: Budget,
  now: Date,
): Required<Omit<BudgetAlertFacts, "hoursToExhaustion">> {
  const usage = budgetUsage(budget, now);
  const used = roundAmount(usage.committed + usage.held);
  return {
    id: budget.id,
    period: budget.period,
    periodStart: usage.window.start.toISOString(),
    periodEnd: usage.window.end?.toISOString() ?? null,
    limit: budget.limit,
    used,
    percentUsed: percentOf(used, budget.limit),
    mode: budget.mode,
  };
}

/** The level of a percentage used, before any hysteresis. */
export function budgetLevel(percentUsed: number, percents: BudgetAlertPercents): AlertLevel {
  if (percentUsed >= 100) return "exhausted";
  if (percentUsed >= percents.critical) return "critical";
  if (percentUsed >= percents.warning) return "warning";
  return "ok";
}

/** The level to report given the one last reported: worse at once, better only past the margin. */
export function settledBudgetLevel(
  previous: BudgetAlertState["level"],
  percentUsed: number,
  percents: BudgetAlertPercents,
  hysteresisPercent: number,
): AlertLevel {
  const raw = budgetLevel(percentUsed, percents);
  if (previous === "unknown" || levelRank(raw) >= levelRank(previous)) return raw;
  const margin = (threshold: number) => (threshold * (100 - hysteresisPercent)) / 100;
  const withMargin = budgetLevel(percentUsed, {
    warning: margin(percents.warning),
    critical: margin(percents.critical),
  });
  // Leaving exhausted needs only something left: the margin would keep a hard budget "exhausted" while it grants.
  const settled = levelRank(withMargin) < levelRank(previous) ? withMargin : previous;
  return settled === "exhausted" && raw !== "exhausted" ? raw : settled;
}

/** Plans the budget's alerts at `now` (reminders and forecasts by `rules`, as the account's). */
export function planBudgetAlerts(input: {
  accountId: string;
  budget: Budget;
  rules: Pick<AlertRules, "hysteresisPercent" | "repeatHours">;
  now: Date;
}): BudgetAlertPlan {
  const { budget, now } = input;
  const state = budget.alertState ?? INITIAL;
  const facts = budgetAlertFacts(budget, now);
  const percents = budget.alertPercents ?? DEFAULT_ALERT_PERCENTS;
  const level = settledBudgetLevel(state.level, facts.percentUsed, percents, input.rules.hysteresisPercent);
  const base = { accountId: input.accountId, createdAt: now.toISOString(), budget: facts };
  const alerts = [levelAlert(state, level, base, input), forecastAlert(state, level, base, now)];
  return {
    alerts: alerts.filter((alert): alert is Alert => alert !== undefined),
    state: state.level === "unknown" && level === "ok" ? { ...state, level: "ok" } : state,
  };
}

/** Advances the budget's state for an alert SNS accepted. */
export function markBudgetSent(state: BudgetAlertState, alert: Alert, now: Date): BudgetAlertState {
  const at = now.toISOString();
  if (alert.alertType === "budget_forecast") {
    const periodStart = alert.budget?.periodStart;
    return periodStart === undefined ? state : { ...state, forecastPeriodStart: periodStart };
  }
  if (alert.alertType !== "budget_usage" && alert.alertType !== "budget_recovered") return state;
  return { ...state, level: alert.level as AlertLevel, levelNotifiedAt: at };
}

type Base = Pick<Alert, "accountId" | "createdAt"> & { budget: ReturnType<typeof budgetAlertFacts> };

function levelAlert(
  state: BudgetAlertState,
  level: AlertLevel,
  base: Base,
  input: { rules: Pick<AlertRules, "repeatHours">; now: Date },
): Alert | undefined {
  const previous = state.level;
  if (level === previous) {
    return reminderDue(state, level, input.rules, input.now)
      ? build({
          ...base,
          alertType: "budget_usage",
          severity: severityOf(level),
          level,
          previousLevel: level,
        })
      : undefined;
  }
  if (level !== "ok") {
    return build({
      ...base,
      alertType: "budget_usage",
      severity: severityOf(level),
      level,
      previousLevel: previous,
    });
  }
  if (previous === "unknown") return undefined;
  return build({ ...base, alertType: "budget_recovered", severity: "info", level, previousLevel: previous });
}

function reminderDue(
  state: BudgetAlertState,
  level: AlertLevel,
  rules: Pick<AlertRules, "repeatHours">,
  now: Date,
): boolean {
  if (level === "ok") return false;
  if (!state.levelNotifiedAt) return true;
  const repeatHours = level === "warning" ? rules.repeatHours.warning : rules.repeatHours.critical;
  return (now.getTime() - Date.parse(state.levelNotifiedAt)) / MS_PER_HOUR >= repeatHours;
}

function forecastAlert(state: BudgetAlertState, level: AlertLevel, base: Base, now: Date): Alert | undefined {
  if (level === "critical" || level === "exhausted") return undefined;
  const { periodStart, periodEnd, used, limit } = base.budget;
  if (periodEnd === null || used <= 0) return undefined;
  if (state.forecastPeriodStart === periodStart) return undefined;
  const elapsedHours = (now.getTime() - Date.parse(periodStart)) / MS_PER_HOUR;
  if (elapsedHours <= 0) return undefined;
  const hoursToExhaustion = (limit - used) / (used / elapsedHours);
  const hoursLeftInPeriod = (Date.parse(periodEnd) - now.getTime()) / MS_PER_HOUR;
  if (hoursToExhaustion >= hoursLeftInPeriod) return undefined;
  return build({
    ...base,
    budget: { ...base.budget, hoursToExhaustion: Math.round(hoursToExhaustion * 10) / 10 },
    alertType: "budget_forecast",
    severity: "warning",
    level: "forecast",
    previousLevel: state.level,
  });
}

function percentOf(used: number, limit: number): number {
  // A zero limit grants nothing (hard) or everything past it (soft): either way it is used up.
  if (limit <= 0) return 100;
  return Math.round((used / limit) * 1000) / 10;
}

function severityOf(level: AlertLevel): Severity {
  if (level === "ok") return "info";
  return level === "warning" ? "warning" : "critical";
}

function build(fields: Omit<Alert, "subject">): Alert {
  return { ...fields, subject: alertSubject(fields) };
}
