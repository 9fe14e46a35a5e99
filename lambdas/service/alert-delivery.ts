import type { Alert } from "#core/account";
import { type AlertOutlet, alertIdOf, type OwedAlert } from "#core/alert-delivery";
import { type MessageContext, OutletsRefusedError, type Services } from "./services.ts";
import type { AccountStore } from "./store-port.ts";

/**
 * Delivery of alerts to every outlet, stated once (docs/alerts.md#outlets-and-delivery), for every alert: a reading's,
 * a budget's, a forced commit's, the kill switch's and a test alert.
 *
 * - Every outlet accepted it: `sent`.
 * - The first outlet (SNS) refused it: `failed`, nothing was sent anywhere; a reading's alert is planned
 *   again at the next reading (its state did not advance), as before there were two outlets.
 * - The first accepted it and a later one (EventBridge) refused it: `pending`. The policy counts it told (a
 *   second plan would send a second SNS message), and the alert, with the outlets that owe it, goes to the
 *   account state item's `owedAlerts`. Every reading puts owed alerts again first (putOwedAlerts), to those
 *   outlets only, with the same id, until they accept it; its log entry then says `sent`.
 */

export interface DeliveryPorts extends Pick<Services, "config" | "publisher" | "log"> {
  store: Pick<AccountStore, "appendAlert" | "oweAlert" | "settleOwedAlert">;
}

/** True when subscribers count as told: every outlet accepted it, or the first did and the rest are owed. */
export function told(alert: Alert): boolean {
  return alert.status === "sent" || alert.status === "pending";
}

/**
 * Publishes one alert to every outlet, owes it to those that refused it after the first accepted it, and
 * records it in the alert log. Answers it with its `id`, delivery `status` (and `owed`, `error`); a refusal
 * is never thrown, a store failure is.
 */
export async function deliver(
  services: DeliveryPorts,
  alert: Alert,
  context: MessageContext,
): Promise<Alert> {
  const delivered = await publish(services, { ...alert, id: alert.id ?? alertIdOf(alert) }, context);
  if (delivered.status === "pending") {
    await services.store.oweAlert(delivered.accountId, { alert: delivered, outlets: delivered.owed ?? [] });
  }
  await services.store.appendAlert(delivered, services.config.retentionDays);
  return delivered;
}

async function publish(services: DeliveryPorts, alert: Alert, context: MessageContext): Promise<Alert> {
  const { accountId, alertType, level } = alert;
  if (!services.publisher) return { ...alert, status: "failed", error: "no publisher configured" };
  try {
    await services.publisher.publish(alert, context);
    services.log.info("alert sent", { accountId, alertType, level });
    return { ...alert, status: "sent" };
  } catch (cause) {
    const error = cause instanceof Error ? cause.message : String(cause);
    if (cause instanceof OutletsRefusedError) {
      services.log.warn("alert sent, but some outlets refused it; they are owed it until the next reading", {
        accountId,
        alertType,
        owed: cause.outlets,
        error,
      });
      return { ...alert, status: "pending", owed: cause.outlets, error };
    }
    services.log.error("alert publish failed; it will be retried at the next poll", {
      accountId,
      alertType,
      error,
    });
    return { ...alert, status: "failed", error };
  }
}

/**
 * The most alerts an account may owe, and for how long: an outlet that refuses for good (a deleted bus, a
 * grant that no longer matches) must not grow the account state item, which every check reads and which
 * DynamoDB caps at 400 KB, nor the time each reading spends putting them again.
 */
export const MAX_OWED_ALERTS = 50;
export const MAX_OWED_DAYS = 7;

/**
 * Puts each owed alert (AccountState.owedAlerts) again, to the outlets that owe it only, with the same id;
 * a reading calls it first, before it plans new alerts. An alert every outlet has now accepted is forgotten
 * and its log entry rewritten `sent`; one refused again stays owed (by the outlets still refusing it). One
 * older than MAX_OWED_DAYS, or past the newest MAX_OWED_ALERTS, is given up: forgotten, logged as an error
 * and its log entry rewritten `failed`. Answers the owed alerts after the attempt. A refusal is never
 * thrown, a store failure is.
 */
export async function putOwedAlerts(
  services: DeliveryPorts,
  accountId: string,
  owed: Readonly<Record<string, OwedAlert>> | undefined,
  context: MessageContext,
  now: Date,
): Promise<Alert[]> {
  const { kept, givenUp } = keptOwed(owed ?? {}, now);
  for (const [id, { alert, outlets }] of givenUp) {
    services.log.error("an owed alert was given up: its outlets refused it too long", {
      accountId,
      alertId: id,
      outlets,
    });
    await services.store.settleOwedAlert(accountId, id);
    const error = `given up: ${outlets.join(", ")} refused it for ${MAX_OWED_DAYS} days or ${MAX_OWED_ALERTS} alerts`;
    await services.store.appendAlert({ ...alert, status: "failed", error }, services.config.retentionDays);
  }
  const after: Alert[] = [];
  for (const [id, { alert, outlets }] of kept) {
    const stillOwed = await putAgain(services, alert, outlets, context);
    if (stillOwed.length === 0) {
      const { owed: _owed, error: _error, ...rest } = alert;
      const sent: Alert = { ...rest, status: "sent" };
      await services.store.settleOwedAlert(accountId, id);
      await services.store.appendAlert(sent, services.config.retentionDays);
      after.push(sent);
      continue;
    }
    if (stillOwed.length < outlets.length) {
      await services.store.oweAlert(accountId, { alert: { ...alert, owed: stillOwed }, outlets: stillOwed });
    }
    after.push({ ...alert, owed: stillOwed });
  }
  return after;
}

/** The owed alerts to put again (newest MAX_OWED_ALERTS within MAX_OWED_DAYS), and those given up. */
function keptOwed(
  owed: Readonly<Record<string, OwedAlert>>,
  now: Date,
): { kept: [string, OwedAlert][]; givenUp: [string, OwedAlert][] } {
  const oldestMs = now.getTime() - MAX_OWED_DAYS * 86_400_000;
  const newestFirst = Object.entries(owed).sort(([, a], [, b]) =>
    b.alert.createdAt.localeCompare(a.alert.createdAt),
  );
  const kept = newestFirst.filter(
    ([, o], i) => i < MAX_OWED_ALERTS && Date.parse(o.alert.createdAt) >= oldestMs,
  );
  return { kept, givenUp: newestFirst.filter((entry) => !kept.includes(entry)) };
}

/** The outlets that still refuse `alert` after one more attempt at `outlets`. */
async function putAgain(
  services: DeliveryPorts,
  alert: Alert,
  outlets: AlertOutlet[],
  context: MessageContext,
): Promise<AlertOutlet[]> {
  if (!services.publisher) return outlets;
  try {
    await services.publisher.publish(alert, context, outlets);
    services.log.info("owed alert sent", { accountId: alert.accountId, alertId: alert.id, outlets });
    return [];
  } catch (cause) {
    services.log.warn("owed alert refused again; it is put again at the next reading", {
      accountId: alert.accountId,
      alertId: alert.id,
      outlets,
      error: cause instanceof Error ? cause.message : String(cause),
    });
    return cause instanceof OutletsRefusedError ? cause.outlets : outlets;
  }
}
