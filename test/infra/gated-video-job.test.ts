import { readFileSync } from "node:fs";
import { Template } from "aws-cdk-lib/assertions";
import { afterAll, describe, expect, it } from "vitest";
import { API_CALL_TIMEOUT, GatedVideoJob } from "#infra/gated-video-job";
import {
  longestReserveSeconds,
  SLOT_WAIT_DEFAULTS,
  type SlotWaitProps,
  slotWaitBound,
} from "#infra/reserve-slot";
import {
  actionsOf,
  buildApp,
  joinToText,
  removeTempDirs,
  resourceNamed,
  resourcesOf,
  statementsOfRole,
  synth,
} from "./synth.ts";

afterAll(removeTempDirs);

/** What docs/step-functions.md's fragment shows instead of the API's endpoint and the partition. */
const placeholders = (key: string, value: unknown) => {
  if (key === "ApiEndpoint") return "API_ID.execute-api.us-east-1.amazonaws.com";
  if (key === "Resource" && typeof value === "string") return value.replace("<AWS::Partition>", "aws");
  return value;
};

interface State {
  Type: string;
  Next?: string;
  End?: boolean;
  Error?: string;
  CausePath?: string;
  TimeoutSeconds?: number;
  Retry?: Record<string, unknown>[];
  Catch?: { ErrorEquals: string[]; Next: string; ResultPath?: string }[];
  Choices?: Record<string, unknown>[];
  Default?: string;
  Branches?: { StartAt: string; States: Record<string, State> }[];
  Parameters?: Record<string, unknown>;
}

/** Every state, those inside Parallel branches too, by name (names are unique in a state machine). */
function allStatesOf(states: Record<string, State>): Record<string, State> {
  const all: Record<string, State> = {};
  for (const [name, state] of Object.entries(states)) {
    all[name] = state;
    for (const branch of state.Branches ?? []) Object.assign(all, allStatesOf(branch.States));
  }
  return all;
}

/** The Retry and Catch on a no-free-slot, wherever they are. */
function slotRetriesOf(states: Record<string, State>) {
  return Object.entries(allStatesOf(states)).flatMap(([name, state]) =>
    (state.Retry ?? [])
      .filter((r) => (r.ErrorEquals as string[]).includes("QuotaGuard.NoFreeSlot"))
      .map((retry) => ({ name, retry })),
  );
}

function stateMachinesOf(context: Record<string, unknown>) {
  const { template } = synth({ context });
  return { template, machines: Object.entries(resourcesOf(template, "AWS::StepFunctions::StateMachine")) };
}

