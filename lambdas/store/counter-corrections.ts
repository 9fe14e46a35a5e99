import { type DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { budgetHoldEnd, mergeBudgetWrites } from "#core/budget-writes";
import type { CorrectionBounds } from "#core/corrections";
import type { BudgetWrite } from "#core/reservation-writes";
import { heldPart, roundAmount } from "#core/reservations";
import { INDEX_ATTRIBUTES, keys, OPEN_INDEX_ATTRIBUTES, TABLE } from "#store/table";
import { transactWrite } from "./conditional-write.ts";
import { toStoredHold } from "./hold-items.ts";
import { budgetItem } from "./reservation-transactions.ts";
import { stateKey } from "./state-item.ts";

const OPEN_SK = TABLE.indexes.open.sortKey;
type TransactItem = Parameters<typeof transactWrite>[1][number];

/**
 * Corrects the account's `reserved` (and `headroom`) for what stopped counting without a write: holds that
 * expired, and committed parts that a recorded snapshot settles. Each is found in the sparse `open` index
 * by its expiry or commit time, so the cost is proportional to what is corrected, never to the holds still
 * open. Each correction is one transaction that takes the items out of the index and the amounts out of
 * the counter together, conditional on the items being unchanged, so nothing is corrected twice.
 */

const PAGE = 25;

/** Returns how many holds and parts were taken out of the counter. */
export async function correctCounters(
  doc: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  bounds: CorrectionBounds,
): Promise<number> {
  const ranges: [string, string][] = [["E#", keys.openHeldUpTo(bounds.expiredUpToMs)]];
  if (bounds.settledUpToMs !== undefined) ranges.push(["C#", keys.openCommittedUpTo(bounds.settledUpToMs)]);
  let corrected = 0;
  for (const [from, to] of ranges) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: TABLE.indexes.open.name,
          KeyConditionExpression: "#pk = :pk AND #sk BETWEEN :from AND :to",
          ExpressionAttributeNames: {
            "#pk": TABLE.indexes.open.partitionKey,
            "#sk": TABLE.indexes.open.sortKey,
          },
          ExpressionAttributeValues: { ":pk": keys.account(accountId), ":from": from, ":to": to },
          Limit: PAGE,
          ExclusiveStartKey: startKey,
        }),
      );
      corrected += await apply(doc, tableName, accountId, page.Items ?? [], bounds.expiredUpToMs);
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
  }
  return corrected;
}

/**
 * One transaction for the page; items changed since the (eventually consistent) index read are left out. An
 * expired hold's budget moves with it (core/budget-writes.ts); a budget found in another period than the
 * hold's moves only the hold's slot on the next round.
 */
async function apply(
  doc: DynamoDBDocumentClient,
  tableName: string,
  accountId: string,
  items: Record<string, unknown>[],
  nowMs: number,
): Promise<number> {
  let pending = items;
  const periodGone = new Set<string>();
  for (let round = 0; round < 3 && pending.length > 0; round++) {
    const corrections = pending.map((item) => correctionOf(tableName, accountId, item, nowMs, periodGone));
    const released = roundAmount(corrections.reduce((sum, c) => sum + c.released, 0));
    const endedHolds = corrections.filter((c) => c.endsHold).length;
    const budgets = mergeBudgetWrites(corrections.flatMap((c) => (c.budget ? [c.budget] : [])));
    const outcome = await transactWrite(doc, [
      ...corrections.map((c) => c.write),
      ...budgets.map((write) => budgetItem(tableName, write)),
      {
        Update: {
          TableName: tableName,
          Key: stateKey(accountId),
          UpdateExpression: "ADD reserved :minus, headroom :plus, openHolds :ended, version :one",
          ExpressionAttributeValues: {
            ":minus": -released,
            ":plus": released,
            ":ended": -endedHolds,
            ":one": 1,
          },
        },
      },
    ]);
    if (outcome.applied) return pending.length;
    budgets.forEach((write, i) => {
      if (outcome.reasons[pending.length + i]?.code === "ConditionalCheckFailed")
        periodGone.add(write.budgetId);
    });
    pending = pending.filter((_, i) => outcome.reasons[i]?.code !== "ConditionalCheckFailed");
  }
  return 0;
}

/**
 * One item's correction: an expired hold (out of the index, its held part and slot out of the counter and
 * its budget's) or a settled committed part (out of the index and the counter).
 */
function correctionOf(
  tableName: string,
  accountId: string,
  item: Record<string, unknown>,
  nowMs: number,
  periodGone: ReadonlySet<string>,
): { write: TransactItem; released: number; endsHold: boolean; budget?: BudgetWrite } {
  const key = { pk: item.pk, sk: item.sk };
  if (!String(item.sk).startsWith(keys.holdPrefix)) {
    const write = {
      Update: {
        TableName: tableName,
        Key: key,
        UpdateExpression: `REMOVE ${OPEN_INDEX_ATTRIBUTES.join(", ")}`,
        ConditionExpression: `${OPEN_SK} = :sk`,
        ExpressionAttributeValues: { ":sk": item[OPEN_SK] },
      },
    };
    return { write, released: Number(item.amount), endsHold: false };
  }
  const hold = toStoredHold(item);
  const released = heldPart(hold);
  const write = {
    Update: {
      TableName: tableName,
      Key: key,
      UpdateExpression: `REMOVE ${INDEX_ATTRIBUTES.join(", ")} ADD version :one`,
      ConditionExpression: `version = :version AND ${OPEN_SK} = :sk AND expiresAtMs <= :now`,
      ExpressionAttributeValues: { ":one": 1, ":version": hold.version, ":sk": item[OPEN_SK], ":now": nowMs },
    },
  };
  const period = hold.budget;
  const budget =
    period &&
    budgetHoldEnd(
      accountId,
      period,
      { released, committed: 0, ends: true },
      new Date(nowMs),
      periodGone.has(period.budgetId),
    );
  return { write, released, endsHold: true, ...(budget ? { budget } : {}) };
}
