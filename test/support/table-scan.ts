import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";

export type Item = Record<string, unknown>;

/** Every item of the table, ordered by key, so two scans can be compared with toEqual. */
export async function scanTable(doc: DynamoDBDocumentClient, tableName: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: start }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items.sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`));
}

/**
 * What a request could have changed that matters to a user: every item, minus the state item's `headroom`
 * and `version`. Those two are bookkeeping that a denied reserve may legitimately make exact (it rewrites
 * a conservative headroom to the true available before answering 409), which changes no balance, hold,
 * snapshot or alert.
 */
export function userVisibleContent(items: Item[]): Item[] {
  return items.map(({ headroom: _headroom, version: _version, ...rest }) => rest);
}
