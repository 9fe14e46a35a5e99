import { ALERT_LEVELS, type Alert, type AlertLevel } from "#core/account";
import type { Unit } from "#core/balance";

/**
 * Wording shared by alert subjects (alert policy) and the SNS message texts (notifier), so a subject and
 * its email can never describe the same alert differently. Plain ASCII throughout: SNS subjects have
 * been ASCII-only in places, and SMS counts anything outside GSM-7 double.
 */

/** SNS: "Subjects must be ... less than 100 characters long". */
export const MAX_SUBJECT_LENGTH = 99;
export const SUBJECT_PREFIX = "[Quota Guard]";

const twoDecimals = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** `$12.34` for usd, `8.40 credits` for credits. */
export function formatAmount(amount: number, unit: Unit): string {
  const digits = twoDecimals.format(Math.abs(amount));
  const sign = amount < 0 && digits !== "0.00" ? "-" : "";
  return unit === "usd" ? `${sign}$${digits}` : `${sign}${digits} credits`;
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

/** A low-balance alert on a balance below zero: HeyGen let usage overdraw it (design §2.8). */
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
>;

/** What happened (`main`) and the number that matters (`detail`, dropped first when space runs out). */
export interface Headline {
  main: string;
  detail?: string;
}

export function alertHeadline(alert: AlertFacts): Headline {
  if (isOverdrawn(alert)) {
    return {
      main: `HeyGen balance overdrawn by ${formatAmount(-(alert.remaining ?? 0), alert.unit ?? "usd")} - top up`,
    };
  }
  const detail =
    alert.available !== undefined && alert.unit
      ? `${formatAmount(alert.available, alert.unit)} left`
      : undefined;
  return { main: headlineMain(alert), ...(detail ? { detail } : {}) };
}

function headlineMain(alert: AlertFacts): string {
  switch (alert.alertType) {
    case "low_balance":
      return lowBalanceMain(alert.level, alert.previousLevel);
    case "recovered":
      return "HeyGen balance recovered";
    case "forecast":
      return alert.hoursToExhaustion === null || alert.hoursToExhaustion === undefined
        ? "HeyGen balance forecast to run out"
        : `HeyGen balance runs out in about ${formatHours(alert.hoursToExhaustion)}`;
    case "monitor_degraded":
      return alert.rateLimitedUntil
        ? `rate limited by HeyGen until ${formatClock(alert.rateLimitedUntil)}`
        : "cannot read the HeyGen balance";
    case "monitor_recovered":
      return "HeyGen balance readable again";
    case "forced_commit":
      return alert.forced && alert.unit
        ? `commit of ${formatAmount(alert.forced.asked, alert.unit)} forced past the ${formatAmount(alert.forced.allowed, alert.unit)} allowed`
        : "commit forced past what was available";
  }
}

function lowBalanceMain(level: string, previousLevel: string): string {
  if (level === previousLevel) return `HeyGen balance still ${level}`;
  if (levelRank(previousLevel) > levelRank(level)) return `HeyGen balance improved to ${level}`;
  return `HeyGen balance ${level}`;
}

/** e.g. `[Quota Guard] default: HeyGen balance critical - 8.40 credits left`, at most 99 characters. */
export function alertSubject(alert: AlertFacts): string {
  const { main, detail } = alertHeadline(alert);
  return fitText(
    `${SUBJECT_PREFIX} ${alert.accountId}: ${main}`,
    [detail && ` - ${detail}`],
    MAX_SUBJECT_LENGTH,
  );
}
