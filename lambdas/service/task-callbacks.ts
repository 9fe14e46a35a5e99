import { resolveReservationAccount } from "./accounts.ts";
import { UnknownReservationError } from "./errors.ts";
import type { Services } from "./services.ts";
import type { TaskResult } from "./task-callback-port.ts";
import { useCase } from "./use-case.ts";

/**
 * Step Functions waiting on a hold's job (`.waitForTaskToken`, docs/webhooks.md): the task registers its
 * token on the hold with `POST /v1/reservations/{id}/wait`, and the webhook that settles the hold stores the
 * job's outcome there. Token and result meet on the hold item (TaskCallbackStore), so whichever arrives
 * second sends, once, in either order. The outcome stays stored, so a task that waits again after the hold
 * was settled (a redrive, whose task has a new token) is sent it at once.
 */

/**
 * Registers a waiting task's token on the hold. If the job's outcome is already known, sends it now:
 * `sent`, or `gone` when Step Functions answers that the task no longer waits. Answers `not_found` for an
 * unknown hold; raises any other Step Functions failure (the task's Retry asks again).
 */
async function waitOnReservation(
  services: Services,
  reservationId: string,
  taskToken: string,
): Promise<"waiting" | "sent" | "gone" | "not_found"> {
  const outcome = await services.store.attachTaskToken(reservationId, taskToken);
  if (outcome.kind === "not_found") return "not_found";
  if (outcome.kind === "attached") return "waiting";
  return (await sendOnce(services, reservationId, taskToken, outcome.result)) ? "sent" : "gone";
}

/**
 * `POST /v1/reservations/{id}/wait`: registers the task's token on the hold (waitOnReservation).
 * `waiting: false` when the job's outcome was known already; `resultSent`: it has been sent to this token.
 * Raises UnknownReservationError, AccessDeniedError (the account's `access` rule leaves `caller` out).
 */
export const waitForVideo = /* @__PURE__ */ useCase(
  async (services: Services, reservationId: string, taskToken: string, caller: string) => {
    resolveReservationAccount(services, reservationId, caller);
    const outcome = await waitOnReservation(services, reservationId, taskToken);
    if (outcome === "not_found") throw new UnknownReservationError(reservationId);
    return { reservationId, waiting: outcome === "waiting", resultSent: outcome === "sent" };
  },
);

/** Step Functions' answers for a task that no longer waits: nothing a retry could change. */
const TASK_GONE = new Set(["TaskTimedOut", "InvalidToken", "TaskDoesNotExist"]);

/**
 * Stores the job's outcome on the hold, once (a stored outcome is never replaced: the first terminal outcome
 * of the job is the one a task is told), even when no task waits or sending fails; when a task waits, sends
 * it the stored outcome. A task that no longer waits is logged; any other failure to send is raised, so that
 * HeyGen's retry sends again (the token is not marked sent).
 */
export async function answerWaitingTask(
  services: Services,
  reservationId: string,
  result: TaskResult,
): Promise<void> {
  const outcome = await services.store.recordTaskResult(reservationId, result);
  if (outcome.kind === "recorded" && outcome.waitingToken !== undefined) {
    await sendOnce(services, reservationId, outcome.waitingToken, result);
  } else if (outcome.kind === "exists" && outcome.unsentToken !== undefined) {
    await sendOnce(services, reservationId, outcome.unsentToken, outcome.result);
  }
}

/**
 * Sends the result to the token once: only the caller that claims the token sends (a concurrent or retried
 * delivery finds it claimed and answers true without sending). False when the task no longer waits (logged;
 * the claim stays, no retry can reach it). Any other Step Functions failure gives the claim back and is
 * raised, so that HeyGen's retry sends again.
 */
async function sendOnce(
  services: Services,
  reservationId: string,
  taskToken: string,
  result: TaskResult,
): Promise<boolean> {
  if (!(await services.store.claimResultSend(reservationId, taskToken))) return true;
  try {
    await send(services, taskToken, result);
    return true;
  } catch (error) {
    if (!(error instanceof Error) || !TASK_GONE.has(error.name)) {
      await services.store.unclaimResultSend(reservationId, taskToken);
      throw error;
    }
    services.log.warn("the waiting task did not take its result; it is kept for a task that waits again", {
      reservationId,
      error: `${error.name}: ${error.message}`,
    });
    return false;
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
