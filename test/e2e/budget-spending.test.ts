import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#local/stack";
import { call, fundWallets, get, PROBLEM_JSON, post, TestClock, testConfig } from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";

/**
 * Spending through a budget over HTTP (docs/budgets.md, issue 21's "Done means"): a budget carved from a
 * wallet grants what fits in both, refuses the rest naming the budget, moves with commits, releases and
 * expiry, and a hold counts in the period it was reserved in. Render slots, of an account and of a budget.
 */

// 23:30 on 2 December in New York: the day ends at 05:00 UTC.
const clock = new TestClock(new Date("2026-12-03T04:30:00Z"));
let stack: LocalStack;
type Json = Record<string, unknown>;
const put = (path: string, json: unknown) => call<Json>(stack, "PUT", path, { json });
const reserve = (json: Json) => post<Json>(stack, "/v1/reservations", { accountId: "studio", ...json });
const budgetOf = async (id: string) => (await get<Json>(stack, `/v1/accounts/studio/budgets/${id}`)).body;
const accountAvailable = async () => (await get<Json>(stack, "/v1/accounts/studio")).body.available as number;

beforeAll(async () => {
  stack = await startTestStack({
    config: testConfig([{ id: "studio" }, { id: "slots", maxConcurrentJobs: 2 }], {
      checks: { maxBalanceAgeSeconds: 86_400 },
    }),
    env: {},
    now: clock.now,
    pollIntervalSeconds: 0,
  });
  fundWallets(stack, ["studio", "slots"], 100);
  await stack.pollNow(clock.tick());
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe("a budget of 25 on a 100 wallet", () => {
  const held: string[] = [];

  it("grants 10 and 10, and refuses a third 10 naming the budget, its period and what is left", async () => {
    expect(
      (
        await put("/v1/accounts/studio/budgets/marketing", {
          limit: 25,
          period: "day",
          timeZone: "America/New_York",
        })
      ).status,
    ).toBe(201);
    for (const _ of [1, 2]) {
      const granted = await reserve({ amount: 10, budget: "marketing" });
      expect(granted.status).toBe(201);
      expect(granted.body).toMatchObject({ budget: "marketing", principal: expect.stringMatching(/^arn:/) });
      held.push(granted.body.id as string);
    }
    const refused = await reserve({ amount: 10, budget: "marketing" });
    expect(refused.status).toBe(409);
    expect(refused.headers.get("content-type")).toContain(PROBLEM_JSON);
    expect(refused.body).toMatchObject({
      type: expect.stringMatching(/\/problems\/budget-exhausted$/),
      budget: "marketing",
      period: "day",
      periodEnd: "2026-12-03T05:00:00.000Z",
      required: 10,
      available: 5,
      shortfall: 5,
    });
    expect(refused.body.detail).toContain('budget "marketing"');
    expect(await budgetOf("marketing")).toMatchObject({ held: 20, committed: 0, available: 5, openHolds: 2 });
    // The account holds exactly what the budget granted: nothing of the refused reserve was written.
    expect(await accountAvailable()).toBe(80);
  });

  it("a check through it says the same in words; one outside it is allowed", async () => {
    const denied = await post<Json>(stack, "/v1/checks", {
      accountId: "studio",
      amount: 10,
      budget: "marketing",
    });
    expect(denied.body).toMatchObject({
      allowed: false,
      decision: "deny",
      budget: { id: "marketing", available: 5 },
    });
    expect(denied.body.reason).toMatch(/budget "marketing" has 5 usd left this day/i);
    const outside = await post<Json>(stack, "/v1/checks", { accountId: "studio", amount: 10 });
    expect(outside.body).toMatchObject({ allowed: true, decision: "allow" });
  });

  it("the account can still reserve outside the budget", async () => {
    const outside = await reserve({ amount: 30 });
    expect(outside.status).toBe(201);
    expect(outside.body.budget).toBeUndefined();
    expect(await budgetOf("marketing")).toMatchObject({ held: 20, available: 5 });
    await post(stack, `/v1/reservations/${outside.body.id}/release`, {});
  });

  it("a commit moves the budget as the account (held to committed), a release gives back its held part", async () => {
    await post(stack, `/v1/reservations/${held[0]}/commit`, { actualAmount: 7 });
    expect(await budgetOf("marketing")).toMatchObject({ held: 10, committed: 7, available: 8, openHolds: 1 });
    await post(stack, `/v1/reservations/${held[1]}/release`, {});
    expect(await budgetOf("marketing")).toMatchObject({ held: 0, committed: 7, available: 18, openHolds: 0 });
  });

  it("a hold counts in the local day it was reserved in: after midnight in New York it frees only its slot", async () => {
    const late = await reserve({ amount: 15, budget: "marketing", ttlSeconds: 7200 });
    expect(late.status).toBe(201);
    expect(await budgetOf("marketing")).toMatchObject({ held: 15, committed: 7, available: 3 });
    clock.advance(45 * 60); // 00:15 on the 3rd in New York
    // A new day starts at nothing used, whatever the last day's hold still holds.
    expect(await budgetOf("marketing")).toMatchObject({
      periodStart: "2026-12-03T05:00:00.000Z",
      held: 0,
      committed: 0,
      available: 25,
      openHolds: 1,
    });
    const extended = await post<Json>(stack, `/v1/reservations/${late.body.id}/extend`, { amount: 20 });
    expect(extended.status).toBe(409);
    expect(extended.body).toMatchObject({
      type: expect.stringMatching(/\/problems\/budget-period-ended$/),
      budget: "marketing",
    });
    const today = await reserve({ amount: 25, budget: "marketing" });
    expect(today.status).toBe(201);
    // Yesterday's hold commits into yesterday: today's counters do not move, its slot frees.
    await post(stack, `/v1/reservations/${late.body.id}/commit`, { actualAmount: 15 });
    expect(await budgetOf("marketing")).toMatchObject({ held: 25, committed: 0, available: 0, openHolds: 1 });
    await post(stack, `/v1/reservations/${today.body.id}/release`, {});
  });

  it("an expired hold gives its budget back when the counters are corrected", async () => {
    const short = await reserve({ amount: 20, budget: "marketing", ttlSeconds: 60 });
    expect(short.status).toBe(201);
    clock.advance(120);
    // The next reserve finds the budget short, takes the expired hold out, and is granted.
    const next = await reserve({ amount: 20, budget: "marketing" });
    expect(next.status).toBe(201);
    expect(await budgetOf("marketing")).toMatchObject({ held: 20, available: 5, openHolds: 1 });
    await post(stack, `/v1/reservations/${next.body.id}/release`, {});
  });
});

describe("caps per job, render slots and the budget's kill switch", () => {
  it("maxPerJob refuses a larger hold with its own problem type", async () => {
    await put("/v1/accounts/studio/budgets/capped", { limit: 100, period: "month", maxPerJob: 5 });
    const refused = await reserve({ amount: 6, budget: "capped" });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      type: expect.stringMatching(/\/problems\/budget-max-per-job$/),
      budget: "capped",
      maxPerJob: 5,
      amount: 6,
    });
    expect((await reserve({ amount: 5, budget: "capped" })).status).toBe(201);
  });

  it("a budget's slots: the third hold of two slots is 409 no-free-slot with Retry-After", async () => {
    await put("/v1/accounts/studio/budgets/two", { limit: 100, period: "total", maxConcurrentHolds: 2 });
    const first = await reserve({ amount: 1, budget: "two" });
    await reserve({ amount: 1, budget: "two" });
    const refused = await reserve({ amount: 1, budget: "two" });
    expect(refused.status).toBe(409);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.body).toMatchObject({
      type: expect.stringMatching(/\/problems\/no-free-slot$/),
      scope: "budget",
      budget: "two",
      limit: 2,
      openHolds: 2,
    });
    const check = await post<Json>(stack, "/v1/checks", { accountId: "studio", amount: 1, budget: "two" });
    expect(check.body).toMatchObject({ allowed: false, decision: "deny" });
    expect(check.body.reason).toMatch(/render slot/);
    await post(stack, `/v1/reservations/${first.body.id}/commit`, {});
    expect((await reserve({ amount: 1, budget: "two" })).status).toBe(201);
  });

  it("an account's maxConcurrentJobs: the third open hold is refused, one frees with a release", async () => {
    const a = await post<Json>(stack, "/v1/reservations", { accountId: "slots", amount: 1 });
    await post<Json>(stack, "/v1/reservations", { accountId: "slots", amount: 1 });
    const refused = await post<Json>(stack, "/v1/reservations", { accountId: "slots", amount: 1 });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ scope: "account", account: "slots", limit: 2, openHolds: 2 });
    await post(stack, `/v1/reservations/${a.body.id}/release`, {});
    expect((await post<Json>(stack, "/v1/reservations", { accountId: "slots", amount: 1 })).status).toBe(201);
  });

  it("a paused budget refuses reserves and denies checks with its reason; resume restores them; the audit log says who", async () => {
    await put("/v1/accounts/studio/budgets/ads", { limit: 50, period: "week" });
    const kept = await reserve({ amount: 2, budget: "ads" });
    await post(stack, "/v1/accounts/studio/budgets/ads/pause", { reason: "campaign over" });
    const refused = await reserve({ amount: 1, budget: "ads" });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      type: expect.stringMatching(/\/problems\/paused$/),
      budget: "ads",
      reason: "campaign over",
    });
    const check = await post<Json>(stack, "/v1/checks", { accountId: "studio", amount: 1, budget: "ads" });
    expect(check.body.reason).toMatch(/campaign over/);
    // Settling a hold made before the pause still works.
    expect((await post(stack, `/v1/reservations/${kept.body.id}/commit`, {})).status).toBe(200);
    await post(stack, "/v1/accounts/studio/budgets/ads/resume", undefined);
    expect((await reserve({ amount: 1, budget: "ads" })).status).toBe(201);
    // The test clock stands still, and entries of one millisecond list in no set order.
    const audit = await get<{ entries: Json[] }>(stack, "/v1/accounts/studio/audit?limit=50");
    const ads = audit.body.entries.filter((entry) => entry.target === "budget:ads");
    expect(ads.map((entry) => entry.action).sort()).toEqual(["budget-set", "paused", "resumed"]);
    for (const entry of ads) expect(entry.by).toMatch(/^arn:/);
  });

  it("a budget the body names but the account lacks is 404 naming /budget", async () => {
    const refused = await reserve({ amount: 1, budget: "nope" });
    expect(refused.status).toBe(404);
    expect(JSON.stringify(refused.body)).toContain("/budget");
    const bad = await reserve({ amount: 1, budget: "Not A Budget" });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("/budget");
  });
});
