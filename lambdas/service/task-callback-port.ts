import type { ReservationView } from "#core/reservations";

/**
 * What a Step Functions task waiting on a hold's video (`.waitForTaskToken`) is sent: success, or a failure
 * named `VideoFailed` or `InsufficientCredits`.
 */
export type TaskResult =
  | { status: "success"; output: ReservationView }
  | { status: "failure"; error: "VideoFailed" | "InsufficientCredits"; cause: string };

/**
 * A waiting task's token and the job's outcome meet on the hold item, each written by one single-item update
 * that sees the item as it was: of a token and the result, the one written second sees the first and its
 * writer sends the result, so each token is sent its result by one writer, whether the webhook arrives before
 * or after the task starts waiting. The result is written once and kept: a later event never overwrites it,
 * and a task that waits again (a redrive) is sent it at once.
 */
export interface TaskCallbackStore {
  /**
   * Stores the token (replacing an older one: that task no longer waits); when a result is stored, answers
   * it (the caller sends it to this token).
   */
  attachTaskToken(
    reservationId: string,
    taskToken: string,
  ): Promise<{ kind: "attached" } | { kind: "result"; result: TaskResult } | { kind: "not_found" }>;
  /**
   * Stores the result unless one is stored. `waitingToken`: a task was waiting when it was stored (the
   * caller sends it). `exists`: the stored result (never replaced), with `unsentToken` when a waiting token
   * was not marked sent (an earlier send failed; the caller sends the stored result again).
   */
  recordTaskResult(
    reservationId: string,
    result: TaskResult,
  ): Promise<
    | { kind: "recorded"; waitingToken?: string }
    | { kind: "exists"; result: TaskResult; unsentToken?: string }
    | { kind: "not_found" }
  >;
  /**
   * Claims sending the result to `taskToken` (marks it sent): true for exactly one caller per token, so a
   * retried or concurrent delivery sends no more.
   */
  claimResultSend(reservationId: string, taskToken: string): Promise<boolean>;
  /** Gives back a claim whose send failed, so that a retry sends again. */
  unclaimResultSend(reservationId: string, taskToken: string): Promise<void>;
}
