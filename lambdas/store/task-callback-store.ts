import { type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { accountIdOfReservation } from "#core/reservation-id";
import type { TaskCallbackStore, TaskResult } from "#service/task-callback-port";
import { conditionalWrite } from "./conditional-write.ts";
import { holdKey } from "./hold-items.ts";

/**
 * `taskToken`, `taskResult` and `resultSentTo` on the hold item (TaskCallbackStore), each one single-item
 * update that answers the item as it was before it (ReturnValues ALL_OLD), so that of a token and the result
 * the one written second sees the first: exactly one writer sends a given token its result. The result is
 * written once (conditional on its absence) and kept, so a task that waits again later (a redrive, a lost
 * `/wait` answer) still finds it. None of them changes the hold's `version`, so they never make a concurrent
 * commit or release retry.
 */
export class DynamoTaskCallbackStore implements TaskCallbackStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async attachTaskToken(reservationId: string, taskToken: string) {
    const key = this.key(reservationId);
    if (key === undefined) return { kind: "not_found" } as const;
    const outcome = await conditionalWrite(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        // The newest token replaces an older one: a task that waits again (a redrive) has a new token, and
        // the old task is gone.
        UpdateExpression: "SET taskToken = :token",
        ConditionExpression: "attribute_exists(sk)",
        ExpressionAttributeValues: { ":token": taskToken },
        ReturnValues: "ALL_OLD",
      }),
    );
    if (!outcome.applied) return { kind: "not_found" } as const;
    const stored = outcome.attributes?.taskResult;
    if (stored === undefined) return { kind: "attached" } as const;
    return { kind: "result", result: JSON.parse(String(stored)) as TaskResult } as const;
  }

  async recordTaskResult(reservationId: string, result: TaskResult) {
    const key = this.key(reservationId);
    if (key === undefined) return { kind: "not_found" } as const;
    const outcome = await conditionalWrite(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        // As JSON text, like the hold's spec: its output may carry numbers DynamoDB cannot store.
        UpdateExpression: "SET taskResult = :result",
        ConditionExpression: "attribute_exists(sk) AND attribute_not_exists(taskResult)",
        ExpressionAttributeValues: { ":result": JSON.stringify(result) },
        ReturnValues: "ALL_OLD",
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
    );
    if (outcome.applied) {
      const token = outcome.attributes?.taskToken;
      return token === undefined
        ? ({ kind: "recorded" } as const)
        : ({ kind: "recorded", waitingToken: String(token) } as const);
    }
    const item = outcome.oldItem;
    if (item === undefined) return { kind: "not_found" } as const;
    const stored = JSON.parse(String(item.taskResult)) as TaskResult;
    const token = item.taskToken === undefined ? undefined : String(item.taskToken);
    // A token the stored result has not reached (its send failed, and this is HeyGen's retry).
    return token !== undefined && item.resultSentTo !== token
      ? ({ kind: "exists", result: stored, unsentToken: token } as const)
      : ({ kind: "exists", result: stored } as const);
  }

  /**
   * Claims the send of the result to `taskToken`: true for exactly one caller per token, so two deliveries
   * racing on one hold send once. The claim is the `resultSentTo` marker itself.
   */
  async claimResultSend(reservationId: string, taskToken: string): Promise<boolean> {
    const key = this.key(reservationId);
    if (key === undefined) return false;
    const outcome = await conditionalWrite(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: "SET resultSentTo = :token",
        ConditionExpression:
          "attribute_exists(sk) AND (attribute_not_exists(resultSentTo) OR resultSentTo <> :token)",
        ExpressionAttributeValues: { ":token": taskToken },
      }),
    );
    return outcome.applied;
  }

  /** Gives a claim back after a failed send, so HeyGen's retry (or a new wait) sends again. */
  async unclaimResultSend(reservationId: string, taskToken: string): Promise<void> {
    const key = this.key(reservationId);
    if (key === undefined) return;
    await conditionalWrite(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: "REMOVE resultSentTo",
        ConditionExpression: "resultSentTo = :token",
        ExpressionAttributeValues: { ":token": taskToken },
      }),
    );
  }

  private key(reservationId: string) {
    const accountId = accountIdOfReservation(reservationId);
    return accountId === undefined ? undefined : holdKey(accountId, reservationId);
  }
}