describe("GatedVideoJob example", () => {
  it("is deployed only when the exampleStateMachine context flag is true", () => {
    expect(stateMachinesOf({}).machines).toHaveLength(0);
    expect(stateMachinesOf({ exampleStateMachine: "false" }).machines).toHaveLength(0);
    expect(stateMachinesOf({ exampleStateMachine: true }).machines).toHaveLength(2);
  });

  const { template } = stateMachinesOf({ exampleStateMachine: "true" });
  const machine = resourceNamed(template, "AWS::StepFunctions::StateMachine", "GatedVideoJobStateMachine");
  const definition = JSON.parse(joinToText(machine.Properties.DefinitionString)) as {
    StartAt: string;
    States: Record<string, State>;
    TimeoutSeconds?: number;
  };
  const states = allStatesOf(definition.States);
  const state = (name: string): State => {
    const found = states[name];
    if (!found) throw new Error(`no state ${name}`);
    return found;
  };
  const catchOf = (name: string, error: string) =>
    state(name).Catch?.find((c) => c.ErrorEquals.includes(error))?.Next;

  it("reserves, runs the job when granted (200/201), then commits", () => {
    expect(definition.StartAt).toBe("ReserveSlot");
    expect(state("ReserveSlot")).toMatchObject({ Type: "Parallel", OutputPath: "$[0]" });
    expect(state("ReserveSlot").Branches?.[0]?.StartAt).toBe("Reserve");
    expect(state("Reserve").End).toBe(true);
    expect(state("ReserveSlot").Next).toBe("ReservationGranted");
    const choice = state("ReservationGranted");
    const granted = choice.Choices?.find((c) => JSON.stringify(c).includes("201"));
    expect(JSON.stringify(granted)).toContain("200");
    expect(granted?.Next).toBe("VideoJob");
    expect(state("VideoJob").Branches?.[0]?.StartAt).toBe("RunVideoJob");
    expect(state("VideoJob").Branches?.[0]?.States.RunVideoJob?.Type).toBe("Pass");
    expect(state("VideoJob").Next).toBe("Commit");
    expect(state(state("Commit").Next as string).Type).toBe("Succeed");
  });

  it("reads a 409's problem: insufficient-balance → InsufficientCredits, no-free-slot retried, others denied", () => {
    expect(catchOf("Reserve", "ApiGateway.409")).toBe("ReadDenial");
    expect(state("Reserve").Catch).toHaveLength(1);
    expect(state("ReadDenial").Parameters).toEqual({
      "Cause.$": "$.denial.Cause",
      "problem.$": "States.StringToJson($.denial.Cause)",
    });
    const kinds = Object.fromEntries(
      (state("DenialKind").Choices ?? []).map((c) => [
        (c.And as { StringMatches?: string }[]).find((r) => r.StringMatches)?.StringMatches,
        state(c.Next as string).Error,
      ]),
    );
    expect(kinds).toEqual({
      "*/problems/no-free-slot": "QuotaGuard.NoFreeSlot",
      "*/problems/insufficient-balance": "InsufficientCredits",
    });
    expect(state(state("DenialKind").Default as string)).toMatchObject({
      Type: "Fail",
      Error: "QuotaGuard.ReservationDenied",
      CausePath: "$.denial.Cause",
    });
    expect(state("ReserveSlot").Catch?.map((c) => [c.ErrorEquals, c.Next])).toEqual([
      [["QuotaGuard.NoFreeSlot"], "NoFreeSlot"],
      [["InsufficientCredits"], "InsufficientCredits"],
      [["QuotaGuard.ReservationDenied"], "ReservationDenied"],
      [["States.ALL"], "ReservationFailed"],
    ]);
    expect(state("NoFreeSlot")).toMatchObject({ Type: "Fail", Error: "QuotaGuard.NoFreeSlot" });
    expect(state("ReservationDenied")).toMatchObject({ Type: "Fail", Error: "QuotaGuard.ReservationDenied" });
    expect(state("InsufficientCredits")).toMatchObject({ Type: "Fail", Error: "InsufficientCredits" });
  });

  it("retries no-free-slot only, on ReserveSlot, within the default bound; the timeout allows the waits", () => {
    expect(slotRetriesOf(definition.States)).toEqual([
      {
        name: "ReserveSlot",
        retry: {
          ErrorEquals: ["QuotaGuard.NoFreeSlot"],
          IntervalSeconds: 30,
          BackoffRate: 2,
          MaxDelaySeconds: 300,
          MaxAttempts: 10,
        },
      },
    ]);
    expect(state("ReserveSlot").Retry).toHaveLength(1);
    // Reserve's own retries are of throttling, 5xx and timeouts: a 409 is never retried as such.
    expect(JSON.stringify(state("Reserve").Retry)).not.toContain("409");
    expect(definition.TimeoutSeconds).toBe(86_400 + longestReserveSeconds({}, API_CALL_TIMEOUT));
  });

  it("releases the reservation when the job fails, then fails, even if the release fails too", () => {
    expect(catchOf("VideoJob", "States.ALL")).toBe("Release");
    expect(state("Release").Next).toBe("VideoJobFailed");
    expect(catchOf("Release", "States.ALL")).toBe("VideoJobFailed");
    expect(state("VideoJobFailed").Type).toBe("Fail");
    expect(state("Release").Parameters?.RequestBody).toEqual({ reason: "job_failed" });
  });

  it("releases with reason insufficient_credit and ends InsufficientCredits when HeyGen refuses the job for credit", () => {
    for (const error of ["States.Http.StatusCode.402", "HeyGen.InsufficientCredit"]) {
      expect(catchOf("VideoJob", error)).toBe("ReleaseForCredit");
    }
    expect(state("ReleaseForCredit").Parameters?.RequestBody).toEqual({ reason: "insufficient_credit" });
    expect(state("ReleaseForCredit").Next).toBe("InsufficientCredits");
    expect(catchOf("ReleaseForCredit", "States.ALL")).toBe("InsufficientCredits");
  });

  it("a commit that meets an ended hold (409) records the spend on a new hold keyed by the redrive", () => {
    expect(catchOf("Commit", "ApiGateway.409")).toBe("ReserveSpent");
    expect(catchOf("Commit", "States.ALL")).toBe("CommitFailed");
    expect(JSON.stringify(state("ReserveSpent").Parameters?.Headers)).toContain(
      "States.Format('{}-spent-{}', $$.Execution.Name, $$.Execution.RedriveCount)",
    );
    expect(state("ReserveSpent").Next).toBe("CommitSpent");
    expect(state(state("CommitSpent").Next as string).Type).toBe("Succeed");
    expect(catchOf("ReserveSpent", "States.ALL")).toBe("CommitFailed");
    expect(catchOf("CommitSpent", "States.ALL")).toBe("CommitFailed");
  });

  it("calls the three reservation routes with SigV4, a timeout on every task, and an idempotency key", () => {
    const tasks = Object.entries(states).filter(([, s]) => s.Type === "Task");
    expect(tasks.map(([name]) => name).sort()).toEqual([
      "Commit",
      "CommitSpent",
      "Release",
      "ReleaseForCredit",
      "Reserve",
      "ReserveSpent",
    ]);
    for (const [, task] of tasks) {
      expect(task.TimeoutSeconds).toBeGreaterThan(0);
      expect(task.Parameters?.AuthType).toBe("IAM_ROLE");
    }
    expect(state("Reserve").Parameters?.Path).toBe("/v1/reservations");
    expect(state("Commit").Parameters?.["Path.$"]).toBe(
      "States.Format('/v1/reservations/{}/commit', $.reserved.reservation.id)",
    );
    expect(state("Release").Parameters?.["Path.$"]).toBe(
      "States.Format('/v1/reservations/{}/release', $.reserved.reservation.id)",
    );
    expect(JSON.stringify(state("Reserve").Parameters?.Headers)).toContain('"Idempotency-Key.$"');
    expect(definition.TimeoutSeconds).toBeGreaterThan(0);
  });

  it("may invoke only the reserve, commit and release routes of this API", () => {
    const roleId = (machine.Properties.RoleArn as { "Fn::GetAtt": string[] })["Fn::GetAtt"][0] as string;
    const statements = statementsOfRole(template, roleId);
    const invokes = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith("execute-api:")));
    expect(actionsOf(invokes)).toEqual(["execute-api:Invoke", "execute-api:Invoke", "execute-api:Invoke"]);
    const [apiId] = Object.keys(resourcesOf(template, "AWS::ApiGatewayV2::Api"));
    const arns = invokes.map((s) => joinToText(s.Resource));
    expect(arns.sort()).toEqual(
      [
        `arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiId}>/$default/POST/v1/reservations`,
        `arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiId}>/$default/POST/v1/reservations/*/commit`,
        `arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiId}>/$default/POST/v1/reservations/*/release`,
      ].sort(),
    );
    const others = actionsOf(statements.filter((s) => !invokes.includes(s)));
    expect(others.every((a) => a.startsWith("logs:") || a.startsWith("xray:"))).toBe(true);
  });

  it("logs every execution event and traces with X-Ray", () => {
    expect(machine.Properties).toMatchObject({
      LoggingConfiguration: { Level: "ALL" },
      TracingConfiguration: { Enabled: true },
    });
  });

  it("is the ASL fragment docs/step-functions.md shows, but for the API's endpoint and partition", () => {
    const synthesized = JSON.parse(
      JSON.stringify({ StartAt: definition.StartAt, States: definition.States }),
      placeholders,
    );
    const text = readFileSync(new URL("../../docs/step-functions.md", import.meta.url), "utf8");
    const start = text.lastIndexOf("```json", text.indexOf('"StartAt": "Reserve"'));
    const fragment = text.slice(text.indexOf("\n", start) + 1, text.indexOf("\n```", start));
    expect(JSON.parse(fragment)).toEqual(synthesized);
  });
});

