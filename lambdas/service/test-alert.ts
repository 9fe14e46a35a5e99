import type { AccountConfig } from "#config/config";
import type { Alert, Severity } from "#core/account";
import { computeBalanceView } from "#core/reservations";
import { testAlert } from "#core/test-alert";
import { resolveAccount } from "./accounts.ts";
import { deliver, told } from "./alert-delivery.ts";
import { balanceRulesOf } from "./balance-rules.ts";
import { BalanceUnknownError } from "./errors.ts";
import { forecastAccount } from "./forecast-account.ts";
import type { Services } from "./services.ts";
import type { AccountStore } from "./store-port.ts";
import { useCase } from "./use-case.ts";

/** The ports a test alert uses (Services has them all; unit tests pass plain fakes of just these). */
export interface TestAlertPorts extends Pick<Services, "config" | "publisher" | "now" | "log"> {
  store: Pick<
    AccountStore,
    "getAccountState" | "appendAlert" | "oweAlert" | "settleOwedAlert" | "listSnapshots"
  >;
}

/** SNS did not accept the test alert; the API answers 503 so that the caller tries again. */
export class TestAlertNotSentError extends Error {
  override readonly name = "TestAlertNotSentError";
}

/**
 * `POST /v1/accounts/{id}/test-alert`: publishes a marked test alert about the account's recorded balance
 * through the same publisher and message builder as the poller's alerts (SNS: email, SMS, chat card), and
 * records it in the alert log. It reads the account state and writes only the log entry, so no alert level,
 * reminder time or failure count changes.
 *
 * @returns the alert as sent and logged (`status: "sent"`, or `pending` when only EventBridge owes it; `test: true`).
 * @throws BalanceUnknownError when no balance has been recorded yet (409 `balance-unknown`).
 * @throws TestAlertNotSentError when the publisher refused it (logged as `failed`; 503).
 */
export async function sendTestAlert(
  services: TestAlertPorts,
  account: AccountConfig,
  severity: Severity,
): Promise<Alert> {
  const { store, log } = services;
  const now = services.now();
  const state = await store.getAccountState(account.id);
  const view = computeBalanceView(state, balanceRulesOf(services, account, now));
  const latest = state?.latest;
  if (!latest || view.available === null) {
    throw new BalanceUnknownError(account.id, "no balance has been read yet; POST .../refresh first");
  }
  const outlook = await forecastAccount(services, account.id, view.available, now);
  const alert = testAlert({
    accountId: account.id,
    remaining: latest.remaining,
    available: view.available,
    unit: latest.unit,
    thresholds: account.thresholds,
    ...(state?.alert.level ? { recordedLevel: state.alert.level } : {}),
    hoursToExhaustion: outlook.hoursToExhaustion,
    severity,
    now,
  });
  const delivered = await deliver(services, alert, {
    snapshot: latest,
    forecast: outlook,
    thresholds: account.thresholds,
    reserved: view.reserved,
  });
  log.info("test alert", { accountId: account.id, severity, status: delivered.status });
  if (!told(delivered)) {
    throw new TestAlertNotSentError(`the test alert was not sent: ${delivered.error ?? "unknown reason"}`);
  }
  return delivered;
}

/**
 * `POST /v1/accounts/{id}/test-alert`: sendTestAlert to a configured account. Raises UnknownAccountError (404), AccessDeniedError (403)
 * and what sendTestAlert raises.
 */
export const sendTestAlertTo = /* @__PURE__ */ useCase(
  (services: Services, accountId: string, severity: Severity, caller: string) =>
    sendTestAlert(services, resolveAccount(services, accountId, "/path/id", caller), severity),
);
