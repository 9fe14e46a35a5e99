import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#local/stack";
import { AlertInbox, get, sandboxKeyOf, sandboxOf, TestClock, testConfig } from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";

/**
 * Alerts on EventBridge and auto-reload through the whole local stack: sandbox → poller → DynamoDB → SNS
 * (fauxqs) and the loopback EventBridge (local/eventbridge-local.ts) → HTTP API's alert log.
 */

const ACCOUNTS = [
  { id: "both", thresholds: { warning: 50, critical: 10 } },
  { id: "owed", thresholds: { warning: 50, critical: 10 } },
  { id: "reload", thresholds: { warning: 5, critical: 2 } },
];

const clock = new TestClock();
let stack: LocalStack;
let inbox: AlertInbox;

const nextPoll = (accountId: string) => {
  clock.advance(300);
  return stack.pollNow(clock.tick(), [accountId]);
};
const wallet = (id: string, balance: number, autoReload?: { enabled: boolean; thresholdUsd?: number }) =>
  sandboxOf(stack).setAccount({
    apiKey: sandboxKeyOf(stack, id),
    billingType: "wallet",
    currency: "usd",
    balance,
    ...(autoReload ? { autoReload } : {}),
  });
const eventsOf = (id: string) => stack.eventBridge.events.filter((e) => e.detail.accountId === id);
const alertLog = async (id: string) =>
  (await get<{ alerts: Record<string, unknown>[] }>(stack, `/v1/accounts/${id}/alerts`)).body.alerts;
const kinds = (alerts: { attributes: Record<string, string> }[]) =>
  alerts.map((a) => `${a.attributes.alertType}:${a.attributes.severity}`);

beforeAll(async () => {
  stack = await startTestStack({
    // Balances here fall with no commit: unexplained_spend would join every alert asserted on.
    config: testConfig(ACCOUNTS, {
      alerts: { forecastHorizonHours: 0, unexplainedSpend: { enabled: false } },
    }),
    env: {},
    now: clock.now,
    pollIntervalSeconds: 0,
  });
  inbox = new AlertInbox(stack);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe("every alert is an SNS message and an EventBridge event", () => {
  it("puts the alert, as in the alert log, on the default bus", async () => {
    wallet("both", 30);
    await nextPoll("both");
    expect(kinds(await inbox.take("both"))).toEqual(["low_balance:warning"]);
    const [logged] = await alertLog("both");
    const [event] = eventsOf("both");
    expect(event).toMatchObject({
      eventBusName: "default",
      source: "quota-guard",
      detailType: "Quota Guard Alert",
    });
    const { status, ...detail } = logged ?? {};
    expect(status).toBe("sent");
    expect(event?.detail).toEqual(detail);
    expect(event?.time).toBe(logged?.createdAt);
  });
});

describe("an EventBridge refusal", () => {
  it("is put again at the next reading, to EventBridge only: one SNS message, one event, the same id", async () => {
    wallet("owed", 30);
    stack.eventBridge.refuse(1);
    const first = await nextPoll("owed");
    expect(first[0]?.alerts.map((a) => [a.alertType, a.status, a.owed])).toEqual([
      ["low_balance", "pending", ["eventbridge"]],
    ]);
    expect(kinds(await inbox.take("owed"))).toEqual(["low_balance:warning"]);
    expect(eventsOf("owed")).toEqual([]);
    expect((await alertLog("owed")).map((a) => a.status)).toEqual(["pending"]);

    const second = await nextPoll("owed");
    const id = first[0]?.alerts[0]?.id;
    expect(second[0]?.alerts.map((a) => [a.id, a.status])).toEqual([[id, "sent"]]);
    expect(await inbox.take("owed")).toEqual([]);
    expect(eventsOf("owed").map((e) => e.detail.id)).toEqual([id]);
    const log = await alertLog("owed");
    expect(log.map((a) => [a.id, a.status])).toEqual([[id, "sent"]]);

    // Nothing more is owed: a third reading puts nothing.
    await nextPoll("owed");
    expect(await inbox.take("owed")).toEqual([]);
    expect(eventsOf("owed")).toHaveLength(1);
  });
});

describe("auto-reload", () => {
  it("raises auto_reload_missed once after two readings below the threshold, cleared by a reload", async () => {
    wallet("reload", 15, { enabled: true, thresholdUsd: 20 });
    await nextPoll("reload");
    expect(await inbox.take("reload")).toEqual([]);
    await nextPoll("reload");
    const [missed] = await inbox.take("reload");
    expect(missed?.attributes).toMatchObject({ alertType: "auto_reload_missed", severity: "warning" });
    expect(missed?.subject).toContain("auto-reload did not happen");
    expect(eventsOf("reload").map((e) => e.detail.alertType)).toEqual(["auto_reload_missed"]);
    await nextPoll("reload");
    expect(await inbox.take("reload")).toEqual([]);

    // The reload comes (a rise): nothing is said, and the watch starts again.
    wallet("reload", 115, { enabled: true, thresholdUsd: 20 });
    await nextPoll("reload");
    wallet("reload", 19, { enabled: true, thresholdUsd: 20 });
    await nextPoll("reload");
    expect(await inbox.take("reload")).toEqual([]);
    await nextPoll("reload");
    expect(kinds(await inbox.take("reload"))).toEqual(["auto_reload_missed:warning"]);
  });
});
