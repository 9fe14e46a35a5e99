import { Duration } from "aws-cdk-lib";
import {
  Errors,
  Fail,
  IntegrationPattern,
  JsonPath,
  Parallel,
  Pass,
  type StateMachine,
  TaskInput,
  Timeout,
} from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";
import { RELEASE_ROUTE, WAIT_ROUTE } from "#api/route-list";
import {
  API_CALL_TIMEOUT,
  acknowledgeStateMachineFindings,
  CREDIT_REFUSAL_ERRORS,
  gatedStateMachine,
  releaseCall,
  reserveCall,
} from "./gated-video-job.ts";
import type { HeyGenWebhook } from "./heygen-webhook.ts";
import type { LogSettings } from "./log-settings.ts";
import type { QuotaGuardApi } from "./quota-guard-api.ts";
import { ReservationApiCall } from "./reservation-api-call.ts";
import { longestReserveSeconds, reserveSlot, type SlotWaitProps } from "./reserve-slot.ts";

export interface GatedVideoJobWithCallbackProps {
  readonly api: QuotaGuardApi;
  readonly webhook: HeyGenWebhook;
  /** Longest wait for the video, in seconds (the hold's TTL should be at least this). */
  readonly timeout: number;
  readonly logs: LogSettings;
  /** How long to wait for a render slot when every one is taken (reserve-slot.ts SLOT_WAIT_DEFAULTS). */
  readonly slotWait?: SlotWaitProps;
}

/** A minute less than the timeout: ASL wants HeartbeatSeconds below TimeoutSeconds (see the class doc). */
const HEARTBEAT_MARGIN_SECONDS = 60;

/**
 * Example of gating a video job on a reservation without polling (docs/webhooks.md):
 * ReserveSlot (Reserve) → StartVideoJob (callback_id = reservation id) → WaitForVideo (.waitForTaskToken) →
 * Done. The reserve waits for a render slot, and ends its denials, as GatedVideoJob's (reserve-slot.ts).
 *
 * StartVideoJob runs inside the Parallel StartVideo so that any error of the create call releases the hold:
 * HeyGen refusing it for credit (CREDIT_REFUSAL_ERRORS: an HTTP task's `States.Http.StatusCode.402`, or
 * `HeyGen.InsufficientCredit` from your own Lambda; field case G10) → ReleaseForCredit (reason
 * `insufficient_credit`: the guard reads the balance at once) → InsufficientCredits; any other error →
 * ReleaseAfterStartFailed (reason `job_failed`) → VideoStartFailed.
 *
 * WaitForVideo registers its task token on the hold (`POST /v1/reservations/{id}/wait`) and waits. When
 * HeyGen's webhook settles the hold (commit at the priced duration, or release), the webhook function sends
 * SendTaskSuccess, or SendTaskFailure `VideoFailed` / `InsufficientCredits`. A timeout releases the hold.
 * HeyGen sends no progress events, so nothing beats the heart: HeartbeatSeconds is set just below
 * TimeoutSeconds (ASL requires it lower) and both end in the same Release.
 *
 * Input: `{ "reservation": <body of POST /v1/reservations>, "job": <HeyGen video/generate body> }`.
 * test/e2e/gated-video-job-callback.test.ts runs the synthesized definition in aws-local-stepfunctions.
 */
export class GatedVideoJobWithCallback extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: GatedVideoJobWithCallbackProps) {
    super(scope, id);
    const { api } = props;
    const insufficientCredits = new Fail(this, "InsufficientCredits", {
      error: "InsufficientCredits",
      cause:
        "Quota Guard denied the reservation, or HeyGen refused or failed the video for lack of credit (released).",
    });
    const reservationFailed = new Fail(this, "ReservationFailed", {
      error: "ReservationFailed",
      cause: "Quota Guard could not be asked for a reservation; no credits are held.",
    });
    const videoFailed = new Fail(this, "VideoFailed", {
      error: "VideoFailed",
      cause: "HeyGen failed the video; the webhook released its reservation.",
    });
    const timedOut = new Fail(this, "VideoTimedOut", {
      error: "VideoTimedOut",
      cause: "No webhook came in time; the reservation was released.",
    });
    const startFailed = new Fail(this, "VideoStartFailed", {
      error: "VideoStartFailed",
      cause: "The video job could not be started; its reservation was released.",
    });

