import { UnknownReservationError } from "./errors.ts";
import { accountOfReservation } from "./reservations.ts";
import type { Services } from "./services.ts";
import type { TaskResult } from "./store-port.ts";
import { useCase } from "./use-case.ts";

/**
 * Step Functions waiting on a hold's video (`.waitForTaskToken`, docs/webhooks.md): the task registers its
 * token on the hold with `POST /v1/reservations/{id}/wait`, and the webhook that settles the hold sends
 * the result. Token and result meet on the hold item (TaskCallbackStore), so whichever arrives second
 * sends, once, in either order.
 */

/**
 * Registers a waiting task's token on the hold. If the video's outcome is already known, sends it now.
 * Answers `not_found` for an unknown hold; raises when Step Functions refuses the result.
 */
async function waitOnReservation(
  services: Services,
  reservationId: string,
  taskToken: string,
): Promise<"waiting" | "sent" | "not_found"> {
  const outcome = await services.store.attachTaskToken(reservationId, taskToken);
  if (outcome.kind === "not_found") return "not_found";
  if (outcome.kind === "attached") return "waiting";
  await send(services, taskToken, outcome.result);
  return "sent";
}

/**
 * `POST /v1/reservations/{id}/wait`: registers the task's token on the hold (waitOnReservation).
 * `resultSent`: the outcome was known already and has been sent. Raises UnknownReservationError.
 */
export const waitForVideo = useCase(async (services: Services, reservationId: string, taskToken: string) => {
  if (!accountOfReservation(services, reservationId)) throw new UnknownReservationError(reservationId);
  const outcome = await waitOnReservation(services, reservationId, taskToken);
  if (outcome === "not_found") throw new UnknownReservationError(reservationId);
  return { reservationId, waiting: outcome === "waiting", resultSent: outcome === "sent" };
});

/** Step Functions' answers for a task that no longer waits: nothing a retry could change. */
const TASK_GONE = new Set(["TaskTimedOut", "InvalidToken", "TaskDoesNotExist"]);

/**
 * Records the video's outcome on the hold; when a task is already waiting on it, sends it. A task that no
 * longer waits (timed out, or sent before by a retried delivery) is logged; any other failure to send is
 * raised, so that HeyGen's retry sends again (the stored token is found again).
 */
export async function settleWaitingTask(
  services: Services,
  reservationId: string,
  result: TaskResult,
): Promise<void> {
  const outcome = await services.store.recordTaskResult(reservationId, result);
  if (outcome.kind !== "token") return;
  try {
    await send(services, outcome.taskToken, result);
  } catch (error) {
    if (!(error instanceof Error) || !TASK_GONE.has(error.name)) throw error;
    services.log.warn("the waiting task did not take its result", {
      reservationId,
      error: `${error.name}: ${error.message}`,
    });
  }
}

async function send(services: Services, taskToken: string, result: TaskResult): Promise<void> {
  if (!services.taskResults) {
    services.log.warn("a task waits on a hold but no task result sender is configured");
    return;
  }
  if (result.status === "success") await services.taskResults.succeed(taskToken, result.output);
  else await services.taskResults.fail(taskToken, result.error, result.cause);
}
