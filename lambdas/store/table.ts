/**
 * The one definition of the Quota Guard table, imported by the CDK construct, the local stack and the
 * tests so that the key design cannot drift between them.
 *
 * Single table, string keys:
 *   pk = ACCOUNT#<accountId>   sk = STATE                     account state (latest snapshot, counters, alert state)
 *   pk = ACCOUNT#<accountId>   sk = SNAPSHOT#<tick ISO time>  balance history (TTL retentionDays)
 *   pk = ACCOUNT#<accountId>   sk = ALERT#<ISO time>#<type>[#<budget or card>]   alert log (TTL retentionDays)
 *   pk = ACCOUNT#<accountId>   sk = HOLD#<reservation id>     one item per hold (ids sort by creation time)
 *   pk = ACCOUNT#<accountId>   sk = CAPTURE#<id>#<n>          a committed part, counted until settled
 *   pk = ACCOUNT#<accountId>   sk = IDEMPOTENCY#<hash>        an Idempotency-Key's answer (TTL 24 h)
 *   pk = ACCOUNT#<accountId>   sk = SPEND#<ISO time>#<id>#<n> the spend ledger: one entry per commit (TTL retentionDays)
 *   pk = ACCOUNT#<accountId>   sk = EVENT#<ISO time>#<key>    webhook log (TTL retentionDays)
 *   pk = ACCOUNT#<accountId>   sk = DELIVERY#<key>            a webhook delivery seen (TTL retentionDays)
 *
 * Two sparse indexes, both keyed by the account:
 *   open (openPk, openSk)  what `reserved` counts: held holds by expiry (`E#<ms>`), unsettled committed parts
 *                          by commit time (`C#<ms>`); a correction queries only what expired or settled.
 *   held (heldPk, heldSk)  held holds by creation time (`<ISO time>#<id>`): the oldest open hold.
 */
export const TABLE = {
  partitionKey: { name: "pk", type: "S" },
  sortKey: { name: "sk", type: "S" },
  /** Epoch seconds; DynamoDB deletes the item some time after. */
  timeToLiveAttribute: "ttl",
  /** Environment variable through which handlers receive the table name. */
  nameEnv: "TABLE_NAME",
  localName: "quota-guard",
  indexes: {
    open: { name: "open", partitionKey: "openPk", sortKey: "openSk" },
    held: { name: "held", partitionKey: "heldPk", sortKey: "heldSk" },
  },
} as const;

const { open: openIndex, held: heldIndex } = TABLE.indexes;
/** The open index's key attributes: an item has them while `reserved` counts it. */
export const OPEN_INDEX_ATTRIBUTES = [openIndex.partitionKey, openIndex.sortKey] as const;
/** Every index key attribute: removed together when a hold ends. */
export const INDEX_ATTRIBUTES = [
  ...OPEN_INDEX_ATTRIBUTES,
  heldIndex.partitionKey,
  heldIndex.sortKey,
] as const;

/** Epoch milliseconds padded so that they sort as strings (15 digits reach the year 33658). */
const sortableMs = (ms: number) => String(Math.max(0, Math.floor(ms))).padStart(15, "0");

export const keys = {
  account: (accountId: string) => `ACCOUNT#${accountId}`,
  state: () => "STATE",
  snapshot: (tick: string) => `SNAPSHOT#${tick}`,
  snapshotPrefix: "SNAPSHOT#",
  /** `#<discriminator>` for a budget's alert or a card's drift (core/alert-delivery.ts alertDiscriminator). */
  alert: (createdAt: string, alertType: string, discriminator?: string) =>
    `ALERT#${createdAt}#${alertType}${discriminator === undefined ? "" : `#${discriminator}`}`,
  alertPrefix: "ALERT#",
  /** `suffix` keeps two entries of the same millisecond apart. */
  audit: (at: string, suffix: string) => `AUDIT#${at}#${suffix}`,
  auditPrefix: "AUDIT#",
  webhookEvent: (receivedAt: string, deliveryKey: string) => `EVENT#${receivedAt}#${deliveryKey}`,
  webhookEventPrefix: "EVENT#",
  delivery: (deliveryKey: string) => `DELIVERY#${deliveryKey}`,
  budget: (budgetId: string) => `BUDGET#${budgetId}`,
  budgetPrefix: "BUDGET#",
  hold: (reservationId: string) => `HOLD#${reservationId}`,
  holdPrefix: "HOLD#",
  capture: (reservationId: string, n: number) => `CAPTURE#${reservationId}#${String(n).padStart(6, "0")}`,
  idempotency: (hash: string) => `IDEMPOTENCY#${hash}`,
  /** A spend ledger entry: by commit time, then the hold and its version after the commit. */
  spend: (at: string, reservationId: string, seq: number) =>
    `SPEND#${at}#${reservationId}#${String(seq).padStart(6, "0")}`,
  spendPrefix: "SPEND#",
  /** open index: a held hold, by expiry. */
  openHeld: (expiresAtMs: number, reservationId: string) => `E#${sortableMs(expiresAtMs)}#${reservationId}`,
  openHeldUpTo: (ms: number) => `E#${sortableMs(ms)}#\uffff`,
  /** open index: a committed part, by commit time. */
  openCommitted: (committedAtMs: number, reservationId: string) =>
    `C#${sortableMs(committedAtMs)}#${reservationId}`,
  openCommittedUpTo: (ms: number) => `C#${sortableMs(ms)}#\uffff`,
  /** held index: a held hold, by creation. */
  heldSince: (createdAt: string, reservationId: string) => `${createdAt}#${reservationId}`,
} as const;

/** CreateTable input for DynamoDB Local and tests (CDK builds its own from the same constants). */
export function createTableInput(tableName: string) {
  const { open, held } = TABLE.indexes;
  const stringKeys = [
    TABLE.partitionKey.name,
    TABLE.sortKey.name,
    open.partitionKey,
    open.sortKey,
    held.partitionKey,
    held.sortKey,
  ];
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST" as const,
    AttributeDefinitions: stringKeys.map((name) => ({ AttributeName: name, AttributeType: "S" as const })),
    KeySchema: [
      { AttributeName: TABLE.partitionKey.name, KeyType: "HASH" as const },
      { AttributeName: TABLE.sortKey.name, KeyType: "RANGE" as const },
    ],
    GlobalSecondaryIndexes: [open, held].map((index) => ({
      IndexName: index.name,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: "HASH" as const },
        { AttributeName: index.sortKey, KeyType: "RANGE" as const },
      ],
      Projection: { ProjectionType: "ALL" as const },
    })),
  };
}
