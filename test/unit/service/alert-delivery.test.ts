import { describe, expect, it } from "vitest";
import { parseConfig } from "#config/config";
import type { Alert } from "#core/account";
import { AlertOutlets } from "#notify/alert-outlets";
import { EventBridgePublisher } from "#notify/eventbridge-publisher";
import { MAX_OWED_DAYS } from "#service/alert-delivery";
import { pollAccount, type ReadingPorts } from "#service/poll-account";
import { OutletsRefusedError } from "#service/services";
import { FakeAccountStore, FakeBalanceSource, FakePublisher, NOW, onlyAccount, quietLog } from "./fakes.ts";

/**
 * Per-outlet delivery (service/alert-delivery.ts) through pollAccount and the one fan-out publisher
 * (notify/alert-outlets.ts): SNS first, EventBridge second, each a fake that can refuse.
 */

const config = parseConfig({ accounts: [{ id: "acme", thresholds: { warning: 50, critical: 10 } }] });
const account = onlyAccount(config);

/** A fake outlet that refuses while `refusing` is set. */
class Outlet extends FakePublisher {
  refusing = false;
  override async publish(...args: Parameters<FakePublisher["publish"]>) {
    if (this.refusing) throw new Error("refused");
    return super.publish(...args);
  }
}

function reading() {
  const sns = new Outlet();
  const events = new Outlet();
  const store = new FakeAccountStore();
  const balance = new FakeBalanceSource(30);
  const clock = { minutes: 0 };
  const services: ReadingPorts = {
    config,
    store,
    balanceSource: () => balance,
    publisher: new AlertOutlets([
      { name: "sns", publisher: sns },
      { name: "eventbridge", publisher: events },
    ]),
    now: () => new Date(NOW.getTime() + clock.minutes * 60_000),
    log: quietLog,
  };
  const poll = () => {
    clock.minutes += 5;
    return pollAccount(services, account, { tick: services.now().toISOString() });
  };
  return { sns, events, store, balance, poll, clock };
}

const types = (alerts: { alert: Alert }[]) => alerts.map((p) => `${p.alert.alertType}:${p.alert.level}`);

describe("alert delivery to SNS and EventBridge", () => {
  it("sends every alert to both, with one stable id", async () => {
    const r = reading();
    const [alert] = (await r.poll()).alerts;
    expect(alert).toMatchObject({ status: "sent", id: `acme/${alert?.createdAt}/low_balance` });
    expect(types(r.sns.published)).toEqual(["low_balance:warning"]);
    expect(r.events.published.map((p) => p.alert.id)).toEqual([alert?.id]);
  });

  it("owes an alert EventBridge refused and puts it again, to EventBridge only, at the next reading", async () => {
    const r = reading();
    r.events.refusing = true;
    const first = await r.poll();
    expect(first.alerts.map((a) => [a.status, a.owed])).toEqual([["pending", ["eventbridge"]]]);
    const id = first.alerts[0]?.id ?? "";
    expect(Object.keys(r.store.states.get("acme")?.owedAlerts ?? {})).toEqual([id]);

    // Still refusing: owed again, and SNS is not told twice (the level counts as told).
    const second = await r.poll();
    expect(second.alerts.map((a) => [a.id, a.owed])).toEqual([[id, ["eventbridge"]]]);

    r.events.refusing = false;
    const third = await r.poll();
    expect(third.alerts.map((a) => [a.id, a.status])).toEqual([[id, "sent"]]);
    expect(types(r.sns.published)).toEqual(["low_balance:warning"]);
    expect(r.events.published.map((p) => p.alert.id)).toEqual([id]);
    expect(r.store.states.get("acme")?.owedAlerts).toEqual({});
    // The log entry of the alert is rewritten `sent` (the same key: one entry).
    expect(r.store.alerts.filter((a) => a.id === id).map((a) => a.status)).toEqual(["pending", "sent"]);
  });

  it(`gives up an alert EventBridge refused for ${MAX_OWED_DAYS} days: forgotten, logged failed, SNS not told again`, async () => {
    const r = reading();
    r.events.refusing = true;
    const [owed] = (await r.poll()).alerts;
    const id = owed?.id ?? "";
    r.clock.minutes += MAX_OWED_DAYS * 24 * 60;
    const later = await r.poll();
    expect(later.alerts.map((a) => a.id)).not.toContain(id);
    // (The reading's own reminder, refused too, is owed in its place.)
    expect(Object.keys(r.store.states.get("acme")?.owedAlerts ?? {})).not.toContain(id);
    expect(r.store.alerts.filter((a) => a.id === id).map((a) => a.status)).toEqual(["pending", "failed"]);
    expect(r.sns.published.filter((p) => p.alert.id === id)).toHaveLength(1);
  });

  it("sends nothing anywhere when SNS refuses, and plans the alert again for both", async () => {
    const r = reading();
    r.sns.refusing = true;
    expect((await r.poll()).alerts.map((a) => a.status)).toEqual(["failed"]);
    expect(r.events.published).toEqual([]);
    r.sns.refusing = false;
    expect((await r.poll()).alerts.map((a) => a.status)).toEqual(["sent"]);
    expect(types(r.sns.published)).toEqual(["low_balance:warning"]);
    expect(types(r.events.published)).toEqual(["low_balance:warning"]);
  });

  it("puts an owed alert again before the reading's new alerts, which still reach both", async () => {
    const r = reading();
    r.events.refusing = true;
    await r.poll();
    r.events.refusing = false;
    r.balance.remaining = 5;
    const { alerts } = await r.poll();
    expect(alerts.map((a) => `${a.level}:${a.status}`)).toEqual(["warning:sent", "critical:sent"]);
    expect(types(r.events.published)).toEqual(["low_balance:warning", "low_balance:critical"]);
    expect(types(r.sns.published)).toEqual(["low_balance:warning", "low_balance:critical"]);
  });
});

