import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#local/stack";
import {
  AlertInbox,
  call,
  type DeliveredAlert,
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

/**
 * A budget's alerts and kill switch through the local stack (docs/budgets.md, docs/alerts.md): SNS is the
 * stack's embedded one. Reserving through a budget is another change's; until it lands, the budget's use is
 * written here through the stack's own store port (saveBudget, as a restart of its counters), which is the
 * item a reserve and its commit would have moved — what the poller reads is the same.
 */

const clock = new TestClock(new Date("2026-12-03T08:00:00Z"));
let stack: LocalStack;
let inbox: AlertInbox;
type Json = Record<string, unknown>;
const BUDGET = "/v1/accounts/studio/budgets/marketing";

async function useBudget(committed: number) {
  const store = stack.services.store;
  const stored = await store.getBudget("studio", "marketing");
  if (stored === undefined) throw new Error("no budget");
  const written = await store.saveBudget(
    { ...stored, committed, version: stored.version + 1 },
    { expectedVersion: stored.version, restarted: true, leftDelta: 0 },
  );
  expect(written).toBe(true);
}

async function budgetAlertsOfPoll(): Promise<DeliveredAlert[]> {
  // A tick of its own: a tick already polled is a duplicate, which reads nothing.
  clock.advance(1);
  await stack.pollNow(clock.tick(), ["studio"]);
  return (await inbox.take("studio")).filter((told) => told.subject?.includes("budget marketing"));
}

beforeAll(async () => {
  stack = await startTestStack({
    config: testConfig([{ id: "studio" }], { alerts: { repeatHours: { warning: 6, critical: 2 } } }),
    env: {},
    now: clock.now,
    pollIntervalSeconds: 0,
  });
  sandboxOf(stack).setAccount({
    apiKey: sandboxKeyOf(stack, "studio"),
    billingType: "wallet",
    currency: "usd",
    balance: 1000,
  });
  await stack.pollNow(clock.tick());
  inbox = new AlertInbox(stack);
  await inbox.take("studio");
  // A total budget: no period end, so no run-out forecast beside the level alerts.
  expect((await call(stack, "PUT", BUDGET, { json: { limit: 100, period: "total" } })).status).toBe(201);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe("a budget's alerts", () => {
  it("a budget at 80 % alerts once through SNS, naming the budget, and the alert log keeps it", async () => {
    await useBudget(80);
    const [told, ...more] = await budgetAlertsOfPoll();
    expect(more).toEqual([]);
    expect(told?.subject).toBe(
      "[Quota Guard] studio: budget marketing is low (warning level), 80 of 100 used (80%)",
    );
    expect(told?.attributes).toMatchObject({ alertType: "budget_usage", severity: "warning" });
    const [logged] = (await get<{ alerts: Json[] }>(stack, "/v1/accounts/studio/alerts?limit=1")).body.alerts;
    expect(logged).toMatchObject({
      alertType: "budget_usage",
      level: "warning",
      status: "sent",
      budget: { id: "marketing", used: 80, limit: 100, percentUsed: 80 },
    });
    clock.advance(60);
    expect(await budgetAlertsOfPoll()).toEqual([]);
  });

  it("reminds after alerts.repeatHours at the same level, not before", async () => {
    clock.advance(5 * 3600);
    expect(await budgetAlertsOfPoll()).toEqual([]);
    clock.advance(3600);
    const [reminder] = await budgetAlertsOfPoll();
    expect(reminder?.subject).toContain("budget marketing is still low (warning level)");
  });

  it("a settings change keeps what was told: a lower limit under the same use escalates, once", async () => {
    const lowered = await call<Json>(stack, "PUT", BUDGET, { json: { limit: 82, period: "total" } });
    expect(lowered.body).toMatchObject({ committed: 80, available: 2 });
    const [told] = await budgetAlertsOfPoll();
    expect(told?.attributes).toMatchObject({ alertType: "budget_usage", severity: "critical" });
    expect(told?.subject).toContain("budget marketing is critical");
    expect(await budgetAlertsOfPoll()).toEqual([]);
  });

  it("refuses alert percentages out of order, naming the field, and keeps the budget whole", async () => {
    const refused = await call<Json>(stack, "PUT", BUDGET, {
      json: { limit: 50, period: "total", alertPercents: { warning: 90, critical: 80 } },
    });
    expect([refused.status, refused.headers.get("content-type")]).toEqual([400, PROBLEM_JSON]);
    expect(pointersOf(refused.body)).toEqual(["/alertPercents/critical"]);
    expect((await get<Json>(stack, BUDGET)).body).toMatchObject({
      limit: 82,
      alertPercents: { warning: 80, critical: 95 },
    });
  });
});

describe("a budget's kill switch", () => {
  it("pause answers the budget paused, alerts at once and is audited; resume too", async () => {
    // A second apart: audit entries of one millisecond list in no set order.
    clock.advance(1);
    const paused = await post<Json>(stack, `${BUDGET}/pause`, { reason: "runaway batch 7" });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ id: "marketing", paused: true, pauseReason: "runaway batch 7" });
    expect((await get<Json>(stack, BUDGET)).body).toMatchObject({
      paused: true,
      pausedBy: expect.any(String),
    });
    const [told] = await inbox.take("studio");
    expect(told?.attributes).toMatchObject({ alertType: "paused", severity: "warning" });
    expect(told?.subject).toBe(
      "[Quota Guard] studio: budget marketing is paused in Quota Guard: runaway batch 7",
    );
    // The account itself is not paused.
    expect((await get<Json>(stack, "/v1/accounts/studio")).body.paused).toBeFalsy();

    clock.advance(1);
    const resumed = await post<Json>(stack, `${BUDGET}/resume`, {});
    expect([resumed.status, resumed.body.paused]).toEqual([200, false]);
    const [toldResumed] = await inbox.take("studio");
    expect(toldResumed?.attributes).toMatchObject({ alertType: "resumed", severity: "info" });

    const { entries } = (await get<{ entries: Json[] }>(stack, "/v1/accounts/studio/audit?limit=2")).body;
    expect(entries.map((e) => [e.action, e.target])).toEqual([
      ["resumed", "budget:marketing"],
      ["paused", "budget:marketing"],
    ]);
    expect(entries[1]).toMatchObject({ after: { reason: "runaway batch 7" }, by: expect.any(String) });
  });

  it("a pause of an unknown budget is 404 naming it, and a resume with a body field is 400; neither writes", async () => {
    const before = (await get<{ entries: Json[] }>(stack, "/v1/accounts/studio/audit")).body.entries.length;
    const unknown = await post<Json>(stack, "/v1/accounts/studio/budgets/nobody/pause", { reason: "x" });
    expect([unknown.status, unknown.headers.get("content-type")]).toEqual([404, PROBLEM_JSON]);
    expect(JSON.stringify(unknown.body)).toContain("nobody");
    const extra = await post<Json>(stack, `${BUDGET}/resume`, { force: true });
    expect(extra.status).toBe(400);
    expect(pointersOf(extra.body)).toEqual(["/force"]);
    const after = (await get<{ entries: Json[] }>(stack, "/v1/accounts/studio/audit")).body.entries.length;
    expect(after).toBe(before);
  });
});