describe("GatedVideoJob's wait for a render slot (slotWait)", () => {
  /** GatedVideoJob with `slotWait`, beside the stack's own, as the synthesized Retry on ReserveSlot. */
  function withSlotWait(slotWait: SlotWaitProps) {
    const { stack } = buildApp({ context: { exampleStateMachine: "true" } });
    new GatedVideoJob(stack, "Custom", {
      api: stack.guard.api,
      timeout: 3600,
      logs: stack.guard.logs,
      slotWait,
    });
    const machine = resourceNamed(
      Template.fromStack(stack),
      "AWS::StepFunctions::StateMachine",
      "CustomStateMachine",
    );
    const definition = JSON.parse(joinToText(machine.Properties.DefinitionString)) as {
      States: Record<string, State>;
      TimeoutSeconds: number;
    };
    return { retries: slotRetriesOf(definition.States), timeout: definition.TimeoutSeconds };
  }

  it("takes its bound from the props, and the execution's timeout grows by the longest wait", () => {
    const slotWait = { maxRetries: 4, intervalSeconds: 10, backoffRate: 3, maxDelaySeconds: 60 };
    const { retries, timeout } = withSlotWait(slotWait);
    expect(retries.map((r) => r.retry)).toEqual([
      {
        ErrorEquals: ["QuotaGuard.NoFreeSlot"],
        IntervalSeconds: 10,
        BackoffRate: 3,
        MaxDelaySeconds: 60,
        MaxAttempts: 4,
      },
    ]);
    // 10, 30, then 60 twice (90 capped): the waits Step Functions makes, and their sum.
    expect(slotWaitBound(slotWait).waitsSeconds).toEqual([10, 30, 60, 60]);
    expect(timeout).toBe(3600 + 160 + 5 * 30);
  });

  it("maxRetries 0: a no-free-slot ends the run at once, QuotaGuard.NoFreeSlot", () => {
    expect(withSlotWait({ maxRetries: 0 }).retries).toEqual([]);
  });

  it("defaults: 30, 60, 120, 240 s, then 300 s six times: 37.5 min at most", () => {
    const bound = slotWaitBound();
    expect(bound.settings).toEqual(SLOT_WAIT_DEFAULTS);
    expect(bound.waitsSeconds).toEqual([30, 60, 120, 240, 300, 300, 300, 300, 300, 300]);
    expect(bound.totalSeconds).toBe(2250);
  });

  it("refuses a bound out of range, naming the setting", () => {
    for (const [slotWait, named] of [
      [{ maxRetries: -1 }, "maxRetries"],
      [{ maxRetries: 1.5 }, "maxRetries"],
      [{ intervalSeconds: 0 }, "intervalSeconds"],
      [{ backoffRate: 0.5 }, "backoffRate"],
      [{ intervalSeconds: 60, maxDelaySeconds: 30 }, "maxDelaySeconds"],
    ] as const) {
      expect(() => slotWaitBound(slotWait)).toThrow(named);
    }
  });
});

