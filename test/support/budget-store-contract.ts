import { expect, it } from "vitest";
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

export function budgetStoreContract(store: () => BudgetStore, leftOf: LeftOf) {
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

  it("deletes only at the version read and with no open hold", async () => {
    const busy = await create({ ...fresh(), openHolds: 1 });
    expect(await store().deleteBudget(busy.accountId, "marketing", busy.version)).toBe(false);
    const idle = await create(fresh());
    expect(await store().deleteBudget(idle.accountId, "marketing", idle.version + 1)).toBe(false);
    expect(await store().deleteBudget(idle.accountId, "marketing", idle.version)).toBe(true);
    expect(await store().getBudget(idle.accountId, "marketing")).toBeUndefined();
    expect(await store().deleteBudget(idle.accountId, "marketing", idle.version)).toBe(false);
  });
}
