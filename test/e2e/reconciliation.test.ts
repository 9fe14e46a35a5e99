import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#local/stack";
import {
  AlertInbox,
  fundWallets,
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
 * Reconciliation and estimate drift through the local stack (issue 22's done-means): HeyGen's balance falling
 * by more than the guard committed raises `unexplained_spend` once and shows in GET .../reconciliation, and a
 * webhook-priced run of 20 jobs 25 % longer than estimated raises `estimate_drift` and shows in
 * GET /v1/rate-cards/accuracy.
 */

interface Hold {
  id: string;
  status: string;
  amount: number;
  actualAmount?: number;
  commitBasis?: string;
}
type Json = Record<string, unknown>;

// The readings span the forecast's 30 minutes and end near the real time, where the sandbox's webhook
// timestamps are (the guard allows 5 minutes either way).
const clock = new TestClock(new Date(Date.now() - 32 * 60_000));
const START = clock.tick();
let stack: LocalStack;
let inbox: AlertInbox;

beforeAll(async () => {
  stack = await startTestStack({
    config: testConfig([{ id: "wallet" }, { id: "drift" }], {
      checks: { maxBalanceAgeSeconds: 86_400, minRefreshIntervalSeconds: 0 },
    }),
    env: {},
    now: clock.now,
    pollIntervalSeconds: 0,
  });
  inbox = new AlertInbox(stack);
  fundWallets(stack, ["wallet"], 100);
  fundWallets(stack, ["drift"], 1000);
  await stack.pollNow(clock.tick());
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const poll = (seconds: number) => {
  clock.advance(seconds);
  return stack.pollNow(clock.tick());
};
const typesOf = async (accountId: string) =>
  (await inbox.take(accountId)).map((delivered) => delivered.attributes.alertType);
const range = () => `from=${START}&to=${new Date(clock.now().getTime() + 1000).toISOString()}`;

/** Starts a sandbox job of `durationSeconds` for the hold; resolves once its webhook committed and it was charged. */
async function job(hold: Hold, durationSeconds: number): Promise<Hold> {
  const { videoId } = sandboxOf(stack).createVideo({
    apiKey: sandboxKeyOf(stack, "drift"),
    callbackId: hold.id,
    durationSeconds,
    outcome: "success",
    afterMs: 0,
  });
  const started = Date.now();
  for (;;) {
    const video = sandboxOf(stack)
      .videos()
      .find((v) => v.id === videoId);
    if (video && video.deliveries.length > 0 && video.charged) {
      expect(video.deliveries).toEqual([200]);
      return (await get<Hold>(stack, `/v1/reservations/${hold.id}`)).body;
    }
    if (Date.now() - started > 10_000) throw new Error(`job for ${hold.id} not settled and charged`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("reconciliation", () => {
  it("a 100 wallet with 10 committed that HeyGen shows at 80 alerts unexplained_spend once, about 10", async () => {
    await typesOf("wallet"); // the first reading's alerts, if any
    clock.advance(1);
    const hold = await post<Hold>(stack, "/v1/reservations", { accountId: "wallet", amount: 10 });
    expect(hold.status).toBe(201);
    const committed = await post<Hold>(stack, `/v1/reservations/${hold.body.id}/commit`, {
      actualAmount: 10,
    });
    expect(committed.status).toBe(200);
    // Someone else spends 10 more of the wallet: HeyGen shows 80.
    sandboxOf(stack).setBalance(sandboxKeyOf(stack, "wallet"), 80);

    await poll(31 * 60);
    expect((await typesOf("wallet")).filter((t) => t === "unexplained_spend")).toHaveLength(1);
    const reconciled = await get<Json>(stack, `/v1/accounts/wallet/reconciliation?${range()}`);
    expect(reconciled.status).toBe(200);
    expect(reconciled.body).toMatchObject({
      accountId: "wallet",
      unit: "usd",
      observed: 20,
      committed: 10,
      unexplained: 10,
      overCommitted: 0,
      startBalance: 100,
      window: { from: START, firstSnapshotAt: START, settleSeconds: 60 },
    });

    await poll(60);
    expect(await typesOf("wallet")).not.toContain("unexplained_spend");
    const log = (await get<{ alerts: Json[] }>(stack, "/v1/accounts/wallet/alerts")).body.alerts;
    const told = log.filter((a) => a.alertType === "unexplained_spend");
    expect(told).toHaveLength(1);
    expect(told[0]).toMatchObject({
      status: "sent",
      severity: "warning",
      unexplained: { observed: 20, committed: 10, unexplained: 10, threshold: 5 },
    });
  });

  it.each([
    ["from after to", `from=2026-06-02T00:00:00Z&to=2026-06-01T00:00:00Z`],
    ["a range over 92 days", "from=2026-01-01T00:00:00Z&to=2026-06-01T00:00:00Z"],
    ["a from that is no instant", "from=yesterday&to=2026-06-01T00:00:00Z"],
  ])("%s is a 400 naming /query/from, on both routes", async (_name, query) => {
    for (const path of ["/v1/accounts/wallet/reconciliation", "/v1/rate-cards/accuracy"]) {
      const refused = await get<Json>(stack, `${path}?${query}`);
      expect(refused.status, path).toBe(400);
      expect(refused.contentType).toContain(PROBLEM_JSON);
      expect(pointersOf(refused.body)).toContain("/query/from");
    }
  });
});

describe("estimate drift", () => {
  it("a webhook-priced run of 20 jobs 25 % longer than estimated raises estimate_drift once", async () => {
    for (let i = 0; i < 20; i++) {
      const hold = await post<Hold>(stack, "/v1/reservations", { accountId: "drift", durationSeconds: 60 });
      expect(hold.body.amount).toBe(3); // 60 s at $0.05/s
      expect(await job(hold.body, 75)).toMatchObject({ actualAmount: 3.75, commitBasis: "video-duration" });
    }
    await typesOf("drift");
    await poll(1);
    expect((await typesOf("drift")).filter((t) => t === "estimate_drift")).toHaveLength(1);
    const accuracy = await get<{ cards: Json[] }>(stack, `/v1/rate-cards/accuracy?${range()}`);
    expect(accuracy.status).toBe(200);
    expect(accuracy.body.cards).toEqual([
      expect.objectContaining({ jobType: "avatar_video", jobs: 20, estimated: 60, actual: 75, ratio: 1.25 }),
    ]);
    // HeyGen charged what the webhooks committed: nothing is unexplained.
    const reconciled = await get<Json>(stack, `/v1/accounts/drift/reconciliation?${range()}`);
    expect(reconciled.body).toMatchObject({ observed: 75, committed: 75, unexplained: 0 });

    await poll(60);
    expect(await typesOf("drift")).not.toContain("estimate_drift");
  });
});