describe("AlertOutlets", () => {
  it("throws OutletsRefusedError naming the later outlets that refused, after the first accepted", async () => {
    const sns = new Outlet();
    const events = new Outlet();
    events.refusing = true;
    const outlets = new AlertOutlets([
      { name: "sns", publisher: sns },
      { name: "eventbridge", publisher: events },
    ]);
    const alert = { accountId: "acme", createdAt: NOW.toISOString() } as Alert;
    const thrown = await outlets.publish(alert, { thresholds: account.thresholds }).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(OutletsRefusedError);
    expect((thrown as OutletsRefusedError).outlets).toEqual(["eventbridge"]);
    // An owed alert put again goes to its outlets only; an outlet no longer configured owes nothing.
    events.refusing = false;
    await outlets.publish(alert, { thresholds: account.thresholds }, ["eventbridge"]);
    expect(sns.published).toHaveLength(1);
    expect(events.published).toHaveLength(1);
    await expect(
      new AlertOutlets([{ name: "sns", publisher: sns }]).publish(alert, { thresholds: account.thresholds }, [
        "eventbridge",
      ]),
    ).resolves.toEqual({ messageId: "" });
  });
});

describe("EventBridgePublisher", () => {
  const alert: Alert = {
    accountId: "acme",
    alertType: "low_balance",
    severity: "warning",
    level: "warning",
    previousLevel: "ok",
    subject: "s",
    createdAt: NOW.toISOString(),
    id: `acme/${NOW.toISOString()}/low_balance`,
    status: "pending",
    owed: ["eventbridge"],
  };
  const clientAnswering = (answer: unknown, sent: unknown[] = []) =>
    ({
      send: async (command: { input: unknown }) => {
        sent.push(command.input);
        return answer;
      },
    }) as never;

  it("puts the alert as its detail, without the delivery fields, on the configured bus", async () => {
    const sent: { Entries: Record<string, unknown>[] }[] = [];
    const publisher = new EventBridgePublisher(
      clientAnswering({ FailedEntryCount: 0, Entries: [{ EventId: "e-1" }] }, sent),
      "alerts-bus",
    );
    await expect(publisher.publish(alert)).resolves.toEqual({ messageId: "e-1" });
    const [entry] = sent[0]?.Entries ?? [];
    expect(entry).toMatchObject({
      EventBusName: "alerts-bus",
      Source: "quota-guard",
      DetailType: "Quota Guard Alert",
    });
    const { status: _s, owed: _o, ...detail } = alert;
    expect(JSON.parse(String(entry?.Detail))).toEqual(detail);
  });

  it("treats a 200 answer with FailedEntryCount > 0 as a refusal", async () => {
    const publisher = new EventBridgePublisher(
      clientAnswering({
        FailedEntryCount: 1,
        Entries: [{ ErrorCode: "ThrottlingException", ErrorMessage: "slow down" }],
      }),
      "default",
    );
    await expect(publisher.publish(alert)).rejects.toThrow(/refused .*ThrottlingException: slow down/);
  });
});
