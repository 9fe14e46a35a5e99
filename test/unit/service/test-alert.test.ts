import { describe, expect, it } from "vitest";
import { parseConfig } from "#config/config";
import { BalanceUnknownError } from "#service/errors";
import { sendTestAlert, TestAlertNotSentError, type TestAlertPorts } from "#service/test-alert";
import { FakeAccountStore, FakePublisher, NOW, onlyAccount, quietLog, snapshotOf, stateOf } from "./fakes.ts";

/** sendTestAlert against plain fakes of its ports: one marked alert published and logged, no state changed. */

const config = parseConfig({ accounts: [{ id: "acme", thresholds: { warning: 50, critical: 10 } }] });
const account = onlyAccount(config);

function ports(publisher: FakePublisher, store = new FakeAccountStore()) {
  const services: TestAlertPorts = { config, store, publisher, now: () => NOW, log: quietLog };
  return { store, services };
}

describe("sendTestAlert through its ports", () => {
  it("publishes a marked test alert about the recorded balance and logs it as sent", async () => {
    const publisher = new FakePublisher();
    const { store, services } = ports(publisher);
    store.states.set("acme", stateOf("acme", { latest: snapshotOf("acme", 30), reserved: 5 }));
    const alert = await sendTestAlert(services, account, "warning");
    expect(alert).toMatchObject({ test: true, status: "sent", severity: "warning", available: 25 });
    expect(publisher.published).toHaveLength(1);
    expect(publisher.published[0]?.context).toMatchObject({ reserved: 5, thresholds: account.thresholds });
    expect(store.alerts).toEqual([alert]);
    expect(store.ended).toEqual([]);
  });

  it("refuses before publishing when no balance was ever read", async () => {
    const publisher = new FakePublisher();
    const { store, services } = ports(publisher);
    await expect(sendTestAlert(services, account, "info")).rejects.toBeInstanceOf(BalanceUnknownError);
    expect(publisher.published).toEqual([]);
    expect(store.alerts).toEqual([]);
  });

  it("logs a refused publish as failed and raises TestAlertNotSentError", async () => {
    const { store, services } = ports(new FakePublisher(true));
    store.states.set("acme", stateOf("acme", { latest: snapshotOf("acme", 30) }));
    await expect(sendTestAlert(services, account, "critical")).rejects.toBeInstanceOf(TestAlertNotSentError);
    expect(store.alerts.map((a) => [a.status, a.error])).toEqual([["failed", "the channel refused it"]]);
  });
});
