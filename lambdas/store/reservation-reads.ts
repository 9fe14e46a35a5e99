import { type DynamoDBDocumentClient, GetCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { Hold } from "#core/account";
import { accountIdOfReservation } from "#core/reservation-id";
import { holdStatus, type ReservationView, reservationView } from "#core/reservations";
import type { HoldPage, ReservationQuery } from "#service/reservation-port";
import { InvalidReservationRequestError } from "#service/store-errors";
import { keys, TABLE } from "#store/table";
import { holdKey, toStoredHold } from "./hold-items.ts";

/**
 * Reading reservations: one by id (its hold item), an account's page newest first (hold keys sort by creation time), and the oldest open hold (the `held`
 * index).
 */
export class DynamoReservationReads {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getReservation(reservationId: string, now: Date): Promise<ReservationView | undefined> {
    const accountId = accountIdOfReservation(reservationId);
    if (accountId === undefined) return undefined;
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: holdKey(accountId, reservationId),
        ConsistentRead: true,
      }),
    );
    return Item && reservationView(toStoredHold(Item), now);
  }

  async listReservations(accountId: string, query: ReservationQuery, now: Date): Promise<HoldPage> {
    let startKey = decodeCursor(accountId, query.cursor);
    const filter = listingFilter(query, now);
    const reservations: ReservationView[] = [];
    for (let page = 0; page < 20 && reservations.length < query.limit; page++) {
      const result = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
          ...(filter ? { FilterExpression: filter.expression, ExpressionAttributeNames: filter.names } : {}),
          ExpressionAttributeValues: {
            ":pk": keys.account(accountId),
            ":prefix": keys.holdPrefix,
            ...filter?.values,
          },
          ScanIndexForward: false,
          Limit: query.limit - reservations.length,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of result.Items ?? []) reservations.push(reservationView(toStoredHold(item), now));
      startKey = result.LastEvaluatedKey;
      if (startKey === undefined) break;
    }
    return { reservations, ...(startKey ? { nextCursor: encodeCursor(startKey) } : {}) };
  }

  async oldestOpenHold(accountId: string, now: Date): Promise<Hold | undefined> {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: TABLE.indexes.held.name,
          KeyConditionExpression: `${TABLE.indexes.held.partitionKey} = :pk`,
          ExpressionAttributeValues: { ":pk": keys.account(accountId) },
          Limit: 10,
          ExclusiveStartKey: startKey,
        }),
      );
      // Expired holds stay in the index until a correction; they are skipped, never counted.
      const open = (page.Items ?? []).map(toStoredHold).find((hold) => holdStatus(hold, now) === "held");
      if (open) return open;
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return undefined;
  }
}

/** The FilterExpression of a listing's status and labels (every label must match); undefined: none. */
function listingFilter(query: ReservationQuery, now: Date) {
  const status = statusFilter(query.status, now);
  const labels = Object.entries(query.labels ?? {});
  if (status === undefined && labels.length === 0) return undefined;
  const expressions = status ? [status.expression] : [];
  const names: Record<string, string> = status ? { "#status": "status" } : {};
  const values: Record<string, unknown> = { ...status?.values };
  labels.forEach(([key, value], i) => {
    expressions.push(`#labels.#l${i} = :l${i}`);
    names["#labels"] = "labels";
    names[`#l${i}`] = key;
    values[`:l${i}`] = value;
  });
  return { expression: expressions.join(" AND "), names, values };
}

function statusFilter(status: ReservationQuery["status"], now: Date) {
  switch (status) {
    case undefined:
      return undefined;
    case "held":
      return {
        expression: "#status = :s AND expiresAtMs > :now",
        values: { ":s": "held", ":now": now.getTime() },
      };
    case "expired":
      return {
        expression: "#status = :s AND expiresAtMs <= :now",
        values: { ":s": "held", ":now": now.getTime() },
      };
    default:
      return { expression: "#status = :s", values: { ":s": status } };
  }
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(String(key.sk)).toString("base64url");
}

function decodeCursor(accountId: string, cursor: string | undefined): Record<string, unknown> | undefined {
  if (cursor === undefined) return undefined;
  const sk = Buffer.from(cursor, "base64url").toString();
  const cursorAccount = sk.startsWith(keys.holdPrefix)
    ? accountIdOfReservation(sk.slice(keys.holdPrefix.length))
    : undefined;
  if (cursorAccount !== accountId) {
    // A cursor is a position in one account's listing (any status or limit may follow it): another account's
    // is named as such, so the caller sees which parameter to change.
    const why =
      cursorAccount === undefined
        ? "is not a cursor of this listing (send the nextCursor of the page before, unchanged)"
        : `is a cursor of account "${cursorAccount}"'s listing, not of "${accountId}"'s`;
    throw new InvalidReservationRequestError("cursor", why, "/query/cursor");
  }
  return { pk: keys.account(accountId), sk };
}
