import type { Budget, BudgetAlertState, BudgetPause } from "#core/budget";
import { roundAmount } from "#core/reservations";
import type { AuditRecord } from "#service/audit-port";
import type { BudgetStore } from "#service/budget-port";
import { type BudgetItems, budgetItemKey, budgetOfItem } from "./memory-budget-items.ts";

/**
 * An in-memory BudgetStore with the DynamoDB adapter's conditions (store/budget-store.ts): a write lands only
 * on the version it expects, keeps the stored counters unless restarted, moves `left` by the limit's
 * change and never touches the pause or alert state (their own writes do); a delete needs the version and no open hold. An audit entry lands with its change, or not at all.
 */
export class MemoryBudgetStore implements BudgetStore {
  /**
   * `audit`: where the entries written with a change go (an account store's audit log); `items`: the budget
   * items, shared with a reservation store whose reserves move them.
   */
  constructor(
    private readonly audit: AuditRecord["entry"][] = [],
    readonly items: BudgetItems = new Map(),
  ) {}

  /** The audit entries written with changes, oldest first. */
  get auditEntries(): readonly AuditRecord["entry"][] {
    return this.audit;
  }

  async getBudget(accountId: string, budgetId: string) {
    const item = this.items.get(budgetItemKey(accountId, budgetId));
    return item && budgetOfItem(item);
  }

  async listBudgets(accountId: string) {
    return [...this.items.values()]
      .filter((item) => item.accountId === accountId)
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .map(budgetOfItem);
  }

  async saveBudget(
    budget: Budget,
    write: { expectedVersion: number; restarted: boolean; leftDelta: number },
    audit?: AuditRecord,
  ) {
    const key = budgetItemKey(budget.accountId, budget.id);
    const stored = this.items.get(key);
    if ((stored?.version ?? 0) !== write.expectedVersion) return false;
    if (audit) this.audit.push(structuredClone(audit.entry));
    if (stored === undefined) {
      this.items.set(key, { ...structuredClone(budget), left: leftOf(budget) });
      return true;
    }
    const { paused: _paused, alertState: _alertState, ...settings } = structuredClone(budget);
    const kept = {
      ...(stored.paused ? { paused: stored.paused } : {}),
      ...(stored.alertState ? { alertState: stored.alertState } : {}),
    };
    if (write.restarted) {
      this.items.set(key, { ...settings, ...kept, left: leftOf(budget) });
      return true;
    }
    const { periodKey, held, committed, openHolds } = stored;
    this.items.set(key, {
      ...settings,
      ...kept,
      periodKey,
      held,
      committed,
      openHolds,
      left: roundAmount(stored.left + write.leftDelta),
    });
    return true;
  }

  async setBudgetPause(
    accountId: string,
    budgetId: string,
    pause: BudgetPause | undefined,
    audit?: AuditRecord,
  ) {
    const stored = this.items.get(budgetItemKey(accountId, budgetId));
    if (stored === undefined) return undefined;
    if (audit) this.audit.push(structuredClone(audit.entry));
    if (pause) stored.paused = structuredClone(pause);
    else delete stored.paused;
    return budgetOfItem(stored);
  }

  async setBudgetAlertState(accountId: string, budgetId: string, state: BudgetAlertState) {
    const stored = this.items.get(budgetItemKey(accountId, budgetId));
    if (stored === undefined) return false;
    stored.alertState = structuredClone(state);
    return true;
  }

  async deleteBudget(accountId: string, budgetId: string, expectedVersion: number, audit?: AuditRecord) {
    const key = budgetItemKey(accountId, budgetId);
    const stored = this.items.get(key);
    if (stored === undefined || stored.version !== expectedVersion || stored.openHolds !== 0) return false;
    if (audit) this.audit.push(structuredClone(audit.entry));
    this.items.delete(key);
    return true;
  }
}

function leftOf(budget: Budget) {
  return roundAmount(budget.limit - budget.held - budget.committed);
}
