import type { Unit } from "./balance.ts";
import { periodContaining } from "./budget-period.ts";
import { LABEL_KEY_PATTERN } from "./labels.ts";
import { roundAmount } from "./reservations.ts";
import type { SpendEntry } from "./spend-ledger.ts";

/**
 * Spend reports (docs/spend.md): the ledger's entries of a time range, summed per group. Pure: the entries are
 * read by the use case, and nothing here knows where they came from.
 */

/** What a report groups by: a label's value, the budget, the IAM principal, the job type, or a UTC period. */
export type SpendGrouping =
  | { kind: "label"; key: string }
  | { kind: "budget" | "principal" | "jobType" | "day" | "week" | "month" };

/** The `groupBy` values other than `label:<key>`, as the query spells them. */
export const SPEND_GROUPINGS = ["budget", "principal", "jobType", "day", "week", "month"] as const;

/** The time groupings: their groups come in time order, the others largest first. */
const PERIODS = new Set(["day", "week", "month"]);

/**
 * Reads a `groupBy` query value: `label:<key>` (a label key as labels.ts allows), or one of SPEND_GROUPINGS.
 *
 * @returns the grouping, or undefined for anything else (the route's 400 names `/query/groupBy`)
 */
export function parseSpendGrouping(value: string): SpendGrouping | undefined {
  if (value.startsWith("label:")) {
    const key = value.slice("label:".length);
    return LABEL_KEY_PATTERN.test(key) ? { kind: "label", key } : undefined;
  }
  return (SPEND_GROUPINGS as readonly string[]).includes(value)
    ? { kind: value as (typeof SPEND_GROUPINGS)[number] }
    : undefined;
}

/** One group of a report: its key (a label value, budget id, principal, job type or period key). */
export interface SpendGroup {
  key: string;
  /** Sum of the group's entries, in the report's unit. */
  amount: number;
  /** Number of entries (commits, final or partial). */
  count: number;
}

/** A report's sums over `[from, to)`, as `GET /v1/accounts/{id}/spend` answers them. */
export interface SpendTotals {
  /** The unit of the entries (the account's; absent when the range holds no entry that names one). */
  unit?: Unit;
  total: number;
  count: number;
  groups: SpendGroup[];
  /** The entries without the grouping's key (no such label, no budget, no principal, an explicit amount). */
  ungrouped?: { amount: number; count: number };
}

/**
 * Sums `entries` per group of `grouping`. Periods are UTC days (`2026-03-01`), ISO weeks (`2026-W10`) and
 * months (`2026-03`), in time order; other groups come largest amount first, then by key.
 *
 * @param entries ledger entries of one account (amounts ≥ 0)
 */
export function sumSpend(entries: readonly SpendEntry[], grouping: SpendGrouping): SpendTotals {
  const groups = new Map<string, SpendGroup>();
  const ungrouped = { amount: 0, count: 0 };
  let total = 0;
  for (const entry of entries) {
    total += entry.amount;
    const key = groupKeyOf(entry, grouping);
    if (key === undefined) {
      ungrouped.amount += entry.amount;
      ungrouped.count += 1;
      continue;
    }
    const group = groups.get(key) ?? { key, amount: 0, count: 0 };
    group.amount += entry.amount;
    group.count += 1;
    groups.set(key, group);
  }
  const unit = entries.find((entry) => entry.unit !== undefined)?.unit;
  return {
    ...(unit ? { unit } : {}),
    total: roundAmount(total),
    count: entries.length,
    groups: orderGroups([...groups.values()], grouping).map((g) => ({ ...g, amount: roundAmount(g.amount) })),
    ...(ungrouped.count > 0 ? { ungrouped: { ...ungrouped, amount: roundAmount(ungrouped.amount) } } : {}),
  };
}

function groupKeyOf(entry: SpendEntry, grouping: SpendGrouping): string | undefined {
  switch (grouping.kind) {
    case "label":
      return entry.labels?.[grouping.key];
    case "budget":
      return entry.budget;
    case "principal":
      return entry.principal;
    case "jobType":
      return entry.jobType;
    default:
      return periodContaining(new Date(entry.at), grouping.kind, "UTC").key;
  }
}

function orderGroups(groups: SpendGroup[], grouping: SpendGrouping): SpendGroup[] {
  if (PERIODS.has(grouping.kind)) return groups.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return groups.sort((a, b) => b.amount - a.amount || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The key a CSV row gives the entries without the grouping's key. */
export const UNGROUPED_CSV_KEY = "(none)";

/**
 * A report as CSV (RFC 4180): a header row `key,amount,count,unit`, one row per group, then the ungrouped
 * entries as `(none)`, so the amount column sums to the total.
 */
export function spendCsv(totals: SpendTotals): string {
  const unit = totals.unit ?? "";
  const rows = [
    ...totals.groups.map((g) => [g.key, String(g.amount), String(g.count), unit]),
    ...(totals.ungrouped
      ? [[UNGROUPED_CSV_KEY, String(totals.ungrouped.amount), String(totals.ungrouped.count), unit]]
      : []),
  ];
  return `${[["key", "amount", "count", "unit"], ...rows].map((row) => row.map(csvField).join(",")).join("\r\n")}\r\n`;
}

/** Quotes a field that holds a comma, quote or line break; a leading `=+-@` is prefixed so no sheet runs it. */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) && Number.isNaN(Number(value)) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
