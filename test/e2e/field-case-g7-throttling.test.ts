import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signHeyGenEvent } from "#core/webhook-signature";
import type { LocalStack } from "#local/stack";
import { keys } from "#store/table";
import { THROTTLE_RETRY } from "#store/throttling";
import { dynamoFaults, provisionedThroughputExceeded } from "#test/support/dynamo-faults";
import {
  call,
  fundWallets,
  get,
  PROBLEM_JSON,
  post,
  sandboxKeyOf,
  sandboxOf,
  TestClock,
  testConfig,
} from "#test/support/e2e";
import { persistently, REQUEST, VARIANTS } from "#test/support/g7-case";
import { startTestStack } from "#test/support/local-stack";
import { scanTable } from "#test/support/table-scan";

/**
 * Field case G7 (test/fixtures/field-cases/heygen-2026-12.json) through the local stack: DynamoDB cancels
 * the reserve's TransactWriteItems with a throttled item. DynamoDB Local never throttles, so the stack's
 * store sends through a wrapper (test/support/dynamo-faults.ts) that fails chosen commands with the SDK's
 * own TransactionCanceledException, built from the case's CancellationReasons, without sending them. A
 * throttle is retried inside the call (201), or answered 503 with Retry-After when it lasts, never 409; a
 * webhook delivery then answers 503 so HeyGen redelivers it; a poll fails its tick and the next one records;
 * GatedVideoJob's Reserve, answered 503, is retried and granted (field-case-g7-step-functions.test.ts).
 */

const faults = dynamoFaults();
const clock = new TestClock();
const ACCOUNTS = ["default", "g7-again", "g7-hold", "g7-provisioned", "g7-webhook", "g7-poll", "g7-sfn"];
let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack({
    config: testConfig(
      ACCOUNTS.map((id) => ({ id })),
      { checks: { maxBalanceAgeSeconds: 90 * 86400 } },
    ),
    env: {},
    pollIntervalSeconds: 0,
    now: clock.now,
    wrapDynamo: faults.wrap,
  });
  // The case's setup: balance recorded, wallet 120 usd, nothing held.
  fundWallets(stack, ACCOUNTS, 120);
  await stack.pollNow(clock.tick());
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

/** The G7 request, for `accountId` (default: the case's own). */
const reserve = (accountId = REQUEST.body.accountId, key = REQUEST.headers["idempotency-key"] as string) =>
  post<{ id: string; amount: number; status: string; type?: string }>(
    stack,
    REQUEST.path,
    { ...REQUEST.body, accountId },
    { "idempotency-key": key },
  );

async function account(id: string) {
  const { reserved, available, remaining } = (
    await get<{ reserved: number; available: number; remaining: number }>(stack, `/v1/accounts/${id}`)
  ).body;
  return { reserved, available, remaining };
}

/** Every item of the account (the stack's table, read around the fault wrapper). */
async function itemsOf(accountId: string) {
  const items = await scanTable(stack.dynamo.doc, stack.tableName);
  return items.filter((item) => item.pk === keys.account(accountId));
}

async function heldHolds(accountId: string) {
  return (
    await get<{ reservations: { id: string }[] }>(
      stack,
      `/v1/reservations?accountId=${accountId}&status=held&limit=100`,
    )
  ).body.reservations;
}

