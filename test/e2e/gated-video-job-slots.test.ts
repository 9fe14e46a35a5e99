import { StateMachine, type StateMachineDefinition } from "aws-local-stepfunctions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Problem } from "#api/problem";
import { SLOT_WAIT_DEFAULTS } from "#infra/reserve-slot";
import type { LocalStack } from "#local/stack";
import { NoFreeSlotError } from "#service/errors";
import { type ApiGatewayInvoke, invokeApi, type LocalHandlers } from "#test/support/asl";
import { get, post, testConfig } from "#test/support/e2e";
import { startTestStack } from "#test/support/local-stack";
import { type ReserveRefusals, reserveRefusals } from "#test/support/reserve-refusals";
import { joinToText, removeTempDirs, resourceNamed, synth } from "../infra/synth.ts";

/**
 * Both example state machines, synthesized and run by aws-local-stepfunctions against the local stack, when
 * the reserve is refused. A 409 no-free-slot (every render slot taken) is tried again within the bound
 * (SLOT_WAIT_DEFAULTS) and then ends QuotaGuard.NoFreeSlot; any other 409 ends the run at once: an
 * insufficient balance InsufficientCredits, a paused account or an exhausted budget
 * QuotaGuard.ReservationDenied, with the problem as the cause. The slot and budget refusals are made in the
 * store's reserve transaction (test/support/reserve-refusals.ts) and answered by the real router; the
 * pause and the balance are the guard's own.
 */

const ACCOUNT = "slots";
const AMOUNT = 5;

let stack: LocalStack;
let refusals: ReserveRefusals;
const definitions = new Map<string, StateMachineDefinition>();
let executions = 0;

beforeAll(async () => {
  const { template } = synth({ context: { exampleStateMachine: "true" } });
  for (const name of ["GatedVideoJob", "GatedVideoJobWithCallback"]) {
    const machine = resourceNamed(template, "AWS::StepFunctions::StateMachine", `${name}StateMachine`);
    definitions.set(name, JSON.parse(joinToText(machine.Properties.DefinitionString)));
  }
  stack = await startTestStack({ config: testConfig([{ id: ACCOUNT }]), env: {}, pollIntervalSeconds: 0 });
  await stack.pollNow();
  refusals = reserveRefusals(stack);
}, 400_000);

afterAll(async () => {
  refusals?.restore();
  await stack?.stop();
  removeTempDirs();
});

const noFreeSlot = () => new NoFreeSlotError("account", ACCOUNT, 4, 4, 30);
const budgetExhausted = () =>
  new Problem(
    "budget-exhausted",
    'The hold of 5 does not fit in what budget "marketing" has left this day (0).',
    [],
    { budget: "marketing", period: "day", periodEnd: null, required: 5, available: 0, shortfall: 5 },
  );

/** One entry of an execution's event log (the library does not export the type). */
type EventLog = ReturnType<StateMachine["run"]>["eventLogs"] extends AsyncGenerator<infer E> ? E : never;

/** What the reserve task saw, one entry per call: the status, and the problem's type for a refusal. */
interface Answer {
  status: number;
  type?: string;
}

async function reserved(): Promise<number> {
  return (await get<{ reserved: number }>(stack, `/v1/accounts/${ACCOUNT}`)).body.reserved;
}

/**
 * Runs `machine` with every API task sent to the local stack, no waits between tries. The callback
 * example's WaitForVideo commits the hold, as HeyGen's webhook would through the guard, and returns.
 */
async function run(
  machine: string,
  reservation: Record<string, string | number> = { accountId: ACCOUNT, amount: AMOUNT },
) {
  const definition = definitions.get(machine);
  if (!definition) throw new Error(`no ${machine}`);
  const answers: Answer[] = [];
  const calls: Record<string, number> = {};
  const api = (task: string) => async (input: unknown) => {
    calls[task] = (calls[task] ?? 0) + 1;
    const invoke = input as ApiGatewayInvoke;
    if (task === "WaitForVideo") {
      const id = invoke.Path.split("/")[3];
      return invokeApi(stack, {
        Method: "POST",
        Path: `/v1/reservations/${id}/commit`,
        Headers: { "Content-Type": ["application/json"] },
        RequestBody: {},
      });
    }
    try {
      const answer = await invokeApi(stack, invoke);
      if (task === "Reserve") answers.push({ status: answer.StatusCode });
      return answer;
    } catch (error) {
      const { name, message } = error as Error;
      if (task === "Reserve")
        answers.push({ status: Number(name.split(".")[1]), type: JSON.parse(message).type });
      throw error;
    }
  };
  const tasks = [
    "Reserve",
    "Commit",
    "Release",
    "ReleaseForCredit",
    "ReserveSpent",
    "CommitSpent",
    "WaitForVideo",
  ];
  const execution = new StateMachine(definition, { validationOptions: { checkArn: false } }).run(
    { reservation, job: { durationSeconds: 30 } },
    {
      context: {
        Execution: { Name: `slots-${++executions}`, RedriveCount: 0 },
        Task: { Token: `token-${executions}` },
      },
      overrides: {
        // The handlers answer JSON; the library's JSONValue type cannot say so of a fetch body.
        taskResourceLocalHandlers: Object.fromEntries(
          tasks.map((t) => [t, api(t)]),
        ) as unknown as LocalHandlers,
        retryIntervalOverrides: Object.fromEntries(["ReserveSlot", ...tasks].map((t) => [t, 0])),
      },
    },
  );
  const events: EventLog[] = [];
  const logged = (async () => {
    for await (const event of execution.eventLogs) events.push(event);
  })();
  const ended = await execution.result.then(
    () => ({ status: "Done", cause: undefined }),
    (error: Error) => {
      const failure = (error.cause as Error | undefined) ?? error;
      return { status: failure.name, cause: failure.message };
    },
  );
  await logged;
  const slotWaits = events.filter(
    (e) => e.type === "StateRetried" && "state" in e && e.state.name === "ReserveSlot",
  ).length;
  return { ...ended, answers, calls, slotWaits };
}

