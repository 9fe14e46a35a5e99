import { type DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { SpendEntry } from "#core/spend-ledger";
import type { SpendLedger, SpendRange } from "#service/spend-port";
import { keys } from "#store/table";
import { toSpendEntry } from "./spend-items.ts";

/**
 * The spend ledger's reads: entries are keyed `SPEND#<ISO time>#…` under the account, so a time range is one
 * key range, read a page (1 MB) at a time: 10,000 entries of about 545 bytes are 6 pages (measured by
 * bench/spend-report.ts).
 */
export class DynamoSpendLedger implements SpendLedger {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async listSpend(accountId: string, range: SpendRange): Promise<SpendEntry[]> {
    const entries: SpendEntry[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          // `SPEND#<to>` sorts before every entry committed at `to` (they go on with `#…`): `to` is excluded.
          KeyConditionExpression: "pk = :pk AND sk BETWEEN :from AND :to",
          ExpressionAttributeValues: {
            ":pk": keys.account(accountId),
            ":from": `${keys.spendPrefix}${range.from}`,
            ":to": `${keys.spendPrefix}${range.to}`,
          },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) entries.push(toSpendEntry(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return entries;
  }
}
