import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#local/stack";
import { startTestStack } from "#test/support/local-stack";
import { measureDynamoDbCalls } from "../../bench/dynamodb-calls.ts";

/**
 * The performance contract (docs/performance.md) as call counts, not timings: a check on a fresh balance is one read;
 * a reserve (balance unit already known to the process) is one transaction; a commit and a release read the
 * hold and write one transaction (docs/reservations.md states the capacity each consumes).
 */
describe("DynamoDB calls per operation", () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await startTestStack({ env: {} });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it("meet the contract: check 1 read; reserve 1 transaction; commit and release 1 read + 1 transaction", async () => {
    const calls = await measureDynamoDbCalls(stack, "default");
    const byOperation = Object.fromEntries(calls.map((c) => [c.operation, c.measured]));
    expect(byOperation.check).toEqual({ GetItemCommand: 1 });
    expect(byOperation.reserve).toEqual({ TransactWriteItemsCommand: 1 });
    expect(byOperation.commit).toEqual({ GetItemCommand: 1, TransactWriteItemsCommand: 1 });
    expect(byOperation.release).toEqual({ GetItemCommand: 1, TransactWriteItemsCommand: 1 });
  });
});
