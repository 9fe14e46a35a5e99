import { reloadThresholdOf } from "#core/auto-reload";
import type { BalanceSnapshot, Pool } from "#core/balance";

/**
 * When an account's balance runs out at its recent rate of consumption (docs/alerts.md).
 *
 * Burn counts consumption only: the sum of decreases between consecutive snapshots inside the window,
 * divided by the time those snapshots actually span. Increases are top-ups or resets, never negative burn.
 *
 * Reset cap: a pool's `resetsAt` is taken to refill the balance. When the earliest future reset of the
 * latest snapshot's pools comes before the projected exhaustion, no exhaustion is forecast past it:
 * `hoursToExhaustion` and `exhaustsAt` are null and `cappedByResetAt` names the reset.
 *
 * Auto-reload cap: a usd wallet whose latest snapshot has auto-reload on is refilled when HeyGen's balance
 * falls below the reload threshold (0 when HeyGen does not say). When that moment, at the burn rate, comes
 * no later than the projected exhaustion of `available`, no exhaustion is forecast: `hoursToExhaustion` and
 * `exhaustsAt` are null and `cappedByAutoReloadAt` says when the reload is due. A reload that does not come
 * is auto_reload_missed's to tell (core/auto-reload.ts).
 */
export interface Forecast {
  /** Consumption per hour in the balance's unit; 0 when nothing was consumed; null with too little data. */
  burnRatePerHour: number | null;
  /** available / burn rate; null with no (measurable) burn, too little data, or when a reset comes first. */
  hoursToExhaustion: number | null;
  exhaustsAt: string | null;
  cappedByResetAt?: string;
  /** When the balance reaches the auto-reload threshold at the burn rate, which refills it first (ISO). */
  cappedByAutoReloadAt?: string;
  /** Snapshots the burn rate was computed from. */
  samples: number;
  /** Minutes between the oldest and the newest of those snapshots (0 with fewer than two). */
  spanMinutes: number;
  /** Minutes the snapshots must span before a burn rate is computed (`burnRatePerHour` null until then). */
  minSpanMinutes: number;
}

export interface ForecastOptions {
  now: Date;
  /** What can still be spent (remaining − reservations − floor), in the latest snapshot's unit. */
  available: number;
  windowHours?: number;
  /** Shorter spans than this are too little data: a few minutes of readings say little about a day. */
  minSpanMinutes?: number;
}

export const DEFAULT_FORECAST_WINDOW_HOURS = 24;
export const DEFAULT_FORECAST_MIN_SPAN_MINUTES = 30;

const MS_PER_HOUR = 3_600_000;
const MS_PER_MINUTE = 60_000;
const MAX_DATE_MS = 8.64e15;

/** One snapshot as consumption reads it: when (epoch ms) and what remained. */
export interface Reading {
  atMs: number;
  remaining: number;
}

export function forecast(history: readonly BalanceSnapshot[], options: ForecastOptions): Forecast {
  const { now, available, windowHours, minSpanMinutes } = validated(options);
  const window = readingsInWindow(history, now.getTime() - windowHours * MS_PER_HOUR, now.getTime());
  const burnRatePerHour = burnRate(window.readings, minSpanMinutes);
  // What the answer rests on, so that "not enough readings" can say how much is missing.
  const basis = {
    samples: window.readings.length,
    spanMinutes: spanMinutesOf(window.readings),
    minSpanMinutes,
  };
  if (burnRatePerHour === null || burnRatePerHour === 0) {
    return { burnRatePerHour, hoursToExhaustion: null, exhaustsAt: null, ...basis };
  }
  const hoursToExhaustion = Math.max(0, available) / burnRatePerHour;
  const exhaustsAtMs = now.getTime() + hoursToExhaustion * MS_PER_HOUR;
  // A burn so slow that the date overflows is no exhaustion in sight.
  if (!(exhaustsAtMs <= MAX_DATE_MS))
    return { burnRatePerHour, hoursToExhaustion: null, exhaustsAt: null, ...basis };
  const reset = earliestResetBetween(window.latest?.pools ?? [], now.getTime(), exhaustsAtMs);
  if (reset !== undefined) {
    return { burnRatePerHour, hoursToExhaustion: null, exhaustsAt: null, cappedByResetAt: reset, ...basis };
  }
  const reload = autoReloadBefore(window.latest, now.getTime(), exhaustsAtMs, burnRatePerHour);
  if (reload !== undefined) {
    return {
      burnRatePerHour,
      hoursToExhaustion: null,
      exhaustsAt: null,
      cappedByAutoReloadAt: reload,
      ...basis,
    };
  }
  return {
    burnRatePerHour,
    hoursToExhaustion,
    exhaustsAt: new Date(exhaustsAtMs).toISOString(),
    ...basis,
  };
}

