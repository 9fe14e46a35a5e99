import type { Budget } from "#core/budget";

/**
 * The budgets' storage (docs/budgets.md), primitive: it reads budgets and writes one conditionally on the
 * version read, answering whether the write was made. The rules are in lambdas/core/budget.ts and the use
 * cases (service/budgets.ts).
 */
export interface BudgetStore {
  /** The budget, read consistently; undefined when the account has none of that id. */
  getBudget(accountId: string, budgetId: string): Promise<Budget | undefined>;
  /** The account's budgets, by id. */
  listBudgets(accountId: string): Promise<Budget[]>;
  /**
   * Writes `budget`'s settings and pause if the stored budget's version is `expectedVersion` (0: none is
   * stored). Its counters are written only when it is new or `restarted`; otherwise the stored ones are kept and
   * `left` moves by `leftDelta`. False when the version differed (a concurrent change: read again).
   */
  saveBudget(
    budget: Budget,
    write: { expectedVersion: number; restarted: boolean; leftDelta: number },
  ): Promise<boolean>;
  /** Deletes the budget if its version is `expectedVersion` and it has no open hold; false otherwise. */
  deleteBudget(accountId: string, budgetId: string, expectedVersion: number): Promise<boolean>;
}
