import { Duration } from "aws-cdk-lib";
import { Choice, Condition, Errors, Fail, JsonPath, Parallel, Pass } from "aws-cdk-lib/aws-stepfunctions";
import type { Construct } from "constructs";
import type { ReservationApiCall } from "./reservation-api-call.ts";

/**
 * How long an example state machine waits for a render slot when `POST /v1/reservations` answers 409
 * `no-free-slot`: Step Functions' own Retry on that error, `intervalSeconds` first, each wait `backoffRate`
 * times the one before, none longer than `maxDelaySeconds`, at most `maxRetries` times; then the execution
 * fails `QuotaGuard.NoFreeSlot`. Every field is optional (SLOT_WAIT_DEFAULTS).
 */
export interface SlotWaitProps {
  /** Reserves tried again after the first no-free-slot; 0 fails at once. Whole number, at most 100. */
  readonly maxRetries?: number;
  /** The first wait, in seconds (whole, ≥ 1). */
  readonly intervalSeconds?: number;
  /** Each wait is the previous one times this (≥ 1; 1 waits `intervalSeconds` every time). */
  readonly backoffRate?: number;
  /** The longest single wait, in seconds (whole, ≥ `intervalSeconds`). */
  readonly maxDelaySeconds?: number;
}

/**
 * 30 s, 60 s, 120 s, 240 s, then 300 s: 10 retries, 37.5 min of waiting at most. A slot frees when a render
 * ends (minutes for HeyGen), so a first retry sooner than the guard's usual Retry-After only meets another 409.
 */
export const SLOT_WAIT_DEFAULTS: Required<SlotWaitProps> = {
  maxRetries: 10,
  intervalSeconds: 30,
  backoffRate: 2,
  maxDelaySeconds: 300,
};

/** The error an execution ends with when no slot freed within the bound; its cause is the last problem. */
export const NO_FREE_SLOT_ERROR = "QuotaGuard.NoFreeSlot";
/**
 * The error of any other 409 on reserve (budget-exhausted, budget-max-per-job, paused, ...): not retried, as
 * waiting does not free a budget, lift a cap or resume an account. Its cause is the problem as answered.
 */
export const RESERVATION_DENIED_ERROR = "QuotaGuard.ReservationDenied";
/** The error of a 409 insufficient-balance, as before there were slots. */
const INSUFFICIENT_CREDITS_ERROR = "InsufficientCredits";

/** The bound `props` set: each wait in seconds, in order, and their sum. Raises on a setting out of range. */
export function slotWaitBound(props: SlotWaitProps = {}): {
  settings: Required<SlotWaitProps>;
  waitsSeconds: number[];
  totalSeconds: number;
} {
  const settings = { ...SLOT_WAIT_DEFAULTS, ...props };
  const { maxRetries, intervalSeconds, backoffRate, maxDelaySeconds } = settings;
  const wholeIn = (value: number, low: number, high: number) =>
    Number.isInteger(value) && value >= low && value <= high;
  if (!wholeIn(maxRetries, 0, 100)) throw new Error(`slotWait.maxRetries must be 0..100, not ${maxRetries}`);
  if (!wholeIn(intervalSeconds, 1, 86_400))
    throw new Error(`slotWait.intervalSeconds must be a whole 1..86400, not ${intervalSeconds}`);
  if (!(Number.isFinite(backoffRate) && backoffRate >= 1))
    throw new Error(`slotWait.backoffRate must be at least 1, not ${backoffRate}`);
  if (!wholeIn(maxDelaySeconds, intervalSeconds, 86_400))
    throw new Error(
      `slotWait.maxDelaySeconds must be a whole ${intervalSeconds}..86400, not ${maxDelaySeconds}`,
    );
  // Step Functions' own rule: the n-th retry waits IntervalSeconds × BackoffRate^(n−1), capped by MaxDelaySeconds.
  const waitsSeconds = Array.from({ length: maxRetries }, (_, n) =>
    Math.min(intervalSeconds * backoffRate ** n, maxDelaySeconds),
  );
  return { settings, waitsSeconds, totalSeconds: waitsSeconds.reduce((sum, wait) => sum + wait, 0) };
}

/**
 * The longest a reserve can take, in seconds, slot waits included: each try's call (its own retries of
 * throttling and timeouts aside) plus every wait. An execution's timeout must allow it on top of the job's.
 */