function validated(options: ForecastOptions): Required<ForecastOptions> {
  const windowHours = options.windowHours ?? DEFAULT_FORECAST_WINDOW_HOURS;
  const minSpanMinutes = options.minSpanMinutes ?? DEFAULT_FORECAST_MIN_SPAN_MINUTES;
  if (!(options.now instanceof Date) || Number.isNaN(options.now.getTime())) {
    throw new RangeError("forecast: now must be a valid Date");
  }
  if (!Number.isFinite(options.available))
    throw new RangeError("forecast: available must be a finite number");
  if (!(Number.isFinite(windowHours) && windowHours > 0)) {
    throw new RangeError("forecast: windowHours must be a positive number");
  }
  if (!(Number.isFinite(minSpanMinutes) && minSpanMinutes >= 0)) {
    throw new RangeError("forecast: minSpanMinutes must be a non-negative number");
  }
  return { now: options.now, available: options.available, windowHours, minSpanMinutes };
}

/**
 * The consumption between `fromMs` and `toMs` (epoch ms, both included) as the burn rate counts it: the sum of
 * decreases between consecutive readings, in the newest reading's unit (`unit`, absent without one). Shared with
 * the reconciliation (reconciliation.ts), so "consumption" is one rule.
 */
export function consumedBetween(
  history: readonly BalanceSnapshot[],
  fromMs: number,
  toMs: number,
): { readings: Reading[]; consumed: number; unit?: BalanceSnapshot["unit"] } {
  const window = readingsInWindow(history, fromMs, toMs);
  const unit = window.latest?.unit;
  return { readings: window.readings, consumed: consumption(window.readings), ...(unit ? { unit } : {}) };
}

/** Readings inside [fromMs, toMs], oldest first, in the unit of the newest one (a unit change restarts history). */
function readingsInWindow(
  history: readonly BalanceSnapshot[],
  fromMs: number,
  toMs: number,
): { readings: Reading[]; latest?: BalanceSnapshot } {
  const inWindow = history
    .map((snapshot) => ({ snapshot, atMs: Date.parse(snapshot.observedAt) }))
    .filter(({ atMs }) => atMs >= fromMs && atMs <= toMs)
    .sort((a, b) => a.atMs - b.atMs);
  const latest = inWindow.at(-1)?.snapshot;
  if (!latest) return { readings: [] };
  const readings = inWindow
    .filter(({ snapshot }) => snapshot.unit === latest.unit)
    .map(({ snapshot, atMs }) => ({ atMs, remaining: snapshot.remaining }));
  return { readings, latest };
}

function spanMinutesOf(readings: readonly Reading[]): number {
  const first = readings[0];
  const last = readings.at(-1);
  return first && last ? (last.atMs - first.atMs) / MS_PER_MINUTE : 0;
}

function burnRate(readings: readonly Reading[], minSpanMinutes: number): number | null {
  const first = readings[0];
  const last = readings.at(-1);
  if (!first || !last || readings.length < 2) return null;
  const spanMs = last.atMs - first.atMs;
  if (spanMs <= 0 || spanMs < minSpanMinutes * MS_PER_MINUTE) return null;
  return consumption(readings) / (spanMs / MS_PER_HOUR);
}

function consumption(readings: readonly Reading[]): number {
  let consumed = 0;
  for (let i = 1; i < readings.length; i++) {
    const before = readings[i - 1];
    const after = readings[i];
    if (before && after && after.remaining < before.remaining) consumed += before.remaining - after.remaining;
  }
  return consumed;
}

/** When the latest snapshot's auto-reload refills it, if that is no later than `exhaustsAtMs` (ISO). */
function autoReloadBefore(
  latest: BalanceSnapshot | undefined,
  nowMs: number,
  exhaustsAtMs: number,
  burnRatePerHour: number,
): string | undefined {
  if (!latest?.autoReload?.enabled || latest.unit !== "usd") return undefined;
  const threshold = reloadThresholdOf(latest) ?? 0;
  const reloadAtMs = nowMs + (Math.max(0, latest.remaining - threshold) / burnRatePerHour) * MS_PER_HOUR;
  return reloadAtMs <= exhaustsAtMs ? new Date(reloadAtMs).toISOString() : undefined;
}

function earliestResetBetween(pools: readonly Pool[], fromMs: number, toMs: number): string | undefined {
  const resets = pools
    .flatMap((pool) => (pool.resetsAt ? [{ iso: pool.resetsAt, atMs: Date.parse(pool.resetsAt) }] : []))
    .filter(({ atMs }) => atMs > fromMs && atMs <= toMs)
    .sort((a, b) => a.atMs - b.atMs);
  const first = resets[0];
  return first ? new Date(first.atMs).toISOString() : undefined;
}
