import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { type ConvertedHold, convertLegacyHolds } from "#core/legacy-holds";
import type { BalanceRules } from "#core/reservations";
import { IDEMPOTENCY_WINDOW_MS, roundAmount } from "#core/reservations";
import { StoreConflictError } from "#service/store-errors";
import { conditionalWrite } from "./conditional-write.ts";
import { captureItem, holdItem, idempotencyKey } from "./hold-items.ts";
import { stateKey, toAccountState } from "./state-item.ts";

/**
 * Moves the holds the release before this one kept inside the account's state item (`holds`) to their own
 * items, once per account, the first time this release touches the account (a poll, or a reserve, commit,
 * release or read that meets the map). Every item is written before the map is removed, and the removal
 * is conditional on the state not having changed since it was read, so a migration that fails or runs
 * twice at once leaves the same result as one that ran alone.
 */

const MAX_ATTEMPTS = 5;
const WRITE_CONCURRENCY = 25;
/** How long converted hold items are kept after they expire (the default retentionDays). */
const RETENTION_DAYS = 90;

export async function migrateLegacyHolds(
  doc: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  rules: BalanceRules,
): Promise<void> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const { Item } = await doc.send(
      new GetCommand({ TableName: tableName, Key: stateKey(accountId), ConsistentRead: true }),
    );
    const state = Item && toAccountState(Item);
    if (state?.holds === undefined) return;
    const conversion = convertLegacyHolds(state.holds, state.latest, rules);
    const puts = conversion.holds.flatMap((converted) => itemsOf(accountId, converted, rules));
    for (let start = 0; start < puts.length; start += WRITE_CONCURRENCY) {
      await Promise.all(
        puts.slice(start, start + WRITE_CONCURRENCY).map((item) =>
          // A hold item already there (a migration that ran before) is newer than the map: keep it.
          conditionalWrite(
            doc,
            new PutCommand({
              TableName: tableName,
              Item: item,
              ConditionExpression: "attribute_not_exists(sk)",
            }),
          ),
        ),
      );
    }
    const remaining = state.latest?.remaining;
    const headroom =
      remaining === undefined ? 0 : roundAmount(remaining - rules.reserveFloor - conversion.reserved);
    const outcome = await conditionalWrite(
      doc,
      new UpdateCommand({
        TableName: tableName,
        Key: stateKey(accountId),
        UpdateExpression:
          "REMOVE holds SET reserved = :reserved, headroom = :headroom, openHolds = :open ADD version :one",
        ConditionExpression: "version = :seen",
        ExpressionAttributeValues: {
          ":reserved": conversion.reserved,
          ":headroom": headroom,
          ":open": conversion.openHolds,
          ":one": 1,
          ":seen": state.version,
        },
      }),
    );
    if (outcome.applied) return;
  }
  throw new StoreConflictError(accountId, "migrateLegacyHolds", MAX_ATTEMPTS);
}

function itemsOf(
  accountId: string,
  converted: ConvertedHold,
  rules: BalanceRules,
): Record<string, unknown>[] {
  const { hold } = converted;
  const ttl = Math.floor(hold.expiresAtMs / 1000) + RETENTION_DAYS * 86_400;
  const items = [
    holdItem(
      accountId,
      { ...hold, version: 1, captures: hold.status === "committed" ? 1 : 0 },
      { counted: converted.heldCounts, ttl },
    ),
  ];
  if (converted.unsettledCommitted !== undefined && hold.committedAt !== undefined) {
    items.push(
      captureItem(accountId, hold, {
        n: 1,
        amount: converted.unsettledCommitted,
        committedAt: hold.committedAt,
        ttl,
      }),
    );
  }
  // The release before derived the id from the Idempotency-Key; the key keeps finding its hold for the
  // rest of its 24 h window.
  const keyExpiresAtMs = Date.parse(hold.createdAt) + IDEMPOTENCY_WINDOW_MS;
  if (hold.idempotencyKey !== undefined && keyExpiresAtMs > rules.now.getTime()) {
    items.push({
      ...idempotencyKey(accountId, "reserve", accountId, hold.idempotencyKey),
      reservationId: hold.id,
      expiresAtMs: keyExpiresAtMs,
      ttl: Math.floor(keyExpiresAtMs / 1000),
    });
  }
  return items;
}
