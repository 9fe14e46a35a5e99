import { ALERT_LEVELS, type Alert, type AlertLevel } from "#core/account";
import type { Unit } from "#core/balance";

/**
 * Wording shared by alert subjects (alert policy) and the SNS message texts (notifier), so a subject and
 * its email can never describe the same alert differently. Plain ASCII throughout: SNS subjects have
 * been ASCII-only in places, and SMS counts anything outside GSM-7 double.
 */

/** An alert's SMS text, at most (every form: notify/message.ts, the digest's core/digest-text.ts). */
export const MAX_SMS_LENGTH = 140;

/** SNS: "Subjects must be ... less than 100 characters long". */
export const MAX_SUBJECT_LENGTH = 99;
export const SUBJECT_PREFIX = "[Quota Guard]";

const twoDecimals = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/**
 * Money in every alert text, the one place its sign is written: `$12.34` for usd, `8.40 credits` for
 * credits, `-$885.00` below zero (never `$-885.00`, never `-$0.00`). Prose about what is left uses
 * `formatLeft`, which words the sign instead.
 */
export function formatAmount(amount: number, unit: Unit): string {
  const digits = twoDecimals.format(Math.abs(amount));
  const sign = amount < 0 && digits !== "0.00" ? "-" : "";
  return unit === "usd" ? `${sign}$${digits}` : `${sign}${digits} credits`;
}

/** What is left, in words: `$12.34 left`, and below zero `overdrawn by $885.00` (no sign to misread). */
export function formatLeft(amount: number, unit: Unit): string {
  const text = formatAmount(amount, unit);
  return text.startsWith("-") ? `overdrawn by ${text.slice(1)}` : `${text} left`;
}

/** The debt of a balance below zero, `$2.35`, as `overdrawn by ...` says it; a magnitude, never signed. */
export function formatDebt(remaining: number, unit: Unit): string {
  return formatAmount(Math.abs(Math.min(0, remaining)), unit);
}

/** A duration a person grasps at a glance: `45 minutes`, `5.2 hours`, `3.1 days`. */
export function formatHours(hours: number): string {
  if (hours < 1) {
    const minutes = Math.max(1, Math.round(hours * 60));
    return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  }
  if (hours < 48) {
    const text = trimmed(hours);
    return `${text} hour${text === "1" ? "" : "s"}`;
  }
  return `${trimmed(hours / 24)} days`;
}

function trimmed(value: number): string {
  return value.toFixed(1).replace(/\.0$/, "");
}

