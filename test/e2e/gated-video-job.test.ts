import { readFileSync } from "node:fs";
import { StateMachine, type StateMachineDefinition } from "aws-local-stepfunctions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#local/stack";
import { type ApiGatewayInvoke, invokeApi, type LocalHandlers, named, startingAt } from "#test/support/asl";
import { get, sandboxKeyOf, sandboxOf, TestClock } from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";
import { joinToText, removeTempDirs, resourceNamed, synth } from "../infra/synth.ts";

/**
 * The synthesized GatedVideoJob definition run by aws-local-stepfunctions (an independent ASL interpreter),
 * its API Gateway tasks sent to the local stack. When a task's request reaches the API but its answer is
 * lost (the task times out and is retried), the execution must still end where it would have without the
 * loss, holding and spending exactly once. A job that HeyGen refuses for credit (field case G10) releases its
 * hold with reason `insufficient_credit` and ends InsufficientCredits; a redrive whose hold expired (G6's
 * secondary) records the spend on a new hold.
 */

const TASKS = [
  "Reserve",
  "Commit",
  "Release",
  "ReleaseForCredit",
  "ReserveSpent",
  "CommitSpent",
  "RunVideoJob",
] as const;
type TaskName = (typeof TASKS)[number];
type Calls = Record<TaskName, number>;
const noCalls = (): Calls => Object.fromEntries(TASKS.map((task) => [task, 0])) as Calls;

const CASES = (
  JSON.parse(
    readFileSync(new URL("../fixtures/field-cases/heygen-2026-12.json", import.meta.url), "utf8"),
  ) as { cases: { id: string; status: number; body: unknown }[] }
).cases;
const g10 = CASES.find((c) => c.id === "G10");

const clock = new TestClock();
let stack: LocalStack;
let definition: StateMachineDefinition;
let executions = 0;

beforeAll(async () => {
  const { template } = synth({ context: { exampleStateMachine: "true" } });
  const machine = resourceNamed(template, "AWS::StepFunctions::StateMachine", "GatedVideoJobStateMachine");
  definition = JSON.parse(joinToText(machine.Properties.DefinitionString)) as StateMachineDefinition;
  stack = await startTestStack({ env: {}, now: clock.now, pollIntervalSeconds: 0 });
  await stack.pollNow();
}, 400_000);

afterAll(async () => {
  await stack?.stop();
  removeTempDirs();
});

interface Scenario {
  /** Tasks whose first answer is lost after the API applied the request. */
  lose?: TaskName[];
  jobFails?: boolean;
  /** The job is a task (an HTTP task, or your Lambda) that raises this error. */
  jobError?: Error;
  reservation?: Record<string, string | number>;
}

type Definition = StateMachineDefinition & { States: Record<string, Record<string, unknown>> };

/** The job's placeholder made a task (resource RunVideoJob) whose local handler the test gives. */
function jobAsTask(machine: Definition): void {
  const branch = (
    machine.States.VideoJob?.Branches as { States: Record<string, unknown> }[] | undefined
  )?.[0];
  if (!branch) throw new Error("VideoJob has no branch");
  branch.States.RunVideoJob = { Type: "Task", Resource: "arn:aws:states:::http:invoke", End: true };
}

/** Handlers for every task: API calls go to the local stack (counted in `calls`), the job runs `job`. */
function handlersFor(calls: Calls, job: () => Promise<unknown>, lose: TaskName[] = []) {
  const handler = (task: TaskName) => async (input: unknown) => {
    calls[task] += 1;
    if (task === "RunVideoJob") return job();
    const answer = await invokeApi(stack, input as unknown as ApiGatewayInvoke);
    if (lose.includes(task) && calls[task] === 1) {
      throw named("States.Timeout", `${task}: the answer was lost`);
    }
    return answer;
  };
  // The handlers answer JSON; the library's JSONValue type cannot say so of a fetch body.
  return Object.fromEntries(TASKS.map((task) => [task, handler(task)])) as unknown as LocalHandlers;
}

const balanceReads = () => sandboxOf(stack).calls().byKey[sandboxKeyOf(stack, "default")] ?? 0;

async function run(scenario: Scenario) {
  // Each run's hold is the newest (the list is newest first; the guard's clock stands still otherwise).
  clock.advance(1);
  const calls = noCalls();
  /** HeyGen balance requests from the first release on: the urgent reading, if one was made. */
  let readsBeforeRelease: number | undefined;
  const handlers = handlersFor(
    calls,
    async () => {
      readsBeforeRelease = balanceReads();
      if (scenario.jobError) throw scenario.jobError;
      return { done: true };
    },
    scenario.lose,
  );
  const ran = structuredClone(definition) as Definition;
  if (scenario.jobError) jobAsTask(ran);
  if (scenario.jobFails) {
    const branch = (ran.States.VideoJob?.Branches as { States: Record<string, unknown> }[] | undefined)?.[0];
    if (branch)
      branch.States.RunVideoJob = { Type: "Fail", Error: "RenderFailed", Cause: "the render failed" };
  }
  const before = await account();
  const name = `job-${++executions}`;
  const execution = new StateMachine(ran, { validationOptions: { checkArn: false } }).run(
    { reservation: scenario.reservation ?? { accountId: "default", amount: 5 }, job: {} },
    {
      context: { Execution: { Name: name, RedriveCount: 0 } },
      overrides: {
        taskResourceLocalHandlers: handlers,
        retryIntervalOverrides: Object.fromEntries(TASKS.map((task) => [task, 0])),
      },
    },
  );
  const status = await execution.result.then(
    () => "Done",
    (error: Error) => (error.cause as Error | undefined)?.name ?? error.name,
  );
  const readsFromRelease = readsBeforeRelease === undefined ? 0 : balanceReads() - readsBeforeRelease;
  return { status, calls, before, after: await account(), readsFromRelease };
}

