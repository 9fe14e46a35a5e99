import { describe, expect, it } from "vitest";
import { type Budget, budgetRefusal, budgetUsage } from "#core/budget";
import {
  budgetHoldEnd,
  budgetRaise,
  budgetRaiseRefusal,
  budgetReserve,
  mergeBudgetWrites,
} from "#core/budget-writes";

/** 23:59:59 and 00:00:00 on 2 and 3 December 2026 in New York (UTC−5). */
const LAST_SECOND = new Date("2026-12-03T04:59:59.000Z");
const MIDNIGHT = new Date("2026-12-03T05:00:00.000Z");

function budget(fields: Partial<Budget> = {}): Budget {
  return {
    id: "marketing",
    accountId: "default",
    limit: 25,
    period: "day",
    timeZone: "America/New_York",
    mode: "hard",
    periodKey: "2026-12-02",
    held: 10,
    committed: 10,
    openHolds: 2,
    version: 3,
    ...fields,
  };
}

describe("a budget's period and counters", () => {
  it("counts what was held and committed in the current local day", () => {
    expect(budgetUsage(budget(), LAST_SECOND)).toMatchObject({ held: 10, committed: 10, available: 5 });
  });

  it("starts the next local day at nothing used, not the next UTC day", () => {
    const usage = budgetUsage(budget(), MIDNIGHT);
    expect(usage).toMatchObject({ held: 0, committed: 0, available: 25 });
    expect(usage.window).toEqual({
      key: "2026-12-03",
      start: MIDNIGHT,
      end: new Date("2026-12-04T05:00:00.000Z"),
    });
    // At 00:30 UTC on the 3rd it is still the 2nd in New York.
    expect(budgetUsage(budget(), new Date("2026-12-03T00:30:00Z")).available).toBe(5);
  });
});

describe("what a budget refuses", () => {
  it("grants what the period has left and refuses past it, naming the budget, its period and what is left", () => {
    expect(budgetRefusal(budget(), 5, LAST_SECOND)).toBeUndefined();
    expect(budgetRefusal(budget(), 10, LAST_SECOND)).toEqual({
      type: "budget-exhausted",
      budgetId: "marketing",
      period: "day",
      periodEnd: "2026-12-03T05:00:00.000Z",
      required: 10,
      available: 5,
      shortfall: 5,
    });
    // The same reserve a second later is in a new period.
    expect(budgetRefusal(budget(), 10, MIDNIGHT)).toBeUndefined();
  });

  it("soft mode grants past the limit", () => {
    expect(budgetRefusal(budget({ mode: "soft" }), 100, LAST_SECOND)).toBeUndefined();
  });

  it("checks the pause, then the cap per job, then the slots, then the limit", () => {
    const all = budget({
      paused: { reason: "runaway batch", at: "2026-12-02T12:00:00Z", by: "arn:aws:iam::1:user/ops" },
      maxPerJob: 3,
      maxConcurrentHolds: 2,
    });
    expect(budgetRefusal(all, 50, LAST_SECOND)).toEqual({
      type: "paused",
      budgetId: "marketing",
      reason: "runaway batch",
    });
    const { paused: _paused, ...unpaused } = all;
    expect(budgetRefusal(unpaused, 50, LAST_SECOND)?.type).toBe("budget-max-per-job");
    expect(budgetRefusal(unpaused, 3, LAST_SECOND)).toEqual({
      type: "no-free-slot",
      budgetId: "marketing",
      maxConcurrentHolds: 2,
      openHolds: 2,
    });
    expect(budgetRefusal({ ...unpaused, maxConcurrentHolds: 3 }, 3, LAST_SECOND)).toBeUndefined();
  });

  it("a new period frees no slot: open holds of the last one still take theirs", () => {
    expect(budgetRefusal(budget({ maxConcurrentHolds: 2 }), 1, MIDNIGHT)?.type).toBe("no-free-slot");
  });
});

