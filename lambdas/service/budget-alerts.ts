import type { AccountConfig } from "#config/config";
import type { Alert } from "#core/account";
import { markBudgetSent, planBudgetAlerts } from "#core/budget-alerts";
import { deliver, told } from "./alert-delivery.ts";
import type { BudgetStore } from "./budget-port.ts";
import type { MessageContext, Services } from "./services.ts";
import type { AccountStore } from "./store-port.ts";

/** The ports a reading's budget alerts use (Services has them all; unit tests pass plain fakes). */
export interface BudgetAlertPorts extends Pick<Services, "config" | "publisher" | "now" | "log"> {
  store: Pick<BudgetStore, "listBudgets" | "setBudgetAlertState"> &
    Pick<AccountStore, "appendAlert" | "oweAlert" | "settleOwedAlert">;
}

/**
 * Use case, run by every reading after the account's own alerts: plans each budget's alerts
 * (core/budget-alerts.ts) on its use in the current period, publishes and logs each, and records on the
 * budget what its subscribers were told. The state advances only for alerts told (alert-delivery.ts), so a refused
 * publish is planned again at the next reading, and one accepted is not sent twice. A budget's failure (its
 * store write, say) is logged and the other budgets go on: the account's reading is already recorded.
 * Answers the alerts with their delivery status.
 */
export async function alertBudgets(
  services: BudgetAlertPorts,
  account: AccountConfig,
  context: Omit<MessageContext, "thresholds" | "failure">,
): Promise<Alert[]> {
  const budgets = await services.store.listBudgets(account.id);
  const alerts: Alert[] = [];
  for (const budget of budgets) {
    try {
      alerts.push(...(await alertBudget(services, account, budget, context)));
    } catch (error) {
      services.log.error("budget alerts failed; they are planned again at the next reading", {
        accountId: account.id,
        budgetId: budget.id,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return alerts;
}

async function alertBudget(
  services: BudgetAlertPorts,
  account: AccountConfig,
  budget: Awaited<ReturnType<BudgetStore["listBudgets"]>>[number],
  context: Omit<MessageContext, "thresholds" | "failure">,
): Promise<Alert[]> {
  const now = services.now();
  const plan = planBudgetAlerts({ accountId: account.id, budget, rules: services.config.alerts, now });
  let state = plan.state;
  const alerts: Alert[] = [];
  for (const planned of plan.alerts) {
    const delivered = await deliver(services, planned, { ...context, thresholds: account.thresholds });
    if (told(delivered)) state = markBudgetSent(state, delivered, now);
    alerts.push(delivered);
  }
  if (JSON.stringify(state) !== JSON.stringify(budget.alertState ?? { level: "unknown" })) {
    await services.store.setBudgetAlertState(account.id, budget.id, state);
  }
  return alerts;
}
