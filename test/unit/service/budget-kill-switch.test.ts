import { describe, expect, it } from "vitest";
import { parseConfig } from "#config/config";
import { type BudgetSettings, newBudget } from "#core/budget";
import { pauseBudget, resumeBudget } from "#service/budget-kill-switch";
import { UnknownAccountError, UnknownBudgetError } from "#service/errors";
import { FakeBalanceSource, FakePublisher, NOW } from "./fakes.ts";
import { MemoryAccountStore, servicesOf } from "./memory-account-store.ts";

/** A budget's kill switch (service/budget-kill-switch.ts) over the in-memory store. */

const config = parseConfig({ accounts: [{ id: "studio" }] });
const OPS = "arn:aws:iam::123456789012:user/ops";
const DAILY: BudgetSettings = { limit: 25, period: "day", timeZone: "UTC", mode: "hard" };

async function setup() {
  const store = new MemoryAccountStore();
  const publisher = new FakePublisher();
  const services = { ...servicesOf(config, store, new FakeBalanceSource(100)), publisher };
  await store.saveBudget(newBudget("studio", "marketing", DAILY, NOW), {
    expectedVersion: 0,
    restarted: true,
    leftDelta: 0,
  });
  return { store, publisher, services };
}

describe("pauseBudget and resumeBudget", () => {
  it("pause answers the budget paused, audits it and tells subscribers at once, naming the budget", async () => {
    const { store, publisher, services } = await setup();
    const view = await pauseBudget(services, "studio", "marketing", "runaway batch", OPS);
    expect(view).toMatchObject({
      id: "marketing",
      paused: true,
      pauseReason: "runaway batch",
      pausedAt: NOW.toISOString(),
      pausedBy: OPS,
    });
    expect(store.budgets.auditEntries.at(-1)).toEqual({
      accountId: "studio",
      at: NOW.toISOString(),
      by: OPS,
      action: "paused",
      target: "budget:marketing",
      after: { reason: "runaway batch", at: NOW.toISOString(), by: OPS },
    });
    const [told] = publisher.published;
    expect(told?.alert).toMatchObject({
      alertType: "paused",
      severity: "warning",
      budget: { id: "marketing" },
    });
    expect(told?.alert.subject).toBe(
      "[Quota Guard] studio: budget marketing is paused in Quota Guard: runaway batch",
    );
  });

  it("resume turns it off, audited with what it was and told as info; a resume of a running budget does nothing", async () => {
    const { store, publisher, services } = await setup();
    await pauseBudget(services, "studio", "marketing", "runaway batch", OPS);
    expect((await resumeBudget(services, "studio", "marketing", OPS)).paused).toBe(false);
    expect(store.budgets.auditEntries.at(-1)).toMatchObject({
      action: "resumed",
      target: "budget:marketing",
      before: { reason: "runaway batch" },
    });
    expect(publisher.published.at(-1)?.alert).toMatchObject({ alertType: "resumed", severity: "info" });
    const entries = store.budgets.auditEntries.length;
    expect((await resumeBudget(services, "studio", "marketing", OPS)).paused).toBe(false);
    expect(store.budgets.auditEntries.length).toBe(entries);
    expect(publisher.published).toHaveLength(2);
  });

  it("refuses an unknown budget or account, writing nothing", async () => {
    const { store, publisher, services } = await setup();
    const refusal = pauseBudget(services, "studio", "nobody", "x", OPS);
    await expect(refusal).rejects.toBeInstanceOf(UnknownBudgetError);
    await expect(refusal).rejects.toMatchObject({ budgetId: "nobody" });
    await expect(resumeBudget(services, "studio", "nobody", OPS)).rejects.toBeInstanceOf(UnknownBudgetError);
    await expect(pauseBudget(services, "elsewhere", "marketing", "x", OPS)).rejects.toBeInstanceOf(
      UnknownAccountError,
    );
    expect(store.budgets.auditEntries).toEqual([]);
    expect(publisher.published).toEqual([]);
  });

  it("the pause stands when SNS refuses its alert, which is logged as failed", async () => {
    const { store, services } = await setup();
    const refusing = { ...services, publisher: new FakePublisher(true) };
    expect((await pauseBudget(refusing, "studio", "marketing", "stop", OPS)).paused).toBe(true);
    expect(store.alerts.at(-1)).toMatchObject({ alertType: "paused", status: "failed" });
  });
});
