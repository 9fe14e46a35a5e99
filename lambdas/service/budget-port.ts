import type { Budget, BudgetAlertState, BudgetPause } from "#core/budget";
import type { AuditRecord } from "./audit-port.ts";

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
   * Writes `budget`'s settings if the stored budget's version is `expectedVersion` (0: none is
   * stored). Its counters are written only when it is new or `restarted`; otherwise the stored ones are kept and
   * `left` moves by `leftDelta`. Its pause and alert state are never written here (a new budget has neither):
   * a settings write that read the budget before a pause, or before the poller's alert, cannot undo them. `audit`, when given, is written in the same transaction. False when the
   * version differed (a concurrent change: read again), and then nothing is written.
   */
  saveBudget(
    budget: Budget,
    write: { expectedVersion: number; restarted: boolean; leftDelta: number },
    audit?: AuditRecord,
  ): Promise<boolean>;
  /**
   * Turns the budget's kill switch on (`pause`) or off (undefined) in one write conditional on the budget
   * existing, touching nothing else (not the version: a reserve's condition reads `paused` itself), with
   * `audit` in the same transaction. Returns the budget after it; undefined when there is no such budget, and
   * then nothing is written.
   */
  setBudgetPause(
    accountId: string,
    budgetId: string,
    pause: BudgetPause | undefined,
    audit?: AuditRecord,
  ): Promise<Budget | undefined>;
  /**
   * Records what the budget's subscribers were last told (the poller, after SNS accepted), touching nothing
   * else; false when the budget no longer exists (deleted meanwhile: it is not made again).
   */
  setBudgetAlertState(accountId: string, budgetId: string, state: BudgetAlertState): Promise<boolean>;
  /**
   * Deletes the budget if its version is `expectedVersion` and it has no open hold, with `audit` in the same
   * transaction; false otherwise, and then nothing is written.
   */
  deleteBudget(
    accountId: string,
    budgetId: string,
    expectedVersion: number,
    audit?: AuditRecord,
  ): Promise<boolean>;
}
