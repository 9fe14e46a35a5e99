import {
  type Budget,
  type BudgetSettings,
  type BudgetView,
  budgetView,
  newBudget,
  settingsOf,
  withSettings,
} from "#core/budget";
import { resolveAccount } from "./accounts.ts";
import { auditRecord } from "./audit.ts";
import { BudgetInUseError, UnknownBudgetError } from "./errors.ts";
import type { Services } from "./services.ts";
import { StoreConflictError } from "./store-errors.ts";
import { useCase } from "./use-case.ts";

/** Budget writes race only with other budget writes (reserves do not change a budget's version). */
const MAX_ATTEMPTS = 5;

/**
 * `PUT /v1/accounts/{id}/budgets/{budgetId}`: creates the budget (`created: true`) or changes its settings,
 * keeping what it has held and committed this period and its open holds. Raises UnknownAccountError.
 */
export const setBudget = useCase(
  async (
    services: Services,
    accountId: string,
    budgetId: string,
    settings: BudgetSettings,
    caller: string,
  ): Promise<{ created: boolean; view: BudgetView }> => {
    const target = `budget:${budgetId}`;
    resolveAccount(services, accountId, "/path/id");
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const now = services.now();
      const stored = await services.store.getBudget(accountId, budgetId);
      if (stored === undefined) {
        const budget = newBudget(accountId, budgetId, settings, now);
        const write = { expectedVersion: 0, restarted: true, leftDelta: 0 };
        const audit = auditRecord(services, {
          accountId,
          by: caller,
          action: "budget-set",
          target,
          after: settings,
        });
        if (await services.store.saveBudget(budget, write, audit)) {
          return { created: true, view: budgetView(budget, now) };
        }
        continue;
      }
      const next = withSettings(stored, settings, now);
      if (!next.changed) return { created: false, view: budgetView(stored, now) };
      const write = { expectedVersion: stored.version, restarted: next.restarted, leftDelta: next.leftDelta };
      const audit = auditRecord(services, {
        accountId,
        by: caller,
        action: "budget-set",
        target,
        before: settingsOf(stored),
        after: settings,
      });
      if (await services.store.saveBudget(next.budget, write, audit)) {
        return { created: false, view: budgetView(next.budget, now) };
      }
    }
    throw new StoreConflictError(accountId, "budget", MAX_ATTEMPTS);
  },
);

/** `GET /v1/accounts/{id}/budgets/{budgetId}`. Raises UnknownAccountError, UnknownBudgetError. */
export const getBudget = useCase(async (services: Services, accountId: string, budgetId: string) => {
  return budgetView(await requireBudget(services, accountId, budgetId), services.now());
});

/** `GET /v1/accounts/{id}/budgets`: every budget of the account, by id. Raises UnknownAccountError. */
export const listBudgets = useCase(async (services: Services, accountId: string) => {
  resolveAccount(services, accountId, "/path/id");
  const now = services.now();
  return { budgets: (await services.store.listBudgets(accountId)).map((budget) => budgetView(budget, now)) };
});

/**
 * `DELETE /v1/accounts/{id}/budgets/{budgetId}`. Raises UnknownAccountError, UnknownBudgetError, and
 * BudgetInUseError while holds through it are open.
 */
export const deleteBudget = useCase(
  async (services: Services, accountId: string, budgetId: string, caller: string) => {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const stored = await requireBudget(services, accountId, budgetId);
      if (stored.openHolds > 0) throw new BudgetInUseError(budgetId, stored.openHolds);
      const audit = auditRecord(services, {
        accountId,
        by: caller,
        action: "budget-deleted",
        target: `budget:${budgetId}`,
        before: settingsOf(stored),
      });
      if (await services.store.deleteBudget(accountId, budgetId, stored.version, audit)) return;
    }
    throw new StoreConflictError(accountId, "budget", MAX_ATTEMPTS);
  },
);

async function requireBudget(services: Services, accountId: string, budgetId: string): Promise<Budget> {
  resolveAccount(services, accountId, "/path/id");
  const budget = await services.store.getBudget(accountId, budgetId);
  if (budget === undefined) throw new UnknownBudgetError(accountId, budgetId);
  return budget;
}

/**
 * The budget a check or reserve names in its body (`budget`), read consistently; undefined when it names
 * none. Raises UnknownBudgetError pointing at `/budget`.
 */
export async function budgetOfRequest(
  services: Services,
  accountId: string,
  budgetId: string | undefined,
): Promise<Budget | undefined> {
  if (budgetId === undefined) return undefined;
  const budget = await services.store.getBudget(accountId, budgetId);
  if (budget === undefined) throw new UnknownBudgetError(accountId, budgetId, "/budget");
  return budget;
}
