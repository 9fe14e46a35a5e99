import { type CfnElement, Duration, Stack } from "aws-cdk-lib";
import {
  type Chain,
  Choice,
  Condition,
  DefinitionBody,
  Errors,
  Fail,
  JsonPath,
  LogLevel,
  Parallel,
  Pass,
  StateMachine,
  StateMachineType,
  Succeed,
  TaskInput,
  Timeout,
} from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";
import { type ApiRoute, COMMIT_ROUTE, executeApiPath, RELEASE_ROUTE, RESERVE_ROUTE } from "#api/route-list";
import type { ReleaseReason } from "#core/account";
import { CREDIT_REFUSAL_ERROR } from "#core/credit-refusal";
import { createLogGroup, type LogSettings } from "./log-settings.ts";
import { acknowledge } from "./nag.ts";
import type { QuotaGuardApi } from "./quota-guard-api.ts";
import { DEFAULT_STAGE } from "./quota-guard-api.ts";
import { ReservationApiCall } from "./reservation-api-call.ts";
import { longestReserveSeconds, reserveSlot, type SlotWaitProps } from "./reserve-slot.ts";

export interface GatedVideoJobProps {
  readonly api: QuotaGuardApi;
  /**
   * Longest run from the grant, in seconds; a job that outlives its hold would spend credits nobody holds.
   * The execution's timeout adds the longest wait for a render slot (`slotWait`) to it.
   */
  readonly timeout: number;
  readonly logs: LogSettings;
  /** How long to wait for a render slot when every one is taken (reserve-slot.ts SLOT_WAIT_DEFAULTS). */
  readonly slotWait?: SlotWaitProps;
}

/** How long one call to the Quota Guard API may take (API Gateway itself gives up at 30 s). */
export const API_CALL_TIMEOUT = Duration.seconds(30);

/**
 * The task errors that mean "HeyGen refused the job for lack of credit": what an HTTP task
 * (`arn:aws:states:::http:invoke`) raises for a 402, and the name a pipeline's own Lambda raises
 * (CREDIT_REFUSAL_ERROR, e.g. when core/credit-refusal.ts's isCreditRefusal says so). Caught, they release
 * the hold with reason `insufficient_credit` (the guard then reads the balance at once) and end
 * InsufficientCredits.
 */
export const CREDIT_REFUSAL_ERRORS = ["States.Http.StatusCode.402", CREDIT_REFUSAL_ERROR];

/**
 * Example of gating a video job on a credit reservation (docs/step-functions.md):
 * ReserveSlot (Reserve) → (granted) RunVideoJob → Commit → Done; a failing job → Release (reason
 * `job_failed`) → VideoJobFailed; HeyGen refusing it for credit (CREDIT_REFUSAL_ERRORS) → ReleaseForCredit
 * (reason `insufficient_credit`) → InsufficientCredits. A reserve denied for balance (409
 * insufficient-balance) → InsufficientCredits; with every render slot taken (409 no-free-slot) it is tried
 * again within `slotWait`'s bound, then NoFreeSlot; any other denial → ReservationDenied (reserve-slot.ts).
 *
 * A Commit that meets a hold no longer held (409: it expired, e.g. a redrive of an execution that timed out
 * while the job ran, field case G6) records the spend on a new hold: ReserveSpent (Idempotency-Key
 * `<execution name>-spent-<$$.Execution.RedriveCount>`, so each rerun of the job is counted once) →
 * CommitSpent → Done; CommitFailed when that new hold does not fit (docs/webhooks.md "Redrives").
 *
 * Input: `{ "reservation": <body of POST /v1/reservations>, "job": <whatever your job needs> }`.
 * The execution name is the Idempotency-Key of every call, so a retried Reserve never holds credits twice and
 * a retried Commit or Release whose first answer was lost gets that answer (test/e2e/gated-video-job.test.ts
 * runs the synthesized definition in an ASL interpreter against the local stack).
 */
export class GatedVideoJob extends Construct {
  readonly stateMachine: StateMachine;
  private readonly api: QuotaGuardApi;

