import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RawReply } from "#local/heygen-sandbox";
import type { LocalStack } from "#local/stack";
import { BalanceReader } from "#service/balance-reader";
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

/**
 * Field case G8 (test/fixtures/field-cases/heygen-2026-12.json): one live account's API-key Video Agent renders
 * drew plan credits (v2 `details.plan_credit`, whole credits) while `GET /v3/users/me` showed only a 1.05 usd
 * wallet. Replayed with the sandbox in raw-reply mode through the whole local stack (refresh -> poll ->
 * DynamoDB Local -> fauxqs -> checks and holds), with the account's `spendPool` set and unset, plus one more
 * instance of the kind: pools chosen per job type.
 */

interface G8Case {
  id: string;
  status: number;
  headers: Record<string, string>;
  body: unknown;
  expected: {
    v2_reply: { status: number; body: unknown };
    request: { body: Record<string, unknown> };
  };
}
const G8 = (
  JSON.parse(
    readFileSync(new URL("../fixtures/field-cases/heygen-2026-12.json", import.meta.url), "utf8"),
  ) as { cases: G8Case[] }
).cases.find((c) => c.id === "G8") as G8Case;

const JSON_HEADERS = { "content-type": "application/json" };
const clock = new TestClock(new Date("2026-12-02T09:00:00Z"));
let stack: LocalStack;
let inbox: AlertInbox;

/** The account's v3 and v2 replies, each as the sandbox will send it. */
function replay(accountId: string, replies: { v3?: RawReply; v2?: RawReply }) {
  for (const endpoint of ["v3", "v2"] as const) {
    const reply = replies[endpoint];
    if (reply) {
      sandboxOf(stack).setRawReplies({ apiKey: sandboxKeyOf(stack, accountId), endpoint, replies: [reply] });
    }
  }
}
const g8Replies = () => ({
  v3: { status: G8.status, headers: G8.headers, body: G8.body },
  v2: { status: G8.expected.v2_reply.status, headers: JSON_HEADERS, body: G8.expected.v2_reply.body },
});

const refresh = async (id: string) => {
  clock.advance(60);
  return (await post(stack, `/v1/accounts/${id}/refresh`)).body;
};
const account = async (id: string) => (await get(stack, `/v1/accounts/${id}`)).body;
const alertLog = async (id: string) =>
  (await get<{ alerts: Record<string, unknown>[] }>(stack, `/v1/accounts/${id}/alerts`)).body.alerts;
const callsOf = (id: string) => sandboxOf(stack).calls().byKey[sandboxKeyOf(stack, id)] ?? 0;

