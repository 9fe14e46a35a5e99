import type { Budget } from "#core/budget";
import type { BudgetWrite } from "#core/reservation-writes";
import { roundAmount } from "#core/reservations";

/**
 * Budget items in memory, as store/budget-items.ts keeps them (`left` = limit − held − committed beside the
 * budget), with a budget write's ConditionExpression and update as store/reservation-transactions.ts
 * (budgetItem) writes them. Shared by the in-memory reservation and budget stores, as the table is.
 */
export type BudgetItem = Budget & { left: number };
export type BudgetItems = Map<string, BudgetItem>;

export const budgetItemKey = (accountId: string, budgetId: string) => `${accountId}/${budgetId}`;

/** True when the write's condition fails on the item as it is (a missing item fails any condition). */
export function budgetWriteRefused(items: BudgetItems, write: BudgetWrite): boolean {
  const { condition } = write;
  if (condition === undefined) return false;
  const item = items.get(budgetItemKey(write.accountId, write.budgetId));
  if (item === undefined) return true;
  const expectedKey = write.startsPeriod ? write.startsPeriod.fromKey : write.periodKey;
  if (item.periodKey !== expectedKey) return true;
  if (condition.name === "budget-period") return false;
  const left = write.startsPeriod ? item.limit : item.left;
  if (item.mode !== "soft" && !(left >= condition.need)) return true;
  if (item.maxPerJob !== undefined && !(item.maxPerJob >= condition.jobAmount)) return true;
  if (
    condition.slot &&
    item.maxConcurrentHolds !== undefined &&
    !(item.openHolds < item.maxConcurrentHolds)
  ) {
    return true;
  }
  return condition.notPaused && item.paused !== undefined;
}

/** Applies the write (its condition already held). An ADD on a missing item creates it, as DynamoDB's does. */
export function applyBudgetWrite(items: BudgetItems, write: BudgetWrite): void {
  const key = budgetItemKey(write.accountId, write.budgetId);
  const item = items.get(key) ?? ({ openHolds: 0 } as BudgetItem);
  items.set(key, item);
  item.openHolds += write.openHoldsDelta;
  if (write.condition === undefined) return;
  if (write.startsPeriod) {
    item.periodKey = write.periodKey;
    item.held = write.heldDelta;
    item.committed = 0;
    item.left = roundAmount(item.limit - write.heldDelta);
    return;
  }
  item.held = roundAmount(item.held + write.heldDelta);
  item.committed = roundAmount(item.committed + write.committedDelta);
  item.left = roundAmount(item.left - (write.heldDelta + write.committedDelta));
}

/** The budget an item holds (what ALL_OLD reads back, without `left`). */
export function budgetOfItem(item: BudgetItem): Budget {
  const { left: _left, ...budget } = structuredClone(item);
  return budget;
}