/** One entry of an execution's event log (the library does not export the type). */
type EventLog = ReturnType<StateMachine["run"]>["eventLogs"] extends AsyncGenerator<infer E> ? E : never;

const OPTIONS = { validationOptions: { checkArn: false } };
const NO_WAITS = Object.fromEntries(TASKS.map((task) => [task, 0]));

/**
 * G6's secondary path: an execution TIMED_OUT while its job ran (simulated by aborting it there: nothing is
 * released), then, after `advanceSeconds`, redriven: the states that did not exit rerun from their input,
 * with `$$.Execution.RedriveCount` 1 (aws-local-stepfunctions has no RedriveExecution; the context is given).
 */
async function timedOutThenRedriven(advanceSeconds: number) {
  const ran = structuredClone(definition) as Definition;
  jobAsTask(ran);
  const name = `job-${++executions}`;
  const first = noCalls();
  let started = false;
  const execution = new StateMachine(ran, OPTIONS).run(
    { reservation: { accountId: "default", amount: 5, ttlSeconds: 60 }, job: {} },
    {
      context: { Execution: { Name: name, RedriveCount: 0 } },
      overrides: {
        taskResourceLocalHandlers: handlersFor(first, () => {
          started = true;
          return new Promise(() => undefined);
        }),
        retryIntervalOverrides: NO_WAITS,
      },
      noThrowOnAbort: true,
    },
  );
  for (let i = 0; !started; i++) {
    if (i > 500) throw new Error("the job never started");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const events: EventLog[] = [];
  const logged = (async () => {
    for await (const event of execution.eventLogs) events.push(event);
  })();
  execution.abort();
  expect(await execution.result).toBeNull();
  await logged;
  const unfinished = events.filter(
    (e): e is EventLog & { state: { name: string; input: unknown } } =>
      e.type === "StateEntered" &&
      e.state.name in ran.States &&
      !events.some((x) => x.type === "StateExited" && "state" in x && x.state.name === e.state.name),
  );
  expect(unfinished.map((e) => e.state.name)).toEqual(["VideoJob"]);
  const input = unfinished[0]?.state.input as { reserved: { reservation: { id: string } } };
  const hold = input.reserved.reservation.id;
  clock.advance(advanceSeconds);
  const heldAtRedrive = (await get<{ status: string }>(stack, `/v1/reservations/${hold}`)).body.status;

  const calls = noCalls();
  const output = (await new StateMachine(startingAt(ran, "VideoJob"), OPTIONS).run(input as never, {
    context: { Execution: { Name: name, RedriveCount: 1 } },
    overrides: {
      taskResourceLocalHandlers: handlersFor(calls, async () => ({ done: true })),
      retryIntervalOverrides: NO_WAITS,
    },
  }).result) as { reserved: { reservation: { id: string } } };
  const reservationOf = async (id: string) =>
    (await get<{ status: string; committedAmount: number }>(stack, `/v1/reservations/${id}`)).body;
  return {
    first,
    calls,
    heldAtRedrive,
    original: await reservationOf(hold),
    spentOn: output.reserved.reservation.id,
    spent: await reservationOf(output.reserved.reservation.id),
  };
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
    expect(result.calls).toMatchObject({ Reserve: 1, Commit: 1, Release: 0 });
    expect(result.after.reserved).toBe(result.before.reserved + 5);
  });

  it("reserve answer lost: the retry meets the same hold (same Idempotency-Key), one hold, Done", async () => {
    const heldBefore = (await holdsOf("committed")).length;
    const result = await run({ lose: ["Reserve"] });
    expect(result.status).toBe("Done");
    expect(result.calls).toMatchObject({ Reserve: 2, Commit: 1, Release: 0 });
    expect(result.after.reserved).toBe(result.before.reserved + 5);
    expect((await holdsOf("committed")).length).toBe(heldBefore + 1);
    expect(await holdsOf("held")).toEqual([]);
  });

  it("commit answer lost: the retried commit is answered as a replay, Done (not CommitFailed)", async () => {
    const result = await run({ lose: ["Commit"] });
    expect(result.status).toBe("Done");
    expect(result.calls).toMatchObject({ Reserve: 1, Commit: 2, Release: 0 });
    expect(result.after.reserved).toBe(result.before.reserved + 5);
  });

  it("job failed: the hold is released, VideoJobFailed", async () => {
    const result = await run({ jobFails: true });
    expect(result.status).toBe("VideoJobFailed");
    expect(result.calls).toMatchObject({ Reserve: 1, Commit: 0, Release: 1 });
    expect(result.after).toEqual(result.before);
  });

  it("the job fails otherwise (HTTP 500): released (job_failed), VideoJobFailed, no balance reading", async () => {
    const result = await run({
      jobError: named(
        "States.Http.StatusCode.500",
        JSON.stringify({ error: { code: "internal_error", message: "Internal server error" } }),
      ),
    });
    expect(result.status).toBe("VideoJobFailed");
    expect(result.calls).toMatchObject({ Reserve: 1, Commit: 0, Release: 1, ReleaseForCredit: 0 });
    expect(result.after).toEqual(result.before);
    expect(result.readsFromRelease).toBe(0);
    const [last] = (
      await get<{ reservations: { releaseReason?: string }[] }>(
        stack,
        "/v1/reservations?accountId=default&limit=1",
      )
    ).body.reservations;
    expect(last?.releaseReason).toBe("job_failed");
  });

  it("release answer lost: the retried release is a replay, the hold released once, VideoJobFailed", async () => {
    const result = await run({ jobFails: true, lose: ["Release"] });
    expect(result.status).toBe("VideoJobFailed");
    expect(result.calls).toMatchObject({ Reserve: 1, Commit: 0, Release: 2 });
    expect(result.after).toEqual(result.before);
    expect(await holdsOf("held")).toEqual([]);
  });

  it("field case G10: HeyGen refuses the job (402 insufficient_credit): released at once, the balance read now, InsufficientCredits", async () => {
    expect(g10).toBeDefined();
    const key = sandboxKeyOf(stack, "default");
    // The guard's recorded balance is 2.00 usd; HeyGen's is lower (spent elsewhere since).
    sandboxOf(stack).setAccount({ apiKey: key, billingType: "wallet", currency: "usd", balance: 2 });
    // Past the settle window, so that the earlier tests' commits are settled by this reading, not counted.
    clock.advance(3600);
    await stack.pollNow();
    sandboxOf(stack).setBalance(key, 0.3);
    const result = await run({
      jobError: named(`States.Http.StatusCode.${g10?.status}`, JSON.stringify(g10?.body)),
      reservation: { accountId: "default", type: "video_agent", durationSeconds: 38 },
    });
    expect(result.status).toBe("InsufficientCredits");
    expect(result.calls).toMatchObject({ Reserve: 1, Commit: 0, Release: 0, ReleaseForCredit: 1 });
    const [hold] = (
      await get<{ reservations: { status: string; amount: number; releaseReason?: string }[] }>(
        stack,
        "/v1/reservations?accountId=default&limit=1",
      )
    ).body.reservations;
    expect(hold).toMatchObject({ status: "released", releaseReason: "insufficient_credit" });
    expect(hold?.amount).toBeCloseTo(1.27, 2);
    // The urgent reading: HeyGen was asked at once, and its balance is the one recorded now.
    expect(result.readsFromRelease).toBeGreaterThan(0);
    expect((await get<{ remaining: number }>(stack, "/v1/accounts/default")).body.remaining).toBe(0.3);
    sandboxOf(stack).setBalance(key, 120);
    clock.advance(1);
    await stack.pollNow();
  });

  it("your own Lambda raises HeyGen.InsufficientCredit: released (insufficient_credit), the balance read, InsufficientCredits", async () => {
    const result = await run({
      jobError: named("HeyGen.InsufficientCredit", JSON.stringify(g10?.body)),
    });
    expect(result.status).toBe("InsufficientCredits");
    expect(result.calls).toMatchObject({ Release: 0, ReleaseForCredit: 1 });
    expect(result.after).toEqual(result.before);
    expect(result.readsFromRelease).toBeGreaterThan(0);
  });

  it("redrive after a timeout, hold expired (field case G6, secondary): Reserve not rerun, the rerun job's spend is recorded on a new hold, Done", async () => {
    const result = await timedOutThenRedriven(61);
    expect(result.heldAtRedrive).toBe("expired");
    expect(result.calls).toMatchObject({
      Reserve: 0,
      RunVideoJob: 1,
      Commit: 1,
      ReserveSpent: 1,
      CommitSpent: 1,
      Release: 0,
    });
    expect(result.original.status).toBe("expired");
    expect(result.spent).toMatchObject({ status: "committed", committedAmount: 5 });
  });

  it("redrive within the hold's life: the rerun job commits the same hold, no new hold, Done", async () => {
    const result = await timedOutThenRedriven(1);
    expect(result.heldAtRedrive).toBe("held");
    expect(result.calls).toMatchObject({ Reserve: 0, RunVideoJob: 1, Commit: 1, ReserveSpent: 0 });
    expect(result.original).toMatchObject({ status: "committed", committedAmount: 5 });
  });
});
