import { describe, expect, it } from "vitest";
import { parseConfig } from "#config/config";
import { pollAccount, type ReadingPorts } from "#service/poll-account";
import { SPEND_ALERTS } from "#service/spend-alerts";
import {
  FakeAccountStore,
  FakeBalanceSource,
  FakePublisher,
  NOW,
  onlyAccount,
  quietLog,
  snapshotOf,
} from "./fakes.ts";

/** pollAccount against plain fakes of its ports: what a reading reads, records and publishes. */

const config = parseConfig({ accounts: [{ id: "acme", thresholds: { warning: 50, critical: 10 } }] });
const account = onlyAccount(config);

function ports(balance: FakeBalanceSource, publisher?: FakePublisher) {
  const store = new FakeAccountStore();
  const services: ReadingPorts = {
    config,
    store,
    balanceSource: () => balance,
    ...(publisher ? { publisher } : {}),
    // As the poller's wiring sets it (runtime/wiring.ts wirePoller).
    spendAlerts: SPEND_ALERTS,
    now: () => NOW,
    log: quietLog,
  };
  return { store, services };
}

describe("pollAccount through its ports", () => {
  it("records a low balance and publishes its critical alert with the snapshot and thresholds", async () => {
    const publisher = new FakePublisher();
    const { store, services } = ports(new FakeBalanceSource(5), publisher);
    const result = await pollAccount(services, account, { tick: NOW.toISOString() });
    expect(result.status).toBe("recorded");
    expect(result.view?.available).toBe(5);
    expect(publisher.published.map((p) => p.alert.level)).toEqual(["critical"]);
    const context = publisher.published[0]?.context;
    expect(context?.snapshot?.remaining).toBe(5);
    expect(context?.thresholds).toEqual({ warning: 50, critical: 10 });
    expect(store.alerts.map((a) => a.status)).toEqual(["sent"]);
    expect(store.ended.at(-1)?.alert?.level).toBe("critical");
  });

  it("keeps the alert state where it was when the publisher refuses, so the alert is planned again", async () => {
    const { store, services } = ports(new FakeBalanceSource(5), new FakePublisher(true));
    const result = await pollAccount(services, account, { tick: NOW.toISOString() });
    expect(result.alerts.map((a) => a.status)).toEqual(["failed"]);
    expect(store.alerts.map((a) => a.error)).toEqual(["the channel refused it"]);
    expect(store.ended.at(-1)?.alert?.level).toBe("unknown");
  });

  it("counts a HeyGen failure and records no snapshot", async () => {
    const balance = new FakeBalanceSource(0, { code: "unauthorized", message: "HeyGen refused the key" });
    const { store, services } = ports(balance, new FakePublisher());
    const result = await pollAccount(services, account, { tick: NOW.toISOString() });
    expect(result).toMatchObject({ status: "failed", error: { code: "unauthorized" } });
    expect(store.snapshots).toEqual([]);
    expect(store.ended.at(-1)?.alert?.consecutiveFailures).toBe(1);
  });

  it("calls HeyGen not at all when another reading holds the claim", async () => {
    const balance = new FakeBalanceSource(100);
    const { store, services } = ports(balance, new FakePublisher());
    store.refuseClaims = true;
    const result = await pollAccount(services, account, { tick: NOW.toISOString() });
    expect(result.status).toBe("duplicate");
    expect(balance.calls).toBe(0);
    expect(store.ended).toEqual([]);
  });
});

describe("pollAccount's spend alerts", () => {
  const HOUR = 3_600_000;
  const earlier = new Date(NOW.getTime() - HOUR);

  it("raises unexplained_spend once on a 100 wallet at 80 with 10 committed, after the snapshot is recorded", async () => {
    const publisher = new FakePublisher();
    const { store, services } = ports(new FakeBalanceSource(80), publisher);
    store.snapshots.push(snapshotOf("acme", 100, earlier));
    store.spend.push({
      at: new Date(NOW.getTime() - HOUR / 2).toISOString(),
      accountId: "acme",
      reservationId: "acme_1",
      seq: 2,
      amount: 10,
      unit: "credits",
      final: true,
    });
    await pollAccount(services, account, { tick: NOW.toISOString() });
    const spend = publisher.published.filter((p) => p.alert.alertType === "unexplained_spend");
    expect(spend.map((p) => p.alert.unexplained)).toMatchObject([
      { observed: 20, committed: 10, unexplained: 10 },
    ]);
    expect(store.ended.at(-1)?.alert?.unexplainedNotifiedAt).toBe(NOW.toISOString());
    await pollAccount(services, account, { tick: new Date(NOW.getTime() + 1).toISOString() });
    expect(publisher.published.filter((p) => p.alert.alertType === "unexplained_spend")).toHaveLength(1);
  });

  it("plans no spend alert when the ledger cannot be read, and still records the reading", async () => {
    const publisher = new FakePublisher();
    const { store, services } = ports(new FakeBalanceSource(80), publisher);
    store.snapshots.push(snapshotOf("acme", 100, earlier));
    store.listSpend = async () => {
      throw new Error("the ledger is down");
    };
    const result = await pollAccount(services, account, { tick: NOW.toISOString() });
    expect(result.status).toBe("recorded");
    expect(result.alerts.map((a) => a.alertType)).not.toContain("unexplained_spend");
    expect(store.ended.at(-1)?.alert?.unexplainedNotifiedAt).toBeUndefined();
  });
});
