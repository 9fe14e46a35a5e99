import type { Budget } from "#core/budget";
import { roundAmount } from "#core/reservations";
import { keys, TABLE } from "#store/table";

/** The budget item's key and shape, shared by the budget store and the reservation transactions. */

export function budgetKey(accountId: string, budgetId: string) {
  return { [TABLE.partitionKey.name]: keys.account(accountId), [TABLE.sortKey.name]: keys.budget(budgetId) };
}

/** limit − held − committed: the stored `left` a reserve's condition reads. */
export function leftOf(budget: Budget): number {
  return roundAmount(budget.limit - budget.held - budget.committed);
}

/** A stored budget item as core reads it (its key and `left` are the item's, not the Budget's). */
export function toBudget(item: Record<string, unknown>): Budget {
  const { pk: _pk, sk: _sk, left: _left, ...budget } = item;
  return budget as unknown as Budget;
}
