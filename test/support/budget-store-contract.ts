import { expect, it } from "vitest";
import type { AuditEntry } from "#core/audit";
import { type Budget, type BudgetSettings, newBudget, withSettings } from "#core/budget";
import type { BudgetStore } from "#service/budget-port";

/**
 * What every BudgetStore does (service/budget-port.ts), run against the DynamoDB adapter on DynamoDB Local
 * and against the unit tests' in-memory fake, so that the fake cannot drift from the store.
 */
const NOW = new Date("2026-12-03T12:00:00Z");
const SETTINGS: BudgetSettings = { limit: 25, period: "day", timeZone: "UTC", mode: "hard" };
let n = 0;

/** The stored `left` of a budget, when the store under test can show it (the reserve's condition reads it). */
export type LeftOf = (accountId: string, budgetId: string) => Promise<number | undefined>;
/** The audit entries written for an account, oldest first. */
export type AuditOf = (accountId: string) => Promise<readonly AuditEntry[]>;

export function budgetStoreContract(store: () => BudgetStore, leftOf: LeftOf, auditOf: AuditOf) {
  const fresh = () => newBudget(`budgets-${++n}`, "marketing", SETTINGS, NOW);
  const create = async (budget: Budget) => {
    expect(await store().saveBudget(budget, { expectedVersion: 0, restarted: true, leftDelta: 0 })).toBe(
      true,
    );
    return budget;
  };

  it("creates a budget once; a second create of the same id is refused", async () => {
    const budget = await create(fresh());
    expect(await store().getBudget(budget.accountId, "marketing")).toEqual(budget);
    expect(await store().saveBudget(budget, { expectedVersion: 0, restarted: true, leftDelta: 0 })).toBe(
      false,
    );
    expect(await leftOf(budget.accountId, "marketing")).toBe(25);
  });

  it("changes settings only at the version read, keeping the stored counters and moving left by the limit's change", async () => {
    const budget = await create({ ...fresh(), held: 5, committed: 3, openHolds: 2 });
    const next = withSettings(budget, { ...SETTINGS, limit: 40, maxPerJob: 10 }, NOW);
    const write = { expectedVersion: budget.version, restarted: next.restarted, leftDelta: next.leftDelta };
    // Counters a reserve moved after the read are not undone: the write does not carry them.
    const stale = { ...next.budget, held: 0, committed: 0, openHolds: 0 };
    expect(await store().saveBudget(stale, write)).toBe(true);
    expect(await store().getBudget(budget.accountId, "marketing")).toMatchObject({
      limit: 40,
      maxPerJob: 10,
      held: 5,
      committed: 3,
      openHolds: 2,
      version: budget.version + 1,
    });
    expect(await leftOf(budget.accountId, "marketing")).toBe(32);
    expect(await store().saveBudget(next.budget, write)).toBe(false);
  });

  it("removes a setting the new settings leave out", async () => {
    const budget = await create(newBudget(`budgets-${++n}`, "capped", { ...SETTINGS, maxPerJob: 4 }, NOW));
    const next = withSettings(budget, SETTINGS, NOW);
    const write = { expectedVersion: budget.version, restarted: false, leftDelta: 0 };
    expect(await store().saveBudget(next.budget, write)).toBe(true);
    expect((await store().getBudget(budget.accountId, "capped"))?.maxPerJob).toBeUndefined();
  });

  it("lists an account's budgets by id and no other account's", async () => {
    const a = await create(fresh());
    await create({ ...a, id: "brand-b" });
    await create(fresh());
    expect((await store().listBudgets(a.accountId)).map((b) => b.id)).toEqual(["brand-b", "marketing"]);
  });

  it("writes an audit entry with a change, and none with a refused one", async () => {
    const budget = fresh();
    const entry = {
      accountId: budget.accountId,
      at: NOW.toISOString(),
      by: "ops",
      action: "budget-set" as const,
      target: "budget:marketing",
    };
    const created = { expectedVersion: 0, restarted: true, leftDelta: 0 };
    expect(await store().saveBudget(budget, created, { entry, retentionDays: 30 })).toBe(true);
    expect(
      await store().saveBudget(budget, created, { entry: { ...entry, by: "late" }, retentionDays: 30 }),
    ).toBe(false);
    // A millisecond later: entries of the same millisecond list in no set order.
    const deleted = {
      ...entry,
      action: "budget-deleted" as const,
      at: new Date(NOW.getTime() + 1).toISOString(),
    };
    expect(
      await store().deleteBudget(budget.accountId, "marketing", budget.version, {
        entry: deleted,
        retentionDays: 30,
      }),
    ).toBe(true);
    expect((await auditOf(budget.accountId)).map((e) => `${e.action} ${e.by}`)).toEqual([
      "budget-set ops",
      "budget-deleted ops",
    ]);
  });

  it("deletes only at the version read and with no open hold", async () => {
    const busy = await create({ ...fresh(), openHolds: 1 });
    expect(await store().deleteBudget(busy.accountId, "marketing", busy.version)).toBe(false);
    const idle = await create(fresh());
    expect(await store().deleteBudget(idle.accountId, "marketing", idle.version + 1)).toBe(false);
    expect(await store().deleteBudget(idle.accountId, "marketing", idle.version)).toBe(true);
    expect(await store().getBudget(idle.accountId, "marketing")).toBeUndefined();
    expect(await store().deleteBudget(idle.accountId, "marketing", idle.version)).toBe(false);
  });

  it("pauses and resumes a budget in one write with its audit entry, touching nothing else; an unknown budget is refused", async () => {
    const budget = await create({ ...fresh(), held: 5, openHolds: 1 });
    const pause = { reason: "runaway batch", at: NOW.toISOString(), by: "ops" };
    const entry = {
      accountId: budget.accountId,
      at: NOW.toISOString(),
      by: "ops",
      action: "paused" as const,
      target: "budget:marketing",
      after: pause,
    };
    const paused = await store().setBudgetPause(budget.accountId, "marketing", pause, {
      entry,
      retentionDays: 30,
    });
    expect(paused).toEqual({ ...budget, paused: pause });
    expect(await leftOf(budget.accountId, "marketing")).toBe(20);
    expect(await store().setBudgetPause(budget.accountId, "marketing", undefined)).toEqual(budget);
    expect(
      await store().setBudgetPause(budget.accountId, "nobody", pause, {
        entry: { ...entry, target: "budget:nobody" },
        retentionDays: 30,
      }),
    ).toBeUndefined();
    expect(await store().getBudget(budget.accountId, "nobody")).toBeUndefined();
    expect((await auditOf(budget.accountId)).map((e) => e.target)).toEqual(["budget:marketing"]);
  });

  it("a settings write, even one that read the budget before, keeps its pause and alert state", async () => {
    const budget = await create(fresh());
    const pause = { reason: "stop", at: NOW.toISOString(), by: "ops" };
    await store().setBudgetPause(budget.accountId, "marketing", pause);
    const alertState = { level: "warning" as const, levelNotifiedAt: NOW.toISOString() };
    expect(await store().setBudgetAlertState(budget.accountId, "marketing", alertState)).toBe(true);
    // `budget` was read before both: its settings write must not undo them.
    const next = withSettings(budget, { ...SETTINGS, limit: 30 }, NOW);
    const write = { expectedVersion: budget.version, restarted: false, leftDelta: next.leftDelta };
    expect(await store().saveBudget(next.budget, write)).toBe(true);
    const restart = withSettings(next.budget, { ...SETTINGS, limit: 30, period: "hour" }, NOW);
    const restarted = { expectedVersion: next.budget.version, restarted: true, leftDelta: 0 };
    expect(await store().saveBudget(restart.budget, restarted)).toBe(true);
    expect(await store().getBudget(budget.accountId, "marketing")).toMatchObject({
      period: "hour",
      paused: pause,
      alertState,
    });
  });

  it("records a budget's alert state only while the budget exists", async () => {
    const budget = await create(fresh());
    expect(await store().deleteBudget(budget.accountId, "marketing", budget.version)).toBe(true);
    expect(await store().setBudgetAlertState(budget.accountId, "marketing", { level: "ok" })).toBe(false);
    expect(await store().getBudget(budget.accountId, "marketing")).toBeUndefined();
  });
}
