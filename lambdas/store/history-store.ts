import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { Alert } from "#core/account";
import { alertDiscriminator } from "#core/alert-delivery";
import type { BalanceSnapshot } from "#core/balance";
import type { HistoryStore, SnapshotRange } from "#service/history-port";
import { keys } from "#store/table";
import { conditionalWrite } from "./conditional-write.ts";
import { assertLimit, newestItems } from "./newest-items.ts";
import { definedOnly, expiryEpochSeconds } from "./state-item.ts";

/**
 * Balance history and the alert log: append-only items under the account's partition, newest first on
 * read, expired by TTL after `retentionDays`.
 */

/**
 * A snapshot's sort key is its schedule tick, not its observation time; the two differ by the time a poll
 * takes. The key range is widened by this much and the exact range applied to `observedAtMs`.
 */
const TICK_TO_OBSERVATION_SLACK_MS = 15 * 60 * 1000;

function toIsoTime(value: string | Date, field: string): string {
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) throw new RangeError(`${field} must be an ISO date-time, got "${value}"`);
  return time.toISOString();
}

/**
 * The years ISO 8601 writes with four digits: past them toISOString writes `+010000-…` or `-000001-…`, which
 * sort before `2026-…` as text, so a key range widened past them would be reversed (DynamoDB refuses a
 * BETWEEN whose bounds are reversed).
 */
const FIRST_KEY_MS = Date.parse("0000-01-01T00:00:00.000Z");
const LAST_KEY_MS = Date.parse("9999-12-31T23:59:59.999Z");

function keyTime(ms: number, field: string): string {
  return toIsoTime(new Date(Math.min(LAST_KEY_MS, Math.max(FIRST_KEY_MS, ms))), field);
}

/** The sort-key range of `range`, widened by the slack and kept to four-digit years; undefined: empty. */
function snapshotKeyRange(range: SnapshotRange): { from: string; to: string } | undefined {
  const from = range.since
    ? keys.snapshot(keyTime(range.since.getTime() - TICK_TO_OBSERVATION_SLACK_MS, "since"))
    : keys.snapshotPrefix;
  const to = range.until
    ? keys.snapshot(keyTime(range.until.getTime() + TICK_TO_OBSERVATION_SLACK_MS, "until"))
    : `${keys.snapshotPrefix}\uffff`;
  return from <= to ? { from, to } : undefined;
}

export class DynamoHistoryStore implements HistoryStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async putSnapshot(
    accountId: string,
    tickTime: string,
    snapshot: BalanceSnapshot,
    retentionDays: number,
  ): Promise<boolean> {
    const tick = toIsoTime(tickTime, "tick");
    const observedAt = new Date(snapshot.observedAt);
    const outcome = await conditionalWrite(
      this.doc,
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: keys.account(accountId),
          sk: keys.snapshot(tick),
          tick,
          observedAtMs: observedAt.getTime(),
          snapshot: definedOnly(snapshot),
          ttl: expiryEpochSeconds(observedAt, retentionDays),
        },
        ConditionExpression: "attribute_not_exists(sk)",
      }),
    );
    return outcome.applied;
  }

  async listSnapshots(accountId: string, range: SnapshotRange): Promise<BalanceSnapshot[]> {
    assertLimit(range.limit);
    const keyRange = snapshotKeyRange(range);
    const since = range.since?.getTime() ?? 0;
    const until = range.until?.getTime() ?? Number.MAX_SAFE_INTEGER;
    // A range reversed by more than the slack matches nothing (the API refuses one reversed at all), and so
    // does one that ends before 1970 with no start: DynamoDB refuses a BETWEEN whose bounds are reversed.
    if (keyRange === undefined || until < since) return [];
    const { from, to } = keyRange;
    const snapshots: BalanceSnapshot[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
          FilterExpression: "observedAtMs BETWEEN :since AND :until",
          ExpressionAttributeValues: {
            ":pk": keys.account(accountId),
            ":from": from,
            ":to": to,
            ":since": since,
            ":until": until,
          },
          ScanIndexForward: false,
          Limit: range.limit,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) snapshots.push(item.snapshot as BalanceSnapshot);
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && snapshots.length < range.limit);
    return snapshots.slice(0, range.limit);
  }

  async appendAlert(alert: Alert, retentionDays: number): Promise<void> {
    const createdAt = toIsoTime(alert.createdAt, "alert.createdAt");
    await this.doc.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: keys.account(alert.accountId),
          sk: keys.alert(createdAt, alert.alertType, alertDiscriminator(alert)),
          alert: definedOnly(alert),
          ttl: expiryEpochSeconds(new Date(createdAt), retentionDays),
        },
      }),
    );
  }

  async findAlert(
    accountId: string,
    createdAt: string,
    alertType: Alert["alertType"],
  ): Promise<Alert | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: keys.account(accountId), sk: keys.alert(toIsoTime(createdAt, "createdAt"), alertType) },
      }),
    );
    return Item?.alert as Alert | undefined;
  }

  async listAlerts(accountId: string, limit: number): Promise<Alert[]> {
    const items = await newestItems(this.doc, this.tableName, accountId, keys.alertPrefix, limit);
    return items.map((item) => item.alert as Alert);
  }
}