/** `2026-06-01 00:00 UTC`. */
export function formatTime(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** `14:05 UTC` (the subject has no room for the date; the email gives it in full). */
export function formatClock(iso: string): string {
  return `${new Date(iso).toISOString().slice(11, 16)} UTC`;
}

/** A low-balance alert on a balance below zero: HeyGen let usage overdraw it (docs/heygen-facts.md#replies-differ-from-the-schemas). */
export function isOverdrawn(alert: Pick<Alert, "alertType" | "level" | "remaining">): boolean {
  return alert.alertType === "low_balance" && alert.level === "exhausted" && (alert.remaining ?? 0) < 0;
}

/** Cuts to `max` UTF-16 units, marking the cut, never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const marker = "...";
  let cut = text.slice(0, Math.max(0, max - marker.length));
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}${marker}`.slice(0, max);
}

/**
 * `head` followed by those of `tails` (each with its own leading separator) that still fit in `max`, in
 * order, skipping any that would overflow: details are dropped, never cut, and the text never exceeds `max`.
 */
export function fitText(head: string, tails: readonly (string | undefined)[], max: number): string {
  let text = truncate(head, max);
  for (const tail of tails) {
    if (tail === undefined) continue;
    if (text.length + tail.length > max) continue;
    text += tail;
  }
  return text;
}

export function isBalanceLevel(level: string): level is AlertLevel {
  return (ALERT_LEVELS as readonly string[]).includes(level);
}

/** Rank of a balance level, worse is higher; -1 for anything else (unknown, forecast, ...). */
export function levelRank(level: string): number {
  return (ALERT_LEVELS as readonly string[]).indexOf(level);
}

export type AlertFacts = Pick<
  Alert,
  | "accountId"
  | "alertType"
  | "level"
  | "previousLevel"
  | "available"
  | "unit"
  | "hoursToExhaustion"
  | "remaining"
  | "rateLimitedUntil"
  | "forced"
  | "pause"
  | "budget"
  | "unexplained"
  | "drift"
  | "digest"
>;

/**
 * What happened, as a clause whose subject is the HeyGen balance (`predicate`: `is critical`, `cannot be
 * read`), and the number that matters (`detail`, `8.40 credits left`, dropped first when space runs out).
 * Subject, SMS, email and chat card all build their first sentence from it, so none says it differently.
 */
export interface Headline {
  /** `HeyGen balance is critical`: the predicate with its subject, for subject lines and SMS. */
  main: string;
  predicate: string;
  detail?: string;
}

export function alertHeadline(alert: AlertFacts): Headline {
  if (alert.budget) return budgetHeadline(alert, alert.budget);
  if (alert.drift) return driftHeadline(alert.drift);
  const predicate = headlinePredicate(alert);
  const detail =
    !isOverdrawn(alert) && alert.available !== undefined && alert.unit
      ? formatLeft(alert.available, alert.unit)
      : undefined;
  return { main: `HeyGen balance ${predicate}`, predicate, ...(detail ? { detail } : {}) };
}

/**
 * The first line of an alert's texts, a sentence: `The HeyGen balance of account "default" is critical:
 * 8.40 credits left.`
 */
export function alertOpening(alert: AlertFacts): string {
  const { predicate, detail } = alertHeadline(alert);
  if (alert.budget) {
    return `Budget "${alert.budget.id}" of account "${alert.accountId}" ${predicate}${detail ? `: ${detail}` : ""}.`;
  }
  if (alert.drift) {
    return `Rate card "${alert.drift.rateCard}" of account "${alert.accountId}" ${predicate}${detail ? `: ${detail}` : ""}.`;
  }
  return `The HeyGen balance of account "${alert.accountId}" ${predicate}${detail ? `: ${detail}` : ""}.`;
}

function headlinePredicate(alert: AlertFacts): string {
  if (isOverdrawn(alert)) return `is overdrawn by ${formatDebt(alert.remaining ?? 0, alert.unit ?? "usd")}`;
  switch (alert.alertType) {
    case "low_balance":
      return lowBalancePredicate(alert.level, alert.previousLevel);
    case "recovered":
      return "has recovered";
    case "forecast":
      return alert.hoursToExhaustion === null || alert.hoursToExhaustion === undefined
        ? "is forecast to run out"
        : `runs out in about ${formatHours(alert.hoursToExhaustion)}`;
    case "monitor_degraded":
      return alert.rateLimitedUntil
        ? `cannot be read: rate limited by HeyGen until ${formatClock(alert.rateLimitedUntil)}`
        : "cannot be read";
    case "monitor_recovered":
      return "can be read again";
    case "forced_commit":
      return alert.forced && alert.unit
        ? `took a forced commit of ${formatAmount(alert.forced.asked, alert.unit)}, past the ${formatAmount(alert.forced.allowed, alert.unit)} allowed`
        : "took a commit forced past what was available";
    case "paused":
      return alert.pause?.reason
        ? `is paused in Quota Guard: ${alert.pause.reason}`
        : "is paused in Quota Guard";
    case "resumed":
      return "is resumed in Quota Guard";
    case "auto_reload_missed":
      return "is below its reload threshold: auto-reload did not happen";
    case "digest":
      return alert.digest && alert.unit
        ? `had ${formatAmount(alert.digest.spent, alert.unit)} committed through Quota Guard ${alert.digest.every === "day" ? "on" : "in"} ${alert.digest.period}`
        : "has its digest";
    case "unexplained_spend":
      return alert.unexplained && alert.unit
        ? `fell ${formatAmount(alert.unexplained.unexplained, alert.unit)} more than Quota Guard committed in 24 h`
        : "fell more than Quota Guard committed in 24 h";
    // Only ever raised with `budget` (budgetHeadline words them) or `drift` (driftHeadline); kept total for the type.
    case "estimate_drift":
    case "budget_usage":
    case "budget_recovered":
    case "budget_forecast":
      return "has a budget alert";
  }
}

/**
 * A budget's alert: `budget marketing is critical` with `24 of 25 used this day (96%)`; a soft budget past
 * its limit is `over budget (soft)`.
 */
function budgetHeadline(alert: AlertFacts, budget: NonNullable<AlertFacts["budget"]>): Headline {
  const predicate = budgetPredicate(alert, budget);
  const detail =
    budget.used !== undefined && budget.limit !== undefined && alert.alertType !== "paused"
      ? `${plain(budget.used)} of ${plain(budget.limit)} used${budget.period === "total" ? "" : ` this ${budget.period ?? "period"}`} (${budget.percentUsed ?? 0}%)`
      : undefined;
  return {
    main: `budget ${budget.id} ${predicate}`,
    predicate,
    ...(detail && alert.alertType !== "resumed" ? { detail } : {}),
  };
}

function budgetPredicate(alert: AlertFacts, budget: NonNullable<AlertFacts["budget"]>): string {
  switch (alert.alertType) {
    case "budget_usage":
      if (alert.level === "exhausted" && budget.mode === "soft" && (budget.used ?? 0) > (budget.limit ?? 0)) {
        return alert.level === alert.previousLevel ? "is still over budget (soft)" : "is over budget (soft)";
      }
      return lowBalancePredicate(alert.level, alert.previousLevel);
    case "budget_recovered":
      return "has recovered";
    case "budget_forecast":
      return budget.hoursToExhaustion === undefined
        ? "runs out before its period ends"
        : `runs out in about ${formatHours(budget.hoursToExhaustion)}, before its period ends`;
    default:
      return headlinePredicate(alert);
  }
}

/** A card's drift: `rate card heygen-2026 under-estimates avatar_video by 25%` with `engine avatar_iv, 20 jobs`. */
function driftHeadline(drift: NonNullable<AlertFacts["drift"]>): Headline {
  const predicate = `under-estimates ${drift.jobType ?? "jobs"} by ${Math.round((drift.ratio - 1) * 100)}%`;
  const detail = `${drift.engine ? `engine ${drift.engine}, ` : ""}${drift.jobs} jobs`;
  return { main: `rate card ${drift.rateCard} ${predicate}`, predicate, detail };
}

/** A budget amount without a unit (a budget counts in its account's unit, which its alert may not know). */
function plain(amount: number): string {
  return Number.isInteger(amount) ? String(amount) : amount.toFixed(2);
}

/** A level as the predicate of a sentence: `low (warning level)`, `critical`, `exhausted`, `ok`. */
function levelWords(level: string): string {
  return level === "warning" ? "low (warning level)" : level;
}

function lowBalancePredicate(level: string, previousLevel: string): string {
  if (level === previousLevel) return `is still ${levelWords(level)}`;
  if (levelRank(previousLevel) > levelRank(level)) return `has improved but is still ${levelWords(level)}`;
  return `is ${levelWords(level)}`;
}

/**
 * What a forecast without a burn rate waits for: `needs 30 min of readings; 12 min so far`. A forecast
 * needs its readings to span `minSpanMinutes` (forecast.ts), not a number of readings.
 */
export function forecastWait(forecast: { spanMinutes: number; minSpanMinutes: number }): string {
  return `needs ${wholeMinutes(forecast.minSpanMinutes)} min of readings; ${wholeMinutes(forecast.spanMinutes)} min so far`;
}

function wholeMinutes(minutes: number): number {
  return Math.max(0, Math.floor(minutes));
}

/**
 * e.g. `[Quota Guard] default: HeyGen balance is critical, 8.40 credits left`, at most 99 characters;
 * `TEST ` before the account for a test alert.
 */
export function alertSubject(alert: AlertFacts & { test?: boolean }): string {
  const { main, detail } = alertHeadline(alert);
  return fitText(
    `${SUBJECT_PREFIX} ${alert.test ? "TEST " : ""}${alert.accountId}: ${main}`,
    [detail && `, ${detail}`],
    MAX_SUBJECT_LENGTH,
  );
}