describe("how holds move a budget's counters", () => {
  const period = {
    budgetId: "marketing",
    periodKey: "2026-12-02",
    periodEndMs: MIDNIGHT.getTime(),
  };

  it("a reserve in a new period starts it; one in the current period adds to it", () => {
    const started = budgetReserve(budget(), 4, MIDNIGHT);
    expect(started.period).toEqual({
      budgetId: "marketing",
      periodKey: "2026-12-03",
      periodEndMs: Date.parse("2026-12-04T05:00:00.000Z"),
    });
    expect(started.write).toMatchObject({
      periodKey: "2026-12-03",
      startsPeriod: { fromKey: "2026-12-02" },
      heldDelta: 4,
      openHoldsDelta: 1,
      condition: { name: "budget-covers", need: 4, jobAmount: 4, slot: true, notPaused: true },
    });
    const added = budgetReserve(budget(), 4, LAST_SECOND);
    expect(added.write.startsPeriod).toBeUndefined();
    expect(added.period).toEqual(period);
  });

  it("a hold of the running period moves its counters; one of an ended period frees only its slot", () => {
    const change = { released: 4, committed: 3, ends: true };
    expect(budgetHoldEnd("default", period, change, LAST_SECOND)).toMatchObject({
      heldDelta: -4,
      committedDelta: 3,
      openHoldsDelta: -1,
      condition: { name: "budget-period" },
    });
    const ended = budgetHoldEnd("default", period, change, MIDNIGHT);
    expect(ended).toMatchObject({ heldDelta: 0, committedDelta: 0, openHoldsDelta: -1 });
    expect(ended?.condition).toBeUndefined();
    // A budget found restarted (a settings change) is treated as an ended period.
    expect(budgetHoldEnd("default", period, change, LAST_SECOND, true)?.condition).toBeUndefined();
    // A partial commit keeps the slot, and of an ended period moves nothing at all.
    expect(budgetHoldEnd("default", period, { ...change, ends: false }, LAST_SECOND)?.openHoldsDelta).toBe(0);
    expect(budgetHoldEnd("default", period, { ...change, ends: false }, MIDNIGHT)).toBeUndefined();
  });

  it("a raise is refused once the hold's period has ended, and checked as a new hold before", () => {
    expect(budgetRaise("default", period, 2, 6, MIDNIGHT)).toBe("period-ended");
    expect(budgetRaise("default", period, 0, 4, MIDNIGHT)).toBeUndefined();
    expect(budgetRaise("default", period, 2, 6, LAST_SECOND)).toMatchObject({
      heldDelta: 2,
      openHoldsDelta: 0,
      condition: { name: "budget-covers", need: 2, jobAmount: 6, slot: false, notPaused: false },
    });
    expect(budgetRaiseRefusal(budget({ maxPerJob: 5 }), period, 2, 6, LAST_SECOND)).toMatchObject({
      type: "budget-max-per-job",
      maxPerJob: 5,
      amount: 6,
    });
    expect(budgetRaiseRefusal(budget(), period, 6, 10, LAST_SECOND)).toMatchObject({
      type: "budget-exhausted",
      available: 5,
      shortfall: 1,
    });
    expect(budgetRaiseRefusal(budget({ mode: "soft" }), period, 6, 10, LAST_SECOND)).toBeUndefined();
    expect(budgetRaiseRefusal(budget({ periodKey: "2026-12-03" }), period, 1, 5, LAST_SECOND)).toBe(
      "period-ended",
    );
  });

  it("writes of several holds of one budget merge into one, on the running period", () => {
    const run = budgetHoldEnd("default", period, { released: 2, committed: 0, ends: true }, LAST_SECOND);
    const old = { ...period, periodKey: "2026-12-01", periodEndMs: Date.parse("2026-12-02T05:00:00Z") };
    const slot = budgetHoldEnd("default", old, { released: 3, committed: 0, ends: true }, LAST_SECOND);
    const merged = mergeBudgetWrites([slot, run, run].filter((w) => w !== undefined));
    expect(merged).toHaveLength(1);
    expect(merged[0]).toMatchObject({ periodKey: "2026-12-02", heldDelta: -4, openHoldsDelta: -3 });
  });
});
