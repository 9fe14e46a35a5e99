import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Budget, BudgetAlertState, BudgetPause } from "#core/budget";
import type { AuditRecord } from "#service/audit-port";
import type { BudgetStore } from "#service/budget-port";
import { keys } from "#store/table";
import { auditPut } from "./audit-store.ts";
import { budgetKey, leftOf, toBudget } from "./budget-items.ts";
import { conditionalWrite, transactWrite } from "./conditional-write.ts";

type TransactItem = Parameters<typeof transactWrite>[1][number];

import { definedOnly } from "./state-item.ts";

/**
 * Settings a PUT may leave out; removed from the item when it does. `paused` and `alertState` are not
 * settings: their own writes (setBudgetPause, setBudgetAlertState) keep them, and a settings write never
 * touches them.
 */
const OPTIONAL_SETTINGS = [
  "maxPerJob",
  "maxConcurrentHolds",
  "principals",
  "labels",
  "alertPercents",
] as const;
const SETTINGS = ["limit", "period", "timeZone", "mode", ...OPTIONAL_SETTINGS] as const;

/**
 * Budgets as items `BUDGET#<budgetId>` in the account's partition (docs/budgets.md). `left` (limit − held −
 * committed) is an attribute of the item so that a reserve's condition can read it; every write keeps it so.
 */
export class DynamoBudgetStore implements BudgetStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async getBudget(accountId: string, budgetId: string): Promise<Budget | undefined> {
    const { Item } = await this.doc.send(
      new GetCommand({
        TableName: this.tableName,
        Key: budgetKey(accountId, budgetId),
        ConsistentRead: true,
      }),
    );
    return Item === undefined ? undefined : toBudget(Item);
  }

  async listBudgets(accountId: string): Promise<Budget[]> {
    const budgets: Budget[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: "pk = :pk AND begins_with(sk, :prefix)",
          ExpressionAttributeValues: { ":pk": keys.account(accountId), ":prefix": keys.budgetPrefix },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      budgets.push(...(page.Items ?? []).map(toBudget));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return budgets;
  }

  async saveBudget(
    budget: Budget,
    write: { expectedVersion: number; restarted: boolean; leftDelta: number },
    audit?: AuditRecord,
  ) {
    if (write.expectedVersion === 0) {
      const put = {
        TableName: this.tableName,
        Item: definedOnly({ ...budgetKey(budget.accountId, budget.id), ...budget, left: leftOf(budget) }),
        ConditionExpression: "attribute_not_exists(sk)",
      };
      return this.applyWithAudit({ Put: put }, audit);
    }
    return this.applyWithAudit({ Update: this.settingsUpdate(budget, write) }, audit);
  }

  async setBudgetPause(
    accountId: string,
    budgetId: string,
    pause: BudgetPause | undefined,
    audit?: AuditRecord,
  ): Promise<Budget | undefined> {
    const update = {
      TableName: this.tableName,
      Key: budgetKey(accountId, budgetId),
      UpdateExpression: pause ? "SET paused = :pause" : "REMOVE paused",
      // Never makes a budget: a pause of one deleted meanwhile is refused, and so is its audit entry.
      ConditionExpression: "attribute_exists(sk)",
      ...(pause ? { ExpressionAttributeValues: { ":pause": definedOnly(pause) } } : {}),
    };
    if (!(await this.applyWithAudit({ Update: update }, audit))) return undefined;
    return this.getBudget(accountId, budgetId);
  }

  async setBudgetAlertState(accountId: string, budgetId: string, state: BudgetAlertState) {
    const outcome = await conditionalWrite(
      this.doc,
      new UpdateCommand({
        TableName: this.tableName,
        Key: budgetKey(accountId, budgetId),
        UpdateExpression: "SET alertState = :state",
        ConditionExpression: "attribute_exists(sk)",
        ExpressionAttributeValues: { ":state": definedOnly(state) },
      }),
    );
    return outcome.applied;
  }

  async deleteBudget(accountId: string, budgetId: string, expectedVersion: number, audit?: AuditRecord) {
    const del = {
      TableName: this.tableName,
      Key: budgetKey(accountId, budgetId),
      ConditionExpression: "version = :version AND openHolds = :none",
      ExpressionAttributeValues: { ":version": expectedVersion, ":none": 0 },
    };
    return this.applyWithAudit({ Delete: del }, audit);
  }

  /** The budget's write, with the audit entry of the change in the same transaction when there is one. */
  private async applyWithAudit(write: TransactItem, audit: AuditRecord | undefined): Promise<boolean> {
    const items = audit ? [write, { Put: auditPut(this.tableName, audit) }] : [write];
    return (await transactWrite(this.doc, items)).applied;
  }

  private settingsUpdate(
    budget: Budget,
    write: { expectedVersion: number; restarted: boolean; leftDelta: number },
  ) {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {
      ":expected": write.expectedVersion,
      ":version": budget.version,
    };
    const set: string[] = ["version = :version"];
    const remove: string[] = [];
    for (const field of SETTINGS) {
      names[`#${field}`] = field;
      if (budget[field] === undefined) remove.push(`#${field}`);
      else {
        values[`:${field}`] = definedOnly(budget[field]);
        set.push(`#${field} = :${field}`);
      }
    }
    let add = "";
    if (write.restarted) {
      for (const counter of ["periodKey", "held", "committed"] as const) {
        values[`:${counter}`] = budget[counter];
        set.push(`${counter} = :${counter}`);
      }
      values[":left"] = leftOf(budget);
      set.push("#left = :left");
    } else {
      values[":leftDelta"] = write.leftDelta;
      add = " ADD #left :leftDelta";
    }
    names["#left"] = "left";
    return {
      TableName: this.tableName,
      Key: budgetKey(budget.accountId, budget.id),
      UpdateExpression: `SET ${set.join(", ")}${remove.length ? ` REMOVE ${remove.join(", ")}` : ""}${add}`,
      ConditionExpression: "version = :expected",
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    };
  }
}
