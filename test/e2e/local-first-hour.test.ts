import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#local/stack";
import { PROBLEM_JSON, pointersOf, post, TestClock, testConfig } from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";

/** What a newcomer meets in the local stack's first hour (issue 23, finding 10). */

const clock = new TestClock();
let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack({
    config: testConfig([{ id: "blank" }]),
    // As a .env file leaves it: the variable is there, empty. It means "unset", so the sandbox serves it.
    env: { E2E_KEY_BLANK: "" },
    now: clock.now,
    pollIntervalSeconds: 0,
  });
});

afterAll(async () => {
  await stack?.stop();
});

describe("the local stack", () => {
  it("reads an account whose key variable is empty from the sandbox, as the banner says", async () => {
    expect(stack.sandbox).toBeDefined();
    const [result] = await stack.pollNow(clock.tick());
    expect(result?.error).toBeUndefined();
    expect(result).toMatchObject({ accountId: "blank", status: "recorded", snapshot: { unit: "usd" } });
  });

  it("refuses a refresh body with a field it does not know, naming it", async () => {
    const refused = await post(stack, "/v1/accounts/blank/refresh", { force: true });
    expect(refused.status).toBe(400);
    expect(refused.contentType).toContain(PROBLEM_JSON);
    expect(pointersOf(refused.body)).toEqual(["/force"]);
    clock.advance(60);
    expect((await post(stack, "/v1/accounts/blank/refresh", {})).status).toBe(200);
    expect((await post(stack, "/v1/accounts/blank/refresh")).status).toBe(200);
  });
});
