import { type BudgetPeriod, type PeriodWindow, periodContaining } from "./budget-period.ts";
import { roundAmount, type Shortfall, shortfallOf } from "./reservations.ts";

/**
 * A budget carved from an account (issue 21): a limit per period, a cap per job, a number of render slots
 * and a pause. Pure: the clock is passed in. The rules, and why (docs/budgets.md):
 * - A hold counts in the period in which it was reserved. Its later commit or release moves that period's
 *   counters while the period is current, and only its slot once the period has ended: a new period starts
 *   at nothing held and nothing committed, whatever holds are still open from the last one.
 * - The counters are kept for the current period only and roll over lazily: the first write in a new period
 *   starts it (`periodKey` names the period the counters are in).
 * - Slots (`openHolds`) count open holds whatever their period, so a rollover never frees one.
 * - `mode: "soft"` grants past the limit (the alerts say so); "hard" refuses.
 */

/** A budget's alert percentages when it sets none (issue 21). */
export const DEFAULT_ALERT_PERCENTS: BudgetAlertPercents = { warning: 80, critical: 95 };

/** `budgetId`: what a path segment may name. */
export const BUDGET_ID_PATTERN = /^[a-z0-9-]{1,40}$/;
export const BUDGET_MODES = ["hard", "soft"] as const;
export type BudgetMode = (typeof BUDGET_MODES)[number];

/** What PUT /v1/accounts/{id}/budgets/{budgetId} sets. Amounts in the account's balance unit. */
export interface BudgetSettings {
  limit: number;
  period: BudgetPeriod;
  /** IANA name; "UTC" by default. */
  timeZone: string;
  mode: BudgetMode;
  maxPerJob?: number;
  maxConcurrentHolds?: number;
  /** IAM ARN patterns (`*` matches any run of characters) allowed to read and spend through the budget. */
  principals?: string[];
  labels?: Record<string, string>;
  /** Percentages of the period's limit that raise its warning and critical alerts; 80 and 95 when unset. */
  alertPercents?: BudgetAlertPercents;
}

/** 0 < warning ≤ critical ≤ 100 (the API refuses anything else, naming the field). */
export interface BudgetAlertPercents {
  warning: number;
  critical: number;
}

/**
 * What the budget's subscribers were last told (core/budget-alerts.ts), kept on the budget item: written only
 * by the poller, after SNS accepted a publish, and never by a settings write.
 */
export interface BudgetAlertState {
  level: "ok" | "warning" | "critical" | "exhausted" | "unknown";
  /** When subscribers were last told of `level` (for reminders). */
  levelNotifiedAt?: string;
  /** The start (ISO) of the period a run-out-at-this-rate alert was sent in: once per period. */
  forecastPeriodStart?: string;
}

export interface BudgetPause {
  reason: string;
  /** ISO time. */
  at: string;
  /** The IAM principal that paused it. */
  by: string;
}

/** A budget as stored: its settings and its counters. */
export interface Budget extends BudgetSettings {
  id: string;
  accountId: string;
  /** The period (PeriodWindow.key) that `held` and `committed` count in. */
  periodKey: string;
  /** Held now by holds reserved in `periodKey`'s period. */
  held: number;
  /** Committed by holds reserved in `periodKey`'s period. */
  committed: number;
  /** Holds open through the budget, of any period: the slots in use. */
  openHolds: number;
  paused?: BudgetPause;
  alertState?: BudgetAlertState;
  version: number;
}

/** A budget's counters in the period containing `now` (zero when the stored ones are of an earlier period). */
export interface BudgetUsage {
  window: PeriodWindow;
  held: number;
  committed: number;
  /** limit − held − committed; below zero only in soft mode. */
  available: number;
}

/** The period containing `now` and what the budget has held and committed in it. */
export function budgetUsage(budget: Budget, now: Date): BudgetUsage {
  const window = periodContaining(now, budget.period, budget.timeZone);
  const current = budget.periodKey === window.key;
  const held = current ? budget.held : 0;
  const committed = current ? budget.committed : 0;
  return { window, held, committed, available: roundAmount(budget.limit - held - committed) };
}

/** Why a budget refuses a reserve of `amount`; each is its own problem type. */
export type BudgetRefusal =
  | { type: "paused"; budgetId: string; reason: string }
  | { type: "budget-max-per-job"; budgetId: string; maxPerJob: number; amount: number }
  | { type: "no-free-slot"; budgetId: string; maxConcurrentHolds: number; openHolds: number }
  | ({
      type: "budget-exhausted";
      budgetId: string;
      period: BudgetPeriod;
      periodEnd: string | null;
    } & Shortfall);

/**
 * Whether the budget lets a hold of `amount` be reserved at `now`, checked in this order: pause, cap per job,
 * slots, then the period's limit (hard mode only). Undefined when it does.
 */
