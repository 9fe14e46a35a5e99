import type { BudgetView } from "#core/budget";
import { budgetView } from "#core/budget";
import { killSwitchAlert } from "#core/kill-switch-alert";
import { authoriseBudget } from "./access.ts";
import { resolveAccount } from "./accounts.ts";
import { deliver } from "./alert-delivery.ts";
import { auditRecord } from "./audit.ts";
import { UnknownBudgetError } from "./errors.ts";
import type { Services } from "./services.ts";
import { useCase } from "./use-case.ts";

/**
 * `POST /v1/accounts/{id}/budgets/{budgetId}/pause`: the budget's kill switch. From this write on, checks and
 * reserves through the budget are refused (`paused`, with `reason`; the reserve's transaction conditions on
 * the budget item's `paused`), while the account and its other budgets go on, and so do settlements of holds
 * already made. Audited in the same write (`paused`, target `budget:<budgetId>`) and told at once (a `paused`
 * warning naming the budget). A pause while paused replaces the reason. Answers the budget view. Raises
 * UnknownAccountError, UnknownBudgetError (also when it is deleted between the read and the write).
 */
export const pauseBudget = /* @__PURE__ */ useCase(
  async (
    services: Services,
    accountId: string,
    budgetId: string,
    reason: string,
    caller: string,
  ): Promise<BudgetView> => {
    resolveAccount(services, accountId, "/path/id", caller);
    const now = services.now();
    const pause = { reason, at: now.toISOString(), by: caller };
    const before = await services.store.getBudget(accountId, budgetId);
    if (before === undefined) throw new UnknownBudgetError(accountId, budgetId);
    authoriseBudget(before, caller);
    const audit = auditRecord(services, {
      accountId,
      by: caller,
      action: "paused",
      target: `budget:${budgetId}`,
      ...(before.paused ? { before: before.paused } : {}),
      after: pause,
      at: pause.at,
    });
    const after = await services.store.setBudgetPause(accountId, budgetId, pause, audit);
    if (after === undefined) throw new UnknownBudgetError(accountId, budgetId);
    services.log.warn("budget paused", { accountId, budgetId, reason, by: caller });
    await tellBudget(services, accountId, after.alertState?.level, {
      alertType: "paused",
      budgetId,
      by: caller,
      reason,
      now,
    });
    return budgetView(after, now);
  },
);

/**
 * `POST /v1/accounts/{id}/budgets/{budgetId}/resume`: turns the budget's kill switch off, audited (`resumed`)
 * and told (`resumed`, info). A resume of a budget that is not paused writes nothing and tells no one.
 * Answers the budget view. Raises UnknownAccountError, UnknownBudgetError.
 */
export const resumeBudget = /* @__PURE__ */ useCase(
  async (services: Services, accountId: string, budgetId: string, caller: string): Promise<BudgetView> => {
    resolveAccount(services, accountId, "/path/id", caller);
    const now = services.now();
    const before = await services.store.getBudget(accountId, budgetId);
    if (before === undefined) throw new UnknownBudgetError(accountId, budgetId);
    authoriseBudget(before, caller);
    if (before.paused === undefined) return budgetView(before, now);
    const audit = auditRecord(services, {
      accountId,
      by: caller,
      action: "resumed",
      target: `budget:${budgetId}`,
      before: before.paused,
      at: now.toISOString(),
    });
    const after = await services.store.setBudgetPause(accountId, budgetId, undefined, audit);
    if (after === undefined) throw new UnknownBudgetError(accountId, budgetId);
    services.log.info("budget resumed", { accountId, budgetId, by: caller });
    await tellBudget(services, accountId, after.alertState?.level, {
      alertType: "resumed",
      budgetId,
      by: caller,
      now,
    });
    return budgetView(after, now);
  },
);

/**
 * Publishes the budget switch's alert and records it in the alert log. The switch stands whatever happens
 * here: a refused publish is logged as failed (the budget view shows the pause), any other failure is logged.
 */
async function tellBudget(
  services: Services,
  accountId: string,
  recordedLevel: Parameters<typeof killSwitchAlert>[0]["recordedLevel"] | undefined,
  change: { alertType: "paused" | "resumed"; budgetId: string; by: string; reason?: string; now: Date },
): Promise<void> {
  try {
    const account = resolveAccount(services, accountId, "/path/id", change.by);
    const latest = (await services.store.getAccountState(accountId))?.latest;
    const alert = killSwitchAlert({ accountId, ...change, recordedLevel: recordedLevel ?? "unknown" });
    await deliver(services, alert, {
      ...(latest ? { snapshot: latest } : {}),
      thresholds: account.thresholds,
    });
  } catch (error) {
    services.log.error(`the budget's ${change.alertType} alert failed; the kill switch stands`, {
      accountId,
      budgetId: change.budgetId,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}
