import type { Snapshot, SpendReport } from "@heygen-quota-guard/client";
import { plot } from "asciichart";
import { commits, money } from "./human.ts";

/** At most this many points across: one per column of a common terminal, beside the axis labels. */
const MAX_POINTS = 100;

/** Every `step`-th reading, the newest always kept, so a long history fits the width. */
function thin<T>(values: T[], max: number): T[] {
  if (values.length <= max) return values;
  const step = Math.ceil(values.length / max);
  return values.filter((_, i) => (values.length - 1 - i) % step === 0);
}

/**
 * The balance over time as an ASCII line chart (asciichart), oldest reading on the left. `snapshots` come
 * newest first, as the API answers them.
 */
export function balanceChart(accountId: string, snapshots: Snapshot[], height = 12): string {
  if (snapshots.length === 0) return `${accountId}: no readings in this period`;
  const points = thin([...snapshots].reverse(), MAX_POINTS);
  const unit = points[0]?.unit;
  const first = points[0]?.observedAt;
  const last = points.at(-1)?.observedAt;
  const chart = plot(
    points.map((s) => s.remaining),
    { height, format: (x) => x.toFixed(2).padStart(10) },
  );
  return `${accountId}: remaining ${unit ?? ""}, ${first} → ${last} (${points.length} of ${snapshots.length} readings)\n${chart}`;
}

/** The widest bar, in characters; eighth blocks make a bar's length exact to 1/320 of the largest. */
const BAR_WIDTH = 40;
const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

function bar(amount: number, largest: number): string {
  const eighths = largest > 0 ? Math.round((amount / largest) * BAR_WIDTH * 8) : 0;
  return `${"█".repeat(Math.floor(eighths / 8))}${EIGHTHS[eighths % 8]}`.padEnd(BAR_WIDTH);
}

/**
 * A spend report as horizontal bars, one per group (and `(none)` for the ungrouped), each followed by its
 * amount and count, so the figures read without the bars.
 */
export function spendBars(report: SpendReport): string {
  const head = `${report.accountId}: spend by ${report.groupBy}, ${report.from} → ${report.to}`;
  if (report.count === 0) return `${head}\nno spend in this period`;
  const rows = [...report.groups];
  if (report.ungrouped) rows.push({ key: "(none)", ...report.ungrouped });
  const largest = Math.max(...rows.map((r) => r.amount));
  const keyWidth = Math.max(...rows.map((r) => r.key.length));
  const lines = rows.map(
    (r) =>
      `${r.key.padEnd(keyWidth)}  ${bar(r.amount, largest)}  ${money(r.amount, report.unit)} ×${r.count}`,
  );
  return [head, ...lines, `total ${money(report.total, report.unit)} in ${commits(report.count)}`].join("\n");
}
