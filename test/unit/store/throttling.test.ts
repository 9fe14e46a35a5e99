import { readFileSync } from "node:fs";
import {
  ConditionalCheckFailedException,
  ProvisionedThroughputExceededException,
  TransactionCanceledException,
} from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import { describe, expect, it } from "vitest";
import { StoreThrottledError } from "#service/store-errors";
import { transactWrite } from "#store/conditional-write";
import {
  operationOf,
  retryingThrottles,
  THROTTLE_RETRY,
  type ThrottleRetryPolicy,
  throttlingCodesOf,
  withThrottleRetries,
} from "#store/throttling";
import { provisionedThroughputExceeded, transactionCanceled } from "#test/support/dynamo-faults";

/**
 * The store's throttling classifier and its retry (field case G7): a transaction cancelled for a throttled
 * item, or a throttling exception, is retried with backoff and ends as StoreThrottledError; nothing else is
 * taken for a throttle, and a throttle is never returned as a refused condition.
 */

interface G7Body {
  message: string;
  CancellationReasons: { Code: string; Message?: string }[];
}
const G7 = (
  JSON.parse(
    readFileSync(new URL("../../fixtures/field-cases/heygen-2026-12.json", import.meta.url), "utf8"),
  ) as { cases: { id: string; body: G7Body }[] }
).cases.find((c) => c.id === "G7")?.body as G7Body;

const g7 = () => transactionCanceled(G7.CancellationReasons, G7.message);
const throttledHold = () =>
  transactionCanceled([{ Code: "None" }, { Code: "ThrottlingError", Message: "GSI" }, { Code: "None" }]);
const provisioned = () =>
  transactionCanceled([{ Code: "ProvisionedThroughputExceeded" }, { Code: "None" }, { Code: "None" }]);
const sdkError = (name: string, status = 400) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });

describe("throttlingCodesOf", () => {
  it.each([
    ["G7: the state item throttled", g7, ["ThrottlingError"]],
    ["the hold's Put throttled (its index keys)", throttledHold, ["ThrottlingError"]],
    ["a provisioned table's cancellation", provisioned, ["ProvisionedThroughputExceeded"]],
    [
      "a throttle beside a refused condition",
      () => transactionCanceled([{ Code: "ConditionalCheckFailed" }, { Code: "ThrottlingError" }]),
      ["ThrottlingError"],
    ],
    [
      "ProvisionedThroughputExceededException",
      provisionedThroughputExceeded,
      ["ProvisionedThroughputExceededException"],
    ],
    ["ThrottlingException", () => sdkError("ThrottlingException"), ["ThrottlingException"]],
    ["RequestLimitExceeded", () => sdkError("RequestLimitExceeded"), ["RequestLimitExceeded"]],
    ["an HTTP 429", () => sdkError("SomethingElse", 429), ["SomethingElse"]],
  ])("%s is a throttle", (_label, make, codes) => {
    expect(throttlingCodesOf(make())).toEqual(codes);
  });

  it.each([
    [
      "a refused condition",
      () => transactionCanceled([{ Code: "ConditionalCheckFailed" }, { Code: "None" }, { Code: "None" }]),
    ],
    [
      "a transaction conflict",
      () => transactionCanceled([{ Code: "TransactionConflict" }, { Code: "None" }]),
    ],
    [
      "a single refused condition",
      () => new ConditionalCheckFailedException({ message: "The conditional request failed", $metadata: {} }),
    ],
    ["a validation error", () => sdkError("ValidationException")],
    ["a DynamoDB 500", () => sdkError("InternalServerError", 500)],
    ["a plain error", () => new Error("socket hang up")],
    ["not an error", () => "ThrottlingException" as unknown as Error],
  ])("%s is not a throttle", (_label, make) => {
    expect(throttlingCodesOf(make())).toEqual([]);
  });

  it("reads the SDK's own exception classes", () => {
    expect(g7()).toBeInstanceOf(TransactionCanceledException);
    expect(provisionedThroughputExceeded()).toBeInstanceOf(ProvisionedThroughputExceededException);
  });
});

/** A policy that records its waits instead of waiting, with the jitter at its top. */
function recording(overrides: Partial<ThrottleRetryPolicy> = {}) {
  const waits: number[] = [];
  const policy: ThrottleRetryPolicy = {
    ...THROTTLE_RETRY,
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 0.999,
    ...overrides,
  };
  return { policy, waits };
}

