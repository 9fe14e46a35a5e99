import type { Alert } from "#core/account";

/**
 * Where alerts go (docs/alerts.md#outlets-and-delivery): the SNS alerts topic (email, SMS, chat) and the EventBridge bus.
 * An alert is `sent` once every configured outlet accepted it; the fan-out tries them in this order.
 */
export const ALERT_OUTLETS = ["sns", "eventbridge"] as const;
export type AlertOutlet = (typeof ALERT_OUTLETS)[number];

/**
 * An alert some outlets accepted and others refused: kept in the account state item (`owedAlerts`, by the
 * alert's id) and put again, to the outlets in `outlets` only, at the start of every reading until they
 * accept it. The alert is the same object every time (same `id`), so nothing is sent twice to an outlet.
 */
export interface OwedAlert {
  alert: Alert;
  /** The outlets that have not accepted it yet (never empty). */
  outlets: AlertOutlet[];
}

/**
 * The alert's stable id: `<accountId>/<createdAt>/<alertType>`, with `/<budget id>` for a budget's alert
 * (two budgets may alert at the same instant). EventBridge rules and their targets deduplicate on it.
 */
export function alertIdOf(alert: Pick<Alert, "accountId" | "createdAt" | "alertType" | "budget">): string {
  const base = `${alert.accountId}/${alert.createdAt}/${alert.alertType}`;
  return alert.budget ? `${base}/${alert.budget.id}` : base;
}