export function budgetRefusal(budget: Budget, amount: number, now: Date): BudgetRefusal | undefined {
  const budgetId = budget.id;
  if (budget.paused) return { type: "paused", budgetId, reason: budget.paused.reason };
  if (budget.maxPerJob !== undefined && amount > budget.maxPerJob) {
    return { type: "budget-max-per-job", budgetId, maxPerJob: budget.maxPerJob, amount };
  }
  if (budget.maxConcurrentHolds !== undefined && budget.openHolds >= budget.maxConcurrentHolds) {
    return {
      type: "no-free-slot",
      budgetId,
      maxConcurrentHolds: budget.maxConcurrentHolds,
      openHolds: budget.openHolds,
    };
  }
  const usage = budgetUsage(budget, now);
  if (budget.mode === "hard" && amount > usage.available) {
    return {
      type: "budget-exhausted",
      budgetId,
      period: budget.period,
      periodEnd: usage.window.end?.toISOString() ?? null,
      ...shortfallOf(amount, Math.max(0, usage.available)),
    };
  }
  return undefined;
}

/** A refusal in words, naming the budget, its period and what is left (amounts in `unit`, the account's). */
export function budgetRefusalReason(refusal: BudgetRefusal, unit: string): string {
  const budget = `budget "${refusal.budgetId}"`;
  switch (refusal.type) {
    case "paused":
      return `${budget} is paused: ${refusal.reason}`;
    case "budget-max-per-job":
      return `${refusal.amount} ${unit} is more than the ${refusal.maxPerJob} ${unit} ${budget} allows per job`;
    case "no-free-slot":
      return `every render slot of ${budget} is taken (${refusal.openHolds} open of ${refusal.maxConcurrentHolds})`;
    case "budget-exhausted": {
      const until = refusal.periodEnd ? ` (until ${refusal.periodEnd})` : "";
      return `${budget} has ${refusal.available} ${unit} left this ${refusal.period}${until}; ${refusal.required} ${unit} is short by ${refusal.shortfall}`;
    }
  }
}

/** A new budget: the settings, nothing held or committed, no slot in use, in the period containing `now`. */
export function newBudget(accountId: string, id: string, settings: BudgetSettings, now: Date): Budget {
  const { key } = periodContaining(now, settings.period, settings.timeZone);
  return { ...settings, id, accountId, periodKey: key, held: 0, committed: 0, openHolds: 0, version: 1 };
}

/**
 * `budget` with new settings, its counters, pause and alert state kept. A change of period or time zone keeps the counters
 * only when the current period is still the same one; otherwise they restart at the current period
 * (`restarted`). `leftDelta`: how far the limit moved, which the stored `left` (limit − held − committed,
 * kept by the reserves' own writes) moves by in the same write, so that concurrent reserves are not undone.
 */
export function withSettings(budget: Budget, settings: BudgetSettings, now: Date) {
  const { key } = periodContaining(now, settings.period, settings.timeZone);
  const samePeriod = key === budget.periodKey && settings.period === budget.period;
  const counters = samePeriod
    ? { periodKey: budget.periodKey, held: budget.held, committed: budget.committed }
    : { periodKey: key, held: 0, committed: 0 };
  const next: Budget = {
    ...settings,
    id: budget.id,
    accountId: budget.accountId,
    ...counters,
    openHolds: budget.openHolds,
    ...(budget.paused ? { paused: budget.paused } : {}),
    ...(budget.alertState ? { alertState: budget.alertState } : {}),
    version: budget.version + 1,
  };
  return {
    budget: next,
    changed: !sameSettings(budget, settings),
    restarted: !samePeriod,
    leftDelta: roundAmount(settings.limit - budget.limit),
  };
}

const SETTING_FIELDS = [
  "limit",
  "period",
  "timeZone",
  "mode",
  "maxPerJob",
  "maxConcurrentHolds",
  "principals",
  "labels",
  "alertPercents",
] as const satisfies readonly (keyof BudgetSettings)[];

/** The settings of a budget, without its counters: what an audit entry records. */
export function settingsOf(budget: Budget): BudgetSettings {
  return Object.fromEntries(
    SETTING_FIELDS.filter((field) => budget[field] !== undefined).map((field) => [field, budget[field]]),
  ) as unknown as BudgetSettings;
}

function sameSettings(budget: Budget, settings: BudgetSettings): boolean {
  return SETTING_FIELDS.every((field) => JSON.stringify(budget[field]) === JSON.stringify(settings[field]));
}

/** The budget as the API shows it (GET /v1/accounts/{id}/budgets/{budgetId}), at `now`. */
export function budgetView(budget: Budget, now: Date) {
  const usage = budgetUsage(budget, now);
  return {
    id: budget.id,
    accountId: budget.accountId,
    limit: budget.limit,
    period: budget.period,
    timeZone: budget.timeZone,
    periodStart: usage.window.start.toISOString(),
    periodEnd: usage.window.end?.toISOString() ?? null,
    committed: usage.committed,
    held: usage.held,
    available: usage.available,
    mode: budget.mode,
    maxPerJob: budget.maxPerJob ?? null,
    maxConcurrentHolds: budget.maxConcurrentHolds ?? null,
    openHolds: budget.openHolds,
    paused: budget.paused !== undefined,
    ...(budget.paused
      ? { pauseReason: budget.paused.reason, pausedAt: budget.paused.at, pausedBy: budget.paused.by }
      : {}),
    principals: budget.principals ?? [],
    labels: budget.labels ?? {},
    alertPercents: budget.alertPercents ?? DEFAULT_ALERT_PERCENTS,
  };
}

export type BudgetView = ReturnType<typeof budgetView>;
