/**
 * The one definition of the Quota Guard table, imported by the CDK construct, the local stack and the
 * tests so that the key design cannot drift between them.
 *
 * Single table, string keys:
 *   pk = ACCOUNT#<accountId>   sk = STATE                     account state (latest snapshot, holds, alert state)
 *   pk = ACCOUNT#<accountId>   sk = SNAPSHOT#<tick ISO time>  balance history (TTL retentionDays)
 *   pk = ACCOUNT#<accountId>   sk = ALERT#<ISO time>#<type>   alert log (TTL retentionDays)
 *   pk = ACCOUNT#<accountId>   sk = RESERVATION#<id>          settled reservations moved out of the state item
 */
export const TABLE = {
  partitionKey: { name: "pk", type: "S" },
  sortKey: { name: "sk", type: "S" },
  /** Epoch seconds; DynamoDB deletes the item some time after. */
  timeToLiveAttribute: "ttl",
  /** Environment variable through which handlers receive the table name. */
  nameEnv: "TABLE_NAME",
  localName: "quota-guard",
} as const;

export const keys = {
  account: (accountId: string) => `ACCOUNT#${accountId}`,
  state: () => "STATE",
  snapshot: (tick: string) => `SNAPSHOT#${tick}`,
  snapshotPrefix: "SNAPSHOT#",
  alert: (createdAt: string, alertType: string) => `ALERT#${createdAt}#${alertType}`,
  alertPrefix: "ALERT#",
  reservation: (reservationId: string) => `RESERVATION#${reservationId}`,
} as const;

/** CreateTable input for DynamoDB Local and tests (CDK builds its own from the same constants). */
export function createTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST" as const,
    AttributeDefinitions: [
      { AttributeName: TABLE.partitionKey.name, AttributeType: TABLE.partitionKey.type },
      { AttributeName: TABLE.sortKey.name, AttributeType: TABLE.sortKey.type },
    ],
    KeySchema: [
      { AttributeName: TABLE.partitionKey.name, KeyType: "HASH" as const },
      { AttributeName: TABLE.sortKey.name, KeyType: "RANGE" as const },
    ],
  };
}