describe("G7: a throttled reserve transaction is never a denial", () => {
  it("the case as sent: throttled once, retried inside the call, 201 with one hold", async () => {
    expect(REQUEST).toMatchObject({ method: "POST", path: "/v1/reservations" });
    const before = await account("default");
    const failedBefore = faults.failed;
    faults.inject({
      operation: "TransactWriteItems",
      error: VARIANTS["G7 [ThrottlingError, None, None]"] as () => Error,
    });
    const reply = await reserve();
    expect(faults.failed).toBe(failedBefore + 1);
    expect(reply.status).toBe(201);
    expect(reply.body.status).toBe("held");
    expect((await account("default")).reserved).toBe(before.reserved + reply.body.amount);
    expect((await heldHolds("default")).map((h) => h.id)).toEqual([reply.body.id]);
    faults.clear();
  });

  it.each([
    ["G7 [ThrottlingError, None, None]", "g7-again"],
    ["[None, ThrottlingError, None]", "g7-hold"],
    ["[ProvisionedThroughputExceeded, None, None]", "g7-provisioned"],
  ])(
    "%s throttling every try: 503 with Retry-After, nothing written; the same key later gets one hold",
    async (variant, accountId) => {
      const error = VARIANTS[variant] as () => Error;
      const before = await account(accountId);
      const itemsBefore = await itemsOf(accountId);
      const failedBefore = faults.failed;
      faults.inject(persistently(error));
      const throttled = await reserve(accountId);
      faults.clear();
      // Retried inside the call, as many times as the store's policy allows, then given up.
      expect(faults.failed - failedBefore).toBe(THROTTLE_RETRY.attempts);
      expect(throttled.status).toBe(503);
      expect(throttled.contentType).toContain(PROBLEM_JSON);
      expect(throttled.body.type).toMatch(/\/problems\/store-throttled$/);
      expect(throttled.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
      // No partial write: no hold, no key answer, counters unchanged.
      expect(await itemsOf(accountId)).toEqual(itemsBefore);
      expect(await account(accountId)).toEqual(before);
      expect(await heldHolds(accountId)).toEqual([]);

      // The pipeline's retry with the same key, throttled once more and retried inside: one hold.
      faults.inject({ operation: "TransactWriteItems", error });
      const retried = await reserve(accountId);
      expect(retried.status).toBe(201);
      const again = await reserve(accountId);
      expect(again.status).toBe(200);
      expect(again.body.id).toBe(retried.body.id);
      expect((await heldHolds(accountId)).map((h) => h.id)).toEqual([retried.body.id]);
      expect((await account(accountId)).reserved).toBe(before.reserved + retried.body.amount);
      faults.clear();
    },
  );

  it("a throttling exception on a single write is the same family: 503 store-throttled", async () => {
    const before = await account("g7-again");
    faults.inject(persistently(provisionedThroughputExceeded, "GetItem"));
    const reply = await get(stack, "/v1/reservations?accountId=g7-again&status=held&limit=1");
    const refresh = await post(stack, "/v1/accounts/g7-again/refresh");
    faults.clear();
    expect([reply.status, refresh.status]).not.toContain(409);
    expect(refresh.status).toBe(503);
    expect(refresh.body.type).toMatch(/\/problems\/store-throttled$/);
    expect(refresh.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
    expect(await account("g7-again")).toEqual(before);
  });
});

describe("G7: the webhook and the poller under a throttled store", () => {
  it("a throttled webhook delivery answers 503 (HeyGen redelivers), and the redelivery commits", async () => {
    const hold = (await reserve("g7-webhook", "exec-g7-webhook")).body;
    const raw = JSON.stringify({
      event_type: "avatar_video.success",
      event_data: { video_id: "vid_g7", callback_id: hold.id, duration: 30 },
    });
    const deliver = () =>
      call(stack, "POST", "/v1/webhooks/heygen", {
        body: raw,
        headers: {
          "content-type": "application/json",
          ...signHeyGenEvent(raw, stack.webhookSecret, clock.now().getTime() / 1000, { eventId: "evt_g7" }),
        },
      });
    faults.inject(persistently(VARIANTS["G7 [ThrottlingError, None, None]"] as () => Error));
    const throttled = await deliver();
    faults.clear();
    expect(throttled.status).toBe(503);
    expect(throttled.body.type).toMatch(/\/problems\/store-throttled$/);
    expect(throttled.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
    expect((await get<{ status: string }>(stack, `/v1/reservations/${hold.id}`)).body.status).toBe("held");

    const redelivered = await deliver();
    expect(redelivered.status).toBe(200);
    expect(redelivered.body).toMatchObject({ received: true, duplicate: false });
    expect((await get<{ status: string }>(stack, `/v1/reservations/${hold.id}`)).body.status).toBe(
      "committed",
    );
  });

  it("a throttled poll write fails the tick; the next tick records the balance, nothing lost", async () => {
    clock.advance(120);
    const held = (await reserve("g7-poll", "exec-g7-poll")).body;
    const before = await account("g7-poll");
    sandboxOf(stack).setAccount({
      apiKey: sandboxKeyOf(stack, "g7-poll"),
      billingType: "wallet",
      currency: "usd",
      balance: 110,
    });
    // The claim (the first UpdateItem) lands; the snapshot's write to the state item is throttled.
    faults.inject({
      ...persistently(provisionedThroughputExceeded, "UpdateItem"),
      matches: (input) => (input.Key as { pk?: string } | undefined)?.pk === keys.account("g7-poll"),
      after: 1,
    });
    const failed = await stack.pollNow(clock.tick());
    faults.clear();
    const mine = failed.find((r) => r.accountId === "g7-poll");
    expect(mine?.status).toBe("failed");
    expect(mine?.error?.message).toContain("throttled");
    expect(await account("g7-poll")).toEqual(before);

    // The next tick, past the failed reading's lease, reads and records; the hold still counts.
    clock.advance(120);
    const next = await stack.pollNow(clock.tick());
    expect(next.find((r) => r.accountId === "g7-poll")?.status).toBe("recorded");
    const after = await account("g7-poll");
    expect(after.remaining).toBe(110);
    expect(after.reserved).toBe(before.reserved);
    expect((await heldHolds("g7-poll")).map((h) => h.id)).toEqual([held.id]);
  });
});