  constructor(scope: Construct, id: string, props: GatedVideoJobProps) {
    super(scope, id);
    this.api = props.api;
    const insufficientCredits = new Fail(this, "InsufficientCredits", {
      error: "InsufficientCredits",
      cause:
        "Quota Guard denied the reservation (the account's available balance is below the job's cost), or " +
        "HeyGen refused the job for lack of credit (its hold released, the balance read at once).",
    });
    const reservationFailed = new Fail(this, "ReservationFailed", {
      error: "ReservationFailed",
      cause: "Quota Guard could not be asked for a reservation; no credits are held.",
    });
    const jobFailed = new Fail(this, "VideoJobFailed", {
      error: "VideoJobFailed",
      cause: "The video job failed; its reservation was released.",
    });
    const commitFailed = new Fail(this, "CommitFailed", {
      error: "CommitFailed",
      cause:
        "The job ran but its spend was not recorded (the commit failed, or its hold had ended and no new " +
        "hold fitted); a held hold keeps counting until its TTL, and the next balance reading shows the spend.",
    });

    const reserve = reserveSlot(this, reserveCall(this, this.api), {
      slotWait: props.slotWait,
      insufficientCredits,
      reservationFailed,
    });

    const release = releaseCall(this, this.api, "Release", "job_failed");
    release.addCatch(jobFailed, { errors: [Errors.ALL], resultPath: "$.releaseError" });
    release.next(jobFailed);
    const releaseForCredit = releaseCall(this, this.api, "ReleaseForCredit", "insufficient_credit");
    releaseForCredit.addCatch(insufficientCredits, { errors: [Errors.ALL], resultPath: "$.releaseError" });
    releaseForCredit.next(insufficientCredits);

    const job = new Parallel(this, "VideoJob", {
      comment: "Wraps the job so that any failure in it is caught (a Pass state cannot catch).",
      resultSelector: { "output.$": "$[0]" },
      resultPath: "$.job",
    });
    job.branch(
      new Pass(this, "RunVideoJob", { comment: "Placeholder: replace with your video job's states." }),
    );
    job.addCatch(releaseForCredit, { errors: CREDIT_REFUSAL_ERRORS, resultPath: "$.jobError" });
    job.addCatch(release, { errors: [Errors.ALL], resultPath: "$.jobError" });

    const done = new Succeed(this, "Done");
    // The hold ended before the commit (expired): the job spent all the same, so a new hold records it.
    const reserveSpent = reserveCall(this, this.api, {
      id: "ReserveSpent",
      idempotencyKey: JsonPath.format(
        "{}-spent-{}",
        JsonPath.stringAt("$$.Execution.Name"),
        JsonPath.stringAt("$$.Execution.RedriveCount"),
      ),
    });
    reserveSpent.addCatch(commitFailed, { errors: [Errors.ALL], resultPath: "$.commitError" });
    const commitSpent = settleCall(this, this.api, "CommitSpent", COMMIT_ROUTE);
    commitSpent.addCatch(commitFailed, { errors: [Errors.ALL], resultPath: "$.commitError" });
    reserveSpent.next(commitSpent).next(done);

    const commit = settleCall(this, this.api, "Commit", COMMIT_ROUTE);
    commit.addCatch(reserveSpent, { errors: ["ApiGateway.409"], resultPath: "$.commitError" });
    commit.addCatch(commitFailed, { errors: [Errors.ALL], resultPath: "$.commitError" });

    this.stateMachine = gatedStateMachine(this, {
      comment: "Gates a HeyGen video job on a Quota Guard credit reservation",
      reserve,
      done,
      whenGranted: job.next(commit),
      insufficientCredits,
      reservationFailed,
      timeout: Duration.seconds(props.timeout + longestReserveSeconds(props.slotWait, API_CALL_TIMEOUT)),
      logs: props.logs,
    });
    acknowledgeStateMachineFindings(this, this.api, [COMMIT_ROUTE, RELEASE_ROUTE]);
  }
}

/**
 * Reserve (reserve-slot.ts's ReserveSlot) → ReservationGranted: 200/201 runs `whenGranted` then Done, 409
 * ends in `insufficientCredits`, anything else in `reservationFailed`; a standard state machine with full
 * logs and tracing.
 */
export function gatedStateMachine(
  scope: Construct,
  props: {
    comment: string;
    reserve: Parallel;
    whenGranted: Chain;
    /** The success state, when other paths than `whenGranted` end in it too. */
    done?: Succeed;
    insufficientCredits: Fail;
    reservationFailed: Fail;
    timeout: Duration;
    logs: LogSettings;
  },
): StateMachine {
  const granted = new Choice(scope, "ReservationGranted")
    .when(
      Condition.or(
        Condition.numberEquals("$.reserved.statusCode", 201),
        Condition.numberEquals("$.reserved.statusCode", 200),
      ),
      props.whenGranted.next(props.done ?? new Succeed(scope, "Done")),
    )
    .when(Condition.numberEquals("$.reserved.statusCode", 409), props.insufficientCredits)
    .otherwise(props.reservationFailed);
  return new StateMachine(scope, "StateMachine", {
    stateMachineType: StateMachineType.STANDARD,
    comment: props.comment,
    definitionBody: DefinitionBody.fromChainable(props.reserve.next(granted)),
    timeout: props.timeout,
    tracingEnabled: true,
    logs: {
      destination: createLogGroup(scope, "Logs", props.logs),
      level: LogLevel.ALL,
      includeExecutionData: false,
    },
  });
}

