import { randomBytes } from "node:crypto";
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { AuditEntry } from "#core/audit";
import { InvalidReservationRequestError } from "#core/reservation-errors";
import type { AuditLog, AuditPage, AuditRecord } from "#service/audit-port";
import { keys, TABLE } from "#store/table";
import { assertLimit } from "./newest-items.ts";
import { definedOnly, expiryEpochSeconds } from "./state-item.ts";

/** The audit log as items `AUDIT#<ISO time>#<random>` in the account's partition, read backwards by one Query. */
export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async appendAudit(entry: AuditEntry, retentionDays: number): Promise<void> {
    await this.doc.send(new PutCommand(auditPut(this.tableName, { entry, retentionDays })));
  }

  async listAudit(accountId: string, query: { limit: number; cursor?: string }): Promise<AuditPage> {
    assertLimit(query.limit);
    const pk = keys.account(accountId);
    const page = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues: { ":pk": pk, ":prefix": keys.auditPrefix },
        ScanIndexForward: false,
        Limit: query.limit,
        ...(query.cursor === undefined ? {} : { ExclusiveStartKey: { pk, sk: skOfCursor(query.cursor) } }),
      }),
    );
    const entries = (page.Items ?? []).map((item) => item.entry as AuditEntry);
    const last = page.LastEvaluatedKey?.sk;
    return {
      entries,
      ...(last === undefined ? {} : { nextCursor: Buffer.from(String(last)).toString("base64url") }),
    };
  }
}

/** The Put of one audit entry, alone or as an item of the transaction of the change it records. */
export function auditPut(tableName: string, { entry, retentionDays }: AuditRecord) {
  return {
    TableName: tableName,
    Item: {
      [TABLE.partitionKey.name]: keys.account(entry.accountId),
      [TABLE.sortKey.name]: keys.audit(entry.at, randomBytes(4).toString("hex")),
      entry: definedOnly(entry),
      [TABLE.timeToLiveAttribute]: expiryEpochSeconds(new Date(entry.at), retentionDays),
    },
  };
}

function skOfCursor(cursor: string): string {
  const sk = Buffer.from(cursor, "base64url").toString();
  if (!sk.startsWith(keys.auditPrefix)) {
    throw new InvalidReservationRequestError(
      "cursor",
      "is not a cursor of this log (send the nextCursor of the page before, unchanged)",
      "/query/cursor",
    );
  }
  return sk;
}
