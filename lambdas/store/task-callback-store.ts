import { type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { accountIdOfReservation } from "#core/reservation-id";
import type { TaskCallbackStore, TaskResult } from "#service/store-port";
import { conditionalWrite } from "./conditional-write.ts";
import { holdKey } from "./hold-items.ts";

/**
 * `taskToken` and `taskResult` on the hold item (TaskCallbackStore): each written only while the other is
 * absent, and only on an existing hold. Neither changes the hold's `version`, so they never make a
 * concurrent commit or release retry.
 */
export class DynamoTaskCallbackStore implements TaskCallbackStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async attachTaskToken(reservationId: string, taskToken: string) {
    const outcome = await this.write(reservationId, "taskToken", taskToken, "taskResult");
    if (outcome === "not_found") return { kind: "not_found" } as const;
    if (outcome.applied) return { kind: "attached" } as const;
    return { kind: "result", result: JSON.parse(String(outcome.other)) as TaskResult } as const;
  }

  async recordTaskResult(reservationId: string, result: TaskResult) {
    // As JSON text, like the hold's spec: its output may carry numbers DynamoDB cannot store.
    const outcome = await this.write(reservationId, "taskResult", JSON.stringify(result), "taskToken");
    if (outcome === "not_found") return { kind: "not_found" } as const;
    if (outcome.applied) return { kind: "recorded" } as const;
    return { kind: "token", taskToken: String(outcome.other) } as const;
  }

  private async write(reservationId: string, name: string, value: string, other: string) {
    const accountId = accountIdOfReservation(reservationId);
    if (accountId === undefined) return "not_found" as const;
    const outcome = await conditionalWrite(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: holdKey(accountId, reservationId),
        UpdateExpression: "SET #name = :value",
        ConditionExpression: "attribute_exists(sk) AND attribute_not_exists(#other)",
        ExpressionAttributeNames: { "#name": name, "#other": other },
        ExpressionAttributeValues: { ":value": value },
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
    );
    if (outcome.applied) return { applied: true as const };
    if (outcome.oldItem === undefined) return "not_found" as const;
    return { applied: false as const, other: outcome.oldItem[other] };
  }
}
