import { StateMachine, type StateMachineDefinition } from "aws-local-stepfunctions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#local/stack";
import type { TaskResultSender } from "#service/services";
import { type ApiGatewayInvoke, invokeApi, type LocalHandlers, named } from "#test/support/asl";
import { get, sandboxKeyOf, sandboxOf, testConfig } from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";
import { joinToText, removeTempDirs, resourceNamed, synth } from "../infra/synth.ts";

/**
 * The synthesized GatedVideoJobWithCallback definition run by aws-local-stepfunctions against the local
 * stack. StartVideoJob (a placeholder Pass) runs as a task with the same Parameters that starts a sandbox
 * job; WaitForVideo registers its token through POST /v1/reservations/{id}/wait and then waits for what the
 * stack's webhook sends: SendTaskSuccess / SendTaskFailure reach the interpreter through `taskResults`.
 */

type Outcome = "success" | "fail" | "insufficient_credit" | "never";

/** Tokens the interpreter is waiting on, settled by the webhook's SendTask* calls. */
const waiting = new Map<string, { resolve: (output: unknown) => void; reject: (error: Error) => void }>();
/** Results sent before their token was waited on (cannot happen with the store's exactly-one-sender rule). */
const sent: { token: string; status: string }[] = [];
const taskResults: TaskResultSender = {
  async succeed(token, output) {
    sent.push({ token, status: "success" });
    waiting.get(token)?.resolve(output);
  },
  async fail(token, error, cause) {
    sent.push({ token, status: error });
    waiting.get(token)?.reject(named(error, cause));
  },
};

let stack: LocalStack;
let definition: StateMachineDefinition;
let executions = 0;

beforeAll(async () => {
  const { template } = synth({ context: { exampleStateMachine: "true" } });
  const machine = resourceNamed(
    template,
    "AWS::StepFunctions::StateMachine",
    "GatedVideoJobWithCallbackStateMachine",
  );
  definition = JSON.parse(joinToText(machine.Properties.DefinitionString)) as StateMachineDefinition;
  stack = await startTestStack({
    config: testConfig([{ id: "cb" }]),
    env: {},
    pollIntervalSeconds: 0,
    taskResults,
  });
  await stack.pollNow();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  removeTempDirs();
});

type States = Record<string, Record<string, unknown>>;

async function run(outcome: Outcome, options: { afterMs?: number; waitTimeoutSeconds?: number } = {}) {
  const ran = structuredClone(definition) as unknown as { States: States };
  const start = ran.States.StartVideoJob as Record<string, unknown>;
  // The placeholder becomes a task with the same Parameters: what the real HTTP task would send HeyGen.
  ran.States.StartVideoJob = { ...start, Type: "Task", Resource: "StartVideoJob" };
  if (options.waitTimeoutSeconds) {
    const { HeartbeatSeconds: _h, ...wait } = ran.States.WaitForVideo as Record<string, unknown>;
    ran.States.WaitForVideo = { ...wait, TimeoutSeconds: options.waitTimeoutSeconds };
  }
  const token = `token-${++executions}-${Math.random().toString(36).slice(2)}`;
  const calls: string[] = [];
  const handlers = {
    Reserve: (input: unknown) => invokeApi(stack, input as ApiGatewayInvoke),
    Release: (input: unknown) => {
      calls.push("Release");
      return invokeApi(stack, input as ApiGatewayInvoke);
    },
    StartVideoJob: async (input: { callback_id: string; job: { durationSeconds: number } }) => {
      if (outcome !== "never") {
        sandboxOf(stack).createVideo({
          apiKey: sandboxKeyOf(stack, "cb"),
          callbackId: input.callback_id,
          durationSeconds: input.job.durationSeconds,
          outcome,
          afterMs: options.afterMs ?? 50,
        });
      }
      return { started: true };
    },
    WaitForVideo: async (input: unknown) => {
      const result = new Promise((resolve, reject) => waiting.set(token, { resolve, reject }));
      const registered = await invokeApi(stack, input as ApiGatewayInvoke);
      calls.push(`wait:${JSON.stringify(registered.ResponseBody)}`);
      return result;
    },
  };
  const execution = new StateMachine(ran as unknown as StateMachineDefinition, {
    validationOptions: { checkArn: false },
  }).run(
    { reservation: { accountId: "cb", durationSeconds: 120 }, job: { durationSeconds: 60 } },
    {
      context: { Execution: { Name: `cb-${executions}` }, Task: { Token: token } },
      overrides: {
        taskResourceLocalHandlers: handlers as unknown as LocalHandlers,
        retryIntervalOverrides: { Reserve: 0, Release: 0, WaitForVideo: 0 },
      },
    },
  );
  const output = await execution.result.then(
    (value) => ({ status: "Done", value }),
    (error: Error) => ({ status: (error.cause as Error | undefined)?.name ?? error.name, value: undefined }),
  );
  const holds = (
    await get<{ reservations: { id: string; status: string; actualAmount?: number }[] }>(
      stack,
      "/v1/reservations?accountId=cb&limit=1",
    )
  ).body.reservations;
  return { ...output, calls, hold: holds[0], sentToToken: sent.filter((s) => s.token === token) };
}

describe("GatedVideoJobWithCallback in an ASL interpreter against the local stack", () => {
  it("success: the webhook commits at the priced duration and sends SendTaskSuccess, Done", async () => {
    const result = await run("success", { afterMs: 300 });
    expect(result.status).toBe("Done");
    expect(result.hold).toMatchObject({ status: "committed", actualAmount: 3 });
    expect(result.sentToToken).toEqual([{ token: expect.any(String), status: "success" }]);
    expect(result.calls).toEqual([expect.stringContaining('"waiting":true')]);
  });

  it("the video finishes before the task waits: /wait finds the result and sends it at once, Done", async () => {
    const result = await run("success", { afterMs: 0 });
    expect(result.status).toBe("Done");
    expect(result.hold?.status).toBe("committed");
    expect(result.sentToToken).toHaveLength(1);
  });

  it("failure: the webhook releases and sends VideoFailed", async () => {
    const result = await run("fail");
    expect(result.status).toBe("VideoFailed");
    expect(result.hold?.status).toBe("released");
    expect(result.calls).not.toContain("Release");
  });

  it("a failure for credit: released, InsufficientCredits", async () => {
    const result = await run("insufficient_credit");
    expect(result.status).toBe("InsufficientCredits");
    expect(result.hold?.status).toBe("released");
    // Told InsufficientCredits, the pipeline already finds the empty balance recorded.
    expect((await get<{ remaining: number }>(stack, "/v1/accounts/cb")).body.remaining).toBe(0);
    sandboxOf(stack).setBalance(sandboxKeyOf(stack, "cb"), 120);
    await stack.pollNow();
  });

  it("timeout: no webhook comes, the wait times out, the hold is released, VideoTimedOut", async () => {
    const result = await run("never", { waitTimeoutSeconds: 1 });
    expect(result.status).toBe("VideoTimedOut");
    expect(result.calls).toContain("Release");
    expect(result.hold?.status).toBe("released");
  });
});
