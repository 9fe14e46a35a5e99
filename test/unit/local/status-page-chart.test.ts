import { describe, expect, it } from "vitest";
import { MIN_FITTED_SECONDS, xRange } from "#local/status-page/chart";

/** The status page chart's time axis (issue 22): the whole window once history covers it, fitted to it before. */

const DAY = 24 * 3600;
const to = Date.parse("2026-12-01T18:00:00Z") / 1000;
const from = to - DAY;
const minutesAgo = (minutes: number) => to - minutes * 60;

describe("xRange", () => {
  it("keeps the whole window once a reading older than it exists", () => {
    expect(xRange([minutesAgo(30), minutesAgo(1)], { from, to, historyBefore: true })).toEqual({
      min: from,
      max: to,
    });
  });

  it("keeps the whole window when there is no reading to fit", () => {
    expect(xRange([], { from, to, historyBefore: false })).toEqual({ min: from, max: to });
  });

  it("fits 30 minutes of history on a fresh install: the first reading near the left edge, not a line at the right", () => {
    const { min, max } = xRange([minutesAgo(30), minutesAgo(20), minutesAgo(10), to], {
      from,
      to,
      historyBefore: false,
    });
    expect(max).toBe(to);
    // 5 % of room before the first reading: 31.5 minutes in all.
    expect(to - min).toBeCloseTo(31.5 * 60, 6);
    expect((minutesAgo(30) - min) / (max - min)).toBeLessThan(0.05);
  });

  it("shows at least ten minutes, so that one reading or two seconds apart have an axis", () => {
    expect(xRange([to - 5], { from, to, historyBefore: false })).toEqual({
      min: to - MIN_FITTED_SECONDS,
      max: to,
    });
  });

  it("never widens past the window: history just short of it shows the window", () => {
    expect(xRange([from + 60, to], { from, to, historyBefore: false })).toEqual({ min: from, max: to });
  });

  it("fits a history shorter than the 7 d window, as it does for 24 h", () => {
    const week = { from: to - 7 * DAY, to, historyBefore: false };
    const { min } = xRange([to - 2 * DAY, to], week);
    expect(to - min).toBeCloseTo(2.1 * DAY, 6);
  });
});
