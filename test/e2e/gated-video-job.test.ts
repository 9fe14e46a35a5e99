import { StateMachine, type StateMachineDefinition } from "aws-local-stepfunctions";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#local/stack";
import { type ApiGatewayInvoke, invokeApi, type LocalHandlers, named } from "#test/support/asl";
import { get } from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";
import { joinToText, removeTempDirs, resourceNamed, synth } from "../infra/synth.ts";

/**
 * The synthesized GatedVideoJob definition run by aws-local-stepfunctions (an independent ASL interpreter),
 * its API Gateway tasks sent to the local stack. When a task's request reaches the API but its answer is
 * lost (the task times out and is retried), the execution must still end where it would have without the
 * loss, holding and spending exactly once.
 */

const TASKS = ["Reserve", "Commit", "Release"] as const;
type TaskName = (typeof TASKS)[number];

let stack: LocalStack;
let definition: StateMachineDefinition;
let executions = 0;

beforeAll(async () => {
  const { template } = synth({ context: { exampleStateMachine: "true" } });
  const machine = resourceNamed(template, "AWS::StepFunctions::StateMachine", "GatedVideoJobStateMachine");
  definition = JSON.parse(joinToText(machine.Properties.DefinitionString)) as StateMachineDefinition;
  stack = await startTestStack({ env: {}, pollIntervalSeconds: 0 });
  await stack.pollNow();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  removeTempDirs();
});

interface Scenario {
  /** Tasks whose first answer is lost after the API applied the request. */
  lose?: TaskName[];
  jobFails?: boolean;
}

async function run(scenario: Scenario) {
  const calls: Record<TaskName, number> = { Reserve: 0, Commit: 0, Release: 0 };
  const handler = (task: TaskName) => async (input: unknown) => {
    calls[task] += 1;
    const answer = await invokeApi(stack, input as unknown as ApiGatewayInvoke);
    if (scenario.lose?.includes(task) && calls[task] === 1) {
      throw named("States.Timeout", `${task}: the answer was lost`);
    }
    return answer;
  };
  const ran = structuredClone(definition) as StateMachineDefinition & {
    States: Record<string, { Branches?: { States: Record<string, unknown> }[] }>;
  };
  if (scenario.jobFails) {
    const branch = ran.States.VideoJob?.Branches?.[0];
    if (branch)
      branch.States.RunVideoJob = { Type: "Fail", Error: "RenderFailed", Cause: "the render failed" };
  }
  const before = await account();
  const name = `job-${++executions}`;
  const execution = new StateMachine(ran, { validationOptions: { checkArn: false } }).run(
    { reservation: { accountId: "default", amount: 5 }, job: {} },
    {
      context: { Execution: { Name: name } },
      overrides: {
        // The handlers answer JSON; the library's JSONValue type cannot say so of a fetch body.
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
  return { status, calls, before, after: await account() };
}

async function account() {
  const { reserved, available } = (
    await get<{ reserved: number; available: number }>(stack, "/v1/accounts/default")
  ).body;
  return { reserved, available };
}

async function holdsOf(status: string) {
  return (
    await get<{ reservations: { id: string; status: string; committedAmount: number }[] }>(
      stack,
      `/v1/reservations?accountId=default&status=${status}&limit=100`,
    )
  ).body.reservations;
}

describe("GatedVideoJob in an ASL interpreter against the local stack", () => {
  it("happy path: reserve, run, commit, Done", async () => {
    const result = await run({});
    expect(result.status).toBe("Done");
    expect(result.calls).toEqual({ Reserve: 1, Commit: 1, Release: 0 });
    expect(result.after.reserved).toBe(result.before.reserved + 5);
  });

  it("reserve answer lost: the retry meets the same hold (same Idempotency-Key), one hold, Done", async () => {
    const heldBefore = (await holdsOf("committed")).length;
    const result = await run({ lose: ["Reserve"] });
    expect(result.status).toBe("Done");
    expect(result.calls).toEqual({ Reserve: 2, Commit: 1, Release: 0 });
    expect(result.after.reserved).toBe(result.before.reserved + 5);
    expect((await holdsOf("committed")).length).toBe(heldBefore + 1);
    expect(await holdsOf("held")).toEqual([]);
  });

  it("commit answer lost: the retried commit is answered as a replay, Done (not CommitFailed)", async () => {
    const result = await run({ lose: ["Commit"] });
    expect(result.status).toBe("Done");
    expect(result.calls).toEqual({ Reserve: 1, Commit: 2, Release: 0 });
    expect(result.after.reserved).toBe(result.before.reserved + 5);
  });

  it("job failed: the hold is released, VideoJobFailed", async () => {
    const result = await run({ jobFails: true });
    expect(result.status).toBe("VideoJobFailed");
    expect(result.calls).toEqual({ Reserve: 1, Commit: 0, Release: 1 });
    expect(result.after).toEqual(result.before);
  });

  it("release answer lost: the retried release is a replay, the hold released once, VideoJobFailed", async () => {
    const result = await run({ jobFails: true, lose: ["Release"] });
    expect(result.status).toBe("VideoJobFailed");
    expect(result.calls).toEqual({ Reserve: 1, Commit: 0, Release: 2 });
    expect(result.after).toEqual(result.before);
    expect(await holdsOf("held")).toEqual([]);
  });
});