/**
 * The findings every example state machine shares: grants on routes whose `{id}` is only known at run time,
 * and the log and trace deliveries that support no resource-level permissions.
 */
export function acknowledgeStateMachineFindings(
  scope: Construct,
  api: QuotaGuardApi,
  routesWithId: readonly ApiRoute[],
): void {
  const apiLogicalId = Stack.of(scope).getLogicalId(api.httpApi.node.defaultChild as CfnElement);
  for (const route of routesWithId) {
    acknowledge(
      scope,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiLogicalId}>/${DEFAULT_STAGE}/${route.method}${executeApiPath(route)}]`,
      "The wildcard is the reservation id, known only at run time; the grant names this one route.",
    );
  }
  acknowledge(
    scope,
    "AwsSolutions-IAM5[Resource::*]",
    "Delivering execution logs (logs:*LogDelivery*, DescribeLogGroups...) and X-Ray traces " +
      "(xray:PutTraceSegments...) support no resource-level permissions.",
  );
}

/**
 * POST /v1/reservations with the execution name (or `idempotencyKey`) as Idempotency-Key, so a retried
 * Reserve never holds twice. Input `$.reservation` (the request body); result in `$.reserved`
 * ({ statusCode, reservation }).
 */
export function reserveCall(
  scope: Construct,
  api: QuotaGuardApi,
  options: { id?: string; idempotencyKey?: string } = {},
): ReservationApiCall {
  const call = new ReservationApiCall(scope, options.id ?? "Reserve", {
    api,
    route: RESERVE_ROUTE,
    apiPath: RESERVE_ROUTE.path,
    headers: TaskInput.fromObject({
      "Content-Type": ["application/json"],
      "Idempotency-Key": JsonPath.array(options.idempotencyKey ?? JsonPath.stringAt("$$.Execution.Name")),
    }),
    requestBody: TaskInput.fromJsonPathAt("$.reservation"),
    resultSelector: { "statusCode.$": "$.StatusCode", "reservation.$": "$.ResponseBody" },
    resultPath: "$.reserved",
    taskTimeout: Timeout.duration(API_CALL_TIMEOUT),
  });
  return retryTransientFailures(call);
}

/**
 * Commit or release the hold made by Reserve. Both are safe to retry: a repeated final commit or release
 * answers 200 with Idempotent-Replayed, and the execution name as Idempotency-Key makes a retry answer the
 * stored answer whatever happened in between, so a lost answer never ends the execution in a failure.
 */
export function settleCall(
  scope: Construct,
  api: QuotaGuardApi,
  id: string,
  route: typeof COMMIT_ROUTE | typeof RELEASE_ROUTE,
  options: { body?: Record<string, unknown>; resultPath?: string } = {},
): ReservationApiCall {
  const call = new ReservationApiCall(scope, id, {
    api,
    route,
    apiPath: JsonPath.format(
      route.path.replace("{id}", "{}"),
      JsonPath.stringAt("$.reserved.reservation.id"),
    ),
    headers: TaskInput.fromObject({
      "Content-Type": ["application/json"],
      "Idempotency-Key": JsonPath.array(JsonPath.stringAt("$$.Execution.Name")),
    }),
    requestBody: TaskInput.fromObject(options.body ?? {}),
    resultSelector: { "statusCode.$": "$.StatusCode", "reservation.$": "$.ResponseBody" },
    resultPath: options.resultPath ?? `$.${id.toLowerCase()}`,
    taskTimeout: Timeout.duration(API_CALL_TIMEOUT),
  });
  return retryTransientFailures(call);
}

/**
 * A Release saying why (`reason` in its body, recorded on the hold); `insufficient_credit` makes the guard
 * read the balance at once. Result in `$.release` whichever release ran.
 */
export function releaseCall(
  scope: Construct,
  api: QuotaGuardApi,
  id: string,
  reason: ReleaseReason,
): ReservationApiCall {
  return settleCall(scope, api, id, RELEASE_ROUTE, { body: { reason }, resultPath: "$.release" });
}

/** Throttling, 5xx and timeouts are worth another try; a 4xx answer will not change. */
export function retryTransientFailures(call: ReservationApiCall): ReservationApiCall {
  call.addRetry({
    errors: [
      "ApiGateway.429",
      "ApiGateway.500",
      "ApiGateway.502",
      "ApiGateway.503",
      "ApiGateway.504",
      Errors.TIMEOUT,
    ],
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 3,
  });
  return call;
}
