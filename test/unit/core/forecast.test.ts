import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BalanceSnapshot, Pool, Unit } from "#core/balance";
import { forecast } from "#core/forecast";

const NOW = new Date("2026-05-01T12:00:00.000Z");
const HOUR = 3_600_000;

function at(hoursBeforeNow: number): string {
  return new Date(NOW.getTime() - hoursBeforeNow * HOUR).toISOString();
}

function snapshot(
  hoursBeforeNow: number,
  remaining: number,
  extra: { unit?: Unit; pools?: Pool[] } = {},
): BalanceSnapshot {
  const unit = extra.unit ?? "credits";
  return {
    accountId: "default",
    observedAt: at(hoursBeforeNow),
    source: "v3",
    billingType: "subscription",
    unit,
    remaining,
    pools: extra.pools ?? [{ name: "premium_credits", remaining, unit }],
  };
}

/** Readings every `stepHours` from `hoursBack` ago to now, starting at `start` and falling by `perHour`. */
function steadyBurn(start: number, perHour: number, hoursBack: number, stepHours = 0.5): BalanceSnapshot[] {
  const readings: BalanceSnapshot[] = [];
  for (let h = hoursBack; h >= 0; h -= stepHours)
    readings.push(snapshot(h, start - perHour * (hoursBack - h)));
  return readings;
}

