import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { HoldRecord, KeyAnswer } from "#core/hold-record";
import type {
  BudgetWrite,
  ConditionName,
  CounterWrite,
  HoldChangeWrite,
  KeyAnswerWrite,
  ReservationWrite,
  WriteOutcome,
} from "#core/reservation-writes";
import { INDEX_ATTRIBUTES, keys, TABLE } from "#store/table";
import { budgetKey, toBudget } from "./budget-items.ts";
import { type CancellationReason, transactWrite } from "./conditional-write.ts";
import { captureItem, holdItem, holdKey, idempotencyKey, type StoredHold } from "./hold-items.ts";
import { spendItem } from "./spend-items.ts";
import { definedOnly, stateKey, toAccountState } from "./state-item.ts";

/**
 * Planned reservation writes (core/reservation-writes.ts) as one TransactWriteItems. Each write's named
 * condition becomes its ConditionExpression; a cancellation is answered by name: the reason at the index of
 * the write that carries a name is that name's.
 */

type TransactItem = Parameters<typeof transactWrite>[1][number];
const { open } = TABLE.indexes;

/** Applies `writes` together; a refusal names its conditions, with the items they reported. */
export async function applyReservationWrites(
  doc: DynamoDBDocumentClient,
  tableName: string,
  writes: ReservationWrite[],
): Promise<WriteOutcome> {
  const outcome = await transactWrite(
    doc,
    writes.map((write) => transactItemOf(tableName, write)),
  );
  if (outcome.applied) return { applied: true };
  const names = writes.map((write) => ("condition" in write ? write.condition?.name : undefined));
  const reasonOf = (name: ConditionName): CancellationReason | undefined => {
    const index = names.indexOf(name);
    return index < 0 ? undefined : outcome.reasons[index];
  };
  const refused = [...new Set(names)].filter(
    (name): name is ConditionName => name !== undefined && reasonOf(name)?.code === "ConditionalCheckFailed",
  );
  const account = refused.includes("headroom-covers") ? reasonOf("headroom-covers")?.oldItem : undefined;
  const answer = refused.includes("key-unused") ? reasonOf("key-unused")?.oldItem : undefined;
  const budgetRefused = refused.find((name) => name === "budget-covers" || name === "budget-period");
  const budget = budgetRefused ? reasonOf(budgetRefused)?.oldItem : undefined;
  return {
    applied: false,
    refused,
    ...(account ? { account: toAccountState(account) } : {}),
    ...(answer ? { answer: toKeyAnswer(answer) } : {}),
    ...(budget ? { budget: toBudget(budget) } : {}),
  };
}

/** A stored Idempotency-Key answer item as the planners read it. */
export function toKeyAnswer(item: Record<string, unknown>): KeyAnswer {
  return {
    reservationId: String(item.reservationId),
    requestHash: String(item.requestHash),
    ...(item.view !== undefined ? { view: item.view as KeyAnswer["view"] } : {}),
    expiresAtMs: Number(item.expiresAtMs),
  };
}

/** The hold's item fields (its account and TTL are the item's key and `ttl`, not attributes of the Hold). */
export function storedHoldOf(hold: HoldRecord): StoredHold {
  const { accountId: _accountId, ttl: _ttl, ...stored } = hold;
  return stored;
}

function transactItemOf(tableName: string, write: ReservationWrite): TransactItem {
  switch (write.write) {
    case "counter":
      return counterItem(tableName, write);
    case "new-hold":
      return {
        Put: {
          TableName: tableName,
          Item: holdItem(write.hold.accountId, storedHoldOf(write.hold), {
            counted: true,
            ttl: write.hold.ttl,
          }),
          ConditionExpression: "attribute_not_exists(sk)",
        },
      };
    case "hold-change":
      return holdChangeItem(tableName, write);
    case "capture": {
      const { hold, n, amount, committedAt } = write;
      return {
        Put: {
          TableName: tableName,
          Item: captureItem(hold.accountId, hold, { n, amount, committedAt, ttl: hold.ttl }),
        },
      };
    }
    case "key-answer":
      return keyAnswerItem(tableName, write);
    case "budget":
      return budgetItem(tableName, write);
    case "ledger":
      return { Put: { TableName: tableName, Item: spendItem(write.entry, write.ttl) } };
  }
}

function counterItem(tableName: string, write: CounterWrite): TransactItem {
  const guard = write.condition?.guard;
  const maxOpen = write.condition?.maxOpenHolds;
  const notPaused = write.condition?.notPaused ? " AND attribute_not_exists(paused)" : "";
  const slots = maxOpen !== undefined ? " AND openHolds < :maxOpen" : "";
  const condition = write.condition
    ? `headroom >= :delta${guard ? " AND latest.observedAt >= :freshFrom AND latest.#unit = :unit" : ""}${notPaused}${slots}`
    : undefined;
  return {
    Update: {
      TableName: tableName,
      Key: stateKey(write.accountId),
      UpdateExpression: "ADD reserved :delta, headroom :minus, openHolds :open, version :one",
      ...(condition ? { ConditionExpression: condition } : {}),
      ...(guard ? { ExpressionAttributeNames: { "#unit": "unit" } } : {}),
      ExpressionAttributeValues: {
        ":delta": write.reservedDelta,
        ":minus": -write.reservedDelta,
        ":open": write.openHoldsDelta,
        ":one": 1,
        ...(guard ? { ":freshFrom": guard.observedAtOrAfter, ":unit": guard.unit } : {}),
        ...(maxOpen !== undefined ? { ":maxOpen": maxOpen } : {}),
      },
      ...(condition ? { ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const } : {}),
    },
  };
}

