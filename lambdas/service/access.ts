import type { AccountConfig } from "#config/config";
import { principalAllowed } from "#core/access";
import type { Budget } from "#core/budget";
import { AccessDeniedError } from "./errors.ts";
import type { Services } from "./services.ts";

/**
 * Who may read and spend (issue 21, docs/configuration.md `access`, docs/budgets.md `principals`). The
 * account's rule is checked where every use case finds its account (accounts.ts resolveAccount,
 * resolveReservationAccount), a budget's where it is read; a denial is audited once, at the API's edge
 * (recordAccessDenial), whichever use case raised it.
 */

/** True when `caller` (an IAM principal ARN) may read and spend `account`: always, without an `access` rule. */
export function mayUseAccount(account: AccountConfig, caller: string): boolean {
  return principalAllowed(account.access?.principals, caller);
}

/** Raises AccessDeniedError (403 forbidden naming the account) when `caller` is outside the account's rule. */
export function authoriseAccount(account: AccountConfig, caller: string): void {
  if (!mayUseAccount(account, caller)) throw new AccessDeniedError(account.id, caller);
}

/** True when `caller` may read and spend through `budget`: always, without `principals` on it. */
export function mayUseBudget(budget: Pick<Budget, "principals">, caller: string): boolean {
  return principalAllowed(budget.principals, caller);
}

/**
 * Raises AccessDeniedError naming the budget (403 forbidden with `budget`) when `caller` is outside the
 * budget's `principals`. The account's own rule is not checked here: the caller got the account through
 * resolveAccount, which checked it. For every route that reads, changes or spends through a budget (the
 * budget routes, and a check or a reserve naming `budget`).
 */
export function authoriseBudget(
  budget: Pick<Budget, "accountId" | "id" | "principals">,
  caller: string,
): void {
  if (!mayUseBudget(budget, caller)) throw new AccessDeniedError(budget.accountId, caller, budget.id);
}

/**
 * Writes the audit entry of a denial (`access-denied`, by the principal, target `account` or
 * `budget:<id>`, after `{method, path}` of the request refused). Never raises: the caller is answered 403
 * whatever happens here, and a failed write is logged.
 */
export async function recordAccessDenial(
  services: Services,
  denial: AccessDeniedError,
  request: { method: string; path: string },
): Promise<void> {
  const target = denial.budgetId === undefined ? "account" : `budget:${denial.budgetId}`;
  const entry = {
    accountId: denial.accountId,
    at: services.now().toISOString(),
    by: denial.principal,
    action: "access-denied" as const,
    target,
    after: { method: request.method, path: request.path },
  };
  services.log.warn("access denied", { accountId: denial.accountId, target, principal: denial.principal });
  try {
    await services.store.appendAudit(entry, services.config.retentionDays);
  } catch (error) {
    services.log.error("the access denial's audit entry was not written; the caller was answered 403", {
      accountId: denial.accountId,
      target,
      principal: denial.principal,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
