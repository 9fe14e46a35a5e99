import { formatAmount, formatLeft, MAX_SUBJECT_LENGTH, SUBJECT_PREFIX, truncate } from "./alert-text.ts";
import type { Unit } from "./balance.ts";
import { periodContaining } from "./budget-period.ts";
import { roundAmount } from "./reservations.ts";
import type { SpendEntry } from "./spend-ledger.ts";
import { sumSpend } from "./spend-report.ts";

/**
 * The digest (docs/alerts.md#the-digest): an optional daily or weekly summary of one account, sent through the
 * alert outlets like an alert. Pure: the ledger's entries and the balance facts are passed in.
 */

export const DIGEST_EVERY = ["off", "day", "week"] as const;
export type DigestEvery = (typeof DIGEST_EVERY)[number];

/** How many label values, budgets and jobs a digest lists. */
export const DIGEST_TOP = 5;

/** The period a digest covers: a UTC day (`2026-12-03`) or ISO week (`2026-W49`), `[from, to)`. */
export interface DigestPeriod {
  every: "day" | "week";
  key: string;
  from: string;
  to: string;
}

/**
 * The latest whole period whose digest is due at `now`: due `hourUtc` hours after the period ends. Older
 * periods are never due again, so a digest turned on late, or a stack down for days, sends one digest, not a
 * backlog.
 *
 * @param hourUtc 0–23: the hour of the day (UTC) after which a period's digest goes
 */
export function dueDigestPeriod(now: Date, every: "day" | "week", hourUtc: number): DigestPeriod {
  const sendAfterMs = hourUtc * 3_600_000;
  // The period that was running `sendAfterMs` ago has ended unless that was in the current one.
  const current = periodContaining(new Date(now.getTime() - sendAfterMs), every, "UTC");
  const previous = periodContaining(new Date(current.start.getTime() - 1), every, "UTC");
  return {
    every,
    key: previous.key,
    from: previous.start.toISOString(),
    to: current.start.toISOString(),
  };
}

/** A label's value and what was committed with it. */
export interface LabelSpend {
  label: string;
  value: string;
  amount: number;
  count: number;
}

/** One job of the period: a hold's commits summed. */
export interface JobSpend {
  reservationId: string;
  amount: number;
  jobType?: string;
  labels?: Record<string, string>;
}

/** What a digest tells (on the alert as `digest`, and in its texts); amounts in the account's unit. */
export interface DigestFacts {
  every: "day" | "week";
  /** The period's key: `2026-12-03` or `2026-W49`. */
  period: string;
  from: string;
  to: string;
  /** Committed in the period, and in how many commits. */
  spent: number;
  commits: number;
  /** The label values that spent most, across every label key, largest first (at most DIGEST_TOP). */
  topLabels: LabelSpend[];
  /** The budgets that spent most (at most DIGEST_TOP). */
  budgets: { key: string; amount: number; count: number }[];
  /** The jobs that cost most (at most DIGEST_TOP). */
  largestJobs: JobSpend[];
  /** HeyGen's consumption the guard's commits do not explain, when it could be reckoned. */
  unexplained?: number;
}

/**
 * The facts of a digest over `entries` (the ledger's entries of `period`).
 *
 * @param entries ledger entries of one account in `[period.from, period.to)`
 */
export function digestFacts(
  entries: readonly SpendEntry[],
  period: DigestPeriod,
  unexplained?: number,
): DigestFacts {
  const total = sumSpend(entries, { kind: "day" });
  return {
    every: period.every,
    period: period.key,
    from: period.from,
    to: period.to,
    spent: total.total,
    commits: total.count,
    topLabels: topLabels(entries),
    budgets: sumSpend(entries, { kind: "budget" }).groups.slice(0, DIGEST_TOP),
    largestJobs: largestJobs(entries),
    ...(unexplained !== undefined ? { unexplained: roundAmount(unexplained) } : {}),
  };
}

function topLabels(entries: readonly SpendEntry[]): LabelSpend[] {
  const keys = new Set(entries.flatMap((entry) => Object.keys(entry.labels ?? {})));
  return [...keys]
    .flatMap((label) =>
      sumSpend(entries, { kind: "label", key: label }).groups.map((g) => ({
        label,
        value: g.key,
        amount: g.amount,
        count: g.count,
      })),
    )
    .sort((a, b) => b.amount - a.amount || `${a.label}=${a.value}`.localeCompare(`${b.label}=${b.value}`))
    .slice(0, DIGEST_TOP);
}

function largestJobs(entries: readonly SpendEntry[]): JobSpend[] {
  const jobs = new Map<string, JobSpend>();
  for (const entry of entries) {
    const job = jobs.get(entry.reservationId) ?? {
      reservationId: entry.reservationId,
      amount: 0,
      ...(entry.jobType ? { jobType: entry.jobType } : {}),
      ...(entry.labels ? { labels: entry.labels } : {}),
    };
    job.amount += entry.amount;
    jobs.set(entry.reservationId, job);
  }
  return [...jobs.values()]
    .map((job) => ({ ...job, amount: roundAmount(job.amount) }))
    .sort((a, b) => b.amount - a.amount || a.reservationId.localeCompare(b.reservationId))
    .slice(0, DIGEST_TOP);
}

/**
 * The digest's subject: `[Quota Guard] studio daily digest 2026-12-03: $10.00 spent, $90.00 left`, at most
 * MAX_SUBJECT_LENGTH (SNS's limit, under the 100).
 */
export function digestSubject(accountId: string, facts: DigestFacts, unit: Unit, remaining?: number): string {
  const kind = facts.every === "day" ? "daily" : "weekly";
  const left = remaining === undefined ? "" : `, ${formatLeft(remaining, unit)}`;
  return truncate(
    `${SUBJECT_PREFIX} ${accountId} ${kind} digest ${facts.period}: ${formatAmount(facts.spent, unit)} spent${left}`,
    MAX_SUBJECT_LENGTH,
  );
}
