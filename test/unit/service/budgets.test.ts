import { describe, expect, it } from "vitest";
import { parseConfig } from "#config/config";
import { type BudgetSettings, newBudget } from "#core/budget";
import { deleteBudget, getBudget, setBudget } from "#service/budgets";
import { BudgetInUseError, UnknownAccountError, UnknownBudgetError } from "#service/errors";
import { FakeBalanceSource, NOW } from "./fakes.ts";
import { MemoryAccountStore, servicesOf } from "./memory-account-store.ts";

/** The budget use cases over the in-memory store (its contract is test/support/budget-store-contract.ts). */

const config = parseConfig({ accounts: [{ id: "studio" }] });
const OPS = "arn:aws:iam::123456789012:user/ops";
const DAILY: BudgetSettings = { limit: 25, period: "day", timeZone: "UTC", mode: "hard" };

function setup() {
  const store = new MemoryAccountStore();
  return { store, services: servicesOf(config, store, new FakeBalanceSource(100)) };
}

describe("setBudget", () => {
  it("creates, then answers an unchanged PUT without writing, then changes keeping the period's counters", async () => {
    const { store, services } = setup();
    expect(await setBudget(services, "studio", "marketing", DAILY, OPS)).toMatchObject({
      created: true,
      view: { limit: 25, available: 25 },
    });
    const stored = await store.getBudget("studio", "marketing");
    await store.saveBudget(
      { ...(stored as NonNullable<typeof stored>), held: 5, committed: 3 },
      { expectedVersion: 1, restarted: true, leftDelta: 0 },
    );
    const unchanged = await setBudget(services, "studio", "marketing", DAILY, OPS);
    expect(unchanged).toMatchObject({ created: false, view: { held: 5, committed: 3, available: 17 } });
    expect((await store.getBudget("studio", "marketing"))?.version).toBe(1);
    const raised = await setBudget(services, "studio", "marketing", { ...DAILY, limit: 40 }, OPS);
    expect(raised.view).toMatchObject({ limit: 40, held: 5, committed: 3, available: 32 });
    expect(store.budgets.items.get("studio/marketing")?.left).toBe(32);
  });

  it("a period change that starts another period restarts the counters", async () => {
    const { store, services } = setup();
    await store.saveBudget(
      { ...newBudget("studio", "marketing", DAILY, NOW), held: 5 },
      { expectedVersion: 0, restarted: true, leftDelta: 0 },
    );
    const hourly = await setBudget(services, "studio", "marketing", { ...DAILY, period: "hour" }, OPS);
    expect(hourly.view).toMatchObject({ period: "hour", held: 0, available: 25 });
  });

  it("refuses an account the config does not have", async () => {
    const { services } = setup();
    await expect(setBudget(services, "nobody", "x", DAILY, OPS)).rejects.toBeInstanceOf(UnknownAccountError);
  });
});

describe("deleteBudget", () => {
  it("refuses while holds are open through it, naming how many, and keeps it", async () => {
    const { store, services } = setup();
    await store.saveBudget(
      { ...newBudget("studio", "marketing", DAILY, NOW), openHolds: 2 },
      { expectedVersion: 0, restarted: true, leftDelta: 0 },
    );
    const refused = deleteBudget(services, "studio", "marketing", OPS);
    await expect(refused).rejects.toBeInstanceOf(BudgetInUseError);
    await expect(refused).rejects.toThrow(/2 open holds/);
    expect(await getBudget(services, "studio", "marketing", OPS)).toMatchObject({ openHolds: 2 });
  });

  it("deletes an idle budget; a second delete is UnknownBudgetError", async () => {
    const { services } = setup();
    await setBudget(services, "studio", "marketing", DAILY, OPS);
    await deleteBudget(services, "studio", "marketing", OPS);
    await expect(deleteBudget(services, "studio", "marketing", OPS)).rejects.toBeInstanceOf(
      UnknownBudgetError,
    );
  });
});

describe("the audit of budget changes", () => {
  it("records a create and a change with who and the settings before and after; not an unchanged PUT", async () => {
    const { store, services } = setup();
    await setBudget(services, "studio", "marketing", DAILY, OPS);
    await setBudget(services, "studio", "marketing", DAILY, OPS);
    await setBudget(services, "studio", "marketing", { ...DAILY, limit: 40 }, OPS);
    expect(store.audit.map((e) => [e.action, e.by, e.before, e.after])).toEqual([
      ["budget-set", OPS, undefined, DAILY],
      ["budget-set", OPS, DAILY, { ...DAILY, limit: 40 }],
    ]);
  });

  it("a change refused for a concurrent one writes no entry; the retry on the new version writes one", async () => {
    const { store, services } = setup();
    await setBudget(services, "studio", "marketing", DAILY, OPS);
    const stale = await store.getBudget("studio", "marketing");
    const audit = {
      entry: {
        accountId: "studio",
        at: NOW.toISOString(),
        by: OPS,
        action: "budget-set" as const,
        target: "budget:marketing",
      },
      retentionDays: 30,
    };
    const write = { expectedVersion: (stale?.version ?? 0) + 1, restarted: false, leftDelta: 0 };
    expect(await store.saveBudget({ ...(stale as NonNullable<typeof stale>), limit: 1 }, write, audit)).toBe(
      false,
    );
    expect(store.audit).toHaveLength(1);
    await setBudget(services, "studio", "marketing", { ...DAILY, limit: 30 }, OPS);
    expect(store.audit).toHaveLength(2);
  });
});
