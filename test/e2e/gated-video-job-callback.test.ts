import { readFileSync } from "node:fs";
import { StateMachine, type StateMachineDefinition } from "aws-local-stepfunctions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LocalStack } from "#local/stack";
import type { TaskResultSender } from "#service/services";
import { type ApiGatewayInvoke, invokeApi, type LocalHandlers, named, startingAt } from "#test/support/asl";
import { get, sandboxKeyOf, sandboxOf, testConfig } from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";
import { joinToText, removeTempDirs, resourceNamed, synth } from "../infra/synth.ts";

/**
 * The synthesized GatedVideoJobWithCallback definition run by aws-local-stepfunctions against the local
 * stack. StartVideoJob (a placeholder Pass) runs as a task with the same Parameters that starts a sandbox
 * job; WaitForVideo registers its token through POST /v1/reservations/{id}/wait and then waits for what the
 * stack's webhook sends: SendTaskSuccess / SendTaskFailure reach the interpreter through `taskResults`.
 */

type Outcome = "success" | "fail" | "insufficient_credit" | "never" | { startError: Error };

/** Tokens the interpreter is waiting on, settled by the webhook's SendTask* calls. */
const waiting = new Map<string, { resolve: (output: unknown) => void; reject: (error: Error) => void }>();
/** Results sent before their token was waited on (cannot happen with the store's exactly-one-sender rule). */
const sent: { token: string; status: string }[] = [];
/** Tokens of tasks that no longer wait (an aborted execution): Step Functions answers TaskTimedOut. */
const closed = new Set<string>();
const refuseClosed = (token: string) => {
  if (closed.has(token)) throw named("TaskTimedOut", "Task Timed Out");
};
const taskResults: TaskResultSender = {
  async succeed(token, output) {
    refuseClosed(token);
    sent.push({ token, status: "success" });
    waiting.get(token)?.resolve(output);
  },
  async fail(token, error, cause) {
    refuseClosed(token);
    sent.push({ token, status: error });
    waiting.get(token)?.reject(named(error, cause));
  },
};

const CASES = (
  JSON.parse(
    readFileSync(new URL("../fixtures/field-cases/heygen-2026-12.json", import.meta.url), "utf8"),
  ) as { cases: { id: string; status: number; body: unknown }[] }
).cases;
const caseOf = (id: string) => {
  const found = CASES.find((c) => c.id === id);
  if (!found) throw new Error(`${id} missing from the fixture`);
  return found;
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
}, 400_000);

afterAll(async () => {
  await stack?.stop();
  removeTempDirs();
});

type States = Record<string, Record<string, unknown>>;

/** The create call's placeholder (inside the StartVideo wrapper) made a task with the same Parameters. */
function startAsTask(machine: { States: States }): void {
  const branch = (machine.States.StartVideo?.Branches as { States: States }[] | undefined)?.[0];
  if (!branch?.States.StartVideoJob) throw new Error("StartVideoJob is not inside StartVideo");
  branch.States.StartVideoJob = { ...branch.States.StartVideoJob, Type: "Task", Resource: "StartVideoJob" };
}

/** One entry of an execution's event log (the library does not export the type). */
type EventLog = ReturnType<StateMachine["run"]>["eventLogs"] extends AsyncGenerator<infer E> ? E : never;

