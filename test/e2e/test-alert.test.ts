import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AlertState } from "#core/account";
import type { LocalStack } from "#local/stack";
import { CustomNotificationSchema } from "#test/support/custom-notification";
import {
  AlertInbox,
  get,
  PROBLEM_JSON,
  pointersOf,
  post,
  sandboxKeyOf,
  sandboxOf,
  TestClock,
  testConfig,
} from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";

/** POST /v1/accounts/{id}/test-alert through the whole local stack: API → SNS (fauxqs) → subscribed queue. */

const clock = new TestClock();
let stack: LocalStack;
let inbox: AlertInbox;

const nextPoll = () => {
  clock.advance(300);
  return stack.pollNow(clock.tick());
};
const alertState = async (id: string): Promise<AlertState | undefined> =>
  (await stack.services.store.getAccountState(id))?.alert;

beforeAll(async () => {
  stack = await startTestStack({
    config: testConfig([{ id: "team", thresholds: { warning: 50, critical: 10 } }, { id: "unread" }], {
      alerts: { forecastHorizonHours: 0 },
    }),
    env: {},
    now: clock.now,
    pollIntervalSeconds: 0,
    heygenTimeoutMs: 500,
  });
  inbox = new AlertInbox(stack);
  const sandbox = sandboxOf(stack);
  sandbox.setBalance(sandboxKeyOf(stack, "team"), 8);
  // "unread" never answers, so it never has a balance.
  sandbox.setFault(sandboxKeyOf(stack, "unread"), "unauthorized");
  await nextPoll();
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe("a test alert", () => {
  it("reaches the subscribed queue once, marked, with every protocol's text, and changes no level", async () => {
    const [real] = await inbox.take("team");
    expect(real?.attributes).toMatchObject({ alertType: "low_balance", severity: "critical" });
    const before = await alertState("team");
    expect(before?.level).toBe("critical");

    clock.advance(60);
    const { status, body } = await post<{ alert: Record<string, unknown> }>(
      stack,
      "/v1/accounts/team/test-alert",
    );
    expect(status).toBe(200);
    expect(body.alert).toMatchObject({ accountId: "team", test: true, status: "sent", severity: "critical" });

    const delivered = await inbox.take("team");
    expect(delivered).toHaveLength(1);
    const [testAlert] = delivered;
    expect(testAlert?.subject).toMatch(/^\[Quota Guard\] TEST team: HeyGen balance is still critical/);
    expect(testAlert?.attributes).toEqual({
      accountId: "team",
      alertType: "low_balance",
      severity: "critical",
    });
    const texts = JSON.parse(testAlert?.message ?? "{}") as Record<string, string>;
    expect(Object.keys(texts).sort()).toEqual(["default", "email", "https", "sms"]);
    expect(texts.email).toMatch(/^TEST ALERT/);
    expect(texts.email).toContain("Available:  $8.00");
    expect(texts.default).toMatch(/^TEST ALERT/);
    expect(texts.sms).toMatch(/^Quota Guard TEST team: /);
    expect(texts.sms?.length).toBeLessThanOrEqual(140);
    const card = CustomNotificationSchema.parse(JSON.parse(texts.https ?? "{}"));
    expect(card.content.title).toMatch(/^TEST - /);
    expect(card.content.keywords).toEqual(expect.arrayContaining(["team", "critical", "test"]));

    expect(await alertState("team")).toEqual(before);
    const log = (await get<{ alerts: Record<string, unknown>[] }>(stack, "/v1/accounts/team/alerts")).body
      .alerts;
    expect(log[0]).toMatchObject({ test: true, status: "sent" });
    expect(log.filter((a) => a.test)).toHaveLength(1);
  });

  it("leaves the next scheduled poll as it would have been: no reminder, no recovery, no second alert", async () => {
    await nextPoll();
    expect(await inbox.take("team")).toEqual([]);
    const { body } = await get(stack, "/v1/accounts/team");
    expect(body.alertLevel).toBe("critical");
  });

  it("carries the severity asked for, which is what SMS subscriptions filter on", async () => {
    const { status } = await post(stack, "/v1/accounts/team/test-alert", { severity: "info" });
    expect(status).toBe(200);
    const [delivered] = await inbox.take("team");
    expect(delivered?.attributes.severity).toBe("info");
  });

  it("refuses a bad body with 400 naming the field, and sends nothing", async () => {
    const { status, contentType, body } = await post(stack, "/v1/accounts/team/test-alert", {
      severity: "loud",
    });
    expect([status, contentType]).toEqual([400, PROBLEM_JSON]);
    expect(pointersOf(body)).toEqual(["/severity"]);
    const unknownField = await post(stack, "/v1/accounts/team/test-alert", { dryRun: true });
    expect(unknownField.status).toBe(400);
    expect(await inbox.take("team")).toEqual([]);
  });

  it("answers 409 balance-unknown for an account never read, and 404 for an unknown one", async () => {
    const unread = await post(stack, "/v1/accounts/unread/test-alert");
    expect([unread.status, unread.body.type]).toEqual([409, expect.stringMatching(/balance-unknown$/)]);
    expect((await post(stack, "/v1/accounts/nobody/test-alert")).status).toBe(404);
    expect(await inbox.take("unread")).toEqual([]);
  });

  // Found by a newcomer's trial: the test alert read a holds map the state item does not have and
  // recomputed the level, so it showed $0 reserved and a level the account did not have.
  it("shows the account's real figures: what open holds take, and the level the policy recorded", async () => {
    const hold = await post<{ id: string }>(stack, "/v1/reservations", { accountId: "team", amount: 8 });
    expect(hold.status).toBe(201);
    const { body } = await post<{ alert: Record<string, unknown> }>(stack, "/v1/accounts/team/test-alert");
    // available 0 would be "exhausted" by the thresholds alone; the recorded level is critical.
    expect(body.alert).toMatchObject({ remaining: 8, available: 0, level: "critical" });
    const [delivered] = await inbox.take("team");
    const texts = JSON.parse(delivered?.message ?? "{}") as Record<string, string>;
    expect(texts.email).toContain("Available:  $0.00");
    expect(texts.email).toContain("$8.00");
    expect((await post(stack, `/v1/reservations/${hold.body.id}/release`)).status).toBe(200);
  });
});