/** A send that fails with `errors` in turn, then answers `ok`. */
function failing(...errors: Error[]) {
  let calls = 0;
  const send = async () => {
    calls += 1;
    const error = errors.shift();
    if (error) throw error;
    return "ok";
  };
  return { send, calls: () => calls };
}

describe("retryingThrottles", () => {
  it("a throttle once: retried after a short wait, and answered", async () => {
    const { policy, waits } = recording();
    const { send, calls } = failing(g7());
    await expect(retryingThrottles("TransactWriteItems", send, policy)).resolves.toBe("ok");
    expect(calls()).toBe(2);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(THROTTLE_RETRY.baseDelayMs / 2);
    expect(waits[0]).toBeLessThanOrEqual(THROTTLE_RETRY.baseDelayMs);
  });

  it("a lasting throttle: every attempt, doubling waits, then StoreThrottledError with the codes and cause", async () => {
    const { policy, waits } = recording();
    const errors = Array.from({ length: THROTTLE_RETRY.attempts }, g7);
    const { send, calls } = failing(...errors);
    const error = await retryingThrottles("TransactWriteItems", send, policy).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreThrottledError);
    expect(error).toMatchObject({
      operation: "TransactWriteItems",
      codes: ["ThrottlingError"],
      attempts: THROTTLE_RETRY.attempts,
      retryAfterSeconds: THROTTLE_RETRY.retryAfterSeconds,
    });
    expect((error as Error).cause).toBe(errors.at(-1));
    expect(calls()).toBe(THROTTLE_RETRY.attempts);
    expect(waits).toEqual([50, 100, 200, 400]);
    // Bounded far inside the API function's 10 s timeout.
    expect(waits.reduce((a, b) => a + b, 0)).toBeLessThan(1_000);
  });

  it("the jitter keeps every wait between half its ceiling and its ceiling", async () => {
    const { policy, waits } = recording({ random: () => 0 });
    const { send } = failing(...Array.from({ length: THROTTLE_RETRY.attempts }, g7));
    await expect(retryingThrottles("TransactWriteItems", send, policy)).rejects.toThrow(StoreThrottledError);
    expect(waits).toEqual([25, 50, 100, 200]);
  });

  it("no retry starts past the time budget", async () => {
    const { policy, waits } = recording({ budgetMs: 0 });
    const { send, calls } = failing(provisionedThroughputExceeded(), provisionedThroughputExceeded());
    await expect(retryingThrottles("UpdateItem", send, policy)).rejects.toMatchObject({
      name: "StoreThrottledError",
      attempts: 1,
      codes: ["ProvisionedThroughputExceededException"],
    });
    expect(calls()).toBe(1);
    expect(waits).toEqual([]);
  });

  it("anything else is thrown at once, unretried", async () => {
    const { policy, waits } = recording();
    const refused = transactionCanceled([{ Code: "ConditionalCheckFailed" }]);
    const { send, calls } = failing(refused);
    await expect(retryingThrottles("TransactWriteItems", send, policy)).rejects.toBe(refused);
    expect(calls()).toBe(1);
    expect(waits).toEqual([]);
  });
});

describe("the store's document client", () => {
  it("names the DynamoDB operation of a command", () => {
    expect(operationOf(new TransactWriteCommand({ TransactItems: [] }))).toBe("TransactWriteItems");
    expect(operationOf(new GetCommand({ TableName: "t", Key: {} }))).toBe("GetItem");
  });

  it("withThrottleRetries retries a throttled send and keeps the client's other members", async () => {
    const errors: Error[] = [throttledHold()];
    const doc = {
      marker: 7,
      async send() {
        const error = errors.shift();
        if (error) throw error;
        return { ok: true };
      },
    } as unknown as DynamoDBDocumentClient;
    const wrapped = withThrottleRetries(doc, recording().policy);
    await expect(wrapped.send(new TransactWriteCommand({ TransactItems: [] }))).resolves.toEqual({
      ok: true,
    });
    expect((wrapped as unknown as { marker: number }).marker).toBe(7);
  });

  it("transactWrite never answers a throttled cancellation as refused conditions", async () => {
    for (const make of [g7, throttledHold, provisioned]) {
      const doc = {
        send: async () => {
          throw make();
        },
      } as unknown as DynamoDBDocumentClient;
      await expect(transactWrite(doc, [])).rejects.toBeInstanceOf(StoreThrottledError);
    }
  });
});