async function run(
  outcome: Outcome,
  options: {
    afterMs?: number;
    waitTimeoutSeconds?: number;
    reservation?: Record<string, string | number>;
  } = {},
) {
  const ran = structuredClone(definition) as unknown as { States: States };
  // The placeholder becomes a task with the same Parameters: what the real HTTP task would send HeyGen.
  startAsTask(ran);
  if (options.waitTimeoutSeconds) {
    const { HeartbeatSeconds: _h, ...wait } = ran.States.WaitForVideo as Record<string, unknown>;
    ran.States.WaitForVideo = { ...wait, TimeoutSeconds: options.waitTimeoutSeconds };
  }
  const token = `token-${++executions}-${Math.random().toString(36).slice(2)}`;
  const calls: string[] = [];
  /** HeyGen balance requests made by the guard from the release on (an urgent reading), if any release ran. */
  let readsBeforeRelease: number | undefined;
  const balanceReads = () => sandboxOf(stack).calls().byKey[sandboxKeyOf(stack, "cb")] ?? 0;
  const handlers = {
    Reserve: (input: unknown) => invokeApi(stack, input as ApiGatewayInvoke),
    ...Object.fromEntries(
      ["Release", "ReleaseForCredit", "ReleaseAfterStartFailed"].map((name) => [
        name,
        (input: unknown) => {
          calls.push(name);
          readsBeforeRelease ??= balanceReads();
          return invokeApi(stack, input as ApiGatewayInvoke);
        },
      ]),
    ),
    StartVideoJob: async (input: { callback_id: string; job: { durationSeconds: number } }) => {
      if (typeof outcome === "object") throw outcome.startError;
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
    {
      reservation: options.reservation ?? { accountId: "cb", durationSeconds: 120 },
      job: { durationSeconds: 60 },
    },
    {
      context: { Execution: { Name: `cb-${executions}` }, Task: { Token: token } },
      overrides: {
        taskResourceLocalHandlers: handlers as unknown as LocalHandlers,
        retryIntervalOverrides: {
          Reserve: 0,
          Release: 0,
          ReleaseForCredit: 0,
          ReleaseAfterStartFailed: 0,
          WaitForVideo: 0,
        },
      },
    },
  );
  const output = await execution.result.then(
    (value) => ({ status: "Done", value }),
    (error: Error) => ({ status: (error.cause as Error | undefined)?.name ?? error.name, value: undefined }),
  );
  const holds = (
    await get<{
      reservations: {
        id: string;
        status: string;
        amount: number;
        actualAmount?: number;
        releaseReason?: string;
      }[];
    }>(stack, "/v1/reservations?accountId=cb&limit=1")
  ).body.reservations;
  const readsFromRelease = readsBeforeRelease === undefined ? 0 : balanceReads() - readsBeforeRelease;
  return {
    ...output,
    calls,
    hold: holds[0],
    sentToToken: sent.filter((s) => s.token === token),
    readsFromRelease,
  };
}

describe("GatedVideoJobWithCallback in an ASL interpreter against the local stack", () => {
  it("field case G10: HeyGen refuses the create call (402 insufficient_credit): released at once, the balance read now, InsufficientCredits", async () => {
    const g10 = caseOf("G10");
    const key = sandboxKeyOf(stack, "cb");
    // The guard's recorded balance is 2.00 usd; HeyGen's is lower (spent elsewhere since).
    // First in the file: no earlier commit counts against the 2.00 recorded.
    sandboxOf(stack).setBalance(key, 2);
    await stack.pollNow();
    sandboxOf(stack).setBalance(key, 0.3);
    const refusal = named(`States.Http.StatusCode.${g10.status}`, JSON.stringify(g10.body));
    const result = await run(
      { startError: refusal },
      { reservation: { accountId: "cb", type: "video_agent", durationSeconds: 38 } },
    );
    expect(result.status).toBe("InsufficientCredits");
    expect(result.calls).toEqual(["ReleaseForCredit"]);
    expect(result.hold).toMatchObject({ status: "released", releaseReason: "insufficient_credit" });
    expect(result.hold?.amount).toBeCloseTo(1.27, 2);
    // The urgent reading: HeyGen was asked, and its balance is the one recorded now.
    expect(result.readsFromRelease).toBeGreaterThan(0);
    expect((await get<{ remaining: number }>(stack, "/v1/accounts/cb")).body.remaining).toBe(0.3);
    sandboxOf(stack).setBalance(key, 120);
    await stack.pollNow();
  });

  it("the create call fails otherwise (HTTP 500): released (job_failed), VideoStartFailed, no balance reading", async () => {
    const failure = named(
      "States.Http.StatusCode.500",
      JSON.stringify({ error: { code: "internal_error", message: "Internal server error" } }),
    );
    const result = await run({ startError: failure });
    expect(result.status).toBe("VideoStartFailed");
    expect(result.calls).toEqual(["ReleaseAfterStartFailed"]);
    expect(result.hold).toMatchObject({ status: "released", releaseReason: "job_failed" });
    expect(result.readsFromRelease).toBe(0);
  });

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

  it("redrive (field case G6): the hold is settled while the task is gone; the redriven WaitForVideo gets the outcome at once, Done", async () => {
    // aws-local-stepfunctions has no RedriveExecution. A redrive reruns only the states that did not exit,
    // with the input they had, and gives the rerun task a new token (AWS developer guide, "Redriving
    // executions"): here, WaitForVideo started again from its own input with a new token.
    const [t1, t2] = ["token-redrive-T1", "token-redrive-T2"];
    const ran = structuredClone(definition) as unknown as { States: States; StartAt: string };
    startAsTask(ran);
    let waitInput: unknown;
    const registered: unknown[] = [];
    const handlersFor = (token: string) => ({
      Reserve: (input: unknown) => invokeApi(stack, input as ApiGatewayInvoke),
      Release: (input: unknown) => invokeApi(stack, input as ApiGatewayInvoke),
      StartVideoJob: async () => ({ started: true }),
      WaitForVideo: async (input: unknown) => {
        waitInput ??= input;
        const result = new Promise((resolve, reject) => waiting.set(token, { resolve, reject }));
        registered.push((await invokeApi(stack, input as ApiGatewayInvoke)).ResponseBody);
        return result;
      },
    });
    const start = (machine: unknown, input: unknown, token: string) =>
      new StateMachine(machine as StateMachineDefinition, { validationOptions: { checkArn: false } }).run(
        input as Parameters<StateMachine["run"]>[0],
        {
          context: { Execution: { Name: "exec-g6" }, Task: { Token: token } },
          overrides: {
            taskResourceLocalHandlers: handlersFor(token) as unknown as LocalHandlers,
            retryIntervalOverrides: { Reserve: 0, Release: 0, WaitForVideo: 0 },
          },
          noThrowOnAbort: true,
        },
      );

    const first = start(
      ran,
      {
        reservation: { accountId: "cb", durationSeconds: 30, resolution: "1080p" },
        job: { durationSeconds: 30 },
      },
      t1,
    );
    for (let i = 0; registered.length === 0; i++) {
      if (i > 500) throw new Error("WaitForVideo never registered its token");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(registered[0]).toMatchObject({ waiting: true });
    const events: EventLog[] = [];
    const logged = (async () => {
      for await (const event of first.eventLogs) events.push(event);
    })();
    // StopExecution: the execution is aborted while WaitForVideo waits; its task no longer takes results.
    first.abort();
    closed.add(t1);
    expect(await first.result).toBeNull();
    await logged;
    // What a redrive reruns: the states entered and not exited, each from the input it had.
    const unfinished = events.filter(
      (e): e is EventLog & { state: { name: string; input: unknown } } =>
        e.type === "StateEntered" &&
        !events.some((x) => x.type === "StateExited" && "state" in x && x.state.name === e.state.name),
    );
    expect(unfinished.map((e) => e.state.name)).toEqual(["WaitForVideo"]);
    const redriveInput = unfinished[0]?.state.input;

    // HeyGen's success for the hold: the webhook commits it; SendTaskSuccess(T1) answers TaskTimedOut.
    const hold = (waitInput as { Path: string }).Path.split("/")[3] as string;
    const { videoId } = sandboxOf(stack).createVideo({
      apiKey: sandboxKeyOf(stack, "cb"),
      callbackId: hold,
      durationSeconds: 30,
      outcome: "success",
      afterMs: 0,
    });
    for (
      let i = 0;
      (
        sandboxOf(stack)
          .videos()
          .find((v) => v.id === videoId)?.deliveries ?? []
      ).length === 0;
      i++
    ) {
      if (i > 500) throw new Error("the webhook was not delivered");
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(
      sandboxOf(stack)
        .videos()
        .find((v) => v.id === videoId)?.deliveries,
    ).toEqual([200]);
    expect(sent.filter((s) => s.token === t1)).toEqual([]);

    // The redrive: WaitForVideo again, same input, new token T2.
    const redriven = start(startingAt(ran, "WaitForVideo"), redriveInput, t2);
    const output = (await redriven.result) as { video: { status: string; actualAmount: number } };
    expect(registered[1]).toMatchObject({ waiting: false, resultSent: true });
    expect(output.video).toMatchObject({ status: "committed", actualAmount: 1.5 });
    expect(sent.filter((s) => s.token === t2)).toEqual([{ token: t2, status: "success" }]);
  });
});