describe("GatedVideoJobWithCallback example", () => {
  const { template } = synth({ context: { exampleStateMachine: "true" } });
  const machine = resourceNamed(
    template,
    "AWS::StepFunctions::StateMachine",
    "GatedVideoJobWithCallbackStateMachine",
  );
  const definition = JSON.parse(joinToText(machine.Properties.DefinitionString)) as {
    StartAt: string;
    TimeoutSeconds: number;
    States: Record<string, State & { Resource?: string; HeartbeatSeconds?: number; Parameters?: unknown }>;
  };
  const wait = definition.States.WaitForVideo;

  it("waits for a render slot as GatedVideoJob does, and its timeout allows the waits", () => {
    expect(slotRetriesOf(definition.States).map((r) => r.name)).toEqual(["ReserveSlot"]);
    expect(definition.StartAt).toBe("ReserveSlot");
    expect(definition.TimeoutSeconds).toBe(86_400 + 300 + longestReserveSeconds({}, API_CALL_TIMEOUT));
  });

  it("starts the job with the reservation id as callback_id, then waits for a task token", () => {
    const startVideo = definition.States.StartVideo;
    expect(startVideo?.Type).toBe("Parallel");
    expect(startVideo?.Next).toBe("WaitForVideo");
    expect(JSON.stringify(startVideo?.Branches?.[0]?.States.StartVideoJob?.Parameters)).toContain(
      '"callback_id.$":"$.reserved.reservation.id"',
    );
    expect(wait?.Resource).toMatch(/:apigateway:invoke\.waitForTaskToken$/);
    expect(JSON.stringify(wait?.Parameters)).toContain('"taskToken.$":"$$.Task.Token"');
  });

  it("sets HeartbeatSeconds below TimeoutSeconds; a timeout releases, the webhook's failures end the run", () => {
    expect(wait?.TimeoutSeconds).toBeGreaterThan(wait?.HeartbeatSeconds ?? Number.POSITIVE_INFINITY);
    expect(wait?.HeartbeatSeconds).toBeGreaterThan(0);
    const catchOf = (error: string) => wait?.Catch?.find((c) => c.ErrorEquals.includes(error))?.Next;
    expect(catchOf("VideoFailed")).toBe("VideoFailed");
    expect(catchOf("InsufficientCredits")).toBe("InsufficientCredits");
    expect(catchOf("States.ALL")).toBe("Release");
    expect(definition.States.Release?.Next).toBe("VideoTimedOut");
    expect(definition.States.Release?.Parameters).toMatchObject({ RequestBody: { reason: "timed_out" } });
  });

  it("any error starting the job releases the hold: for credit → InsufficientCredits, else VideoStartFailed", () => {
    const catchOf = (error: string) =>
      definition.States.StartVideo?.Catch?.find((c) => c.ErrorEquals.includes(error))?.Next;
    expect(catchOf("States.Http.StatusCode.402")).toBe("ReleaseForCredit");
    expect(catchOf("HeyGen.InsufficientCredit")).toBe("ReleaseForCredit");
    expect(catchOf("States.ALL")).toBe("ReleaseAfterStartFailed");
    expect(definition.States.ReleaseForCredit?.Next).toBe("InsufficientCredits");
    expect(definition.States.ReleaseAfterStartFailed?.Next).toBe("VideoStartFailed");
    expect(definition.States.ReleaseAfterStartFailed?.Parameters).toMatchObject({
      RequestBody: { reason: "job_failed" },
    });
    expect(definition.States.VideoStartFailed).toMatchObject({ Type: "Fail", Error: "VideoStartFailed" });
  });

  it("has the states docs/step-functions.md lists, each of the type it says, and no other", () => {
    const text = readFileSync(new URL("../../docs/step-functions.md", import.meta.url), "utf8");
    const section = text.slice(text.indexOf("## Waiting for the video instead of polling"));
    const listed = [...section.matchAll(/^\| `(\w+)` \| (\w+)/gm)].map(([, name, type]) => [name, type]);
    const synthesized: string[][] = [];
    const collect = (states: Record<string, State>) => {
      for (const [name, state] of Object.entries(states)) {
        if (name !== "StartVideoJob") synthesized.push([name as string, state.Type]);
        for (const branch of state.Branches ?? []) collect(branch.States);
      }
    };
    collect(definition.States);
    expect(listed).toEqual(synthesized);
    expect(section).toContain("`StartVideoJob`, a Pass placeholder");
  });

  it("lets the webhook function, and only it, send task results, to this state machine only", () => {
    const send = ["states:SendTaskFailure", "states:SendTaskSuccess"];
    const machineId = Object.keys(resourcesOf(template, "AWS::StepFunctions::StateMachine")).find((id) =>
      id.startsWith("GatedVideoJobWithCallbackStateMachine"),
    );
    for (const fn of Object.values(resourcesOf(template, "AWS::Lambda::Function"))) {
      const roleId = (fn.Properties.Role as { "Fn::GetAtt": [string, string] })["Fn::GetAtt"][0];
      const statements = statementsOfRole(template, roleId).filter((s) =>
        actionsOf([s]).some((a) => a.startsWith("states:")),
      );
      if (fn.Properties.Description !== "HeyGen Quota Guard webhook receiver") {
        expect(statements).toEqual([]);
        continue;
      }
      expect(actionsOf(statements)).toEqual(send);
      expect(statements.map((s) => s.Resource)).toEqual([{ Ref: machineId }]);
    }
  });
});
