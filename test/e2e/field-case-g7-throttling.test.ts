import { readFileSync } from "node:fs";
import { StateMachine, type StateMachineDefinition } from "aws-local-stepfunctions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signHeyGenEvent } from "#core/webhook-signature";
import type { LocalStack } from "#local/stack";
import { keys } from "#store/table";
import { THROTTLE_RETRY } from "#store/throttling";
import { type ApiGatewayInvoke, invokeApi, type LocalHandlers } from "#test/support/asl";
import {
  type DynamoFault,
  dynamoFaults,
  provisionedThroughputExceeded,
  transactionCanceled,
} from "#test/support/dynamo-faults";
import {
  call,
  get,
  PROBLEM_JSON,
  post,
  sandboxKeyOf,
  sandboxOf,
  TestClock,
  testConfig,
} from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";
import { scanTable } from "#test/support/table-scan";
import { joinToText, removeTempDirs, resourceNamed, synth } from "../infra/synth.ts";

/**
 * Field case G7 (test/fixtures/field-cases/heygen-2026-12.json) through the local stack: DynamoDB cancels
 * the reserve's TransactWriteItems with a throttled item. DynamoDB Local never throttles, so the stack's
 * store sends through a wrapper (test/support/dynamo-faults.ts) that fails chosen commands with the SDK's
 * own TransactionCanceledException, built from the case's CancellationReasons, without sending them. A
 * throttle is retried inside the call (201), or answered 503 with Retry-After when it lasts, never 409; a
 * webhook delivery then answers 503 so HeyGen redelivers it; a poll fails its tick and the next one records;
 * and GatedVideoJob's Reserve, answered 503, is retried and granted.
 */

interface G7Case {
  body: { message: string; CancellationReasons: { Code: string; Message?: string }[] };
  expected: {
    request: { method: string; path: string; headers: Record<string, string>; body: { accountId: string } };
  };
}
const G7 = (
  JSON.parse(
    readFileSync(new URL("../fixtures/field-cases/heygen-2026-12.json", import.meta.url), "utf8"),
  ) as { cases: (G7Case & { id: string })[] }
).cases.find((c) => c.id === "G7") as G7Case;
const REQUEST = G7.expected.request;

/** The case's error, and its two variants: the HOLD Put throttled (its index keys), a provisioned table. */
const VARIANTS: Record<string, () => Error> = {
  "G7 [ThrottlingError, None, None]": () => transactionCanceled(G7.body.CancellationReasons, G7.body.message),
  "[None, ThrottlingError, None]": () =>
    transactionCanceled([
      { Code: "None" },
      { Code: "ThrottlingError", Message: G7.body.CancellationReasons[0]?.Message },
      { Code: "None" },
    ]),
  "[ProvisionedThroughputExceeded, None, None]": () =>
    transactionCanceled([
      {
        Code: "ProvisionedThroughputExceeded",
        Message: "The level of configured provisioned throughput for the table was exceeded.",
      },
      { Code: "None" },
      { Code: "None" },
    ]),
};

const faults = dynamoFaults();
const clock = new TestClock();
const ACCOUNTS = ["default", "g7-again", "g7-hold", "g7-provisioned", "g7-webhook", "g7-poll", "g7-sfn"];
let stack: LocalStack;
let definition: StateMachineDefinition;

beforeAll(async () => {
  const { template } = synth({ context: { exampleStateMachine: "true" } });
  const machine = resourceNamed(template, "AWS::StepFunctions::StateMachine", "GatedVideoJobStateMachine");
  definition = JSON.parse(joinToText(machine.Properties.DefinitionString)) as StateMachineDefinition;
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
  for (const id of ACCOUNTS) {
    sandboxOf(stack).setAccount({
      apiKey: sandboxKeyOf(stack, id),
      billingType: "wallet",
      currency: "usd",
      balance: 120,
    });
  }
  await stack.pollNow(clock.tick());
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  removeTempDirs();
});

const persistently = (error: () => Error, operation = "TransactWriteItems"): DynamoFault => ({
  operation,
  error,
  times: Number.POSITIVE_INFINITY,
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

describe("G7 in Step Functions: GatedVideoJob's Reserve answered 503 is retried, never InsufficientCredits", () => {
  const TASKS = ["Reserve", "Commit", "Release"] as const;

  /** Runs GatedVideoJob; Reserve's first `throttledTries` calls meet a store that throttles every write. */
  async function run(name: string, throttledTries: number) {
    const calls = { Reserve: 0, Commit: 0, Release: 0 };
    const answers: number[] = [];
    const handler = (task: (typeof TASKS)[number]) => async (input: unknown) => {
      calls[task] += 1;
      const throttled = task === "Reserve" && calls.Reserve <= throttledTries;
      if (throttled) faults.inject(persistently(VARIANTS["G7 [ThrottlingError, None, None]"] as () => Error));
      try {
        // The loopback link may drop a kept-alive connection on a loaded machine; that link is not under test
        // (API Gateway's own retries), so a request it dropped is sent once more, with the same Idempotency-Key.
        const answer = await invokeApi(stack, input as unknown as ApiGatewayInvoke).catch((error: Error) => {
          if (error.name !== "TypeError") throw error;
          return invokeApi(stack, input as unknown as ApiGatewayInvoke);
        });
        if (task === "Reserve") answers.push(answer.StatusCode);
        return answer;
      } catch (error) {
        if (task === "Reserve") answers.push(Number((error as Error).name.split(".")[1]));
        throw error;
      } finally {
        if (throttled) faults.clear();
      }
    };
    const execution = new StateMachine(definition, { validationOptions: { checkArn: false } }).run(
      { reservation: { accountId: "g7-sfn", amount: 5 }, job: {} },
      {
        context: { Execution: { Name: name } },
        overrides: {
          taskResourceLocalHandlers: Object.fromEntries(
            TASKS.map((task) => [task, handler(task)]),
          ) as unknown as LocalHandlers,
          retryIntervalOverrides: Object.fromEntries(TASKS.map((task) => [task, 0])),
        },
      },
    );
    const status = await execution.result.then(
      () => "Done",
      (error: Error) => (error.cause as Error | undefined)?.name ?? error.name,
    );
    return { status, calls, answers };
  }

  it("Reserve answered 503 once: retried, granted, committed, Done", async () => {
    const before = await account("g7-sfn");
    const result = await run("exec-g7-sfn", 1);
    // 201, or 200 when a dropped connection's request had landed: one hold either way.
    expect(result.answers[0]).toBe(503);
    expect([200, 201]).toContain(result.answers[1]);
    expect(result.answers).toHaveLength(2);
    expect(result.status).toBe("Done");
    expect(result.calls).toEqual({ Reserve: 2, Commit: 1, Release: 0 });
    expect((await account("g7-sfn")).reserved).toBe(before.reserved + 5);
  });

  it("Reserve answered 503 on every try: ReservationFailed, nothing held, never InsufficientCredits", async () => {
    const before = await account("g7-sfn");
    const result = await run("exec-g7-sfn-lasting", Number.POSITIVE_INFINITY);
    expect(result.answers.every((status) => status === 503)).toBe(true);
    expect(result.answers.length).toBeGreaterThan(1);
    expect(result.status).toBe("ReservationFailed");
    expect(result.calls.Commit + result.calls.Release).toBe(0);
    expect(await account("g7-sfn")).toEqual(before);
  });
});
