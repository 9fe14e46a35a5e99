import { StateMachine, type StateMachineDefinition } from "aws-local-stepfunctions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#local/stack";
import { type ApiGatewayInvoke, invokeApi, type LocalHandlers } from "#test/support/asl";
import { dynamoFaults } from "#test/support/dynamo-faults";
import { get, sandboxKeyOf, sandboxOf, TestClock, testConfig } from "#test/support/e2e";
import { persistently, VARIANTS } from "#test/support/g7-case";
import { startTestStack } from "#test/support/local-stack";
import { joinToText, removeTempDirs, resourceNamed, synth } from "../infra/synth.ts";

/**
 * Field case G7 in Step Functions (test/support/g7-case.ts): the synthesized GatedVideoJob, run by the ASL
 * interpreter against the local stack, whose store throttles Reserve's transaction. Reserve answered 503 is
 * retried and granted, or ends ReservationFailed when the throttle lasts; never InsufficientCredits.
 */

const faults = dynamoFaults();
const clock = new TestClock();
let stack: LocalStack;
let definition: StateMachineDefinition;

beforeAll(async () => {
  const { template } = synth({ context: { exampleStateMachine: "true" } });
  const machine = resourceNamed(template, "AWS::StepFunctions::StateMachine", "GatedVideoJobStateMachine");
  definition = JSON.parse(joinToText(machine.Properties.DefinitionString)) as StateMachineDefinition;
  stack = await startTestStack({
    config: testConfig([{ id: "g7-sfn" }], { checks: { maxBalanceAgeSeconds: 90 * 86400 } }),
    env: {},
    pollIntervalSeconds: 0,
    now: clock.now,
    wrapDynamo: faults.wrap,
  });
  sandboxOf(stack).setAccount({
    apiKey: sandboxKeyOf(stack, "g7-sfn"),
    billingType: "wallet",
    currency: "usd",
    balance: 120,
  });
  await stack.pollNow(clock.tick());
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  removeTempDirs();
});

async function account(id: string) {
  const { reserved, available, remaining } = (
    await get<{ reserved: number; available: number; remaining: number }>(stack, `/v1/accounts/${id}`)
  ).body;
  return { reserved, available, remaining };
}

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
