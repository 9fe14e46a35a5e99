import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHeyGenSandbox } from "#local/heygen-sandbox";
import type { LocalStack } from "#local/stack";
import { get, post, sandboxKeyOf, sandboxOf, TestClock, testConfig } from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";

/**
 * The sandbox charges its wallet for a successful video, as HeyGen does: the job priced at its duration by the
 * card the guard prices the hold with, a short delay after the job completes (0 in the tests). Through the
 * local stack: reserve → a sandbox job → its webhook commits the hold → the next reading is lower by the
 * price → the committed part stops counting once a reading settleSeconds after the commit shows it.
 */

interface Hold {
  id: string;
  status: string;
  amount: number;
  actualAmount?: number;
  commitBasis?: string;
}

interface Account {
  remaining: number;
  reserved: number;
  available: number;
  forecast: { burnRatePerHour: number | null; exhaustsAt: string | null } | null;
}

// The readings span the forecast's 30 minutes and end at the real time, where the sandbox's webhook
// timestamps are (the guard allows 5 minutes either way).
const clock = new TestClock(new Date(Date.now() - 31 * 60_000));
let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack({
    config: testConfig([{ id: "spend" }, { id: "failing" }, { id: "twin", rateCard: "heygen-payg-2026" }], {
      checks: { maxBalanceAgeSeconds: 86_400, minRefreshIntervalSeconds: 0 },
    }),
    env: {},
    now: clock.now,
    pollIntervalSeconds: 0,
  });
  await stack.pollNow(clock.tick());
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

const account = async (id: string) => (await get<Account>(stack, `/v1/accounts/${id}`)).body;

async function reserve(accountId: string, spec: Record<string, unknown> = {}): Promise<Hold> {
  const reply = await post<Hold>(stack, "/v1/reservations", { accountId, durationSeconds: 120, ...spec });
  expect(reply.status).toBe(201);
  return reply.body;
}

/** Starts a sandbox job for the hold; resolves once the guard answered its webhook and, on success, the wallet was charged. */
async function job(
  accountId: string,
  hold: Hold,
  outcome: "success" | "fail",
  spec?: Record<string, unknown>,
): Promise<{ price: number | null; hold: Hold }> {
  const { videoId, price } = sandboxOf(stack).createVideo({
    apiKey: sandboxKeyOf(stack, accountId),
    callbackId: hold.id,
    durationSeconds: 90,
    outcome,
    afterMs: 0,
    ...(spec ? { spec } : {}),
  });
  const started = Date.now();
  for (;;) {
    const video = sandboxOf(stack)
      .videos()
      .find((v) => v.id === videoId);
    if (video && video.deliveries.length > 0 && (outcome === "fail" || video.charged)) {
      expect(video.deliveries).toEqual([200]);
      return { price, hold: (await get<Hold>(stack, `/v1/reservations/${hold.id}`)).body };
    }
    if (Date.now() - started > 10_000) throw new Error(`job for ${hold.id} not settled and charged`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("the sandbox charges its wallet for a successful video", () => {
  it("lowers the balance at the next reading by the job's price, the price the hold commits at", async () => {
    clock.advance(31 * 60);
    await stack.pollNow(clock.tick());
    const before = await account("spend");
    expect(before).toMatchObject({ remaining: 120, reserved: 0 });
    expect(before.forecast?.burnRatePerHour).toBe(0); // 31 minutes of readings, nothing spent

    const hold = await reserve("spend");
    expect(hold.amount).toBe(6); // 120 s on the default card
    const { price, hold: committed } = await job("spend", hold, "success");
    expect(price).toBe(4.5); // 90 s at $0.05/s
    expect(committed).toMatchObject({
      status: "committed",
      actualAmount: price,
      commitBasis: "video-duration",
    });

    // The next reading shows HeyGen's charge; the committed part still counts until settleSeconds (60) have
    // passed since the commit, so the charge is counted once in `remaining` and once in `reserved` here.
    clock.advance(1);
    await stack.pollNow(clock.tick());
    expect(await account("spend")).toMatchObject({ remaining: 115.5, reserved: 4.5, available: 111 });

    // Settled: a reading 60 s after the commit no longer counts the part; the forecast has a burn rate.
    clock.advance(60);
    await stack.pollNow(clock.tick());
    const settled = await account("spend");
    expect(settled).toMatchObject({ remaining: 115.5, reserved: 0, available: 115.5 });
    expect(settled.forecast?.burnRatePerHour).toBeGreaterThan(0);
    expect(settled.forecast?.exhaustsAt).not.toBeNull();
  });

  it("charges nothing for a failed video: the hold is released, the balance unchanged", async () => {
    const hold = await reserve("failing");
    const { price, hold: released } = await job("failing", hold, "fail");
    expect([price, released.status]).toEqual([null, "released"]);
    clock.advance(61);
    await stack.pollNow(clock.tick());
    expect(await account("failing")).toMatchObject({ remaining: 120, reserved: 0, available: 120 });
    expect(
      sandboxOf(stack)
        .videos()
        .find((v) => v.callbackId === hold.id),
    ).toMatchObject({
      price: null,
      charged: false,
    });
  });

  it("prices the job by the account's card and the job's spec, as the guard prices the hold", async () => {
    const hold = await reserve("twin", { engine: "digital_twin" });
    expect(hold.amount).toBe(8.01); // 120 s at $0.0667/s, rounded up to cents
    const { price, hold: committed } = await job("twin", hold, "success", { engine: "digital_twin" });
    expect(price).toBe(6.01);
    expect(committed).toMatchObject({ status: "committed", actualAmount: 6.01 });
    clock.advance(61);
    await stack.pollNow(clock.tick());
    expect(await account("twin")).toMatchObject({ remaining: 113.99, reserved: 0 });
  });

  it("refuses (400, naming the field) a job its card cannot price", async () => {
    const reply = await fetch(`${sandboxOf(stack).url}/_sandbox/videos`, {
      method: "POST",
      body: JSON.stringify({
        apiKey: sandboxKeyOf(stack, "spend"),
        callbackId: "rsv_x",
        durationSeconds: 90,
        outcome: "success",
        spec: { engine: "no_such_engine" },
      }),
    });
    expect(reply.status).toBe(400);
    expect(((await reply.json()) as { error: string }).error).toMatch(/^spec\.engine: /);
  });
});

describe("the sandbox's charge delay", () => {
  it("leaves the balance as it was between the job's completion and the charge", async () => {
    const sandbox = await startHeyGenSandbox({ chargeDelayMs: 600_000 });
    try {
      const { videoId } = sandbox.createVideo({
        apiKey: "sandbox-key",
        callbackId: "rsv_delay",
        durationSeconds: 60,
        outcome: "success",
        deliver: false,
      });
      for (;;) {
        const video = sandbox.videos().find((v) => v.id === videoId);
        if (video?.status === "completed") {
          expect(video).toMatchObject({ price: 3, charged: false });
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      const me = await fetch(`${sandbox.url}/v3/users/me`, { headers: { "x-api-key": "sandbox-key" } });
      expect(
        ((await me.json()) as { data: { wallet: { remaining_balance: number } } }).data.wallet,
      ).toMatchObject({
        remaining_balance: 120,
      });
    } finally {
      await sandbox.close();
    }
  });
});
