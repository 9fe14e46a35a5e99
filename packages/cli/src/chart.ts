import type { Snapshot } from "@heygen-quota-guard/client";
import { plot } from "asciichart";

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
