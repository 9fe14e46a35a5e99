/**
 * A budget's periods: calendar hours, days, weeks (Monday first) and months in an IANA time zone, or one
 * period for all time. A period starts at the first instant whose local wall clock is in it, so a day
 * that DST shortens or lengthens is 23 or 25 hours, and a day whose midnight does not exist starts at the
 * first instant after the gap. Pure: the clock is passed in, and the zone rules come from the runtime's ICU.
 */

export const BUDGET_PERIODS = ["hour", "day", "week", "month", "total"] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/**
 * One period of a budget. `key` names it, and no two kinds of period share a key (a budget whose period
 * changes from day to month on the 1st must not meet its old day's holds in the new month): `YYYY-MM-DD` for a
 * day, `…THH` for an hour, the ISO week `YYYY-Www` (Monday first) for a week, `YYYY-MM` for a month, `total`.
 */
export interface PeriodWindow {
  key: string;
  start: Date;
  /** Exclusive; null for `total`. */
  end: Date | null;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Every zone's offset is within ±14 h; the search for a local midnight looks a little wider. */
const OFFSET_SPAN_MS = 15 * HOUR_MS;
const TOTAL: PeriodWindow = { key: "total", start: new Date(0), end: null };

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Monday … 6 = Sunday. */
  weekday: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();
const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

function formatFor(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      weekday: "short",
    });
    formats.set(timeZone, format);
  }
  return format;
}

/** True for a time zone name the runtime knows (`UTC`, `Europe/Berlin`, …). */
export function isTimeZone(name: string): boolean {
  try {
    formatFor(name);
    return true;
  } catch {
    return false;
  }
}

function wallClockAt(ms: number, timeZone: string): WallClock {
  const parts: Record<string, string> = {};
  for (const part of formatFor(timeZone).formatToParts(ms)) parts[part.type] = part.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
    weekday: WEEKDAYS.indexOf(parts.weekday ?? ""),
  };
}

/** A local date as a comparable number (days since 1970-01-01 on the proleptic calendar). */
function dayNumber(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

function localDayNumber(ms: number, timeZone: string): number {
  const wall = wallClockAt(ms, timeZone);
  return dayNumber(wall.year, wall.month, wall.day);
}

/**
 * The first instant (whole second) whose local date in `timeZone` is `day` (a dayNumber) or later: local
 * dates only move forward in a window this short, so a binary search over it finds the boundary.
 */
function startOfLocalDay(day: number, timeZone: string): number {
  const naive = day * DAY_MS;
  let lo = (naive - OFFSET_SPAN_MS) / 1000;
  let hi = (naive + OFFSET_SPAN_MS) / 1000;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (localDayNumber(mid * 1000, timeZone) >= day) hi = mid;
    else lo = mid + 1;
  }
  return lo * 1000;
}

function keyOfDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The ISO week (`2026-W09`) whose Monday is `monday` (a dayNumber): numbered by the year of its Thursday. */
function isoWeekKey(monday: number): string {
  const thursday = monday + 3;
  const year = new Date(thursday * DAY_MS).getUTCFullYear();
  const week = Math.floor((thursday - dayNumber(year, 1, 1)) / 7) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}

/** The first and the next period's first local day (dayNumbers) of the day/week/month containing `wall`. */
function dayBounds(wall: WallClock, period: "day" | "week" | "month"): [number, number] {
  const today = dayNumber(wall.year, wall.month, wall.day);
  if (period === "day") return [today, today + 1];
  if (period === "week") return [today - wall.weekday, today - wall.weekday + 7];
  return [dayNumber(wall.year, wall.month, 1), dayNumber(wall.year, wall.month + 1, 1)];
}

/**
 * The period of `period` in `timeZone` that contains `at`.
 *
 * @param at the instant (a reserve's time: a hold counts in the period it was reserved in)
 * @param timeZone an IANA name; raises RangeError for a name the runtime does not know (see isTimeZone)
 * @returns `{key, start, end}`: `start ≤ at < end`; for `total`, the epoch and no end
 */
export function periodContaining(at: Date, period: BudgetPeriod, timeZone: string): PeriodWindow {
  if (period === "total") return TOTAL;
  const ms = at.getTime();
  const wall = wallClockAt(ms, timeZone);
  if (period === "hour") {
    // The local hour began this many ms ago; zones with :30 and :45 offsets make this differ from UTC's.
    const start = ms - (wall.minute * 60 + wall.second) * 1000 - (ms % 1000);
    const key = `${keyOfDay(dayNumber(wall.year, wall.month, wall.day))}T${String(wall.hour).padStart(2, "0")}`;
    return { key, start: new Date(start), end: new Date(start + HOUR_MS) };
  }
  const [first, next] = dayBounds(wall, period);
  return {
    key:
      period === "day"
        ? keyOfDay(first)
        : period === "month"
          ? keyOfDay(first).slice(0, 7)
          : isoWeekKey(first),
    start: new Date(startOfLocalDay(first, timeZone)),
    end: new Date(startOfLocalDay(next, timeZone)),
  };
}