describe("forecast", () => {
  it("derives the burn rate from consumption and projects exhaustion from available", () => {
    const history = steadyBurn(100, 2, 6);
    const available = 30;
    const result = forecast(history, { now: NOW, available });
    expect(result.burnRatePerHour).toBeCloseTo(2, 9);
    expect(result.hoursToExhaustion).toBeCloseTo(available / 2, 9);
    expect(Date.parse(result.exhaustsAt ?? "")).toBeCloseTo(NOW.getTime() + (available / 2) * HOUR, -3);
    expect(result.samples).toBe(history.length);
    expect(result.cappedByResetAt).toBeUndefined();
  });

  it("ignores increases: a top-up in the middle is not negative burn", () => {
    const history = [snapshot(4, 100), snapshot(3, 90), snapshot(2, 190), snapshot(0, 180)];
    const consumed = 10 + 10;
    const result = forecast(history, { now: NOW, available: 180 });
    expect(result.burnRatePerHour).toBeCloseTo(consumed / 4, 9);
  });

  it("reads history in time order whatever order it arrives in", () => {
    const history = steadyBurn(100, 3, 8);
    const reversed = forecast([...history].reverse(), { now: NOW, available: 50 });
    expect(reversed).toEqual(forecast(history, { now: NOW, available: 50 }));
  });

  it("uses only the window: heavy consumption before it does not count", () => {
    const old = [snapshot(40, 1000), snapshot(30, 200)];
    const recent = steadyBurn(200, 1, 10);
    const result = forecast([...old, ...recent], { now: NOW, available: 190 });
    expect(result.burnRatePerHour).toBeCloseTo(1, 9);
    expect(result.samples).toBe(recent.length);
  });

  it("honours a shorter window", () => {
    const history = [
      ...steadyBurn(300, 20, 10).filter((s) => Date.parse(s.observedAt) < NOW.getTime() - 2 * HOUR),
    ];
    history.push(snapshot(2, 100), snapshot(1, 99), snapshot(0, 98));
    const result = forecast(history, { now: NOW, available: 98, windowHours: 2 });
    expect(result.burnRatePerHour).toBeCloseTo(1, 9);
    expect(result.samples).toBe(3);
  });

  it("ignores readings from the future (clock skew)", () => {
    const history = [...steadyBurn(100, 2, 4), snapshot(-1, 0)];
    expect(forecast(history, { now: NOW, available: 92 }).burnRatePerHour).toBeCloseTo(2, 9);
  });

  it("counts only readings in the latest unit", () => {
    const history = [
      snapshot(6, 500, { unit: "usd" }),
      snapshot(5, 100, { unit: "usd" }),
      ...steadyBurn(60, 4, 4),
    ];
    const result = forecast(history, { now: NOW, available: 44 });
    expect(result.burnRatePerHour).toBeCloseTo(4, 9);
  });

  it.each([
    ["no readings", []],
    ["one reading", [snapshot(1, 50)]],
    ["two readings too close together", [snapshot(0.1, 50), snapshot(0, 40)]],
  ])("has no forecast with too little data: %s", (_, history) => {
    const result = forecast(history, { now: NOW, available: 40 });
    expect(result).toMatchObject({ burnRatePerHour: null, hoursToExhaustion: null, exhaustsAt: null });
    expect(result.samples).toBe(history.length);
  });

  it("says how long its readings span and how long they must, so that a wait can be worded", () => {
    const young = forecast([snapshot(0.2, 50), snapshot(0.1, 45), snapshot(0, 40)], {
      now: NOW,
      available: 40,
    });
    expect(young).toMatchObject({ burnRatePerHour: null, samples: 3, minSpanMinutes: 30 });
    expect(young.spanMinutes).toBeCloseTo(12, 6);
    expect(forecast([], { now: NOW, available: 40 })).toMatchObject({ spanMinutes: 0, minSpanMinutes: 30 });
  });

  it("accepts a short span when minSpanMinutes allows it", () => {
    const result = forecast([snapshot(0.1, 50), snapshot(0, 40)], {
      now: NOW,
      available: 40,
      minSpanMinutes: 1,
    });
    expect(result.burnRatePerHour).toBeCloseTo(10 / 0.1, 6);
  });

  it("reports zero burn with no exhaustion when nothing was consumed", () => {
    const result = forecast([snapshot(3, 70), snapshot(2, 70), snapshot(0, 75)], { now: NOW, available: 75 });
    expect(result).toMatchObject({ burnRatePerHour: 0, hoursToExhaustion: null, exhaustsAt: null });
  });

  it("says an exhausted balance has no time left", () => {
    const result = forecast(steadyBurn(10, 2, 5), { now: NOW, available: -3 });
    expect(result.hoursToExhaustion).toBe(0);
    expect(result.exhaustsAt).toBe(NOW.toISOString());
  });

  describe("reset cap", () => {
    const burnHistory = (pools: Pool[]) => [snapshot(4, 60, { pools }), snapshot(0, 40, { pools })];
    // 20 credits over 4 h = 5 per hour; 40 available -> 8 hours to exhaustion.
    const pool = (resetsInHours: number): Pool => ({
      name: "premium_credits",
      remaining: 40,
      unit: "credits",
      resetsAt: at(-resetsInHours),
    });

    it("forecasts no exhaustion past a reset that comes first", () => {
      const result = forecast(burnHistory([pool(3)]), { now: NOW, available: 40 });
      expect(result.burnRatePerHour).toBeCloseTo(5, 9);
      expect(result).toMatchObject({ hoursToExhaustion: null, exhaustsAt: null, cappedByResetAt: at(-3) });
    });

    it("names the earliest reset among the pools", () => {
      const result = forecast(burnHistory([pool(6), pool(2)]), { now: NOW, available: 40 });
      expect(result.cappedByResetAt).toBe(at(-2));
    });

    it("keeps the forecast when the reset comes after exhaustion", () => {
      const result = forecast(burnHistory([pool(12)]), { now: NOW, available: 40 });
      expect(result.hoursToExhaustion).toBeCloseTo(8, 9);
      expect(result.cappedByResetAt).toBeUndefined();
    });

    it("ignores a reset date already in the past", () => {
      const result = forecast(burnHistory([pool(-1)]), { now: NOW, available: 40 });
      expect(result.hoursToExhaustion).toBeCloseTo(8, 9);
      expect(result.cappedByResetAt).toBeUndefined();
    });
  });

  it.each([
    [{ available: Number.NaN }, "available"],
    [{ windowHours: 0 }, "windowHours"],
    [{ minSpanMinutes: -1 }, "minSpanMinutes"],
    [{ now: new Date("not a date") }, "now"],
  ])("rejects bad options naming the field (%o)", (bad, field) => {
    expect(() => forecast([], { now: NOW, available: 1, ...bad })).toThrow(field);
  });

  it("property: burn is never negative and top-ups alone are no burn", () => {
    const amounts = fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 40 });
    fc.assert(
      fc.property(amounts, (values) => {
        const history = values.map((v, i) => snapshot(values.length - 1 - i, v));
        const burn = forecast(history, { now: NOW, available: 10 }).burnRatePerHour;
        expect(burn).not.toBeNull();
        expect(burn).toBeGreaterThanOrEqual(0);
        const rising = [...values].sort((a, b) => a - b).map((v, i) => snapshot(values.length - 1 - i, v));
        expect(forecast(rising, { now: NOW, available: 10 }).burnRatePerHour).toBe(0);
      }),
    );
  });
});