function holdChangeItem(tableName: string, write: HoldChangeWrite): TransactItem {
  const { hold } = write;
  const names: Record<string, string> = { "#status": "status", "#openPk": open.partitionKey };
  const values: Record<string, unknown> = {
    ":one": 1,
    ":version": hold.version,
    ":held": "held",
    ":now": write.atMs,
  };
  const set: string[] = [];
  for (const [field, value] of Object.entries(write.set)) {
    if (value === undefined) continue;
    names[`#${field}`] = field;
    values[`:${field}`] = definedOnly(value);
    set.push(`#${field} = :${field}`);
  }
  const add = ["version :one"];
  if (write.newExpiresAtMs !== undefined) {
    names["#openSk"] = open.sortKey;
    names["#ttl"] = TABLE.timeToLiveAttribute;
    values[":openSk"] = keys.openHeld(write.newExpiresAtMs, hold.id);
    values[":ttlShift"] = Math.floor((write.newExpiresAtMs - hold.expiresAtMs) / 1000);
    set.push("#openSk = :openSk");
    add.push("#ttl :ttlShift");
  }
  const remove = write.endsCount ? ` REMOVE ${INDEX_ATTRIBUTES.join(", ")}` : "";
  return {
    Update: {
      TableName: tableName,
      Key: holdKey(hold.accountId, hold.id),
      UpdateExpression: `SET ${set.join(", ")}${remove} ADD ${add.join(", ")}`,
      ConditionExpression:
        "version = :version AND #status = :held AND expiresAtMs > :now AND attribute_exists(#openPk)",
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValuesOnConditionCheckFailure: "NONE",
    },
  };
}

function keyAnswerItem(tableName: string, write: KeyAnswerWrite): TransactItem {
  const { answer } = write;
  return {
    Put: {
      TableName: tableName,
      Item: definedOnly({
        ...idempotencyKey(write.accountId, write.operation, write.scope, write.key.key),
        operation: write.operation,
        reservationId: answer.reservationId,
        requestHash: answer.requestHash,
        view: answer.view,
        expiresAtMs: answer.expiresAtMs,
        ttl: Math.floor(answer.expiresAtMs / 1000),
      }),
      ConditionExpression: "attribute_not_exists(sk) OR expiresAtMs <= :now",
      ExpressionAttributeValues: { ":now": write.atMs },
      ReturnValuesOnConditionCheckFailure: "ALL_OLD",
    },
  };
}

/**
 * A budget's counters. Moving them is commutative (ADD), so concurrent reserves do not serialise on a
 * version; starting a period sets them, conditional on the period replaced, so that one writer starts it.
 * `budget-covers` is budgetRefusal (core/budget.ts) as a ConditionExpression over the stored settings.
 */
export function budgetItem(tableName: string, write: BudgetWrite): TransactItem {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ":open": write.openHoldsDelta };
  let update = "ADD openHolds :open";
  const conditions: string[] = [];
  const { condition, startsPeriod } = write;
  if (condition !== undefined) {
    values[":key"] = write.periodKey;
    names["#left"] = "left";
    if (startsPeriod) {
      names["#limit"] = "limit";
      Object.assign(values, { ":from": startsPeriod.fromKey, ":held": write.heldDelta, ":zero": 0 });
      update = `SET periodKey = :key, held = :held, committed = :zero, #left = #limit - :held ${update}`;
      conditions.push("periodKey = :from");
    } else {
      Object.assign(values, {
        ":held": write.heldDelta,
        ":committed": write.committedDelta,
        ":leftDelta": -(write.heldDelta + write.committedDelta),
      });
      update = `${update}, held :held, committed :committed, #left :leftDelta`;
      conditions.push("periodKey = :key");
    }
  }
  if (condition?.name === "budget-covers") {
    names["#mode"] = "mode";
    Object.assign(values, { ":need": condition.need, ":job": condition.jobAmount, ":soft": "soft" });
    const left = startsPeriod ? "#limit" : "#left";
    conditions.push(
      `(#mode = :soft OR ${left} >= :need)`,
      "(attribute_not_exists(maxPerJob) OR maxPerJob >= :job)",
    );
    if (condition.slot) {
      conditions.push("(attribute_not_exists(maxConcurrentHolds) OR openHolds < maxConcurrentHolds)");
    }
    if (condition.notPaused) conditions.push("attribute_not_exists(paused)");
  }
  return {
    Update: {
      TableName: tableName,
      Key: budgetKey(write.accountId, write.budgetId),
      UpdateExpression: update,
      ...(conditions.length
        ? {
            ConditionExpression: conditions.join(" AND "),
            ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const,
          }
        : {}),
      ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
      ExpressionAttributeValues: values,
    },
  };
}