beforeAll(async () => {
  stack = await startTestStack({
    config: testConfig(
      [
        { id: "g8", spendPool: "plan_credit" },
        { id: "g8-default" },
        { id: "g8-wallet-chosen", spendPool: "api_wallet" },
        { id: "by-type", spendPool: "plan_credit", spendPoolByJobType: { avatar_video: "api_wallet" } },
        { id: "agent-on-plan", spendPoolByJobType: { video_agent: "plan_credit" } },
        { id: "switched", spendPool: "plan_credit" },
      ],
      { alerts: { forecastHorizonHours: 0 } },
    ),
    env: {},
    now: clock.now,
    pollIntervalSeconds: 0,
    heygenTimeoutMs: 1000,
  });
  inbox = new AlertInbox(stack);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe("G8 with spendPool plan_credit: the plan-credit pool is the balance", () => {
  it("reads v2 details.plan_credit as 1091 credits (not 18.18), without asking v3", async () => {
    replay("g8", g8Replies());
    const before = callsOf("g8");
    expect(await refresh("g8")).toMatchObject({ refreshed: true });
    expect(callsOf("g8") - before).toBe(1);

    const detail = await account("g8");
    expect(detail).toMatchObject({ unit: "credits", remaining: 1091, available: 1091, alertLevel: "ok" });
    expect(detail.latest).toMatchObject({
      source: "v2",
      spendPool: "plan_credit",
      pools: [{ name: "plan_credit", remaining: 1091, unit: "credits" }],
      otherPools: [{ name: "api", remaining: 1.05, unit: "credits", kind: "not_spent" }],
    });
    expect((detail.latest as { warnings?: string[] }).warnings).toBeUndefined();
  });

  it("no critical or exhausted alert from the 1.05 usd wallet", async () => {
    expect(await alertLog("g8")).toEqual([]);
    expect(await inbox.take("g8")).toEqual([]);
  });

  it("the check for video_agent 38 s is allowed against 1091 credits, by the plan-credit card", async () => {
    const { status, body } = await post(stack, "/v1/checks", {
      ...G8.expected.request.body,
      accountId: "g8",
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      allowed: true,
      decision: "allow",
      unit: "credits",
      required: 27,
      available: 1091,
      remainingAfter: 1064,
      estimate: { rateCard: "heygen-plan-credits-2026-09" },
    });
  });

  it("a hold of the same job takes 27 credits from the plan-credit pool", async () => {
    const held = await post<{ id: string; amount: number; unit: string }>(stack, "/v1/reservations", {
      accountId: "g8",
      type: "video_agent",
      durationSeconds: 38,
    });
    expect(held.status).toBe(201);
    expect(held.body).toMatchObject({ amount: 27, unit: "credits" });
    expect(await account("g8")).toMatchObject({ reserved: 27, available: 1064 });
    await post(stack, `/v1/reservations/${held.body.id}/release`);
  });
});

describe("G8 with no pool chosen: the wallet stays the balance, and the reading says to choose", () => {
  it("records the 1.05 usd wallet with a warning naming spendPool and the 1091 plan credits", async () => {
    replay("g8-default", g8Replies());
    const before = callsOf("g8-default");
    await refresh("g8-default");
    expect(callsOf("g8-default") - before).toBe(2); // v3, then one look at v2

    const detail = await account("g8-default");
    expect(detail).toMatchObject({ unit: "usd", remaining: 1.05 });
    const warnings = (detail.latest as { warnings?: string[] }).warnings ?? [];
    expect(warnings).toEqual([expect.stringMatching(/^spendPool: /)]);
    expect(warnings[0]).toContain("1091 plan credits");
    expect(warnings[0]).toContain('"plan_credit"');
  });

  it("an account that chose the wallet is not warned, and v2 is not asked", async () => {
    replay("g8-wallet-chosen", g8Replies());
    const before = callsOf("g8-wallet-chosen");
    await refresh("g8-wallet-chosen");
    expect(callsOf("g8-wallet-chosen") - before).toBe(1);
    const detail = await account("g8-wallet-chosen");
    expect(detail).toMatchObject({ unit: "usd", remaining: 1.05 });
    expect((detail.latest as { warnings?: string[] }).warnings).toBeUndefined();
  });
});

describe("pools per job type (another instance of the kind)", () => {
  it("a plan-credit account checks its Video Agent jobs and refuses its wallet jobs, naming their type", async () => {
    replay("by-type", {
      v2: {
        status: 200,
        headers: JSON_HEADERS,
        body: { error: null, data: { remaining_quota: 600, details: { api: 600, plan_credit: 250 } } },
      },
    });
    await refresh("by-type");
    expect(await account("by-type")).toMatchObject({ unit: "credits", remaining: 250 });

    const agent = await post(stack, "/v1/checks", {
      accountId: "by-type",
      type: "video_agent",
      durationSeconds: 60,
    });
    expect(agent.body).toMatchObject({ allowed: true, required: 42, available: 250 });

    const avatar = await post(stack, "/v1/checks", { accountId: "by-type", durationSeconds: 30 });
    expect(avatar.status).toBe(422);
    expect(avatar.contentType).toContain(PROBLEM_JSON);
    expect(pointersOf(avatar.body)).toEqual(["/type"]);
    expect(String(avatar.body.detail)).toContain("spendPool");

    const mixed = await post(stack, "/v1/reservations", {
      accountId: "by-type",
      jobs: [
        { type: "video_agent", durationSeconds: 60 },
        { type: "avatar_video", durationSeconds: 30 },
      ],
    });
    expect(mixed.status).toBe(422);
    expect(pointersOf(mixed.body)).toEqual(["/jobs/1/type"]);
    expect(await account("by-type")).toMatchObject({ reserved: 0 });
  });

  it("a wallet account refuses a Video Agent hold it says draws plan credits, and holds its other jobs", async () => {
    replay("agent-on-plan", {
      v3: {
        status: 200,
        headers: JSON_HEADERS,
        body: {
          data: {
            billing_type: "wallet",
            wallet: { currency: "usd", remaining_balance: 120, auto_reload: { enabled: false } },
          },
        },
      },
    });
    await refresh("agent-on-plan");
    const agent = await post(stack, "/v1/reservations", {
      accountId: "agent-on-plan",
      type: "video_agent",
      durationSeconds: 38,
    });
    expect(agent.status).toBe(422);
    expect(pointersOf(agent.body)).toEqual(["/type"]);

    const avatar = await post<{ id: string; unit: string }>(stack, "/v1/reservations", {
      accountId: "agent-on-plan",
      durationSeconds: 30,
    });
    expect(avatar.status).toBe(201);
    expect(avatar.body.unit).toBe("usd");
    await post(stack, `/v1/reservations/${avatar.body.id}/release`);
  });
});

describe("switching an account to plan_credit", () => {
  it("reads again at once instead of judging the wallet recorded before the switch", async () => {
    replay("switched", g8Replies());
    // Recorded by a process still configured for the wallet (before the deploy that set spendPool).
    const before = testConfig([{ id: "switched" }], { alerts: { forecastHorizonHours: 0 } });
    const walletReader = new BalanceReader(servicesBeside(stack, { now: clock.now, config: before }));
    await walletReader.refreshOnce(before.accounts[0] as (typeof before.accounts)[0]);
    expect(await account("switched")).toMatchObject({ unit: "usd", remaining: 1.05 });

    clock.advance(30); // well inside maxBalanceAgeSeconds, past minRefreshIntervalSeconds
    const { status, body } = await post(stack, "/v1/checks", {
      ...G8.expected.request.body,
      accountId: "switched",
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ allowed: true, unit: "credits", available: 1091 });
    expect(await account("switched")).toMatchObject({ unit: "credits", remaining: 1091 });
  });
});