export function longestReserveSeconds(props: SlotWaitProps | undefined, callTimeout: Duration): number {
  const { settings, totalSeconds } = slotWaitBound(props);
  return Math.ceil(totalSeconds + (settings.maxRetries + 1) * callTimeout.toSeconds());
}

/**
 * `ReserveSlot`: a one-branch Parallel around Reserve, so that a denial's problem can be read and a
 * no-free-slot retried by Step Functions' own Retry. The API Gateway integration raises a non-2xx answer as
 * `ApiGateway.<status>` with the body as the error's Cause and no headers, so Retry-After cannot be read:
 * the waits are the bound's backoff instead (docs/step-functions.md, "Render slots").
 *
 * Inside: Reserve → (409) ReadDenial parses the problem → DenialKind: no-free-slot fails the branch with
 * NO_FREE_SLOT_ERROR (retried), insufficient-balance with InsufficientCredits, any other type with
 * RESERVATION_DENIED_ERROR. Outside: retries exhausted → `NoFreeSlot`; InsufficientCredits →
 * `insufficientCredits`; a denial → `ReservationDenied`; anything else (a 5xx after Reserve's own retries,
 * a body that is not JSON) → `reservationFailed`. `reserve` is gated-video-job.ts's reserveCall; the output is
 * its input with `reserved` ({statusCode, reservation}).
 */
export function reserveSlot(
  scope: Construct,
  reserve: ReservationApiCall,
  props: { slotWait?: SlotWaitProps | undefined; insufficientCredits: Fail; reservationFailed: Fail },
): Parallel {
  const { settings } = slotWaitBound(props.slotWait);
  const readDenial = new Pass(scope, "ReadDenial", {
    parameters: {
      Cause: JsonPath.stringAt("$.denial.Cause"),
      problem: JsonPath.stringToJson(JsonPath.stringAt("$.denial.Cause")),
    },
    resultPath: "$.denial",
  });
  reserve.addCatch(readDenial, { errors: ["ApiGateway.409"], resultPath: "$.denial" });
  const typeIs = (type: string) =>
    Condition.and(
      Condition.isPresent("$.denial.problem.type"),
      Condition.stringMatches("$.denial.problem.type", `*/problems/${type}`),
    );
  const branchFail = (id: string, error: string) =>
    new Fail(scope, id, { error, causePath: JsonPath.stringAt("$.denial.Cause") });
  readDenial.next(
    new Choice(scope, "DenialKind")
      .when(typeIs("no-free-slot"), branchFail("SlotTaken", NO_FREE_SLOT_ERROR))
      .when(typeIs("insufficient-balance"), branchFail("BalanceTooLow", INSUFFICIENT_CREDITS_ERROR))
      .otherwise(branchFail("Denied", RESERVATION_DENIED_ERROR)),
  );

  const reserveSlot = new Parallel(scope, "ReserveSlot", {
    comment:
      "Reserve, with its 409 read: no-free-slot is retried (the bound), any other denial ends the run at once.",
    outputPath: "$[0]",
  });
  reserveSlot.branch(reserve);
  if (settings.maxRetries > 0) {
    reserveSlot.addRetry({
      errors: [NO_FREE_SLOT_ERROR],
      interval: Duration.seconds(settings.intervalSeconds),
      backoffRate: settings.backoffRate,
      maxDelay: Duration.seconds(settings.maxDelaySeconds),
      maxAttempts: settings.maxRetries,
    });
  }
  const noFreeSlot = new Fail(scope, "NoFreeSlot", {
    error: NO_FREE_SLOT_ERROR,
    causePath: JsonPath.stringAt("$.denial.Cause"),
  });
  const denied = new Fail(scope, "ReservationDenied", {
    error: RESERVATION_DENIED_ERROR,
    causePath: JsonPath.stringAt("$.denial.Cause"),
  });
  reserveSlot.addCatch(noFreeSlot, { errors: [NO_FREE_SLOT_ERROR], resultPath: "$.denial" });
  reserveSlot.addCatch(props.insufficientCredits, {
    errors: [INSUFFICIENT_CREDITS_ERROR],
    resultPath: "$.denial",
  });
  reserveSlot.addCatch(denied, { errors: [RESERVATION_DENIED_ERROR], resultPath: "$.denial" });
  reserveSlot.addCatch(props.reservationFailed, { errors: [Errors.ALL], resultPath: "$.error" });
  return reserveSlot;
}
