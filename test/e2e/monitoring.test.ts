import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccountConfig } from "#config/config";
import { SANDBOX_FAULTS } from "#local/heygen-sandbox";
import type { LocalStack } from "#local/stack";
import { pollAccounts } from "#service/poll-accounts";
import {
  AlertInbox,
  get,
  PROBLEM_JSON,
  pointersOf,
  post,
  sandboxKeyOf,
  sandboxOf,
  servicesBeside,
  TestClock,
  testConfig,
} from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";

/** Balance monitoring through the whole local stack: sandbox → poller → DynamoDB/SNS → HTTP API. */

const RESETS_AT = "2026-04-01T00:00:00.000Z";
/** The reader writes times in one form: ISO UTC, without milliseconds when there are none. */
const RESETS_AT_READ = "2026-04-01T00:00:00Z";
const ACCOUNTS = [
  { id: "wallet" },
  { id: "sub" },
  { id: "usage" },
  { id: "legacy", apiVersion: "v2" },
  { id: "low", thresholds: { warning: 50, critical: 10 } },
  { id: "flaky" },
  { id: "lost" },
  { id: "dup" },
  { id: "faulty", apiVersion: "v3" },
  { id: "settles", thresholds: { warning: 50, critical: 10 } },
  { id: "blind", thresholds: { warning: 50, critical: 10 } },
];

const clock = new TestClock();
let stack: LocalStack;
let inbox: AlertInbox;

const keyOf = (id: string) => sandboxKeyOf(stack, id);
const sandbox = () => sandboxOf(stack);
/** One scheduled poll at a new tick, five minutes after the previous one: of every account, or of `accountIds`. */
const nextPoll = (...accountIds: string[]) => {
  clock.advance(300);
  return stack.pollNow(clock.tick(), accountIds.length > 0 ? accountIds : undefined);
};
const account = (id: string) => get(stack, `/v1/accounts/${id}`);
const alertLog = async (id: string) =>
  (await get<{ alerts: Record<string, unknown>[] }>(stack, `/v1/accounts/${id}/alerts`)).body.alerts;
const history = async (id: string, query = "") =>
  (await get<{ snapshots: Record<string, unknown>[] }>(stack, `/v1/accounts/${id}/history${query}`)).body
    .snapshots;
const kindsOf = (alerts: { attributes: Record<string, string> }[]) =>
  alerts.map((a) => `${a.attributes.alertType}:${a.attributes.severity}`);

