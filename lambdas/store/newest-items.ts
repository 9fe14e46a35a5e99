import { type DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { MAX_LIST_LIMIT } from "#service/list-limit";
import { keys } from "#store/table";

/** Throws RangeError unless `limit` is an integer from 1 to MAX_LIST_LIMIT (callers validate first). */
export function assertLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    throw new RangeError(`limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${limit}`);
  }
}

/**
 * The newest `limit` items of one account's log (alerts, webhook events): its sort keys start with `prefix`
 * and sort by time, so one Query read backwards serves the list. Throws RangeError on a bad limit.
 */
export async function newestItems(
  doc: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  prefix: string,
  limit: number,
): Promise<Record<string, unknown>[]> {
  assertLimit(limit);
  const { Items } = await doc.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
      ExpressionAttributeValues: { ":pk": keys.account(accountId), ":prefix": prefix },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return Items ?? [];
}
