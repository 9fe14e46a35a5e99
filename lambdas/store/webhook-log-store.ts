import { BatchGetCommand, type DynamoDBDocumentClient, TransactWriteCommand } from "@aws-sdk/lib-dynamodb";
import type { WebhookLogEntry, WebhookLogStore } from "#service/webhook-log-port";
import { keys } from "#store/table";
import { newestItems } from "./newest-items.ts";
import { definedOnly, expiryEpochSeconds } from "./state-item.ts";

/**
 * The webhook log: one `EVENT#` item per delivery, newest first on read, and one `DELIVERY#` marker per
 * delivery key, written in the same transaction so that a delivery is recorded exactly once. Both expire
 * after `retentionDays`, like the alert log; HeyGen's retries come within hours, well inside it.
 */
export class DynamoWebhookLogStore implements WebhookLogStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async seenDelivery(accountId: string, deliveryKeys: readonly string[]): Promise<boolean> {
    if (deliveryKeys.length === 0) return false;
    const { Responses } = await this.doc.send(
      new BatchGetCommand({
        RequestItems: {
          [this.tableName]: {
            Keys: deliveryKeys.map((key) => ({ pk: keys.account(accountId), sk: keys.delivery(key) })),
            ConsistentRead: true,
            ProjectionExpression: "pk",
          },
        },
      }),
    );
    return (Responses?.[this.tableName]?.length ?? 0) > 0;
  }

  async recordDelivery(
    entry: WebhookLogEntry,
    deliveryKeys: readonly string[],
    retentionDays: number,
  ): Promise<boolean> {
    const pk = keys.account(entry.accountId);
    const ttl = expiryEpochSeconds(new Date(entry.receivedAt), retentionDays);
    const first = deliveryKeys[0] ?? "none";
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            ...deliveryKeys.map((key) => ({
              Put: {
                TableName: this.tableName,
                Item: { pk, sk: keys.delivery(key), receivedAt: entry.receivedAt, ttl },
                ConditionExpression: "attribute_not_exists(sk)",
              },
            })),
            {
              Put: {
                TableName: this.tableName,
                Item: { pk, sk: keys.webhookEvent(entry.receivedAt, first), event: definedOnly(entry), ttl },
              },
            },
          ],
        }),
      );
      return true;
    } catch (error) {
      const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
      if (reasons?.some((reason) => reason.Code === "ConditionalCheckFailed")) return false;
      throw error;
    }
  }

  async listWebhookEvents(accountId: string, limit: number): Promise<WebhookLogEntry[]> {
    const items = await newestItems(this.doc, this.tableName, accountId, keys.webhookEventPrefix, limit);
    return items.map((item) => item.event as WebhookLogEntry);
  }
}
