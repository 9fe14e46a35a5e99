import { describe, expect, it } from "vitest";
import { parseConfig } from "#config/config";
import type { Alert } from "#core/account";
import { type BudgetSettings, newBudget } from "#core/budget";
import { pollAccount, type ReadingPorts } from "#service/poll-account";
import type { AlertPublisher } from "#service/services";
import { FakeAccountStore, FakeBalanceSource, onlyAccount, quietLog } from "./fakes.ts";

/** A reading's budget alerts (service/budget-alerts.ts) through pollAccount, on plain fakes. */

const config = parseConfig({
  accounts: [{ id: "acme", thresholds: { warning: 50, critical: 10 } }],
  alerts: { repeatHours: { warning: 24, critical: 4 } },
});
const account = onlyAccount(config);
const TOTAL: BudgetSettings = { limit: 100, period: "total", timeZone: "UTC", mode: "hard" };
const START = new Date("2026-12-03T12:00:00Z");

/** A publisher that refuses while `refusing`, keeping what it accepted. */
class SwitchablePublisher implements AlertPublisher {
  refusing = false;
  readonly published: Alert[] = [];
  async publish(alert: Alert) {
    if (this.refusing) throw new Error("SNS refused it");
    this.published.push(alert);
    return { messageId: `m-${this.published.length}` };
  }
}

async function setup(used: number) {
  const store = new FakeAccountStore();
  const publisher = new SwitchablePublisher();
  let now = START;
  const services: ReadingPorts = {
    config,
    store,
    balanceSource: () => new FakeBalanceSource(1000),
    publisher,
    now: () => now,
    log: quietLog,
  };
  await store.budgets.saveBudget(
    { ...newBudget("acme", "marketing", TOTAL, START), committed: used },
    { expectedVersion: 0, restarted: true, leftDelta: 0 },
  );
  const poll = async (hoursLater: number) => {
    now = new Date(START.getTime() + hoursLater * 3_600_000);
    const result = await pollAccount(services, account, { tick: now.toISOString() });
    return result.alerts.filter((alert) => alert.budget !== undefined);
  };
  return { store, publisher, poll };
}

describe("budget alerts at each reading", () => {
  it("alerts a budget at 80 % once, logs it, and keeps what was told on the budget", async () => {
    const { store, publisher, poll } = await setup(80);
    expect((await poll(0)).map((a) => [a.alertType, a.level, a.status])).toEqual([
      ["budget_usage", "warning", "sent"],
    ]);
    expect(await poll(1)).toEqual([]);
    expect(publisher.published.map((a) => a.budget?.id)).toEqual(["marketing"]);
    expect(store.alerts.filter((a) => a.budget).map((a) => a.subject)).toEqual([
      "[Quota Guard] acme: budget marketing is low (warning level), 80 of 100 used (80%)",
    ]);
    expect((await store.budgets.getBudget("acme", "marketing"))?.alertState).toMatchObject({
      level: "warning",
      levelNotifiedAt: START.toISOString(),
    });
  });

  it("retries a refused publish at the next reading, and sends it only once", async () => {
    const { publisher, poll, store } = await setup(96);
    publisher.refusing = true;
    expect((await poll(0)).map((a) => a.status)).toEqual(["failed"]);
    expect((await store.budgets.getBudget("acme", "marketing"))?.alertState).toBeUndefined();
    publisher.refusing = false;
    expect((await poll(0.1)).map((a) => [a.level, a.status])).toEqual([["critical", "sent"]]);
    expect(await poll(0.2)).toEqual([]);
    expect(publisher.published.filter((a) => a.budget).map((a) => a.level)).toEqual(["critical"]);
  });

  it("reminds after repeatHours, and tells the recovery when the use drops back", async () => {
    const { store, poll } = await setup(80);
    await poll(0);
    expect(await poll(23)).toEqual([]);
    expect((await poll(24)).map((a) => [a.alertType, a.previousLevel])).toEqual([
      ["budget_usage", "warning"],
    ]);
    const stored = await store.budgets.getBudget("acme", "marketing");
    await store.budgets.saveBudget(
      { ...(stored as NonNullable<typeof stored>), committed: 10 },
      { expectedVersion: 1, restarted: true, leftDelta: 0 },
    );
    expect((await poll(25)).map((a) => [a.alertType, a.level, a.severity])).toEqual([
      ["budget_recovered", "ok", "info"],
    ]);
  });
});
