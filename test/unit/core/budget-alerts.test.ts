import { describe, expect, it } from "vitest";
import { MAX_SUBJECT_LENGTH } from "#core/alert-text";
import { type Budget, type BudgetSettings, newBudget } from "#core/budget";
import { budgetLevel, markBudgetSent, planBudgetAlerts, settledBudgetLevel } from "#core/budget-alerts";

/** The level rules of a budget's alerts (core/budget-alerts.ts), on a day budget of 100 in UTC. */

const NOON = new Date("2026-12-03T12:00:00Z");
const DAILY: BudgetSettings = { limit: 100, period: "day", timeZone: "UTC", mode: "hard" };
const RULES = { hysteresisPercent: 10, repeatHours: { warning: 24, critical: 4 } };
const PERCENTS = { warning: 80, critical: 95 };

function budgetUsing(used: number, fields: Partial<Budget> = {}): Budget {
  return { ...newBudget("studio", "marketing", DAILY, NOON), committed: used, ...fields };
}

const plan = (budget: Budget, now = NOON) =>
  planBudgetAlerts({ accountId: "studio", budget, rules: RULES, now });

/** The state after every planned alert was sent. */
function sentAll(budget: Budget, now = NOON) {
  const { alerts, state } = plan(budget, now);
  return { alerts, state: alerts.reduce((s, alert) => markBudgetSent(s, alert, now), state) };
}

describe("budgetLevel", () => {
  it("is ok below warning, warning from 80 %, critical from 95 %, exhausted from 100 %", () => {
    expect([0, 79.9, 80, 94.9, 95, 99.9, 100, 130].map((p) => budgetLevel(p, PERCENTS))).toEqual([
      "ok",
      "ok",
      "warning",
      "warning",
      "critical",
      "critical",
      "exhausted",
      "exhausted",
    ]);
  });

  it("follows a budget's own percentages", () => {
    expect(budgetLevel(55, { warning: 50, critical: 60 })).toBe("warning");
    expect(budgetLevel(60, { warning: 50, critical: 60 })).toBe("critical");
  });

  it("worse at once, better only past the margin below the threshold left, and out of exhausted once something is left", () => {
    expect(settledBudgetLevel("warning", 75, PERCENTS, 10)).toBe("warning");
    expect(settledBudgetLevel("warning", 71.9, PERCENTS, 10)).toBe("ok");
    expect(settledBudgetLevel("critical", 90, PERCENTS, 10)).toBe("critical");
    expect(settledBudgetLevel("exhausted", 99, PERCENTS, 10)).toBe("critical");
    expect(settledBudgetLevel("ok", 96, PERCENTS, 10)).toBe("critical");
  });
});

describe("planBudgetAlerts", () => {
  it("a budget at 80 % alerts a warning naming the budget, once", () => {
    // At 20:00, 80 used in 20 h leaves 20 at 4 per hour: 5 h, past midnight, so no forecast alongside.
    const evening = new Date("2026-12-03T20:00:00Z");
    const first = sentAll(budgetUsing(80), evening);
    expect(first.alerts.map((a) => [a.alertType, a.level, a.severity])).toEqual([
      ["budget_usage", "warning", "warning"],
    ]);
    expect(first.alerts[0]?.budget).toMatchObject({ id: "marketing", used: 80, limit: 100, percentUsed: 80 });
    expect(first.alerts[0]?.subject).toBe(
      "[Quota Guard] studio: budget marketing is low (warning level), 80 of 100 used this day (80%)",
    );
    const later = new Date(evening.getTime() + 60_000);
    expect(plan(budgetUsing(80, { alertState: first.state }), later).alerts).toEqual([]);
  });

  it("reminds after repeatHours at the same level, and not before", () => {
    const at = (hours: number) => new Date(NOON.getTime() + hours * 3_600_000);
    // A day budget restarts at midnight, so the reminder is tested on a total budget.
    const total = (fields: Partial<Budget>) =>
      budgetUsing(80, { period: "total", periodKey: "total", ...fields });
    const start = sentAll(total({}));
    expect(plan(total({ alertState: start.state }), at(23.9)).alerts).toEqual([]);
    const [reminder] = plan(total({ alertState: start.state }), at(24)).alerts;
    expect(reminder).toMatchObject({ alertType: "budget_usage", level: "warning", previousLevel: "warning" });
    expect(reminder?.subject).toContain("is still low (warning level)");
  });

  it("a refused publish leaves the state, so the same alert is planned again", () => {
    const budget = budgetUsing(96);
    const { alerts, state } = plan(budget);
    expect(alerts.map((a) => a.level)).toEqual(["critical"]);
    expect(plan({ ...budget, alertState: state }).alerts.map((a) => a.level)).toEqual(["critical"]);
  });

  it("a new period starts at nothing used: a budget alerted yesterday recovers at the first poll of today", () => {
    const { state } = sentAll(budgetUsing(100));
    expect(state.level).toBe("exhausted");
    const tomorrow = new Date("2026-12-04T00:05:00Z");
    const [recovered] = plan(budgetUsing(100, { alertState: state }), tomorrow).alerts;
    expect(recovered).toMatchObject({ alertType: "budget_recovered", severity: "info", level: "ok" });
    expect(recovered?.budget).toMatchObject({ used: 0, periodStart: "2026-12-04T00:00:00.000Z" });
  });

  it("the first poll at ok is silent but remembered", () => {
    const { alerts, state } = plan(budgetUsing(10, { committed: 0 }));
    expect(alerts).toEqual([]);
    expect(state.level).toBe("ok");
  });

  it("a soft budget past its limit alerts over budget (soft)", () => {
    const [alert] = plan(budgetUsing(130, { mode: "soft" })).alerts;
    expect(alert).toMatchObject({ level: "exhausted", severity: "critical" });
    expect(alert?.subject).toContain("budget marketing is over budget (soft)");
  });

  it("forecasts a run-out before the period ends at the period's rate so far, once per period", () => {
    // 40 used in the 12 h since midnight: 60 left at 3.33 per hour lasts 18 h, past midnight: no alert.
    expect(plan(budgetUsing(40)).alerts).toEqual([]);
    // 60 used in 12 h: 40 left at 5 per hour lasts 8 h, before midnight.
    const { alerts, state } = sentAll(budgetUsing(60));
    expect(alerts.map((a) => a.alertType)).toEqual(["budget_forecast"]);
    expect(alerts[0]?.budget?.hoursToExhaustion).toBe(8);
    expect(plan(budgetUsing(70, { alertState: state })).alerts).toEqual([]);
    // Not at critical: its own alert says so.
    expect(plan(budgetUsing(96)).alerts.map((a) => a.alertType)).toEqual(["budget_usage"]);
  });

  it("keeps every subject within SNS's limit with the longest ids", () => {
    const long = budgetUsing(130, { id: "b".repeat(40), accountId: "a".repeat(40), mode: "soft" });
    const [alert] = planBudgetAlerts({
      accountId: "a".repeat(40),
      budget: long,
      rules: RULES,
      now: NOON,
    }).alerts;
    expect(alert?.subject.length).toBeLessThanOrEqual(MAX_SUBJECT_LENGTH);
  });
});
