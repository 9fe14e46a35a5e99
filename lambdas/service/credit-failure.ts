import type { AccountConfig } from "#config/config";
import { pollAccount } from "./poll-account.ts";
import type { Services } from "./services.ts";

/**
 * Reads the balance at once after HeyGen failed or refused a job for lack of credit (a credit-failure webhook,
 * or a release with reason `insufficient_credit`: a 402 at create, field case G10), through pollAccount
 * (refresh, urgent: not limited by minRefreshIntervalSeconds), so the exhausted/critical alert goes out now.
 * Called before the pipeline hears of it: a pipeline told InsufficientCredits then finds the empty balance
 * recorded (and the alert sent), not the reading still in progress. A failed reading is recorded as such by
 * pollAccount and does not throw; store failures do.
 */
export async function readBalanceAfterCreditFailure(
  services: Services,
  account: AccountConfig,
  reservationId: string,
): Promise<void> {
  const reading = await pollAccount(services, account, { refresh: true, urgent: true });
  services.log.warn("HeyGen failed a job for lack of credit; balance read now", {
    accountId: account.id,
    reservationId,
    reading: reading.status,
    alerts: reading.alerts.map((alert) => `${alert.alertType}:${alert.level}`),
  });
}
