import type { Alert } from "#core/account";
import { cardKey } from "./estimate-drift.ts";

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
 * What tells apart alerts of one type raised at one instant: the budget of a budget's alert (two budgets may
 * alert at once), the card of an `estimate_drift` (`rateCard|jobType|engine`: one reading may find several
 * cards drifting); none for the rest, of which a reading raises one per type.
 */
export function alertDiscriminator(alert: Pick<Alert, "budget" | "drift">): string | undefined {
  if (alert.budget) return alert.budget.id;
  if (alert.drift) return cardKey(alert.drift);
  return undefined;
}

/**
 * The alert's stable id: `<accountId>/<createdAt>/<alertType>`, with `/<discriminator>` for a budget's alert or
 * a card's drift (alertDiscriminator). EventBridge rules and their targets deduplicate on it; the alert log
 * keys entries the same way, so no alert overwrites another.
 */
export function alertIdOf(
  alert: Pick<Alert, "accountId" | "createdAt" | "alertType" | "budget" | "drift">,
): string {
  const base = `${alert.accountId}/${alert.createdAt}/${alert.alertType}`;
  const discriminator = alertDiscriminator(alert);
  return discriminator === undefined ? base : `${base}/${discriminator}`;
}
