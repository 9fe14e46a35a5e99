import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BUDGET_PERIODS, isTimeZone, periodContaining } from "#core/budget-period";

const at = (iso: string) => new Date(iso);
const iso = (date: Date | null) => date?.toISOString() ?? null;

it("no two kinds of period share a key, so a budget changed from day to month on the 1st restarts", () => {
  const first = at("2026-03-01T12:00:00Z");
  const keys = (["hour", "day", "week", "month", "total"] as const).map(
    (p) => periodContaining(first, p, "UTC").key,
  );
  expect(new Set(keys).size).toBe(5);
  // A Monday: the day and the week begin together, with different keys. ISO weeks take their Thursday's year.
  const monday = at("2026-03-02T12:00:00Z");
  expect(periodContaining(monday, "week", "UTC").key).toBe("2026-W10");
  expect(periodContaining(monday, "day", "UTC").key).toBe("2026-03-02");
  expect(periodContaining(at("2027-01-01T12:00:00Z"), "week", "UTC").key).toBe("2026-W53");
  expect(periodContaining(at("2024-12-30T12:00:00Z"), "week", "UTC").key).toBe("2025-W01");
});

describe("budget periods in a time zone", () => {
  it("a day in UTC is the calendar day", () => {
    const day = periodContaining(at("2026-12-03T10:15:00Z"), "day", "UTC");
    expect(day).toEqual({
      key: "2026-12-03",
      start: at("2026-12-03T00:00:00Z"),
      end: at("2026-12-04T00:00:00Z"),
    });
  });

  it("a day in New York starts at local midnight, and the day DST ends lasts 25 hours", () => {
    // 2026-11-01: clocks go back at 02:00 EDT (UTC-4) to 01:00 EST (UTC-5).
    const day = periodContaining(at("2026-11-01T12:00:00Z"), "day", "America/New_York");
    expect(day.key).toBe("2026-11-01");
    expect(iso(day.start)).toBe("2026-11-01T04:00:00.000Z");
    expect(iso(day.end)).toBe("2026-11-02T05:00:00.000Z");
    // 03:30 UTC on the 1st is still 23:30 on 31 October in New York.
    expect(periodContaining(at("2026-11-01T03:30:00Z"), "day", "America/New_York").key).toBe("2026-10-31");
  });

  it("the day DST starts in Berlin lasts 23 hours", () => {
    const day = periodContaining(at("2026-03-29T12:00:00Z"), "day", "Europe/Berlin");
    expect(iso(day.start)).toBe("2026-03-28T23:00:00.000Z");
    expect(iso(day.end)).toBe("2026-03-29T22:00:00.000Z");
  });

  it("a day whose midnight does not exist starts at the first instant after the gap", () => {
    // America/Santiago moves from 00:00 to 01:00 on 2026-09-06 (UTC-4 → UTC-3).
    const day = periodContaining(at("2026-09-06T12:00:00Z"), "day", "America/Santiago");
    expect(day.key).toBe("2026-09-06");
    expect(iso(day.start)).toBe("2026-09-06T04:00:00.000Z");
    expect(periodContaining(at("2026-09-06T03:59:59Z"), "day", "America/Santiago").key).toBe("2026-09-05");
  });

  it("a week starts on Monday, local time", () => {
    // Thursday 2026-12-03, 08:00 in Tokyo is Wednesday 23:00 UTC.
    const week = periodContaining(at("2026-12-02T23:00:00Z"), "week", "Asia/Tokyo");
    expect(week.key).toBe("2026-W49");
    expect(iso(week.start)).toBe("2026-11-29T15:00:00.000Z");
    expect(iso(week.end)).toBe("2026-12-06T15:00:00.000Z");
    // The same instant is still Wednesday in UTC: the same week, other bounds.
    expect(iso(periodContaining(at("2026-12-02T23:00:00Z"), "week", "UTC").start)).toBe(
      "2026-11-30T00:00:00.000Z",
    );
    // A Sunday belongs to the week that began six days before.
    expect(periodContaining(at("2026-12-06T12:00:00Z"), "week", "UTC").key).toBe("2026-W49");
  });

  it("a month runs from the 1st to the 1st, across a year end", () => {
    const month = periodContaining(at("2026-12-31T20:00:00Z"), "month", "America/Los_Angeles");
    expect(month.key).toBe("2026-12");
    expect(iso(month.start)).toBe("2026-12-01T08:00:00.000Z");
    expect(iso(month.end)).toBe("2027-01-01T08:00:00.000Z");
    // 20:00 UTC on 31 December is already 1 January in Auckland (UTC+13).
    expect(periodContaining(at("2026-12-31T20:00:00Z"), "month", "Pacific/Auckland").key).toBe("2027-01");
  });

  it("an hour follows the local clock, which a :30 or :45 offset moves off UTC's hours", () => {
    const kolkata = periodContaining(at("2026-12-03T10:15:00Z"), "hour", "Asia/Kolkata"); // 15:45 IST
    expect(kolkata.key).toBe("2026-12-03T15");
    expect(iso(kolkata.start)).toBe("2026-12-03T09:30:00.000Z");
    expect(iso(kolkata.end)).toBe("2026-12-03T10:30:00.000Z");
    const kathmandu = periodContaining(at("2026-12-03T10:15:00Z"), "hour", "Asia/Kathmandu"); // 16:00 NPT
    expect(iso(kathmandu.start)).toBe("2026-12-03T10:15:00.000Z");
  });

  it("total is one period for all time", () => {
    expect(periodContaining(at("2026-12-03T10:15:00Z"), "total", "Europe/Paris")).toEqual({
      key: "total",
      start: new Date(0),
      end: null,
    });
  });

  it("knows IANA names and refuses others", () => {
    expect(isTimeZone("UTC")).toBe(true);
    expect(isTimeZone("Europe/Berlin")).toBe(true);
    expect(isTimeZone("Mars/Olympus_Mons")).toBe(false);
    expect(() => periodContaining(new Date(), "day", "Mars/Olympus_Mons")).toThrow(RangeError);
  });

  const zones = ["UTC", "America/New_York", "Europe/Berlin", "Asia/Kolkata", "Australia/Lord_Howe"];
  const periods = BUDGET_PERIODS.filter((period) => period !== "total");

  it("every instant lies in its period, and the periods tile time with no gap or overlap", () => {
    // Oracle independent of the search: the end of one period is the start of the next, and the local
    // clock formatted by Intl shows the period's first day (or hour) at its start.
    fc.assert(
      fc.property(
        fc.date({ min: at("2020-01-01T00:00:00Z"), max: at("2035-01-01T00:00:00Z"), noInvalidDate: true }),
        fc.constantFrom(...periods),
        fc.constantFrom(...zones),
        (instant, period, zone) => {
          const window = periodContaining(instant, period, zone);
          const end = window.end as Date;
          expect(window.start.getTime()).toBeLessThanOrEqual(instant.getTime());
          expect(instant.getTime()).toBeLessThan(end.getTime());
          expect(periodContaining(window.start, period, zone)).toEqual(window);
          expect(periodContaining(new Date(window.start.getTime() - 1), period, zone).key).not.toBe(
            window.key,
          );
          expect(periodContaining(end, period, zone).start).toEqual(end);
          const local = new Intl.DateTimeFormat("sv-SE", {
            timeZone: zone,
            dateStyle: "short",
            timeStyle: "short",
          }).format(window.start);
          // The key names the period's first local day (its month, its ISO week).
          if (period === "day" || period === "hour") expect(local.slice(0, 10)).toBe(window.key.slice(0, 10));
          if (period === "month") expect(local.slice(0, 7)).toBe(window.key);
        },
      ),
      { numRuns: 300 },
    );
  });
});
