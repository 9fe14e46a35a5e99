import { type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { OwedAlert } from "#core/alert-delivery";
import type { OwedAlertStore } from "#service/history-port";
import { conditionalWrite } from "./conditional-write.ts";
import { definedOnly, stateKey } from "./state-item.ts";

/**
 * The alerts outlets still owe, as one map attribute of the account state item (`owedAlerts`, by alert id),
 * so that a reading reads them with the state it claims, at no extra read. Each alert is set or removed by
 * its own key, so a reading putting owed alerts again and an API call owing a new one never overwrite each
 * other; no other write of the state item touches the map.
 */
export class DynamoOwedAlertsStore implements OwedAlertStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async oweAlert(accountId: string, owed: OwedAlert): Promise<void> {
    const id = owed.alert.id;
    if (!id) throw new RangeError("oweAlert: the alert has no id (core/alert-delivery.ts alertIdOf)");
    const setOne = () =>
      conditionalWrite(
        this.doc,
        new UpdateCommand({
          TableName: this.tableName,
          Key: stateKey(accountId),
          UpdateExpression: "SET owedAlerts.#id = :owed",
          ConditionExpression: "attribute_exists(owedAlerts)",
          ExpressionAttributeNames: { "#id": id },
          ExpressionAttributeValues: { ":owed": definedOnly(owed) },
        }),
      );
    if ((await setOne()).applied) return;
    // The account's first owed alert: a map's key can only be set once the map exists.
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: stateKey(accountId),
        UpdateExpression: "SET owedAlerts = if_not_exists(owedAlerts, :none)",
        ExpressionAttributeValues: { ":none": {} },
      }),
    );
    await setOne();
  }

  async settleOwedAlert(accountId: string, alertId: string): Promise<void> {
    await conditionalWrite(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: stateKey(accountId),
        UpdateExpression: "REMOVE owedAlerts.#id",
        ConditionExpression: "attribute_exists(owedAlerts)",
        ExpressionAttributeNames: { "#id": alertId },
      }),
    );
  }
}
