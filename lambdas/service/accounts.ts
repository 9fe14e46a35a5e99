import type { AccountConfig } from "#config/config";
import type { AccountState } from "#core/account";
import { computeBalanceView } from "#core/reservations";
import { AccountRequiredError, UnknownAccountError } from "./errors.ts";
import { forecastAccount } from "./forecast-account.ts";
import type { Services } from "./services.ts";

/** The account a request is about; `accountId` may be omitted when exactly one account is configured. */
export function resolveAccount(
  services: Services,
  accountId: string | undefined,
  pointer: string,
): AccountConfig {
  const { accounts } = services.config;
  if (accountId === undefined) {
    if (accounts.length === 1) return accounts[0] as AccountConfig;
    throw new AccountRequiredError(accounts.map((a) => a.id));
  }
  const account = accounts.find((a) => a.id === accountId);
  if (!account) throw new UnknownAccountError(accountId, pointer);
  return account;
}

/** What `GET /v1/accounts[/{id}]` shows of an account: latest balance, holds, availability, alert level. */
export function accountSummary(services: Services, account: AccountConfig, state: AccountState | undefined) {
  const now = services.now();
  const view = computeBalanceView(state, {
    now,
    reserveFloor: account.reserveFloor,
    settleSeconds: services.config.reservations.settleSeconds,
  });
  const latest = state?.latest;
  return {
    accountId: account.id,
    unit: latest?.unit ?? null,
    remaining: view.remaining,
    reserved: view.reserved,
    reserveFloor: account.reserveFloor,
    available: view.available,
    activeReservations: state?.openHolds ?? 0,
    alertLevel: state?.alert.level ?? "unknown",
    monitorDegraded: state?.alert.degraded ?? false,
    consecutiveFailures: state?.alert.consecutiveFailures ?? 0,
    lastFailure: state?.alert.lastFailure ?? null,
    /** HeyGen asked not to be called before `until` (a long Retry-After); null when it did not. */
    retryNotBefore:
      state?.retryNotBefore && Date.parse(state.retryNotBefore.until) > now.getTime()
        ? state.retryNotBefore
        : null,
    balanceObservedAt: latest?.observedAt ?? null,
    balanceAgeSeconds: latest
      ? Math.max(0, Math.round((now.getTime() - Date.parse(latest.observedAt)) / 1000))
      : null,
    lastPollAt: state?.lastPollAt ?? null,
    thresholds: account.thresholds,
    latest: latest ?? null,
  };
}

/**
 * `GET /v1/accounts/{id}`: the summary, the age of the oldest hold still held (seconds; null when none),
 * and the forecast from the last day of snapshots.
 */
export async function accountDetail(services: Services, account: AccountConfig) {
  const now = services.now();
  const { store } = services;
  let state = await store.getAccountState(account.id);
  // Holds that expired and parts the balance now shows leave the counter here too, not only at the next
  // poll (cost: what is corrected; usually two empty index queries).
  const observedAt = state?.latest?.observedAt;
  const settledUpToMs =
    observedAt === undefined
      ? undefined
      : Date.parse(observedAt) - services.config.reservations.settleSeconds * 1000;
  if (state !== undefined && (await store.correctCounters(account.id, now, settledUpToMs)) > 0) {
    state = await store.getAccountState(account.id);
  }
  const summary = accountSummary(services, account, state);
  const [outlook, oldest] = await Promise.all([
    summary.available === null ? null : forecastAccount(services, account.id, summary.available, now),
    store.oldestOpenHold(account.id, now),
  ]);
  const oldestOpenHoldAgeSeconds = oldest
    ? Math.max(0, Math.round((now.getTime() - Date.parse(oldest.createdAt)) / 1000))
    : null;
  return { ...summary, oldestOpenHoldAgeSeconds, forecast: outlook };
}
