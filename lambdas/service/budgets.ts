import {
  type Budget,
  type BudgetSettings,
  type BudgetView,
  budgetView,
  newBudget,
  settingsOf,
  withSettings,
} from "#core/budget";
import { authoriseBudget, mayUseBudget } from "./access.ts";
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
 * keeping what it has held and committed this period and its open holds. Raises UnknownAccountError, and
 * AccessDeniedError when `caller` is outside the account's `access` rule or the stored budget's `principals`
 * (a caller may set `principals` that leave itself out: from then on it is refused).
 */
export const setBudget = /* @__PURE__ */ useCase(
  async (
    services: Services,
    accountId: string,
    budgetId: string,
    settings: BudgetSettings,
    caller: string,
  ): Promise<{ created: boolean; view: BudgetView }> => {
    const target = `budget:${budgetId}`;
    resolveAccount(services, accountId, "/path/id", caller);
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
      authoriseBudget(stored, caller);
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

/**
 * `GET /v1/accounts/{id}/budgets/{budgetId}`. Raises UnknownAccountError, UnknownBudgetError,
 * AccessDeniedError (the account's rule, or the budget's `principals`).
 */
export const getBudget = /* @__PURE__ */ useCase(
  async (services: Services, accountId: string, budgetId: string, caller: string) => {
    return budgetView(await requireBudget(services, accountId, budgetId, caller), services.now());
  },
);

/**
 * `GET /v1/accounts/{id}/budgets`: every budget of the account that `caller` may use, by id (a budget whose
 * `principals` leave the caller out is not listed). Raises UnknownAccountError, AccessDeniedError.
 */
export const listBudgets = /* @__PURE__ */ useCase(
  async (services: Services, accountId: string, caller: string) => {
    resolveAccount(services, accountId, "/path/id", caller);
    const now = services.now();
    const budgets = (await services.store.listBudgets(accountId)).filter((b) => mayUseBudget(b, caller));
    return { budgets: budgets.map((budget) => budgetView(budget, now)) };
  },
);

/**
 * `DELETE /v1/accounts/{id}/budgets/{budgetId}`. Raises UnknownAccountError, UnknownBudgetError,
 * AccessDeniedError, and BudgetInUseError while holds through it are open.
 */
export const deleteBudget = /* @__PURE__ */ useCase(
  async (services: Services, accountId: string, budgetId: string, caller: string) => {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const stored = await requireBudget(services, accountId, budgetId, caller);
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

async function requireBudget(
  services: Services,
  accountId: string,
  budgetId: string,
  caller: string,
): Promise<Budget> {
  resolveAccount(services, accountId, "/path/id", caller);
  const budget = await services.store.getBudget(accountId, budgetId);
  if (budget === undefined) throw new UnknownBudgetError(accountId, budgetId);
  authoriseBudget(budget, caller);
  return budget;
}

/**
 * The budget a check or reserve names in its body (`budget`), read consistently; undefined when it names
 * none. Raises UnknownBudgetError pointing at `/budget`, AccessDeniedError when `caller` is outside its
 * principals.
 */
export async function budgetOfRequest(
  services: Services,
  accountId: string,
  budgetId: string | undefined,
  caller: string,
): Promise<Budget | undefined> {
  if (budgetId === undefined) return undefined;
  const budget = await services.store.getBudget(accountId, budgetId);
  if (budget === undefined) throw new UnknownBudgetError(accountId, budgetId, "/budget");
  authoriseBudget(budget, caller);
  return budget;
}