const problemOf = (cause: string | undefined) => JSON.parse(cause ?? "null") as Record<string, unknown>;

describe.each(["GatedVideoJob", "GatedVideoJobWithCallback"])(
  "%s, when the reserve is refused",
  (machine) => {
    it("every slot taken twice, then one frees: two waits, then the job runs on one hold, Done", async () => {
      const before = await reserved();
      const refusedBefore = refusals.refused;
      refusals.refuse(noFreeSlot, 2);
      const result = await run(machine);
      expect(refusals.refused - refusedBefore).toBe(2);
      expect(result.answers).toEqual([
        { status: 409, type: expect.stringMatching(/\/problems\/no-free-slot$/) },
        { status: 409, type: expect.stringMatching(/\/problems\/no-free-slot$/) },
        { status: 201 },
      ]);
      expect(result.slotWaits).toBe(2);
      expect(result.cause).toBeUndefined();
      expect(result.status).toBe("Done");
      expect(result.calls[machine === "GatedVideoJob" ? "Commit" : "WaitForVideo"]).toBe(1);
      // Committed at the held amount: counted once, until a balance reading settles it.
      expect(await reserved()).toBe(before + AMOUNT);
    });

    it("no slot frees: tried 1 + maxRetries times, then QuotaGuard.NoFreeSlot with the problem; nothing held", async () => {
      const before = await reserved();
      refusals.refuse(noFreeSlot, Number.POSITIVE_INFINITY);
      try {
        const result = await run(machine);
        expect(result.status).toBe("QuotaGuard.NoFreeSlot");
        expect(result.answers).toHaveLength(1 + SLOT_WAIT_DEFAULTS.maxRetries);
        expect(
          result.answers.every((a) => a.status === 409 && a.type?.endsWith("/problems/no-free-slot")),
        ).toBe(true);
        expect(result.slotWaits).toBe(SLOT_WAIT_DEFAULTS.maxRetries);
        expect(problemOf(result.cause)).toMatchObject({
          scope: "account",
          account: ACCOUNT,
          limit: 4,
          openHolds: 4,
        });
        expect(Object.keys(result.calls)).toEqual(["Reserve"]);
      } finally {
        refusals.clear();
      }
      expect(await reserved()).toBe(before);
    });

    it("the budget is exhausted: QuotaGuard.ReservationDenied at once, no wait, the problem as the cause", async () => {
      const before = await reserved();
      refusals.refuse(budgetExhausted);
      const result = await run(machine);
      expect(result.status).toBe("QuotaGuard.ReservationDenied");
      expect(result.answers).toEqual([
        { status: 409, type: expect.stringMatching(/\/problems\/budget-exhausted$/) },
      ]);
      expect(result.slotWaits).toBe(0);
      expect(problemOf(result.cause)).toMatchObject({ budget: "marketing", period: "day", shortfall: 5 });
      expect(await reserved()).toBe(before);
    });

    it("the account is paused: QuotaGuard.ReservationDenied at once with the pause's reason", async () => {
      expect(
        (await post(stack, `/v1/accounts/${ACCOUNT}/pause`, { reason: "runaway batch 12" })).status,
      ).toBe(200);
      try {
        const result = await run(machine);
        expect(result.status).toBe("QuotaGuard.ReservationDenied");
        expect(result.answers).toEqual([{ status: 409, type: expect.stringMatching(/\/problems\/paused$/) }]);
        expect(result.slotWaits).toBe(0);
        expect(problemOf(result.cause)).toMatchObject({ reason: "runaway batch 12" });
      } finally {
        expect((await post(stack, `/v1/accounts/${ACCOUNT}/resume`, {})).status).toBe(200);
      }
    });

    it("the balance is too low: InsufficientCredits at once, no wait, as before there were slots", async () => {
      const result = await run(machine, { accountId: ACCOUNT, amount: 1_000_000 });
      expect(result.status).toBe("InsufficientCredits");
      expect(result.answers).toEqual([
        { status: 409, type: expect.stringMatching(/\/problems\/insufficient-balance$/) },
      ]);
      expect(result.slotWaits).toBe(0);
    });
  },
);