    const reserve = reserveSlot(this, reserveCall(this, api), {
      slotWait: props.slotWait,
      insufficientCredits,
      reservationFailed,
    });

    const release = releaseCall(this, api, "Release", "timed_out");
    release.addCatch(timedOut, { errors: [Errors.ALL], resultPath: "$.releaseError" });
    release.next(timedOut);
    const releaseForCredit = releaseCall(this, api, "ReleaseForCredit", "insufficient_credit");
    releaseForCredit.addCatch(insufficientCredits, { errors: [Errors.ALL], resultPath: "$.releaseError" });
    releaseForCredit.next(insufficientCredits);
    const releaseAfterStartFailed = releaseCall(this, api, "ReleaseAfterStartFailed", "job_failed");
    releaseAfterStartFailed.addCatch(startFailed, { errors: [Errors.ALL], resultPath: "$.releaseError" });
    releaseAfterStartFailed.next(startFailed);

    const start = new Pass(this, "StartVideoJob", {
      comment:
        "Placeholder for the HTTP task that creates the video (arn:aws:states:::http:invoke, POST " +
        "https://api.heygen.com/v2/video/generate through an EventBridge connection holding the HeyGen key): " +
        "its body is the job with callback_id set to the reservation id, which HeyGen echoes in its webhook.",
      parameters: {
        "callback_id.$": "$.reserved.reservation.id",
        "job.$": "$.job",
      },
      resultPath: "$.videoRequest",
    });
    const startVideo = new Parallel(this, "StartVideo", {
      comment: "Wraps the create call so that any error in it releases the hold (a Pass state cannot catch).",
      // The branch's output is the state with `videoRequest` added, as the create call alone would give.
      outputPath: "$[0]",
    });
    startVideo.branch(start);
    startVideo.addCatch(releaseForCredit, { errors: CREDIT_REFUSAL_ERRORS, resultPath: "$.startError" });
    startVideo.addCatch(releaseAfterStartFailed, { errors: [Errors.ALL], resultPath: "$.startError" });

    const wait = new ReservationApiCall(this, "WaitForVideo", {
      api,
      route: WAIT_ROUTE,
      integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      apiPath: JsonPath.format(
        WAIT_ROUTE.path.replace("{id}", "{}"),
        JsonPath.stringAt("$.reserved.reservation.id"),
      ),
      // The route reads the body; CDK insists on seeing the token in a header too.
      headers: TaskInput.fromObject({
        "Content-Type": ["application/json"],
        "Task-Token": JsonPath.array(JsonPath.taskToken),
      }),
      requestBody: TaskInput.fromObject({ taskToken: JsonPath.taskToken }),
      resultPath: "$.video",
      taskTimeout: Timeout.duration(Duration.seconds(props.timeout)),
      heartbeatTimeout: Timeout.duration(Duration.seconds(props.timeout - HEARTBEAT_MARGIN_SECONDS)),
    });
    // Not retryTransientFailures: a timed-out wait must release, not wait the whole timeout again.
    wait.addRetry({
      errors: ["ApiGateway.429", "ApiGateway.500", "ApiGateway.502", "ApiGateway.503", "ApiGateway.504"],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 3,
    });
    wait.addCatch(videoFailed, { errors: ["VideoFailed"], resultPath: "$.videoError" });
    wait.addCatch(insufficientCredits, { errors: ["InsufficientCredits"], resultPath: "$.videoError" });
    wait.addCatch(release, { errors: [Errors.ALL], resultPath: "$.videoError" });

    this.stateMachine = gatedStateMachine(this, {
      comment: "Gates a HeyGen video job on a Quota Guard reservation; HeyGen's webhook ends the wait",
      reserve,
      whenGranted: startVideo.next(wait),
      insufficientCredits,
      reservationFailed,
      // The execution outlives the wait by the release a timeout makes, and by the wait for a slot.
      timeout: Duration.seconds(
        props.timeout + 300 + longestReserveSeconds(props.slotWait, API_CALL_TIMEOUT),
      ),
      logs: props.logs,
    });
    props.webhook.allowTaskResults(this.stateMachine);
    acknowledgeStateMachineFindings(this, api, [RELEASE_ROUTE, WAIT_ROUTE]);
  }
}
