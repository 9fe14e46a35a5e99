import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#local/stack";
import { get, post, sandboxKeyOf, sandboxOf, TestClock, testConfig } from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";

/**
 * Field case F12 (test/fixtures/field-cases/heygen-2026-11.json): a job whose video failed for lack of
 * credit releases its hold; the same Idempotency-Key re-sent within 24 h gets the released hold back, not
 * a second one (a re-fire needs a new key).
 */
const FIELD_CASES = JSON.parse(
  readFileSync(new URL("../fixtures/field-cases/heygen-2026-11.json", import.meta.url), "utf8"),
) as {
  cases: { id: string; body: { event_data: { callback_id: string } }; expected: { steps: string[] } }[];
};
const F12 = FIELD_CASES.cases.find((c) => c.id === "F12");

const clock = new TestClock();
let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack({
    config: testConfig([{ id: "f12" }], { checks: { maxBalanceAgeSeconds: 90 * 86400 } }),
    env: {},
    now: clock.now,
    pollIntervalSeconds: 0,
  });
  // Step 1: balance recorded: wallet 120 usd.
  sandboxOf(stack).setAccount({
    apiKey: sandboxKeyOf(stack, "f12"),
    billingType: "wallet",
    currency: "usd",
    balance: 120,
  });
  clock.advance(1);
  await stack.pollNow(clock.tick());
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe("field case F12: reserve, the job fails, release, poll, the same key again", () => {
  it("follows the case's steps", async () => {
    expect(F12?.expected.steps).toHaveLength(6);
    const key = { "Idempotency-Key": F12?.body.event_data.callback_id as string };
    const account = async () =>
      (await get<{ remaining: number; reserved: number; available: number }>(stack, "/v1/accounts/f12")).body;

    const held = await post<{ id: string; status: string; amount: number }>(
      stack,
      "/v1/reservations",
      { accountId: "f12", durationSeconds: 120 },
      key,
    );
    expect(held.status).toBe(201);
    expect(held.body).toMatchObject({ status: "held", amount: 6 });

    const released = await post<{ status: string }>(stack, `/v1/reservations/${held.body.id}/release`);
    expect(released.status).toBe(200);
    expect(released.body.status).toBe("released");
    expect((await account()).available).toBe(120);

    clock.advance(60);
    await stack.pollNow(clock.tick());
    expect(await account()).toMatchObject({ remaining: 120, reserved: 0, available: 120 });

    clock.advance(3600);
    const again = await post<{ id: string; status: string }>(
      stack,
      "/v1/reservations",
      { accountId: "f12", durationSeconds: 120 },
      key,
    );
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id: held.body.id, status: "released" });
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect((await account()).reserved).toBe(0);
  });
});