beforeAll(async () => {
  stack = await startTestStack({
    config: testConfig(ACCOUNTS, {
      // Forecast and unexplained-spend alerts are off so that each test sees only the alerts it provokes (the
      // balances here fall with no commit: spend alerts have their own file, reconciliation.test.ts).
      alerts: {
        forecastHorizonHours: 0,
        degradedAfterFailures: 3,
        hysteresisPercent: 10,
        unexplainedSpend: { enabled: false },
      },
      checks: { minRefreshIntervalSeconds: 30 },
    }),
    env: {},
    now: clock.now,
    pollIntervalSeconds: 0,
    heygenTimeoutMs: 500,
  });
  inbox = new AlertInbox(stack);
  const s = sandbox();
  s.setAccount({
    apiKey: keyOf("wallet"),
    billingType: "wallet",
    currency: "usd",
    balance: 120.5,
    autoReload: { enabled: true, thresholdUsd: 20, amountUsd: 100 },
  });
  s.setAccount({
    apiKey: keyOf("sub"),
    billingType: "subscription",
    plan: "pro",
    balance: 400,
    addOnCredits: 25,
    resetsAt: RESETS_AT,
  });
  s.setAccount({
    apiKey: keyOf("usage"),
    billingType: "usage_based",
    balance: 300,
    includedCredits: 500,
    spendingCapUsd: 200,
    spendingCurrentUsd: 12.5,
  });
  s.setAccount({
    apiKey: keyOf("legacy"),
    billingType: "wallet",
    balance: 60,
    pools: { streaming_avatar: 5 },
  });
  await nextPoll();
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe("normalised balances as GET /v1/accounts/{id} shows them", () => {
  it("a v3 wallet in usd", async () => {
    const { status, body } = await account("wallet");
    expect(status).toBe(200);
    expect(body).toMatchObject({ accountId: "wallet", unit: "usd", remaining: 120.5, available: 120.5 });
    expect(body.latest).toMatchObject({
      source: "v3",
      billingType: "wallet",
      unit: "usd",
      remaining: 120.5,
      autoReload: { enabled: true, thresholdUsd: 20, amountUsd: 100 },
    });
  });

  it("a v3 subscription in credits: both pools summed, each with its reset time", async () => {
    const { body } = await account("sub");
    expect(body).toMatchObject({ unit: "credits", remaining: 425 });
    expect(body.latest).toMatchObject({ source: "v3", billingType: "subscription", plan: "pro" });
    expect((body.latest as { pools: unknown[] }).pools).toEqual(
      expect.arrayContaining([
        { name: "premium_credits", remaining: 400, unit: "credits", resetsAt: RESETS_AT_READ },
        { name: "add_on_credits", remaining: 25, unit: "credits", resetsAt: RESETS_AT_READ },
      ]),
    );
  });

  it("a v3 usage-based account in credits, with its spending figures", async () => {
    const { body } = await account("usage");
    expect(body).toMatchObject({ unit: "credits", remaining: 300 });
    expect(body.latest).toMatchObject({
      billingType: "usage_based",
      spendingCapUsd: 200,
      spendingCurrentUsd: 12.5,
    });
  });

  it("a v2 account: quota ÷ 60 into credits, pools from details", async () => {
    const { body } = await account("legacy");
    expect(body).toMatchObject({ unit: "credits", remaining: 60 });
    expect(body.latest).toMatchObject({ source: "v2", billingType: "legacy_quota" });
    expect((body.latest as { pools: unknown[] }).pools).toEqual(
      expect.arrayContaining([
        { name: "api", remaining: 60, unit: "credits" },
        { name: "streaming_avatar", remaining: 5, unit: "credits" },
      ]),
    );
  });

  it("a v2 account with empty details still has its balance, and no pools", async () => {
    sandbox().setFault(keyOf("legacy"), "empty_details", { times: 1 });
    await nextPoll();
    const { body } = await account("legacy");
    expect(body).toMatchObject({ remaining: 60, consecutiveFailures: 0 });
    expect(body.latest).toMatchObject({ source: "v2", pools: [] });
  });

  it("records each snapshot at the injected clock's time", async () => {
    clock.advance(3600);
    await nextPoll();
    const { body } = await account("wallet");
    expect((body.latest as { observedAt: string }).observedAt).toBe(clock.tick());
    expect(body.balanceAgeSeconds).toBe(0);
  });

  it("a poll without an explicit tick runs on the injected clock too", async () => {
    clock.advance(3600);
    const since = clock.tick();
    await stack.pollNow();
    const [newest] = await history("wallet", `?since=${since}`);
    expect(newest?.observedAt).toBe(since);
  });

  it("GET /v1/accounts lists every configured account with its level", async () => {
    const { status, body } = await get<{ accounts: Record<string, unknown>[] }>(stack, "/v1/accounts");
    expect(status).toBe(200);
    expect(body.accounts.map((a) => a.accountId)).toEqual(ACCOUNTS.map((a) => a.id));
    expect(body.accounts.find((a) => a.accountId === "usage")).toMatchObject({
      remaining: 300,
      alertLevel: "ok",
    });
  });
});

describe("low-balance alerts", () => {
  it("warn once, remind after repeatHours, escalate at once, recover once past the hysteresis", async () => {
    const key = keyOf("low");
    sandbox().setBalance(key, 100);
    await nextPoll("low");
    expect(await inbox.take("low")).toEqual([]); // the first good poll at ok is silent

    sandbox().setBalance(key, 40);
    for (let i = 0; i < 5; i++) await nextPoll("low");
    expect(kindsOf(await inbox.take("low"))).toEqual(["low_balance:warning"]);

    clock.advance(24 * 3600);
    await nextPoll("low");
    await nextPoll("low");
    const reminders = await inbox.take("low");
    expect(kindsOf(reminders)).toEqual(["low_balance:warning"]);

    sandbox().setBalance(key, 5);
    await nextPoll("low");
    await nextPoll("low");
    expect(kindsOf(await inbox.take("low"))).toEqual(["low_balance:critical"]);

    // 54 is above the warning threshold (50) but inside the 10 % margin (55): better, not yet ok.
    sandbox().setBalance(key, 54);
    await nextPoll("low");
    await nextPoll("low");
    const eased = await inbox.take("low");
    expect(kindsOf(eased)).toEqual(["low_balance:warning"]);
    expect((await account("low")).body.alertLevel).toBe("warning");

    sandbox().setBalance(key, 56);
    for (let i = 0; i < 3; i++) await nextPoll("low");
    expect(kindsOf(await inbox.take("low"))).toEqual(["recovered:info"]);
    expect((await account("low")).body.alertLevel).toBe("ok");

    const log = await alertLog("low");
    expect(log.map((a) => `${a.alertType}:${a.level}:${a.status}`)).toEqual([
      "recovered:ok:sent",
      "low_balance:warning:sent",
      "low_balance:critical:sent",
      "low_balance:warning:sent",
      "low_balance:warning:sent",
    ]);
    expect(log[2]).toMatchObject({ previousLevel: "warning", severity: "critical", remaining: 5 });
  });

  it("three failed polls in a row send one monitor_degraded; a good poll sends monitor_recovered", async () => {
    const key = keyOf("flaky");
    sandbox().setFault(key, "server_error");
    await nextPoll("flaky");
    await nextPoll("flaky");
    expect(await inbox.take("flaky")).toEqual([]);
    await nextPoll("flaky");
    await nextPoll("flaky");
    expect(kindsOf(await inbox.take("flaky"))).toEqual(["monitor_degraded:warning"]);
    const during = (await account("flaky")).body;
    expect(during).toMatchObject({ consecutiveFailures: 4, monitorDegraded: true, alertLevel: "ok" });
    expect(during.lastFailure).toMatchObject({ code: expect.any(String) });

    sandbox().clearFaults();
    await nextPoll("flaky");
    await nextPoll("flaky");
    expect(kindsOf(await inbox.take("flaky"))).toEqual(["monitor_recovered:info"]);
    expect((await account("flaky")).body).toMatchObject({ consecutiveFailures: 0, monitorDegraded: false });
  });

  it("monitor_recovered at a still critical balance advises on the balance, not 'No action needed'", async () => {
    const key = keyOf("blind");
    sandbox().setBalance(key, 8);
    await nextPoll("blind");
    const [critical] = await inbox.take("blind");
    expect(critical?.subject).toBe("[Quota Guard] blind: HeyGen balance is critical, $8.00 left");
    sandbox().setFault(key, "server_error");
    for (let i = 0; i < 3; i++) await nextPoll("blind");
    expect(kindsOf(await inbox.take("blind"))).toEqual(["monitor_degraded:warning"]);
    sandbox().clearFaults();
    await nextPoll("blind");
    const [back] = await inbox.take("blind");
    expect(back?.subject).toBe("[Quota Guard] blind: HeyGen balance can be read again, $8.00 left");
    const texts = JSON.parse(back?.message ?? "{}") as { email: string; sms: string };
    expect(texts.email.split("\n")[0]).toBe(
      'The HeyGen balance of account "blind" can be read again: $8.00 left.',
    );
    expect(texts.email).toContain("Monitor: readings resumed; balance level critical.");
    expect(texts.email).not.toContain("No action needed");
    expect(texts.email).toContain("Top up the HeyGen wallet now");
    expect(texts.sms).not.toContain("No action needed");
  });

  it("an alert SNS refused is logged as failed and sent at the next poll", async () => {
    const lost = stack.config.accounts.find((a) => a.id === "lost") as AccountConfig;
    const warnings: string[] = [];
    const brokenPoller = servicesBeside(stack, {
      now: clock.now,
      alerts: { sns: stack.sns.sns, topicArn: `${stack.sns.topicArn}-missing` },
      log: { info() {}, warn() {}, error: (message) => warnings.push(message) },
    });
    sandbox().setBalance(keyOf("lost"), 30);
    clock.advance(300);
    await pollAccounts(brokenPoller, clock.tick(), [lost]);
    expect(await inbox.take("lost")).toEqual([]);
    expect(warnings.some((m) => m.includes("publish failed"))).toBe(true);
    expect((await alertLog("lost")).map((a) => a.status)).toEqual(["failed"]);
    expect((await account("lost")).body.alertLevel).not.toBe("warning");

    await nextPoll("lost");
    await nextPoll("lost");
    expect(kindsOf(await inbox.take("lost"))).toEqual(["low_balance:warning"]);
    expect((await alertLog("lost")).map((a) => `${a.alertType}:${a.status}`)).toEqual([
      "low_balance:sent",
      "low_balance:failed",
    ]);
  });

  it("a repeated schedule tick writes one snapshot and sends no second alert", async () => {
    sandbox().setBalance(keyOf("dup"), 20);
    const before = (await history("dup")).length;
    clock.advance(300);
    const tick = clock.tick();
    const first = await stack.pollNow(tick, ["dup"]);
    const again = await stack.pollNow(tick, ["dup"]);
    expect(first.find((r) => r.accountId === "dup")?.status).toBe("recorded");
    expect(again.find((r) => r.accountId === "dup")?.status).toBe("duplicate");
    expect(await history("dup")).toHaveLength(before + 1);
    expect(kindsOf(await inbox.take("dup"))).toEqual(["low_balance:warning"]);
  });
});

describe("HeyGen faults", () => {
  // Every fault that fails a read; `empty_details` is a valid v2 answer.
  // An empty details object is a valid v2 reply, and an overdrawn balance is a reading (field case F15).
  const FAILURES = SANDBOX_FAULTS.filter(
    (fault) => fault !== "empty_details" && fault !== "negative_balance",
  );

  it.each(FAILURES)("%s: no snapshot, the failure counted, the stack still serving", async (fault) => {
    const before = await account("faulty");
    const snapshots = (await history("faulty")).length;
    sandbox().setFault(keyOf("faulty"), fault, { delayMs: 2000, retryAfterSeconds: 0 });
    try {
      const results = await nextPoll("faulty");
      expect(results.find((r) => r.accountId === "faulty")?.status).toBe("failed");
    } finally {
      sandbox().clearFaults();
    }
    expect(await history("faulty")).toHaveLength(snapshots);
    const after = await account("faulty");
    expect(after.body.consecutiveFailures).toBe((before.body.consecutiveFailures as number) + 1);
    expect(after.body.remaining).toBe(before.body.remaining);
    expect((await get(stack, "/v1/health")).status).toBe(200);
  });

  it("the same account reads fine again once HeyGen does", async () => {
    await nextPoll("faulty");
    expect((await account("faulty")).body).toMatchObject({ consecutiveFailures: 0, remaining: 120 });
  });
});

describe("the monitoring API", () => {
  it("GET /history answers newest first and applies since, until and limit", async () => {
    for (let i = 0; i < 6; i++) await nextPoll("wallet");
    const all = await history("wallet", "?limit=1000");
    expect(all.length).toBeGreaterThan(5);
    const times = all.map((s) => Date.parse(s.observedAt as string));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    expect(await history("wallet", "?limit=2")).toEqual(all.slice(0, 2));
    const since = all[3]?.observedAt as string;
    const until = all[1]?.observedAt as string;
    const window = await history("wallet", `?since=${since}&until=${until}`);
    expect(window).toEqual(all.slice(1, 4));
  });

  it.each([
    ["limit=0", "/query/limit"],
    ["limit=1001", "/query/limit"],
    ["limit=abc", "/query/limit"],
    ["limit=1.5", "/query/limit"],
    ["since=yesterday", "/query/since"],
    ["until=2026-13-01T00:00:00Z", "/query/until"],
    ["colour=blue", "/query/colour"],
  ])("GET /history?%s → 400 naming %s", async (query, pointer) => {
    const { status, contentType, body } = await get(stack, `/v1/accounts/wallet/history?${query}`);
    expect(status).toBe(400);
    expect(contentType).toContain(PROBLEM_JSON);
    expect(pointersOf(body)).toEqual([pointer]);
  });

  it("GET /history with its range reversed → 400 naming since and until; a since in the future → 400 naming since", async () => {
    const [newer, older] = [clock.now(), new Date(clock.now().getTime() - 3600_000)];
    // Reversed by an hour (past the key range's slack, which once made DynamoDB refuse the query: a 500).
    const reversed = await get(
      stack,
      `/v1/accounts/wallet/history?since=${newer.toISOString()}&until=${older.toISOString()}`,
    );
    expect([reversed.status, pointersOf(reversed.body).sort()]).toEqual([
      400,
      ["/query/since", "/query/until"],
    ]);
    expect(reversed.contentType).toContain(PROBLEM_JSON);
    const future = new Date(clock.now().getTime() + 3600_000).toISOString();
    const ahead = await get(stack, `/v1/accounts/wallet/history?since=${future}`);
    expect([ahead.status, pointersOf(ahead.body)]).toEqual([400, ["/query/since"]]);
    // An until in the future ends the range now, and the year 9999 is a time like any other.
    for (const until of [future, "9999-12-31T23:59:59Z"]) {
      const open = await get<{ snapshots: unknown[] }>(
        stack,
        `/v1/accounts/wallet/history?since=${older.toISOString()}&until=${until}`,
      );
      expect(open.status).toBe(200);
    }
  });

  it("GET /alerts validates its limit and answers the log newest first", async () => {
    expect(pointersOf((await get(stack, "/v1/accounts/low/alerts?limit=-1")).body)).toEqual(["/query/limit"]);
    const log = (await get<{ alerts: { createdAt: string }[] }>(stack, "/v1/accounts/low/alerts?limit=2"))
      .body.alerts;
    expect(log).toHaveLength(2);
    expect(Date.parse(log[0]?.createdAt ?? "")).toBeGreaterThan(Date.parse(log[1]?.createdAt ?? ""));
  });

  it.each([
    ["GET", "/v1/accounts/nobody"],
    ["GET", "/v1/accounts/nobody/history"],
    ["GET", "/v1/accounts/nobody/alerts"],
    ["POST", "/v1/accounts/nobody/refresh"],
  ])("%s %s → 404 problem", async (method, path) => {
    const reply = method === "GET" ? await get(stack, path) : await post(stack, path);
    expect(reply.status).toBe(404);
    expect(reply.contentType).toContain(PROBLEM_JSON);
    expect(pointersOf(reply.body)).toEqual(["/path/id"]);
  });

  it("POST /refresh reads HeyGen at most once per minRefreshIntervalSeconds", async () => {
    const key = keyOf("usage");
    clock.advance(60);
    sandbox().setBalance(key, 280);
    const calls = () => sandbox().calls().byKey[key] ?? 0;
    const start = calls();

    const first = await post(stack, "/v1/accounts/usage/refresh");
    expect(first.body).toMatchObject({ refreshed: true, remaining: 280 });
    expect(calls()).toBe(start + 1);

    sandbox().setBalance(key, 270);
    clock.advance(29);
    const soon = await post(stack, "/v1/accounts/usage/refresh");
    expect(soon.status).toBe(200);
    expect(soon.body).toMatchObject({ refreshed: false, remaining: 280 });
    expect(calls()).toBe(start + 1);

    clock.advance(2);
    const later = await post(stack, "/v1/accounts/usage/refresh");
    expect(later.body).toMatchObject({ refreshed: true, remaining: 270 });
    expect(calls()).toBe(start + 2);
  });
});

describe("spend that HeyGen has charged is counted once", () => {
  // Found by a newcomer's trial: the reading that settled a committed job judged the new balance with the
  // job still counted, so a balance that had only paid for it alerted "warning" (and "exhausted" when low).
  it("the reading that shows a committed job's charge alerts on the balance alone", async () => {
    const key = keyOf("settles");
    sandbox().setAccount({ apiKey: key, billingType: "wallet", currency: "usd", balance: 75 });
    clock.advance(60);
    expect((await post(stack, "/v1/accounts/settles/refresh")).body).toMatchObject({ remaining: 75 });
    const hold = await post<{ id: string }>(stack, "/v1/reservations", { accountId: "settles", amount: 15 });
    expect(hold.status).toBe(201);
    expect((await post(stack, `/v1/reservations/${hold.body.id}/commit`)).status).toBe(200);
    await inbox.take("settles");

    clock.advance(120); // past settleSeconds (60): the next reading settles the commit
    sandbox().setBalance(key, 60); // HeyGen charged the job
    const refreshed = await post<Record<string, unknown>>(stack, "/v1/accounts/settles/refresh");
    expect(refreshed.body).toMatchObject({ remaining: 60, reserved: 0, available: 60, alertLevel: "ok" });
    expect(await inbox.take("settles")).toEqual([]);
    expect((await alertLog("settles")).filter((a) => a.alertType === "low_balance")).toEqual([]);
  });
});
